// SHA-256 of the dataset files a run loads, remembered between runs so that the 180 MB of
// CIFAR-10 are hashed once, not every run.

import Datasets
import Foundation
import RunRecords
import SystemSupport

/// The SHA-256 of dataset files, remembered in `<cache root>/dataset-digests.json` by path,
/// size, modification time and inode: a file replaced or rewritten since (new bytes, a new
/// time or a new inode) is hashed again.
///
/// A damaged or unreadable memory file is ignored (the files are hashed again), and a memory
/// that cannot be written only costs the next run the hashing: neither stops a run.
struct DatasetDigests {
    /// `dataset-digests.json` in the cache root.
    let url: URL

    /// What identifies a file's contents without reading them.
    private struct Stamp: Codable, Equatable {
        var bytes: Int
        var modified: Double
        var inode: UInt64
    }

    private struct Entry: Codable {
        var stamp: Stamp
        var sha256: String
    }

    private struct Memory: Codable {
        var formatVersion = 1
        var files: [String: Entry] = [:]
    }

    /// The digest of each file at `urls`, as `DataDigest.File`s of `part` (`cifar10/train`).
    ///
    /// - Throws: the file system's error when a file cannot be read.
    func digests(of urls: [URL], part: String) throws -> [DataDigest.File] {
        var memory = (try? JSONCoding.decoder().decode(Memory.self, from: Data(contentsOf: url))) ?? Memory()
        var changed = false
        let files = try urls.map { file -> DataDigest.File in
            let path = file.standardizedFileURL.resolvingSymlinksInPath().path
            let stamp = try Self.stamp(of: path)
            if let entry = memory.files[path], entry.stamp == stamp {
                return DataDigest.File(part: part, name: file.lastPathComponent, bytes: stamp.bytes,
                                       sha256: entry.sha256)
            }
            let sha256 = try SHA256.hexDigest(ofFile: URL(fileURLWithPath: path))
            memory.files[path] = Entry(stamp: stamp, sha256: sha256)
            changed = true
            return DataDigest.File(part: part, name: file.lastPathComponent, bytes: stamp.bytes, sha256: sha256)
        }
        if changed, let data = try? JSONCoding.prettyEncoder().encode(memory) {
            try? FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? atomicWrite(data, to: url)   // not remembered: hashed again next run
        }
        return files
    }

    private static func stamp(of path: String) throws -> Stamp {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return Stamp(
            bytes: (attributes[.size] as? NSNumber)?.intValue ?? -1,
            modified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? .nan,
            inode: (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0)
    }
}
