import Foundation
import TensorCore
import Testing

@testable import Datasets

/// The IDX reader on the committed fixtures (gzip'd and raw) and on damaged copies of them.
@Suite struct IDXFileTests {
    @Test func readsGzippedFixtureExactly() throws {
        let images = try IDXFile.read(
            contentsOf: Fixtures.url("fashion-mnist/train-images-idx3-ubyte.gz"),
            expectedMagic: IDXFile.imageMagic)
        #expect(images.dimensions == [3, 28, 28])
        #expect(images.images() == Fixtures.expectedImages(count: 3, channels: 1, size: 28))
        let labels = try IDXFile.read(
            contentsOf: Fixtures.url("fashion-mnist/train-labels-idx1-ubyte.gz"),
            expectedMagic: IDXFile.labelMagic)
        #expect(try labels.labels(classCount: 10) == Fixtures.fashionTrainLabels)
    }

    @Test func readsRawFixtureExactly() throws {
        let images = try IDXFile.read(
            contentsOf: Fixtures.url("fashion-mnist/t10k-images-idx3-ubyte"),
            expectedMagic: IDXFile.imageMagic)
        let pixels = images.images()
        #expect(pixels == Fixtures.expectedImages(count: 2, channels: 1, size: 28))
        // The byte → [0, 1] map hits both ends exactly: 0 → 0 and 255 → 1.
        #expect(pixels.scalars.min() == 0 && pixels.scalars.max() == 1)
        let labels = try IDXFile.read(
            contentsOf: Fixtures.url("fashion-mnist/t10k-labels-idx1-ubyte"),
            expectedMagic: IDXFile.labelMagic)
        #expect(try labels.labels(classCount: 10) == Fixtures.fashionTestLabels)
    }

    /// The content digest covers the whole decompressed file, header included: for the raw
    /// fixture it equals the digest of the file's bytes, for the gzip'd one the manifest's.
    @Test func contentDigestCoversTheDecompressedFile() throws {
        let raw = Fixtures.url("fashion-mnist/t10k-images-idx3-ubyte")
        #expect(
            try IDXFile.read(contentsOf: raw, expectedMagic: IDXFile.imageMagic).contentSHA256()
                == SHA256.hexDigest(of: try bytes(of: raw)))
        let entry = try Fixtures.manifest().entry(for: .fashionMNIST).files[0]
        let gz = Fixtures.url("fashion-mnist/" + entry.name)
        #expect(
            try IDXFile.read(contentsOf: gz, expectedMagic: IDXFile.imageMagic).contentSHA256()
                == entry.contentSHA256)
    }

    @Test func labelFileReadAsImagesHasBadMagic() throws {
        let url = Fixtures.url("fashion-mnist/t10k-labels-idx1-ubyte")
        let error = #expect(throws: DatasetError.self) {
            try IDXFile.read(contentsOf: url, expectedMagic: IDXFile.imageMagic)
        }
        #expect(error == .badMagic(file: url.path, found: 0x0801, expected: 0x0803))
        #expect(error?.description.contains("0x00000801") == true)
    }

    @Test func garbageHasBadMagic() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let url = try scratch.write(
            Array("<html>not found</html>".utf8), to: "t10k-images-idx3-ubyte")
        let error = #expect(throws: DatasetError.self) {
            try IDXFile.read(contentsOf: url, expectedMagic: IDXFile.imageMagic)
        }
        guard case .badMagic(let file, let found, _)? = error else {
            Issue.record("expected badMagic, got \(String(describing: error))")
            return
        }
        #expect(file == url.path && found == 0x3C68_746D)  // "<htm"
    }

    @Test(arguments: [3, 10, 16, 1000, 1583])
    func truncatedRawFileIsReported(keptBytes: Int) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let whole = try bytes(of: Fixtures.url("fashion-mnist/t10k-images-idx3-ubyte"))
        let url = try scratch.write(Array(whole.prefix(keptBytes)), to: "cut-idx3-ubyte")
        let error = #expect(throws: DatasetError.self) {
            try IDXFile.read(contentsOf: url, expectedMagic: IDXFile.imageMagic)
        }
        guard case .truncated(let file, _, let actual)? = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
        #expect(file.hasSuffix("cut-idx3-ubyte") && actual == keptBytes)
    }

    @Test func truncatedGzipStreamIsReported() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let whole = try bytes(of: Fixtures.url("fashion-mnist/train-images-idx3-ubyte.gz"))
        let url = try scratch.write(Array(whole.prefix(whole.count / 2)), to: "cut.gz")
        let error = #expect(throws: DatasetError.self) {
            try IDXFile.read(contentsOf: url, expectedMagic: IDXFile.imageMagic)
        }
        guard case .truncated(let file, let expected, let actual)? = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
        #expect(file == url.path && expected == 16 + 3 * 784 && actual < expected)
    }

    /// A corrupt header declaring ~4·10⁹ images is reported as truncation, without trying to
    /// allocate terabytes first (raw and gzip'd).
    @Test func absurdHeaderIsTruncationNotACrash() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let content: [UInt8] = [
            0, 0, 8, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3, 4,
        ]
        let declared = 16 + 0xFFFF_FFFF * 28 * 28
        for (name, stored) in [
            ("raw-idx3-ubyte", content), ("gz-idx3-ubyte.gz", try gzipped(content)),
        ] {
            let url = try scratch.write(stored, to: name)
            let error = #expect(throws: DatasetError.self) {
                try IDXFile.read(contentsOf: url, expectedMagic: IDXFile.imageMagic)
            }
            #expect(error == .truncated(file: url.path, expectedBytes: declared, actualBytes: 20))
        }
        // Three extents of 2³² − 1 overflow 64 bits; still a truncation report, not a trap.
        let url = try scratch.write(
            [0, 0, 8, 3] + [UInt8](repeating: 0xFF, count: 12) + [7], to: "huge")
        let error = #expect(throws: DatasetError.self) {
            try IDXFile.read(contentsOf: url, expectedMagic: IDXFile.imageMagic)
        }
        guard case .truncated(_, _, 17)? = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
    }

    @Test func extraBytesAreReported() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let whole = try bytes(of: Fixtures.url("fashion-mnist/t10k-labels-idx1-ubyte"))
        let url = try scratch.write(whole + [1, 2], to: "long-idx1-ubyte")
        let error = #expect(throws: DatasetError.self) {
            try IDXFile.read(contentsOf: url, expectedMagic: IDXFile.labelMagic)
        }
        #expect(error == .trailingBytes(file: url.path, expectedBytes: 10))
    }

    @Test func labelOutOfRangeIsReported() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let url = try scratch.write([0, 0, 8, 1, 0, 0, 0, 3, 4, 10, 2], to: "bad-labels")
        let file = try IDXFile.read(contentsOf: url, expectedMagic: IDXFile.labelMagic)
        let error = #expect(throws: DatasetError.self) { try file.labels(classCount: 10) }
        #expect(error == .labelOutOfRange(file: url.path, index: 1, label: 10, classCount: 10))
    }

    @Test func missingFileIsUnreadable() {
        let error = #expect(throws: DatasetError.self) {
            try IDXFile.read(
                contentsOf: URL(fileURLWithPath: "/nonexistent/x-idx1-ubyte"),
                expectedMagic: IDXFile.labelMagic)
        }
        guard case .unreadable(let file, _)? = error else {
            Issue.record("expected unreadable, got \(String(describing: error))")
            return
        }
        #expect(file == "/nonexistent/x-idx1-ubyte")
    }
}
