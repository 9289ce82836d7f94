import Foundation
import RunRecords
import SystemSupport
import Testing

@testable import ChapterSupport

/// results.json round-trips, is replaced in one step, and survives a failed rewrite.
@Suite struct RunRecordTests {
    struct Config: Codable, Equatable {
        struct ANN: Codable, Equatable {
            var epochs: Int
            var learningRate: Double
        }
        var ann: ANN
        var timesteps: [Int]
    }

    struct Metrics: Codable, Equatable {
        var annAccuracy: Double
        var snnAccuracy: [Int: Double]
        var firingRates: [Double]
        var divergedLoss: Double
    }

    struct Unencodable: Encodable {
        struct Refused: Error {}
        func encode(to encoder: Encoder) throws { throw Refused() }
    }

    private let config = Config(ann: .init(epochs: 3, learningRate: 0.05), timesteps: [1, 2, 4])
    private let metrics = Metrics(
        annAccuracy: 0.912, snnAccuracy: [1: 0.45, 4: 0.88],
        firingRates: [0.1, 0.25], divergedLoss: .nan)

    private func context(output: URL) throws -> ChapterContext {
        let options = try ChapterOptions.parse([
            "--profile", "smoke", "--seed", "7", "--output", output.path,
        ])
        return try ChapterContext(
            chapter: "classic", options: options,
            commandLine: ["chapter-classic", "--profile", "smoke"],
            startDate: Date(timeIntervalSince1970: 1_700_000_000.75))
    }

    private func record(in folder: TestDirectory) throws -> RunRecord {
        try RunRecord(
            context: context(output: folder.url), config: config, metrics: metrics,
            git: GitRevision(commit: "0123abcd", dirty: true))
    }

    @Test func roundTripsThroughResultsJSON() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let original = try record(in: folder)
        let url = try original.write(to: folder.url)
        #expect(url.lastPathComponent == "results.json")

