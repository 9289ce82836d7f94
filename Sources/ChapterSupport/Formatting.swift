// Durations and display paths of the chapter harness (number formatting is Training's).

import Foundation
import Training

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
