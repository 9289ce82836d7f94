// The primer's neuron trace and its one-weight BPTT example (chapters/primer/NOTES.md §1, §4):
// the step-by-step trajectory is the layer's own simulation, the IF count has its closed form,
// a LIF neuron below its rheobase never fires, and gradient descent with the surrogate reaches
// the target count, inside the closed-form weight interval, while the true gradient is zero.

import Foundation
import PrimerMethod
import SpikingNeurons
import TensorCore
import Testing

@Suite("Primer: the neuron and one-weight BPTT")
struct NeuronLessonTests {
    /// The trajectory's spikes and final membrane are those of `SpikingNeuron.simulate`, for
    /// IF and LIF, both resets and both starts.
    @Test(arguments: [ResetMode.subtraction, .zero], [InitialMembrane.zero, .halfThreshold])
    func trajectoryIsTheLayersSimulation(reset: ResetMode, initialMembrane: InitialMembrane) {
        var rng = SeededGenerator(seed: 3)
        let input = (0..<40).map { _ in 0.6 * rng.nextUniform() }   // x[t] ∈ [0, 0.6)
        for model in [NeuronModel.integrateAndFire, .leakyIntegrateAndFire(leak: 0.8, training: .fixed)] {
            let layer = SpikingNeuron(threshold: 1, model: model, reset: reset, initialMembrane: initialMembrane)
            let trajectory = layer.trajectory(input: input)
            var state: NeuronState? = nil
            let spikes = layer.simulate(Tensor(shape: [input.count, 1], scalars: input), timesteps: input.count,
                                        state: &state)
            #expect(trajectory.spikes == spikes.scalars.map { Int($0) }, "\(model), \(reset), \(initialMembrane)")
            #expect(Float(trajectory.membrane.last!) == state!.membrane[flat: 0])
            // the reset, step by step
            for t in trajectory.spikes.indices {
                let h = trajectory.preResetMembrane[t], s = Double(trajectory.spikes[t])
                let u = reset == .subtraction ? h - s : h * (1 - s)
                #expect(Swift.abs(trajectory.membrane[t] - u) < 1e-6)
            }
        }
    }

    /// IF from u[0] = 0 under a constant x: n = ⌊T·x/θ⌋ (dyadic inputs: exact in Float32).
    @Test(arguments: [0.125, 0.375, 0.5, 0.8125])
    func integrateAndFireCountHasItsClosedForm(fraction: Float) {
        let layer = SpikingNeuron(threshold: 2, reset: .subtraction)
        let T = 32
        let n = layer.trajectory(input: [Float](repeating: 2 * fraction, count: T)).spikeCount
        #expect(n == Int((Float(T) * fraction).rounded(.down)))
    }

    /// x ≤ θ·(1 − λ): the LIF membrane never reaches θ; just above it, the neuron fires.
    @Test func leakyNeuronBelowItsRheobaseNeverFires() {
        let layer = SpikingNeuron(threshold: 1, model: .leakyIntegrateAndFire(leak: 0.75, training: .fixed))
        #expect(layer.trajectory(input: [Float](repeating: 0.25, count: 500)).spikeCount == 0)
        #expect(layer.trajectory(input: [Float](repeating: 0.3, count: 500)).spikeCount > 0)
    }

    /// The chapter's example: from w₀ = 0.1 (one spike) to n* of T = 16; the loss falls,
    /// ends at zero with w in [n*/T, (n* + 1)/T), and the true gradient at w₀ is zero while the
    /// surrogate's points uphill in w.
    @Test(arguments: [8, 12])
    func surrogateGradientDescentReachesTheTarget(target: Int) {
        let neuron = SpikingNeuron(threshold: 1, reset: .subtraction, surrogate: .triangle(gamma: 0.3))
        let fit = fitInputWeight(of: neuron, input: 1, timesteps: 16, target: target,
                                 initialWeight: 0.1, learningRate: 0.0003, updates: 40)
        let (start, end) = (fit.steps.first!, fit.steps.last!)
        #expect(start.loss > 0 && end.loss == 0, "loss \(start.loss) → \(end.loss)")
        #expect(end.spikes == target)
        #expect(end.weight >= Double(target) / 16 && end.weight < Double(target + 1) / 16, "w = \(end.weight)")
        #expect(start.gradient < 0, "the surrogate gradient should ask for a larger w")
        let above = spikeCountLoss(of: neuron, weight: 0.101, input: 1, timesteps: 16, target: target).loss
        let below = spikeCountLoss(of: neuron, weight: 0.099, input: 1, timesteps: 16, target: target).loss
        #expect(above == below, "the true loss is flat around w₀")
        // never climbs: each update either keeps or lowers the loss on this staircase
        for (a, b) in zip(fit.steps, fit.steps.dropFirst()) { #expect(b.loss <= a.loss) }
    }
}
