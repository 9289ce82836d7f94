import Foundation
import Testing

import SystemSupport

/// atomicWrite and AtomicFile: files are replaced in one step, folders are created, and no
/// temporary file survives success or failure.
@Suite struct AtomicWriteTests {
    private let folder: URL

    init() throws {
        folder = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("AtomicWriteTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    private func names(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func replacesFilesAndCreatesFolders() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("a/b/file.dat")
        try atomicWrite(Data("one".utf8), to: url)
        try atomicWrite(Data("two".utf8), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "two")
        #expect(try names(in: url.deletingLastPathComponent()) == ["file.dat"])
    }

    @Test func temporaryFilesAreHiddenBesideTheTarget() {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("fig.png")
        let temporary = AtomicFile.temporaryURL(for: url)
        #expect(temporary.deletingLastPathComponent().path == folder.path)
        #expect(temporary.lastPathComponent.hasPrefix(".fig.png.tmp-"))
        #expect(AtomicFile.temporaryURL(for: url) != temporary)
    }

    /// A file written by someone else under the temporary name is committed over the target.
    @Test func commitMovesAFinishedFileIntoPlace() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("image.png")
        try Data("old".utf8).write(to: url)
        let temporary = AtomicFile.temporaryURL(for: url)
        try Data("new".utf8).write(to: temporary)
        try AtomicFile.commit(temporary, to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "new")
        #expect(try names(in: folder) == ["image.png"])
    }

    /// A rename that fails (the target is a non-empty folder) throws, removes the temporary
    /// file and leaves the target alone.
    @Test func aFailedRenameLeavesNoTemporaryFile() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let blocked = folder.appendingPathComponent("results.json")
        try FileManager.default.createDirectory(
            at: blocked.appendingPathComponent("inner"), withIntermediateDirectories: true)
        #expect {
            try atomicWrite(Data("x".utf8), to: blocked)
        } throws: { error in
            (error as? AtomicWriteError)?.operation == "rename"
        }
        let temporary = AtomicFile.temporaryURL(for: blocked)
        try Data("y".utf8).write(to: temporary)
        #expect(throws: AtomicWriteError.self) { try AtomicFile.commit(temporary, to: blocked) }
        #expect(try names(in: folder) == ["results.json"])
        #expect(try names(in: blocked) == ["inner"])
    }

    @Test func committingAMissingFileFailsToOpenIt() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("never.png")
        #expect {
            try AtomicFile.commit(AtomicFile.temporaryURL(for: url), to: url)
        } throws: { error in
            (error as? AtomicWriteError)?.operation == "open"
        }
        #expect(try names(in: folder).isEmpty)
    }
}
