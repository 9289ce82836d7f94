// Independent stages computed side by side in child processes of the chapter, one thread each.
//
// A small network uses two cores poorly: the per-layer work is too small for the threads of
// oneDNN and the element-wise kernels to stay busy (chapter-hoyer's quick networks train about
// 1.35× faster on two threads than on one). Independent networks (the variants of a chapter)
// can instead run one per core, each in its own process: no shared state, no locks, and each
// process computes exactly what a `--threads 1` run computes, so the numbers do not depend on
// how many ran at once.

import Foundation
import RunRecords
import SystemSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One unit of work for a worker process: a job the chapter recognises by `id` (given to the
/// child as `--worker id`) and the cached stages it runs, in run order.
public struct WorkerJob: Sendable, Equatable {
    /// The job's name, usually its first stage (e.g. `hoyer-sum`).
    public var id: String
    /// The stages the job computes, in run order (e.g. `hoyer-sum`, `eval-hoyer-sum`).
    public var stages: [String]

    public init(id: String, stages: [String]) {
        self.id = id
        self.stages = stages
    }
}

extension StageCache {
    /// The folder of worker logs, timing reports and Slurm submissions:
    /// `<cache>/<chapter>/<profile>/workers/seed-<seed>` (`workers` for a cache without a
    /// seed). One folder per seed, so that runs of one chapter at different seeds sharing a
    /// cache (a seed study's, submitted side by side to Slurm) never read each other's reports.
    public var workerDirectory: URL {
        let workers = directory.appendingPathComponent("workers", isDirectory: true)
        return seed.map { workers.appendingPathComponent("seed-\($0)", isDirectory: true) } ?? workers
    }

    /// Computes `jobs` in child processes of this executable, `processes` at a time, each with
    /// `--threads 1 --worker <id>`; the stages they save are then loaded by this run
    /// (`adoptWorkerTimings`).
    ///
    /// A job is passed `--rerun <stage>` for its first stage this run's `--fresh` / `--rerun`
    /// forces. Each child writes its output to `workers/<id>.log`; its progress and stage lines
    /// are echoed here. If a child fails, the others are stopped (their finished stages and
    /// epoch checkpoints stay, so the same command resumes) and the error quotes the failed
    /// child's last lines and keeps its log.
    /// - Parameter chapterArguments: the chapter's own options, rendered from its parsed values.
    public func computeInWorkers(
        _ jobs: [WorkerJob], processes: Int, context: ChapterContext, chapterArguments: [String],
        executable: URL? = nil
    ) throws {
        guard !jobs.isEmpty else { return }
        let commands = jobs.map { job in
            WorkerCommand(
                label: job.id,
                arguments: context.workerArguments(
                    job: job.id, rerun: job.stages.first { wouldRecompute($0) },
                    chapterArguments: chapterArguments, processes: min(processes, jobs.count)))
        }
        for job in jobs { try? FileManager.default.removeItem(at: reportURL(job.id)) }
        print("computing \(jobs.count) stage group\(jobs.count == 1 ? "" : "s") in "
              + "\(min(processes, jobs.count)) worker processes, one thread each "
              + "(logs: \(displayPath(workerDirectory)))")
        try runWorkerCommands(commands, concurrency: processes,
                              executable: executable ?? currentExecutable(),
                              logDirectory: workerDirectory)
        for job in jobs { try adoptReport(of: job.id) }
    }

    /// Adopts the timing report worker `job` wrote (`reportWorkerTimings`) and deletes it.
    func adoptReport(of job: String) throws {
        let url = reportURL(job)
        guard let data = try? Data(contentsOf: url) else {
            throw ChapterError.workerFailed(
                "worker '\(job)' exited normally but wrote no timing report "
                    + "(\(displayPath(url))); does the chapter call reportWorkerTimings?")
        }
        adoptWorkerTimings(try JSONCoding.decoder().decode([StageTiming].self, from: data))
        try? FileManager.default.removeItem(at: url)
    }

    /// In a worker process: writes this run's stage timings for the parent to adopt.
    public func reportWorkerTimings(job: String) throws {
        try atomicWrite(try JSONCoding.compactEncoder().encode(timings), to: reportURL(job))
    }

    func reportURL(_ job: String) -> URL {
        workerDirectory.appendingPathComponent("\(job).timings.json")
    }
}

/// This process's executable file (`/proc/self/exe` on Linux).
func currentExecutable() -> URL {
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        return URL(fileURLWithPath: path)
    }
    return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
}

/// One child process to run: `executable arguments`, named `label` in logs and messages.
public struct WorkerCommand: Sendable, Equatable {
    public var label: String
    public var arguments: [String]

    public init(label: String, arguments: [String]) {
        self.label = label
        self.arguments = arguments
    }
}

