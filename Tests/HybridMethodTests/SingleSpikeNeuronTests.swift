// Claims of chapters/hybrid/NOTES.md §8.5 about the single-spike neuron: with a huge constant input every neuron
// fires exactly once, at t = 1 in every layer, and never again, and its surrogate gradient is
// exactly zero after the spike; V1/V2 have their closed forms.

import Foundation
import HybridMethod
import SNNConversion
import Testing
import _TestSupport
import TensorCore
import SpikingNeurons
import NeuralNetworks
import Autodiff

@Suite struct SingleSpikeNeuronTests {
    @Test(arguments: [STDBSurrogate.v1(alpha: 0.3, beta: 0.1), .v2(gamma: 0.3)])
    func hugeInputFiresEveryNeuronOnceAtStepOneInEveryLayer(surrogate: STDBSurrogate) {
        let T = 5, n = 3, features = 4
        var rng = SeededGenerator(seed: 1)
        // Two layers: positive weights so a huge input drives every neuron of both layers.
        let network = Sequential([
            SingleSpikeNeuron(threshold: 1, surrogate: surrogate),
            Linear(weight: Tensor.uniform(shape: [6, features], low: 0.5, high: 1, using: &rng), bias: nil),
            SingleSpikeNeuron(threshold: 1, surrogate: surrogate),
        ])
        let x = Variable(leaf: Tensor(shape: [T * n, features], repeating: 1000))
        var context = ForwardContext(phase: .training)
        context.timesteps = T
        let outputs = network.forwardCollecting(x, context: &context)
        for layer in [0, 2] {
            let s = outputs[layer].value.scalars, m = s.count / T
            for i in 0..<m {
                let steps = (0..<T).filter { s[$0 * m + i] != 0 }
                #expect(steps == [0], "layer \(layer) neuron \(i) fired at \(steps)")
            }
        }
        // Gradient of Σ_t o(t) into the input: the spike step gets the surrogate, every later
        // step exactly zero (the fired-flag mask).
        outputs.last!.sum().backward()
        let g = x.grad!.scalars, m = n * features
        for i in 0..<m {
            for t in 1..<T { #expect(g[t * m + i] == 0, "gradient after the spike at t = \(t + 1)") }
        }
    }

    @Test func backwardMasksEverythingAfterTheSpikeAndCarriesBeforeIt() {
        // One neuron, θ = 1, inputs 0.4, 0.4, 0.4, 5, 5: fires at t = 3 (h = 1.2), then frozen.
        let x = Tensor(shape: [5], scalars: [0.4, 0.4, 0.4, 5, 5])
        let f = singleSpikeForward(x, timesteps: 5, threshold: 1, leak: 1)
        #expect(f.spikes.scalars == [0, 0, 1, 0, 0])
        #expect(f.fireStep == [3])
        #expect(f.membranes.scalars.map { ($0 * 10).rounded() / 10 } == [0.4, 0.8, 1.2, 1.2, 1.2])
        let g = Tensor(shape: [5], repeating: 1)
        let surrogate = STDBSurrogate.v1(alpha: 0.3, beta: 0.1)
        let dx = singleSpikeBackward(g, membranes: f.membranes, fireStep: f.fireStep, timesteps: 5,
                                     threshold: 1, leak: 1, amplitudeIsThreshold: false, surrogate: surrogate,
                                     parameters: .fixed).input.scalars
        // δh[t] = δh[t+1] + f(t) for t ≤ 3 (IF carries the whole later gradient back).
        let f3 = 0.3 * exp(-0.3 as Float), f2 = 0.3 * exp(-0.2 as Float), f1 = 0.3 * exp(-0.1 as Float)
        #expect(abs(dx[2] - f3) < 1e-6)
        #expect(abs(dx[1] - (f3 + f2)) < 1e-6)
        #expect(abs(dx[0] - (f3 + f2 + f1)) < 1e-6)
        #expect(dx[3] == 0 && dx[4] == 0)
    }

    @Test func surrogatesMatchTheirClosedForms() {
        #expect(abs(STDBSurrogate.v1(alpha: 0.3, beta: 0.5).value(step: 2, z: 7) - 0.3 * exp(-1)) < 1e-7)
        #expect(STDBSurrogate.v2(gamma: 0.3).value(step: 4, z: 0) == 0.3)
        #expect(STDBSurrogate.v2(gamma: 0.3).value(step: 1, z: 1.5) == 0)
        #expect(abs(STDBSurrogate.v2(gamma: 0.3).value(step: 1, z: -0.5) - 0.15) < 1e-7)
    }
}

/// The single-spike layer through the spiking-layer interface.
@Suite struct SingleSpikeLayerInterfaceTests {
    @Test func reportsOneSpikePerImageAndCopiesWithoutSharing() {
        let layer = SingleSpikeNeuron(threshold: 0.5, leak: 0.9, surrogate: .v2(gamma: 0.3), training: .trained)
        #expect(layer.spikeLimitPerImage == 1 && layer.resetMode == nil && layer.spikeValue == 0.5)
        let copy = layer.copy() as! SingleSpikeNeuron
        #expect(copy !== layer && copy.threshold !== layer.threshold)
        #expect(copy.summary == layer.summary)
        layer.threshold.value[flat: 0] = -3
        layer.clampTrainedParameters(minimumThreshold: 1e-3, leak: 1e-3...1)
        #expect(layer.thresholdValue == 1e-3 && copy.thresholdValue == 0.5)
        // Its forward pass over all steps is what `simulate` returns from no state.
        var rng = SeededGenerator(seed: 2)
        let x = Tensor.uniform(shape: [6, 30], low: 0, high: 0.4, using: &rng)
        var state: NeuronState? = nil
        var context = ForwardContext.inference
        context.timesteps = 6
        #expect(copy.simulate(x, timesteps: 6, state: &state).scalars
                == copy.forward(Variable(x), context: &context).value.scalars)
    }

    /// Evaluation (no graph) takes the inference kernel, which keeps a blocked map blocked; the
    /// spikes must be the training pass's bits in either layout.
    @Test(arguments: [TensorLayout.rowMajor, .channelBlocked16])
    func inferenceWithoutAGraphGivesTheTrainingPassSpikes(layout: TensorLayout) {
        let layer = SingleSpikeNeuron(threshold: 0.6, leak: 0.9, surrogate: .v2(gamma: 0.3), training: .trained)
        var rng = SeededGenerator(seed: 4)
        let x = Tensor.uniform(shape: [5 * 2, 16, 3, 3], low: -0.2, high: 0.5, using: &rng).converted(to: layout)
        var context = ForwardContext.inference
        context.timesteps = 5
        let recorded = layer.forward(Variable(x), context: &context)
        let inferred = withoutGradients { layer.forward(Variable(x), context: &context) }
        #expect(inferred.value.layout == layout)
        #expect(inferred.value.scalars == recorded.value.scalars)
        #expect(recorded.value.scalars.contains(0.6))
    }
}
