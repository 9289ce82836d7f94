import Foundation
import Testing

import SystemSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// StagedFolder: a folder is replaced as a whole, a second writer is refused while the first
/// holds the lock, and leftovers of stopped processes are removed or restored.
@Suite struct StagedFolderTests {
    private let parent: URL
    private var output: URL { parent.appendingPathComponent("out") }

    init() throws {
        parent = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("StagedFolderTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
    }

    private func names(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    private func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// The id of a process that has exited (and been reaped).
    private func stoppedPID() throws -> Int32 {
        let child = try Subprocess(executable: URL(fileURLWithPath: "/bin/true")).start()
        let pid = child.processIdentifier
        _ = child.wait()
        return pid
    }

    @Test func commitReplacesTheWholeFolder() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        try write("old", to: output.appendingPathComponent("results.json"))
        try write("stale", to: output.appendingPathComponent("fig-old.png"))
        let folder = try StagedFolder(destination: output)
        #expect(folder.staging.lastPathComponent == ".out.tmp-\(getpid())")
        #expect(try names(in: folder.staging).isEmpty)
        try write("new", to: folder.staging.appendingPathComponent("results.json"))
        // Until the commit, readers see the previous contents only.
        #expect(try names(in: output) == ["fig-old.png", "results.json"])
        try folder.commit()
        #expect(try names(in: output) == ["results.json"])
        #expect(try String(contentsOf: output.appendingPathComponent("results.json"),
                           encoding: .utf8) == "new")
        // Nothing but the folder and its lock file is left beside it.
        #expect(try names(in: parent) == [".out.lock", "out"])
    }

    @Test func commitCreatesAMissingDestination() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let nested = parent.appendingPathComponent("a/b/out")
        let folder = try StagedFolder(destination: nested)
        try write("x", to: folder.staging.appendingPathComponent("x.dat"))
        try folder.commit()
        #expect(try names(in: nested) == ["x.dat"])
    }

    @Test func aSecondWriterIsRefusedWhileTheFirstHoldsTheLock() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        var first: StagedFolder? = try StagedFolder(destination: output)
        #expect(throws: StagedFolderError.busy(output.path, pid: getpid())) {
            _ = try StagedFolder(destination: output)
        }
        #expect(first != nil)
        first = nil  // released: its staging folder goes, the lock is free again
        #expect(try names(in: parent) == [".out.lock"])
        // A child process that another test forks at this moment holds a copy of the lock's
        // descriptor until it execs (O_CLOEXEC acts at exec, not at fork), so the lock can stay
        // taken for that instant: retry for up to two seconds while it reads as busy.
        let second = try writerRetryingWhileBusy(output)
        try second.commit()
        #expect(FileManager.default.fileExists(atPath: output.path))
    }

    /// A `StagedFolder` for `destination`, retried every 10 ms for up to two seconds while the
    /// lock reads as busy.
    private func writerRetryingWhileBusy(_ destination: URL) throws -> StagedFolder {
        for _ in 0..<199 {
            if let folder = try? StagedFolder(destination: destination) { return folder }
            usleep(10_000)
        }
        return try StagedFolder(destination: destination)
    }

    @Test func leftoversOfStoppedProcessesAreRemovedAndOthersKept() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let stopped = try stoppedPID()
        try write("half", to: parent.appendingPathComponent(".out.tmp-\(stopped)/fig.dat"))
        // A live process (this one's parent) and another folder's leftover are not ours.
        try write("live", to: parent.appendingPathComponent(".out.tmp-\(getppid())/fig.dat"))
        try write("other", to: parent.appendingPathComponent(".other.tmp-\(stopped)/fig.dat"))
        let folder = try StagedFolder(destination: output)
        #expect(folder.recoveredLeftovers.count == 1)
        #expect(folder.recoveredLeftovers.first?.contains(".out.tmp-\(stopped)") == true)
        #expect(try names(in: parent).contains(".out.tmp-\(getppid())"))
        #expect(try names(in: parent).contains(".other.tmp-\(stopped)"))
        #expect(!(try names(in: parent).contains(".out.tmp-\(stopped)")))
    }

    /// A commit stopped between its two renames leaves no destination and an `.old-` folder:
    /// the next writer puts the previous contents back before anything else.
    @Test func anInterruptedCommitIsRepaired() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let stopped = try stoppedPID()
        try write("previous", to: parent.appendingPathComponent(".out.old-\(stopped)/results.json"))
        try write("new", to: parent.appendingPathComponent(".out.tmp-\(stopped)/results.json"))
        let folder = try StagedFolder(destination: output)
        #expect(try String(contentsOf: output.appendingPathComponent("results.json"),
                           encoding: .utf8) == "previous")
        #expect(folder.recoveredLeftovers.count == 2)
        #expect(try names(in: parent) == [".out.lock", ".out.tmp-\(getpid())", "out"])
    }

    @Test func aFileIsNotAFolder() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        try write("x", to: output)
        #expect(throws: StagedFolderError.notAFolder(output.path)) {
            _ = try StagedFolder(destination: output)
        }
        let below = output.appendingPathComponent("sub")
        #expect(throws: StagedFolderError.notAFolder(output.path)) {
            try ensureWritableFolder(below)
        }
    }

    /// Root may write anywhere, so the permission bits cannot stop it.
    @Test(.enabled(if: getuid() != 0, "running as root"))
    func anUnwritableFolderIsRefused() throws {
        defer {
            chmod(output.path, 0o755)
            try? FileManager.default.removeItem(at: parent)
        }
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        chmod(output.path, 0o555)
        #expect {
            _ = try StagedFolder(destination: output)
        } throws: { error in
            guard case .notWritable(let path, _) = error as? StagedFolderError else { return false }
            return path == output.path
        }
        #expect {
            try ensureWritableFolder(output.appendingPathComponent("cache"))
        } throws: { error in
            (error as? StagedFolderError)?.path == output.path
        }
    }

    @Test func atomicWriteLeftoversOfStoppedProcessesAreRemoved() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let stopped = try stoppedPID()
        let dead = ".README.md.tmp-\(stopped)-ABCD1234"
        let live = ".README.md.tmp-\(getpid())-ABCD1234"
        for name in [dead, live, "README.md"] {
            try write(name, to: parent.appendingPathComponent(name))
        }
        #expect(AtomicFile.removeLeftovers(in: parent) == [dead])
        #expect(try names(in: parent) == [live, "README.md"].sorted())
    }
}
