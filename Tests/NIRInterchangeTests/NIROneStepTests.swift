import Autodiff
import Foundation
import NeuralNetworks
@testable import NIRInterchange
import SpikingNeurons
import TensorCore
import Testing

/// A one-step layer for these tests, written as plainly as possible: s = [h ≥ θ_c] at
/// inference, one θ or one per channel (dimension 1).
final class StepLayer: OneStepSpikingLayer {
    let threshold = Parameter(Tensor(shape: [1], scalars: [1]), name: "step.threshold", role: .threshold)
    let inferenceThresholds: [Float]
    init(_ thresholds: [Float]) { inferenceThresholds = thresholds }
    var spikeValue: Float { 1 }
    func copy() -> any SpikingLayer { StepLayer(inferenceThresholds) }
    func clampTrainedParameters(minimumThreshold: Float, leak: ClosedRange<Float>) {}
    func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        let h = x.value
        let (c, t) = (h.shape[1], inferenceThresholds)
        let inner = h.count / (h.shape[0] * c)
        let s = h.scalars.enumerated().map { i, v -> Float in v >= t[t.count == 1 ? 0 : (i / inner) % c] ? 1 : 0 }
        return Variable(Tensor(shape: h.shape, scalars: s))
    }
    var summary: String { "StepLayer(\(inferenceThresholds))" }
}

/// Every layer's output at T = 1 (inference), row-major.
private func outputs(_ network: Sequential, _ images: Tensor) -> [Tensor] {
    var context = ForwardContext.inference
    return network.forwardCollecting(Variable(images), context: &context).map { $0.value.converted(to: .rowMajor) }
}

/// BatchNorm with given γ and β and running statistics (μ, σ²) drawn near a conv's scale.
private func norm(_ gamma: [Float], _ beta: [Float], using rng: inout SeededGenerator) -> BatchNorm {
    let c = gamma.count
    return BatchNorm(scale: Tensor(shape: [c], scalars: gamma), shift: Tensor(shape: [c], scalars: beta),
                     runningMean: Tensor.normal(shape: [c], std: 0.3, using: &rng),
                     runningVariance: Tensor(shape: [c], scalars: (0..<c).map { _ in Float.random(in: 0.5...2, using: &rng) }))
}

