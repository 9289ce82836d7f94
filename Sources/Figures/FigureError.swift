import Foundation

/// Errors from writing figure files. `FigureWriter` reports a failed render as
/// `renderFailed`; `Gnuplot.render` and `Renderer` return it as `RenderOutcome.failed`.
public enum FigureError: Error, Equatable, CustomStringConvertible {
    /// A directory could not be created. (Writing and renaming the files themselves throws
    /// SystemSupport's `AtomicWriteError`.)
    case io(String)
    /// libpng refused to encode or decode an image; carries libpng's message.
    case png(String)
    /// gnuplot could not render figure `id` (missing input, gnuplot error or timeout, PNG
    /// not whole or of the wrong size); `reason` is `RenderOutcome.failed`'s message.
    case renderFailed(id: String, reason: String)

    /// One line naming the kind of failure and the file.
    public var description: String {
        switch self {
        case .io(let message): "figure I/O error: \(message)"
        case .png(let message): "libpng error: \(message)"
        case .renderFailed(let id, let reason): "figure \(id) was not rendered: \(reason)"
        }
    }
}
