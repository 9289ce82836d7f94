import Foundation
import Testing

@testable import Datasets

/// SHA-256 against the FIPS 180-4 example vectors, MD5 against RFC 1321's test suite (both
/// computed by libcrypto), plus the streaming paths: chunked updates, copies, whole files.
@Suite struct DigestTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                + "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func sha256MatchesFIPSVectors(message: String, digest: String) {
        #expect(SHA256.hexDigest(of: Array(message.utf8)) == digest)
    }

    @Test func sha256OfOneMillionAs() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(
            SHA256.hexDigest(of: message)
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Feeding the message in uneven chunks (across block boundaries, around the 55/56-byte
    /// padding edge) must give the same digest as one call.
    @Test(arguments: [1, 3, 55, 56, 63, 64, 65, 127])
    func sha256IsIndependentOfChunking(chunk: Int) {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        var hasher = SHA256()
        var start = 0
        while start < message.count {
            hasher.update(message[start..<min(message.count, start + chunk)])
            start += chunk
        }
        #expect(hexString(hasher.finalize()) == SHA256.hexDigest(of: message))
    }

    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        (
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            "d174ab98d277d9f5a5611c2c9f419d9f"
        ),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a"
        ),
    ])
    func md5MatchesRFC1321Vectors(message: String, digest: String) {
        #expect(MD5.hexDigest(of: Array(message.utf8)) == digest)
    }

    @Test(arguments: [1, 55, 56, 64, 100])
    func md5IsIndependentOfChunking(chunk: Int) {
        let message = (0..<777).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }
        var hasher = MD5()
        var start = 0
        while start < message.count {
            hasher.update(message[start..<min(message.count, start + chunk)])
            start += chunk
        }
        #expect(hexString(hasher.finalize()) == MD5.hexDigest(of: message))
    }

    /// Known answers beyond the standards' suites (Python's hashlib): a pangram, one million
    /// "a" for MD5.
    @Test func moreKnownAnswers() {
        let fox = Array("The quick brown fox jumps over the lazy dog".utf8)
        #expect(
            SHA256.hexDigest(of: fox)
                == "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592")
        #expect(MD5.hexDigest(of: fox) == "9e107d9d372bb6826bd81d3542a419d6")
        #expect(
            MD5.hexDigest(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "7707d6ae4e027c70eea2a935c2296f21")
        #expect(SHA256.digest(of: Data("abc".utf8)).count == 32)
    }

    /// A copy of a hasher continues on its own (value semantics over the OpenSSL context), and
    /// `finalize` starts the hasher over on an empty message.
    @Test func copiesAreIndependentAndFinalizeStartsOver() {
        var prefix = SHA256()
        prefix.update(Array("ab".utf8))
        var copy = prefix
        copy.update(Array("c".utf8))
        prefix.update(Array("x".utf8))
        #expect(hexString(copy.finalize()) == SHA256.hexDigest(of: Array("abc".utf8)))
        #expect(hexString(prefix.finalize()) == SHA256.hexDigest(of: Array("abx".utf8)))
        #expect(
            hexString(prefix.finalize())
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var md5 = MD5()
        md5.update(Array("abc".utf8))
        let snapshot = md5
        #expect(hexString(md5.finalize()) == "900150983cd24fb0d6963f7d28e17f72")
        var resumed = snapshot
        #expect(hexString(resumed.finalize()) == "900150983cd24fb0d6963f7d28e17f72")
    }

    /// Files larger than the 1 MiB read chunk stream through `_digest(of:using:)`:
    /// hashlib's digests of `bytes(range(256)) * 10000` (2,560,000 bytes).
    @Test func streamsFilesLargerThanOneChunk() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let message = (0..<2_560_000).map { UInt8(truncatingIfNeeded: $0) }
        let file = try scratch.write(message, to: "large.bin")
        #expect(
            try _digest(of: file, using: SHA256())
                == "2350b445eb01b3dc3c68b3e42b5b5678349472e2cbf75539fd75172f931ad1ee")
        #expect(try _digest(of: file, using: MD5()) == "a4c40ee1a1b44c533eeb5a6c5d91e4e1")
    }
}
