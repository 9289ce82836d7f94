import SpikingNeurons
import Testing
import _TestSupport
import TensorCore
import NeuralNetworks
import Autodiff

/// `withoutGradients` (inference without a graph): the same output bits as a recorded forward
/// pass, through every path whose choice depends on gradients (spike-driven convolution of a
/// binary input, neuron layers that keep a trace for backward), and no intermediate value kept.
@Suite("Inference without a graph")
struct WithoutGradientsTests {
    /// Binary input → conv → IF (reset by subtraction) → avg pool → conv → LIF (trained θ and
    /// λ, reset to zero) → flatten → linear, over T = 3 steps.
    static func network() -> Sequential {
        var rng = SeededGenerator(seed: 41)
        return Sequential([
            Conv2D(2, 8, using: &rng), SpikingNeuron(threshold: 0.4, reset: .subtraction), AveragePool(2),
            Conv2D(8, 8, using: &rng),
            SpikingNeuron(threshold: 0.3, model: .leakyIntegrateAndFire(leak: 0.8, training: .trained),
                          reset: .zero, surrogate: .atan(alpha: 2), thresholdTraining: .trained),
            Flatten(), Linear(8 * 4 * 4, 5, using: &rng),
        ])
    }

    static func spikes() -> Tensor {
        var rng = SeededGenerator(seed: 42)
        var x = Tensor.uniform(shape: [3 * 4, 2, 8, 8], low: 0, high: 1, using: &rng)
        x.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = p[i] < 0.3 ? 1 : 0 } }
        return x
    }

    static func forward(_ network: Sequential, _ input: Variable) -> Variable {
        var context = ForwardContext.inference
        context.timesteps = 3
        return network.forward(input, context: &context)
    }

    @Test func sameBitsAsARecordedPassAndNothingRecorded() {
        let network = Self.network()
        let recorded = Self.forward(network, Variable(Self.spikes()))
        let unrecorded = withoutGradients { Self.forward(network, Variable(Self.spikes())) }
        #expect(recorded.requiresGrad, "a parameter makes the recorded pass build a graph")
        #expect(!unrecorded.requiresGrad)
        #expect(recorded.value.shape == unrecorded.value.shape)
        #expect(recorded.value.scalars.map(\.bitPattern) == unrecorded.value.scalars.map(\.bitPattern))
        #expect(recorded.value.scalars.contains { $0 != 0 }, "the network must carry spikes to its output")
        // Recording is back on after the scope.
        #expect(Self.forward(network, Variable(Self.spikes())).requiresGrad)
    }

    /// A recorded pass keeps its input (and every activation) alive through the graph; an
    /// unrecorded one lets it go once the layer after it has run.
    @Test(arguments: [true, false])
    func theGraphAloneKeepsTheInputAlive(recording: Bool) {
        let network = Self.network()
        var input: Variable? = Variable(Self.spikes())
        weak let watched = input
        let output = recording ? Self.forward(network, input!) : withoutGradients { Self.forward(network, input!) }
        input = nil
        #expect((watched != nil) == recording)
        #expect(output.value.count == 4 * 5 * 3)
    }
}