@Suite struct NIROneStepTests {
    /// conv → max pool → BN → one-step spike (γ > 0, γ < 0 and γ = 0 channels), conv → BN →
    /// one-step spike, FC → one-step spike, logits: exported, written, read and imported, the
    /// network's spikes equal the original's element by element and its logits agree to
    /// rounding. The original is the naive reference: it takes the max of the analog window
    /// first, the export never does.
    @Test func windowRewriteSpikesLikeMaxPoolThenBatchNorm() throws {
        var rng = SeededGenerator(seed: 40)
        let network = Sequential([
            Conv2D(1, 4, kernelSize: 3, stride: 1, padding: 1, bias: false, using: &rng), MaxPool(2),
            norm([1.2, -0.7, 0, 0.9], [0.1, 0.3, 0.5, -0.2], using: &rng),
            StepLayer([0.3, 0.2, 0.4, 0.25]), Dropout(0.1),
            Conv2D(4, 6, kernelSize: 3, stride: 1, padding: 1, bias: false, using: &rng),
            norm([1, -1, 0.5, 0.8, -0.4, 1.1], [0.2, 0.1, 0, 0.3, 0.2, 0], using: &rng), StepLayer([0.35]),
            Flatten(), Linear(6 * 4 * 4, 7, bias: false, using: &rng), StepLayer([0.2]),
            Linear(7, 3, bias: false, using: &rng),
        ])
        let images = Tensor.normal(shape: [48, 1, 8, 8], using: &rng)
        let url = temporaryFile("one-step")
        defer { try? FileManager.default.removeItem(at: url) }
        let graph = try NIRGraph(exporting: network, inputShape: [1, 8, 8])
        #expect(graph.metadata[NIRMetadataKey.timesteps] == "1")
        #expect(try graph.chain().map(\.kind.typeName) == [
            "Input", "Conv2d", "IF", "AvgPool2d", "IF", "Conv2d", "IF", "Flatten", "Linear", "IF", "Linear", "Output"])
        try graph.write(to: url)
        let imported = try NIRGraph(contentsOf: url).importedNetwork()
        #expect(imported.timesteps == 1)
        let original = outputs(network, images), back = outputs(imported.network, images)
        /// The imported layer whose output is node `name`'s (the last layer of that node).
        func node(_ name: String) -> Tensor { back[imported.nodeNames.lastIndex(of: name)!] }
        // The spike layers keep their index as node name (layer3, layer7, layer10).
        for k in [3, 7, 10] {
            let (a, b) = (original[k].scalars, node("layer\(k)").scalars)
            #expect(a.contains(1) && a.contains(0), "layer \(k) must spike on some neurons, not all")
            let differing = zip(a, b).filter { $0 != $1 }.count
            #expect(differing == 0, "layer \(k): \(differing) of \(a.count) spikes differ")
        }
        // The γ < 0 channel matters: some of its windows hold both spikes and silences, where
        // OR and AND differ.
        let window = node("layer3_window")              // [48, 4, 8, 8]
        var mixed = 0
        for image in 0..<48 { for i in 0..<4 { for j in 0..<4 {
            let values = [(0, 0), (0, 1), (1, 0), (1, 1)].map { dy, dx in
                window.scalars[((image * 4 + 1) * 8 + 2 * i + dy) * 8 + 2 * j + dx]
            }
            if Set(values).count == 2 { mixed += 1 }
        }}}
        #expect(mixed > 0)
        let (logits, importedLogits) = (original.last!, back.last!)
        #expect(logits.argmaxRows() == importedLogits.argmaxRows())
        for (a, b) in zip(logits.scalars, importedLogits.scalars) { #expect(abs(a - b) <= 1e-4 * max(1, abs(a))) }
    }

    /// The pooled IF's thresholds sit halfway between two window counts: with m = j/n the
    /// average of j spikes, m ≥ θ and m > θ both say j ≥ 1 (OR, γ ≥ 0) or j = n (AND, γ < 0),
    /// for a 2×2 and an overlapping 3×3 window, whether m is j/n or j·(1/n) in float.
    @Test(arguments: [(2, 2), (3, 2)])
    func countThresholdsSitHalfwayBetweenCounts(size: Int, stride: Int) throws {
        var rng = SeededGenerator(seed: 41)
        let network = Sequential([
            Conv2D(1, 2, kernelSize: 3, stride: 1, padding: 1, bias: false, using: &rng), MaxPool(size, stride: stride),
            norm([0.5, -0.5], [0, 0], using: &rng), StepLayer([0.1]),
        ])
        let graph = try NIRGraph(exporting: network, inputShape: [1, 9, 9])
        guard case .averagePool2d(let k, let s, _) = graph["layer1"]?.kind,
              case .integrateAndFire(_, let threshold, _) = graph["layer3"]?.kind else {
            Issue.record("nodes \(graph.nodes.map(\.name))"); return
        }
        #expect(k == [size, size] && s == [stride, stride])
        let n = size * size, plane = threshold.values.count / 2
        for (channel, and) in [(0, false), (1, true)] {
            let theta = threshold.values[channel * plane]
            for j in 0...n {
                let fires = and ? j == n : j >= 1
                for m in [Float(j) / Float(n), Float(j) * (1 / Float(n))] {
                    #expect((m >= theta) == fires && (m > theta) == fires, "channel \(channel), \(j) of \(n) spikes")
                }
            }
        }
    }

    /// Thresholds per channel import as a ChannelScale before one neuron layer: spike for
    /// spike the neurons of each channel on their own, over many steps and both resets
    /// (thresholds powers of two, so the scaling is exact).
    @Test(arguments: [ResetMode.subtraction, .zero])
    func perChannelThresholdsImportExactly(reset: ResetMode) throws {
        let thetas: [Float] = [0.5, 2, 0.5]
        let graph = NIRGraph(chain: [
            NIRNode("in", .input(shape: [3, 2, 2])),
            NIRNode("if", .integrateAndFire(r: NIRArray(shape: [3, 2, 2], repeating: 1),
                                            threshold: NIRArray(shape: [3, 2, 2], values: thetas.flatMap { [Float](repeating: $0, count: 4) }),
                                            reset: NIRArray(shape: [3, 2, 2], repeating: 0)),
                    metadata: [NIRMetadataKey.reset: reset.rawValue]),
            NIRNode("out", .output(shape: [3, 2, 2])),
        ])
        let imported = try graph.importedNetwork()
        #expect(imported.network.layers.count == 2)
        let neuron = try #require(imported.network.layers.last as? SpikingNeuron)
        #expect(neuron.thresholdValue == 0.5)     // the value two of three channels share
        var rng = SeededGenerator(seed: 42)
        let x = Tensor.normal(shape: [5, 3, 2, 2], std: 0.8, using: &rng)
        let timesteps = 12
        let spikes = imported.network.simulate(x, timesteps: timesteps, encoding: .direct, using: &rng)
            .outputs.converted(to: .rowMajor).scalars
        let inputs = x.scalars
        /// The 4 values of channel c in row `row` of a [rows, 3, 2, 2] array.
        func channel(_ values: [Float], _ c: Int, rows: Int) -> [Float] {
            var picked: [Float] = []
            for row in 0..<rows {
                let start: Int = (row * 3 + c) * 4
                picked += values[start..<(start + 4)]
            }
            return picked
        }
        for (c, theta) in thetas.enumerated() {
            // Channel c alone through its own neuron layer with θ_c.
            let alone = Tensor(shape: [5, 1, 2, 2], scalars: channel(inputs, c, rows: 5))
            let reference = Sequential([SpikingNeuron(threshold: theta, reset: reset, amplitude: .unit)])
                .simulate(alone, timesteps: timesteps, encoding: .direct, using: &rng).outputs.converted(to: .rowMajor).scalars
            let mine = channel(spikes, c, rows: timesteps * 5)
            #expect(mine.count == reference.count && zip(mine, reference).allSatisfy { $0 == $1 },
                    "channel \(c), θ = \(theta)")
            #expect(reference.contains(1))
        }
    }

    /// What the window rewrite cannot take stops the export, naming the layer; and a file
    /// whose thresholds differ within a channel stops the import, naming the node.
    @Test func inexpressibleOneStepNetworksAreRejectedByName() throws {
        var rng = SeededGenerator(seed: 43)
        let cases: [(Sequential, String, String)] = [
            // max pool before a multi-step IF: pooling analog currents is not pooling spikes
            (Sequential([Conv2D(1, 2, kernelSize: 3, padding: 1, using: &rng), MaxPool(2), norm([1, 1], [0, 0], using: &rng),
                         SpikingNeuron()]), "layer1", "max pool"),
            // a channel whose one-step threshold is 0 (a Hoyer channel that never fired)
            (Sequential([Conv2D(1, 2, kernelSize: 3, padding: 1, using: &rng), MaxPool(2), StepLayer([0.3, 0])]),
             "layer2", "channel 1"),
            // a BatchNorm with no weight layer right before it
            (Sequential([Linear(4, 2, using: &rng), StepLayer([0.5]), norm([1, 1], [0, 0], using: &rng)]), "layer2", "BatchNorm"),
        ]
        for (network, layer, says) in cases {
            let shape = network.layers[0] is Conv2D ? [1, 4, 4] : [4]
            #expect { try NIRGraph(exporting: network, inputShape: shape) } throws: { error in
                guard case NIRError.notRepresentable(let node, let reason) = error else { return false }
                return node.hasPrefix(layer + " ") && (node + reason).contains(says)
            }
        }
        let within = NIRGraph(chain: [
            NIRNode("in", .input(shape: [1, 1, 2])),
            NIRNode("if", .integrateAndFire(r: NIRArray(shape: [1, 1, 2], repeating: 1),
                                            threshold: NIRArray(shape: [1, 1, 2], values: [1, 2]),
                                            reset: NIRArray(shape: [1, 1, 2], repeating: 0))),
            NIRNode("out", .output(shape: [1, 1, 2])),
        ])
        #expect { try within.importedNetwork() } throws: { error in
            guard case NIRError.notRepresentable(node: "if", let reason) = error else { return false }
            return reason.contains("within a channel")
        }
    }
}
