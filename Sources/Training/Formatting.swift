// Locale-independent number formatting (always "."), shared by the progress line and the
// chapters' reports, and wall-clock measurement.

import Foundation

/// `value` with exactly `digits` digits after the point: `formatFixed(3.14159, digits: 2)`
/// is `3.14`; non-finite values are `nan`, `inf`, `-inf`.
public func formatFixed(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : value > 0 ? "inf" : "-inf" }
    return String(format: "%.\(digits)f", value)
}

/// `value` as at least two digits: `5` → `05`.
public func twoDigits(_ value: Int) -> String {
    value < 10 ? "0\(value)" : "\(value)"
}

/// Seconds of wall time since `start`.
public func secondsSince(_ start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}
