// What can stop `regenerate` before any chapter runs.

import Foundation

/// Errors that stop `regenerate` as a whole (a failing chapter does not: it is reported in
/// the summary table and the others still run).
public enum RegenerationError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// `--chapter` named a key that is not in the course.
    case unknownChapter(String, known: [String])
    /// The current directory is not the package root.
    case notPackageRoot(String)
    /// `swift build --show-bin-path` failed.
    case binPathUnavailable(String)

    public var description: String {
        switch self {
        case .unknownChapter(let key, let known):
            "unknown chapter '\(key)'; the chapters are \(known.joined(separator: ", "))"
        case .notPackageRoot(let path):
            "no Package.swift in \(path): run regenerate from the package root"
        case .binPathUnavailable(let reason):
            "cannot find the build directory (swift build --show-bin-path): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
