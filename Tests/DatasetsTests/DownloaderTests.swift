import Foundation
import TensorCore
import Testing

@testable import Datasets

/// `DatasetDownloader` against a loopback HTTP server the test starts itself (python3's
/// http.server on 127.0.0.1, a free port), serving the fixture archive. No test goes online.
@Suite(.enabled(if: LoopbackServer.canRun, "needs python3, curl and tar"))
struct DownloaderTests {
    @Test func downloadsVerifiesAndExtracts() throws {
        let server = try LoopbackServer(serving: Fixtures.directory)
        defer { server.stop() }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        var archive = try #require(Fixtures.manifest().entry(for: .cifar10).archive)
        archive.url = "http://127.0.0.1:\(server.port)/cifar-10-binary.tar.gz"

        let target = try DatasetDownloader(dataDirectory: scratch.url, progress: .silent).fetch(
            archive)
        #expect(target.path == scratch.url.appendingPathComponent("cifar-10-batches-bin").path)
        // Only the verified archive and the extracted directory remain: no temporary files.
        #expect(try scratch.contents() == ["cifar-10-batches-bin", "cifar-10-binary.tar.gz"])
        #expect(
            try scratch.contents(of: "cifar-10-batches-bin") == [
                "data_batch_1.bin", "test_batch.bin",
            ])
        #expect(
            try bytes(of: target.appendingPathComponent("test_batch.bin"))
                == bytes(of: Fixtures.url("cifar-10-batches-bin/test_batch.bin")))
    }

    @Test func checksumMismatchIsRejectedAndLeavesNothing() throws {
        let server = try LoopbackServer(serving: Fixtures.directory)
        defer { server.stop() }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        var archive = try #require(Fixtures.manifest().entry(for: .cifar10).archive)
        archive.url = "http://127.0.0.1:\(server.port)/cifar-10-binary.tar.gz"
        archive.md5 = "c32a1d4ab5d03f1284b67883e8d87530"  // the real archive's MD5: no match

        let error = #expect(throws: DatasetError.self) {
            try DatasetDownloader(dataDirectory: scratch.url, progress: .silent).fetch(archive)
        }
        guard
            case .checksumMismatch(_, "MD5", "c32a1d4ab5d03f1284b67883e8d87530", let found)? = error
        else {
            Issue.record("expected an MD5 mismatch, got \(String(describing: error))")
            return
        }
        #expect(found == MD5.hexDigest(of: try bytes(of: Fixtures.url("cifar-10-binary.tar.gz"))))
        #expect(try scratch.contents() == [])
    }

    /// An archive already in the data directory with the right checksum is extracted without
    /// any download (the URL points at a port nothing listens on).
    @Test func verifiedLocalArchiveIsReused() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try FileManager.default.copyItem(
            at: Fixtures.url("cifar-10-binary.tar.gz"),
            to: scratch.url.appendingPathComponent("cifar-10-binary.tar.gz"))
        var archive = try #require(Fixtures.manifest().entry(for: .cifar10).archive)
        archive.url = "http://127.0.0.1:9/cifar-10-binary.tar.gz"  // discard port: refused
        try DatasetDownloader(dataDirectory: scratch.url, progress: .silent).fetch(archive)
        #expect(
            try scratch.contents(of: "cifar-10-batches-bin") == [
                "data_batch_1.bin", "test_batch.bin",
            ])
    }

    @Test func httpErrorIsReportedAndLeavesNothing() throws {
        let server = try LoopbackServer(serving: Fixtures.directory)
        defer { server.stop() }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        var archive = try #require(Fixtures.manifest().entry(for: .cifar10).archive)
        archive.url = "http://127.0.0.1:\(server.port)/no-such-archive.tar.gz"
        let error = #expect(throws: DatasetError.self) {
            try DatasetDownloader(dataDirectory: scratch.url, progress: .silent).fetch(archive)
        }
        guard case .downloadFailed(let url, let reason)? = error else {
            Issue.record("expected downloadFailed, got \(String(describing: error))")
            return
        }
        #expect(url == archive.url && reason.contains("404"))
        #expect(try scratch.contents() == [])
    }

    /// `ifMissing: .download` fetches the archive, then loads the extracted files; a second
    /// load finds them on disk.
    @Test func loaderDownloadsWhenAsked() throws {
        let server = try LoopbackServer(serving: Fixtures.directory)
        defer { server.stop() }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        var manifest = try Fixtures.manifest()
        let index = try #require(manifest.datasets.firstIndex { $0.id == .cifar10 })
        manifest.datasets[index].archive?.url =
            "http://127.0.0.1:\(server.port)/cifar-10-binary.tar.gz"

        #expect(throws: DatasetError.self) {
            try LabeledImages.load(
                .cifar10, split: .test, dataDirectory: scratch.url, manifest: manifest)
        }
        let test = try LabeledImages.load(
            .cifar10, split: .test, dataDirectory: scratch.url, manifest: manifest,
            ifMissing: .download)
        #expect(test.labels == Fixtures.cifar10TestLabels)
        server.stop()
        let train = try LabeledImages.load(
            .cifar10, split: .train, dataDirectory: scratch.url, manifest: manifest)
        #expect(train.images == Fixtures.expectedImages(count: 3, channels: 3, size: 32))
    }
}

/// `python3 -m http.server`-like loopback server on a free port, serving one directory.
final class LoopbackServer {
    let port: Int
    private let process = Process()

    /// Whether python3, curl and tar are installed.
    static let canRun = ["python3", "curl", "tar"].allSatisfy { tool in
        let which = Process()
        which.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        which.arguments = ["which", tool]
        which.standardOutput = FileHandle.nullDevice
        guard (try? which.run()) != nil else { return false }
        which.waitUntilExit()
        return which.terminationStatus == 0
    }

    /// Starts the server; binding port 0 lets the system choose a free port, which the
    /// script prints as its first line.
    init(serving directory: URL) throws {
        let script = """
            import http.server, os, sys
            os.chdir(sys.argv[1])
            class Quiet(http.server.SimpleHTTPRequestHandler):
                def log_message(self, *args): pass
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, directory.path]
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard
            let port = Int(
                String(decoding: line, as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            kill(process.processIdentifier, SIGKILL)
            throw DatasetError.downloadFailed(url: "loopback", reason: "test server did not start")
        }
        self.port = port
    }

    /// Stops the server (idempotent). SIGKILL, not `terminate()`'s SIGTERM: children of the
    /// test runner inherit a signal mask that blocks SIGTERM, so python would never see it.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
