// Small helpers shared across ChapterSupport: locale-independent number formatting (always
// "."), durations, display paths and wall-clock measurement.

import Foundation

/// `value` with exactly `digits` digits after the point: `formatFixed(3.14159, digits: 2)`
/// is `3.14`; non-finite values are `nan`, `inf`, `-inf`.
public func formatFixed(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : value > 0 ? "inf" : "-inf" }
    return String(format: "%.\(digits)f", value)
}

/// `value` as at least two digits: `5` → `05`.
func twoDigits(_ value: Int) -> String {
    value < 10 ? "0\(value)" : "\(value)"
}

/// Seconds of wall time since `start`.
func secondsSince(_ start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// `0.42 s`, `12.3 s` or `2 min 05 s`.
func formatSeconds(_ seconds: Double) -> String {
    if seconds < 10 { return "\(formatFixed(seconds, digits: 2)) s" }
    if seconds < 60 { return "\(formatFixed(seconds, digits: 1)) s" }
    let whole = Int(seconds.rounded())
    return "\(whole / 60) min \(twoDigits(whole % 60)) s"
}

/// `url`'s path relative to the current directory when it lies inside it, else absolute.
func displayPath(_ url: URL) -> String {
    let path = url.standardizedFileURL.path
    let current = FileManager.default.currentDirectoryPath
    return path.hasPrefix(current + "/") ? String(path.dropFirst(current.count + 1)) : path
}
