// The shared backbone's threshold-balancing conversions, simulated once: cached stages that
// every chapter converting the backbone with the same rule reuses (chapter-classic computes
// them, chapter-compare reads its conversion curves from the same files).

import Datasets
import Foundation
import NeuralNetworks
import RunRecords
import SNNConversion
import SpikingNeurons
import TensorCore
import Training

/// One threshold-balancing conversion: the rule that sets each layer's threshold θˡ and the
/// reset of the IF neurons.
public struct ConversionMethod: Codable, Equatable, Sendable {
    public var balancing: ThresholdBalancing
    public var reset: ResetMode

    public init(balancing: ThresholdBalancing, reset: ResetMode) {
        self.balancing = balancing
        self.reset = reset
    }

    /// "max-norm, reset to zero", "percentile 99.99, reset by subtraction".
    public var name: String {
        "\(balancing), " + (reset == .zero ? "reset to zero" : "reset by subtraction")
    }
}

/// How the conversions are calibrated and evaluated. Two simulations per conversion: a long
/// sweep to `maxTimesteps` on `sweepImages` test images, and a short one to `fullTestTimesteps`
/// on `fullTestImages` (by default the whole test set), which gives every accuracy at small T.
public struct ConversionSweepSettings: Codable, Equatable, Sendable {
    /// Training batches (of the backbone's training images, in order) whose activations set θ.
    public var calibrationBatches: Int
    public var calibrationBatchSize: Int
    /// Test images of the long sweep (a class-balanced subset; nil = all).
    public var sweepImages: Int?
    /// Test images of the short simulation (a class-balanced subset; nil = all).
    public var fullTestImages: Int?
    public var maxTimesteps: Int
    public var fullTestTimesteps: Int
    /// Images per simulated batch, and steps folded into one forward pass. Neither changes a
    /// result (every image is simulated on its own); both change the memory a batch takes.
    public var batchSize: Int
    public var chunk: Int

    public init(calibrationBatches: Int, calibrationBatchSize: Int, sweepImages: Int?, fullTestImages: Int?,
                maxTimesteps: Int, fullTestTimesteps: Int, batchSize: Int, chunk: Int) {
        self.calibrationBatches = calibrationBatches
        self.calibrationBatchSize = calibrationBatchSize
        self.sweepImages = sweepImages
        self.fullTestImages = fullTestImages
        self.maxTimesteps = maxTimesteps
        self.fullTestTimesteps = fullTestTimesteps
        self.batchSize = batchSize
        self.chunk = chunk
    }

    /// T of the short simulation: never beyond the sweep's.
    public var shortTimesteps: Int { Swift.min(fullTestTimesteps, maxTimesteps) }
}

/// The shared backbone made ready for conversion: BatchNorm folded, the calibration images and
/// their activation statistics, and the two test sets. Every chapter that builds it with the same
/// seed and settings gets the same thresholds and the same test images.
public struct ConversionBench {
    public let backbone: TrainedBackbone
    /// The backbone with BN folded into its convolutions: w' = w·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε).
    public let folded: Sequential
    public let calibration: [Tensor]
    public let statistics: [ActivationStatistics]
    /// The long sweep's test images, and the short simulation's (drawn in this order).
    public let sweepImages: LabeledImages
    public let fullTestImages: LabeledImages
    public let settings: ConversionSweepSettings
    let seed: UInt64
    let testFiles: [DataDigest.File]

    /// θˡ of `method` from the calibration statistics (max-norm: max yˡ; percentile: P_p(yˡ > 0)).
    public func thresholds(_ method: ConversionMethod) throws -> [Float] {
        var rng = SeededGenerator(seed: seed, stream: "calibration \(method.name)")  // Spike-Norm's only
        return try balanceThresholds(of: folded, on: calibration, using: method.balancing, statistics: statistics,
                                     reset: method.reset, using: &rng)
    }

    /// The sweep's and the short simulation's batches (standardised with the backbone's statistics).
    public var sweepBatches: MiniBatches {
        sweepImages.batches(size: settings.batchSize, normalization: backbone.normalization)
    }
    public var fullTestBatches: MiniBatches {
        fullTestImages.batches(size: settings.batchSize, normalization: backbone.normalization)
    }

    /// `snn` simulated on the sweep's images to `maxTimesteps` and on the full test images to
    /// `shortTimesteps`: accuracy, spikes and per-image outcomes at every T of each.
    public func simulate(_ snn: Sequential, name: String) -> (sweep: TimestepEvaluation, fullTest: TimestepEvaluation) {
        (run(snn, name: name, on: sweepBatches, images: sweepImages.count, timesteps: settings.maxTimesteps),
         run(snn, name: name, on: fullTestBatches, images: fullTestImages.count, timesteps: settings.shortTimesteps))
    }

