// Presets of chapter-classic. `paper` lists the papers' settings with their sources; `quick`
// and `smoke` are derived from it by explicit modifications (docs/conventions.md C5).

import ChapterSupport
import Datasets
import NeuralNetworks
import SNNConversion
import SpikingNeurons
import Training

/// One conversion to evaluate: a threshold rule and a reset.
struct Method: Codable, Equatable, Sendable {
    var balancing: ThresholdBalancing
    var reset: ResetMode

    /// "max-norm, reset to zero", "percentile 99.99, reset by subtraction".
    var name: String {
        "\(balancing), " + (reset == .zero ? "reset to zero" : "reset by subtraction")
    }
}

struct Config: ChapterConfiguration {
    struct DataConfig: Codable, Equatable, Sendable {
        var dataset: DatasetID
        /// Training images used (nil = all).
        var trainLimit: Int?
        /// Test images simulated (a stratified subset; nil = all). The ANN is also scored on it.
        var simulatedTestLimit: Int?
    }
    struct ANNConfig: Codable, Equatable, Sendable {
        var features: [VGG.Item]
        var classifier: [Int]
        /// Adam + cosine schedule (the same type as chapter-compare's ANN).
        var training: ANNTraining
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
    }

    var data: DataConfig
    var ann: ANNConfig
    var conversion: ConversionConfig
    var evaluation: EvaluationConfig

    /// Diehl 2015's baseline (max-norm, reset to zero), max-norm with the chosen reset, then
    /// every percentile with the chosen reset (Rueckauer 2017); duplicates removed.
    var methods: [Method] {
        var list = [Method(balancing: .maxActivation, reset: .zero),
                    Method(balancing: .maxActivation, reset: conversion.reset)]
        list += conversion.percentiles.map { Method(balancing: .percentile($0), reset: conversion.reset) }
        return list.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    /// The papers' scale: VGG-16 on CIFAR-10 (Rueckauer 2017 §3; Sengupta 2019 Table 1).
    static let paper = Config(
        data: DataConfig(dataset: .cifar10, trainLimit: nil, simulatedTestLimit: nil),
        ann: ANNConfig(features: VGG.vgg16, classifier: [4096, 4096],   // Simonyan & Zisserman Table 1
                       training: ANNTraining(epochs: 200, batchSize: 128, // NOTES.md §5.3 recipe
                                             learningRate: 1e-3, weightDecay: 5e-4)),
        conversion: ConversionConfig(calibrationBatches: 8, calibrationBatchSize: 128,
                                     percentiles: [99.9, 99.99],        // Rueckauer 2017 §2.4, toolbox default 99.9
                                     reset: .subtraction),              // Rueckauer 2017 §2.2
        evaluation: EvaluationConfig(maxTimesteps: 256, batchSize: 100, chunk: 8))  // NOTES.md §8 fig. 1

    /// Minutes on two cores: a small average-pooling VGG on Fashion-MNIST.
    static let quick = paper.modified {
        $0.data = DataConfig(dataset: .fashionMNIST, trainLimit: 12_000, simulatedTestLimit: 500)
        $0.ann.features = [.conv(16), .pool, .conv(32), .pool]
        $0.ann.classifier = [64]
        $0.ann.training.epochs = 2
        $0.ann.training.batchSize = 64
        $0.conversion.calibrationBatches = 4
        $0.evaluation = EvaluationConfig(maxTimesteps: 256, batchSize: 250, chunk: 32)
    }

    /// Seconds: plumbing and coarse trends for ChapterTests.
    static let smoke = quick.modified {
        $0.data.trainLimit = 3_000
        $0.data.simulatedTestLimit = 200
        $0.evaluation.batchSize = 100
        $0.ann.features = [.conv(8), .pool, .conv(16), .pool]
        $0.ann.classifier = [32]
        $0.ann.training.epochs = 1
        $0.conversion.calibrationBatches = 2
        $0.evaluation.maxTimesteps = 64
    }
}
