// Replacing a whole folder in one step, so that a reader never sees two runs' files mixed.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A folder that is written beside its destination and then moved into place as one step:
/// readers of `destination` see either the previous complete contents or the new ones.
///
/// ```swift
/// let folder = try StagedFolder(destination: output)   // checks, locks, cleans leftovers
/// try atomicWrite(results, to: folder.staging.appendingPathComponent("results.json"))
/// try folder.commit()                                   // staging replaces destination
/// ```
///
/// Three hidden siblings of `destination` (`<parent>/.<name>.…`) do the work:
/// - `.<name>.lock` is held with `flock` from `init` until this value is released (or the
///   process ends), so a second writer of the same folder fails at once with `.busy`, naming
///   the first one's process id (written into the lock file);
/// - `.<name>.tmp-<pid>` is the staging folder, created empty by `init`;
/// - `.<name>.old-<pid>` holds the previous contents for a moment during `commit` where the
///   system cannot exchange two folders in one call.
///
/// A process killed before `commit` leaves its staging folder; the next `init` for the same
/// destination (holding the lock, so no one else is writing) removes every staging folder of
/// a process that no longer exists, and puts back an `.old-<pid>` folder whose commit was cut
/// short. Abandoning an uncommitted value (releasing it) removes its staging folder, and so
/// does `discardUncommitted()` on an error path that ends the process with `exit`.
public final class StagedFolder: @unchecked Sendable {
    /// The folder that `commit` replaces (absolute).
    public let destination: URL
    /// Where the new contents are written before `commit`: `<parent>/.<name>.tmp-<pid>`.
    public let staging: URL
    /// Leftovers of stopped processes that `init` removed or restored, one line each.
    public let recoveredLeftovers: [String]

    private let lockDescriptor: Int32
    /// Guards `committed` (a value may be shared, `commit` must run once).
    private let state = NSLock()
    private var committed = false

