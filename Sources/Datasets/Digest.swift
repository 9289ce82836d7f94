// SHA-256 and MD5 through OpenSSL's libcrypto (Debian's libssl-dev), behind the small API the
// rest of the package uses.
//
// SHA-256 checks downloaded and installed dataset files against `data/manifest.json`;
// ChapterSupport uses it to name cached stages (a hash of their inputs) and to check checkpoint
// payloads. MD5 only checks the CIFAR archives against the sums their authors publish: it is
// broken for adversarial collisions, but still guards well against truncated or corrupted
// downloads from a fixed URL. Both stream: `update` with any number of chunks, then `finalize`.

import CCrypto
import Foundation

/// Incremental SHA-256 (NIST FIPS 180-4): `update` with any number of byte chunks, then
/// `finalize`. Computed by OpenSSL's `EVP_sha256`.
///
/// ```swift
/// SHA256.hexDigest(of: Data("abc".utf8))
/// // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// ```
public struct SHA256: Sendable {
    private var digest = _EVPDigest(.sha256)

    /// Creates a hasher for an empty message.
    public init() {}

    /// Feeds more message bytes. Complexity: O(`bytes.count`).
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { digest.update(bytes) }

    /// Feeds more message bytes straight from `data`'s storage (no copy).
    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// Feeds more message bytes.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// Returns the 32-byte digest of everything fed so far; the hasher then starts over with
    /// an empty message.
    public mutating func finalize() -> [UInt8] { digest.finalize() }

    /// The 32-byte digest of `data`.
    public static func digest(of data: Data) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data)
        return hasher.finalize()
    }

    /// The lowercase hexadecimal digest of `data` (64 characters).
    public static func hexDigest(of data: Data) -> String {
        hexString(digest(of: data))
    }

    /// The lowercase hexadecimal digest of `bytes`.
    public static func hexDigest(of bytes: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hexString(hasher.finalize())
    }

    /// The lowercase hexadecimal digest of `bytes`.
    public static func hexDigest<Bytes: Sequence>(of bytes: Bytes) -> String
    where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hexString(hasher.finalize())
    }
}

/// Incremental MD5 (RFC 1321): `update` with any number of byte chunks, then `finalize`.
/// Computed by OpenSSL's `EVP_md5`.
struct MD5: Sendable {
    private var digest = _EVPDigest(.md5)

    init() {}

    /// Feeds more message bytes.
    mutating func update(_ bytes: UnsafeRawBufferPointer) { digest.update(bytes) }

    /// Feeds more message bytes.
    mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// Returns the 16-byte digest of everything fed so far; the hasher then starts over.
    mutating func finalize() -> [UInt8] { digest.finalize() }

    /// The lowercase hexadecimal digest of `bytes`.
    static func hexDigest<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = MD5()
        hasher.update(bytes)
        return hexString(hasher.finalize())
    }
}

/// Lowercase hexadecimal text of a digest.
func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 15)])
    }
    return String(decoding: text, as: UTF8.self)
}

/// An OpenSSL message-digest context with value semantics: a copy of the struct shares the
/// context until one of them is updated, which then works on its own `EVP_MD_CTX_copy_ex`.
struct _EVPDigest: Sendable {
    /// The algorithms the package uses.
    enum Algorithm: Sendable {
        case sha256, md5

        /// OpenSSL's implementation of the algorithm.
        var implementation: OpaquePointer? {
            switch self {
            case .sha256: EVP_sha256()
            case .md5: EVP_md5()
            }
        }
    }

    private let algorithm: Algorithm
    private var context: _EVPContext

    init(_ algorithm: Algorithm) {
        self.algorithm = algorithm
        context = _EVPContext(algorithm)
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        makeUnique()
        guard EVP_DigestUpdate(context.pointer, base, bytes.count) == 1 else {
            fatalError("OpenSSL EVP_DigestUpdate failed (\(algorithm))")
        }
    }

    mutating func finalize() -> [UInt8] {
        makeUnique()
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context.pointer, &output, &length) == 1 else {
            fatalError("OpenSSL EVP_DigestFinal_ex failed (\(algorithm))")
        }
        context.start(algorithm)
        return Array(output.prefix(Int(length)))
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&context) { context = context.copy() }
    }
}

/// Owns one `EVP_MD_CTX`. Only `_EVPDigest` touches it, after making it unique, so sharing
/// the reference between copies (and threads) is safe.
private final class _EVPContext: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ algorithm: _EVPDigest.Algorithm) {
        guard let pointer = EVP_MD_CTX_new() else { fatalError("OpenSSL EVP_MD_CTX_new failed") }
        self.pointer = pointer
        start(algorithm)
    }

    private init(pointer: OpaquePointer) { self.pointer = pointer }

    /// (Re)starts the context on an empty message.
    func start(_ algorithm: _EVPDigest.Algorithm) {
        guard EVP_DigestInit_ex(pointer, algorithm.implementation, nil) == 1 else {
            fatalError("OpenSSL EVP_DigestInit_ex failed (\(algorithm); is it disabled?)")
        }
    }

    /// A new context in the same state.
    func copy() -> _EVPContext {
        guard let duplicate = EVP_MD_CTX_new() else { fatalError("OpenSSL EVP_MD_CTX_new failed") }
        guard EVP_MD_CTX_copy_ex(duplicate, pointer) == 1 else {
            fatalError("OpenSSL EVP_MD_CTX_copy_ex failed")
        }
        return _EVPContext(pointer: duplicate)
    }

    deinit { EVP_MD_CTX_free(pointer) }
}
