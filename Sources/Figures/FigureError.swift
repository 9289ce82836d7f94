import Foundation

/// Errors from writing figure files (gnuplot failures are a `RenderOutcome`, not an error).
public enum FigureError: Error, Equatable, CustomStringConvertible {
    /// A directory could not be created. (Writing and renaming the files themselves throws
    /// SystemSupport's `AtomicWriteError`.)
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
