import Foundation

/// The pseudo-derivative that replaces dH(h − θ)/dh (zero almost everywhere) in BPTT, with h
/// the membrane before the reset (docs/notation.md).
///
/// Every surrogate is written in the threshold-normalised distance z = h/θ − 1, as DIET-SNN
/// and the conversion papers' code do, so that
///
///     ∂s/∂h ≈ f(z)/θ        ∂s/∂θ ≈ −f(z)·h/θ²
///
/// and a surrogate means the same thing at every threshold. With θ = 1, z = h − θ.
public enum SurrogateGradient: Sendable, Codable, Equatable, CustomStringConvertible {
    /// STDB-style exponential (Rathi et al. 2020): f(z) = α·exp(−β·|z|).
    case exponential(alpha: Float, beta: Float)
    /// ATan (SpikingJelly, Fang et al. 2021): f(z) = (α/2) / (1 + (π/2·α·z)²).
    case atan(alpha: Float)
    /// Piecewise-linear / triangle (Bellec et al. 2018; DIET-SNN γ = 0.3):
    /// f(z) = γ·max(0, 1 − |z|).
    case triangle(gamma: Float)
    /// Sigmoid derivative (Zenke & Ganguli 2018): f(z) = k·σ(kz)·(1 − σ(kz)).
    case sigmoid(slope: Float)
    /// Straight-through box (Bengio et al. 2013): f(z) = height on lower < z ≤ upper, else 0.
    case straightThrough(height: Float, lower: Float, upper: Float)

    /// f(z) at normalised distance z = h/θ − 1.
    @inlinable
    public func value(at z: Float) -> Float {
        switch self {
        case .exponential(let alpha, let beta):
            return alpha * exp(-beta * Swift.abs(z))
        case .atan(let alpha):
            let w = Float.pi / 2 * alpha * z
            return alpha / 2 / (1 + w * w)
        case .triangle(let gamma):
            return gamma * Swift.max(0, 1 - Swift.abs(z))
        case .sigmoid(let slope):
            let s = 1 / (1 + exp(-slope * z))
            return slope * s * (1 - s)
        case .straightThrough(let height, let lower, let upper):
            return z > lower && z <= upper ? height : 0
        }
    }

    public var description: String {
        switch self {
        case .exponential(let a, let b): "exponential(α=\(a), β=\(b))"
        case .atan(let a): "atan(α=\(a))"
        case .triangle(let g): "triangle(γ=\(g))"
        case .sigmoid(let k): "sigmoid(k=\(k))"
        case .straightThrough(let h, let lo, let hi): "straightThrough(\(h) on (\(lo), \(hi)])"
        }
    }
}
