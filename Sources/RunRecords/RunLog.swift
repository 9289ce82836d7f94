// run-log.json: what the latest run of a folder was, when and where, and how long it took.
// Never committed (.gitignore), so that rerunning a chapter leaves tracked files untouched.

import Foundation

/// The latest run of an output folder: its own commit, start date, command line as typed,
/// build, machine and wall times. Written as `run-log.json` beside results.json on every run;
/// git-ignored, because these change on every run while the result (`RunRecord`) may not.
///
/// Every wall time a run measures belongs here, never in results.json: the stages' own
/// (`stages`) and any other duration a chapter names (`measuredSeconds`, e.g. a network's
/// seconds per training epoch), so that repeating a run leaves results.json byte-identical.
public struct RunLog: Codable, Sendable, Equatable {
    /// `run-log.json`.
    public static let fileName = "run-log.json"

    /// The chapter key.
    public var chapter: String
    /// The run's profile.
    public var profile: Profile
    /// The command line as typed (the executable's path as the shell gave it).
    public var commandLine: [String]
    /// The source revision when this run started.
    public var git: GitRevision
    /// When this run started (whole seconds).
    public var date: Date
    /// Debug or release build: pure-Swift loops differ by an order of magnitude.
    public var build: BuildConfiguration
    /// The machine that ran it.
    public var machine: MachineInfo
    /// Worker threads used.
    public var threads: Int
    /// Wall time of each stage in run order, and whether it was computed or loaded.
    public var stages: [StageTiming]
    /// Wall time of the whole run in seconds, up to the moment its outputs were published.
    public var totalSeconds: Double
    /// Other durations the chapter measured in this run, in seconds, by a name that says what
    /// was timed (`"arm C fine-tuning per epoch"`); empty when it measured none. Only what was
    /// computed in this run: a stage loaded from the cache measured nothing.
    public var measuredSeconds: [String: Double]
    /// True when results.json and provenance.json were kept as they were, because this run
    /// reproduced the result already in the folder (`RunRecord.hasSameResult(as:)`).
    public var reproducedPreviousResult: Bool
    /// The most memory resident at once in this run's process or in any one worker process it
    /// waited for (the kernel's `ru_maxrss`, MiB), up to publication; nil in logs written before
    /// it was recorded.
    public var peakResidentMiB: Double?

    /// Creates a log entry from its parts.
    public init(
        chapter: String, profile: Profile, commandLine: [String], git: GitRevision, date: Date,
        build: BuildConfiguration, machine: MachineInfo, threads: Int, stages: [StageTiming],
        totalSeconds: Double, measuredSeconds: [String: Double] = [:],
        reproducedPreviousResult: Bool, peakResidentMiB: Double? = nil
    ) {
        self.chapter = chapter
        self.profile = profile
        self.commandLine = commandLine
        self.git = git
        self.date = date
        self.build = build
        self.machine = machine
        self.threads = threads
        self.stages = stages
        self.totalSeconds = totalSeconds
        self.measuredSeconds = measuredSeconds
        self.reproducedPreviousResult = reproducedPreviousResult
        self.peakResidentMiB = peakResidentMiB
    }

    private enum CodingKeys: String, CodingKey {
        case chapter, profile, commandLine, git, date, build, machine, threads, stages
        case totalSeconds, measuredSeconds, reproducedPreviousResult, peakResidentMiB
    }

    /// Decodes a run log; one written before `measuredSeconds` (or `peakResidentMiB`) existed
    /// reads as measuring none.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        chapter = try c.decode(String.self, forKey: .chapter)
        profile = try c.decode(Profile.self, forKey: .profile)
        commandLine = try c.decode([String].self, forKey: .commandLine)
        git = try c.decode(GitRevision.self, forKey: .git)
        date = try c.decode(Date.self, forKey: .date)
        build = try c.decode(BuildConfiguration.self, forKey: .build)
        machine = try c.decode(MachineInfo.self, forKey: .machine)
        threads = try c.decode(Int.self, forKey: .threads)
        stages = try c.decode([StageTiming].self, forKey: .stages)
        totalSeconds = try c.decode(Double.self, forKey: .totalSeconds)
        measuredSeconds = try c.decodeIfPresent([String: Double].self, forKey: .measuredSeconds) ?? [:]
        reproducedPreviousResult = try c.decode(Bool.self, forKey: .reproducedPreviousResult)
        peakResidentMiB = try c.decodeIfPresent(Double.self, forKey: .peakResidentMiB)
    }

    /// Reads a run-log.json.
    public static func load(from url: URL) throws -> RunLog {
        try JSONCoding.decoder().decode(RunLog.self, from: Data(contentsOf: url))
    }
}
