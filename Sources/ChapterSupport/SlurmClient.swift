// The few Slurm commands a chapter runs (sinfo, sbatch, squeue, sacct, scontrol) and the
// parsing of their output. No daemon of ours: the cluster's scheduler does the scheduling,
// and the stage cache is the only contract between the tasks and the chapter.

import ArgumentParser
import Foundation
import SystemSupport

/// One array task as `squeue` lists it while it is pending or running.
struct QueuedTask: Equatable, Sendable {
    /// `%K`, the index in the array.
    var index: Int
    /// `%T`, e.g. `PENDING`, `RUNNING`, `COMPLETING`.
    var state: String
    /// `%r`, why it waits (`Resources`, `Priority`, `None`).
    var reason: String
}

/// How an array task ended, from `sacct` or, where accounting is off, `scontrol show job`.
struct TaskEnding: Equatable, Sendable {
    /// `COMPLETED`, `FAILED`, `CANCELLED`, `TIMEOUT`, `OUT_OF_MEMORY`, `NODE_FAIL`, …
    var state: String
    /// `exit:signal`, e.g. `1:0` (exit status 1) or `0:9` (killed by signal 9).
    var exitCode: String
    /// The scheduler's reason, e.g. `NonZeroExitCode`, `None`.
    var reason: String
    /// Which command said so: `sacct` or `scontrol`.
    var source: String

    /// `FAILED, exit code 1:0, reason NonZeroExitCode (sacct)`.
    var description: String {
        "\(state), exit code \(exitCode)"
            + (reason.isEmpty || reason == "None" ? "" : ", reason \(reason)") + " (\(source))"
    }
}

/// Runs Slurm's client commands with a timeout, as found on `PATH` (`SLURM_CONF` and the
/// rest of the environment pass through).
struct SlurmClient {
    /// Seconds a command may take before it is treated as failed.
    var timeout: Duration = .seconds(120)

    /// The partition names `sinfo` lists.
    ///
    /// - Throws: `ValidationError` when sinfo fails (controller down, bad `SLURM_CONF`).
    func partitions() throws -> [String] {
        let (status, output, error) = try run(["sinfo", "-h", "-o", "%R"])
        guard status == 0 else {
            throw ValidationError("--executor slurm: sinfo failed (\(error.isEmpty ? "exit status \(status)" : error)); "
                + "is the Slurm controller reachable from here?")
        }
        return output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// Submits `script` with `sbatch --parsable` and returns the job id.
    func submit(_ script: URL) throws -> String {
        let (status, output, error) = try run(["sbatch", "--parsable", script.path])
        let id = output.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        guard status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw ChapterError.workerFailed(
                "sbatch refused the job array \(displayPath(script)) (exit status \(status)): "
                    + (error.isEmpty ? output : error))
        }
        return id
    }

    /// The tasks of job `id` that are still pending or running (empty once all have left the
    /// queue, or when the controller no longer knows the job).
    func queuedTasks(job id: String) throws -> [QueuedTask] {
        let (status, output, error) = try run(["squeue", "-h", "-r", "-j", id, "-o", "%F|%K|%T|%r"])
        if status != 0 {
            if error.contains("Invalid job id") { return [] }
            throw ChapterError.workerFailed("squeue -j \(id) failed (exit status \(status)): \(error)")
        }
        return Self.parseQueue(output)
    }

    /// How task `index` of job `id` ended, or nil when neither sacct nor scontrol knows.
    func ending(job id: String, index: Int) -> TaskEnding? {
        let task = "\(id)_\(index)"
        if let (status, output, _) = try? run(["sacct", "-X", "-n", "-P", "-j", task,
                                               "-o", "State,ExitCode,Reason"]),
           status == 0, let ending = Self.parseSacct(output) {
            return ending
        }
        if let (status, output, _) = try? run(["scontrol", "show", "job", "-o", task]), status == 0 {
            return Self.parseScontrol(output)
        }
        return nil
    }

    /// Cancels the tasks of job `id` still queued (used when the chapter is told to stop).
    func cancel(job id: String) {
        _ = try? run(["scancel", id])
    }

    // MARK: - Parsing

    /// `squeue -o "%F|%K|%T|%r"` (array job, index, state, reason) lines → tasks (lines of other shapes are skipped).
    static func parseQueue(_ output: String) -> [QueuedTask] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 4, let index = Int(fields[1]) else { return nil }
            return QueuedTask(index: index, state: fields[2], reason: fields[3])
        }
    }

    /// The first line of `sacct -X -n -P -o State,ExitCode,Reason`, e.g.
    /// `CANCELLED by 0|0:15|None`.
    static func parseSacct(_ output: String) -> TaskEnding? {
        guard let line = output.split(separator: "\n").first else { return nil }
        let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 3, !fields[0].isEmpty else { return nil }
        return TaskEnding(state: fields[0], exitCode: fields[1], reason: fields[2], source: "sacct")
    }

    /// `scontrol show job -o` → its `JobState=`, `ExitCode=` and `Reason=` fields.
    static func parseScontrol(_ output: String) -> TaskEnding? {
        var fields: [String: String] = [:]
        for word in output.split(whereSeparator: \.isWhitespace) {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2, fields[parts[0]] == nil { fields[parts[0]] = parts[1] }
        }
        guard let state = fields["JobState"] else { return nil }
        return TaskEnding(state: state, exitCode: fields["ExitCode"] ?? "?",
                          reason: fields["Reason"] ?? "", source: "scontrol")
    }

    // MARK: - Implementation

    private func run(_ arguments: [String]) throws -> (Int32, String, String) {
        let outcome: Subprocess.Outcome
        do {
            outcome = try Subprocess.onPath(arguments, standardInput: .null,
                                            standardOutput: .capture, standardError: .capture,
                                            timeout: timeout).run()
        } catch {
            throw ChapterError.workerFailed("cannot run \(arguments[0]): \(error)")
        }
        let error = String(decoding: outcome.standardError, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return (outcome.termination.status, String(decoding: outcome.standardOutput, as: UTF8.self),
                outcome.timedOut ? "timed out after \(timeout)" : error)
    }
}

/// `text` quoted for bash: `'…'`, with each `'` written as `'\''`.
func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
}
