import Foundation

/// The fraction of each layer's active weights that sparse momentum prunes at the end of an
/// epoch, cosine-annealed per training step over the whole run (Dettmers & Zettlemoyer 2019;
/// `sparse_learning` defaults p₀ = 0.5, p_min = 0.005):
///
///     p(step) = p_min + (p₀ − p_min)·(1 + cos(π·step/total))/2
public struct PruneRateSchedule: Sendable, Codable, Equatable {
    /// p₀, the rate at step 0.
    public var initial: Double
    /// p_min, the rate at the last step.
    public var minimum: Double

    public init(initial: Double = 0.5, minimum: Double = 0.005) {
        precondition((0...1).contains(initial) && (0...1).contains(minimum),
                     "prune rates are fractions in [0, 1], got \(initial) and \(minimum)")
        self.initial = initial
        self.minimum = minimum
    }

    /// p after `step` of `total` training steps (steps past `total` keep p_min).
    public func rate(step: Int, total: Int) -> Double {
        let progress = Double(Swift.min(step, total)) / Double(Swift.max(total, 1))
        return minimum + (initial - minimum) * (1 + cos(Double.pi * progress)) / 2
    }
}
