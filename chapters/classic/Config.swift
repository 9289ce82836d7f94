// Presets of chapter-classic. `paper` lists the papers' settings with their sources; `quick`
// and `smoke` are derived from it by explicit modifications (docs/conventions.md C5).

import ChapterSupport
import Datasets
import NeuralNetworks
import SNNConversion
import SpikingNeurons
import Training

/// One conversion to evaluate: a threshold rule and a reset (ChapterSupport's, shared with
/// chapter-compare).
typealias Method = ConversionMethod

struct Config: ChapterConfiguration {
    struct DataConfig: Codable, Equatable, Sendable {
        var dataset: DatasetID
        /// Test images of the long T-sweep (a stratified subset; nil = all).
        var simulatedTestLimit: Int?
        /// Test images of the short simulation to `EvaluationConfig.fullTestTimesteps` (nil = all).
        var fullTestLimit: Int?
    }
    struct ConversionConfig: Codable, Equatable, Sendable {
        /// Training batches whose activations set the thresholds.
        var calibrationBatches: Int
        var calibrationBatchSize: Int
        /// The planned failures first, then the fix (see `methods`).
        var percentiles: [Double]
        /// The reset of the max-norm comparison and of every percentile method.
        var reset: ResetMode
    }
    struct EvaluationConfig: Codable, Equatable, Sendable {
        /// One simulation of T_max steps gives every T ≤ T_max (cumulative read-out).
        var maxTimesteps: Int
        var batchSize: Int
        /// Steps folded into one forward pass.
        var chunk: Int
        /// T of the second simulation, on `DataConfig.fullTestLimit` images (the whole test
        /// set): every accuracy at T ≤ this is read there.
        var fullTestTimesteps: Int
    }

    var data: DataConfig
    /// The ReLU ANN every conversion chapter shares (Training's `SharedBackbone`, one cached stage).
    var backbone: SharedBackbone
    var conversion: ConversionConfig
    var evaluation: EvaluationConfig

    /// Diehl 2015's baseline (max-norm, reset to zero), max-norm with the chosen reset, every
    /// percentile with the chosen reset (Rueckauer 2017), then the first percentile with reset
    /// to zero (does the reset still cost accuracy once the thresholds are robust?); duplicates
    /// removed.
    var methods: [Method] {
        var list = [Method(balancing: .maxActivation, reset: .zero),
                    Method(balancing: .maxActivation, reset: conversion.reset)]
        list += conversion.percentiles.map { Method(balancing: .percentile($0), reset: conversion.reset) }
        if let first = conversion.percentiles.first { list.append(Method(balancing: .percentile(first), reset: .zero)) }
        return list.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    /// The shared conversion stages' settings (ChapterSupport's `conversionSweeps`).
    var sweepSettings: ConversionSweepSettings {
        ConversionSweepSettings(
            calibrationBatches: conversion.calibrationBatches, calibrationBatchSize: conversion.calibrationBatchSize,
            sweepImages: data.simulatedTestLimit, fullTestImages: data.fullTestLimit,
            maxTimesteps: evaluation.maxTimesteps, fullTestTimesteps: evaluation.fullTestTimesteps,
            batchSize: evaluation.batchSize, chunk: evaluation.chunk)
    }

    /// The papers' scale: VGG-16 on CIFAR-10 (Rueckauer 2017 §3; Sengupta 2019 Table 1).
    static let paper = Config(
        data: DataConfig(dataset: .cifar10, simulatedTestLimit: nil, fullTestLimit: nil),
        backbone: .paper,                                                  // NOTES.md §5.3 recipe
        conversion: ConversionConfig(calibrationBatches: 8, calibrationBatchSize: 128,
                                     percentiles: [99.9, 99.99],        // Rueckauer 2017 §2.4, toolbox default 99.9
                                     reset: .subtraction),              // Rueckauer 2017 §2.2
        evaluation: EvaluationConfig(maxTimesteps: 256, batchSize: 100, chunk: 8,  // NOTES.md §8 fig. 1
                                     fullTestTimesteps: 16))

    /// Minutes on two cores: the shared backbone (VGG-S on all of Fashion-MNIST); the long
    /// sweep on 2,000 test images, every T ≤ 16 on all 10,000.
    static let quick = paper.modified {
        $0.data = DataConfig(dataset: .fashionMNIST, simulatedTestLimit: 2_000, fullTestLimit: nil)
        $0.backbone = .quick
        $0.conversion.calibrationBatches = 4
        $0.evaluation = EvaluationConfig(maxTimesteps: 256, batchSize: 250, chunk: 32, fullTestTimesteps: 16)
    }

    /// Seconds: plumbing and coarse trends for ChapterTests.
    static let smoke = quick.modified {
        $0.data.simulatedTestLimit = 200
        $0.data.fullTestLimit = 1_000
        $0.evaluation.batchSize = 100
        $0.backbone = .smoke
        $0.conversion.calibrationBatches = 2
        $0.evaluation.maxTimesteps = 64
    }
}
