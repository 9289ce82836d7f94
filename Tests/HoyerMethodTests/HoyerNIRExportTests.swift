import Autodiff
import Foundation
import HoyerMethod
import NeuralNetworks
import NIRInterchange
import SpikingNeurons
import TensorCore
import Testing

/// chapter-hoyer's T = 1 networks as NIR (docs/nir.md §4): conv → max pool → BN → Hoyer spike
/// becomes conv (BN folded) → IF(|θ|·E_c) → average pool → IF(OR or AND of the window).
@Suite struct HoyerNIRExportTests {
    /// The smoke profile's VGG on 12 × 12 images: conv → BN → spike, then two conv → max pool
    /// → BN → spike blocks, FC → spike, logits. Running statistics and extrema come from a few
    /// training-mode passes (no optimiser step); channel 2 of the first pooled block gets a
    /// negative BN scale γ, so its window rewrite is an AND.
    private func network(_ mode: ThresholdMode) -> Sequential {
        let network = makeHoyerVGG(
            features: [.conv(8), .conv(8), .pool, .conv(16), .pool], classifier: [32], dropout: 0.1,
            imageShape: [1, 12, 12], classes: 10, mode: mode, surrogateHeight: 0.5,
            regularisation: .init(weight: 0, gradient: .detachedThreshold), seed: 7)
        let norms = network.layers.compactMap { $0 as? BatchNorm }
        norms[1].scale.value[flat: 2] = -0.8 * abs(norms[1].scale.value[flat: 2])
        // A trained θ may be negative (the layer compares with |θ|) or well below 1.
        network.hoyerSpikes[0].layer.threshold.value = Tensor(shape: [1], scalars: [-0.9])
        network.hoyerSpikes[3].layer.threshold.value = Tensor(shape: [1], scalars: [0.3])
        var rng = SeededGenerator(seed: 8)
        for _ in 0..<12 {
            var context = ForwardContext(phase: .training, rng: SeededGenerator(seed: 9))
            _ = network.forward(Variable(Tensor.normal(shape: [32, 1, 12, 12], using: &rng)), context: &context)
        }
        return network
    }

    /// Every layer's output at T = 1 (inference), row-major.
    private func outputs(_ network: Sequential, _ images: Tensor) -> [Tensor] {
        var context = ForwardContext.inference
        return network.forwardCollecting(Variable(images), context: &context).map { $0.value.converted(to: .rowMajor) }
    }

    /// Exported, written, read back and imported, the network makes the original's
    /// predictions, and each Hoyer layer's spikes are the imported IF's, neuron by neuron.
    /// The two differ only in rounding (BN folded into the weights, h ≥ |θ|·E instead of
    /// h/|θ| ≥ E): a neuron within rounding of its threshold could flip, none does here.
    @Test(arguments: [ThresholdMode.fixed, .hoyerSum, .hoyerChannelwise])
    func exportedNetworkSpikesAndPredictsLikeTheOriginal(mode: ThresholdMode) throws {
        let original = network(mode)
        var rng = SeededGenerator(seed: 10)
        let images = Tensor.normal(shape: [64, 1, 12, 12], using: &rng)
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("hoyer-nir-\(ProcessInfo.processInfo.processIdentifier)-\(mode.rawValue).nir")
        defer { try? FileManager.default.removeItem(at: url) }
        try NIRGraph(exporting: original, inputShape: [1, 12, 12]).write(to: url)
        let graph = try NIRGraph(contentsOf: url)
        #expect(try graph.chain().map(\.kind.typeName) == [
            "Input", "Conv2d", "IF", "Conv2d", "IF", "AvgPool2d", "IF", "Conv2d", "IF", "AvgPool2d", "IF",
            "Flatten", "Linear", "IF", "Linear", "Output"])
        // Channel 2 of the first pooled block (BN γ < 0) fires when all four window spikes do.
        guard case .integrateAndFire(_, let counts, _) = graph["layer7"]?.kind else {
            Issue.record("no IF node layer7"); return
        }
        #expect(stride(from: 0, to: counts.values.count, by: 36).map { counts.values[$0] }
                == [0.125, 0.125, 0.875, 0.125, 0.125, 0.125, 0.125, 0.125])
        let imported = try graph.importedNetwork()
        #expect(imported.timesteps == 1)
        let (a, b) = (outputs(original, images), outputs(imported.network, images))
        for (k, layer) in original.hoyerSpikes {
            let spikes = a[k].scalars
            let back = b[imported.nodeNames.lastIndex(of: "layer\(k)")!].scalars
            #expect(spikes.contains(1) && spikes.contains(0), "layer \(k) (\(layer.summary)) must spike on some neurons")
            let differing = zip(spikes, back).filter { $0 != $1 }.count
            #expect(differing == 0, "layer \(k): \(differing) of \(spikes.count) spikes differ")
        }
        #expect(a.last!.argmaxRows() == b.last!.argmaxRows())
        for (x, y) in zip(a.last!.scalars, b.last!.scalars) { #expect(abs(x - y) <= 1e-4 * max(1, abs(x))) }
    }

    /// The AND is needed: the same file with the γ < 0 channel's count threshold set to OR's
    /// no longer spikes like the original in that layer.
    @Test func negativeBatchNormScaleNeedsTheAnd() throws {
        let original = network(.hoyerSum)
        var graph = try NIRGraph(exporting: original, inputShape: [1, 12, 12])
        let index = try #require(graph.nodes.firstIndex { $0.name == "layer7" })
        guard case .integrateAndFire(let r, var counts, let reset) = graph.nodes[index].kind else {
            Issue.record("no IF node layer7"); return
        }
        counts.values = counts.values.map { $0 == 0.875 ? 0.125 : $0 }
        graph.nodes[index].kind = .integrateAndFire(r: r, threshold: counts, reset: reset)
        let imported = try graph.importedNetwork()
        var rng = SeededGenerator(seed: 10)
        let images = Tensor.normal(shape: [64, 1, 12, 12], using: &rng)
        let spikes = outputs(original, images)[7].scalars
        let back = outputs(imported.network, images)[imported.nodeNames.lastIndex(of: "layer7")!].scalars
        #expect(zip(spikes, back).contains { $0 != $1 })
    }

    /// A channel whose running extremum stayed 0 (it never fired in training) would fire on
    /// every h ≥ 0 and has no positive NIR threshold: the export stops, naming the layer and
    /// the channel.
    @Test func aChannelThatNeverFiredStopsTheExport() throws {
        let original = network(.hoyerChannelwise)
        let (index, layer) = original.hoyerSpikes[1]
        var extrema = layer.inferenceExtrema
        extrema[5] = 0
        layer.loadBuffers([Tensor(shape: [extrema.count], scalars: extrema)])
        #expect { try NIRGraph(exporting: original, inputShape: [1, 12, 12]) } throws: { error in
            guard case NIRError.notRepresentable(let node, let reason) = error else { return false }
            return node.hasPrefix("layer\(index) HoyerSpike") && reason.contains("channel 5")
        }
    }
}
