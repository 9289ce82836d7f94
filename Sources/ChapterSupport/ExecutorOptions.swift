// Where a chapter's stage groups run (`--executor local|slurm`) and, for Slurm, what the job
// array asks the cluster for. Included in ChapterOptions, so every chapter accepts them and
// rejects bad values before any work.

import ArgumentParser
import Foundation
import RunRecords
import SystemSupport

/// `--executor` and the Slurm settings of the job array a chapter submits for its stage groups
/// (`StageCache.computeStageGroups`).
///
/// Defaults ask the cluster for one CPU per task and leave partition, time limit and memory to
/// the cluster's defaults. Settings that do not fit an option (account, QoS, constraints) go
/// in `--sbatch-flag` (repeatable) or in a small file (`--slurm-config`), one sbatch flag a
/// line, `#` starting a comment. The script lists the file's flags first, then the options':
/// for a flag given twice, sbatch uses the later line.
public struct ExecutorOptions: ParsableArguments, Sendable {
    @Option(help: ArgumentHelp(
        "Where stage groups run: local (worker processes here) or slurm (one sbatch --array "
            + "job; --cache must be on a file system every node sees).", valueName: "executor"))
    public var executor: Executor = .local

    @Option(help: ArgumentHelp("Slurm partition of the job array (default: the cluster's).",
                               valueName: "name"))
    public var slurmPartition: String?

    @Option(help: ArgumentHelp(
        "Time limit of each array task, in sbatch's format: minutes, h:m:s, d-h, d-h:m:s "
            + "(default: the partition's).", valueName: "time"))
    public var slurmTime: String?

    @Option(help: SlurmRule.cpusPerTask.help(
        "CPUs of each array task; the task runs with --threads equal to it (default 1, the "
            + "local workers' setting, so both executors compute the same bits)."))
    public var slurmCpusPerTask: Int = 1

    @Option(help: ArgumentHelp(
        "Memory of each array task, in sbatch's format: a number with K, M, G or T "
            + "(default: the partition's).", valueName: "size"))
    public var slurmMemory: String?

    @Option(help: ArgumentHelp(
        "One more sbatch flag for the job array, e.g. --sbatch-flag=--account=lab (repeatable).",
        valueName: "flag"))
    public var sbatchFlag: [String] = []

    @Option(help: ArgumentHelp(
        "A file of sbatch flags, one a line (# comments), written before the options' flags.",
        valueName: "file"))
    public var slurmConfig: String?

    @Flag(help: ArgumentHelp(
        "With --executor slurm: submit the job array and return; the same command "
            + "without it later waits for the tasks and builds results from the cache."))
    public var submitOnly: Bool = false

    @Flag(help: ArgumentHelp(
        "With --executor slurm: print the sbatch script of the stage groups not "
            + "cached yet, and stop (nothing is submitted or computed)."))
    public var dryRun: Bool = false

    public init() {}

    /// Whether this run hands its stage groups to Slurm.
    public var usesSlurm: Bool { executor == .slurm }

