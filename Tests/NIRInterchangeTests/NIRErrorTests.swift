import Foundation
import NeuralNetworks
@testable import NIRInterchange
import SpikingNeurons
import TensorCore
import Testing

/// Writes a one-node NIR file by hand (through the HDF5 layer, not `NIRGraph.write`), so that
/// a test can leave a parameter out or name an unknown type.
private func writeFile(_ url: URL, type: String, parameters: [(String, [Float], [Int])]) throws {
    let file = try _HDF5File.create(url)
    let root = try file.root()
    try root.write("version", strings: ["1.0.6"], shape: [])
    let graph = try root.makeGroup("node")
    try graph.write("type", strings: ["NIRGraph"], shape: [])
    let nodes = try graph.makeGroup("nodes")
    let node = try nodes.makeGroup("odd")
    try node.write("type", strings: [type], shape: [])
    for (name, values, shape) in parameters { try node.write(name, floats: values, shape: shape) }
    try graph.write("edges", strings: [], shape: [0, 2])
}

private func expectError(_ expected: NIRError, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("no error; expected \(expected)")
    } catch let error as NIRError {
        #expect(error == expected)
        #expect(!error.description.isEmpty)
    } catch {
        Issue.record("unexpected error \(error)")
    }
}

@Suite struct NIRErrorTests {
    @Test func truncatedFileIsUnreadable() throws {
        var rng = SeededGenerator(seed: 1)
        let url = temporaryFile("truncated")
        defer { try? FileManager.default.removeItem(at: url) }
        let snn = smallSNN(model: .integrateAndFire, reset: .zero, amplitude: .threshold, using: &rng)
        try NIRGraph(exporting: snn, inputShape: [1, 8, 8]).write(to: url)
        #expect(throws: Never.self) { try NIRGraph(contentsOf: url) }
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count / 2).write(to: url)
        #expect {
            try NIRGraph(contentsOf: url)
        } throws: { error in
            guard case NIRError.unreadableFile(let path, _) = error else { return false }
            return path == url.path
        }
        try Data("not hdf5 at all".utf8).write(to: url)
        #expect { try NIRGraph(contentsOf: url) } throws: { error in
            if case NIRError.unreadableFile = error { true } else { false }
        }
    }

    @Test func unknownNodeTypeIsNamed() throws {
        let url = temporaryFile("unknown")
        defer { try? FileManager.default.removeItem(at: url) }
        try writeFile(url, type: "Izhikevich", parameters: [("a", [0.02], [1])])
        expectError(.unknownNodeType(node: "odd", type: "Izhikevich")) { _ = try NIRGraph(contentsOf: url) }
    }

    @Test func missingParameterIsNamed() throws {
        let url = temporaryFile("missing")
        defer { try? FileManager.default.removeItem(at: url) }
        try writeFile(url, type: "LIF", parameters: [("tau", [1], [1]), ("r", [1], [1]), ("v_threshold", [1], [1])])
        expectError(.missingParameter(node: "odd", type: "LIF", parameter: "v_leak")) { _ = try NIRGraph(contentsOf: url) }
        try writeFile(url, type: "Affine", parameters: [("weight", [1, 2], [1, 2])])
        expectError(.missingParameter(node: "odd", type: "Affine", parameter: "bias")) { _ = try NIRGraph(contentsOf: url) }
    }

    @Test func parameterShapesMustAgree() throws {
        let url = temporaryFile("shapes")
        defer { try? FileManager.default.removeItem(at: url) }
        try writeFile(url, type: "IF", parameters: [("r", [1, 1], [2]), ("v_threshold", [1, 1, 1], [3])])
        #expect { try NIRGraph(contentsOf: url) } throws: { error in
            if case NIRError.shapeMismatch(node: "odd", _) = error { true } else { false }
        }
        try writeFile(url, type: "Affine", parameters: [("weight", [1, 2], [1, 2]), ("bias", [1, 2, 3], [3])])
        #expect { try NIRGraph(contentsOf: url) } throws: { error in
            if case NIRError.shapeMismatch(node: "odd", _) = error { true } else { false }
        }
    }

    /// A weight layer that does not fit the shape reaching it, and an Output of the wrong size.
    @Test func chainShapeMismatchIsNamed() throws {
        let graph = NIRGraph(chain: [
            NIRNode("in", .input(shape: [6])),
            NIRNode("fc", .affine(weight: NIRArray(shape: [2, 5], repeating: 1), bias: NIRArray(shape: [2], repeating: 0))),
            NIRNode("out", .output(shape: [2])),
        ])
        #expect { try graph.importedNetwork() } throws: { error in
            if case NIRError.shapeMismatch(node: "fc", _) = error { true } else { false }
        }
        let wrongOutput = NIRGraph(chain: [NIRNode("in", .input(shape: [6])), NIRNode("out", .output(shape: [3]))])
        #expect { try wrongOutput.importedNetwork() } throws: { error in
            if case NIRError.shapeMismatch(node: "out", _) = error { true } else { false }
        }
    }

    @Test func unsupportedDynamicsAreRejectedByName() throws {
        let one = NIRArray(shape: [2], repeating: 1)
        let zero = NIRArray(shape: [2], repeating: 0)
        func graph(_ kind: NIRNodeKind) -> NIRGraph {
            NIRGraph(chain: [NIRNode("in", .input(shape: [2])), NIRNode("neuron", kind), NIRNode("out", .output(shape: [2]))])
        }
        let cases: [NIRNodeKind] = [
            .integrateAndFire(r: one, threshold: one, reset: NIRArray(shape: [2], repeating: -0.5)),      // v_reset ≠ 0
            .integrateAndFire(r: NIRArray(shape: [2], values: [1, 2]), threshold: one, reset: zero),       // per-neuron r
            .leakyIntegrateAndFire(tau: one, r: one, leakVoltage: one, threshold: one, reset: zero),        // v_leak ≠ 0
            .currentBasedLIF(CurrentBasedLIF(synapticTau: NIRArray(shape: [2], repeating: 5e-3), membraneTau: one, r: one,
                                             leakVoltage: zero, threshold: one, reset: zero, inputWeight: one)),
        ]
        for kind in cases {
            #expect { try graph(kind).importedNetwork() } throws: { error in
                if case NIRError.notRepresentable(node: "neuron", _) = error { true } else { false }
            }
        }
    }

    @Test func branchingGraphIsNotAChain() throws {
        var graph = NIRGraph(chain: [NIRNode("in", .input(shape: [2])), NIRNode("out", .output(shape: [2]))])
        graph.nodes.append(NIRNode("side", .scale(NIRArray(shape: [2], repeating: 2))))
        graph.edges.append(("in", "side"))
        #expect { try graph.importedNetwork() } throws: { error in
            if case NIRError.notAChain = error { true } else { false }
        }
    }

    /// Layers NIR cannot hold stop the export, naming the layer.
    @Test func exportRejectsWhatNIRCannotExpress() throws {
        var rng = SeededGenerator(seed: 2)
        let cases: [(Sequential, String)] = [
            // Max pooling of currents (not right after a neuron layer, and not a one-step block).
            (Sequential([Conv2D(1, 2, kernelSize: 3, padding: 1, using: &rng), AveragePool(1), MaxPool(2),
                         SpikingNeuron()]), "layer2"),
            (Sequential([Linear(4, 2, using: &rng), SpikingNeuron(initialMembrane: .halfThreshold)]), "layer1"),
            (Sequential([Linear(4, 2, using: &rng), ReLU()]), "layer1"),
        ]
        for (network, layer) in cases {
            let shape = network.layers[0] is Conv2D ? [1, 4, 4] : [4]
            #expect { try NIRGraph(exporting: network, inputShape: shape) } throws: { error in
                guard case NIRError.notRepresentable(let node, _) = error else { return false }
                return node.hasPrefix(layer)
            }
        }
    }
}
