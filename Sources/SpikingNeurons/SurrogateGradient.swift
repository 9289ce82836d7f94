import Foundation

/// The pseudo-derivative that replaces dH(u − θ)/du (zero almost everywhere) in BPTT.
///
/// Every surrogate is written in the threshold-normalised distance x = u/θ − 1, as DIET-SNN
/// and the conversion papers' code do, so that
///
///     ∂s/∂u ≈ f(x)/θ        ∂s/∂θ ≈ −f(x)·u/θ²
///
/// and a surrogate means the same thing at every threshold. With θ = 1, x = u − θ.
public enum SurrogateGradient: Sendable, Codable, Equatable, CustomStringConvertible {
    /// STDB-style exponential (Rathi et al. 2020): f(x) = α·exp(−β·|x|).
    case exponential(alpha: Float, beta: Float)
    /// ATan (SpikingJelly, Fang et al. 2021): f(x) = (α/2) / (1 + (π/2·α·x)²).
    case atan(alpha: Float)
    /// Piecewise-linear / triangle (Bellec et al. 2018; DIET-SNN γ = 0.3):
    /// f(x) = γ·max(0, 1 − |x|).
    case triangle(gamma: Float)
    /// Sigmoid derivative (Zenke & Ganguli 2018): f(x) = k·σ(kx)·(1 − σ(kx)).
    case sigmoid(slope: Float)
    /// Straight-through box (Bengio et al. 2013): f(x) = height on lower < x ≤ upper, else 0.
    case straightThrough(height: Float, lower: Float, upper: Float)

    /// f(x) at normalised distance x = u/θ − 1.
    @inlinable
    public func value(at x: Float) -> Float {
        switch self {
        case .exponential(let alpha, let beta):
            return alpha * exp(-beta * Swift.abs(x))
        case .atan(let alpha):
            let z = Float.pi / 2 * alpha * x
            return alpha / 2 / (1 + z * z)
        case .triangle(let gamma):
            return gamma * Swift.max(0, 1 - Swift.abs(x))
        case .sigmoid(let slope):
            let s = 1 / (1 + exp(-slope * x))
            return slope * s * (1 - s)
        case .straightThrough(let height, let lower, let upper):
            return x > lower && x <= upper ? height : 0
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
