import Testing
@testable import SpikingNeurons
import _TestSupport
import TensorCore
import NeuralNetworks
import Autodiff

/// The fused input-gradient BPTT kernel (`backwardInput`, used when neither θ nor λ trains)
/// against the general `backward` it shortcuts, on random membranes and upstream gradients,
/// for every reset mode, reset gradient, amplitude and several surrogates.
@Suite("Fast neuron BPTT kernel against the reference backward")
struct FastNeuronKernelTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var leak: Float, reset: ResetMode, resetGradient: ResetGradient
        var amplitude: SpikeAmplitude, surrogate: SurrogateGradient, threshold: Float
        var testDescription: String { "λ \(leak) \(reset) \(resetGradient) \(amplitude) \(surrogate) θ \(threshold)" }
    }

    static let cases: [Case] = {
        var all: [Case] = []
        for reset in ResetMode.allCases {
            for resetGradient in [ResetGradient.full, .detached] {
                for surrogate in [SurrogateGradient.atan(alpha: 2), .triangle(gamma: 0.3), .sigmoid(slope: 4)] {
                    all.append(Case(leak: 0.5, reset: reset, resetGradient: resetGradient, amplitude: .unit,
                                    surrogate: surrogate, threshold: 1))
                }
                all.append(Case(leak: 1, reset: reset, resetGradient: resetGradient, amplitude: .threshold,
                                surrogate: .atan(alpha: 2), threshold: 0.7))
            }
        }
        return all
    }()

    @Test(arguments: cases)
    func inputGradientMatchesReference(_ c: Case) {
        // m large enough that the kernels split it over both workers.
        let timesteps = 5, m = 70_001
        var rng = SeededGenerator(seed: 17)
        let x = Tensor.uniform(shape: [timesteps * m], low: -0.5, high: 1.5, using: &rng)
        let g = Tensor.uniform(shape: [timesteps * m], low: -1, high: 1, using: &rng)
        let run = SpikingNeuron.simulate(x, timesteps: timesteps, neurons: m, threshold: c.threshold, leak: c.leak,
                                         reset: c.reset, initial: nil, initialMembrane: .zero, keepTrace: true)
        #expect(run.spikes.sum() > 0.05 * Float(timesteps * m), "too few spikes to exercise the reset")
        let reference = SpikingNeuron.backward(
            g, spikes: run.spikes, preResetMembranes: run.preResetMembranes, timesteps: timesteps, neurons: m,
            threshold: c.threshold, leak: c.leak, reset: c.reset, resetGradient: c.resetGradient,
            initialMembrane: .zero, initial: nil, amplitude: c.amplitude, surrogate: c.surrogate).input
        let fast = SpikingNeuron.backwardInput(
            g, spikes: run.spikes, preResetMembranes: run.preResetMembranes, timesteps: timesteps, neurons: m,
            threshold: c.threshold, leak: c.leak, reset: c.reset, resetGradient: c.resetGradient,
            amplitude: c.amplitude, surrogate: c.surrogate)
        let scale = max(reference.scalars.map(abs).max() ?? 0, 1e-30)
        let error = maxAbsoluteDifference(fast, reference) / scale
        #expect(error < 1e-5, "relative error \(error)")
    }

    /// Through the layer: with θ and λ fixed the layer takes the fast path, with θ trained the
    /// reference path; ∂L/∂x must be the same.
    @Test func layerGradientIsTheSameOnBothPaths() {
        var rng = SeededGenerator(seed: 3)
        let timesteps = 4
        let input = Tensor.uniform(shape: [timesteps * 8, 3, 5, 5], low: -0.5, high: 1.5, using: &rng)
        let seed = Tensor.uniform(shape: input.shape, low: -1, high: 1, using: &rng)
        func inputGradient(_ training: Training) -> Tensor {
            let neuron = SpikingNeuron(threshold: 1, model: .leakyIntegrateAndFire(leak: 0.5, training: .fixed),
                                       reset: .zero, surrogate: .atan(alpha: 2), thresholdTraining: training)
            var context = ForwardContext(phase: .training)
            context.timesteps = timesteps
            let x = Variable(leaf: input)
            neuron.forward(x, context: &context).backward(seed: seed)
            return x.grad!
        }
        let fast = inputGradient(.fixed), reference = inputGradient(.trained)
        #expect(maxAbsoluteDifference(fast, reference) <= 1e-6 * max(reference.scalars.map(abs).max()!, 1))
    }
}