        let loaded = try RunRecord.load(from: url)
        #expect(loaded.chapter == "classic" && loaded.profile == .smoke && loaded.seed == 7)
        #expect(loaded.date == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(loaded.hasSameResult(as: original))  // (== fails on the NaN metric)
        #expect(loaded.commandLine == original.commandLine && loaded.build == original.build)
        #expect(loaded.git == GitRevision(commit: "0123abcd", dirty: true))
        #expect(try loaded.config(as: Config.self) == config)
        let decoded = try loaded.metrics(as: Metrics.self)
        #expect(decoded.annAccuracy == 0.912 && decoded.snnAccuracy == [1: 0.45, 4: 0.88])
        #expect(decoded.firingRates == [0.1, 0.25] && decoded.divergedLoss.isNaN)
        #expect(loaded.metrics["annAccuracy"] == .number(0.912))
        #expect(loaded.config["ann"]?["epochs"] == .integer(3))

        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("\"date\" : \"2023-11-14T22:13:20Z\""))
        #expect(text.contains("\"divergedLoss\" : \"nan\""))
        let topLevelKeys = text.split(separator: "\n")
            .filter { $0.hasPrefix("  \"") }
            .map { $0.dropFirst(3).prefix(while: { $0 != "\"" }) }
        #expect(topLevelKeys == topLevelKeys.sorted())
        #expect(topLevelKeys.contains("metrics"))
        // What changes on every run lives in run-log.json, never in the committed file.
        #expect(!topLevelKeys.contains("machine") && !topLevelKeys.contains("stages")
                && !topLevelKeys.contains("totalSeconds"))

        let provenance = try Provenance.load(
            from: folder.url.appendingPathComponent("provenance.json"))
        #expect(provenance == Provenance(record: loaded))
        #expect(provenance.commandLine == ["chapter-classic", "--profile", "smoke"])
        #expect(try folder.files() == ["provenance.json", "results.json"])
    }

    @Test func failedRewriteLeavesThePreviousFileIntact() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let url = try record(in: folder).write(to: folder.url)
        let before = try Data(contentsOf: url)

        #expect(throws: Unencodable.Refused.self) {
            _ = try RunRecord(
                context: context(output: folder.url), config: config,
                metrics: Unencodable())
        }
        var broken = try record(in: folder)
        broken.config = .object(["fine": .bool(true)])
        // Make the rename fail: the target is a non-empty directory.
        let blocked = folder.url.appendingPathComponent("blocked", isDirectory: true)
        try FileManager.default.createDirectory(
            at: blocked.appendingPathComponent("results.json/inner", isDirectory: true),
            withIntermediateDirectories: true)
        #expect(throws: AtomicWriteError.self) { try broken.write(to: blocked) }
        #expect(try folder.files(in: blocked) == ["results.json"])

        #expect(try Data(contentsOf: url) == before)
        #expect(try folder.files() == ["blocked", "provenance.json", "results.json"])
    }

    /// Same result: only the provenance differs, and a rerun keeps the earlier one. Any
    /// change of metrics, config or summary is a new result (NaN metrics compare as bytes).
    @Test func aRerunWithTheSameResultKeepsTheEarlierProvenance() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let earlier = try record(in: folder)
        var later = try RunRecord(
            context: context(output: folder.url), config: config, metrics: metrics,
            git: GitRevision(commit: "fedcba98", dirty: false))
        later.date = Date(timeIntervalSince1970: 1_800_000_000)
        later.commandLine = ["chapter-classic", "--profile", "smoke", "--fresh"]
        later.build = .release
        later.threads = 1
        // Another machine with the same numbers: the same result, and the first machine stays.
        #expect(earlier.arithmetic == .current)
        later.arithmetic = ArithmeticBackend(cpuModel: "Another CPU", convolutionISA: "Intel AVX2", blasCore: "Haswell")
        #expect(later.hasSameResult(as: earlier) && earlier.hasSameResult(as: later))
        let encoder = JSONCoding.compactEncoder()
        #expect(try encoder.encode(later.keepingProvenance(of: earlier)) == encoder.encode(earlier))

        var changed = later
        changed.metrics = try JSONValue(encoding: Metrics(
            annAccuracy: 0.913, snnAccuracy: metrics.snnAccuracy,
            firingRates: metrics.firingRates, divergedLoss: .nan))
        #expect(!changed.hasSameResult(as: earlier))
        var reseeded = later
        reseeded.seed = 8
        #expect(!reseeded.hasSameResult(as: earlier))
    }

    @Test func gitRevisionIsUnknownOutsideARepository() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        #expect(GitRevision.current(in: folder.url) == .unknown)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/git")))
    func gitRevisionReportsCommitAndDirtyState() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        func git(_ arguments: String...) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
            process.arguments =
                [
                    "-c", "user.name=Test", "-c", "user.email=test@example.com",
                    "-c", "commit.gpgsign=false",
                ] + arguments
            process.currentDirectoryURL = folder.url
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "git \(arguments)")
        }
        for path in ["figures", "chapters/demo"] {
            try FileManager.default.createDirectory(
                at: folder.url.appendingPathComponent(path), withIntermediateDirectories: true)
        }
        try Data("a".utf8).write(to: folder.url.appendingPathComponent("main.swift"))
        try Data("# demo".utf8).write(to: folder.url.appendingPathComponent("chapters/demo/README.md"))
        try Data("{}".utf8).write(to: folder.url.appendingPathComponent("figures/results.json"))
        try git("init", "-q")
        try git("add", ".")
        try git("commit", "-q", "-m", "initial")

        let clean = GitRevision.current(in: folder.url)
        #expect(clean.commit.count == 40 && clean.commit.allSatisfy(\.isHexDigit))
        #expect(clean.dirty == false)
        // Rewriting results under figures/ is what runs do; it does not make the tree dirty.
        try Data("{\"x\": 1}".utf8).write(
            to: folder.url.appendingPathComponent("figures/results.json"))
        #expect(GitRevision.current(in: folder.url).dirty == false)
        // So is a chapter README's generated results table (regenerate runs chapters in turn).
        try Data("# demo\n| 1 |".utf8).write(to: folder.url.appendingPathComponent("chapters/demo/README.md"))
        #expect(GitRevision.current(in: folder.url).dirty == false)
        try Data("b".utf8).write(to: folder.url.appendingPathComponent("main.swift"))
        #expect(GitRevision.current(in: folder.url).dirty == true)
    }

    @Test func cpuModelIsParsedFromProcCPUInfo() {
        let x86 =
            "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n"
            + "cpu MHz\t\t: 2450.000\n"
        #expect(MachineInfo.parseCPUModel(cpuinfo: x86) == "AMD EPYC 7B13")
        let arm =
            "processor\t: 0\nBogoMIPS\t: 108.00\n\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n"
        #expect(MachineInfo.parseCPUModel(cpuinfo: arm) == "Raspberry Pi 4 Model B Rev 1.4")
        #expect(MachineInfo.parseCPUModel(cpuinfo: "") == nil)
        #expect(MachineInfo.current().cores >= 1)
    }

    /// provenance.json carries the CPU and kernels; a comparison names both machines when they
    /// differ, and says so when the earlier file has no record.
    @Test func provenanceRecordsTheCPUAndItsKernels() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let earlier = try record(in: folder)
        try earlier.write(to: folder.url)
        let provenance = try Provenance.load(from: folder.url.appendingPathComponent(Provenance.fileName))
        #expect(provenance.arithmetic == earlier.arithmetic && provenance.arithmetic != nil)
        let here = try #require(earlier.arithmetic)
        #expect(!here.convolutionISA.isEmpty && !here.blasCore.isEmpty && here.blasCore != "unknown")
        let other = ArithmeticBackend(cpuModel: "Another CPU", convolutionISA: "Intel AVX2", blasCore: "Haswell")
        #expect(here.comparison(with: here) == "same CPU and kernels as that run")
        let text = here.comparison(with: other)
        #expect(text.contains("Intel AVX2") && text.contains("Haswell") && text.contains(here.convolutionISA))
        #expect(here.comparison(with: nil).hasPrefix("that run records no CPU or kernels"))
    }
}
