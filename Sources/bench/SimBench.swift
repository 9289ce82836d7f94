// `bench sim`: the inference the conversion chapters spend their time in — a converted IF network
// simulated for T steps on test images, every T ≤ T_max read from one run.
//
//   swift run -c release --scratch-path .build-speed bench sim                      # backbone, both resets
//   swift run -c release --scratch-path .build-speed bench sim --network classic --layers
//   swift run -c release --scratch-path .build-speed bench sim --export DIR          # for the peers' side
//
// Networks (Fashion-MNIST, 1×28×28, BatchNorm VGGs with average pooling, no bias, folded at conversion):
//   backbone  conv32-conv32-pool-conv64-conv64-pool-fc256-fc10 (`VGG.small`, the shared backbone)
//   classic   conv16-pool-conv32-pool-fc64-fc10 (chapter-classic's quick net before the shared backbone)
// The ANN is trained once (Adam, cosine, `--epochs` over `--train-images` class-balanced
// training images) and kept in `--cache-dir`; thresholds are max-norm over 4 calibration batches;
// IF neurons, spikes carry θ, membrane read-out, direct (analog) input.
//
// Reports per reset: image·steps/s, accuracy at T = 1…T_max milestones, the fraction of neurons
// that spike per step, and the work: dense MACs per image·step against the accumulates the
// spikes cause (spikes × fan-out) plus the first layer's MACs. `--layers` adds where the time
// goes, layer by layer (one more, instrumented simulation). `--export DIR` writes the folded
// network, its thresholds and the test images as safetensors for Benchmarks/peers/simbench.py.
import ArgumentParser
import Autodiff
import Datasets
import EnergyEstimation
import Foundation
import NeuralNetworks
import RunRecords
import SNNConversion
import SpikingNeurons
import TensorCore
import Training

