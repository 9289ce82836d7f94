// The paper's contribution, as plain math on arrays: the distribution-aware choice of the two
// per-layer conversion factors (α: threshold scale, β: spike-amplitude scale) of Datta &
// Beerel, DATE 2022 (NOTES.md §2.3–2.4). Foundation only, no tensors, so that the unit tests of
// Tests/UltralowTests can compile it once it moves to a library (see README "For maintainers").
//
// Notation (NOTES.md §2.1, docs/notation.md): μ = the DNN's trained clip of the layer, T = time
// steps, θ = α·μ the SNN threshold (the paper's V), a = β·μ the value one spike carries (the
// paper's A). An IF neuron (λ = 1, reset by subtraction, fires when h ≥ θ, h the membrane
// before the reset) with initial membrane u[0] and input currents x[1..T] fires n spikes; its
// time-averaged output is a·n/T, to be compared with the DNN's y = clip(x, 0, μ). In the code
// the threshold is `v` and u[0] is `u0`.

import Foundation

/// What the factors are fitted to (NOTES.md §2.4, options (a) and (b)).
public enum FactorEstimator: String, Codable, Sendable, CaseIterable {
    /// (a) The DNN's pre-activations x, each treated as a constant current for T steps:
    /// n = clip(⌊(T·x + u[0])/θ⌋, 0, T). Exact at T = 1 (closed form, no simulation).
    case constantInput
    /// (b) Layer by layer on the SNN itself: layers 1…l−1 already converted with their fitted
    /// factors, the real (time-varying) input currents of layer l are simulated for every
    /// candidate threshold, and the target is still the DNN's activation of layer l.
    case snnCalibrated
}

/// Where the membrane starts, as a fraction of the threshold: u[0] = fraction·θ.
public enum MembraneStart: String, Codable, Sendable, CaseIterable {
    /// u[0] = 0 (the paper's code).
    case zero
    /// u[0] = θ/2: the uniform-optimal "shift" (Deng & Gu 2021, Bu et al. 2022): floor → round.
    case half

    public var fraction: Double { self == .zero ? 0 : 0.5 }
}

/// The two factors of one layer at one T.
public struct ConversionFactors: Codable, Equatable, Sendable {
    /// α: θ = α·μ.
    public var alpha: Double
    /// β: a = β·μ.
    public var beta: Double

    /// α = β = 1: θ = a = μ, the rule of the classic conversions (the "naive" rule here).
    public static let identity = ConversionFactors(alpha: 1, beta: 1)
}

/// The candidate αs and the range β is clamped to (NOTES.md §8: step 0.01 on [0.05, 1.5]).
public struct FactorGrid: Codable, Equatable, Sendable {
    public var lower: Double = 0.05
    public var upper: Double = 1.5
    public var step: Double = 0.01

    public init(lower: Double = 0.05, upper: Double = 1.5, step: Double = 0.01) {
        self.lower = lower; self.upper = upper; self.step = step
    }

    public var alphas: [Double] {
        let n = Int(((upper - lower) / step).rounded())
        return (0...n).map { lower + Double($0) * step }
    }
}

/// One fit: the factors and the expected squared error they reach.
public struct FactorFit: Codable, Equatable, Sendable {
    public var factors: ConversionFactors
    /// E[(clip(x, 0, μ) − a·n/T)²] in the layer's activation units squared.
    public var meanSquaredError: Double
}

public enum ActivationFit {
    /// Spike count of an IF neuron (λ = 1, reset by subtraction, fires when h ≥ θ) under a
    /// constant input current x for T steps, starting from u[0]:
    ///
    ///     n = clip(⌊(T·x + u[0])/θ⌋, 0, T)
    ///
    /// (after t steps u[t] = u[0] + t·x − θ·n(t); one spike per step at most, none for x ≤ 0).
    public static func constantInputCount(_ x: Double, threshold v: Double, timesteps t: Int,
                                   initialMembrane u0: Double) -> Int {
        let n = ((Double(t) * x + u0) / v).rounded(.down)
        return Int(Swift.min(Swift.max(n, 0), Double(t)))
    }

    /// Spike counts of M IF neurons fed `currents` (time-major, T·M values: step t of neuron i
    /// at t·M + i), threshold θ, reset by subtraction, fire when h ≥ θ:
    ///
    ///     h[t] = u[t−1] + x[t];  s[t] = [h[t] ≥ θ];  u[t] = h[t] − θ·s[t]
    ///
    /// the same update as `SpikingNeuron` (λ = 1), in Double (the loop's `u` holds h, then u).
    public static func spikeCounts(currents: [Float], timesteps: Int, threshold v: Double,
                            initialMembrane u0: Double) -> [Int32] {
        let m = currents.count / Swift.max(timesteps, 1)
        var counts = [Int32](repeating: 0, count: m)
        currents.withUnsafeBufferPointer { c in
            for i in 0..<m {
                var u = u0, n: Int32 = 0
                for t in 0..<timesteps {
                    u += Double(c[t * m + i])
                    if u >= v { u -= v; n += 1 }
                }
                counts[i] = n
            }
        }
        return counts
    }

