// Resumable long stages: save progress every epoch, resume after a crash.

import Foundation
import RunRecords
import SystemSupport
import Training

/// The progress file of one running stage, handed to a resumable stage's `compute` closure.
///
/// A training stage passes `checkpoints` to the training loop, which saves every finished
/// epoch (weights, optimiser state, generator, counters) and, after a crash, resumes from the
/// last one with the same bits as a run that never stopped:
///
/// ```swift
/// let (ann, annKey, _) = try cache.networkStage("ann", ...) { progress in
///     let network = makeANN(using: &initRNG)
///     try trainSupervised(network, ..., rng: &rng, checkpoints: progress.checkpoints)
///     return network
/// }
/// ```
///
/// A stage with its own notion of progress can instead keep opaque bytes with `load` and
/// `save` (one or the other per stage: both use the same file). Either way the bytes sit in
/// `<stage>-<key>.progress` beside the stage's checkpoint, in the `CheckpointFile` envelope
/// (magic, version, checksum) with kind `.trainingProgress`, written atomically.
public final class StageProgress {
    /// The stage being computed.
    public let key: StageKey
    private let cache: StageCache
    private var _checkpoints: EpochCheckpoints?

    init(cache: StageCache, key: StageKey) {
        self.cache = cache
        self.key = key
    }

    /// `<stage>-<key>.progress` beside the stage's checkpoint.
    public var url: URL { cache.progressFile(for: key) }

    /// The last saved progress, or nil when there is none or it is damaged (with a warning).
    public func load() -> Data? { cache.loadProgress(for: key) }

    /// Replaces the saved progress atomically.
    public func save(_ data: Data) throws { try cache.saveProgress(data, for: key) }

    /// The stage's epoch checkpoints, read from the progress file on first use (a damaged file
    /// is deleted with a warning and training starts over); pass them to `runEpochs` or
    /// `trainSupervised`.
    public var checkpoints: EpochCheckpoints {
        if let _checkpoints { return _checkpoints }
        let cache = self.cache, key = self.key
        let persist: (Data) throws -> Void = { try cache.saveProgress($0, for: key) }
        let made: EpochCheckpoints
        do {
            made = try EpochCheckpoints(stage: key.stage, saved: load(), persist: persist,
                                        log: { cache.note($0) })
        } catch {
            cache.warn(about: url, error: error,
                       consequence: "Restarting stage '\(key.stage)' from its beginning")
            cache.removeProgress(for: key)
            made = try! EpochCheckpoints(stage: key.stage, persist: persist, log: { cache.note($0) })
        }
        _checkpoints = made
        return made
    }

    /// What the stage's training runs recorded for the sanity gate (none if it trained nothing
    /// through `checkpoints`).
    var trainingRecords: [TrainingRecord] { _checkpoints?.records ?? [] }
}

extension StageCache {
    /// Where partial progress of `key` is kept: `<directory>/<stage>-<hex>.progress`.
    public func progressFile(for key: StageKey) -> URL {
        directory.appendingPathComponent("\(key.stage)-\(key.hex).progress")
    }

    /// Saves `data` as the progress of `key`, atomically (temporary file + rename), with the
    /// identity of the code saving it (`codeIdentity`).
    public func saveProgress(_ data: Data, for key: StageKey) throws {
        try CheckpointFile.write(ProgressRecord.encode(data, savedBy: codeIdentity), kind: .trainingProgress,
                                 to: progressFile(for: key))
    }

    /// The saved progress of `key`; nil when none exists. A damaged file, or one saved by other
    /// code than this run's (`codeIdentity`, when set), is deleted with a one-line warning
    /// naming it, and nil is returned so training starts over.
    public func loadProgress(for key: StageKey) -> Data? {
        let url = progressFile(for: key)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            let bytes = try CheckpointFile.read(from: url, kind: .trainingProgress)
            guard let record = ProgressRecord.decode(bytes) else {
                throw ProgressError.notAProgressRecord
            }
            if let codeIdentity, record.code != codeIdentity {
                throw ProgressError.savedByOtherCode(saved: record.code, current: codeIdentity)
            }
            return record.progress
        } catch {
            warn(about: url, error: error,
                 consequence: "Restarting stage '\(key.stage)' from its beginning")
            removeProgress(for: key)
            return nil
        }
    }

    /// Deletes the progress of `key`, if any.
    public func removeProgress(for key: StageKey) {
        try? FileManager.default.removeItem(at: progressFile(for: key))
    }

    // MARK: - Training records (the sanity gate's input, kept with the stage's output)

    /// `<directory>/<stage>-<hex>.training.json`: the training records of a computed stage.
    public func trainingRecordsFile(for key: StageKey) -> URL {
        directory.appendingPathComponent("\(key.stage)-\(key.hex).training.json")
    }

    /// Writes `records` beside the stage's checkpoint (atomically), or removes a stale file
    /// when the stage trained nothing.
    func saveTrainingRecords(_ records: [TrainingRecord], for key: StageKey) throws {
        let url = trainingRecordsFile(for: key)
        guard !records.isEmpty else {
            try? FileManager.default.removeItem(at: url)
            return
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try atomicWrite(try JSONCoding.prettyEncoder().encode(records), to: url)
    }

    /// The training records saved with `key`'s output; none when the stage trained nothing
    /// through its checkpoints, or when the file is damaged (with a warning).
    func loadTrainingRecords(for key: StageKey) -> [TrainingRecord] {
        let url = trainingRecordsFile(for: key)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        do {
            return try JSONCoding.decoder().decode([TrainingRecord].self, from: Data(contentsOf: url))
        } catch {
            warn(about: url, error: error, consequence: "The sanity gate skips its loss test for "
                 + "stage '\(key.stage)'; --rerun \(key.stage) recomputes it")
            return []
        }
    }
}

/// Why saved progress was not resumed.
enum ProgressError: Error, CustomStringConvertible {
    case notAProgressRecord
    case savedByOtherCode(saved: CodeIdentity?, current: CodeIdentity)

    var description: String {
        switch self {
        case .notAProgressRecord:
            "it does not start with the identity of the code that saved it (written by an older version)"
        case .savedByOtherCode(let saved, let current):
            "it was saved by \(saved.map(\.description) ?? "code of unknown identity"), and this run is \(current): "
                + "finishing another code's half-trained network would give neither's result"
        }
    }
}
