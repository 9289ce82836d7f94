// Cached pipeline stages: compute once, load on later runs, recompute when an input changes.

import Foundation
import RunRecords
import Training

/// Stores each stage's output at `<root>/<chapter>/<profile>/<stage>-<key>.ckpt` and reuses it
/// while the stage's inputs are unchanged (docs/conventions.md C6).
///
/// ```swift
/// let cache = context.makeStageCache()
/// let (ann, annKey, _) = try cache.stage(
///     "ann", version: 1, config: config.ann, dependsOn: [dataKey],
///     encode: { try $0.serialized() }, decode: { try ANN(serialized: $0) }
/// ) {
///     try trainANN(config.ann, on: data, using: &rng)
/// }
/// ```
///
/// - A stage is loaded when its checkpoint exists, is valid and the `RecomputePolicy` allows
///   reuse; otherwise it is computed and saved. Put everything the output depends on
///   (dataset, hyperparameters) into `config`: the key hashes only what it is given.
/// - A damaged checkpoint (bad magic, other format version, truncated, checksum mismatch, or
///   a payload `decode` rejects) is not fatal: a one-line warning names the file and the stage
///   is recomputed, which is what `--rerun <stage>` would do anyway.
/// - Old checkpoints of other keys are kept, so switching back to a previous config is instant;
///   delete `data/cache` at any time to reclaim space.
///
/// A `StageCache` keeps per-run state (timings, whether a `--rerun` stage was reached), so use
/// one instance per run, from one thread.
public final class StageCache {
    /// `<root>/<chapter>/<profile>`, where this run's checkpoints live.
    public let directory: URL
    /// The cache root (`--cache`), under which `sharing(_:facts:)` puts shared stages.
    public let root: URL
    /// The folder under `<root>/<area>/` (the profile, or e.g. `quick-bfloat16`).
    public let folder: String
    /// The chapter key, used in rebuild commands.
    public let chapter: String
    /// The profile, used in the folder name and rebuild commands.
    public let profile: Profile
    /// Options besides the profile that select this cache, repeated in rebuild commands
    /// (e.g. ` --convolution bfloat16`).
    public let extraArguments: String
    /// The run's seed, mixed into every key (nil leaves it out).
    public let seed: UInt64?
    /// Which existing checkpoints may be reused.
    public let recompute: RecomputePolicy
    /// The chapter's stage names as declared to `ChapterContext` (what `--rerun` accepts), or
    /// nil for none. A stage run under any other name is a programming error: `--rerun` could
    /// not name it, and a `--rerun` of a declared name would silently match nothing.
    public let declaredStages: [String]?
    /// Wall time of every stage run so far, in order; goes into run-log.json.
    public private(set) var timings: [StageTiming] = []
    /// Other durations measured in this run by name (`measure(_:_:)`, `record(seconds:as:)`);
    /// go into run-log.json, never results.json.
    public private(set) var measuredSeconds: [String: Double] = [:]
    /// The run's data digest (mixed into every key) and the degenerate networks it kept.
    public let facts: RunFacts
    /// The code this run is, recorded in every progress file it saves; progress saved by other
    /// code is not resumed (`loadProgress`). nil: progress is resumed without that check.
    public var codeIdentity: CodeIdentity?
    /// Whether the sanity gate keeps a degenerate network (`--allow-degenerate`) or stops.
    public let allowDegenerate: Bool
    /// The sanity gate's rule (`DegeneracyRule.standard`).
    public let degeneracyRule: DegeneracyRule

    /// Set once a stage named in `.from(_:)` has been reached: every later stage recomputes.
    private var rerunReached = false
    /// Stages computed in this run by worker processes (`adoptWorkerTimings`): loaded, never
    /// recomputed, and timed by the worker's own row.
    private var computedByWorkers: [String: Double] = [:]
    private let log: (String) -> Void

