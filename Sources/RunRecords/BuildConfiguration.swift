// Debug or release: pure-Swift loops differ by an order of magnitude, so timings record it.

/// The Swift build configuration of ChapterSupport, recorded beside every wall time (run-log.json)
/// and with the run that produced a result (results.json).
public enum BuildConfiguration: String, Codable, Sendable {
    /// `swift build` / `swift run` without `-c release` (`DEBUG` defined).
    case debug
    /// `-c release`.
    case release

    /// The configuration this module was compiled in.
    ///
    /// It reflects ChapterSupport's own build, which SwiftPM builds in the same configuration
    /// as the chapter executable.
    public static var current: BuildConfiguration {
        #if DEBUG
        .debug
        #else
        .release
        #endif
    }
}
