import Foundation

/// `data/manifest.json`: for each dataset, where it comes from, its licence, how to obtain it
/// and every file with its size and SHA-256.
///
/// The loaders read their expectations (file names, record counts, digests) from here rather
/// than from constants in code, so the manifest is the single record of what "the dataset"
/// is. Tests point the same loaders at `data/fixtures/manifest.json`, which describes the tiny
/// committed fixtures in the same schema.
public struct DatasetManifest: Codable, Equatable, Sendable {
    /// Schema version of the file; bump it when a field changes meaning.
    public var formatVersion: Int
    /// Free text for readers of the JSON file.
    public var note: String?
    /// One entry per dataset.
    public var datasets: [Entry]

    /// One dataset: provenance, licence, where to look and how to obtain it, and its files.
    public struct Entry: Codable, Equatable, Sendable {
        /// The dataset this entry describes.
        public var id: DatasetID
        /// Licence of the data, as stated by its authors.
        public var licence: String
        /// What to cite.
        public var citation: String
        /// Upstream home page or repository.
        public var upstream: String
        /// The Debian package that installs the files, if any (`dataset-fashion-mnist`).
        public var debianPackage: String?
        /// Directories searched in order; relative paths are relative to the data directory.
        public var directories: [String]
        /// The archive to download and extract, if the dataset is distributed as one.
        public var archive: Archive?
        /// Human-readable steps to obtain the data (the loaders build their messages from the
        /// structured fields; this is for people reading the JSON).
        public var obtain: [String]
        /// Every file, per split.
        public var files: [File]
        /// Caveats (for example why a digest is unknown).
        public var note: String?
    }

    /// A downloadable archive (the CIFAR tarballs).
    public struct Archive: Codable, Equatable, Sendable {
        /// Where to fetch it.
        public var url: String
        /// Published MD5 of the archive (hex), if known.
        public var md5: String?
        /// SHA-256 of the archive (hex), if known.
        public var sha256: String?
        /// The directory the archive creates when extracted into the data directory.
        public var extractsTo: String

        /// The archive's file name, the last component of `url`.
        public var fileName: String { URL(string: url)?.lastPathComponent ?? url }
    }

    /// One file of a dataset.
    public struct File: Codable, Equatable, Sendable {
        /// What a file holds.
        public enum Role: String, Codable, Sendable {
            /// IDX images (magic 0x0803).
            case images
            /// IDX labels (magic 0x0801).
            case labels
            /// CIFAR records (labels and pixels interleaved).
            case records
        }

        /// The split the file belongs to.
        public var split: DatasetSplit
        /// What the file holds.
        public var role: Role
        /// The file name as distributed. A name ending in `.gz` is also found un-gzipped.
        public var name: String
        /// Number of examples in the file.
        public var records: Int
        /// Size of the file as distributed, in bytes.
        public var bytes: Int?
        /// SHA-256 of the file as distributed (for `sha256sum -c`), if known.
        public var sha256: String?
        /// Size after decompression (equal to `bytes` for uncompressed files).
        public var contentBytes: Int
        /// SHA-256 after decompression: the digest the loaders check, so gzip'd copies that
        /// were compressed differently and un-gzipped copies all verify. Nil when unknown.
        public var contentSHA256: String?
        /// MD5 of the upstream file, as published upstream, if different from Debian's copy.
        public var upstreamMD5: String?

        /// The names under which the file is accepted: as distributed, and without `.gz`.
        public var acceptedNames: [String] {
            name.hasSuffix(".gz") ? [name, String(name.dropLast(3))] : [name]
        }
    }

    /// Creates a manifest from its parts (tests build variants of the fixture manifest).
    public init(formatVersion: Int = 1, note: String? = nil, datasets: [Entry]) {
        self.formatVersion = formatVersion
        self.note = note
        self.datasets = datasets
    }

    /// Reads and decodes a manifest file.
    ///
    /// - Throws: `DatasetError.manifestProblem` if the file is missing or malformed.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DatasetError.manifestProblem(path: url.path, reason: "cannot be read")
        }
        do { self = try JSONDecoder().decode(DatasetManifest.self, from: data) } catch {
            throw DatasetError.manifestProblem(path: url.path, reason: "is not valid: \(error)")
        }
    }

    /// The entry for `dataset`.
    ///
    /// - Throws: `DatasetError.manifestProblem` if the manifest has no such entry.
    public func entry(for dataset: DatasetID) throws -> Entry {
        guard let entry = datasets.first(where: { $0.id == dataset }) else {
            throw DatasetError.manifestProblem(
                path: "manifest.json", reason: "has no entry for \(dataset.rawValue)")
        }
        return entry
    }

    /// The package's `data/` directory: `./data` when run from the package root (as
    /// `swift run` and `swift test` do), otherwise the `data/` beside this module's sources.
    public static var defaultDataDirectory: URL {
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("data")
        if FileManager.default.fileExists(atPath: here.appendingPathComponent("manifest.json").path)
        {
            return here
        }
        return URL(fileURLWithPath: #filePath)  // …/Sources/Datasets/DatasetManifest.swift
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("data")
    }
}

extension DatasetManifest.Entry {
    /// The searched directories as absolute URLs, relative ones resolved in `dataDirectory`.
    func searchDirectories(in dataDirectory: URL) -> [URL] {
        directories.map { path in
            path.hasPrefix("/")
                ? URL(fileURLWithPath: path)
                : dataDirectory.appendingPathComponent(path)
        }
    }

    /// The commands that obtain this dataset, for the `missingFiles` error message.
    func instructions(dataDirectory: URL) -> String {
        let data = _displayPath(dataDirectory)
        var lines: [String] = []
        if let package = debianPackage {
            lines.append("To obtain \(id.title), install the Debian/Ubuntu package (as root):")
            lines.append("    apt-get install \(package)")
            let local = directories.first { !$0.hasPrefix("/") } ?? id.rawValue
            lines.append("or put the files from \(upstream) into \(data)/\(local)/.")
        }
        if let archive {
            let path = "\(data)/\(archive.fileName)"
            let whereToRun = data.hasPrefix("/") ? "" : ", run from the package root"
            lines.append("To obtain \(id.title)\(whereToRun):")
            lines.append("    curl -L -o \(path) \(archive.url)")
            if let md5 = archive.md5 { lines.append("    echo '\(md5)  \(path)' | md5sum -c") }
            lines.append("    tar -xzf \(path) -C \(data)/")
            lines.append("which creates \(data)/\(archive.extractsTo)/.")
            lines.append("Or rerun with --download to do this (the checksum is verified first).")
        }
        return lines.joined(separator: "\n")
    }
}

/// `path` relative to the working directory when it lies below it, else absolute.
func _displayPath(_ url: URL) -> String {
    let cwd = FileManager.default.currentDirectoryPath
    let path = url.standardizedFileURL.path
    return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
}
