// Resumable long stages: save opaque progress bytes every epoch, resume after a crash.

import Foundation

/// The progress file of one running stage, handed to a resumable stage's `compute` closure.
///
/// ```swift
/// let (ann, annKey, _) = try cache.stage("ann", version: 1, config: config.ann,
///                                       encode: ..., decode: ...) { progress in
///     var state = try progress.load().map(TrainingState.init(serialized:)) ?? .initial
///     for epoch in state.epoch..<config.ann.epochs {
///         ...
///         try progress.save(state.serialized())   // atomic: a crash keeps the last epoch
///     }
///     return state.model
/// }
/// ```
///
/// The bytes are opaque to ChapterSupport; they use the `CheckpointFile` envelope (magic,
/// version, checksum) with kind `.trainingProgress`, written atomically.
public struct StageProgress {
    /// The stage being computed.
    public let key: StageKey
    private let cache: StageCache

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
}

extension StageCache {
    /// Where partial progress of `key` is kept: `<directory>/<stage>-<hex>.progress`.
    public func progressFile(for key: StageKey) -> URL {
        directory.appendingPathComponent("\(key.stage)-\(key.hex).progress")
    }

    /// Saves `data` as the progress of `key`, atomically (temporary file + rename).
    public func saveProgress(_ data: Data, for key: StageKey) throws {
        try CheckpointFile.write(data, kind: .trainingProgress, to: progressFile(for: key))
    }

    /// The saved progress of `key`; nil when none exists. A damaged file is deleted with a
    /// one-line warning naming it, and nil is returned so training starts over.
    public func loadProgress(for key: StageKey) -> Data? {
        let url = progressFile(for: key)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try CheckpointFile.read(from: url, kind: .trainingProgress)
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
}