    /// Creates a cache for one run.
    ///
    /// - Parameters:
    ///   - root: the cache root (`--cache`, default `data/cache`).
    ///   - chapter: the chapter key.
    ///   - profile: the run's profile.
    ///   - seed: the run's seed, hashed into every key; nil when outputs do not depend on it.
    ///   - recompute: `--fresh` / `--rerun` as a policy.
    ///   - declaredStages: the names `--rerun` accepts; every stage run must use one of them.
    ///   - facts: the run's data digest, hashed into every key, and where the sanity gate
    ///     lists the degenerate networks it keeps.
    ///   - allowDegenerate: `--allow-degenerate`: the sanity gate keeps instead of stopping.
    ///   - degeneracyRule: the sanity gate's bounds (`DegeneracyRule.standard` in the chapters).
    ///   - log: receives one line per stage and any warnings; prints to stdout by default.
    public init(
        root: URL, chapter: String, profile: Profile, seed: UInt64? = nil,
        recompute: RecomputePolicy = .reuse, folder: String? = nil, extraArguments: String = "",
        declaredStages: [String]? = nil, facts: RunFacts = RunFacts(), allowDegenerate: Bool = false,
        degeneracyRule: DegeneracyRule = .standard, log: @escaping (String) -> Void = { print($0) }
    ) {
        self.facts = facts
        self.allowDegenerate = allowDegenerate
        self.degeneracyRule = degeneracyRule
        self.directory = root.appendingPathComponent(chapter, isDirectory: true)
            .appendingPathComponent(folder ?? profile.rawValue, isDirectory: true)
        self.root = root
        self.folder = folder ?? profile.rawValue
        self.extraArguments = extraArguments
        self.chapter = chapter
        self.profile = profile
        self.seed = seed
        self.recompute = recompute
        self.declaredStages = declaredStages
        self.log = log
    }

    // MARK: - Keys and files

    /// The key of a stage with these inputs (see `StageKey` for what is hashed), including
    /// the digest of the dataset files loaded so far (`facts.dataDigest`).
    public func key(
        _ name: String, version: Int, config: some Encodable, dependsOn: [StageKey] = []
    ) throws -> StageKey {
        try StageKey(
            stage: name, version: version, seed: seed, data: facts.dataDigest?.sha256,
            config: config, dependsOn: dependsOn)
    }

    /// Where the output of `key` is stored: `<directory>/<stage>-<hex>.ckpt`.
    public func checkpointURL(for key: StageKey) -> URL {
        directory.appendingPathComponent("\(key.stage)-\(key.hex).ckpt")
    }

    /// The chapter named in rebuild commands (a shared cache names the chapter that runs it).
    private lazy var rebuildChapter: String = chapter

    /// The command that recomputes `stage` explicitly, quoted in messages.
    public func rebuildCommand(for stage: String) -> String {
        "swift run chapter-\(rebuildChapter) --profile \(profile.rawValue)\(extraArguments) --rerun \(stage)"
    }

    // MARK: - Stages

    /// Returns the output of stage `name`, loading it from its checkpoint or computing and
    /// saving it.
    ///
    /// - Parameters:
    ///   - name: the stage name (letters, digits, `-`, `_`, `.`).
    ///   - version: bump when the stage's code changes meaning, to invalidate old checkpoints.
    ///   - config: the stage's inputs; hashed as sorted-key JSON.
    ///   - dependsOn: keys of the stages whose outputs this one reads.
    ///   - encode: turns the output into checkpoint bytes.
    ///   - decode: turns checkpoint bytes back into the output.
    ///   - compute: produces the output when it cannot be loaded.
    /// - Returns: the output, its key (pass it to later stages' `dependsOn`), and whether it
    ///   was computed or loaded.
    public func stage<Output>(
        _ name: String, version: Int, config: some Encodable, dependsOn: [StageKey] = [],
        encode: (Output) throws -> Data, decode: (Data) throws -> Output,
        compute: () throws -> Output
    ) throws -> (Output, StageKey, StageOutcome) {
        try run(name, version, config, dependsOn, encode, decode) { _ in try compute() }
    }

    /// Like `stage(_:version:config:dependsOn:encode:decode:compute:)`, for training stages:
    /// `compute` receives a `StageProgress`, whose `checkpoints` go to the training loop
    /// (`runEpochs`, `trainSupervised`) so that every finished epoch is saved and a rerun after
    /// a crash resumes from it, and whose records feed the sanity gate.
    ///
    /// The progress file is deleted when the stage finishes, and before computing when the
    /// stage is forced by `--fresh` or `--rerun` (so a forced rerun starts from scratch). The
    /// training records are kept beside the checkpoint (`<stage>-<key>.training.json`), so the
    /// gate judges a loaded stage exactly as the run that computed it.
    public func stage<Output>(
        _ name: String, version: Int, config: some Encodable, dependsOn: [StageKey] = [],
        encode: (Output) throws -> Data, decode: (Data) throws -> Output,
        compute: (StageProgress) throws -> Output
    ) throws -> (Output, StageKey, StageOutcome) {
        try run(name, version, config, dependsOn, encode, decode, compute)
    }

