// Time to accuracy that counts only arrivals that last: a noisy accuracy-vs-T curve can touch
// a band once and drop out again, and that touch is not "reaching" it.

/// The first T from which the accuracy stays at or above `target` for every larger T
/// evaluated, or nil when the last point is below it.
///
/// `points` are (T, accuracy) pairs in increasing T; a curve measured at every T ≤ T_max is
/// `Array(zip(1..., accuracy))`. With target = ANN accuracy − 0.01 this is "the first T
/// after which the SNN stays within 1 point of the ANN":
///
///     T₁ = min { Tⱼ : acc(Tₖ) ≥ target for every k ≥ j }
///
/// ```swift
/// firstTimestepStaying(atLeast: 0.85, in: [(1, 0.5), (2, 0.86), (4, 0.84), (8, 0.86), (16, 0.87)])
/// // 8: T = 2 touched the band, but T = 4 fell out of it
/// ```
public func firstTimestepStaying(atLeast target: Double, in points: [(timesteps: Int, accuracy: Double)]) -> Int? {
    var first: Int?
    for point in points.reversed() {
        guard point.accuracy >= target else { break }
        first = point.timesteps
    }
    return first
}

/// `firstTimestepStaying(atLeast:in:)` for a curve measured at every T = 1…accuracy.count
/// (`accuracy[t − 1]` is the accuracy after t steps).
public func firstTimestepStaying(atLeast target: Double, inCurve accuracy: [Double]) -> Int? {
    firstTimestepStaying(atLeast: target, in: accuracy.enumerated().map { ($0.offset + 1, $0.element) })
}
