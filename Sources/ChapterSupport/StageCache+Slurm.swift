// A chapter's independent stage groups as one Slurm job array (`--executor slurm`).
//
// The same groups that `computeInWorkers` runs as local child processes become the tasks of
// one `sbatch --array` script: task i runs this binary with `--worker <group i>`, the run's
// options and the absolute `--cache` folder, which must be on a file system every node sees.
// The stage cache is the only contract: a task saves its stages there (atomic renames), the
// chapter waits for the array, loads them and builds results.json and the figures exactly as
// after local workers. No scheduler or daemon of ours: Slurm schedules, squeue / sacct /
// scontrol report.

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

/// What the chapter does after `StageCache.computeStageGroups`.
public enum StageGroupOutcome: Sendable, Equatable {
    /// Every stage group is in the cache: go on and build the results.
    case computed
    /// `--submit-only` or `--dry-run`: stop here, publish nothing (exit status 0).
    case stopHere
}

/// One array task: the stage group it computes and its worker arguments.
struct SlurmTask: Codable, Equatable, Sendable {
    var index: Int
    var group: String
    var arguments: [String]
}

/// The job array a run submitted, kept in `workers/seed-<seed>/slurm-array.json` so that a later run (after
/// `--submit-only`, or after the chapter was stopped) waits for the same tasks instead of
/// submitting them twice.
struct SlurmSubmission: Codable, Equatable, Sendable {
    var jobID: String
    var tasks: [SlurmTask]
}

/// The text of the sbatch script for `tasks`.
///
/// - Parameters:
///   - executable: the chapter binary (absolute; on the shared file system).
///   - workingDirectory: the chapter's working directory (datasets under `data/`).
///   - logDirectory: where `slurm-<job>_<task>.log` goes.
///   - flags: the settings' `#SBATCH` flags (`ExecutorOptions.sbatchFlags`).
func slurmArrayScript(
    tasks: [SlurmTask], jobName: String, executable: URL, workingDirectory: URL,
    logDirectory: URL, cpusPerTask: Int, flags: [String]
) -> String {
    var lines = [
        "#!/bin/bash",
        "# \(tasks.count) stage group\(tasks.count == 1 ? "" : "s") of \(jobName), one array task each "
            + "(written by the chapter: --executor slurm).",
        "# Task i runs the chapter binary with --worker <group i>; its stages go to the shared cache.",
        "#SBATCH --job-name=\(jobName)",
        "#SBATCH --array=0-\(tasks.count - 1)",
        "#SBATCH --ntasks=1",
        "#SBATCH --cpus-per-task=\(cpusPerTask)",
        "#SBATCH --chdir=\(workingDirectory.path)",
        "#SBATCH --output=\(logDirectory.appendingPathComponent("slurm-%A_%a.log").path)",
    ]
    lines += flags.map { "#SBATCH \($0)" }
    lines += ["set -euo pipefail", "case \"$SLURM_ARRAY_TASK_ID\" in"]
    for task in tasks {
        lines.append("    \(task.index)) group=\(shellQuoted(task.group))")
        lines.append("       arguments=(\(task.arguments.map(shellQuoted).joined(separator: " "))) ;;")
    }
    lines += [
        "    *) echo \"error: no stage group for array task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;",
        "esac",
        "echo \"$group: array task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname -s)\"",
        "exec \(shellQuoted(executable.path)) \"${arguments[@]}\"",
    ]
    return lines.joined(separator: "\n") + "\n"
}

extension StageCache {
    /// Computes the stage groups `pending()` returns where `--executor` says: with `local`,
    /// in worker processes here when `--threads` is above 1 (`computeInWorkers`; with one thread
    /// the chapter computes them itself); with `slurm`, as one job array (see the file's
    /// header). `pending` is asked again after waiting for an earlier submission, so that only
    /// the groups still missing from the cache are submitted.
    ///
    /// - Returns: `.stopHere` after `--submit-only` or `--dry-run`: the chapter then returns
    ///   without publishing.
    /// - Throws: `ChapterError.workerFailed` naming a failed group, its task, how Slurm says it
    ///   ended and the last lines of its log.
    public func computeStageGroups(
        context: ChapterContext, chapterArguments: [String], pending: () throws -> [WorkerJob]
    ) throws -> StageGroupOutcome {
        guard context.executor.usesSlurm else {
            if context.threads > 1 {
                try computeInWorkers(try pending(), processes: context.threads, context: context,
                                     chapterArguments: chapterArguments)
            }
            return .computed
        }
        return try computeOnSlurm(context: context, chapterArguments: chapterArguments,
                                  pending: pending)
    }

