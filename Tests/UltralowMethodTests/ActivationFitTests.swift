// Tests of the distribution-aware conversion factors of Datta & Beerel (DATE 2022), the math in
// chapters/ultralow/Method.swift (chapters/ultralow/NOTES.md §2.3–2.4, §8).
//
// DRAFT: assumes `ActivationFit`, `FactorGrid`, `FactorFit`, `ConversionFactors` and
// `MembraneStart` move from the chapter into SNNConversion with public access (tests cannot
// import an executable target).

import Foundation
import SNNConversion
import UltralowMethod
import Testing

/// N evenly spaced midpoints of (0, 1): a deterministic stand-in for Uniform(0, 1).
private func uniformSamples(_ n: Int) -> [Float] { (0..<n).map { (Float($0) + 0.5) / Float(n) } }

@Suite("Distribution-aware conversion factors")
struct ActivationFitTests {
    /// Constant input x into an IF neuron with reset by subtraction for T steps fires
    /// n = clip(⌊T·x/V⌋, 0, T) spikes (u₀ = 0, λ = 1; chapters/ultralow/NOTES.md §2.3), and ⌊T·x/V + ½⌋ from u₀ = V/2.
    /// The closed form and the step-by-step simulation agree on every dyadic input.
    @Test(arguments: [1, 2, 3, 4, 8])
    func constantInputCountMatchesSimulation(timesteps: Int) {
        let v = 0.75
        let xs: [Float] = (-8...40).map { Float($0) / 32 }   // −0.25 … 1.25, exact in binary
        for start in MembraneStart.allCases {
            let u0 = start.fraction * v
            let currents = (0..<timesteps).flatMap { _ in xs }
            let simulated = ActivationFit.spikeCounts(currents: currents, timesteps: timesteps,
                                                      threshold: v, initialMembrane: u0)
            for (i, x) in xs.enumerated() {
                let closed = ActivationFit.constantInputCount(Double(x), threshold: v, timesteps: timesteps,
                                                              initialMembrane: u0)
                let expected = Swift.min(Swift.max(Int(((Double(timesteps) * Double(x) + u0) / v).rounded(.down)), 0), timesteps)
                #expect(closed == expected, "x = \(x), T = \(timesteps), u₀ = \(u0)")
                #expect(Int(simulated[i]) == closed, "simulation vs closed form at x = \(x), T = \(timesteps)")
            }
        }
    }

    /// Uniform(0, 1), μ = 1, T = 1: the SNN output is β·[x ≥ α]. The error
    /// ∫₀^α x² dx + ∫_α^1 (x − β)² dx is stationary when β = (1 + α)/2 (mean of x on [α, 1])
    /// and α² = (α − β)², i.e. β = 2α; together α = 1/3, β = 2/3, MSE = 1/27 ≈ 0.0370.
    @Test func uniformAtOneStepRecoversOneThirdTwoThirds() {
        let fit = ActivationFit.fitConstantInput(preActivations: uniformSamples(200_000), clip: 1,
                                                 timesteps: 1, start: .zero)
        #expect(Swift.abs(fit.factors.alpha - 1.0 / 3) <= 0.01, "α = \(fit.factors.alpha)")
        #expect(Swift.abs(fit.factors.beta - 2.0 / 3) <= 0.01, "β = \(fit.factors.beta)")
        #expect(Swift.abs(fit.meanSquaredError - 1.0 / 27) <= 2e-4, "MSE = \(fit.meanSquaredError)")
    }

    /// chapters/ultralow/NOTES.md's reference table (§2.4, Uniform(0, 1), μ = 1): naive, shift and fitted MSE and
    /// the fitted factors, to grid precision.
    @Test(arguments: [
        (1, 0.3332, 0.0834, 0.33, 0.66, 0.0370),
        (2, 0.0835, 0.0208, 0.55, 0.78, 0.0164),
        (4, 0.0209, 0.0052, 0.73, 0.87, 0.0059),
        (8, 0.0052, 0.0013, 0.85, 0.93, 0.0018),
    ])
    func uniformReferenceTable(row: (Int, Double, Double, Double, Double, Double)) {
        let (t, naive, shift, alpha, beta, best) = row
        let x = uniformSamples(100_000)
        let naiveMSE = ActivationFit.constantInputError(preActivations: x, clip: 1, timesteps: t,
                                                        factors: .identity, start: .zero)
        let shiftMSE = ActivationFit.constantInputError(preActivations: x, clip: 1, timesteps: t,
                                                        factors: .identity, start: .half)
        let fit = ActivationFit.fitConstantInput(preActivations: x, clip: 1, timesteps: t, start: .zero)
        #expect(Swift.abs(naiveMSE - naive) <= 2e-4, "T = \(t) naive \(naiveMSE)")
        #expect(Swift.abs(shiftMSE - shift) <= 2e-4, "T = \(t) shift \(shiftMSE)")
        #expect(Swift.abs(fit.factors.alpha - alpha) <= 0.02, "T = \(t) α \(fit.factors.alpha)")
        #expect(Swift.abs(fit.factors.beta - beta) <= 0.02, "T = \(t) β \(fit.factors.beta)")
        #expect(Swift.abs(fit.meanSquaredError - best) <= 3e-4, "T = \(t) MSE \(fit.meanSquaredError)")
    }

    /// On a skewed distribution (half-normal σ = 0.3, μ = 1) the fit beats the shift rule by
    /// more than 2× at T = 1–2 and places the threshold far below μ (chapters/ultralow/NOTES.md §2.4 read-out 2).
    @Test func skewedDistributionFitsFarBelowTheClip() {
        // Deterministic half-normal quantiles: x = σ·√2·erf⁻¹(p), via bisection on erf.
        let n = 20_000
        let x: [Float] = (0..<n).map { i in
            let p = (Double(i) + 0.5) / Double(n)
            var lo = 0.0, hi = 6.0
            for _ in 0..<60 { let mid = (lo + hi) / 2; if erf(mid / 2.0.squareRoot()) < p { lo = mid } else { hi = mid } }
            return Float(0.3 * (lo + hi) / 2)
        }
        for t in [1, 2] {
            let shift = ActivationFit.constantInputError(preActivations: x, clip: 1, timesteps: t,
                                                         factors: .identity, start: .half)
            let fit = ActivationFit.fitConstantInput(preActivations: x, clip: 1, timesteps: t, start: .zero)
            #expect(fit.meanSquaredError * 2 < shift, "T = \(t): fitted \(fit.meanSquaredError) vs shift \(shift)")
            #expect(fit.factors.alpha < 0.4, "T = \(t): α = \(fit.factors.alpha)")
        }
    }

    /// Estimator (b) with constant currents is estimator (a): the SNN-calibrated fit on currents
    /// that repeat x every step gives the same factors as the constant-input fit.
    @Test func calibratedFitOnConstantCurrentsEqualsConstantInputFit() {
        let x = uniformSamples(5_000).map { 1.4 * $0 - 0.2 }
        for t in [1, 3] {
            let a = ActivationFit.fitConstantInput(preActivations: x, clip: 1, timesteps: t, start: .half)
            let targets = x.map { Swift.min(Swift.max($0, 0), 1) }
            let b = ActivationFit.fitCalibrated(targets: targets, currents: (0..<t).flatMap { _ in x },
                                                clip: 1, timesteps: t, start: .half)
            #expect(a == b, "T = \(t)")
        }
    }
}
