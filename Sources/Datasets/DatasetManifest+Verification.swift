import Dispatch
import Foundation

// Checking a dataset file against the manifest.
//
// A file is accepted when
//   1. the SHA-256 of its bytes equals `sha256` (the file exactly as distributed, e.g.
//      Debian's .gz), or `contentSHA256` (an uncompressed copy), or
//   2. the SHA-256 of its decompressed content equals `contentSHA256` (a .gz compressed by
//      someone else, such as upstream's own archive).
// Step 1 hashes the stored bytes on a second thread while the caller decodes the file, so
// for Debian's 26 MB train-images-idx3-ubyte.gz the check overlaps with inflating it when a
// second core is free. Step 2 runs only when step 1 fails and the format can rebuild its
// content (IDX); it hashes the decompressed bytes after decoding.

extension DatasetManifest.File {
    /// Runs `read` and, beside it, checks the file at `url` against this entry's digests.
    ///
    /// - Parameters:
    ///   - url: the file found on disk (under one of `acceptedNames`).
    ///   - read: decodes the file (its own structural checks throw first).
    ///   - contentDigest: the SHA-256 of the decoded value's uncompressed bytes, if the format
    ///     can rebuild them (IDX); nil otherwise (CIFAR files are never compressed).
    /// - Returns: `read`'s value once the file is verified, or when the manifest records no
    ///   digest for it (CIFAR's extracted files; see the manifest's note).
    /// - Throws: whatever `read` throws, or `DatasetError.checksumMismatch`.
    public func verify<Value>(
        _ url: URL, read: () throws -> Value, contentDigest: ((Value) -> String)? = nil
    ) throws -> Value {
        let known = [sha256, contentSHA256].compactMap { $0?.lowercased() }
        guard !known.isEmpty else { return try read() }

        let stored = _DigestResult()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            stored.value = Result { try _digest(of: url, using: SHA256()) }
        }
        let value: Value
        do { value = try read() } catch {
            group.wait()
            throw error
        }
        group.wait()
        let storedDigest = try stored.value!.get()
        if known.contains(storedDigest) { return value }

        if let expected = contentSHA256?.lowercased(), let contentDigest {
            let found = contentDigest(value)
            guard found == expected else {
                throw DatasetError.checksumMismatch(
                    file: url.path, algorithm: "SHA-256 of the decompressed content",
                    expected: expected, found: found)
            }
            return value
        }
        throw DatasetError.checksumMismatch(
            file: url.path, algorithm: "SHA-256", expected: known.joined(separator: " or "),
            found: storedDigest)
    }
}

/// The background digest's result, handed over through `DispatchGroup.wait` (which orders
/// the write before the read, so there is no data race).
private final class _DigestResult: @unchecked Sendable {
    var value: Result<String, any Error>?
}

/// A streaming hash that `_digest(of:using:)` can drive (MD5 and SHA-256).
protocol _StreamingHash {
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    mutating func finalize() -> [UInt8]
}

extension MD5: _StreamingHash {}
extension SHA256: _StreamingHash {}

extension SHA256 {
    /// The lowercase hexadecimal SHA-256 of the file at `url`, its bytes as stored (no
    /// decompression), read in 1 MiB chunks.
    ///
    /// - Throws: `DatasetError.unreadable` naming the file.
    public static func hexDigest(ofFile url: URL) throws -> String {
        try _digest(of: url, using: SHA256())
    }
}

/// The hex digest of a file's bytes as stored (no decompression), read in 1 MiB chunks.
func _digest<Hash: _StreamingHash>(of url: URL, using hash: Hash) throws -> String {
    guard let file = fopen(url.path, "rb") else {
        throw DatasetError.unreadable(file: url.path, reason: String(cString: strerror(errno)))
    }
    defer { fclose(file) }
    var hash = hash
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let got = chunk.withUnsafeMutableBytes { fread($0.baseAddress!, 1, $0.count, file) }
        if got == 0 { break }
        chunk.withUnsafeBytes { hash.update(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
    }
    guard ferror(file) == 0 else {
        throw DatasetError.unreadable(file: url.path, reason: "read error")
    }
    return hexString(hash.finalize())
}
