// What a run read and what it let through: the dataset files behind its stage keys, and the
// networks the sanity gate flagged but the run kept.

import Foundation

/// The dataset files a run loaded, each with its SHA-256, and one digest over all of them.
///
/// The digest is part of every stage key (`StageKey`), so replacing the files (other CIFAR
/// batches, say) gives new keys and retrains instead of reusing networks trained on the old
/// ones. Paths are left out: the same bytes in another folder are the same data.
public struct DataDigest: Codable, Equatable, Sendable {
    /// One loaded file.
    public struct File: Codable, Equatable, Sendable {
        /// `<dataset>/<split>`, e.g. `cifar10/train`.
        public var part: String
        /// The file name as found on disk, e.g. `data_batch_1.bin`.
        public var name: String
        public var bytes: Int
        public var sha256: String

        public init(part: String, name: String, bytes: Int, sha256: String) {
            self.part = part
            self.name = name
            self.bytes = bytes
            self.sha256 = sha256
        }
    }

    /// The SHA-256 of one line `<part> <name> <bytes> <sha256>` per file, in load order.
    public var sha256: String
    /// The files in load order.
    public var files: [File]

    public init(sha256: String, files: [File]) {
        self.sha256 = sha256
        self.files = files
    }
}

/// A trained network the sanity gate flagged and the run kept anyway (`--allow-degenerate`,
/// or the chance test at the smoke profile): listed in results.json under `degenerate`.
public struct DegenerateNetwork: Codable, Equatable, Sendable {
    /// The cached stage that trained it.
    public var stage: String
    /// The network within the stage (its training label), when the stage trains several.
    public var network: String?
    /// `loss-exploded` or `chance-accuracy`.
    public var rule: String
    /// The finding, with its numbers.
    public var finding: String
    /// Why the run went on: `--allow-degenerate`, or `smoke profile` for the chance test.
    public var keptBecause: String

    public init(stage: String, network: String?, rule: String, finding: String, keptBecause: String) {
        self.stage = stage
        self.network = network
        self.rule = rule
        self.finding = finding
        self.keptBecause = keptBecause
    }
}
