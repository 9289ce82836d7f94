// What a run learns about itself while it runs, shared by its context, its stage cache and its
// results.json: the dataset files it read and the degenerate networks it kept.

import Datasets
import Foundation
import RunRecords

/// The data digest and the sanity gate's kept findings of one run.
///
/// `ChapterContext` owns one and hands it to the `StageCache` it makes: `loadDataset` adds
/// files (every stage key computed afterwards includes their digest), the gate adds the
/// networks it let through, and `RunRecord(context:…)` writes both into results.json.
/// Chapters read and write it from their one top-level thread; the lock only makes the
/// shared reference safe to hand around.
public final class RunFacts: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [DataDigest.File] = []
    private var kept: [DegenerateNetwork] = []
    private var nir: [String] = []

    public init() {}

    /// The files loaded so far and one SHA-256 over them; nil before any dataset was loaded.
    public var dataDigest: DataDigest? {
        lock.withLock {
            guard !files.isEmpty else { return nil }
            let lines = files.map { "\($0.part) \($0.name) \($0.bytes) \($0.sha256)\n" }.joined()
            return DataDigest(sha256: SHA256.hexDigest(of: Data(lines.utf8)), files: files)
        }
    }

    /// The degenerate networks the run kept, in the order the gate met them.
    public var degenerate: [DegenerateNetwork] {
        lock.withLock { kept }
    }

    /// Adds loaded files (a file already listed for the same part is not added twice).
    public func addDataFiles(_ new: [DataDigest.File]) {
        lock.withLock {
            for file in new where !files.contains(file) { files.append(file) }
        }
    }

    /// The NIR files written so far (`ChapterContext.exportNIR`), in order.
    public var nirFiles: [String] {
        lock.withLock { nir }
    }

    /// Adds a written NIR file's name (once).
    public func addNIRFile(_ name: String) {
        lock.withLock {
            if !nir.contains(name) { nir.append(name) }
        }
    }

    /// Adds a network the gate flagged and the run kept (once).
    public func addDegenerate(_ network: DegenerateNetwork) {
        lock.withLock {
            if !kept.contains(network) { kept.append(network) }
        }
    }
}
