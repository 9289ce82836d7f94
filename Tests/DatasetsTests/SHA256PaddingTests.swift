import Foundation
import Testing

import Datasets

/// SHA-256 against Python's hashlib at every padding boundary (55/56 bytes: the length field
/// fits or spills into a second block), and the `Data` entry points ChapterSupport uses for
/// stage keys and checkpoints. The FIPS 180-4 vectors are in `DigestTests`.
@Suite struct SHA256PaddingTests {
    /// Digests of n × "a" from Python's `hashlib.sha256`, around the 64-byte block edges.
    @Test(arguments: [
        (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
        (119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
        (128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        #expect(SHA256.hexDigest(of: Data(repeating: UInt8(ascii: "a"), count: length)) == expected)
    }

    /// Feeding the same `Data` in uneven chunks (an empty one included) must not change the
    /// digest.
    @Test func incrementalDataUpdatesMatchOneShot() {
        let message = Data((0..<256_000).map { UInt8(truncatingIfNeeded: $0) })
        var hasher = SHA256()
        var offset = 0
        for chunk in [0, 1, 63, 64, 65, 1000, 7] where offset < message.count {
            hasher.update(message.subdata(in: offset..<min(offset + chunk, message.count)))
            offset += chunk
        }
        hasher.update(message.subdata(in: offset..<message.count))
        let digest = hasher.finalize().map { String($0, radix: 16) }.map {
            $0.count == 1 ? "0" + $0 : $0
        }
        // hashlib.sha256(bytes(range(256)) * 1000).hexdigest()
        #expect(
            digest.joined() == "b57b64b198d5d59ce5a22a9b9f25e72a7d081476d432051aa923f3dbebb90934")
        #expect(SHA256.hexDigest(of: message) == digest.joined())
    }
}
