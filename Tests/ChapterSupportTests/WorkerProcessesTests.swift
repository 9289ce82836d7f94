import ArgumentParser
import Foundation
import RunRecords
import Testing

@testable import ChapterSupport

/// Worker processes: the pool runs every command, never more than its concurrency at once,
/// stops on a failure with the child's own words; the cache plans and adopts their stages.
@Suite struct WorkerProcessesTests {
    private let shell = URL(fileURLWithPath: "/bin/sh")

    /// `--worker <id>` finds its item by job id, or names the ids the run has.
    @Test func aWorkerFindsItsItemOrNamesTheRunsJobs() throws {
        let arms = ["A", "C"]
        #expect(try WorkerJob.item(named: "arm-C", in: arms, kind: "arm") { "arm-\($0)" } == "C")
        #expect(throws: ChapterError.invalidConfiguration(
            "--worker arm-B: this run has no arm 'arm-B'; its arms are arm-A, arm-C.")) {
            try WorkerJob.item(named: "arm-B", in: arms, kind: "arm") { "arm-\($0)" }
        }
    }

    @Test func runsEveryCommandAtMostConcurrencyAtOnceAndEchoesTheirLines() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let events = folder.url.appendingPathComponent("events").path
        // Each child appends "+" when it starts and "-" when it ends, around a short sleep.
        let commands = (0..<5).map { i in
            WorkerCommand(label: "job\(i)", arguments: [
                "-c", "echo + >> \(events); echo 'job\(i)  epoch 1/1'; echo 'noise'; "
                    + "sleep 0.2; echo - >> \(events)"])
        }
        let echoed = Transcript()
        try runWorkerCommands(commands, concurrency: 2, executable: shell,
                              logDirectory: folder.url.appendingPathComponent("logs"),
                              pollInterval: 0.02, echo: echoed.append)
        let marks = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n")
        #expect(marks.count == 10)
        var inFlight = 0, most = 0
        for mark in marks {
            inFlight += mark == "+" ? 1 : -1
            most = max(most, inFlight)
        }
        #expect(most <= 2, "at most two children at once (saw \(most))")
        #expect(most == 2, "the pool used both slots")
        // Only the lines naming a job are echoed, each once, and one line per finished child
        // counting up to 5/5; successful logs are deleted.
        let progress = echoed.lines.filter { $0.hasPrefix("worker '") }
        #expect(echoed.lines.filter { !$0.hasPrefix("worker '") }.sorted()
                    == (0..<5).map { "job\($0)  epoch 1/1" })
        #expect(progress.count == 5)
        #expect(progress.enumerated().allSatisfy { i, line in
            line.contains(" done: \(i + 1)/5 finished, ") })
        #expect(try folder.files(in: folder.url.appendingPathComponent("logs")).isEmpty)
    }

    @Test func aFailingChildStopsThePoolAndItsErrorQuotesTheChild() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let logs = folder.url.appendingPathComponent("logs")
        let never = folder.url.appendingPathComponent("never").path
        let commands = [
            // `exec`: Foundation sees a killed shell's exit only once the shell's own children
            // end; the real workers are single processes.
            WorkerCommand(label: "slow", arguments: ["-c", "exec sleep 5"]),
            WorkerCommand(label: "bad", arguments: [
                "-c", "echo 'error: the loss diverged' >&2; exit 3"]),
            WorkerCommand(label: "queued", arguments: ["-c", "touch \(never)"]),
        ]
        let start = Date()
        do {
            try runWorkerCommands(commands, concurrency: 2, executable: shell,
                                  logDirectory: logs, pollInterval: 0.02, echo: { _ in })
            Issue.record("a failing child must throw")
        } catch let ChapterError.workerFailed(message) {
            #expect(message.contains("'bad'"))
            #expect(message.contains("exit status 3"))
            #expect(message.contains("error: the loss diverged"))
            #expect(message.contains("bad.log"))
        }
        #expect(Date().timeIntervalSince(start) < 4, "the running child was stopped")
        #expect(!FileManager.default.fileExists(atPath: never), "nothing ran after the failure")
        #expect(FileManager.default.fileExists(
            atPath: logs.appendingPathComponent("bad.log").path), "the failed child's log stays")
    }

    /// A worker's arguments are rebuilt from the parsed options, whatever spelling the command
    /// line used (`--threads=2`, `--rerun=x`): they parse back to the same shared options, minus
    /// what concerns only the parent (`--fresh`, `--rerun`, `--threads`, `--worker`).
    @Test func workerArgumentsAreRebuiltFromTheParsedOptions() throws {
        let typed = ["--fresh", "--rerun", "ann", "--threads=2", "--seed=7", "--rerun=fixed",
                     "--profile", "smoke", "--dataset", "cifar10", "--output", "/tmp/x y", "--download",
                     "--convolution=plain"]
        let options = try ChapterOptions.parse(typed)
        let context = try ChapterContext(chapter: "hoyer", options: options, commandLine: ["chapter-hoyer"] + typed)
        let arguments = context.workerArguments(job: "hoyer-sum", rerun: nil, chapterArguments: ["--epochs", "3"],
                                                processes: 2)
        #expect(arguments.suffix(8) == ["--epochs", "3", "--threads", "1", "--memory-budget", "512",
                                        "--worker", "hoyer-sum"])
        // The shared part parses back (the chapter's own `--epochs 3` belongs to its own parser).
        let worker = try ChapterOptions.parse(Array(arguments.dropLast(8)) + Array(arguments.suffix(6)))
        #expect(worker.threads == 1 && worker.worker == "hoyer-sum" && worker.memoryBudget == 512)
        #expect(worker.profile == .smoke && worker.seed == 7 && worker.dataset == .cifar10)
        #expect(worker.output == "/tmp/x y" && worker.download && worker.convolution == .plain)
        #expect(!worker.fresh && worker.rerun.isEmpty && worker.cache == options.cacheDirectory.path)
        #expect(context.workerArguments(job: "hoyer-sum", rerun: "eval-hoyer-sum").suffix(2)
                == ["--rerun", "eval-hoyer-sum"])
    }

    @Test func theWorkerOptionIsHiddenButParsed() throws {
        let options = try ChapterOptions.parse(["--worker", "ann", "--threads", "1"])
        #expect(options.worker == "ann")
        #expect(!ChapterOptions.helpMessage().contains("--worker"))
    }

    @Test func rerunPlanningFollowsTheDeclaredRunOrder() {
        let stages = ["ann", "eval-ann", "fixed", "eval-fixed", "hoyer", "eval-hoyer"]
        func cache(_ policy: RecomputePolicy) -> StageCache {
            StageCache(root: URL(fileURLWithPath: "/nonexistent"), chapter: "hoyer",
                       profile: .smoke, recompute: policy, declaredStages: stages)
        }
        #expect(stages.map(cache(.reuse).wouldRecompute) == [false, false, false, false, false, false])
        #expect(stages.map(cache(.everything).wouldRecompute).allSatisfy { $0 })
        // --rerun eval-fixed: that stage and everything after it, not the stages before.
        #expect(stages.map(cache(.from(["eval-fixed"])).wouldRecompute)
                == [false, false, false, true, true, true])
        #expect(stages.map(cache(.from(["hoyer", "eval-ann"])).wouldRecompute)
                == [false, true, true, true, true, true])
    }

    @Test func adoptedStagesAreLoadedEvenWhenForcedAndKeepTheWorkersTiming() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        // A worker computes and saves "ann" under --fresh, then reports its timing.
        let worker = StageCache(root: folder.url, chapter: "hoyer", profile: .smoke,
                                recompute: .everything, log: { _ in })
        _ = try worker.stage("ann", version: 1, config: ["epochs": 1]) { () -> [Double] in [4, 2] }
        try worker.reportWorkerTimings(job: "ann")
        let report = worker.workerDirectory.appendingPathComponent("ann.timings.json")
        let rows = try JSONCoding.decoder().decode([StageTiming].self,
                                                   from: Data(contentsOf: report))
        #expect(rows.map(\.stage) == ["ann"] && rows[0].outcome == .computed)

        // The parent, also under --fresh, adopts the row: it loads instead of recomputing.
        let parent = StageCache(root: folder.url, chapter: "hoyer", profile: .smoke,
                                recompute: .everything, log: { _ in })
        parent.adoptWorkerTimings(rows)
        var computedAgain = false
        let (value, _, outcome) = try parent.stage("ann", version: 1, config: ["epochs": 1]) {
            () -> [Double] in
            computedAgain = true
            return []
        }
        #expect(!computedAgain && value == [4, 2])
        #expect(outcome == .computed(seconds: rows[0].seconds))
        #expect(parent.timings == rows, "one row per stage: the worker's")
        // A stage no worker computed is still forced.
        _ = try parent.stage("snn", version: 1, config: ["t": 1]) { () -> Int in
            computedAgain = true
            return 1
        }
        #expect(computedAgain)
    }
}
