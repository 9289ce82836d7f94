import Foundation

/// Writes files so a reader never sees a half-written one: write a hidden temporary file in the
/// destination directory, then `rename(2)` it over the destination (atomic within a directory).
enum _AtomicFile {
    /// A fresh hidden temporary path next to `url`: `.<name>.<uuid>.tmp`.
    static func temporaryURL(for url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    }

    /// Writes `data` to `url` atomically. Throws `FigureError.io` on failure (no temp file left).
    static func write(_ data: Data, to url: URL) throws {
        let temporary = temporaryURL(for: url)
        do {
            try data.write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw FigureError.io("cannot write \(temporary.path): \(error)")
        }
        try move(temporary, to: url)
    }

    /// Writes UTF-8 `text` to `url` atomically.
    static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Renames `temporary` over `url`, replacing it; removes `temporary` if that fails.
    static func move(_ temporary: URL, to url: URL) throws {
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw FigureError.io("cannot rename \(temporary.path) to \(url.path): \(reason)")
        }
    }
}

/// Errors from writing figure files (gnuplot failures are a `RenderOutcome`, not an error).
public enum FigureError: Error, Equatable, CustomStringConvertible {
    /// A file could not be written, renamed or read.
    case io(String)
    /// libpng refused to encode or decode an image; carries libpng's message.
    case png(String)

    /// One line naming the kind of failure and the file.
    public var description: String {
        switch self {
        case .io(let message): "figure I/O error: \(message)"
        case .png(let message): "libpng error: \(message)"
        }
    }
}
