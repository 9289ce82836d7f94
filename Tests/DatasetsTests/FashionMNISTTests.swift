import Foundation
import TensorCore
import Testing

@testable import Datasets

/// The real Fashion-MNIST from the Debian package, when installed: checksums, sizes, the
/// class balance and the pixel statistics quoted in the docs.
@Suite(
    .enabled(
        if: FileManager.default.fileExists(
            atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")))
struct FashionMNISTTests {
    @Test func loadsVerifiedAndBalanced() throws {
        let clock = ContinuousClock()
        var train: LabeledImages?
        let elapsed = try clock.measure {
            train = try LabeledImages.load(
                .fashionMNIST, split: .train, dataDirectory: Fixtures.dataDirectory)
        }
        let test = try LabeledImages.load(
            .fashionMNIST, split: .test, dataDirectory: Fixtures.dataDirectory)
        let data = try #require(train)
        print("Fashion-MNIST train: loaded and SHA-256-verified in \(elapsed)")

        #expect(
            data.images.shape == [60_000, 1, 28, 28] && test.images.shape == [10_000, 1, 28, 28])
        #expect(data.classCounts == Array(repeating: 6_000, count: 10))
        #expect(test.classCounts == Array(repeating: 1_000, count: 10))

        let normalization = Normalization(fittedTo: data)
        #expect(abs(normalization.mean[0] - 0.286) < 0.0005)  // docs/backend-notes.md §3.5
        #expect(abs(normalization.std[0] - 0.353) < 0.0005)  // quoted in Normalization's docs
        #expect(data.images.scalars.allSatisfy { (0...1).contains($0) })

        // `subset(limit:)`'s doc quotes the class balance of the first 6000 images.
        let prefix = data.subset(limit: 6_000).classCounts
        #expect(prefix.min() == 560 && prefix.max() == 643, "\(prefix)")
    }

    @Test func debianFilesMatchTheManifest() throws {
        let manifest = try DatasetManifest(
            contentsOf: Fixtures.dataDirectory.appendingPathComponent("manifest.json"))
        for file in try manifest.entry(for: .fashionMNIST).files {
            let url = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist/\(file.name)")
            #expect(_fileSize(url) == file.bytes)
            #expect(try _digest(of: url, using: SHA256()) == file.sha256)
        }
    }
}
