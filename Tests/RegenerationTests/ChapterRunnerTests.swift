import RunRecords
import Statistics
import Foundation
import Testing

@testable import Regeneration

/// Failure isolation, forwarding and reporting, with shell commands standing in for chapters.
@Suite struct ChapterRunnerTests {
    /// Collects what the runner prints.
    final class Transcript {
        var data = Data()
        var text: String { String(decoding: data, as: UTF8.self) }
    }

    static let shell = URL(fileURLWithPath: "/bin/sh")

    /// A fake chapter: `sh -c script sh <forwarded options>`, so `$@` are the options.
    static func fake(_ script: String) -> Preparation {
        .ready(Command(executable: shell, arguments: ["-c", script, "sh"]))
    }

    /// A results.json with a summary, as a chapter would write it.
    static func resultsJSON(ours: String) throws -> String {
        var record = RunRecord(
            chapter: "hoyer", profile: .smoke, seed: 42, threads: 2, commandLine: ["chapter-hoyer"],
            git: GitRevision(commit: "abc", dirty: false), date: Date(timeIntervalSince1970: 0),
            build: .debug, config: .object([:]), metrics: .object([:]))
        record.summary = RunSummary(
            paper: "Datta et al. 2022",
            headline: Headline(label: "accuracy at T = 1", ours: ours, paperClaim: "≈ ANN"),
            figures: [])
        record.claims = [0.05, 0.001].map { effect in
            ClaimTest(id: "c\(effect)", claim: "A beats B", source: "paper", effect: "acc(A) − acc(B)",
                      difference: Difference(mean: effect, standardError: 0.01, basis: .pairedImages(images: 500)),
                      seeds: 1)
        }
        return String(decoding: try JSONCoding.prettyEncoder().encode(record), as: UTF8.self)
    }

    func runner(
        _ chapters: [String], in folder: TemporaryFolder, transcript: Transcript,
        arguments: ChapterArguments = ChapterArguments(profile: .smoke),
        prepare: @escaping (Chapter) -> Preparation
    ) throws -> ChapterRunner {
        ChapterRunner(
            chapters: try ChapterCatalog.select(chapters), arguments: arguments,
            packageRoot: folder.url, destination: .log, prepare: prepare,
            write: { transcript.data += $0 })
    }

    @Test func aFailingChapterIsNamedAndTheOthersStillRun() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(try Self.resultsJSON(ours: "88.1 %"), to: "fixture.json")
        let transcript = Transcript()
        let scripts = [
            "classic": "mkdir -p figures/classic/smoke && touch figures/classic/smoke/a.png "
                + "figures/classic/smoke/b.png && echo classic ran",
            "rnl": "echo 'training…'; echo 'error: the dataset is missing' >&2; "
                + "echo 'Or rerun with --download.' >&2; exit 3",
            "hoyer": "mkdir -p figures/hoyer/smoke && touch figures/hoyer/smoke/c.png && "
                + "cp fixture.json figures/hoyer/smoke/results.json && echo hoyer ran",
        ]
        let reports = try runner(["classic", "rnl", "hoyer"], in: folder, transcript: transcript) {
            Self.fake(scripts[$0.key]!)
        }.run()

