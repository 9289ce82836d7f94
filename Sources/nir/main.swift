// nir: NIR graph files (docs/nir.md) on the command line.
//
//     swift run nir inspect FILE
//     swift run nir evaluate FILE --timesteps 32 --images 1000 [--json out.json]
//
// Networks are written by the chapters (`--export-nir DIR`) or by another library (snnTorch's
// `export_to_nir` + `nir.write`).

import ArgumentParser
import Datasets
import EnergyEstimation
import Foundation
import NeuralNetworks
import NIRInterchange
import RunRecords
import SpikingNeurons
import TensorCore

struct NIRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nir", abstract: "Inspect and evaluate NIR graph files (docs/nir.md).",
        subcommands: [Inspect.self, Evaluate.self, ExportSamples.self])
}

/// Small seeded networks of every neuron kind the export writes, for checking files with
/// another reader (tools/nir/validate): untrained, so their accuracy means nothing.
struct ExportSamples: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-samples",
        abstract: "Write small seeded (untrained) IF and LIF networks as NIR files, one per neuron kind and reset.")

    @Argument(help: "Folder to write into (created if missing).") var directory: String
    @Option(help: "Seed of the random weights.") var seed: UInt64 = 30

    func validate() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ValidationError("\(directory): a file of that name exists; give a folder.")
        }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let kinds: [(String, NeuronModel, ResetMode, SpikeAmplitude)] = [
            ("if-subtraction", .integrateAndFire, .subtraction, .threshold),
            ("if-zero", .integrateAndFire, .zero, .threshold),
            ("lif-zero", .leakyIntegrateAndFire(leak: 0.9, training: .fixed), .zero, .unit),
            ("lif-subtraction", .leakyIntegrateAndFire(leak: 0.8, training: .fixed), .subtraction, .unit),
        ]
        for (name, model, reset, amplitude) in kinds {
            var rng = SeededGenerator(seed: seed)
            func neuron(_ theta: Float) -> SpikingNeuron {
                SpikingNeuron(threshold: theta, model: model, reset: reset, amplitude: amplitude)
            }
            let network = Sequential([
                Conv2D(1, 4, kernelSize: 3, stride: 1, padding: 1, using: &rng), neuron(0.5), AveragePool(2),
                Conv2D(4, 8, kernelSize: 3, stride: 2, padding: 1, using: &rng), neuron(0.4), Flatten(),
                Linear(8 * 7 * 7, 32, using: &rng), neuron(0.3), Linear(32, 10, using: &rng),
            ])
            let file = folder.appendingPathComponent("sample-\(name).nir")
            try NIRGraph(exporting: network, inputShape: [1, 28, 28], metadata: ["network": "sample-\(name)"])
                .write(to: file)
            print("wrote \(file.path)")
        }
    }
}

/// The graph's nodes in chain order with their parameters' shapes, and the layers it imports as.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List a NIR file's nodes and the layers they import as.")

    @Argument(help: "A NIR file (HDF5).") var file: String

    func run() throws {
        let graph = try NIRGraph(contentsOf: URL(fileURLWithPath: file))
        print("\(file): \(graph.nodes.count) nodes, \(graph.edges.count) edges")
        for key in graph.metadata.keys.sorted() { print("  metadata \(key) = \(graph.metadata[key]!)") }
        for node in try graph.chain() {
            let shapes = node.kind.parameterSummary
            let metadata = node.metadata.isEmpty ? "" : "  " + node.metadata.map { "\($0)=\($1)" }.sorted().joined(separator: " ")
            print("  \(node.name): \(node.kind.typeName)  \(shapes.joined(separator: ", "))\(metadata)")
        }
        let imported = try graph.importedNetwork()
        print("imports as (input \(imported.inputShape)):")
        for (name, layer) in zip(imported.nodeNames, imported.network.layers) { print("  \(name) → \(layer.summary)") }
    }
}

