// The top-level error boundary of a chapter: a readable message and exit status 1, no trace.

import Foundation
import SystemSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a chapter's body; on error prints `error: <message>` to standard error, removes the
/// unpublished staging folder of the run's output (`RunOutput`: the published folder is left
/// as it was) and exits with status 1.
///
/// ```swift
/// let arguments = Arguments.parseOrExit()
/// runChapter {
///     let context = try ChapterContext(chapter: "classic", options: arguments.chapter)
///     ...
/// }
/// ```
///
/// Errors print their `CustomStringConvertible` description (ChapterError, CheckpointError,
/// ArgumentParser's ValidationError) or their localized description, never a stack trace.
public func runChapter(_ body: () throws -> Void) {
    do {
        try body()
    } catch {
        fflush(nil)  // Keep the order of stdout and stderr lines.
        FileHandle.standardError.write(Data("\n\(errorMessage(for: error))\n".utf8))
        StagedFolder.discardUncommitted()
        exit(1)
    }
}

/// `error: <message>` for any error: file-system errors give their path and reason, all
/// others their `description` (ChapterError, CheckpointError, ValidationError, …).
func errorMessage(for error: Error) -> String {
    if let error = error as? CocoaError {
        let path = error.filePath ?? error.url?.path
        return "error: \(path.map { "\($0): " } ?? "")\(error.localizedDescription)"
    }
    if let description = (error as? LocalizedError)?.errorDescription {
        return "error: \(description)"
    }
    return "error: \(String(describing: error))"
}
