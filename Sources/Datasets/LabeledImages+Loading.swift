import Foundation
import TensorCore

/// What `LabeledImages.load` does when a dataset's files are not on disk.
public enum MissingDataPolicy: Sendable {
    /// Throw `DatasetError.missingFiles`, whose message says how to obtain the data.
    case fail
    /// Download the dataset's archive (CIFAR), check its checksum, extract it into the data
    /// directory, then load. Datasets without an archive (Fashion-MNIST) still fail.
    case download
}

extension LabeledImages {
    /// Loads one split of a dataset, checking it against the manifest.
    ///
    /// The files, their record counts and their SHA-256 come from `manifest`
    /// (by default `data/manifest.json`). Fashion-MNIST is looked for in
    /// `/usr/share/datasets/fashion-mnist/` (Debian package `dataset-fashion-mnist`) and then
    /// `data/fashion-mnist/`, gzip'd or not, and must match the recorded SHA-256 (of the file
    /// as distributed, or of its decompressed content; see `DatasetManifest.File.verify`).
    /// CIFAR-10/100 are read from `data/cifar-10-batches-bin/` and
    /// `data/cifar-100-binary/`; their extracted files have no recorded digest, so their
    /// structure is checked instead (exact record counts, labels in range).
    ///
    /// - Parameters:
    ///   - dataset: which dataset.
    ///   - split: `.train` or `.test`.
    ///   - dataDirectory: the directory holding `manifest.json` and the datasets.
    ///   - manifest: overrides the manifest read from `dataDirectory` (tests).
    ///   - ifMissing: `.fail` (default) or `.download` (CIFAR only; the `--download` option).
    /// - Returns: images `[N, C, H, W]` in [0, 1] and labels in file order.
    /// - Throws: `DatasetError`; every case names the file and says what to do.
    /// - Complexity: O(dataset size). For Fashion-MNIST the time goes to inflating the images
    ///   and converting them to Float; the SHA-256 of the stored file runs on a second thread
    ///   meanwhile.
    public static func load(
        _ dataset: DatasetID, split: DatasetSplit,
        dataDirectory: URL = DatasetManifest.defaultDataDirectory,
        manifest: DatasetManifest? = nil, ifMissing: MissingDataPolicy = .fail
    ) throws -> LabeledImages {
        let manifest =
            try manifest
            ?? DatasetManifest(contentsOf: dataDirectory.appendingPathComponent("manifest.json"))
        let entry = try manifest.entry(for: dataset)
        let files = entry.files.filter { $0.split == split }
        guard !files.isEmpty else {
            throw DatasetError.manifestProblem(
                path: "manifest.json",
                reason: "lists no \(split.rawValue) files for \(dataset.rawValue)")
        }

        var found = _locate(files, of: entry, in: dataDirectory)
        if found == nil, ifMissing == .download, let archive = entry.archive {
            try DatasetDownloader(dataDirectory: dataDirectory).fetch(archive)
            found = _locate(files, of: entry, in: dataDirectory)
        }
        guard let found else {
            let directories = entry.searchDirectories(in: dataDirectory)
            let missing = files.filter { file in
                !directories.contains { directory in _existing(file, in: directory) != nil }
            }
            throw DatasetError.missingFiles(
                dataset: "\(dataset.title) (\(split.rawValue))",
                missing: missing.map(\.name), searched: directories.map(_displayPath),
                instructions: entry.instructions(dataDirectory: dataDirectory))
        }

        switch dataset.format {
        case .idx:
            return try _loadIDX(dataset, files: files, urls: found)
        case .cifarRecords:
            return try _loadCIFAR(dataset, files: files, urls: found)
        }
    }

    /// The files `load` reads for one split of `dataset`, in manifest order: those of the first
    /// searched directory that holds all of them (nothing is verified or downloaded here).
    ///
    /// - Throws: `DatasetError.manifestProblem` for a dataset the manifest lacks, or
    ///   `.missingFiles` when no directory holds every file.
    public static func files(
        of dataset: DatasetID, split: DatasetSplit,
        dataDirectory: URL = DatasetManifest.defaultDataDirectory, manifest: DatasetManifest? = nil
    ) throws -> [URL] {
        let manifest =
            try manifest
            ?? DatasetManifest(contentsOf: dataDirectory.appendingPathComponent("manifest.json"))
        let entry = try manifest.entry(for: dataset)
        let files = entry.files.filter { $0.split == split }
        guard let found = _locate(files, of: entry, in: dataDirectory), !files.isEmpty else {
            throw DatasetError.missingFiles(
                dataset: "\(dataset.title) (\(split.rawValue))", missing: files.map(\.name),
                searched: entry.searchDirectories(in: dataDirectory).map(_displayPath),
                instructions: entry.instructions(dataDirectory: dataDirectory))
        }
        return found
    }

