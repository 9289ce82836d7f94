// Presets of chapter-compare. Every method runs its own chapter's preset of the same profile
// (UltralowPreset, HybridPreset, HoyerPreset, AttentionPreset, from the chapters' Method
// libraries); compare sets only what it compares: data, the shared backbone and its ANN, the
// conversion experiment, the T of each method, ultralow's clip percentile and the attention
// density. `quick` and `smoke` are derived from `paper` by explicit modifications
// (docs/conventions.md C5).

import AttentionMethod
import ChapterSupport
import Datasets
import HoyerMethod
import HybridMethod
import NeuralNetworks
import UltralowMethod
import Training

struct Config: ChapterConfiguration {
    struct DataConfig: Codable, Equatable, Sendable {
        var dataset: DatasetID
        /// Training images of every method that trains (RNL's and DIET's ANNs, fine-tuning,
        /// Hoyer, attention): a class-balanced subset of the backbone's (nil = all of them).
        var trainLimit: Int?
        /// Test images of the conversion curves beyond `ConversionConfig.fullTestTimesteps`
        /// (class-balanced subset; nil = all).
        var sweepTestLimit: Int?
        /// Test images every method is scored on at every T ≤ `fullTestTimesteps` (nil = all).
        var fullTestLimit: Int?
    }
    /// RNL's and hybrid's own ANNs (the ReLU ANN is the shared backbone): the backbone's layers,
    /// average pooling, no bias; Adam + cosine (the same type as the backbone's training).
    typealias ANNConfig = ANNTraining
    /// Max-norm, percentile and RNL: one simulation of T_max steps each on the sweep's images,
    /// one of `fullTestTimesteps` on the full test images (chapter-classic's settings, so that the
    /// shared conversion stages are its).
    struct ConversionConfig: Codable, Equatable, Sendable {
        var calibrationBatches: Int
        var calibrationBatchSize: Int
        var percentiles: [Double]
        var maxTimesteps: Int
        var fullTestTimesteps: Int
        var batchSize: Int
        /// Steps folded into one forward pass.
        var chunk: Int
    }
    /// The fitted (α, β) conversion of chapter-ultralow, applied to the shared ReLU ANN, with
    /// chapter-ultralow's preset of the same profile (`UltralowPreset`).
    struct UltralowConfig: Codable, Equatable, Sendable {
        /// μˡ = this percentile of layer l's ReLU outputs (the ReLU ANN has no trained clip).
        var clipPercentile: Double
        /// T of the fitted conversions (one fit and one SNN per T).
        var timesteps: [Int]
        /// T of the fine-tuned SNNs.
        var finetuneTimesteps: [Int]
        /// The fit and the fine-tuning schedule, as chapter-ultralow's preset sets them.
        var method: UltralowPreset
    }
    /// chapter-hybrid's method (arm C of its preset: hybrid input, single-spike neurons),
    /// fine-tuned at T from compare's own BN-free ANN, exactly as chapter-hybrid's preset of the
    /// same profile sets it.
    typealias HybridConfig = HybridPreset
    /// chapter-hoyer's "Hoyer sum + regulariser" SNN, trained from scratch at T = 1 on compare's
    /// backbone with chapter-hoyer's preset of the same profile.
    typealias HoyerConfig = HoyerPreset
    /// chapter-attention's sparse-momentum + AT student of the shared ANN, then its SNN at T,
    /// with chapter-attention's preset of the same profile (`AttentionPreset`).
    struct AttentionConfig: Codable, Equatable, Sendable {
        /// Fraction of weights the student keeps.
        var density: Double
        var method: AttentionPreset
    }
    struct EvaluationConfig: Codable, Equatable, Sendable {
        /// The T reported for every method that allows them (conversion curves are read here).
        var timesteps: [Int]
    }

    var data: DataConfig
    /// The ReLU ANN every conversion chapter shares (Training's `SharedBackbone`, one cached stage);
    /// its layers are every method's.
    var backbone: SharedBackbone
    var ann: ANNConfig
    var conversion: ConversionConfig
    var ultralow: UltralowConfig
    var hybrid: HybridConfig
    var hoyer: HoyerConfig
    var attention: AttentionConfig
    var evaluation: EvaluationConfig

