import Foundation
import NeuralNetworks
@testable import NIRInterchange
import SpikingNeurons
import TensorCore
import Testing
import _TestSupport

/// A temporary file path, removed by the caller.
func temporaryFile(_ name: String) -> URL {
    FileManager.default.temporaryDirectory
        .appendingPathComponent("nir-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name).nir")
}

/// A small converted-style SNN: conv → IF → pool (average, or `pool`) → flatten → linear → IF →
/// linear (non-spiking read-out), spikes of value θ like `convert`'s, or unit spikes.
func smallSNN(model: NeuronModel, reset: ResetMode, amplitude: SpikeAmplitude, pool: any Layer = AveragePool(2),
              using rng: inout SeededGenerator) -> Sequential {
    Sequential([
        Conv2D(1, 4, kernelSize: 3, stride: 1, padding: 1, using: &rng),
        SpikingNeuron(threshold: 0.7, model: model, reset: reset, amplitude: amplitude),
        pool, Flatten(),
        Linear(4 * 4 * 4, 12, using: &rng),
        SpikingNeuron(threshold: 0.45, model: model, reset: reset, amplitude: amplitude),
        Linear(12, 5, using: &rng),
    ])
}

/// Predictions after T steps (cumulative read-out) and spikes per layer, per image.
func run(_ network: Sequential, _ images: Tensor, timesteps: Int) -> (predictions: [Int], spikes: [Double]) {
    var rng = SeededGenerator(seed: 0)
    let s = network.simulate(images, timesteps: timesteps, encoding: .direct, using: &rng)
    let c = s.cumulativeOutputs()
    let (n, k) = (c.shape[1], c.shape[2])
    let last = Array(c.scalars[((timesteps - 1) * n * k)...])
    let predictions = (0..<n).map { i in (0..<k).max { last[i * k + $0] < last[i * k + $1] }! }
    return (predictions, s.spikeStatistics.map(\.spikesPerImage))
}

