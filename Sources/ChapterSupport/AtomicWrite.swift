// Writing a file in one step, so that a crash or an error never leaves half a file behind.

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
/// The bytes go to a temporary file in the same directory (`.<name>.tmp-<pid>-<unique>`), are
/// flushed to disk with `fsync`, and the temporary file is then renamed over `url`. `rename(2)`
/// within one directory (one file system) is atomic on POSIX systems. Missing parent
/// directories are created. If any step fails, the temporary file is removed, the old file is
/// left untouched, and the error is rethrown.
///
/// - Parameters:
///   - data: the complete new contents.
///   - url: a file URL; its directory must be writable.
public func atomicWrite(_ data: Data, to url: URL) throws {
    let directory = url.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let suffix = UUID().uuidString.prefix(8)
    let temporary = directory.appendingPathComponent(
        ".\(url.lastPathComponent).tmp-\(getpid())-\(suffix)")
    do {
        try writeAndSync(data, to: temporary.path)
        guard rename(temporary.path, url.path) == 0 else {
            throw AtomicWriteError(path: url.path, operation: "rename", code: errno)
        }
    } catch {
        unlink(temporary.path)
        throw error
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

/// A failed system call inside `atomicWrite(_:to:)`, with the file and the system's reason.
public struct AtomicWriteError: Error, CustomStringConvertible, Sendable {
    /// The file being written.
    public let path: String
    /// The step that failed: `create`, `write`, `fsync` or `rename`.
    public let operation: String
    /// The `errno` value reported by the system call.
    public let code: Int32

    /// A one-line message such as `cannot rename …/results.json: Permission denied`.
    public var description: String {
        "cannot \(operation) \(path): \(String(cString: strerror(code)))"
    }
}