    /// Checks that `destination` can be written, takes its lock, cleans leftovers of stopped
    /// runs and creates an empty staging folder.
    ///
    /// - Throws: `StagedFolderError.notAFolder` when `destination` (or a folder on its path)
    ///   is a file, `.notWritable` when it or its parent cannot be written, `.busy` when
    ///   another process holds the lock, `.system` for any other failed call.
    public init(destination: URL) throws(StagedFolderError) {
        let destination = destination.standardizedFileURL
        let parent = destination.deletingLastPathComponent()
        let name = destination.lastPathComponent
        let staging = parent.appendingPathComponent(Self.stagingName(for: name, pid: getpid()))

        try ensureWritableFolder(parent)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .notAFolder(destination.path) }
            guard access(destination.path, W_OK | X_OK) == 0 else {
                throw .notWritable(destination.path, reason: String(cString: strerror(errno)))
            }
        }
        let descriptor = try Self.lock(parent.appendingPathComponent(".\(name).lock"),
                                       destination: destination)
        let recovered: [String]
        do throws(StagedFolderError) {
            recovered = try Self.recoverLeftovers(of: name, in: parent)
            try? FileManager.default.removeItem(at: staging)
            guard mkdir(staging.path, 0o755) == 0 else {
                throw .system(staging.path, operation: "create", code: errno)
            }
        } catch {
            close(descriptor)
            throw error
        }
        self.destination = destination
        self.staging = staging
        recoveredLeftovers = recovered
        lockDescriptor = descriptor
        Self.uncommitted.insert(staging)
    }

    deinit {
        if !committed {
            try? FileManager.default.removeItem(at: staging)
            Self.uncommitted.remove(staging)
        }
        close(lockDescriptor)
    }

    /// Removes the staging folder of every value of this process not committed yet. For an
    /// error path that ends the process with `exit`, where no `deinit` runs; the locks go
    /// with the process.
    public static func discardUncommitted() {
        for staging in uncommitted.removeAll() {
            try? FileManager.default.removeItem(at: staging)
        }
    }

    /// The staging folders of this process's uncommitted values.
    private static let uncommitted = _StagingRegistry()

    /// Moves `staging` into place as `destination`, replacing what was there, and removes the
    /// previous contents. Call once; the lock stays held until this value is released.
    ///
    /// On Linux the two folders are exchanged with one `renameat2(RENAME_EXCHANGE)`; where
    /// that call is missing, the previous folder is renamed aside first (a kill between the
    /// two renames is repaired by the next `init`).
    public func commit() throws(StagedFolderError) {
        state.lock()
        defer { state.unlock() }
        precondition(!committed, "StagedFolder.commit called twice")
        let fileManager = FileManager.default
        if !fileManager.fileExists(atPath: destination.path) {
            guard rename(staging.path, destination.path) == 0 else {
                throw .system(destination.path, operation: "rename", code: errno)
            }
        } else if exchange(staging.path, destination.path) {
            try? fileManager.removeItem(at: staging)  // now the previous contents
        } else {
            let aside = destination.deletingLastPathComponent().appendingPathComponent(
                ".\(destination.lastPathComponent).old-\(getpid())")
            try? fileManager.removeItem(at: aside)
            guard rename(destination.path, aside.path) == 0 else {
                throw .system(destination.path, operation: "rename", code: errno)
            }
            guard rename(staging.path, destination.path) == 0 else {
                let code = errno
                rename(aside.path, destination.path)
                throw .system(destination.path, operation: "rename", code: code)
            }
            try? fileManager.removeItem(at: aside)
        }
        committed = true
        Self.uncommitted.remove(staging)
    }

    // MARK: - Names, lock and leftovers

    /// `.<name>.tmp-<pid>`: the staging folder of process `pid` for a folder called `name`.
    public static func stagingName(for name: String, pid: Int32) -> String {
        ".\(name).tmp-\(pid)"
    }

    /// Opens and locks `url` (created if missing) without waiting, and writes our pid into it.
    private static func lock(_ url: URL, destination: URL) throws(StagedFolderError) -> Int32 {
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .system(url.path, operation: "open", code: errno) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = (try? String(contentsOf: url, encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            close(descriptor)
            if code == EWOULDBLOCK { throw .busy(destination.path, pid: holder) }
            throw .system(url.path, operation: "lock", code: code)
        }
        let text = "\(getpid())\n"
        ftruncate(descriptor, 0)
        _ = text.withCString { write(descriptor, $0, strlen($0)) }
        return descriptor
    }

    /// Removes the staging folders of stopped processes for `name` in `parent`, and renames a
    /// stopped commit's `.old-<pid>` folder back when the destination is missing.
    private static func recoverLeftovers(
        of name: String, in parent: URL
    ) throws(StagedFolderError) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        var recovered: [String] = []
        let destination = parent.appendingPathComponent(name)
        // Sorted: an `.old-` folder is restored before any `.tmp-` folder is looked at.
        for entry in entries.sorted(by: { $0.contains(".old-") && !$1.contains(".old-") }) {
            guard let (kind, pid) = leftover(entry, of: name), !isRunning(pid) else { continue }
            let url = parent.appendingPathComponent(entry)
            if kind == "old", !FileManager.default.fileExists(atPath: destination.path) {
                guard rename(url.path, destination.path) == 0 else {
                    throw .system(destination.path, operation: "restore", code: errno)
                }
                recovered.append("restored \(destination.path) from \(entry) (process \(pid) "
                    + "stopped while replacing it)")
            } else {
                do {
                    try FileManager.default.removeItem(at: url)
                } catch {
                    throw .notWritable(url.path, reason: "cannot remove this leftover of "
                        + "process \(pid): \(error.localizedDescription)")
                }
                recovered.append("removed \(url.path), left by process \(pid) that stopped "
                    + "before finishing")
            }
        }
        return recovered
    }

    /// `("tmp", pid)` or `("old", pid)` for `.<name>.tmp-<pid>` / `.<name>.old-<pid>`.
    static func leftover(_ entry: String, of name: String) -> (String, Int32)? {
        for kind in ["tmp", "old"] {
            let prefix = ".\(name).\(kind)-"
            if entry.hasPrefix(prefix), let pid = Int32(entry.dropFirst(prefix.count)), pid > 0 {
                return (kind, pid)
            }
        }
        return nil
    }
}

