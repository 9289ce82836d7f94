import Foundation
import TensorCore
import Testing

@testable import Datasets

/// `LabeledImages.load` driven by the fixture manifest: locating files, checking digests and
/// structure, and the messages for missing or damaged data.
@Suite struct LoadingTests {
    @Test(arguments: [
        (DatasetID.fashionMNIST, DatasetSplit.train, 3, Fixtures.fashionTrainLabels),
        (.fashionMNIST, .test, 2, Fixtures.fashionTestLabels),  // stored un-gzipped
        (.cifar10, .train, 3, Fixtures.cifar10TrainLabels),
        (.cifar10, .test, 2, Fixtures.cifar10TestLabels),
        (.cifar100, .train, 3, Fixtures.cifar100TrainFine),
        (.cifar100, .test, 2, Fixtures.cifar100TestFine),
    ])
    func loadsEveryFixtureSplit(dataset: DatasetID, split: DatasetSplit, count: Int, labels: [Int])
        throws
    {
        let data = try LabeledImages.load(dataset, split: split, dataDirectory: Fixtures.directory)
        let shape = dataset.imageShape
        #expect(
            data.images == Fixtures.expectedImages(count: count, channels: shape[0], size: shape[1])
        )
        #expect(data.labels == labels)
        #expect(data.dataset == dataset && data.classNames == dataset.classNames)
    }

    @Test func missingFashionMNISTSaysHowToInstallIt() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let error = #expect(throws: DatasetError.self) {
            try LabeledImages.load(
                .fashionMNIST, split: .train, dataDirectory: scratch.url,
                manifest: try Fixtures.manifest())
        }
        guard case .missingFiles(_, let missing, let searched, _)? = error else {
            Issue.record("expected missingFiles, got \(String(describing: error))")
            return
        }
        #expect(missing == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"])
        #expect(searched.count == 1 && searched[0].hasSuffix("fashion-mnist"))
        #expect(error!.description.contains("apt-get install dataset-fashion-mnist"))
        #expect(error!.description.contains("/fashion-mnist/"))
    }

    /// With the real manifest, a missing CIFAR-10 names the URL, the curl and tar commands,
    /// the directory they create and `--download`.
    @Test func missingCIFARSaysHowToDownloadIt() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let manifest = try DatasetManifest(
            contentsOf: Fixtures.dataDirectory.appendingPathComponent("manifest.json"))
        for (dataset, archive, directory) in [
            (DatasetID.cifar10, "cifar-10-binary.tar.gz", "cifar-10-batches-bin"),
            (.cifar100, "cifar-100-binary.tar.gz", "cifar-100-binary"),
        ] {
            let error = #expect(throws: DatasetError.self) {
                try LabeledImages.load(
                    dataset, split: .test, dataDirectory: scratch.url, manifest: manifest)
            }
            let message = error?.description ?? ""
            let url = "https://www.cs.toronto.edu/~kriz/\(archive)"
            #expect(message.contains("curl -L -o \(scratch.url.path)/\(archive) \(url)"))
            #expect(
                message.contains("tar -xzf \(scratch.url.path)/\(archive) -C \(scratch.url.path)/"))
            #expect(message.contains("creates \(scratch.url.path)/\(directory)/"))
            #expect(message.contains("--download"))
        }
    }

    @Test func corruptedFixtureFailsItsChecksum() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let copy = try scratch.copyOfFixtures()
        let file = copy.appendingPathComponent("fashion-mnist/t10k-images-idx3-ubyte")
        var pixels = try bytes(of: file)
        pixels[500] ^= 0x01  // one bit of one pixel
        try Data(pixels).write(to: file)
        let error = #expect(throws: DatasetError.self) {
            try LabeledImages.load(.fashionMNIST, split: .test, dataDirectory: copy)
        }
        guard case .checksumMismatch(let path, _, let expected, let found)? = error else {
            Issue.record("expected checksumMismatch, got \(String(describing: error))")
            return
        }
        #expect(path == file.path && expected != found && found == SHA256.hexDigest(of: pixels))
    }

    /// A copy compressed by someone else (here the system's gzip) has a different file digest
    /// but the same content, and verifies through `contentSHA256`; a damaged one does not.
    @Test func differentlyCompressedCopyVerifiesByContent() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let copy = try scratch.copyOfFixtures()
        let raw = copy.appendingPathComponent("fashion-mnist/t10k-images-idx3-ubyte")
        let content = try bytes(of: raw)
        let recompressed = try gzipped(content)
        try FileManager.default.removeItem(at: raw)
        let gz = raw.appendingPathExtension("gz")
        try Data(recompressed).write(to: gz)
        let test = try LabeledImages.load(.fashionMNIST, split: .test, dataDirectory: copy)
        #expect(test.images == Fixtures.expectedImages(count: 2, channels: 1, size: 28))

        var damaged = content
        damaged[100] ^= 0x80
        try Data(try gzipped(damaged)).write(to: gz)
        let error = #expect(throws: DatasetError.self) {
            try LabeledImages.load(.fashionMNIST, split: .test, dataDirectory: copy)
        }
        guard
            case .checksumMismatch(gz.path, "SHA-256 of the decompressed content", _, let found)? =
                error
        else {
            Issue.record("expected a content checksumMismatch, got \(String(describing: error))")
            return
        }
        #expect(found == SHA256.hexDigest(of: damaged))
    }

    @Test func corruptedCIFARFixtureFailsItsChecksum() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let copy = try scratch.copyOfFixtures()
        let file = copy.appendingPathComponent("cifar-100-binary/test.bin")
        var records = try bytes(of: file)
        records[3000] &+= 1  // one pixel: structure intact, only the digest can tell
        try Data(records).write(to: file)
        let error = #expect(throws: DatasetError.self) {
            try LabeledImages.load(.cifar100, split: .test, dataDirectory: copy)
        }
        guard case .checksumMismatch(file.path, "SHA-256", _, let found)? = error else {
            Issue.record("expected checksumMismatch, got \(String(describing: error))")
            return
        }
        #expect(found == SHA256.hexDigest(of: records))
    }

    @Test func imageAndLabelCountsMustAgree() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let copy = try scratch.copyOfFixtures()
        try Data([0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3])
            .write(to: copy.appendingPathComponent("fashion-mnist/t10k-labels-idx1-ubyte"))
        var manifest = try Fixtures.manifest()
        manifest.datasets[0].files[3].contentSHA256 = nil  // let the new labels file through
        let error = #expect(throws: DatasetError.self) {
            try LabeledImages.load(
                .fashionMNIST, split: .test, dataDirectory: copy, manifest: manifest)
        }
        guard case .countMismatch(_, 2, _, 3)? = error else {
            Issue.record("expected countMismatch 2 vs 3, got \(String(describing: error))")
            return
        }
    }

    @Test func imagesOfTheWrongSizeAreRejected() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let copy = try scratch.copyOfFixtures()
        let header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]
        try Data(header + [1, 2, 3, 4, 5, 6, 7, 8])
            .write(to: copy.appendingPathComponent("fashion-mnist/t10k-images-idx3-ubyte"))
        var manifest = try Fixtures.manifest()
        manifest.datasets[0].files[2].contentSHA256 = nil
        let error = #expect(throws: DatasetError.self) {
            try LabeledImages.load(
                .fashionMNIST, split: .test, dataDirectory: copy, manifest: manifest)
        }
        guard case .unexpectedShape(_, [2, 2, 2], [1, 28, 28])? = error else {
            Issue.record("expected unexpectedShape, got \(String(describing: error))")
            return
        }
    }

    @Test func recordCountsComeFromTheManifest() throws {
        var manifest = try Fixtures.manifest()
        let cifar = try #require(manifest.datasets.firstIndex { $0.id == .cifar10 })
        manifest.datasets[cifar].files[0].records = 10_000
        let error = #expect(throws: DatasetError.self) {
            try LabeledImages.load(
                .cifar10, split: .train, dataDirectory: Fixtures.directory,
                manifest: manifest)
        }
        guard case .recordCountMismatch(_, 10_000, 3)? = error else {
            Issue.record("expected recordCountMismatch, got \(String(describing: error))")
            return
        }
    }

    /// The real manifest agrees with the formats: an entry per dataset, the published
    /// counts (60000/10000, 50000/10000), and file sizes equal to records × record size.
    @Test func realManifestIsConsistent() throws {
        let manifest = try DatasetManifest(
            contentsOf: Fixtures.dataDirectory.appendingPathComponent("manifest.json"))
        let expected: [DatasetID: (train: Int, test: Int)] = [
            .fashionMNIST: (60_000, 10_000), .cifar10: (50_000, 10_000),
            .cifar100: (50_000, 10_000),
        ]
        for dataset in DatasetID.allCases {
            let entry = try manifest.entry(for: dataset)
            let records = { (split: DatasetSplit) in
                entry.files.filter { $0.split == split && $0.role != .labels }.map(\.records)
                    .reduce(0, +)
            }
            #expect(records(.train) == expected[dataset]!.train, "\(dataset)")
            #expect(records(.test) == expected[dataset]!.test, "\(dataset)")
            for file in entry.files {
                switch (dataset.format, file.role) {
                case (.idx, .images): #expect(file.contentBytes == 16 + file.records * 784)
                case (.idx, _): #expect(file.contentBytes == 8 + file.records)
                case (.cifarRecords(let labelBytes), _):
                    #expect(file.contentBytes == file.records * (labelBytes + 3072))
                }
                #expect(
                    file.contentSHA256 != nil || entry.archive?.md5 != nil,
                    "\(file.name) unverifiable")
            }
        }
        #expect(
            try manifest.entry(for: .cifar10).archive?.md5 == "c32a1d4ab5d03f1284b67883e8d87530")
        #expect(
            try manifest.entry(for: .cifar100).archive?.md5 == "03b5dce01913d631647c71ecec9e9cb8")
    }

    @Test func classNamesMatchClassCounts() {
        #expect(DatasetID.fashionMNIST.classCount == 10)
        #expect(DatasetID.cifar10.classCount == 10)
        #expect(DatasetID.cifar100.classCount == 100)
        #expect(Set(DatasetID.cifar100.classNames).count == 100)
        #expect(DatasetID.cifar100.classNames == DatasetID.cifar100.classNames.sorted())
    }
}
