import RunRecords
import Statistics
import Foundation
import Testing

@testable import Regeneration

/// figures/README.md from fixture results folders: new files with a summary, and old ones
/// without it that fall back to gnuplot titles.
@Suite struct FigureIndexTests {
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    /// A results.json as `RunRecord.write` writes it, optionally with a summary.
    static func results(_ key: String, _ profile: Profile, summary: RunSummary?) throws -> String {
        let record = RunRecord(
            chapter: key, profile: profile, seed: 42, threads: 2,
            commandLine: [".build/debug/chapter-\(key)", "--profile", profile.rawValue],
            git: GitRevision(commit: commit, dirty: false),
            date: Date(timeIntervalSince1970: 1_795_000_000),
            build: .debug, config: .object([:]),
            metrics: .object(["annAccuracy": .number(0.9)]), summary: summary)
        return String(decoding: try JSONCoding.prettyEncoder().encode(record), as: UTF8.self)
    }

    static let hoyerSummary = RunSummary(
        paper: "Datta, Liu & Beerel, arXiv 2212.10170",
        headline: Headline(
            label: "T = 1 SNN accuracy", ours: "89.10 % (ANN 90.02 %)",
            paperClaim: "within 1–2 points of the ANN"),
        figures: [
            FigureCaption(id: "fig1-accuracy-by-variant", caption: "Accuracy of every variant."),
            FigureCaption(id: "fig2-membrane", caption: "Membrane [z/E] distribution."),
        ])

