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

    /// Two Slurm tasks computing the same stage (a resubmission racing a straggler) both write
    /// its checkpoint: writers racing for one file leave exactly one writer's whole file, and
    /// a reader never sees a mixture or a short file. Each temporary name is unique (pid and
    /// a random suffix), so same-pid threads race here as processes on two nodes would.
    @Test func racingWritersLeaveOneWholeFile() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("stage.ckpt")
        let size = 1 << 18
        let writers = 6
        let tornReads = Counter()
        DispatchQueue.concurrentPerform(iterations: writers + 1) { writer in
            if writer == writers {   // the reader
                for _ in 0..<200 {
                    guard let data = try? Data(contentsOf: url) else { continue }
                    if data.count != size || Set(data).count != 1 { tornReads.add() }
                }
                return
            }
            for _ in 0..<10 {
                try? atomicWrite(Data(repeating: UInt8(writer + 1), count: size), to: url)
            }
        }
        let final = try Data(contentsOf: url)
        #expect(final.count == size && Set(final).count == 1 && (1...UInt8(writers)).contains(final[0]))
        #expect(tornReads.value == 0)
        #expect(try names(in: folder) == ["stage.ckpt"])
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

/// A thread-safe count.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
