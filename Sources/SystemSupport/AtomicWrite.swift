// Replacing a file in one step, so that a crash or an error never leaves half a file behind.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces the file at `url` with `data` in one step: readers see either the old file or the
/// new one, never a mixture or a truncated file.
///
/// The bytes go to a temporary file in the same directory (`AtomicFile.temporaryURL(for:)`),
/// are flushed to disk with `fsync`, and the temporary file is then renamed over `url`.
/// `rename(2)` within one directory (one file system) is atomic on POSIX systems. Missing
/// parent directories are created. If any step fails, the temporary file is removed, the old
/// file is left untouched, and the error is rethrown.
///
/// - Parameters:
///   - data: the complete new contents.
///   - url: a file URL; its directory must be writable.
/// - Throws: `AtomicWriteError`, or the error of creating the parent directory.
public func atomicWrite(_ data: Data, to url: URL) throws {
    try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    let temporary = AtomicFile.temporaryURL(for: url)
    do {
        try writeAndSync(data, to: temporary.path)
        try AtomicFile.move(temporary, over: url)
    } catch {
        unlink(temporary.path)
        throw error
    }
}

/// The two steps of `atomicWrite(_:to:)` for files that another writer produces (libpng,
/// gnuplot): write to `temporaryURL(for:)`, then `commit` it over the destination.
public enum AtomicFile {
    /// A fresh hidden path in `url`'s directory: `.<name>.tmp-<pid>-<unique>`.
    public static func temporaryURL(for url: URL) -> URL {
        let suffix = UUID().uuidString.prefix(8)
        return url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(getpid())-\(suffix)")
    }

    /// Removes the temporary files in `directory` of writes whose process no longer runs (a
    /// write killed between its two steps leaves one) and returns their names. Files of
    /// running processes are left alone: their writes may still be under way.
    @discardableResult
    public static func removeLeftovers(in directory: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { name in
            guard let pid = writerPID(of: name), !isRunning(pid) else { return false }
            let url = directory.appendingPathComponent(name)
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey])
            return values?.isRegularFile == true && unlink(url.path) == 0
        }
    }

    /// The pid in a `temporaryURL(for:)` name `.<name>.tmp-<pid>-<unique>`, or nil.
    static func writerPID(of name: String) -> Int32? {
        guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards)
        else { return nil }
        let parts = name[marker.upperBound...].split(separator: "-", maxSplits: 1)
        guard parts.count == 2, let pid = Int32(parts[0]), pid > 0 else { return nil }
        return pid
    }

    /// Flushes the finished file `temporary` to disk (`fsync`) and renames it over `url`.
    /// On failure `temporary` is removed and `url` is left untouched.
    ///
    /// - Throws: `AtomicWriteError` (`open`, `fsync` or `rename`).
    public static func commit(_ temporary: URL, to url: URL) throws {
        do {
            let descriptor = open(temporary.path, O_RDONLY)
            guard descriptor >= 0 else {
                throw AtomicWriteError(path: temporary.path, operation: "open", code: errno)
            }
            defer { close(descriptor) }
            guard fsync(descriptor) == 0 else {
                throw AtomicWriteError(path: temporary.path, operation: "fsync", code: errno)
            }
            try move(temporary, over: url)
        } catch {
            unlink(temporary.path)
            throw error
        }
    }

    /// `rename(2)`, throwing `AtomicWriteError` for `url`.
    fileprivate static func move(_ temporary: URL, over url: URL) throws {
        guard rename(temporary.path, url.path) == 0 else {
            throw AtomicWriteError(path: url.path, operation: "rename", code: errno)
        }
    }
}

/// Writes `data` to a new file at `path` and flushes it to disk.
private func writeAndSync(_ data: Data, to path: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard descriptor >= 0 else {
        throw AtomicWriteError(path: path, operation: "create", code: errno)
    }
    defer { close(descriptor) }
    try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw AtomicWriteError(path: path, operation: "write", code: errno)
            }
            offset += written
        }
    }
    guard fsync(descriptor) == 0 else {
        throw AtomicWriteError(path: path, operation: "fsync", code: errno)
    }
}

/// A failed system call inside `atomicWrite(_:to:)` or `AtomicFile.commit(_:to:)`, with the
/// file and the system's reason.
public struct AtomicWriteError: Error, CustomStringConvertible, Sendable {
    /// The file being written.
    public let path: String
    /// The step that failed: `create`, `write`, `open`, `fsync` or `rename`.
    public let operation: String
    /// The `errno` value reported by the system call.
    public let code: Int32

    /// A one-line message such as `cannot rename …/results.json: Permission denied`.
    public var description: String {
        "cannot \(operation) \(path): \(String(cString: strerror(code)))"
    }
}
