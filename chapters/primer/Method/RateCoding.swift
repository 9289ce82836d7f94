// Rate coding with the package's own neuron layer: constant inputs into a layer of identical
// IF/LIF neurons (`SpikingNeuron.simulate`, the kernel every chapter's SNN runs), the rate
// r = n/T of each, and how far r·θ lies from the input it encodes.

import Foundation
import SpikingNeurons
import TensorCore

extension SpikingNeuron {
    /// A layer with this one's θ, model (λ), u[0], spike amplitude and surrogate, and `reset`.
    public func withReset(_ reset: ResetMode) -> SpikingNeuron {
        let layer = SpikingNeuron(
            threshold: thresholdValue, model: model, reset: reset,
            initialMembrane: initialMembrane, amplitude: amplitude, surrogate: surrogate)
        layer.leak.value = leak.value
        return layer
    }

    /// Spikes n_k of each neuron of this layer in T steps when neuron k gets the constant input
    /// x_k at every step (one simulation of M = x.count neurons, the one step `[1, M]` read at
    /// every step: `simulate(constant:)`).
    public func spikeCounts(constantInputs x: [Float], timesteps: Int) -> [Int] {
        precondition(timesteps >= 1 && !x.isEmpty, "need T ≥ 1 and at least one input")
        var state: NeuronState? = nil
        _ = simulate(constant: Tensor(shape: [1, x.count], scalars: x), timesteps: timesteps, state: &state)
        let counts = state!.spikeCounts!  // [1, M]: the layer counts its spikes as it fires
        return (0..<x.count).map { Int(counts[flat: $0]) }
    }
}

/// M fractions of the threshold evenly spaced over [0, 1]: x_k/θ = k/(M − 1).
///
/// With M − 1 = 2^a·5^b (200, 1000) and T a power of two, T·x/θ is an integer only where x/θ is a
/// dyadic fraction, which Float32 holds exactly: the simulation never has to break a near-tie.
public func evenlySpacedFractions(count: Int) -> [Double] {
    precondition(count >= 2, "need at least two inputs")
    return (0..<count).map { Double($0) / Double(count - 1) }
}

/// The rates of one layer under constant inputs x ∈ [0, θ] after T steps.
public struct RateSweep: Codable, Equatable, Sendable {
    /// T.
    public var timesteps: Int
    /// x/θ of each neuron.
    public var inputs: [Double]
    /// r = n/T, spikes per neuron per step, of each neuron.
    public var rates: [Double]

    /// max_k |r_k·θ − x_k| / θ = max_k |r_k − x_k/θ|: the worst rate error, in units of θ.
    public var maxError: Double {
        zip(rates, inputs).map { Swift.abs($0 - $1) }.max() ?? 0
    }
}

/// The rates of `neuron`'s layer with neuron k driven by x_k = θ·`fractions`[k] for T steps.
public func rateSweep(of neuron: SpikingNeuron, fractions: [Double], timesteps: Int) -> RateSweep {
    let theta = neuron.thresholdValue
    let counts = neuron.spikeCounts(constantInputs: fractions.map { theta * Float($0) },
                                    timesteps: timesteps)
    return RateSweep(timesteps: timesteps, inputs: fractions,
                     rates: counts.map { Double($0) / Double(timesteps) })
}

/// The worst rate error of an IF neuron with reset by subtraction under a constant input
/// x ∈ [0, θ], in units of θ (docs/conversion-notes.md §0.2; PrimerMethodTests):
///
///     u[0] = 0:    n = ⌊T·x/θ⌋,        so 0 ≤ x/θ − r < 1/T
///     u[0] = θ/2:  n = ⌊T·x/θ + 1/2⌋,  so |x/θ − r| ≤ 1/(2T)
public func rateErrorBound(timesteps: Int, initialMembrane: InitialMembrane) -> Double {
    (initialMembrane == .halfThreshold ? 0.5 : 1) / Double(timesteps)
}

/// The same inputs through reset by subtraction and reset to zero, at one T.
public struct ResetComparison: Codable, Equatable, Sendable {
    /// T.
    public var timesteps: Int
    /// x/θ of each neuron.
    public var inputs: [Double]
    /// r with reset by subtraction, u = h − θ·s.
    public var subtractionRates: [Double]
    /// r with reset to zero, u = h·(1 − s).
    public var zeroRates: [Double]

    /// x/θ − r for reset to zero: the rate the discarded charge costs (positive = fewer spikes
    /// than the input asks for).
    public var zeroDeficits: [Double] { zip(inputs, zeroRates).map { $0 - $1 } }

    /// The largest deficit of reset to zero, and the first input x/θ where it occurs.
    public var maxZeroDeficit: (deficit: Double, input: Double) {
        let deficits = zeroDeficits
        let k = deficits.indices.max { deficits[$0] < deficits[$1] } ?? 0
        return (deficits.isEmpty ? 0 : deficits[k], inputs.isEmpty ? 0 : inputs[k])
    }

    /// The inputs x/θ at which reset to zero fires more spikes than reset by subtraction (none:
    /// throwing charge away can only delay spikes).
    public var inputsWhereZeroFiresMore: [Double] {
        zip(inputs, zip(zeroRates, subtractionRates)).filter { $1.0 > $1.1 }.map(\.0)
    }
}

/// `neuron` with reset by subtraction and with reset to zero (everything else kept) on the
/// same inputs x = θ·`fractions` for T steps.
public func compareResets(of neuron: SpikingNeuron, fractions: [Double], timesteps: Int) -> ResetComparison {
    let subtraction = rateSweep(of: neuron.withReset(.subtraction), fractions: fractions, timesteps: timesteps)
    let zero = rateSweep(of: neuron.withReset(.zero), fractions: fractions, timesteps: timesteps)
    return ResetComparison(timesteps: timesteps, inputs: fractions,
                           subtractionRates: subtraction.rates, zeroRates: zero.rates)
}

/// The least-squares slope of log y against log x: −1 for y ∝ 1/x. Every value must be > 0.
public func logLogSlope(x: [Double], y: [Double]) -> Double {
    precondition(x.count == y.count && x.count >= 2, "need two or more points")
    let lx = x.map { log($0) }, ly = y.map { log($0) }
    let mx = lx.reduce(0, +) / Double(lx.count)
    let my = ly.reduce(0, +) / Double(ly.count)
    var covariance = 0.0, variance = 0.0
    for (a, b) in zip(lx, ly) {
        covariance += (a - mx) * (b - my)
        variance += (a - mx) * (a - mx)
    }
    return covariance / variance
}