    private var submissionURL: URL {
        workerDirectory.appendingPathComponent("slurm-array.json")
    }

    private func computeOnSlurm(
        context: ChapterContext, chapterArguments: [String], pending: () throws -> [WorkerJob]
    ) throws -> StageGroupOutcome {
        let settings = context.executor
        let client = SlurmClient()
        let echo: (String) -> Void = { print($0); fflush(nil) }

        // An earlier run's array (after --submit-only, or a chapter stopped while waiting):
        // wait for its tasks still in the queue, never submit them twice.
        if !settings.dryRun, let data = try? Data(contentsOf: submissionURL),
           let earlier = try? JSONCoding.decoder().decode(SlurmSubmission.self, from: data) {
            let queued = Set(try client.queuedTasks(job: earlier.jobID).map(\.index))
            let waiting = earlier.tasks.filter { queued.contains($0.index) }
            if !waiting.isEmpty {
                if settings.submitOnly {
                    echo("Slurm job \(earlier.jobID) of an earlier run still has \(waiting.count) "
                         + "task\(waiting.count == 1 ? "" : "s") queued or running; nothing new submitted.")
                    return .stopHere
                }
                echo("waiting for Slurm job \(earlier.jobID) of an earlier run: \(waiting.count) of "
                     + "\(earlier.tasks.count) tasks still queued or running")
                try waitForArray(job: earlier.jobID, tasks: waiting, client: client, echo: echo)
            }
            adoptFinished(earlier.tasks, context: context, chapterArguments: chapterArguments,
                          settings: settings)
            try? FileManager.default.removeItem(at: submissionURL)
        }

        let jobs = try pending()
        guard !jobs.isEmpty else {
            echo("every stage group is in the stage cache: nothing to submit to Slurm")
            return settings.dryRun ? .stopHere : .computed
        }
        let tasks = jobs.enumerated().map { index, job in
            SlurmTask(index: index, group: job.id,
                      arguments: context.workerArguments(
                        job: job.id, rerun: job.stages.first { wouldRecompute($0) },
                        chapterArguments: chapterArguments, threads: settings.slurmCpusPerTask))
        }
        let script = slurmArrayScript(
            tasks: tasks, jobName: "llsnn-\(chapter)-\(directory.lastPathComponent)",
            executable: currentExecutable(),
            workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            logDirectory: workerDirectory, cpusPerTask: settings.slurmCpusPerTask,
            flags: try settings.sbatchFlags())
        if settings.dryRun {
            echo("--dry-run: the sbatch script of \(tasks.count) stage group"
                 + "\(tasks.count == 1 ? "" : "s") (not submitted):")
            print(script, terminator: "")
            return .stopHere
        }

        for task in tasks { try? FileManager.default.removeItem(at: reportURL(task.group)) }
        let scriptURL = workerDirectory.appendingPathComponent("slurm-array.sbatch")
        try atomicWrite(Data(script.utf8), to: scriptURL)
        let jobID = try client.submit(scriptURL)
        let submission = SlurmSubmission(jobID: jobID, tasks: tasks)
        try atomicWrite(try JSONCoding.prettyEncoder().encode(submission), to: submissionURL)
        echo("submitted Slurm job \(jobID): \(tasks.count) stage group\(tasks.count == 1 ? "" : "s") "
             + "as array tasks 0-\(tasks.count - 1) (\(tasks.map(\.group).joined(separator: ", "))); "
             + "script \(displayPath(scriptURL)), logs \(displayPath(workerDirectory))/slurm-\(jobID)_<task>.log")
        if settings.submitOnly {
            echo("--submit-only: not waiting. Follow it with squeue -j \(jobID); the same command "
                 + "without --submit-only waits for it and builds the results from the cache.")
            return .stopHere
        }
        try waitForArray(job: jobID, tasks: tasks, client: client, echo: echo)
        for task in tasks { try adoptReport(of: task.group) }
        try? FileManager.default.removeItem(at: submissionURL)
        return .computed
    }