    /// Rejects Slurm settings without `--executor slurm`, malformed values, and, unless
    /// `--dry-run`, a cluster whose commands are missing or whose controller does not answer,
    /// or an unknown partition.
    public func validate() throws {
        try SlurmRule.cpusPerTask.check(slurmCpusPerTask)
        if executor == .local {
            let given = [("--slurm-partition", slurmPartition != nil), ("--slurm-time", slurmTime != nil),
                         ("--slurm-cpus-per-task", slurmCpusPerTask != 1),
                         ("--slurm-memory", slurmMemory != nil), ("--sbatch-flag", !sbatchFlag.isEmpty),
                         ("--slurm-config", slurmConfig != nil), ("--submit-only", submitOnly),
                         ("--dry-run", dryRun)]
            if let flag = given.first(where: \.1)?.0 {
                throw ValidationError("\(flag) needs --executor slurm (this run uses --executor local).")
            }
            return
        }
        if submitOnly && dryRun {
            throw ValidationError("--submit-only and --dry-run exclude each other: --dry-run submits nothing.")
        }
        if let slurmPartition, slurmPartition.range(of: #"^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$"#,
                                                    options: .regularExpression) == nil {
            throw ValidationError("--slurm-partition must be a partition name or a comma-separated "
                + "list of them (got '\(slurmPartition)').")
        }
        if let slurmTime, !SlurmRule.isTimeLimit(slurmTime) {
            throw ValidationError("--slurm-time must be a Slurm time limit: minutes, m:s, h:m:s, "
                + "d-h, d-h:m or d-h:m:s (got '\(slurmTime)').")
        }
        if let slurmMemory, slurmMemory.range(of: #"^[1-9][0-9]*[KMGT]?$"#,
                                              options: .regularExpression) == nil {
            throw ValidationError("--slurm-memory must be a positive number with an optional "
                + "K, M, G or T suffix, as sbatch --mem takes it (got '\(slurmMemory)').")
        }
        for flag in sbatchFlag { try SlurmRule.check(flag, from: "--sbatch-flag") }
        _ = try configFlags()
        if dryRun { return }
        for tool in ["sbatch", "squeue", "sinfo", "scontrol"] where findOnPath(tool) == nil {
            throw ValidationError("--executor slurm: '\(tool)' is not on PATH. Run on a Slurm "
                + "login node, or install the client (Debian: apt-get install slurm-client); "
                + "--dry-run prints the job script without Slurm.")
        }
        let partitions = try SlurmClient().partitions()
        if let slurmPartition {
            for name in slurmPartition.split(separator: ",").map(String.init)
            where !partitions.contains(name) {
                throw ValidationError("--slurm-partition \(name): the cluster has no such partition; "
                    + "sinfo lists \(partitions.joined(separator: ", ")).")
            }
        }
    }

    /// The sbatch flags of `--slurm-config` (none without it), checked.
    ///
    /// - Throws: `ValidationError` when the file cannot be read or a line is not one flag.
    public func configFlags() throws -> [String] {
        guard let slurmConfig else { return [] }
        let text: String
        do {
            text = try String(contentsOfFile: slurmConfig, encoding: .utf8)
        } catch {
            throw ValidationError("--slurm-config \(slurmConfig): cannot read the file "
                + "(\(error.localizedDescription)).")
        }
        var flags: [String] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                .first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if line.isEmpty { continue }
            try SlurmRule.check(line, from: "--slurm-config \(slurmConfig) line \(number + 1)")
            flags.append(line)
        }
        return flags
    }

    /// Every `#SBATCH` flag the settings ask for, in script order: the config file's, then
    /// partition, time, memory, then `--sbatch-flag`s.
    public func sbatchFlags() throws -> [String] {
        var flags = try configFlags()
        if let slurmPartition { flags.append("--partition=\(slurmPartition)") }
        if let slurmTime { flags.append("--time=\(slurmTime)") }
        if let slurmMemory { flags.append("--mem=\(slurmMemory)") }
        return flags + sbatchFlag
    }
}

/// The rules of the Slurm settings.
enum SlurmRule {
    static let cpusPerTask = OptionRule<Int>("--slurm-cpus-per-task", 1...256)

    /// Flags the job array sets itself: the script would contradict them.
    static let reservedFlags = ["--array", "-a", "--output", "-o", "--error", "-e", "--chdir",
                                "-D", "--wrap", "--cpus-per-task", "-c", "--ntasks", "-n",
                                "--job-name", "-J", "--parsable"]

    /// Whether `text` is a time limit sbatch accepts.
    static func isTimeLimit(_ text: String) -> Bool {
        let pattern = #"^([0-9]+(:[0-9]{1,2}){0,2}|[0-9]+-[0-9]+(:[0-9]{1,2}){0,2}|UNLIMITED|INFINITE)$"#
        return text.range(of: pattern, options: .regularExpression) != nil
    }

    /// Checks that `flag` is one sbatch flag the script may carry.
    static func check(_ flag: String, from source: String) throws {
        guard flag.hasPrefix("-"), !flag.contains("\n"), !flag.contains(" ") || flag.contains("=")
        else {
            throw ValidationError("\(source): '\(flag)' is not one sbatch flag; write it as "
                + "--name=value (e.g. --account=lab).")
        }
        let name = String(flag.split(separator: "=", maxSplits: 1)[0])
        if reservedFlags.contains(name) {
            throw ValidationError("\(source): \(name) is set by the chapter itself (array, log, "
                + "folder, CPUs: use --slurm-cpus-per-task); leave it out.")
        }
    }
}

/// The executable `name` in a folder of `PATH`, or nil.
func findOnPath(_ name: String) -> URL? {
    let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return folders.lazy.map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}
