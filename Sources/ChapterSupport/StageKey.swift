// The content address of a cached stage: a hash of everything its output depends on.

import Datasets
import Foundation
import RunRecords

/// Names one cached stage output by the SHA-256 of its inputs (Make's dependency logic with
/// content addressing, docs/conventions.md C6).
///
/// The hash covers, one per line:
/// - the stage name,
/// - the stage's `version` (bump it when the code's meaning changes),
/// - the run's seed, when the cache was given one,
/// - the SHA-256 over the dataset files the run loaded (`DataDigest`), so other files under
///   the same dataset name give other keys,
/// - the stage's config as compact JSON with sorted keys,
/// - the keys of the stages it depends on, in the order given.
///
/// So changing any input, or any input of an upstream stage, gives a new key and a new file.
public struct StageKey: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The stage name, e.g. `ann`.
    public let stage: String
    /// 64 lowercase hexadecimal characters: the SHA-256 of the key material above.
    public let hex: String

    /// Creates a key from a stage name and a hex digest (normally made by `StageCache.key`).
    public init(stage: String, hex: String) {
        self.stage = stage
        self.hex = hex
    }

    /// Computes the key of stage `stage`.
    ///
    /// - Parameters:
    ///   - stage: a file-name-safe name (letters, digits, `-`, `_`, `.`).
    ///   - version: the stage's code version.
    ///   - seed: the run's seed, or nil to leave it out.
    ///   - data: the digest of the dataset files the run loaded, or nil before any was loaded.
    ///   - config: everything else the stage's output depends on (dataset, hyperparameters).
    ///   - dependsOn: the keys of the stages whose outputs it reads.
    /// - Throws: the JSON encoder's error if `config` cannot be encoded.
    public init(
        stage: String, version: Int, seed: UInt64?, data: String? = nil, config: some Encodable,
        dependsOn: [StageKey]
    ) throws {
        let allowed = { (c: Character) in
            c.isASCII && (c.isLetter || c.isNumber || "-_.".contains(c))
        }
        precondition(
            !stage.isEmpty && stage.allSatisfy(allowed),
            "stage name '\(stage)' must be non-empty and use only letters, digits, '-', '_', '.'")
        let configBytes = try JSONCoding.compactEncoder().encode(config)
        let configJSON = String(decoding: configBytes, as: UTF8.self)
        let material = [
            "LLSNN stage key 2",
            "stage: \(stage)",
            "version: \(version)",
            "seed: \(seed.map(String.init) ?? "none")",
            "data: \(data ?? "none")",
            "config: \(configJSON)",
            "dependsOn: \(dependsOn.map { "\($0.stage)=\($0.hex)" }.joined(separator: " "))",
        ].joined(separator: "\n")
        self.init(stage: stage, hex: SHA256.hexDigest(of: Data(material.utf8)))
    }

    /// `<stage>-<first 12 hex digits>`, enough to tell keys apart in logs.
    public var description: String {
        "\(stage)-\(hex.prefix(12))"
    }
}
