import Foundation
import RunRecords
import SystemSupport
import Testing

@testable import ChapterSupport

/// RunOutput: a run writes beside its output folder and publishes it in one step; a rerun
/// with the same result leaves the committed files byte-identical; bad folders and a second
/// run into the same folder are refused before any work.
@Suite struct RunOutputTests {
    struct Metrics: Codable { var accuracy: Double }

    /// A context for `chapter-classic --profile smoke` writing to `folder/out`, cache in
    /// `folder/cache` unless given.
    private func context(
        _ folder: TestDirectory, output: String = "out", cache: String = "cache",
        extra: [String] = [], started: Double = 1_700_000_000
    ) throws -> ChapterContext {
        let options = try ChapterOptions.parse([
            "--profile", "smoke", "--output", folder.url.appendingPathComponent(output).path,
            "--cache", folder.url.appendingPathComponent(cache).path,
        ] + extra)
        return try ChapterContext(
            chapter: "classic", options: options, commandLine: ["/build/chapter-classic"],
            startDate: Date(timeIntervalSince1970: started))
    }

    /// One whole run: claim, a figure file, publish.
    @discardableResult
    private func run(
        _ context: ChapterContext, accuracy: Double, commit: String, figure: String = "fig.dat"
    ) throws -> URL {
        let output = try context.claimOutput()
        try atomicWrite(Data("\(accuracy)\n".utf8),
                        to: output.directory.appendingPathComponent(figure))
        let record = try RunRecord(
            context: context, config: ["epochs": 1], metrics: Metrics(accuracy: accuracy),
            git: GitRevision(commit: commit, dirty: false))
        return try output.publish(record, stages: [
            StageTiming(stage: "ann", seconds: 1.5, outcome: .computed)])
    }