    /// The first directory that holds every file, as one URL per file; nil if none does.
    private static func _locate(
        _ files: [DatasetManifest.File], of entry: DatasetManifest.Entry, in dataDirectory: URL
    ) -> [URL]? {
        for directory in entry.searchDirectories(in: dataDirectory) {
            let urls = files.compactMap { _existing($0, in: directory) }
            if urls.count == files.count { return urls }
        }
        return nil
    }

    /// The file under one of its accepted names (gzip'd or not) in `directory`, if present.
    private static func _existing(_ file: DatasetManifest.File, in directory: URL) -> URL? {
        file.acceptedNames.lazy.map { directory.appendingPathComponent($0) }
            .first { _fileSize($0) != nil }
    }

    /// Fashion-MNIST: one images file and one labels file per split.
    private static func _loadIDX(
        _ dataset: DatasetID, files: [DatasetManifest.File], urls: [URL]
    ) throws -> LabeledImages {
        guard let imageIndex = files.firstIndex(where: { $0.role == .images }),
            let labelIndex = files.firstIndex(where: { $0.role == .labels })
        else {
            throw DatasetError.manifestProblem(
                path: "manifest.json", reason: "needs an images and a labels file per split")
        }
        let imageURL = urls[imageIndex]
        let labelURL = urls[labelIndex]
        let imageFile = try files[imageIndex].verify(
            imageURL,
            read: { try IDXFile.read(contentsOf: imageURL, expectedMagic: IDXFile.imageMagic) },
            contentDigest: { $0.contentSHA256() })
        let labelFile = try files[labelIndex].verify(
            labelURL,
            read: { try IDXFile.read(contentsOf: labelURL, expectedMagic: IDXFile.labelMagic) },
            contentDigest: { $0.contentSHA256() })

        let pixels = Array(dataset.imageShape.dropFirst())  // [28, 28]
        guard Array(imageFile.dimensions.dropFirst()) == pixels else {
            throw DatasetError.unexpectedShape(
                file: imageURL.path, found: imageFile.dimensions, expected: dataset.imageShape)
        }
        let imageCount = imageFile.dimensions[0]
        let labelCount = labelFile.dimensions[0]
        guard imageCount == labelCount else {
            throw DatasetError.countMismatch(
                images: imageURL.path, imageCount: imageCount,
                labels: labelURL.path, labelCount: labelCount)
        }
        guard imageCount == files[imageIndex].records else {
            throw DatasetError.recordCountMismatch(
                file: imageURL.path, expected: files[imageIndex].records, found: imageCount)
        }
        let labels = try labelFile.labels(classCount: dataset.classCount)
        return LabeledImages(images: imageFile.images(), labels: labels, dataset: dataset)
    }

    /// CIFAR-10/100: one or more record files per split, concatenated in manifest order.
    private static func _loadCIFAR(
        _ dataset: DatasetID, files: [DatasetManifest.File], urls: [URL]
    ) throws -> LabeledImages {
        let total = files.map(\.records).reduce(0, +)
        let imageSize = dataset.imageShape.reduce(1, *)
        var images = Tensor(shape: [total] + dataset.imageShape)
        var labels: [Int] = []
        labels.reserveCapacity(total)
        for (file, url) in zip(files, urls) {
            let part = try file.verify(
                url,
                read: {
                    try CIFARFile(contentsOf: url, dataset: dataset, expectedRecords: file.records)
                })
            let offset = labels.count * imageSize
            images.withUnsafeMutableBufferPointer { destination in
                part.images.withUnsafeBufferPointer { source in
                    (destination.baseAddress! + offset)
                        .update(from: source.baseAddress!, count: source.count)
                }
            }
            labels += part.labels
        }
        return LabeledImages(images: images, labels: labels, dataset: dataset)
    }
}