    /// Waits until every task of `tasks` has left the queue, echoing their logs' lines of
    /// interest and a line whenever the counts of pending, running and finished tasks change.
    /// A task that leaves the queue without its timing report failed: the error names it.
    private func waitForArray(job: String, tasks: [SlurmTask], client: SlurmClient,
                              echo: (String) -> Void, pollSeconds: Double = 2) throws {
        let started = Date()
        let followers = Dictionary(uniqueKeysWithValues: tasks.map {
            ($0.index, LogFollower(log: logURL(job: job, index: $0.index), label: $0.group))
        })
        var finished = Set<Int>()
        var lastCounts = ""
        var failedPolls = 0
        while finished.count < tasks.count {
            usleep(useconds_t(pollSeconds * 1_000_000))
            let queue: [QueuedTask]
            do {
                queue = try client.queuedTasks(job: job)
                failedPolls = 0
            } catch {
                failedPolls += 1   // a busy controller may miss a poll; a minute of them is fatal
                if Double(failedPolls) * pollSeconds > 60 { throw error }
                continue
            }
            for follower in followers.values { follower.echoNewLines(echo) }
            let queued = Dictionary(queue.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
            for task in tasks where !finished.contains(task.index) && queued[task.index] == nil {
                followers[task.index]?.echoNewLines(echo, final: true)
                try confirmFinished(task, job: job, client: client, follower: followers[task.index]!)
                finished.insert(task.index)
                try? FileManager.default.removeItem(at: logURL(job: job, index: task.index))
                echo("Slurm task '\(task.group)' (\(job)_\(task.index)) done: \(finished.count)/"
                     + "\(tasks.count) finished, \(Int(Date().timeIntervalSince(started).rounded())) s elapsed")
            }
            let mine = tasks.compactMap { queued[$0.index] }
            let running = mine.filter { $0.state != "PENDING" }.count
            let counts = "\(mine.count - running) pending, \(running) running, "
                + "\(finished.count)/\(tasks.count) done"
            if counts != lastCounts, finished.count < tasks.count {
                let reasons = Set(mine.filter { $0.state == "PENDING" }.map(\.reason)).sorted()
                echo("Slurm job \(job): \(counts)"
                     + (reasons.isEmpty ? "" : " (waiting for: \(reasons.joined(separator: ", ")))"))
                lastCounts = counts
            }
        }
    }

    /// Checks that `task`, which has left the queue, wrote its timing report (its last act after
    /// saving every stage); otherwise throws with how Slurm says it ended and its log's end.
    private func confirmFinished(_ task: SlurmTask, job: String, client: SlurmClient,
                                 follower: LogFollower) throws {
        let report = reportURL(task.group).path
        if FileManager.default.fileExists(atPath: report) { return }
        let ending = client.ending(job: job, index: task.index)
        // A completed task's report may reach this node late on a network file system.
        let patience = ending == nil || ending?.state == "COMPLETED" ? 60.0 : 0
        let deadline = Date().addingTimeInterval(patience)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: report) { return }
            usleep(500_000)
        }
        let how = ending.map { "ended \($0.description)" }
            ?? "left the queue, and neither sacct nor scontrol knows how it ended"
        throw ChapterError.workerFailed(
            "the Slurm task for '\(task.group)' (job \(job)_\(task.index)) \(how) without "
                + "finishing its stages. Its last lines:\n    \(follower.tail())\n"
                + "Whole log: \(displayPath(follower.log)). The stages it and the other tasks "
                + "finished are cached, and tasks still queued keep running: fix the cause and run "
                + "the same command again; it waits for those and resubmits only the missing groups.")
    }

    /// Adopts the timing reports of an earlier submission's finished tasks whose arguments are
    /// still this run's (same options), and deletes every report of that submission.
    private func adoptFinished(_ tasks: [SlurmTask], context: ChapterContext,
                               chapterArguments: [String], settings: ExecutorOptions) {
        for task in tasks {
            let now = context.workerArguments(job: task.group, rerun: nil,
                                              chapterArguments: chapterArguments,
                                              threads: settings.slurmCpusPerTask)
            let earlier = task.arguments.prefix { $0 != "--rerun" }
            if Array(earlier) == now { try? adoptReport(of: task.group) }
            try? FileManager.default.removeItem(at: reportURL(task.group))
        }
    }

    private func logURL(job: String, index: Int) -> URL {
        workerDirectory.appendingPathComponent("slurm-\(job)_\(index).log")
    }
}
