import Datasets
import Foundation
import RunRecords
import Testing

@testable import ChapterSupport

/// Stage keys depend on the bytes of the dataset files a run loaded, not only on the dataset's
/// name: other files under the same name give other keys (and retrain), the same files give the
/// same keys wherever they lie, and the digests are remembered between runs.
@Suite struct DataDigestTests {
    /// A data directory holding a CIFAR-10 of 3 training and 2 test records of learnable
    /// structure, and a manifest that (like the real one) records no digest of the extracted
    /// files, so any well-formed replacement loads.
    private func dataDirectory(in folder: TestDirectory, name: String = "data", pixelOffset: UInt8 = 0) throws -> URL {
        let data = folder.url.appendingPathComponent(name, isDirectory: true)
        let cifar = data.appendingPathComponent("cifar-10-batches-bin", isDirectory: true)
        try FileManager.default.createDirectory(at: cifar, withIntermediateDirectories: true)
        func records(_ count: Int) -> Data {
            var bytes: [UInt8] = []
            for i in 0..<count {
                bytes.append(UInt8(i % 10))
                for j in 0..<3072 { bytes.append(UInt8((i * 7 + j) % 251) &+ pixelOffset) }
            }
            return Data(bytes)
        }
        try records(3).write(to: cifar.appendingPathComponent("data_batch_1.bin"))
        try records(2).write(to: cifar.appendingPathComponent("test_batch.bin"))
        func file(_ split: String, _ name: String, _ count: Int) -> String {
            #"{"split": "\#(split)", "role": "records", "name": "\#(name)", "records": \#(count), "#
                + #""contentBytes": \#(count * 3073)}"#
        }
        let manifest = #"{"formatVersion": 1, "datasets": [{"id": "cifar10", "licence": "test", "#
            + #""citation": "test", "upstream": "test", "directories": ["cifar-10-batches-bin"], "obtain": [], "#
            + #""files": [\#(file("train", "data_batch_1.bin", 3)), \#(file("test", "test_batch.bin", 2))]}]}"#
        try Data(manifest.utf8).write(to: data.appendingPathComponent("manifest.json"))
        return data
    }

    /// A run's context (its cache under `folder`) after loading both splits from `data`.
    private func loaded(_ data: URL, cache folder: TestDirectory) throws -> ChapterContext {
        let options = try ChapterOptions.parse(["--profile", "smoke", "--cache", folder.url.appendingPathComponent("cache").path])
        let context = try ChapterContext(chapter: "classic", options: options, commandLine: ["chapter-classic"])
        _ = try context.loadDataset(.cifar10, split: .train, dataDirectory: data)
        _ = try context.loadDataset(.cifar10, split: .test, dataDirectory: data)
        return context
    }

    private func annKey(_ context: ChapterContext) throws -> StageKey {
        try context.makeStageCache().key("ann", version: 1, config: ["epochs": 2])
    }

    @Test func replacingTheDatasetFilesChangesEveryStageKey() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let data = try dataDirectory(in: folder)
        let original = try loaded(data, cache: folder)
        let key = try annKey(original)
        let digest = try #require(original.facts.dataDigest)
        #expect(digest.files.map(\.part) == ["cifar10/train", "cifar10/test"])
        #expect(digest.files.map(\.name) == ["data_batch_1.bin", "test_batch.bin"])
        #expect(digest.files[0].bytes == 3 * 3073)

        // Before any data is loaded, keys differ from keys with data (and say "none").
        let options = try ChapterOptions.parse(["--profile", "smoke"])
        let empty = try ChapterContext(chapter: "classic", options: options, commandLine: [])
        #expect(try annKey(empty) != key)

        // Same bytes: same key. Well-formed files with other pixels, same size: another key.
        #expect(try annKey(loaded(data, cache: folder)) == key)
        let batch = data.appendingPathComponent("cifar-10-batches-bin/data_batch_1.bin")
        var bytes = try Data(contentsOf: batch)
        bytes[1] &+= 1   // one pixel of the first image
        try bytes.write(to: batch)
        let replaced = try loaded(data, cache: folder)
        #expect(try annKey(replaced) != key)
        #expect(replaced.facts.dataDigest?.sha256 != digest.sha256)
        #expect(replaced.facts.dataDigest?.files[1] == digest.files[1])   // the test file did not change
    }

    @Test func theSameFilesElsewhereGiveTheSameKey() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let a = try dataDirectory(in: folder, name: "a")
        let b = try dataDirectory(in: folder, name: "b")
        let c = try dataDirectory(in: folder, name: "c", pixelOffset: 1)
        #expect(try annKey(loaded(a, cache: folder)) == annKey(loaded(b, cache: folder)))
        #expect(try annKey(loaded(a, cache: folder)) != annKey(loaded(c, cache: folder)))
    }

    /// Digests are remembered by path, size, modification time and inode: a second run reads
    /// them from `dataset-digests.json` (here: a planted wrong digest proves it was not
    /// recomputed), and a rewritten file is hashed again.
    @Test func digestsAreRememberedUntilTheFileChanges() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let data = try dataDirectory(in: folder)
        let first = try loaded(data, cache: folder)
        let memory = folder.url.appendingPathComponent("cache/dataset-digests.json")
        let real = try #require(first.facts.dataDigest?.files[0].sha256)
        let text = try String(contentsOf: memory, encoding: .utf8)
        #expect(text.contains(real))
        try text.replacingOccurrences(of: real, with: String(repeating: "0", count: 64))
            .write(to: memory, atomically: true, encoding: .utf8)
        #expect(try loaded(data, cache: folder).facts.dataDigest?.files[0].sha256 == String(repeating: "0", count: 64))

        let batch = data.appendingPathComponent("cifar-10-batches-bin/data_batch_1.bin")
        let bytes = try Data(contentsOf: batch)
        try FileManager.default.removeItem(at: batch)
        try bytes.write(to: batch)   // same bytes, new file: new inode and time, hashed again
        #expect(try loaded(data, cache: folder).facts.dataDigest?.files[0].sha256 == real)
    }

    @Test func resultsJSONRecordsTheDigest() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let context = try loaded(dataDirectory(in: folder), cache: folder)
        let record = try RunRecord(context: context, config: ["a": 1], metrics: ["b": 2])
        #expect(record.data == context.facts.dataDigest)
        #expect(record.degenerate == [])
        #expect(Provenance(record: record).dataDigest == context.facts.dataDigest?.sha256)
    }
}
