// results.json: the one interface between a chapter run, its tests, its figures and README
// tables (docs/conventions.md C6). Nothing parses stdout.

import Foundation
import Statistics
import SystemSupport

/// What a chapter run produced, and which run first produced it: written as `results.json`
/// (pretty, sorted keys) with `provenance.json` beside it. Both are committed, so both change
/// only when a result does.
///
/// ```swift
/// let record = try RunRecord(context: context, config: config, metrics: metrics,
///                            summary: runSummary(metrics))
/// try output.publish(record, timings: cache)    // ChapterSupport's RunOutput
/// ...
/// let metrics = try RunRecord.load(from: url).metrics(as: Metrics.self)   // in a test
/// ```
///
/// The fields fall in two parts:
/// - the **result**: chapter, profile, seed, convolution, config, metrics, claims and summary;
/// - its **provenance**: git revision, date, command line, build, threads and memory budget of the run that
///   produced it. A later run that reproduces the same result keeps the earlier provenance
///   (`keepingProvenance(of:)`), so a rerun that matches the committed metrics leaves
///   results.json byte-identical.
///
/// This run's own commit, wall times and machine go to the untracked `RunLog`
/// (`run-log.json`), never here. Files written before that split carried `machine`,
/// `stages` and `totalSeconds` too; decoding ignores them.
public struct RunRecord: Codable, Sendable, Equatable {
    /// `results.json`.
    public static let fileName = "results.json"

    /// The chapter key.
    public var chapter: String
    /// The run's profile.
    public var profile: Profile
    /// The seed of every random generator in the run.
    public var seed: UInt64
    /// Worker threads of the run that produced the result.
    public var threads: Int
    /// `--memory-budget` (MiB) of the run that produced the result: how much the buffer pool
    /// and the simulation's image groups could hold, never what was computed. Nil in files
    /// written before the option existed (their runs cached up to a quarter of the machine's memory).
    public var memoryBudgetMiB: Int?
    /// The convolution kernels (`--convolution`: plain, blocked or bfloat16); nil in files
    /// written before the field existed, which all used the default, blocked f32.
    public var convolution: String?
    /// The command line of the run that produced the result, starting `chapter-<key>` (no
    /// build folder).
    public var commandLine: [String]
    /// The source revision of the run that produced the result.
    public var git: GitRevision
    /// When that run started (ISO 8601 in the file, whole seconds).
    public var date: Date
    /// Debug or release build of that run.
    public var build: BuildConfiguration
    /// The chapter's resolved config, as printed at startup.
    public var config: JSONValue
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
    /// The paper's claims tested on this run's metrics, each with its effect, standard error
    /// and generated outcome (`ClaimTest`); nil in files written before claims existed.
    public var claims: [ClaimTest]?
    /// The NIR files written under `--export-nir` (names in that folder, one per exported
    /// network); nil when none were written. Not part of the result (`hasSameResult`).
    public var nirFiles: [String]?
    /// The CPU and kernels that computed the run (nil in files written before the field): not
    /// part of the result, so a run elsewhere with equal numbers is the same result.
    public var arithmetic: ArithmeticBackend?

    /// Creates a record from its parts.
    public init(
        chapter: String, profile: Profile, seed: UInt64, threads: Int, commandLine: [String],
        git: GitRevision, date: Date, build: BuildConfiguration, config: JSONValue,
        metrics: JSONValue, summary: RunSummary? = nil, convolution: String? = nil,
        data: DataDigest? = nil, degenerate: [DegenerateNetwork]? = nil, claims: [ClaimTest]? = nil,
        memoryBudgetMiB: Int? = nil, nirFiles: [String]? = nil, arithmetic: ArithmeticBackend? = nil
    ) {
        self.nirFiles = nirFiles
        self.arithmetic = arithmetic
        self.claims = claims
        self.memoryBudgetMiB = memoryBudgetMiB
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
        self.build = build
        self.config = config
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

    /// Whether `other` holds the same result: chapter, profile, seed, convolution, config,
    /// metrics, claims and summary encode to the same bytes (so NaN metrics compare equal too).
    public func hasSameResult(as other: RunRecord) -> Bool {
        guard let mine = try? resultBytes(), let theirs = try? other.resultBytes() else {
            return false
        }
        return mine == theirs
    }

    /// This record with the provenance (git, date, command line, build, threads, memory budget, CPU and kernels) of
    /// `earlier`, which holds the same result: the run that first produced a result stays
    /// its provenance.
    public func keepingProvenance(of earlier: RunRecord) -> RunRecord {
        var kept = self
        kept.git = earlier.git
        kept.date = earlier.date
        kept.commandLine = earlier.commandLine
        kept.build = earlier.build
        kept.threads = earlier.threads
        kept.memoryBudgetMiB = earlier.memoryBudgetMiB
        kept.arithmetic = earlier.arithmetic
        return kept
    }

    /// The result part, encoded compactly with sorted keys.
    private func resultBytes() throws -> Data {
        var result = self
        result.git = .unknown
        result.date = Date(timeIntervalSince1970: 0)
        result.commandLine = []
        result.nirFiles = nil
        result.build = .debug
        result.threads = 0
        result.memoryBudgetMiB = nil
        result.arithmetic = nil
        return try JSONCoding.compactEncoder().encode(result)
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

    /// Reads a results.json written by `write(to:)` (or by a version before the run log).
    public static func load(from url: URL) throws -> RunRecord {
        try JSONCoding.decoder().decode(RunRecord.self, from: Data(contentsOf: url))
    }
}