/// Runs an imported network on the first N Fashion-MNIST test images for T steps.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a NIR file on Fashion-MNIST test images: accuracy, spike rates, energy ledger.")

    static let timestepRule = OptionRule<Int>("--timesteps", 1...4096, reason: "the read-out keeps T outputs per image")
    static let imageRule = OptionRule<Int>("--images", 1...10_000, reason: "the Fashion-MNIST test set has 10,000 images")
    static let timeStepRule = OptionRule<Double>("--dt", above: 0, through: 1)

    @Argument(help: "A NIR file (HDF5).") var file: String
    @Option(help: timestepRule.help("Time steps T to simulate (default: the file's timesteps metadata, else 32)."))
    var timesteps: Int?
    @Option(help: imageRule.help("The first N test images, in file order.")) var images: Int = 1000
    @Option(help: timeStepRule.help("Δt in seconds for LIF/CubaLIF τ (default: the file's dt metadata, else 1e-4, snnTorch's)."))
    var dt: Double?
    @Option(help: ArgumentHelp("Also write predictions, spike counts and the ledger as JSON here.", valueName: "file"))
    var json: String?

    func validate() throws {
        try Self.timestepRule.check(timesteps)
        try Self.imageRule.check(images)
        try Self.timeStepRule.check(dt)
        guard FileManager.default.fileExists(atPath: file) else { throw ValidationError("\(file): no such file.") }
        if json?.isEmpty == true { throw ValidationError("--json needs a file name.") }
    }

    func run() throws {
        let graph = try NIRGraph(contentsOf: URL(fileURLWithPath: file))
        let imported = try graph.importedNetwork(timeStep: dt)
        // A file of one-step spike layers (chapter-hoyer) is the original network at T = 1 only.
        let timesteps = self.timesteps ?? imported.timesteps ?? 32
        if let defined = imported.timesteps, defined != timesteps {
            print("note: the file is defined for T = \(defined); at T = \(timesteps) its IF neurons run as NIR "
                  + "describes them, which is not the network it was written from")
        }
        let test = try LabeledImages.load(.fashionMNIST, split: .test)
        guard imported.inputShape == test.imageShape else {
            throw NIRError.shapeMismatch(node: "input", detail: "the graph takes \(imported.inputShape), Fashion-MNIST images are \(test.imageShape)")
        }
        var pixels = Array(test.images.scalars.prefix(images * test.imageSize))
        if let mean = floats(graph.metadata[NIRMetadataKey.inputMean]),
           let std = floats(graph.metadata[NIRMetadataKey.inputStandardDeviation]) {
            let normalization = Normalization(mean: mean, std: std)
            pixels = normalization.apply(to: Tensor(shape: [images] + test.imageShape, scalars: pixels)).scalars
            print("input standardised with the file's mean \(mean) and std \(std)")
        }
        let labels = Array(test.labels.prefix(images))
        let network = imported.network
        // Batches of 100 images; predictions after T steps by the cumulative read-out.
        var predictions: [Int] = []
        var spikesPerImage: [Double] = []
        var inputSpikes = [Double](repeating: 0, count: network.layers.count)
        var statistics: [SpikeStatistics] = []
        var rng = SeededGenerator(seed: 0)   // direct input draws nothing; simulate asks for one
        for lo in stride(from: 0, to: images, by: 100) {
            let n = min(100, images - lo)
            let batch = Tensor(shape: [n] + test.imageShape,
                               scalars: Array(pixels[(lo * test.imageSize)..<((lo + n) * test.imageSize)]))
            let s = network.simulate(batch, timesteps: timesteps, encoding: .direct, using: &rng)
            let c = s.cumulativeOutputs()
            let k = c.shape[2]
            let last = Array(c.scalars[((timesteps - 1) * n * k)...])
            predictions += (0..<n).map { i in (0..<k).reduce(0) { last[i * k + $1] > last[i * k + $0] ? $1 : $0 } }
            if spikesPerImage.isEmpty { spikesPerImage = [Double](repeating: 0, count: s.spikeStatistics.count) }
            for (j, stat) in s.spikeStatistics.enumerated() { spikesPerImage[j] += stat.spikesPerImage * Double(n) }
            for j in inputSpikes.indices { inputSpikes[j] += s.inputSpikesPerImage[j] * Double(n) }
            statistics = s.spikeStatistics
        }
        spikesPerImage = spikesPerImage.map { $0 / Double(images) }
        inputSpikes = inputSpikes.map { $0 / Double(images) }
        let correct = zip(predictions, labels).filter { $0 == $1 }.count
        let accuracy = Double(correct) / Double(images)
        print("\(file): \(images) Fashion-MNIST test images, T = \(timesteps)")
        print("accuracy: \(String(format: "%.2f", 100 * accuracy)) % (\(correct)/\(images))")
        print("spikes per layer (per image, summed over T; rate = spikes / (neurons · T)):")
        var layers: [LayerSpikes] = []
        for (stat, perImage) in zip(statistics, spikesPerImage) {
            let node = imported.nodeNames[stat.layerIndex]
            let rate = perImage / Double(stat.neurons * timesteps)
            layers.append(LayerSpikes(node: node, neurons: stat.neurons, spikesPerImage: perImage, firingRate: rate))
            print("  \(node): \(stat.neurons) neurons, \(String(format: "%.1f", perImage)) spikes/image, rate \(String(format: "%.4f", rate))")
        }
        let ledger = EnergyLedger.snn(network, inputShape: imported.inputShape, inputSpikesPerImage: inputSpikes,
                                      timesteps: timesteps)
        let annLedger = EnergyLedger.ann(network, inputShape: imported.inputShape)
        print("energy ledger per image (\(ledger.constants.citation)):")
        for layer in ledger.layers {
            print("  \(layer.name): \(String(format: "%.0f", layer.macs)) MACs, \(String(format: "%.0f", layer.accumulates)) ACs, "
                  + "\(String(format: "%.1f", layer.energy(ledger.constants) / 1e3)) nJ")
        }
        print("  total \(String(format: "%.1f", ledger.totalPicojoules / 1e3)) nJ; an ANN with these weights "
              + "\(String(format: "%.1f", annLedger.totalPicojoules / 1e3)) nJ (ratio \(String(format: "%.3f", ledger.ratio(to: annLedger))))")
        if let json {
            let result = EvaluationResult(file: file, timesteps: timesteps, images: images, accuracy: accuracy,
                                          predictions: predictions, labels: labels, layers: layers, energy: ledger)
            try JSONCoding.prettyEncoder().encode(result).write(to: URL(fileURLWithPath: json))
            print("wrote \(json)")
        }
    }

    private func floats(_ text: String?) -> [Float]? {
        guard let text else { return nil }
        let values = text.split(separator: ",").compactMap { Float(String($0)) }
        return values.isEmpty ? nil : values
    }
}

/// One spiking layer's counts in `nir evaluate --json`.
struct LayerSpikes: Codable {
    var node: String
    var neurons: Int
    var spikesPerImage: Double
    var firingRate: Double
}

/// What `nir evaluate --json` writes (read by tools/nir/crosscheck.py).
struct EvaluationResult: Codable {
    var file: String
    var timesteps: Int
    var images: Int
    var accuracy: Double
    var predictions: [Int]
    var labels: [Int]
    var layers: [LayerSpikes]
    var energy: EnergyLedger
}

NIRCommand.main()
