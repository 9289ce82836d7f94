import Foundation
import SystemSupport

/// Downloads a dataset archive, verifies its checksum, and extracts it into the data
/// directory: the `--download` option for CIFAR.
///
/// The steps, each leaving the data directory clean if it fails:
///
/// 1. reuse `data/<archive>` if it is already there and its checksum matches;
/// 2. otherwise fetch the URL with `curl` into a hidden temporary file in `data/`;
/// 3. check the MD5 (or SHA-256) recorded in the manifest — on mismatch delete the file;
/// 4. rename the temporary file to `data/<archive>`;
/// 5. extract with `tar -xzf` into a hidden temporary directory, then rename the dataset
///    directory (`cifar-10-batches-bin/`) into place, so a half-extracted tree never shows.
///
/// `curl` and `tar` run as subprocesses (SystemSupport's `Subprocess`): they stream to disk,
/// follow redirects, show progress and exist on every Linux and macOS system. Tests point the
/// downloader at a loopback server they start themselves; no test touches the network.
public struct DatasetDownloader: Sendable {
    /// Whether `curl` draws a progress bar on standard error.
    public enum Progress: Sendable {
        /// A progress bar (interactive runs).
        case bar
        /// Errors only (tests).
        case silent
    }

    /// Where archives are stored and extracted (`data/`).
    public var dataDirectory: URL
    /// How much `curl` prints.
    public var progress: Progress

    /// A downloader writing into `dataDirectory`.
    public init(
        dataDirectory: URL = DatasetManifest.defaultDataDirectory, progress: Progress = .bar
    ) {
        self.dataDirectory = dataDirectory
        self.progress = progress
    }

    /// Makes sure `dataDirectory/<archive.extractsTo>` exists, downloading and extracting the
    /// archive if needed, and returns that directory. Does nothing if the directory exists
    /// (the loader then reports any file missing from it).
    ///
    /// - Throws: `DatasetError.checksumMismatch` (the download is deleted),
    ///   `.downloadFailed` (curl or tar failed, or the archive lacks the expected directory),
    ///   `.manifestProblem` (the archive has no checksum to verify against).
    @discardableResult
    public func fetch(_ archive: DatasetManifest.Archive) throws -> URL {
        let files = FileManager.default
        let target = dataDirectory.appendingPathComponent(archive.extractsTo)
        let archiveURL = dataDirectory.appendingPathComponent(archive.fileName)
        guard archive.md5 != nil || archive.sha256 != nil else {
            throw DatasetError.manifestProblem(
                path: "manifest.json",
                reason: "\(archive.fileName) has no checksum; refusing to download it")
        }
        if files.fileExists(atPath: target.path) { return target }
        try files.createDirectory(at: dataDirectory, withIntermediateDirectories: true)

        if files.fileExists(atPath: archiveURL.path),
            (try? verify(archiveURL, against: archive)) == nil
        {
            _note("\(archiveURL.path) does not match its checksum; downloading it again.")
            try files.removeItem(at: archiveURL)
        }
        if !files.fileExists(atPath: archiveURL.path) {
            let partial = dataDirectory.appendingPathComponent(
                ".\(archive.fileName).partial-\(ProcessInfo.processInfo.globallyUniqueString)")
            defer { try? files.removeItem(at: partial) }
            _note("Downloading \(archive.url) to \(_displayPath(archiveURL))")
            let silence = progress == .silent ? ["-sS"] : ["--progress-bar"]
            try run(
                "curl", ["-fL", "--retry", "2", "-o", partial.path] + silence + [archive.url],
                failure: archive.url)
            try verify(partial, against: archive)
            try files.moveItem(at: partial, to: archiveURL)
        }

        let scratch = dataDirectory.appendingPathComponent(
            ".extract-\(ProcessInfo.processInfo.globallyUniqueString)")
        defer { try? files.removeItem(at: scratch) }
        try files.createDirectory(at: scratch, withIntermediateDirectories: true)
        try run("tar", ["-xzf", archiveURL.path, "-C", scratch.path], failure: archive.url)
        let extracted = scratch.appendingPathComponent(archive.extractsTo)
        guard files.fileExists(atPath: extracted.path) else {
            throw DatasetError.downloadFailed(
                url: archive.url, reason: "the archive does not contain \(archive.extractsTo)/")
        }
        guard !files.fileExists(atPath: target.path) else {  // created meanwhile by another run
            throw DatasetError.downloadFailed(
                url: archive.url,
                reason: "\(_displayPath(target)) appeared during extraction; retry")
        }
        try files.moveItem(at: extracted, to: target)
        return target
    }

    /// Checks a local archive against the manifest's SHA-256 (preferred) or MD5.
    ///
    /// - Throws: `DatasetError.checksumMismatch` naming both digests.
    public func verify(_ file: URL, against archive: DatasetManifest.Archive) throws {
        if let expected = archive.sha256 {
            let found = try _digest(of: file, using: SHA256())
            guard found == expected.lowercased() else {
                throw DatasetError.checksumMismatch(
                    file: file.path, algorithm: "SHA-256", expected: expected, found: found)
            }
        } else if let expected = archive.md5 {
            let found = try _digest(of: file, using: MD5())
            guard found == expected.lowercased() else {
                throw DatasetError.checksumMismatch(
                    file: file.path, algorithm: "MD5", expected: expected, found: found)
            }
        }
    }

    /// Runs `tool arguments…` (looked up in PATH) and throws `.downloadFailed` on a non-zero
    /// exit status, quoting the tool's error output. With `.bar` progress, curl's standard
    /// error goes to the terminal (the bar lives there) instead.
    private func run(_ tool: String, _ arguments: [String], failure url: String) throws {
        let captures = tool != "curl" || progress == .silent
        let command = Subprocess.onPath(
            [tool] + arguments, standardError: captures ? .capture : .inherit)
        let outcome: Subprocess.Outcome
        do { outcome = try command.run() } catch {
            throw DatasetError.downloadFailed(
                url: url, reason: "cannot start \(tool): \(error.underlying)")
        }
        let message = String(decoding: outcome.standardError, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let status = outcome.termination.status
        guard status == 0 else {
            var reason =
                status == 127
                ? "\(tool) is not installed"
                : "\(tool) exited with status \(status)"
            if !message.isEmpty { reason += " (\(message))" }
            throw DatasetError.downloadFailed(url: url, reason: reason)
        }
    }

    /// One line on standard error, unless `progress` is `.silent`.
    private func _note(_ message: String) {
        guard progress == .bar else { return }
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