/// Runs `commands` as child processes of `executable`, at most `concurrency` at once, each
/// writing stdout and stderr to `<logDirectory>/<label>.log`. Lines that mention the label,
/// and warnings and errors, are passed to `echo` as they appear. A successful child's log is
/// deleted, and a line says how many have finished and the wall time so far. When a child
/// fails, the running ones are terminated and the error carries the failed child's last lines
/// and its log path. The default `echo` flushes, so a log piped to a file keeps up.
public func runWorkerCommands(
    _ commands: [WorkerCommand], concurrency: Int, executable: URL, logDirectory: URL,
    pollInterval: Double = 0.25, echo: (String) -> Void = { print($0); fflush(nil) }
) throws {
    let started = Date()
    var finishedCount = 0
    try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
    var queue = commands[...]
    var running: [RunningWorker] = []
    defer { for worker in running { worker.stop() } }
    while !queue.isEmpty || !running.isEmpty {
        while running.count < max(concurrency, 1), let command = queue.popFirst() {
            running.append(try RunningWorker(command, executable: executable,
                                             logDirectory: logDirectory))
        }
        usleep(useconds_t(pollInterval * 1_000_000))
        for worker in running { worker.echoNewLines(echo) }
        let finished = running.filter { !$0.child.isRunning }
        for worker in finished {
            let termination = worker.child.wait().termination
            worker.echoNewLines(echo, final: true)
            guard termination.succeeded else {
                for other in running where other !== worker { other.stop() }
                throw ChapterError.workerFailed(worker.failureDescription())
            }
            try? FileManager.default.removeItem(at: worker.log)
            finishedCount += 1
            let elapsed = Date().timeIntervalSince(started)
            echo("worker '\(worker.command.label)' done: \(finishedCount)/\(commands.count) "
                 + "finished, \(Int(elapsed.rounded())) s elapsed")
        }
        running.removeAll { worker in finished.contains { $0 === worker } }
    }
}

/// A started child process and how much of its log has been echoed.
private final class RunningWorker {
    let command: WorkerCommand
    let child: RunningSubprocess
    let log: URL
    private let follower: LogFollower

    init(_ command: WorkerCommand, executable: URL, logDirectory: URL) throws {
        self.command = command
        log = logDirectory.appendingPathComponent("\(command.label).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw ChapterError.workerFailed(
                "could not create the worker log \(displayPath(log)): check that the cache "
                    + "folder is writable and the disk is not full.")
        }
        follower = LogFollower(log: log, label: command.label)
        let output = try FileHandle(forWritingTo: log)
        child = try Subprocess(
            executable: executable, arguments: command.arguments,
            standardOutput: .file(output), standardError: .file(output)
        ).start()
        try output.close()
    }

    /// Kills the child if it still runs and waits for it. SIGKILL, not SIGTERM: a child inherits
    /// the spawning thread's signal mask, which may block SIGTERM (test runners' threads do),
    /// and a worker loses nothing by dying at once, since every stage it finished is cached
    /// by an atomic rename.
    func stop() {
        guard child.isRunning else { return }
        child.send(SIGKILL)
        _ = child.wait()
    }

    /// Passes every new complete line of interest to `echo` (all remaining text if `final`).
    func echoNewLines(_ echo: (String) -> Void, final: Bool = false) {
        follower.echoNewLines(echo, final: final)
    }

    /// How the child ended, its last lines and where its whole log is.
    func failureDescription() -> String {
        let ending = child.wait().termination.description
        return "the worker process for '\(command.label)' stopped (\(ending)). Its last lines:\n    "
            + follower.tail() + "\nWhole log: \(displayPath(log)). Stages finished so far are cached: "
            + "fix the cause and run the same command again to resume."
    }
}

/// Follows a worker's log file (a local child's or a Slurm array task's): passes the lines a
/// reader wants to see (the group's progress, stage lines, warnings and errors) to `echo` as
/// they are written, each prefixed with the group's label.
final class LogFollower {
    let log: URL
    let label: String
    private var echoedBytes: UInt64 = 0
    private var partialLine = ""

    init(log: URL, label: String) {
        self.log = log
        self.label = label
    }

    /// Passes every new complete line of interest to `echo` (all remaining text if `final`).
    func echoNewLines(_ echo: (String) -> Void, final: Bool = false) {
        guard let handle = try? FileHandle(forReadingFrom: log) else { return }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: echoedBytes)) != nil,
              let data = try? handle.readToEnd(), !data.isEmpty || final else { return }
        echoedBytes += UInt64(data.count)
        partialLine += String(decoding: data, as: UTF8.self)
        var lines = partialLine.split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        partialLine = final ? "" : lines.removeLast()
        for line in lines where isOfInterest(line) {
            echo(line.contains(label) ? line : "\(label): \(line)")
        }
    }

    /// The log's last `count` non-empty lines, joined for an indented error message.
    func tail(_ count: Int = 6) -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n").suffix(count)
        return lines.isEmpty ? "(the log is empty)" : lines.joined(separator: "\n    ")
    }

    private func isOfInterest(_ line: String) -> Bool {
        let text = line.trimmingCharacters(in: .whitespaces)
        return text.hasPrefix(label) || text.hasPrefix("stage ")
            || text.hasPrefix("resuming ") || text.hasPrefix("warning") || text.hasPrefix("error")
            || text.hasPrefix("slurmstepd:")
    }
}

extension WorkerJob {
    /// The item of `items` whose job id is `id` (`--worker <id>`), or the error naming the ids
    /// this run has, each a `kind` (e.g. "network", "arm").
    public static func item<Item>(named id: String, in items: [Item], kind: String,
                                  id jobID: (Item) -> String) throws -> Item {
        guard let item = items.first(where: { jobID($0) == id }) else {
            throw ChapterError.invalidConfiguration(
                "--worker \(id): this run has no \(kind) '\(id)'; its \(kind)s are "
                    + items.map(jobID).joined(separator: ", ") + ".")
        }
        return item
    }
}