        #expect(reports.map(\.chapter.key) == ["classic", "rnl", "hoyer"])
        #expect(reports.map(\.status) == [.succeeded, .failed(.exit(code: 3)), .succeeded])
        #expect(reports.map(\.figuresWritten) == [2, 0, 1])
        #expect(reports[1].lastLine == "error: the dataset is missing")
        #expect(reports[1].headline == nil)
        #expect(reports[2].headline
            == Headline(label: "accuracy at T = 1", ours: "88.1 %", paperClaim: "≈ ANN"))
        #expect(reports.contains { $0.status.isFailure })
        // Both successful chapters ran to the end, after the failure.
        #expect(transcript.text.contains("classic │ classic ran"))
        #expect(transcript.text.contains("hoyer   │ hoyer ran"))
        #expect(transcript.text.contains("rnl     │ error: the dataset is missing"))

        let table = SummaryTable.text(reports, profile: .smoke)
        let rows = table.split(separator: "\n").map(String.init)
        #expect(rows.contains { $0.hasPrefix("rnl ") && $0.contains("FAILED (exit 3)")
            && $0.hasSuffix("error: the dataset is missing") })
        #expect(rows.contains { $0.hasPrefix("hoyer ") && $0.hasSuffix("accuracy at T = 1: 88.1 %")
            && $0.contains("1 / 0 / 1") })   // one claim reproduced, one inconclusive
        #expect(rows.contains("  hoyer: ≈ ANN"))
        #expect(table.hasSuffix(
            "FAILED: rnl (the other chapters ran and kept their figures)"))
    }

    @Test func optionsAreForwardedOnlyWhenGiven() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let transcript = Transcript()
        let echo = Self.fake(#"echo "$@" >> arguments.txt"#)
        _ = try runner(["classic"], in: folder, transcript: transcript) { _ in echo }.run()
        _ = try runner(
            ["classic"], in: folder, transcript: transcript,
            arguments: ChapterArguments(profile: .paper, seed: 7, threads: 1, fresh: true)
        ) { _ in echo }.run()
        #expect(try folder.read("arguments.txt")
            == "--profile smoke\n--profile paper --seed 7 --threads 1 --fresh\n")
    }

    @Test func executorSlurmGoesOnlyToChaptersWithStageGroups() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let echo = Self.fake(#"echo "$@" >> arguments.txt"#)
        _ = try runner(
            ["classic", "hoyer"], in: folder, transcript: Transcript(),
            arguments: ChapterArguments(profile: .smoke, executor: .slurm)
        ) { _ in echo }.run()
        #expect(try folder.read("arguments.txt")
            == "--profile smoke\n--profile smoke --executor slurm\n")
    }

    @Test func skippedAndUnstartableChaptersDoNotStopTheRun() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let transcript = Transcript()
        let reports = try runner(["classic", "hoyer", "compare"], in: folder, transcript: transcript) {
            switch $0.key {
            case "classic": .ready(Command(executable: URL(fileURLWithPath: "/nonexistent/chapter-classic")))
            case "compare": .skipped("chapter-compare is not a product in Package.swift")
            default: Self.fake("touch hoyer-ran")
            }
        }.run()
        guard case .failed(.launch(let reason)) = reports[0].status else {
            Issue.record("expected a launch failure, got \(reports[0].status)")
            return
        }
        #expect(reason.contains("/nonexistent/chapter-classic"))
        #expect(reports[1].status == .succeeded)
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("hoyer-ran").path))
        #expect(reports[2].status == .skipped("chapter-compare is not a product in Package.swift"))
        #expect(!reports[2].status.isFailure)
        let table = SummaryTable.text(reports, profile: .smoke)
        #expect(table.contains("skipped (chapter-compare is not a product in Package.swift)"))
        #expect(table.hasSuffix("FAILED: classic (the other chapters ran and kept their figures); skipped: compare"))
    }

    @Test func aStaleResultsFileIsNotCreditedToTheRun() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let stale = try folder.write(
            try Self.resultsJSON(ours: "old"), to: "figures/hoyer/smoke/results.json")
        try folder.write("", to: "figures/hoyer/smoke/old.png")
        let past = Date(timeIntervalSinceNow: -3600)
        for file in [stale, folder.url.appendingPathComponent("figures/hoyer/smoke/old.png")] {
            try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: file.path)
        }
        let reports = try runner(["hoyer"], in: folder, transcript: Transcript()) { _ in
            Self.fake("true")
        }.run()
        #expect(reports[0].status == .succeeded)
        #expect(reports[0].headline == nil)
        #expect(reports[0].figuresWritten == 0)
    }

    @Test func aChapterKilledByASignalIsAFailure() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let reports = try runner(["classic"], in: folder, transcript: Transcript()) { _ in
            Self.fake("kill -9 $$")
        }.run()
        #expect(reports[0].status == .failed(.signal(9)))
    }
}