@Suite struct NIRRoundTripTests {
    /// Every node kind survives write → read unchanged (nodes come back in name order, so
    /// they are compared by name).
    @Test func everyNodeKindSurvivesTheFile() throws {
        let a = NIRArray(shape: [2, 3], values: [1, -2, 3.5, 4, 5, 6e-7])
        let v = NIRArray(shape: [2], values: [0.25, 1])
        let nodes: [NIRNode] = [
            NIRNode("a_input", .input(shape: [1, 4, 4])),
            NIRNode("b_conv", .conv2d(Conv2dParameters(
                weight: NIRArray(shape: [2, 1, 3, 3], values: (0..<18).map { Float($0) / 7 }),
                bias: v, stride: [1, 1], padding: [1, 1], inputSize: [4, 4]))),
            NIRNode("c_sum", .sumPool2d(kernelSize: [2, 2], stride: [2, 2], padding: [0, 0])),
            NIRNode("d_flat", .flatten(inputShape: [2, 2, 2], startDim: 0, endDim: -1)),
            NIRNode("e_scale", .scale(NIRArray(shape: [8], repeating: 0.5))),
            NIRNode("f_lin", .linear(weight: NIRArray(shape: [3, 8], repeating: 0.1))),
            NIRNode("g_aff", .affine(weight: NIRArray(shape: [2, 3], values: a.values), bias: v)),
            NIRNode("h_if", .integrateAndFire(r: v, threshold: v, reset: NIRArray(shape: [2], repeating: 0)),
                    metadata: ["reset": "subtraction"]),
            NIRNode("i_lif", .leakyIntegrateAndFire(tau: v, r: v, leakVoltage: v, threshold: v, reset: v)),
            NIRNode("j_cuba", .currentBasedLIF(CurrentBasedLIF(synapticTau: v, membraneTau: v, r: v, leakVoltage: v,
                                                             threshold: v, reset: v, inputWeight: v))),
            NIRNode("k_avg", .averagePool2d(kernelSize: [2, 2], stride: [1, 1], padding: [0, 0])),
            NIRNode("z_output", .output(shape: [2])),
        ]
        let graph = NIRGraph(chain: nodes, metadata: ["dt": "0.0001", "input_mean": "0.28"])
        let url = temporaryFile("kinds")
        defer { try? FileManager.default.removeItem(at: url) }
        try graph.write(to: url)
        let back = try NIRGraph(contentsOf: url)
        #expect(back.nodes.count == nodes.count)
        for node in nodes { #expect(back[node.name] == node, "node \(node.name)") }
        #expect(back.edges.map { [$0.0, $0.1] } == graph.edges.map { [$0.0, $0.1] })
        #expect(back.metadata == graph.metadata)
    }

    /// export → file → import → simulate gives the original's predictions and spike counts,
    /// for IF with both resets (spikes of value θ, folded into the next layer's weights) and
    /// for LIF (λ through τ = Δt/(1 − λ) and back).
    @Test(arguments: [
        (NeuronModel.integrateAndFire, ResetMode.subtraction, SpikeAmplitude.threshold),
        (.integrateAndFire, .zero, .threshold),
        (.leakyIntegrateAndFire(leak: 0.9, training: .fixed), .zero, .unit),
        (.leakyIntegrateAndFire(leak: 0.75, training: .fixed), .subtraction, .unit),
    ])
    func importedNetworkSpikesLikeTheOriginal(model: NeuronModel, reset: ResetMode, amplitude: SpikeAmplitude) throws {
        var rng = SeededGenerator(seed: 30)
        let snn = smallSNN(model: model, reset: reset, amplitude: amplitude, using: &rng)
        let images = Tensor.normal(shape: [40, 1, 8, 8], using: &rng)
        let url = temporaryFile("roundtrip-\(reset)-\(amplitude)")
        defer { try? FileManager.default.removeItem(at: url) }
        try NIRGraph(exporting: snn, inputShape: [1, 8, 8]).write(to: url)
        let imported = try NIRGraph(contentsOf: url).importedNetwork()
        #expect(imported.inputShape == [1, 8, 8])
        let neurons = imported.network.layers.compactMap { $0 as? SpikingNeuron }
        #expect(neurons.map(\.reset) == [reset, reset])
        #expect(neurons.map(\.leakValue) == snn.layers.compactMap { $0 as? SpikingNeuron }.map(\.leakValue))
        let (original, back) = (run(snn, images, timesteps: 16), run(imported.network, images, timesteps: 16))
        #expect(original.spikes.allSatisfy { $0 > 0 }, "the test network must spike: \(original.spikes)")
        #expect(back.predictions == original.predictions)
        // θ folded into the next weights reorders one product per synapse: rounding only.
        for (a, b) in zip(original.spikes, back.spikes) {
            #expect(abs(a - b) <= 0.001 * a, "spikes per image \(original.spikes) vs \(back.spikes)")
        }
    }

    /// A converted network's spikes of value θ become unit spikes with θ in the next weights
    /// (W ← θ·W); reset by subtraction is written as metadata beside v_reset = 0.
    @Test func convertedSpikeValueFoldsIntoTheNextWeights() throws {
        var rng = SeededGenerator(seed: 31)
        let snn = smallSNN(model: .integrateAndFire, reset: .subtraction, amplitude: .threshold, using: &rng)
        let graph = try NIRGraph(exporting: snn, inputShape: [1, 8, 8])
        guard case .affine(let w, _) = graph["layer4"]?.kind, case .affine(let w2, _) = graph["layer6"]?.kind,
              case .integrateAndFire(let r, let threshold, let reset) = graph["layer1"]?.kind else {
            Issue.record("unexpected nodes \(graph.nodes.map(\.kind.typeName))"); return
        }
        let linear = snn.layers[4] as! Linear, readout = snn.layers[6] as! Linear
        #expect(w.values == (linear.weight.value * 0.7).scalars)
        #expect(w2.values == (readout.weight.value * 0.45).scalars)
        #expect(threshold.shape == [4, 8, 8] && threshold.uniformValue == 0.7)
        #expect(r.uniformValue == 1 && reset.uniformValue == 0)
        #expect(graph["layer1"]?.metadata["reset"] == "subtraction")
        #expect(graph.nodes.map(\.kind.typeName) == ["Input", "Conv2d", "IF", "AvgPool2d", "Flatten", "Affine", "IF",
                                                      "Affine", "Output"])
    }

    /// LIF with λ: τ = Δt/(1 − λ), r = τ/Δt (input gain r·Δt/τ = 1), as snnTorch writes it.
    @Test func leakMapsToTauAndBack() throws {
        let net = Sequential([SpikingNeuron(threshold: 1.5, model: .leakyIntegrateAndFire(leak: 0.8, training: .fixed),
                                            reset: .zero, amplitude: .unit)])
        let graph = try NIRGraph(exporting: net, inputShape: [3], timeStep: 1e-3)
        guard case .leakyIntegrateAndFire(let tau, let r, _, let threshold, _) = graph["layer0"]?.kind else {
            Issue.record("no LIF node"); return
        }
        #expect(abs(Double(tau.values[0]) - 5e-3) < 1e-9)       // 1e-3 / (1 − 0.8)
        #expect(abs(r.values[0] - 5) < 1e-5)
        #expect(threshold.values == [1.5, 1.5, 1.5])
        let back = try graph.importedNetwork().network.layers[0] as! SpikingNeuron
        #expect(back.leakValue == 0.8 && back.thresholdValue == 1.5)
        // Read with another Δt (a file without "dt"): λ = 1 − Δt/τ changes with it.
        var bare = graph
        bare.metadata = [:]
        let other = try bare.importedNetwork(timeStep: 5e-4).network.layers[0] as! SpikingNeuron
        #expect(abs(other.leakValue - 0.9) < 1e-6)
        #expect(abs(other.thresholdValue - 3) < 1e-5)   // gain r·Δt/τ = 0.5 → θ/0.5
    }

    /// A LIF whose trained leak reached exactly 1 (DIET-SNN's clamp) is written as an IF.
    @Test func leakOfOneExportsAsIF() throws {
        let net = Sequential([SpikingNeuron(threshold: 1, model: .leakyIntegrateAndFire(leak: 1, training: .trained),
                                            reset: .subtraction, amplitude: .unit)])
        let graph = try NIRGraph(exporting: net, inputShape: [2])
        #expect(graph["layer0"]?.kind.typeName == "IF")
        let back = try graph.importedNetwork().network.layers[0] as! SpikingNeuron
        #expect(back.leakValue == 1 && back.reset == .subtraction)
    }

    /// An imported IF with r = 2 and θ = 1 fires like v[t] = v[t−1] + 2·x[t] ≥ 1: with x =
    /// 0.15, v = 0.3, 0.6, 0.9, 1.2 → spike at step 4, then (reset to 0) at step 8.
    @Test func importedIFFollowsNIRsEquation() throws {
        let graph = NIRGraph(chain: [
            NIRNode("in", .input(shape: [1])),
            NIRNode("if", .integrateAndFire(r: NIRArray(shape: [1], repeating: 2), threshold: NIRArray(shape: [1], repeating: 1),
                                            reset: NIRArray(shape: [1], repeating: 0))),
            NIRNode("out", .output(shape: [1])),
        ])
        let network = try graph.importedNetwork().network
        var rng = SeededGenerator(seed: 0)
        let s = network.simulate(Tensor(shape: [1, 1], scalars: [0.15]), timesteps: 9, encoding: .direct, using: &rng)
        #expect(s.outputs.scalars == [0, 0, 0, 1, 0, 0, 0, 1, 0])
    }
}