/// A set of staging folders shared by every `StagedFolder` of the process.
private final class _StagingRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var folders: Set<URL> = []

    func insert(_ url: URL) { lock.withLock { _ = folders.insert(url) } }
    func remove(_ url: URL) { lock.withLock { _ = folders.remove(url) } }
    func removeAll() -> Set<URL> {
        lock.withLock {
            defer { folders.removeAll() }
            return folders
        }
    }
}

/// Whether a process with id `pid` exists (one we may not signal counts as existing).
func isRunning(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0 || errno == EPERM
}

/// Creates `folder` if missing (with its parents) and checks that it is a folder this process
/// may write.
///
/// - Throws: `StagedFolderError.notAFolder` when it or a folder on its path is a file,
///   `.notWritable` when it cannot be created or written.
public func ensureWritableFolder(_ folder: URL) throws(StagedFolderError) {
    let path = folder.standardizedFileURL.path
    var isDirectory: ObjCBool = false
    if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        // The deepest existing ancestor says why it cannot be created.
        var ancestor = folder.standardizedFileURL.deletingLastPathComponent()
        while ancestor.path != "/",
              !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
            ancestor = ancestor.deletingLastPathComponent()
        }
        guard isDirectory.boolValue else { throw .notAFolder(ancestor.path) }
        guard access(ancestor.path, W_OK | X_OK) == 0 else {
            throw .notWritable(ancestor.path, reason: String(cString: strerror(errno)))
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .notWritable(path, reason: error.localizedDescription)
        }
        return
    }
    guard isDirectory.boolValue else { throw .notAFolder(path) }
    guard access(path, W_OK | X_OK) == 0 else {
        throw .notWritable(path, reason: String(cString: strerror(errno)))
    }
}

/// Exchanges two paths in one step (`renameat2(…, RENAME_EXCHANGE)`); false where the call is
/// missing or the file system refuses it. The call is looked up at run time: Glibc's Swift
/// module does not declare it.
private func exchange(_ first: String, _ second: String) -> Bool {
    #if os(Linux)
    typealias RenameAt2 = @convention(c) (
        Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32
    ) -> Int32
    guard let symbol = dlsym(nil, "renameat2") else { return false }  // nil: RTLD_DEFAULT
    let renameAt2 = unsafeBitCast(symbol, to: RenameAt2.self)
    let renameExchange: UInt32 = 1 << 1  // RENAME_EXCHANGE in <linux/fs.h>
    return renameAt2(AT_FDCWD, first, AT_FDCWD, second, renameExchange) == 0
    #else
    return false
    #endif
}

/// Why a `StagedFolder` (or `ensureWritableFolder`) could not be used, naming the path.
public enum StagedFolderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path (or a folder on the way to it) is a file.
    case notAFolder(String)
    /// The folder cannot be created or written; the reason is the system's.
    case notWritable(String, reason: String)
    /// Another process holds the folder's lock; its pid when it wrote one.
    case busy(String, pid: Int32?)
    /// Any other failed system call on `path`.
    case system(String, operation: String, code: Int32)

    /// The path the error is about.
    public var path: String {
        switch self {
        case .notAFolder(let path), .notWritable(let path, _), .busy(let path, _),
             .system(let path, _, _): path
        }
    }

    /// One line, e.g. `/tmp/out is a file, not a folder`.
    public var description: String {
        switch self {
        case .notAFolder(let path):
            "\(path) is a file, not a folder"
        case .notWritable(let path, let reason):
            "\(path) is not writable (\(reason))"
        case .busy(let path, let pid):
            "another run (\(pid.map { "pid \($0)" } ?? "pid unknown")) is writing \(path); "
                + "wait for it to finish or choose another folder"
        case .system(let path, let operation, let code):
            "cannot \(operation) \(path): \(String(cString: strerror(code)))"
        }
    }
}
