// The primer's rate claims (chapters/primer/NOTES.md §2–§3) on the functions the chapter reports
// from: an IF layer with reset by subtraction stays within θ/T of its constant input (θ/(2T) from
// u[0] = θ/2) over a grid of inputs, T and θ, and the bound is nearly attained; reset to zero
// never fires more than reset by subtraction and falls below x/θ by a margin that does not
// shrink with T.

import Foundation
import PrimerMethod
import SpikingNeurons
import Testing

@Suite("Primer: rate coding and the 1/T bound")
struct RateBoundTests {
    static let thresholds: [Float] = [0.5, 1, 2]
    static let timesteps = [1, 2, 3, 4, 7, 8, 16, 64, 100, 256]

    /// |r·θ − x| < θ/T from u[0] = 0 and ≤ θ/(2T) from θ/2, for 1001 inputs, every T and θ.
    /// The slack 1e-6 (relative) covers Float32 sums at exact ties with θ ≠ 1 or T not a power of
    /// two; a reset to zero or a missing reset breaks the bound by orders of magnitude more.
    @Test(arguments: thresholds, [InitialMembrane.zero, .halfThreshold])
    func ifSubtractionStaysWithinTheBound(threshold: Float, initialMembrane: InitialMembrane) {
        let layer = SpikingNeuron(threshold: threshold, reset: .subtraction, initialMembrane: initialMembrane)
        let fractions = evenlySpacedFractions(count: 1_001)
        for T in Self.timesteps {
            let sweep = rateSweep(of: layer, fractions: fractions, timesteps: T)
            let bound = rateErrorBound(timesteps: T, initialMembrane: initialMembrane)
            #expect(sweep.maxError <= bound * (1 + 1e-6), "θ = \(threshold), u[0] \(initialMembrane), T = \(T)")
            if initialMembrane == .zero {
                // From zero the rate is a floor: never above x/θ.
                for (r, f) in zip(sweep.rates, sweep.inputs) {
                    #expect(r <= f + 1e-6, "θ = \(threshold), T = \(T), x/θ = \(f)")
                }
            }
        }
    }

    /// The bound is tight: on the fine grid the worst error is within a few grid steps of it at
    /// every T ≤ 256, so it falls like 1/T (log-log slope of −1, not just "somewhat").
    @Test func theBoundIsNearlyAttained() {
        let layer = SpikingNeuron(threshold: 1, reset: .subtraction)
        let fractions = evenlySpacedFractions(count: 1_001)
        for T in [1, 2, 4, 8, 16, 32, 64, 128, 256] {
            let error = rateSweep(of: layer, fractions: fractions, timesteps: T).maxError
            #expect(error >= 1 / Double(T) - 3e-3, "T = \(T): worst error \(error)")
        }
    }

    /// A layer that is *not* an IF neuron with reset by subtraction fails the check: the test
    /// above can fail.
    @Test func resetToZeroBreaksTheBound() {
        let layer = SpikingNeuron(threshold: 1, reset: .zero)
        let sweep = rateSweep(of: layer, fractions: evenlySpacedFractions(count: 1_001), timesteps: 64)
        #expect(sweep.maxError > 10 * rateErrorBound(timesteps: 64, initialMembrane: .zero))
    }

    /// Reset to zero never fires more than reset by subtraction, fires r = ⌊T/⌈θ/x⌉⌋/T, and its
    /// worst deficit (just under x = θ, where it fires every second step) stays near 1/2 at every T.
    @Test(arguments: [4, 16, 64, 256])
    func resetToZeroFiresLessAndKeepsItsDeficit(timesteps T: Int) {
        let layer = SpikingNeuron(threshold: 1, reset: .subtraction)
        let comparison = compareResets(of: layer, fractions: evenlySpacedFractions(count: 1_001), timesteps: T)
        #expect(comparison.inputsWhereZeroFiresMore.isEmpty)
        for (f, r) in zip(comparison.inputs, comparison.zeroRates) where f > 0 {
            let period = (1 / f).rounded(.up)
            // away from θ/x integer, where Float32 may land either side of the ceiling
            guard Swift.abs(1 / f - (1 / f).rounded()) > 1e-4 else { continue }
            #expect(r == Double(T / Int(period)) / Double(T), "T = \(T), x/θ = \(f)")
        }
        let (deficit, input) = comparison.maxZeroDeficit
        #expect(deficit > 0.45 && input > 0.9, "T = \(T): deficit \(deficit) at x/θ = \(input)")
    }
}