    /// For fixed spike counts n_i the best amplitude is a 1-D least-squares problem:
    ///
    ///     out_i = β·(μ·n_i/T),   β* = Σ y_i·c_i / Σ c_i²   with c_i = μ·n_i/T
    ///
    /// with y_i the targets (`a` in the code). Returns (β* clamped to the grid's range, the mean
    /// squared error at that β), or nil when no neuron fires (every β gives the same error).
    public static func bestAmplitude(targets a: [Float], counts n: [Int32], clip mu: Double,
                              timesteps: Int, grid: FactorGrid) -> (beta: Double, mse: Double)? {
        let unit = mu / Double(timesteps)
        var ac = 0.0, cc = 0.0, aa = 0.0
        for i in a.indices {
            let c = unit * Double(n[i]), y = Double(a[i])
            ac += y * c; cc += c * c; aa += y * y
        }
        guard cc > 0 else { return nil }
        let beta = Swift.min(Swift.max(ac / cc, grid.lower), grid.upper)
        // Σ(a − βc)² = Σa² − 2βΣac + β²Σc²
        let sse = aa - 2 * beta * ac + beta * beta * cc
        return (beta, Swift.max(sse, 0) / Double(Swift.max(a.count, 1)))
    }

    /// Mean squared error of given factors: E[(y − β·μ·n/T)²], y the targets (`a`).
    public static func meanSquaredError(targets a: [Float], counts n: [Int32], clip mu: Double,
                                 timesteps: Int, beta: Double) -> Double {
        let level = beta * mu / Double(timesteps)
        var sse = 0.0
        for i in a.indices { let d = Double(a[i]) - level * Double(n[i]); sse += d * d }
        return sse / Double(Swift.max(a.count, 1))
    }

    /// The paper's objective (NOTES.md §2.4), minimised over the α grid with the optimal β
    /// for each α:
    ///
    ///     (α, β) = argmin E[(y − (β·μ/T)·n(θ = α·μ))²]
    ///
    /// - Parameters:
    ///   - targets: the DNN activations y_i = clip(x_i, 0, μ) the SNN should reproduce.
    ///   - counts: spike counts of the same neurons for a threshold θ (the estimator).
    /// - Complexity: one call of `counts` per grid point.
    public static func fit(targets: [Float], clip mu: Double, timesteps: Int, grid: FactorGrid,
                    counts: (_ threshold: Double) -> [Int32]) -> FactorFit {
        var best = FactorFit(factors: .identity,
                             meanSquaredError: meanSquaredError(
                                 targets: targets, counts: counts(mu), clip: mu,
                                 timesteps: timesteps, beta: 1))
        for alpha in grid.alphas {
            guard let (beta, mse) = bestAmplitude(targets: targets, counts: counts(alpha * mu),
                                                  clip: mu, timesteps: timesteps, grid: grid)
            else { continue }
            if mse < best.meanSquaredError {
                best = FactorFit(factors: ConversionFactors(alpha: alpha, beta: beta), meanSquaredError: mse)
            }
        }
        return best
    }

    /// Estimator (a): fit to pre-activation samples x_i under the constant-input model.
    public static func fitConstantInput(preActivations x: [Float], clip mu: Double, timesteps: Int,
                                 start: MembraneStart, grid: FactorGrid = FactorGrid()) -> FactorFit {
        let targets = x.map { Swift.min(Swift.max($0, 0), Float(mu)) }
        return fit(targets: targets, clip: mu, timesteps: timesteps, grid: grid) { v in
            constantInputCounts(x, threshold: v, timesteps: timesteps, start: start)
        }
    }

    /// Constant-input counts of every sample for threshold θ.
    public static func constantInputCounts(_ x: [Float], threshold v: Double, timesteps: Int,
                                    start: MembraneStart) -> [Int32] {
        let u0 = start.fraction * v
        return x.map { Int32(constantInputCount(Double($0), threshold: v, timesteps: timesteps,
                                                initialMembrane: u0)) }
    }

    /// MSE of a fixed rule (naive: α = β = 1, u[0] = 0; shift: α = β = 1, u[0] = θ/2) under the
    /// constant-input model, for the comparison table.
    public static func constantInputError(preActivations x: [Float], clip mu: Double, timesteps: Int,
                                   factors: ConversionFactors, start: MembraneStart) -> Double {
        let targets = x.map { Swift.min(Swift.max($0, 0), Float(mu)) }
        let n = constantInputCounts(x, threshold: factors.alpha * mu, timesteps: timesteps, start: start)
        return meanSquaredError(targets: targets, counts: n, clip: mu, timesteps: timesteps,
                                beta: factors.beta)
    }

    /// Estimator (b): fit to the real input currents of a partly converted SNN.
    ///
    /// - Parameters:
    ///   - targets: DNN activations clip(x, 0, μ) of the sampled neurons (M values).
    ///   - currents: the same neurons' SNN input currents, time-major (T·M values).
    public static func fitCalibrated(targets: [Float], currents: [Float], clip mu: Double, timesteps: Int,
                              start: MembraneStart, grid: FactorGrid = FactorGrid()) -> FactorFit {
        precondition(currents.count == targets.count * timesteps, "T·M currents for M targets")
        return fit(targets: targets, clip: mu, timesteps: timesteps, grid: grid) { v in
            spikeCounts(currents: currents, timesteps: timesteps, threshold: v,
                        initialMembrane: start.fraction * v)
        }
    }
}
