import Foundation
import NeuralNetworks
@testable import NIRInterchange
import SpikingNeurons
import TensorCore
import Testing
import _TestSupport

/// Max pooling of a multi-step neuron layer's spikes, exported as AvgPool2d → IF(0.5/n, reset
/// to zero): the OR over the window at every step (docs/nir.md §4b).
@Suite struct NIRSpikeMaxPoolTests {
    /// `smallSNN` with a max pool after its first neuron layer (as chapter-ultralow converts).
    func pooledSNN(model: NeuronModel, reset: ResetMode, amplitude: SpikeAmplitude,
                   using rng: inout SeededGenerator) -> Sequential {
        smallSNN(model: model, reset: reset, amplitude: amplitude, pool: MaxPool(2), using: &rng)
    }

    /// The nodes: the pool becomes AvgPool2d and an IF with θ = 0.5/n that resets to zero (NIR's
    /// own meaning), and θ of the first neuron layer passes the pool into the next weights.
    @Test func thePoolIsAnAverageAndAnOrNeuron() throws {
        var rng = SeededGenerator(seed: 40)
        let snn = pooledSNN(model: .integrateAndFire, reset: .subtraction, amplitude: .threshold, using: &rng)
        let graph = try NIRGraph(exporting: snn, inputShape: [1, 8, 8])
        #expect(graph.nodes.map(\.kind.typeName) == ["Input", "Conv2d", "IF", "AvgPool2d", "IF", "Flatten", "Affine",
                                                      "IF", "Affine", "Output"])
        guard case .integrateAndFire(let r, let threshold, let reset) = graph["layer2_or"]?.kind,
              case .averagePool2d(let kernel, let stride, _) = graph["layer2"]?.kind,
              case .affine(let w, _) = graph["layer4"]?.kind else {
            Issue.record("unexpected nodes \(graph.nodes.map(\.name))"); return
        }
        #expect(kernel == [2, 2] && stride == [2, 2])
        #expect(threshold.shape == [4, 4, 4] && threshold.uniformValue == 0.125)
        #expect(r.uniformValue == 1 && reset.uniformValue == 0)
        #expect(graph["layer2_or"]?.metadata["reset"] == "zero")
        #expect(graph["layer1"]?.metadata["reset"] == "subtraction")
        #expect(w.values == ((snn.layers[4] as! Linear).weight.value * 0.7).scalars)
    }

    /// export → file → import → simulate: the same predictions, the same spikes in every layer of
    /// the original, and the OR layer fires once per window and step with at least one spike.
    @Test(arguments: [
        (NeuronModel.integrateAndFire, ResetMode.subtraction, SpikeAmplitude.threshold),
        (.integrateAndFire, .zero, .threshold),
        (.leakyIntegrateAndFire(leak: 0.9, training: .fixed), .subtraction, .unit),
    ])
    func importedNetworkPoolsSpikesLikeTheOriginal(model: NeuronModel, reset: ResetMode, amplitude: SpikeAmplitude) throws {
        var rng = SeededGenerator(seed: 41)
        let snn = pooledSNN(model: model, reset: reset, amplitude: amplitude, using: &rng)
        let images = Tensor.normal(shape: [40, 1, 8, 8], using: &rng)
        let url = temporaryFile("spike-maxpool-\(reset)-\(amplitude)")
        defer { try? FileManager.default.removeItem(at: url) }
        try NIRGraph(exporting: snn, inputShape: [1, 8, 8]).write(to: url)
        let imported = try NIRGraph(contentsOf: url).importedNetwork().network
        let T = 12
        let (original, back) = (run(snn, images, timesteps: T), run(imported, images, timesteps: T))
        #expect(original.spikes.allSatisfy { $0 > 0 }, "the test network must spike: \(original.spikes)")
        #expect(back.predictions == original.predictions)
        #expect(back.spikes.count == 3)
        // The two neuron layers of the original; θ folded into the next weights reorders one
        // product per synapse, so rounding only.
        for (a, b) in zip(original.spikes, [back.spikes[0], back.spikes[2]]) {
            #expect(abs(a - b) <= 0.001 * a, "spikes per image \(original.spikes) vs \(back.spikes)")
        }
        // The naive reference of the OR layer: the max pool of the first layer's spikes, run by
        // the package itself, counted in windows that hold a spike, step by step.
        let prefix = Sequential(Array(snn.layers[0...2]))
        var simRNG = SeededGenerator(seed: 0)
        let pooled = prefix.simulate(images, timesteps: T, encoding: .direct, using: &simRNG).outputs
        let windowsFiring = Double(pooled.scalars.filter { $0 != 0 }.count) / Double(images.shape[0])
        #expect(abs(back.spikes[1] - windowsFiring) <= 0.001 * windowsFiring,
                "OR spikes per image \(back.spikes[1]) vs \(windowsFiring)")
        #expect(back.spikes[1] > back.spikes[0] / 4 && back.spikes[1] <= back.spikes[0])
    }
}
