// The dataset options of a run, in the types the `Datasets` loaders take, and the one way a
// chapter loads its data: through the run, so that the stage keys know which files they hash.

import ArgumentParser
import Datasets
import Foundation
import RunRecords

/// `--dataset fashion-mnist|cifar10|cifar100` names the loaders' own `DatasetID`.
extension DatasetID: ExpressibleByArgument {}

extension ChapterContext {
    /// Loads one split of `dataset` (`LabeledImages.load`, downloading a missing CIFAR archive
    /// under `--download`) and adds the SHA-256 of its files to the run's data digest
    /// (`facts.dataDigest`): every stage key computed afterwards depends on the bytes loaded,
    /// not just on the dataset's name, and results.json records them.
    ///
    /// The digests are remembered in `<cache>/dataset-digests.json` by path, size,
    /// modification time and inode, so unchanged files are hashed once, not every run.
    ///
    /// - Throws: `DatasetError` (missing, corrupt or unverifiable files; the message says what
    ///   to do), or the file system's error when a file cannot be read.
    public func loadDataset(_ dataset: DatasetID, split: DatasetSplit,
                            dataDirectory: URL = DatasetManifest.defaultDataDirectory) throws -> LabeledImages {
        let images = try LabeledImages.load(dataset, split: split, dataDirectory: dataDirectory,
                                            ifMissing: missingData)
        facts.addDataFiles(try dataFiles(dataset, split: split, dataDirectory: dataDirectory))
        return images
    }

    /// The files of one split with their SHA-256 (remembered in `<cache>/dataset-digests.json`).
    func dataFiles(_ dataset: DatasetID, split: DatasetSplit,
                   dataDirectory: URL = DatasetManifest.defaultDataDirectory) throws -> [DataDigest.File] {
        let urls = try LabeledImages.files(of: dataset, split: split, dataDirectory: dataDirectory)
        let memory = DatasetDigests(url: cacheRoot.appendingPathComponent("dataset-digests.json"))
        return try memory.digests(of: urls, part: "\(dataset.rawValue)/\(split.rawValue)")
    }
}
