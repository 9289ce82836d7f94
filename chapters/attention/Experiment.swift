// Cached stages and restore helpers of chapter-attention (the lesson is main.swift; the
// training loops `trainStudent` and `trainedSNN` live in AttentionMethod).

import AttentionMethod
import ChapterSupport
import Datasets
import EnergyEstimation
import Foundation
import SNNConversion
import TensorCore
import NeuralNetworks

/// Everything a stage's cache key hashes (`MetaStage` also keys the iso-parameter ANN, which
/// trains like the meta-model on another shape).
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
    // Bias-free, no BatchNorm, average pooling (Rathi/DIET convention, NOTES.md §2.1 step 1).
    VGG.make(model.features, inputChannels: imageShape[0], inputSize: imageShape[1], classes: classes,
             classifier: model.classifier, batchNorm: false, bias: false, pool: .average,
             dropout: model.dropout, using: &rng)
}

/// Restores a network from a checkpoint, weights and masks exactly (`NetworkState` stores the
/// masks; a dense checkpoint restores a dense network).
func restore(_ state: Data, config: Config, imageShape: [Int], classes: Int) throws -> Sequential {
    try restore(state, model: config.model, imageShape: imageShape, classes: classes)
}

/// The same for a network of another shape (the iso-parameter dense ANN).
func restore(_ state: Data, model: Config.ModelConfig, imageShape: [Int], classes: Int) throws -> Sequential {
    var skeletonRNG = SeededGenerator(seed: 0)  // every value is overwritten by the checkpoint
    let network = makeVGG(model, imageShape: imageShape, classes: classes, using: &skeletonRNG)
    try NetworkState.decode(state, into: network)
    return network
}

/// Rebuilds a trained SNN from its checkpoint (layout of `trainableSNN`; masks from the checkpoint).
func restoreSNN(_ state: Data, like ann: Sequential, thresholds: [Float]) throws -> Sequential {
    let snn = try trainableSNN(from: ann, thresholds: thresholds)
    try NetworkState.decode(state, into: snn)
    return snn
}

/// Checks the densities against the network before any work (`Arguments.validate()`; their
/// ranges and β's are `Arguments.Rule`s); throws `ChapterError.invalidConfiguration` saying
/// what is wrong and what to use instead.
///
/// A density is honoured when every weight layer keeps at least one weight per output unit
/// (a unit with no input weight computes 0 forever: the student cannot learn through it, and
/// the SNN built from it gets a threshold of 0). With a global-magnitude mask the large fully
/// connected layer, whose initial weights are smallest, loses its weights first; its share is
/// predicted from the shapes by `expectedGlobalMagnitudeKeep`.
func checkDensities(_ config: Config, imageShape: [Int], classes: Int) throws {
    let s = config.student
    for f in config.channels.keptFractions where !(f > 0 && f <= 1) {
        throw ChapterError.invalidConfiguration("channel kept fraction \(f) must be in (0, 1].")
    }
    guard s.arms.contains(.oneShot) || s.initialMasks == .globalMagnitude else { return }
    var skeletonRNG = SeededGenerator(seed: 0)
    let weights = weightParameters(of: makeVGG(config.model, imageShape: imageShape, classes: classes,
                                               using: &skeletonRNG))
    let units = weights.map { $0.value.shape[0] }
    func starved(_ d: Double) -> Int? {
        let kept = expectedGlobalMagnitudeKeep(of: weights, density: d)
        return units.indices.first { kept[$0] < Double(units[$0]) }
    }
    for d in s.densities {
        guard let layer = starved(d) else { continue }
        // The smallest density every layer can honour (bisection; `starved` is monotone in d).
        var (low, high) = (d, 1.0)
        for _ in 0..<40 { let mid = (low + high) / 2; if starved(mid) == nil { high = mid } else { low = mid } }
        let kept = expectedGlobalMagnitudeKeep(of: weights, density: d)[layer]
        throw ChapterError.invalidConfiguration(
            "--density \(d) is too low for this network: the global-magnitude mask would leave "
            + "weight layer \(layer + 1) (\(weights[layer].value.shape)) about \(Int(kept.rounded())) of its "
            + "\(weights[layer].value.count) weights, fewer than its \(units[layer]) output units, so "
            + "those units compute nothing and training cannot recover them (the student stays at "
            + "chance and its SNN diverges to NaN). Use --density \(String(format: "%.3f", high)) or "
            + "larger for this network.")
    }
}

/// The weights (conv and linear, bias-free) of the VGG `model` on these images, counted from
/// its shapes as `VGG.make` builds it.
func weightCount(_ model: Config.ModelConfig, imageShape: [Int], classes: Int) -> Int {
    var channels = imageShape[0], size = imageShape[1], count = 0
    for item in model.features {
        switch item {
        case .conv(let out): count += channels * out * 9; channels = out
        case .pool: size /= 2
        }
    }
    var features = channels * size * size
    for width in model.classifier + [classes] { count += features * width; features = width }
    return count
}

/// The iso-parameter dense network: `model` with every conv width and hidden width scaled by
/// one factor f (rounded, at least 1), f chosen on a grid of 0.001 so that the weight count is
/// closest to `target` (the sparse student's non-zero weights). Same depth, pooling and
/// classifier layout: only narrower.
func isoParameterModel(_ model: Config.ModelConfig, target: Int, imageShape: [Int], classes: Int)
    -> (model: Config.ModelConfig, widthFactor: Double) {
    func scaled(_ f: Double) -> Config.ModelConfig {
        func width(_ w: Int) -> Int { Swift.max(1, Int((Double(w) * f).rounded())) }
        var m = model
        m.features = model.features.map { if case .conv(let k) = $0 { .conv(width(k)) } else { $0 } }
        m.classifier = model.classifier.map(width)
        return m
    }
    let factors = (1...1000).map { Double($0) / 1000 }
    let best = factors.min { a, b in
        abs(weightCount(scaled(a), imageShape: imageShape, classes: classes) - target)
            < abs(weightCount(scaled(b), imageShape: imageShape, classes: classes) - target)
    }!
    return (scaled(best), best)
}

extension Config.ModelConfig {
    /// The convolutions' output channels, "4-4-7-7".
    var convolutionWidths: String {
        features.compactMap { if case .conv(let k) = $0 { "\(k)" } else { nil } }.joined(separator: "-")
    }
}

func fmt(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
