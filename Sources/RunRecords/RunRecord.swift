// results.json: the one interface between a chapter run, its tests, its figures and README
// tables (docs/conventions.md C6). Nothing parses stdout.

import Foundation
import SystemSupport

/// Everything a chapter run produced and how: written as `results.json` (pretty, sorted keys)
/// with `provenance.json` beside it.
///
/// ```swift
/// let record = try RunRecord(context: context, config: config, metrics: metrics,
///                            stages: cache.timings, summary: runSummary(metrics))
/// try record.write(to: context.outputDirectory)
/// ...
/// let metrics = try RunRecord.load(from: url).metrics(as: Metrics.self)   // in a test
/// ```
public struct RunRecord: Codable, Sendable, Equatable {
    /// `results.json`.
    public static let fileName = "results.json"

    /// The chapter key.
    public var chapter: String
    /// The run's profile.
    public var profile: Profile
    /// The seed of every random generator in the run.
    public var seed: UInt64
    /// Worker threads used.
    public var threads: Int
    /// The convolution kernels (`--convolution`: plain, blocked or bfloat16); nil in files
    /// written before the field existed, which all used the default, blocked f32.
    public var convolution: String?
    /// The command line as typed.
    public var commandLine: [String]
    /// The source revision.
    public var git: GitRevision
    /// When the run started (ISO 8601 in the file, whole seconds).
    public var date: Date
    /// The machine that ran it.
    public var machine: MachineInfo
    /// Debug or release build.
    public var build: BuildConfiguration
    /// The chapter's resolved config, as printed at startup.
    public var config: JSONValue
    /// Wall time of each stage in run order.
    public var stages: [StageTiming]
    /// Wall time of the whole run in seconds, up to the creation of this record.
    public var totalSeconds: Double
    /// The chapter's measurements (accuracies, firing rates, energy, …).
    public var metrics: JSONValue
    /// Headline against the paper and captioned figures; nil in files written before the
    /// field existed (decoding them still works) and for chapters that do not fill it.
    public var summary: RunSummary?
    /// The dataset files the run read, with their digests; nil in files written before the
    /// field existed.
    public var data: DataDigest?
    /// Trained networks the sanity gate flagged that the run kept; empty when none, nil in
    /// files written before the gate existed.
    public var degenerate: [DegenerateNetwork]?

    /// Creates a record from its parts.
    public init(
        chapter: String, profile: Profile, seed: UInt64, threads: Int, commandLine: [String],
        git: GitRevision, date: Date, machine: MachineInfo, build: BuildConfiguration,
        config: JSONValue, stages: [StageTiming], totalSeconds: Double, metrics: JSONValue,
        summary: RunSummary? = nil, convolution: String? = nil, data: DataDigest? = nil,
        degenerate: [DegenerateNetwork]? = nil
    ) {
        self.convolution = convolution
        self.data = data
        self.degenerate = degenerate
        self.chapter = chapter
        self.profile = profile
        self.seed = seed
        self.threads = threads
        self.commandLine = commandLine
        self.git = git
        self.date = date
        self.machine = machine
        self.build = build
        self.config = config
        self.stages = stages
        self.totalSeconds = totalSeconds
        self.metrics = metrics
        self.summary = summary
    }

    /// The metrics decoded into the chapter's own type.
    public func metrics<M: Decodable>(as type: M.Type) throws -> M {
        try metrics.decode(type)
    }

    /// The config decoded into the chapter's own type.
    public func config<C: Decodable>(as type: C.Type) throws -> C {
        try config.decode(type)
    }

    /// Writes `results.json` and `provenance.json` into `directory`, each atomically
    /// (temporary file in the same directory, then rename). Both are encoded before either
    /// is written, so an encoding error leaves the previous files untouched.
    ///
    /// - Returns: the URL of results.json.
    @discardableResult
    public func write(to directory: URL) throws -> URL {
        let encoder = JSONCoding.prettyEncoder()
        let results = try encoder.encode(self)
        let provenance = try encoder.encode(Provenance(record: self))
        let url = directory.appendingPathComponent(Self.fileName)
        try atomicWrite(results + Data("\n".utf8), to: url)
        try atomicWrite(
            provenance + Data("\n".utf8), to: directory.appendingPathComponent(Provenance.fileName))
        return url
    }

    /// Reads a results.json written by `write(to:)`.
    public static func load(from url: URL) throws -> RunRecord {
        try JSONCoding.decoder().decode(RunRecord.self, from: Data(contentsOf: url))
    }
}