struct SimBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim", abstract: "Simulate a converted IF network for T steps; image·steps/s, spikes and work.")

    enum Network: String, ExpressibleByArgument, CaseIterable {
        case backbone, classic
        var features: [VGG.Item] {
            self == .backbone ? VGG.small : [.conv(16), .pool, .conv(32), .pool]
        }
        var classifier: [Int] { self == .backbone ? [256] : [64] }
    }

    /// What each option accepts, declared once: shown in --help, checked in validate().
    enum Rule {
        static let images = OptionRule<Int>("--images", 10...10_000)
        static let timesteps = OptionRule<Int>("--timesteps", 1...4096)
        static let resets = OptionRule<String>("--resets", oneOf: ["subtraction", "zero"])
        static let batch = OptionRule<Int>("--batch", 1...10_000)
        static let chunk = OptionRule<Int>("--chunk", 1...256)
        static let trainImages = OptionRule<Int>("--train-images", 1_000...60_000)
        static let epochs = OptionRule<Int>("--epochs", 1...100)
        static let runs = OptionRule<Int>("--runs", 1...100)
        static let workingSet = OptionRule<Int>("--working-set", 1...65_536)
    }

    @Option(help: "Network: backbone (conv32-32-64-64, fc256) or classic (conv16-32, fc64).")
    var network: Network = .backbone
    @Option(help: Rule.images.help("Test images simulated (class-balanced subset)."))
    var images = 500
    @Option(help: Rule.timesteps.help("Time steps T_max."))
    var timesteps = 256
    @Option(help: Rule.resets.help("Resets to run, comma-separated."))
    var resets = "subtraction,zero"
    @Option(help: Rule.batch.help("Images per simulated batch."))
    var batch = 250
    @Option(help: Rule.chunk.help("Time steps folded into one forward pass."))
    var chunk = 32
    @Option(help: Rule.trainImages.help("Training images for the ANN (class-balanced)."))
    var trainImages = 12_000
    @Option(help: Rule.runs.help("Timed simulations per reset (the first includes the process's warm-up; the median is reported)."))
    var runs = 3
    @Option(help: Rule.workingSet.help("MiB one activation of a simulated chunk may take (images run in groups that fit)."))
    var workingSet = 64
    @Option(help: Rule.epochs.help("ANN training epochs."))
    var epochs = 1
    @Option(help: "Seed of the ANN's initialisation, shuffling and the image subset.")
    var seed: UInt64 = 42
    @Option(help: "Where the trained ANN is kept between runs.")
    var cacheDir = ".build-speed/sim-bench"
    @Flag(help: "Also time every layer (one more, instrumented simulation per reset).")
    var layers = false
    @Flag(help: "Also simulate with every convolution and linear layer dense (oneDNN, OpenBLAS) and state how far the spike-driven run's correct images and spikes are from it.")
    var againstDense = false
    @Option(help: "Write the converted network and the test images here for Benchmarks/peers/simbench.py.")
    var export: String?

    func validate() throws {
        try Rule.images.check(images)
        try Rule.timesteps.check(timesteps)
        try Rule.resets.check(resets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        try Rule.batch.check(batch)
        try Rule.chunk.check(chunk)
        try Rule.trainImages.check(trainImages)
        try Rule.epochs.check(epochs)
        try Rule.runs.check(runs)
        try Rule.workingSet.check(workingSet)
    }

    func resetModes() throws -> [ResetMode] {
        try resets.split(separator: ",").map {
            switch $0.trimmingCharacters(in: .whitespaces) {
            case "subtraction": return .subtraction
            case "zero": return .zero
            default: throw ValidationError("--resets: '\($0)' is not subtraction or zero.")
            }
        }
    }

    func run() throws {
        ExecutionPolicy.update { $0.memoryBudgetBytes = (workingSet << 20) * 16 }   // the working set is budget / 16
        printMachine()
        let train = try LabeledImages.load(.fashionMNIST, split: .train)
        let test = try LabeledImages.load(.fashionMNIST, split: .test)
        let normalization = Normalization(fittedTo: train)
        let ann = try trainedANN(train: train, normalization: normalization)
        let folded = try foldBatchNorm(ann)

        var calibrationRNG = SeededGenerator(seed: seed, stream: "calibration")
        let calibration = (0..<4).map { train.batches(size: 128, normalization: normalization)[$0].images }
        let thresholds = try balanceThresholds(of: folded, on: calibration, using: .maxActivation,
                                               using: &calibrationRNG)
        var subsetRNG = SeededGenerator(seed: seed, stream: "test subset")
        let simulated = test.stratifiedSubset(limit: images, using: &subsetRNG)
        let batches = simulated.batches(size: batch, normalization: normalization)
        let annAccuracy = Double(classificationAccuracy(folded, batches: batches))
        let denseMACs = Int(EnergyLedger.ann(folded, inputShape: train.imageShape).totalMACs)
        print("network \(network.rawValue): \(folded.layers.count) layers, \(denseMACs) MACs per image·step (dense), "
              + "θ = " + thresholds.map { formatFixed(Double($0), digits: 3) }.joined(separator: " "))
        print("ANN accuracy on the \(simulated.count) simulated images: \(formatFixed(100 * annAccuracy, digits: 2)) %")
        print("T = \(timesteps), batch \(batch), chunk \(chunk), working set \(workingSet) MiB, threads \(Parallelism.workers)")

        if let export {
            try exportForPeers(folded, thresholds: thresholds, images: simulated, normalization: normalization,
                               to: URL(fileURLWithPath: export, isDirectory: true))
        }

        for reset in try resetModes() {
            let snn = try convert(folded, thresholds: thresholds, reset: reset)
            var measured: TimestepEvaluation?
            var times: [Double] = []
            for _ in 0..<runs {
                var rng = SeededGenerator(seed: seed)
                let start = ContinuousClock.now
                let run = accuracyByTimestep(of: snn, on: batches, timesteps: timesteps, chunk: chunk, using: &rng)
                times.append(secondsSince(start))
                precondition(measured == nil || measured == run, "two simulations of one network differ")
                measured = run
            }
            let evaluation = measured!
            let seconds = times.sorted()[times.count / 2]
            let imageSteps = Double(simulated.count * timesteps)
            let ledger = EnergyLedger.snn(snn, inputShape: train.imageShape,
                                          inputSpikesPerImage: evaluation.inputSpikesPerImage,
                                          timesteps: timesteps, constants: .float32At45nm)
            let work = (ledger.totalMACs + ledger.totalAccumulates) / Double(timesteps)
            let milestones = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096].filter { $0 <= timesteps }
            print("\nreset \(reset == .subtraction ? "by subtraction" : "to zero"): "
                  + String(format: "%.2f s, %.0f image·steps/s (median of %d runs: ", seconds, imageSteps / seconds, runs)
                  + times.map { formatFixed($0, digits: 2) }.joined(separator: ", ") + " s)")
            print("  accuracy %: " + milestones.map { "T=\($0) \(formatFixed(100 * evaluation.accuracy[$0 - 1], digits: 2))" }
                .joined(separator: "  "))
            print("  spikes per neuron and step: " + evaluation.firingRates.map { formatFixed($0, digits: 4) }
                .joined(separator: " "))
            print(String(format: "  work per image·step: %.0f operations done (%.0f first-layer MACs + %.0f accumulates) "
                         + "vs %d dense MACs (%.1f %%)", work, ledger.totalMACs / Double(timesteps),
                         ledger.totalAccumulates / Double(timesteps), denseMACs, 100 * work / Double(denseMACs)))
            print("RESULT " + jsonLine([
                "lib": "ours", "network": network.rawValue, "reset": reset == .subtraction ? "subtraction" : "zero",
                "images": simulated.count, "T": timesteps, "seconds": seconds, "imageStepsPerSecond": imageSteps / seconds,
                "correctAtT": evaluation.accuracy.map { Int(($0 * Double(simulated.count)).rounded()) },
                "firingRates": evaluation.firingRates, "workFraction": work / Double(denseMACs),
            ]))
            if againstDense { compareWithDense(snn, evaluation, batches: batches, images: simulated.count) }
            if layers { profileLayers(snn, batches: batches) }
        }
    }

    /// The ANN of `network`, trained once per (network, seed, images, epochs) and kept in `cacheDir`.
    func trainedANN(train: LabeledImages, normalization: Normalization) throws -> Sequential {
        var initRNG = SeededGenerator(seed: seed, stream: "init")
        let ann = VGG.make(network.features, inputChannels: 1, inputSize: 28, classes: 10,
                           classifier: network.classifier, batchNorm: true, bias: false, pool: .average,
                           using: &initRNG)
        let file = URL(fileURLWithPath: cacheDir, isDirectory: true)
            .appendingPathComponent("\(network.rawValue)-seed\(seed)-n\(trainImages)-e\(epochs).safetensors")
        if let data = try? Data(contentsOf: file), (try? NetworkState.decode(data, into: ann)) != nil {
            print("ANN loaded from \(file.path)")
            return ann
        }
        var rng = SeededGenerator(seed: seed, stream: "training")
        let subset = train.stratifiedSubset(limit: trainImages, using: &rng)
        var optimizer = Adam(learningRate: 1e-3, weightDecay: 5e-4)
        try trainSupervised(ann, epochs: epochs, batchSize: 64, optimizer: &optimizer, learningRate: 1e-3,
                            schedule: .cosine(minimum: 0), on: subset, normalization: normalization,
                            progressLabel: "ANN", rng: &rng)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try NetworkState.encode(ann).write(to: file, options: .atomic)
        return ann
    }

    /// The same simulation with every convolution and linear layer dense: the spike-driven
    /// kernels sum in another order, so a membrane near θ may fire one step apart. States the
    /// largest difference in correct images at any T and in spikes per neuron and step.
    func compareWithDense(_ snn: Sequential, _ sparse: TimestepEvaluation, batches: MiniBatches, images: Int) {
        var rng = SeededGenerator(seed: seed)
        let dense = SpikeConvolutionPolicy.$current.withValue(.dense) {
            accuracyByTimestep(of: snn, on: batches, timesteps: timesteps, chunk: chunk, using: &rng)
        }
        let correct = { (e: TimestepEvaluation) in e.accuracy.map { Int(($0 * Double(images)).rounded()) } }
        let imageDifferences = zip(correct(sparse), correct(dense)).map { abs($0 - $1) }
        let largest = imageDifferences.max() ?? 0
        let rateDifference = zip(sparse.firingRates, dense.firingRates).map { abs($0 - $1) / Swift.max($1, 1e-12) }.max() ?? 0
        print("  against the dense simulation: correct images differ by at most \(largest) of \(images) at any T "
              + "(at \(imageDifferences.filter { $0 > 0 }.count) of \(timesteps) steps); spikes per neuron and step "
              + "by at most \(formatFixed(100 * rateDifference, digits: 3)) % (relative)")
        print("RESULT " + jsonLine([
            "lib": "ours-against-dense", "network": network.rawValue, "images": images, "T": timesteps,
            "largestImageDifference": largest, "stepsThatDiffer": imageDifferences.filter { $0 > 0 }.count,
            "largestRelativeRateDifference": rateDifference,
        ]))
    }

    /// Where the time of one more simulation goes (`SimulationProfile`), summed over batches.
    func profileLayers(_ snn: Sequential, batches: MiniBatches) {
        let profile = SimulationProfile()
        var rng = SeededGenerator(seed: seed)
        for batch in batches {
            _ = snn.simulate(batch.images, timesteps: timesteps, encoding: .direct, chunk: chunk,
                             using: &rng, profile: profile)
        }
        let total = profile.layerSeconds.reduce(0, +) + profile.encodingSeconds + profile.bookkeepingSeconds
        func line(_ name: String, _ seconds: Double) {
            print("    " + name.prefix(58).padding(toLength: 58, withPad: " ", startingAt: 0)
                  + String(format: "%7.3f s  %5.1f %%", seconds, 100 * seconds / total))
        }
        print("  where the time goes (one more run, \(formatFixed(total, digits: 2)) s):")
        line("input code / repeat of the constant first layers", profile.encodingSeconds)
        for (index, layer) in snn.layers.enumerated() { line("[\(index)] \(layer.summary)", profile.layerSeconds[index]) }
        line("spike bookkeeping (statistics, input spike counts)", profile.bookkeepingSeconds)
    }

    /// The folded network's tensors (`NetworkState` names), the thresholds, and the simulated
    /// images (normalised, `[N, 1, 28, 28]`) with their labels, as safetensors; plus a JSON
    /// description of the layer sequence for the peers' side.
    func exportForPeers(_ folded: Sequential, thresholds: [Float], images: LabeledImages,
                        normalization: Normalization, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var tensors = NetworkState.tensors(of: folded)
        tensors.append(("thresholds", Tensor(shape: [thresholds.count], scalars: thresholds)))
        let all = images.batches(size: images.count, normalization: normalization)[0]
        tensors.append(("images", all.images))
        tensors.append(("labels", Tensor(shape: [all.labels.count], scalars: all.labels.map(Float.init))))
        try Safetensors.encode(tensors, metadata: [:]).write(to: directory.appendingPathComponent("network.safetensors"))
        let description: [[String: Any]] = folded.layers.enumerated().map { index, layer in
            switch layer {
            case let conv as Conv2D:
                return ["index": index, "kind": "conv", "in": conv.inChannels, "out": conv.outChannels,
                        "kernel": conv.kernelSize, "stride": conv.stride, "padding": conv.padding,
                        "bias": conv.bias != nil]
            case let linear as Linear:
                return ["index": index, "kind": "linear", "in": linear.weight.value.shape[1],
                        "out": linear.weight.value.shape[0], "bias": linear.bias != nil]
            case let pool as AveragePool:
                return ["index": index, "kind": "avgpool", "size": pool.size, "stride": pool.stride]
            case is Flatten: return ["index": index, "kind": "flatten"]
            case is ReLU: return ["index": index, "kind": "neuron"]
            default: return ["index": index, "kind": String(describing: type(of: layer))]
            }
        }
        let json = try JSONSerialization.data(withJSONObject: ["layers": description, "timesteps": timesteps],
                                              options: [.prettyPrinted, .sortedKeys])
        try json.write(to: directory.appendingPathComponent("network.json"))
        print("exported the folded network, \(thresholds.count) thresholds and \(images.count) images to \(directory.path)")
    }
}

/// One JSON object on one line (keys sorted), for the `RESULT` lines compare-peers.sh reads.
func jsonLine(_ object: [String: Any]) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
}
