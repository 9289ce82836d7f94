// The on-disk format of cached stage outputs and training progress: a small binary envelope
// around an opaque payload, in the spirit of llm.c's checkpoint headers.
//
//   offset  size  field
//   0       8     magic "LLSNNCKP"
//   8       4     format version, UInt32 little-endian (currently 1)
//   12      4     payload kind, UInt32 little-endian (1 = stage output, 2 = training progress)
//   16      8     payload length in bytes, UInt64 little-endian
//   24      n     payload
//   24 + n  32    SHA-256 of the payload
//
// The length is 64-bit so that no model is too large for the format.

import Datasets
import Foundation
import SystemSupport

/// Reads and writes checkpoint files: magic, format version, kind, length, payload, SHA-256.
///
/// The payload is opaque bytes; callers choose its encoding. Files are written with
/// `atomicWrite(_:to:)`, so a crash leaves the previous checkpoint (or none), never half a file.
public enum CheckpointFile {
    /// The eight bytes every checkpoint starts with: ASCII `LLSNNCKP`.
    public static let magic = Data("LLSNNCKP".utf8)

    /// The format version this build writes and reads. Bump it when the envelope changes.
    public static let formatVersion: UInt32 = 1

    /// Bytes before the payload: magic (8), version (4), kind (4), length (8).
    static let headerSize = 24

    /// Bytes after the payload: its SHA-256 digest.
    static let checksumSize = 32

    /// What a checkpoint holds; stored so a progress file is never mistaken for a stage output.
    public enum Kind: UInt32, Sendable, CustomStringConvertible {
        /// The finished output of a cached stage (`<stage>-<key>.ckpt`).
        case stageOutput = 1
        /// Partial state of a long stage, saved every epoch (`<stage>-<key>.progress`).
        case trainingProgress = 2

        /// `stage output` or `training progress`.
        public var description: String {
            switch self {
            case .stageOutput: "stage output"
            case .trainingProgress: "training progress"
            }
        }
    }

    /// Wraps `payload` in the envelope. Size: 56 bytes + `payload.count`.
    public static func encode(_ payload: Data, kind: Kind) -> Data {
        var file = Data(capacity: headerSize + payload.count + checksumSize)
        file.append(magic)
        appendLittleEndian(formatVersion, to: &file)
        appendLittleEndian(kind.rawValue, to: &file)
        appendLittleEndian(UInt64(payload.count), to: &file)
        file.append(payload)
        file.append(contentsOf: SHA256.digest(of: payload))
        return file
    }

    /// Checks the envelope and returns the payload.
    ///
    /// - Throws: `CheckpointError` (with `url` left nil) for a bad magic, another format
    ///   version, another kind, a truncated file, trailing bytes, or a checksum mismatch.
    public static func decode(_ file: Data, kind: Kind) throws -> Data {
        let bytes = [UInt8](file)
        func fail(_ problem: CheckpointError.Problem) -> CheckpointError {
            CheckpointError(url: nil, problem: problem)
        }
        guard bytes.count >= headerSize else { throw fail(.truncated(bytes: bytes.count)) }
        guard bytes[0..<8].elementsEqual(magic) else { throw fail(.badMagic) }
        let version: UInt32 = readLittleEndian(bytes, at: 8)
        guard version == formatVersion else {
            throw fail(.unsupportedVersion(found: version, expected: formatVersion))
        }
        let storedKind: UInt32 = readLittleEndian(bytes, at: 12)
        guard storedKind == kind.rawValue else {
            throw fail(.wrongKind(found: storedKind, expected: kind))
        }
        let length: UInt64 = readLittleEndian(bytes, at: 16)
        let available = UInt64(bytes.count - headerSize)
        guard length <= available, available - length >= UInt64(checksumSize) else {
            throw fail(.truncated(bytes: bytes.count))
        }
        guard available - length == UInt64(checksumSize) else {
            throw fail(.trailingBytes(count: Int(available - length) - checksumSize))
        }
        let end = headerSize + Int(length)
        let payload = Data(bytes[headerSize..<end])
        guard SHA256.digest(of: payload) == Array(bytes[end...]) else {
            throw fail(.checksumMismatch)
        }
        return payload
    }

    /// Writes `payload` to `url` atomically (temporary file in the same directory + rename).
    public static func write(_ payload: Data, kind: Kind, to url: URL) throws {
        try atomicWrite(encode(payload, kind: kind), to: url)
    }

    /// Reads the checkpoint at `url` and returns its verified payload.
    ///
    /// - Throws: the file system's error when the file cannot be read, or a `CheckpointError`
    ///   naming `url` when its contents are not a valid checkpoint of this `kind`.
    public static func read(from url: URL, kind: Kind) throws -> Data {
        let file = try Data(contentsOf: url)
        do {
            return try decode(file, kind: kind)
        } catch var error as CheckpointError {
            error.url = url
            throw error
        }
    }

    private static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    private static func readLittleEndian<T: FixedWidthInteger>(
        _ bytes: [UInt8], at offset: Int
    ) -> T {
        (0..<MemoryLayout<T>.size).reduce(T.zero) { value, index in
            value | T(bytes[offset + index]) << (8 * index)
        }
    }
}

/// A checkpoint file that cannot be used, with the file and the reason.
public struct CheckpointError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Why a checkpoint was rejected.
    public enum Problem: Sendable, Equatable {
        /// The file does not start with `LLSNNCKP`: it is not a checkpoint.
        case badMagic
        /// The file was written with another envelope format version.
        case unsupportedVersion(found: UInt32, expected: UInt32)
        /// The file holds another kind of payload (for example progress instead of output).
        case wrongKind(found: UInt32, expected: CheckpointFile.Kind)
        /// The file ends before its header, payload or checksum does (`bytes` long in total).
        case truncated(bytes: Int)
        /// The file has `count` extra bytes after the checksum.
        case trailingBytes(count: Int)
        /// The payload's SHA-256 differs from the stored one: the bytes were damaged.
        case checksumMismatch
    }

    /// The file, when known (set by `CheckpointFile.read(from:kind:)`).
    public var url: URL?
    /// What is wrong with it.
    public var problem: Problem

    /// Creates an error for `problem` in the file at `url`.
    public init(url: URL?, problem: Problem) {
        self.url = url
        self.problem = problem
    }

    /// A one-line message that starts with the file's path, e.g.
    /// `data/cache/classic/quick/ann-….ckpt: checkpoint format version 2, this build reads
    /// version 1`.
    public var description: String {
        let reason: String
        switch problem {
        case .badMagic:
            reason = "not a checkpoint (missing the LLSNNCKP magic bytes)"
        case .unsupportedVersion(let found, let expected):
            reason = "checkpoint format version \(found), this build reads version \(expected)"
        case .wrongKind(let found, let expected):
            reason = "holds payload kind \(found), expected \(expected.rawValue) (\(expected))"
        case .truncated(let bytes):
            reason = "truncated checkpoint (\(bytes) bytes; header, payload or checksum missing)"
        case .trailingBytes(let count):
            reason = "\(count) unexpected bytes after the checksum"
        case .checksumMismatch:
            reason = "SHA-256 checksum mismatch: the payload is damaged"
        }
        return "\(url.map(\.path) ?? "checkpoint"): \(reason)"
    }
}
