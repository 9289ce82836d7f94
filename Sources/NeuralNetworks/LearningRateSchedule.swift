import Foundation

/// Learning rate as a function of training progress, evaluated every step.
public enum LearningRateSchedule: Sendable, Codable, Equatable {
    /// η(t) = η₀.
    case constant
    /// η(t) = η₀ / factorᵏ, k = number of milestones (fractions of all steps) passed.
    case step(milestones: [Double], factor: Float)
    /// η(t) = η_min + (η₀ − η_min)·(1 + cos(π·t/total))/2.
    case cosine(minimum: Float)

    /// The rate at step `step` of `total` for base rate `base`, with an optional linear warm-up
    /// over the first `warmup` steps.
    public func rate(base: Float, step: Int, total: Int, warmup: Int = 0) -> Float {
        let progress = Double(step) / Double(Swift.max(total, 1))
        var rate: Float
        switch self {
        case .constant:
            rate = base
        case .step(let milestones, let factor):
            let passed = milestones.filter { progress >= $0 }.count
            rate = base / pow(factor, Float(passed))
        case .cosine(let minimum):
            rate = minimum + (base - minimum) * Float(1 + cos(Double.pi * progress)) / 2
        }
        if warmup > 0 && step < warmup { rate *= Float(step + 1) / Float(warmup) }
        return rate
    }
}