    /// A stage whose output is `Codable`, stored as compact JSON. Suits small outputs
    /// (thresholds, accuracy tables); pass `encode`/`decode` for large tensors.
    public func stage<Output: Codable>(
        _ name: String, version: Int, config: some Encodable, dependsOn: [StageKey] = [],
        compute: () throws -> Output
    ) throws -> (Output, StageKey, StageOutcome) {
        try run(name, version, config, dependsOn, encodeJSON, decodeJSON) { _ in try compute() }
    }

    /// A resumable stage whose output is `Codable`, stored as compact JSON.
    public func stage<Output: Codable>(
        _ name: String, version: Int, config: some Encodable, dependsOn: [StageKey] = [],
        compute: (StageProgress) throws -> Output
    ) throws -> (Output, StageKey, StageOutcome) {
        try run(name, version, config, dependsOn, encodeJSON, decodeJSON, compute)
    }

    /// Runs an uncached step (evaluation, figures) and records its wall time as `computed`.
    public func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        let result = try body()
        timings.append(StageTiming(stage: name, seconds: secondsSince(start), outcome: .computed))
        return result
    }

    /// Runs `body` and records its wall time under `name` in `measuredSeconds` (for run-log.json).
    ///
    /// Use it inside a stage's `compute` for the parts of a stage worth timing on their own
    /// (one network's training, one method's inference): the time is then measured only when
    /// the stage is computed, and never travels into the stage's output or results.json.
    ///
    /// - Returns: `body`'s result and the seconds it took (to print).
    @discardableResult
    public func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> (T, seconds: Double) {
        let start = ContinuousClock.now
        let result = try body()
        let seconds = secondsSince(start)
        record(seconds: seconds, as: name)
        return (result, seconds)
    }

    /// Records a duration measured in this run under `name` (a later record of the same name
    /// replaces it).
    public func record(seconds: Double, as name: String) {
        measuredSeconds[name] = seconds
    }

    // MARK: - Stages several chapters share

    /// A cache for stages that several chapters compute identically (the shared backbone):
    /// `<root>/<area>/<folder>`, with this run's seed, `--fresh`/`--rerun` policy and sanity
    /// gate, and `facts` for its keys (only the data those stages read, so that every chapter
    /// arrives at the same key). Call `absorb(_:)` afterwards.
    ///
    /// - Parameters:
    ///   - area: the folder under the cache root, e.g. `shared-backbone`.
    ///   - stages: the stage names run in it; the chapter declares them too, so `--rerun` can
    ///     name them.
    public func sharing(_ area: String, stages: [String], facts: RunFacts) -> StageCache {
        let shared = StageCache(
            root: root, chapter: area, profile: profile, seed: seed, recompute: recompute, folder: folder,
            extraArguments: extraArguments, declaredStages: stages, facts: facts,
            allowDegenerate: allowDegenerate, degeneracyRule: degeneracyRule, log: log)
        shared.rebuildChapter = rebuildChapter
        shared.codeIdentity = codeIdentity
        return shared
    }

    /// Takes over what `shared` (from `sharing(_:stages:facts:)`) did in this run: its stage
    /// timings and measured durations join this run's, the degenerate networks it kept join
    /// this run's facts, and a `--rerun` stage reached there makes every later stage here
    /// recompute too (its key did not change, but its output was rebuilt).
    public func absorb(_ shared: StageCache) {
        timings += shared.timings
        measuredSeconds.merge(shared.measuredSeconds) { _, new in new }
        for network in shared.facts.degenerate { facts.addDegenerate(network) }
        if shared.rerunReached { rerunReached = true }
    }

    // MARK: - Planning (for work done in worker processes)

    /// Whether this run's `--fresh` / `--rerun` forces stage `name`, judged from the declared
    /// run order without running the stages before it: a stage is forced when a `--rerun`
    /// name is it or runs before it.
    public func wouldRecompute(_ name: String) -> Bool {
        switch recompute {
        case .reuse:
            return false
        case .everything:
            return true
        case .from(let names):
            guard let order = declaredStages, let position = order.firstIndex(of: name) else {
                return names.contains(name)
            }
            return names.contains { order.firstIndex(of: $0).map { $0 <= position } ?? false }
        }
    }

    /// Whether stage `name` with these inputs would be computed rather than loaded: it is
    /// forced (`wouldRecompute`) or has no checkpoint.
    public func needsComputing(
        _ name: String, version: Int, config: some Encodable, dependsOn: [StageKey] = []
    ) throws -> Bool {
        let key = try self.key(name, version: version, config: config, dependsOn: dependsOn)
        return wouldRecompute(name)
            || !FileManager.default.fileExists(atPath: checkpointURL(for: key).path)
    }

    /// Records stages a worker process computed and saved in this run: their rows join this
    /// run's timings, and when the chapter reaches them they are loaded, even under `--fresh`
    /// or `--rerun` (the worker already recomputed them).
    public func adoptWorkerTimings(_ rows: [StageTiming]) {
        for row in rows where row.outcome == .computed {
            computedByWorkers[row.stage] = row.seconds
            timings.append(row)
        }
    }

    // MARK: - Implementation

    /// Whether `name` must be recomputed even when a valid checkpoint exists.
    private func isForced(_ name: String) -> Bool {
        switch recompute {
        case .reuse:
            return false
        case .everything:
            return true
        case .from(let names):
            if names.contains(name) { rerunReached = true }
            return rerunReached
        }
    }

    private func run<Output>(
        _ name: String, _ version: Int, _ config: some Encodable, _ dependsOn: [StageKey],
        _ encode: (Output) throws -> Data, _ decode: (Data) throws -> Output,
        _ compute: (StageProgress) throws -> Output
    ) throws -> (Output, StageKey, StageOutcome) {
        if let declaredStages {
            precondition(declaredStages.contains(name),
                         "stage '\(name)' of chapter-\(chapter) is not among the stages it declares to "
                             + "ChapterContext (\(declaredStages.joined(separator: ", "))): --rerun could not name it")
        }
        let key = try self.key(name, version: version, config: config, dependsOn: dependsOn)
        let url = checkpointURL(for: key)
        let start = ContinuousClock.now

        let forced = isForced(name)       // also moves the `--rerun` mark past `name`
        let workerSeconds = computedByWorkers[name]
        if forced && workerSeconds == nil {
            removeProgress(for: key)
        } else if FileManager.default.fileExists(atPath: url.path) {
            do {
                let output = try decode(try CheckpointFile.read(from: url, kind: .stageOutput))
                let seconds = secondsSince(start)
                if let workerSeconds {
                    log("stage \(name): computed by a worker process, loaded \(displayPath(url))")
                    try checkTraining(loadTrainingRecords(for: key), of: key)
                    return (output, key, .computed(seconds: workerSeconds))
                }
                timings.append(StageTiming(stage: name, seconds: seconds, outcome: .loaded))
                log("stage \(name): loaded \(displayPath(url)) (\(formatSeconds(seconds)))")
                try checkTraining(loadTrainingRecords(for: key), of: key)
                return (output, key, .loaded)
            } catch let error as ChapterError {
                throw error
            } catch {
                warn(about: url, error: error, consequence: "Recomputing stage '\(name)'")
            }
        }

        let progress = StageProgress(cache: self, key: key)
        let output = try compute(progress)
        let records = progress.trainingRecords
        try saveTrainingRecords(records, for: key)   // before the output: never an output without them
        try CheckpointFile.write(try encode(output), kind: .stageOutput, to: url)
        removeProgress(for: key)
        let seconds = secondsSince(start)
        timings.append(StageTiming(stage: name, seconds: seconds, outcome: .computed))
        log("stage \(name): computed in \(formatSeconds(seconds)), saved \(displayPath(url))")
        try checkTraining(records, of: key)
        return (output, key, .computed(seconds: seconds))
    }

    /// Passes one line to the cache's log (stdout by default).
    func note(_ line: String) { log(line) }

    /// Logs a one-line warning about an unusable file; the caller then recomputes.
    func warn(about url: URL, error: Error, consequence: String) {
        let reason: String
        if let error = error as? CheckpointError {
            reason = error.description
        } else if let error = error as? EpochCheckpointError {
            reason = "\(displayPath(url)): \(error)"
        } else {
            reason = "\(displayPath(url)): cannot decode the payload (\(error)); "
                + "did the output type change without a version bump?"
        }
        log("warning: \(reason). \(consequence).")
    }
}

/// Stage outputs of the `Codable` convenience: compact JSON, sorted keys.
private func encodeJSON<Output: Encodable>(_ output: Output) throws -> Data {
    try JSONCoding.compactEncoder().encode(output)
}

/// Reads what `encodeJSON` wrote.
private func decodeJSON<Output: Decodable>(_ data: Data) throws -> Output {
    try JSONCoding.decoder().decode(Output.self, from: data)
}
