// Cached stages and restore helpers of chapter-attention (the lesson is main.swift; the
// training loops `trainStudent` and `trainedSNN` live in AttentionMethod).

import AttentionMethod
import ChapterSupport
import Datasets
import EnergyEstimation
import Foundation
import SNNConversion

/// Everything a stage's cache key hashes.
struct MetaStage: Encodable { var data: Config.DataConfig; var model: Config.ModelConfig; var meta: Config.MetaConfig }
struct StudentStage: Encodable {
    var arm: String; var density: Double; var student: Config.StudentConfig
}
struct ChannelStage: Encodable { var fraction: Double; var student: Config.StudentConfig; var channels: Config.ChannelConfig }
struct SNNStage: Encodable { var model: String; var conversion: Config.ConversionConfig; var snn: Config.SNNConfig }

/// A trained network plus what its training measured, stored together in one checkpoint.
struct TrainedModel: Codable {
    var state: Data
    var trace: TrainingTrace
}

func makeVGG(_ model: Config.ModelConfig, imageShape: [Int], classes: Int, using rng: inout SeededGenerator) -> Sequential {
    // Bias-free, no BatchNorm, average pooling (Rathi/DIET convention, digest §2.1 step 1).
    VGG.make(model.features, inputChannels: imageShape[0], inputSize: imageShape[1], classes: classes,
             classifier: model.classifier, batchNorm: false, bias: false, pool: .average,
             dropout: model.dropout, using: &rng)
}

/// Restores a network from a checkpoint; masks are recovered as `W ≠ 0` (exact for our masks).
func restore(_ state: Data, config: Config, imageShape: [Int], classes: Int, masked: Bool) throws -> Sequential {
    var initRNG = SeededGenerator(seed: 0)
    let network = makeVGG(config.model, imageShape: imageShape, classes: classes, using: &initRNG)
    try NetworkState.decode(state, into: network)
    if masked { for p in weightParameters(of: network) { p.mask = p.value.map { $0 != 0 ? 1 : 0 } } }
    return network
}

/// Rebuilds a trained SNN from its checkpoint (layout of `trainableSNN`).
func restoreSNN(_ state: Data, like ann: Sequential, thresholds: [Float]) throws -> Sequential {
    let snn = try trainableSNN(from: ann, thresholds: thresholds)
    try NetworkState.decode(state, into: snn)
    for p in weightParameters(of: snn) { p.mask = p.value.map { $0 != 0 ? 1 : 0 } }
    return snn
}

func fmt(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