    /// ChapterSupport's shared conversion stages (chapter-classic's with the same profile).
    var sweepSettings: ConversionSweepSettings {
        ConversionSweepSettings(
            calibrationBatches: conversion.calibrationBatches, calibrationBatchSize: conversion.calibrationBatchSize,
            sweepImages: data.sweepTestLimit, fullTestImages: data.fullTestLimit,
            maxTimesteps: conversion.maxTimesteps, fullTestTimesteps: conversion.fullTestTimesteps,
            batchSize: conversion.batchSize, chunk: conversion.chunk)
    }

    /// Every method at its paper's scale on one backbone: VGG-16 / CIFAR-10.
    static let paper = Config(
        data: DataConfig(dataset: .cifar10, trainLimit: nil, sweepTestLimit: nil, fullTestLimit: nil),
        backbone: .paper,                                                      // VGG-16, Simonyan & Zisserman Table 1
        ann: ANNConfig(epochs: 200, batchSize: 128, learningRate: 1e-3,         // chapter-classic paper preset
                       weightDecay: 5e-4),                                      // chapters/classic/NOTES.md §5.3
        conversion: ConversionConfig(calibrationBatches: 8, calibrationBatchSize: 128,
                                     percentiles: [99.9, 99.99],                // Rueckauer 2017 §2.4
                                     maxTimesteps: 256, fullTestTimesteps: 16,      // chapters/rnl/NOTES.md §5: T ≤ 256
                                     batchSize: 100, chunk: 8),
        ultralow: UltralowConfig(clipPercentile: 99.99,                        // [compare] no trained clip here
                                 timesteps: [1, 2, 4, 8],                       // chapters/ultralow/NOTES.md §8: T = 1…8
                                 finetuneTimesteps: [1, 2],                     // paper headline T = 2 (§5)
                                 method: .paper),                               // chapter-ultralow's paper preset
        hybrid: .paper,                                                        // chapter-hybrid's paper preset
        hoyer: .paper,                                            // chapter-hoyer's paper preset
        attention: AttentionConfig(density: 0.03,                                // ≈ 33.4×, chapters/attention/NOTES.md §6
                                   method: .paper),                              // chapter-attention's paper preset
        evaluation: EvaluationConfig(timesteps: [1, 2, 4, 8, 16, 32, 64, 128, 256]))

    /// Minutes on two cores: Fashion-MNIST, the shared backbone (VGG-S on all 60,000 training
    /// images, chapter-classic's), 10,000 of its images for the methods that train, every method
    /// at its chapter's quick preset; all 10,000 test images to T = 16, 2,000 beyond.
    static let quick = paper.modified {
        $0.data = DataConfig(dataset: .fashionMNIST, trainLimit: 10_000, sweepTestLimit: 2_000, fullTestLimit: nil)
        $0.backbone = .quick
        $0.ann = ANNConfig(epochs: 2, batchSize: 64, learningRate: 1e-3, weightDecay: 5e-4)
        $0.conversion.calibrationBatches = 4
        $0.conversion.batchSize = 250
        $0.conversion.chunk = 32
        $0.ultralow.method = .quick                                 // chapter-ultralow's quick preset
        $0.hybrid = .quick                                          // chapter-hybrid's quick preset
        $0.hoyer = .quick                              // chapter-hoyer's quick preset
        $0.attention = AttentionConfig(density: 0.1, method: .quick)  // chapter-attention's quick preset
    }

    /// Seconds: plumbing and coarse invariants for ChapterTests.
    static let smoke = quick.modified {
        $0.data.trainLimit = 2_000
        $0.data.sweepTestLimit = 200
        $0.data.fullTestLimit = 1_000
        $0.backbone = .smoke
        $0.ann.epochs = 1
        $0.conversion.calibrationBatches = 2
        $0.conversion.batchSize = 100
        $0.conversion.maxTimesteps = 64
        $0.ultralow.method.calibrationImages = 64
        $0.ultralow.method.sampleLimit = 10_000
        $0.ultralow.timesteps = [1, 2, 4]
        $0.ultralow.finetuneTimesteps = [2]
        $0.ultralow.method.finetuneImages = 500
        $0.hybrid.imagesPerEpoch = 384
        $0.hybrid.calibrationBatches = 2
        $0.hoyer.schedule.epochs = 1
        $0.attention.method.epochs = 1
        $0.attention.method.snnTrainLimit = 300
        $0.evaluation.timesteps = [1, 2, 4, 8, 16, 32, 64]
    }
}