    private func read(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    @Test func publishingReplacesTheFolderInOneStep() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("out")
        try run(context(folder), accuracy: 0.5, commit: "aaaa", figure: "old-figure.dat")

        let context = try context(folder)
        let output = try context.claimOutput()
        #expect(output.destination.path == out.path)
        #expect(output.directory.path != out.path)
        #expect(output.directory.deletingLastPathComponent().path == folder.url.path)
        try atomicWrite(Data("new".utf8), to: output.directory.appendingPathComponent("fig.dat"))
        // Until published, the previous run's files are all a reader sees.
        #expect(try folder.files(in: out) == ["old-figure.dat", "provenance.json", "results.json",
                                              "run-log.json"])
        let record = try RunRecord(context: context, config: ["epochs": 1],
                                   metrics: Metrics(accuracy: 0.75))
        let url = try output.publish(record, stages: [])
        #expect(url.path == out.appendingPathComponent("results.json").path)
        #expect(try folder.files(in: out) == ["fig.dat", "provenance.json", "results.json",
                                              "run-log.json"])
        #expect(try RunRecord.load(from: url).metrics(as: Metrics.self).accuracy == 0.75)
        // Nothing but the lock file is left beside the folder.
        #expect(try folder.files().filter { $0.hasPrefix(".") } == [".out.lock"])
    }

    /// The same result from another commit, later, with another command line: results.json
    /// and provenance.json stay byte-identical, run-log.json tells this run's story.
    @Test func aRerunWithTheSameResultLeavesTheTrackedFilesByteIdentical() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("out")
        let results = out.appendingPathComponent("results.json")
        let provenance = out.appendingPathComponent("provenance.json")
        try run(context(folder), accuracy: 0.5, commit: "aaaa")
        let (firstResults, firstProvenance) = (try read(results), try read(provenance))
        let firstLog = try RunLog.load(from: out.appendingPathComponent("run-log.json"))
        #expect(!firstLog.reproducedPreviousResult)
        #expect(try RunRecord.load(from: results).commandLine == ["chapter-classic"])

        try run(context(folder, extra: ["--fresh"], started: 1_800_000_000),
                accuracy: 0.5, commit: "bbbb")
        #expect(try read(results) == firstResults)
        #expect(try read(provenance) == firstProvenance)
        let log = try RunLog.load(from: out.appendingPathComponent("run-log.json"))
        #expect(log.reproducedPreviousResult)
        #expect(log.date == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(log.stages == [StageTiming(stage: "ann", seconds: 1.5, outcome: .computed)])
        #expect(log.commandLine == ["/build/chapter-classic"])

        // A changed metric is a new result, with this run's provenance.
        try run(context(folder), accuracy: 0.6, commit: "cccc")
        #expect(try RunRecord.load(from: results).git.commit == "cccc")
        #expect(try !RunLog.load(from: out.appendingPathComponent("run-log.json"))
            .reproducedPreviousResult)
    }

    /// Measured durations go to run-log.json and never to results.json, so two runs that
    /// measured different times publish the same result.
    @Test func measuredSecondsGoToTheRunLogOnly() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("out")
        for (seconds, started) in [(1.25, 1_700_000_000.0), (9.5, 1_800_000_000.0)] {
            let context = try context(folder, started: started)
            let output = try context.claimOutput()
            let record = try RunRecord(context: context, config: ["epochs": 1],
                                       metrics: Metrics(accuracy: 0.5))
            try output.publish(record, stages: [], measuredSeconds: ["ann training": seconds])
            let log = try RunLog.load(from: out.appendingPathComponent("run-log.json"))
            #expect(log.measuredSeconds == ["ann training": seconds])
            // This test process's own peak: at least what its code and heap take, at most the machine.
            let peak = try #require(log.peakResidentMiB)
            #expect(peak > 1 && peak < Double(ProcessInfo.processInfo.physicalMemory) / 1_048_576)
        }
        let results = try String(contentsOf: out.appendingPathComponent("results.json"), encoding: .utf8)
        #expect(!results.contains("ann training") && !results.contains("9.5"))
        #expect(try RunLog.load(from: out.appendingPathComponent("run-log.json")).reproducedPreviousResult)
    }

    /// A run-log.json written before `measuredSeconds` existed still reads, measuring none.
    @Test func anOlderRunLogWithoutMeasuredSecondsStillDecodes() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let context = try context(folder)
        let log = RunLog(context: context, stages: [], measuredSeconds: ["x": 1],
                         reproducedPreviousResult: false)
        var object = try JSONSerialization.jsonObject(
            with: JSONCoding.prettyEncoder().encode(log)) as! [String: Any]
        object["measuredSeconds"] = nil
        object["peakResidentMiB"] = nil
        let url = folder.url.appendingPathComponent("run-log.json")
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        let decoded = try RunLog.load(from: url)
        #expect(decoded.measuredSeconds.isEmpty && decoded.peakResidentMiB == nil)
        #expect(decoded.chapter == "classic")
    }

    @Test func aSecondRunIntoTheSameFolderIsRefusedNamingTheFirst() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let first = try context(folder).claimOutput()
        #expect {
            _ = try context(folder).claimOutput()
        } throws: { error in
            let message = "\(error)"
            return message.contains(folder.url.appendingPathComponent("out").path)
                && message.contains("another run (pid \(getpid()))")
        }
        // A different output folder beside it is independent.
        _ = try context(folder, output: "other").claimOutput()
        _ = first
    }

    @Test func aRegularFileAsOutputIsRefusedBeforeAnyWork() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let file = folder.url.appendingPathComponent("out")
        try Data("not a folder".utf8).write(to: file)
        #expect {
            _ = try context(folder).claimOutput()
        } throws: { error in
            "\(error)" == "--output \(file.path): \(file.path) is a file, not a folder"
        }
        // The cache path below a file cannot be created either.
        #expect {
            _ = try context(folder, output: "elsewhere", cache: "out/cache").claimOutput()
        } throws: { error in
            "\(error)".hasPrefix("--cache \(file.path)/cache: \(file.path) is a file")
        }
        #expect(try folder.files().filter { !$0.hasPrefix(".") } == ["out"])
    }

    /// The folder is replaced whole, so it must hold nothing a run does not write.
    @Test func aFolderHoldingOtherThingsIsRefused() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        #expect {
            _ = try context(folder, cache: "out/cache").claimOutput()
        } throws: { error in "\(error)".contains("is inside the output folder") }

        let out = folder.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(
            at: out.appendingPathComponent("data"), withIntermediateDirectories: true)
        #expect {
            _ = try context(folder).claimOutput()
        } throws: { error in
            "\(error)".contains("holds 'data', which a chapter run does not write")
        }

        try FileManager.default.removeItem(at: out.appendingPathComponent("data"))
        try Data().write(to: out.appendingPathComponent("holiday.png"))
        #expect {
            _ = try context(folder).claimOutput()
        } throws: { error in "\(error)".contains("holds files but no results.json") }
    }

    /// A staging folder of a killed run is removed by the next run into the same folder.
    @Test func leftoversOfAKilledRunAreRemovedAtTheNextStart() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let child = try Subprocess(executable: URL(fileURLWithPath: "/bin/true")).start()
        let stopped = child.processIdentifier
        _ = child.wait()
        let leftover = folder.url.appendingPathComponent(".out.tmp-\(stopped)")
        try atomicWrite(Data("half".utf8), to: leftover.appendingPathComponent("fig.dat"))
        try run(context(folder), accuracy: 0.5, commit: "aaaa")
        #expect(!FileManager.default.fileExists(atPath: leftover.path))
    }

    /// A worker computes stages for its parent, which holds the folder: it claims nothing,
    /// and could not publish into the folder if it tried.
    @Test func aWorkerNeitherLocksNorPublishes() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let workerContext = try context(folder, extra: ["--worker", "ann"])
        let worker = try workerContext.claimOutput()
        #expect(worker.directory.path != worker.destination.path)
        #expect(try folder.files().isEmpty)  // no lock file, no staging folder
        let record = try RunRecord(context: workerContext, config: ["epochs": 1],
                                   metrics: Metrics(accuracy: 0.5))
        #expect(throws: ChapterError.self) { try worker.publish(record, stages: []) }
        // The parent (here in the same process) still claims the folder.
        _ = try context(folder).claimOutput()
    }
}
