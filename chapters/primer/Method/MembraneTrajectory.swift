// One neuron's membrane, step by step, for the primer's trace figure. The arithmetic is the
// package's own recurrence kernel (TensorCore's MembraneRecurrence, the loop SpikingNeuron runs);
// this file only calls it one step at a time so that every intermediate value can be kept.

import SpikingNeurons
import TensorCore

/// The membrane of one neuron over T steps:
///
///     h[t] = λ·u[t−1] + x[t]                     charge (pre-reset membrane)
///     s[t] = H(h[t] − θ)                          fire
///     u[t] = h[t] − θ·s[t]   or   h[t]·(1 − s[t])  reset by subtraction or to zero
///
/// in the threshold's units (θ = 1 means "one threshold").
public struct MembraneTrajectory: Codable, Equatable, Sendable {
    /// u[0], before the first step.
    public var initialMembrane: Double
    /// h[t] for t = 1…T.
    public var preResetMembrane: [Double]
    /// u[t] for t = 1…T.
    public var membrane: [Double]
    /// s[t] ∈ {0, 1} for t = 1…T.
    public var spikes: [Int]

    /// Σ_t s[t].
    public var spikeCount: Int { spikes.reduce(0, +) }
}

extension SpikingNeuron {
    /// The trajectory of one neuron of this layer (its θ, λ, reset and u[0]) driven by
    /// `input` x[1…T], computed by `MembraneRecurrence.forward` one step at a time from the
    /// previous step's u.
    ///
    /// The spikes are the ones `simulate` gives for the same input (PrimerMethodTests checks it).
    public func trajectory(input: [Float]) -> MembraneTrajectory {
        let theta = thresholdValue
        let recurrence = MembraneRecurrence(threshold: theta, leak: leakValue, reset: reset.membraneReset)
        // u[0]: zero, or θ/2 (`InitialMembrane.halfThreshold`)
        let start: Float = initialMembrane == .halfThreshold ? theta / 2 : 0
        var u = Tensor(shape: [1], scalars: [start])
        var trajectory = MembraneTrajectory(
            initialMembrane: Double(start), preResetMembrane: [], membrane: [], spikes: [])
        for x in input {
            let step = recurrence.forward(Tensor(shape: [1], scalars: [x]), timesteps: 1,
                                          initial: u, keepTrace: true)
            u = step.finalMembrane
            trajectory.preResetMembrane.append(Double(step.preResetMembranes[flat: 0]))
            trajectory.membrane.append(Double(u[flat: 0]))
            trajectory.spikes.append(step.spikes[flat: 0] == 1 ? 1 : 0)
        }
        return trajectory
    }
}