    /// hoyer/quick with a summary, classic/quick from before the summary existed, a smoke
    /// folder (never indexed) and a folder of an unknown chapter.
    static func fixture() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write(try results("hoyer", .quick, summary: hoyerSummary),
                         to: "hoyer/quick/results.json")
        try folder.write("png", to: "hoyer/quick/fig1-accuracy-by-variant.png")
        try folder.write("png", to: "hoyer/quick/fig2-membrane.png")
        try folder.write("png", to: "hoyer/quick/fig9-extra.png")
        try folder.write("set title font ',13'\nset title 'An extra figure'\n",
                         to: "hoyer/quick/fig9-extra.gp")
        // Written before RunRecord had `summary`: the key is simply absent.
        try folder.write(try results("classic", .quick, summary: nil),
                         to: "classic/quick/results.json")
        try folder.write("png", to: "classic/quick/fig-firing-rate.png")
        try folder.write(
            "set title font ',13'\nset title 'Firing rate per layer at T = 256'\nplot x\n",
            to: "classic/quick/fig-firing-rate.gp")
        try folder.write("png", to: "classic/quick/fig-grid.png")  // libpng grid, no .gp
        try folder.write(try results("classic", .smoke, summary: hoyerSummary),
                         to: "classic/smoke/results.json")
        try folder.write(try results("zeta", .paper, summary: nil), to: "zeta/paper/results.json")
        return folder
    }

    @Test func oldResultsWithoutSummaryStillDecode() throws {
        let folder = try Self.fixture()
        defer { folder.remove() }
        let text = try folder.read("classic/quick/results.json")
        #expect(!text.contains("\"summary\""))
        let record = try RunRecord.load(from: folder.url.appendingPathComponent("classic/quick/results.json"))
        #expect(record.summary == nil && record.chapter == "classic")
        let withSummary = try RunRecord.load(from: folder.url.appendingPathComponent("hoyer/quick/results.json"))
        #expect(withSummary.summary == Self.hoyerSummary)
    }

    @Test func chaptersAppearInCourseOrderWithTheirProfileCommitAndClaim() throws {
        let folder = try Self.fixture()
        defer { folder.remove() }
        let index = try FigureIndex.markdown(figuresRoot: folder.url)
        let classic = try #require(index.range(of: "## 1. classic (quick profile)"))
        let hoyer = try #require(index.range(of: "## 6. hoyer (quick profile)"))
        let zeta = try #require(index.range(of: "## 8. zeta (paper profile)"))
        #expect(classic.lowerBound < hoyer.lowerBound && hoyer.lowerBound < zeta.lowerBound)
        #expect(!index.contains("smoke"))

        #expect(index.contains("- **Paper:** Datta, Liu & Beerel, arXiv 2212.10170"))
        #expect(index.contains("- **T = 1 SNN accuracy:** ours 89.10 % (ANN 90.02 %); "
            + "paper (copied by hand): within 1–2 points of the ANN"))
        #expect(index.contains("commit `0123456`"))
        #expect(index.contains("2026-11-18 "))
        #expect(index.contains("`chapter-hoyer --profile quick`"))
        #expect(index.contains("| 6 | [hoyer](#6-hoyer-quick-profile) | quick | T = 1 SNN accuracy | "
            + "89.10 % (ANN 90.02 %) | within 1–2 points of the ANN |"))
    }

    /// A run's claims are listed under its section with their generated outcomes; a file
    /// without claims (older, or the classic fixture) lists none.
    @Test func claimsAreListedWithTheirOutcome() throws {
        let folder = try Self.fixture()
        defer { folder.remove() }
        var record = try RunRecord.load(from: folder.url.appendingPathComponent("hoyer/quick/results.json"))
        record.claims = [ClaimTest(
            id: "hoyer-within-2-points", claim: "within 1–2 points", source: "the paper",
            effect: "2 points − (ANN − Hoyer)",
            difference: Difference(mean: -0.0003, standardError: 0.0027, basis: .seeds(count: 5)), seeds: 5,
            images: 5_000)]
        try record.write(to: folder.url.appendingPathComponent("hoyer/quick"))
        let index = try FigureIndex.markdown(figuresRoot: folder.url)
        #expect(index.contains("  - **inconclusive** — hoyer-within-2-points: -0.03 ± 0.27 points, 5 seeds"))
        #expect(index.components(separatedBy: "**Claims tested**").count == 2)
    }

    @Test func everyCaptionedFigureIsEmbeddedWithItsCaption() throws {
        let folder = try Self.fixture()
        defer { folder.remove() }
        let index = try FigureIndex.markdown(figuresRoot: folder.url)
        #expect(index.contains("![Accuracy of every variant.](hoyer/quick/fig1-accuracy-by-variant.png)"))
        #expect(index.contains("**`fig1-accuracy-by-variant`** — Accuracy of every variant."))
        #expect(index.contains(#"![Membrane \[z/E\] distribution.](hoyer/quick/fig2-membrane.png)"#))
        // A PNG the summary does not list is still shown, with its gnuplot title.
        #expect(index.contains("![An extra figure](hoyer/quick/fig9-extra.png)"))
    }

    @Test func oldResultsFallBackToThePNGsAndTheirGnuplotTitles() throws {
        let folder = try Self.fixture()
        defer { folder.remove() }
        let index = try FigureIndex.markdown(figuresRoot: folder.url)
        #expect(index.contains("![Firing rate per layer at T = 256](classic/quick/fig-firing-rate.png)"))
        #expect(index.contains("![fig-grid (no gnuplot script)](classic/quick/fig-grid.png)"))
        #expect(index.contains("predates the `summary` field"))
        #expect(index.contains("| 1 | [classic](#1-classic-quick-profile) | quick | not recorded"))
        #expect(!index.contains("\n\n\n") && index.hasSuffix(".png)\n\n**`fig9-extra`** — "
            + "An extra figure\n\n## 8. zeta (paper profile)\n\n- **Paper:** see "
            + "[chapters/zeta/README.md](../chapters/zeta/README.md)\n"
            + "- **Run:** commit `0123456`, 2026-11-18 11:06 UTC, `chapter-zeta --profile paper`, "
            + "seed 42, debug build\n\n*This results.json predates the "
            + "`summary` field: the figures below are the PNGs in the folder, captioned with "
            + "their gnuplot titles.*\n\nNo figures in `zeta/paper/`.\n"))
        #expect(index.contains("- **Paper:** see [chapters/classic/README.md](../chapters/classic/README.md)"))
    }

    @Test func aCaptionedFigureWithoutItsPNGSaysHowToRenderIt() throws {
        let folder = try Self.fixture()
        defer { folder.remove() }
        try FileManager.default.removeItem(
            at: folder.url.appendingPathComponent("hoyer/quick/fig2-membrane.png"))
        let index = try FigureIndex.markdown(figuresRoot: folder.url)
        #expect(!index.contains("(hoyer/quick/fig2-membrane.png)"))
        #expect(index.contains("*(`fig2-membrane.png` is not rendered: run `swift run render-figures`.)*"))
    }

    @Test func writingTwiceGivesTheSameFile() throws {
        let folder = try Self.fixture()
        defer { folder.remove() }
        let url = try FigureIndex.write(figuresRoot: folder.url)
        let first = try Data(contentsOf: url)
        try FigureIndex.write(figuresRoot: folder.url)
        #expect(try Data(contentsOf: url) == first)
        #expect(url.lastPathComponent == "README.md")
    }

    /// A truncated results.json stops the index, naming the file, instead of dropping (or
    /// quietly mentioning) its chapter; the previous index stays as it was.
    @Test func anUnreadableResultsFileStopsTheIndex() throws {
        let folder = try Self.fixture()
        defer { folder.remove() }
        let url = try FigureIndex.write(figuresRoot: folder.url)
        let before = try Data(contentsOf: url)
        let text = try folder.read("hoyer/quick/results.json")
        try folder.write(String(text.prefix(text.count / 2)), to: "hoyer/quick/results.json")
        #expect {
            try FigureIndex.write(figuresRoot: folder.url)
        } throws: { error in
            let message = "\(error)"
            return message.contains(folder.url.appendingPathComponent("hoyer/quick/results.json").path)
                && message.contains("not valid JSON")
        }
        #expect(try Data(contentsOf: url) == before)
    }

    /// Files written before the run log carried machine, stage timings and total wall time;
    /// they still decode, and the index shows no wall time for them either.
    @Test func resultsWithTheFieldsNowInTheRunLogStillIndex() throws {
        let folder = try Self.fixture()
        defer { folder.remove() }
        var object = try JSONSerialization.jsonObject(
            with: Data(try folder.read("hoyer/quick/results.json").utf8)) as! [String: Any]
        object["machine"] = ["cpuModel": "cpu", "cores": 2, "memoryGiB": 1, "operatingSystem": "Linux"]
        object["stages"] = [["stage": "ann", "seconds": 81.2, "outcome": "computed"]]
        object["totalSeconds"] = 754
        try folder.write(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self),
                         to: "hoyer/quick/results.json")
        let record = try RunRecord.load(from: folder.url.appendingPathComponent("hoyer/quick/results.json"))
        #expect(record.summary == Self.hoyerSummary)
        let index = try FigureIndex.markdown(figuresRoot: folder.url)
        #expect(index.contains("commit `0123456`") && !index.contains("wall time"))
    }

    @Test func gnuplotTitlesAreUnquoted() {
        #expect(GnuplotTitle.parse("set title font ',13'\nset title 'It''s T = 1'\n") == "It's T = 1")
        #expect(GnuplotTitle.parse(#"set title "say \"hi\"" font ',12'"#) == #"say "hi""#)
        #expect(GnuplotTitle.parse("plot x\n") == nil)
        #expect(GnuplotTitle.parse("set title 'unterminated\n") == nil)
    }
}