    func run(_ snn: Sequential, name: String, on batches: MiniBatches, images: Int,
             timesteps: Int) -> TimestepEvaluation {
        var simulationRNG = SeededGenerator(seed: seed)   // direct input draws nothing
        let start = Date()
        let evaluation = accuracyByTimestep(
            of: snn, on: batches, timesteps: timesteps, chunk: settings.chunk, using: &simulationRNG
        ) { _, done in
            rewriteLine("simulating \(name): \(done)/\(images) images, T = \(timesteps)")
        }
        print("  (\(formatFixed(Date().timeIntervalSince(start), digits: 1)) s)")
        return evaluation
    }
}

/// One conversion of the shared backbone, simulated: its thresholds and both evaluations.
public struct ConversionSweep: Codable, Equatable, Sendable {
    public var method: ConversionMethod
    public var thresholds: [Float]
    /// To `maxTimesteps` on the sweep's images.
    public var sweep: TimestepEvaluation
    /// To `shortTimesteps` on the full test images.
    public var fullTest: TimestepEvaluation
}

extension ChapterContext {
    /// The stage names of the shared conversions; chapters list them among their stages.
    public static let conversionStages = ["conversion-sweep", "conversion-full-test"]

    /// Folds `backbone`, draws the calibration batches (the first `calibrationBatches` of its
    /// training images, in order) and their statistics (stream "calibration"), and the two test
    /// sets from `test` (class-balanced, the sweep's first, from the run's seed).
    public func conversionBench(_ backbone: TrainedBackbone, test: LabeledImages,
                                settings: ConversionSweepSettings) throws -> ConversionBench {
        var rng = SeededGenerator(seed: seed)
        let sweepImages = test.stratifiedSubset(limit: settings.sweepImages, using: &rng)
        let fullTestImages = test.stratifiedSubset(limit: settings.fullTestImages, using: &rng)
        let folded = try foldBatchNorm(backbone.network)
        let batches = backbone.trainingImages.batches(size: settings.calibrationBatchSize,
                                                      normalization: backbone.normalization)
        let calibration = (0..<settings.calibrationBatches).map { batches[$0].images }
        var calibrationRNG = SeededGenerator(seed: seed, stream: "calibration")
        let statistics = ActivationStatistics.collect(folded, on: calibration, using: &calibrationRNG)
        return ConversionBench(
            backbone: backbone, folded: folded, calibration: calibration, statistics: statistics,
            sweepImages: sweepImages, fullTestImages: fullTestImages, settings: settings, seed: seed,
            testFiles: try dataFiles(backbone.dataset, split: .test))
    }

    /// Each method converted and simulated, loaded from `<cache>/shared-conversions/<profile>/`
    /// when any chapter has simulated it with the same backbone, seed, settings and test files.
    ///
    /// Two stages per method (`conversion-sweep`, `conversion-full-test`), keyed by the method,
    /// the settings, the backbone's key and the digests of the training and test files; the
    /// printed progress names the method. `--rerun conversion-sweep` recomputes them.
    public func conversionSweeps(_ bench: ConversionBench, methods: [ConversionMethod],
                                 cache: StageCache) throws -> [ConversionSweep] {
        let files = RunFacts()
        files.addDataFiles(try dataFiles(bench.backbone.dataset, split: .train) + bench.testFiles)
        let shared = cache.sharing("shared-conversions", stages: Self.conversionStages, facts: files)
        defer { cache.absorb(shared) }
        return try methods.map { method in
            let thresholds = try bench.thresholds(method)
            let stage = SweepStage(method: method, settings: bench.settings)
            func snn() throws -> Sequential { try convert(bench.folded, thresholds: thresholds, reset: method.reset) }
            let (sweep, sweepKey, _) = try shared.stage(
                Self.conversionStages[0], version: 1, config: stage, dependsOn: [bench.backbone.key]
            ) { () -> TimestepEvaluation in
                try bench.run(snn(), name: method.name, on: bench.sweepBatches, images: bench.sweepImages.count,
                              timesteps: bench.settings.maxTimesteps)
            }
            let (fullTest, _, _) = try shared.stage(
                Self.conversionStages[1], version: 1, config: stage, dependsOn: [bench.backbone.key, sweepKey]
            ) { () -> TimestepEvaluation in
                try bench.run(snn(), name: method.name, on: bench.fullTestBatches, images: bench.fullTestImages.count,
                              timesteps: bench.settings.shortTimesteps)
            }
            return ConversionSweep(method: method, thresholds: thresholds, sweep: sweep, fullTest: fullTest)
        }
    }
}

/// The inputs of one shared conversion stage besides the backbone.
private struct SweepStage: Encodable {
    var method: ConversionMethod
    var settings: ConversionSweepSettings
}
