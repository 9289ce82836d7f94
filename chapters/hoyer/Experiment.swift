// Building, training and measuring the networks of chapter-hoyer (the steps main.swift
// narrates): one VGG per variant, trained from scratch at T = 1, then probed layer by layer.

import ChapterSupport
import Datasets
import EnergyEstimation
import Foundation
import Statistics
import HoyerMethod
import SpikingNeurons
import TensorCore
import NeuralNetworks
import Autodiff

/// The stage-cache key material of one training run (labels left out on purpose).
struct TrainingStage: Encodable {
    var data: Config.DataConfig
    var network: Config.NetworkConfig
    var training: Config.TrainingConfig
    var neuron: Variant.Neuron
    var regularisation: HoyerSpike.Regularisation?
    var surrogateHeight: Float?
    /// A seed replicate's training seed; nil (left out of the key) for the run's own seed,
    /// which the stage cache hashes in anyway.
    var replicateSeed: UInt64?
}

/// One extra training of a variant (`--seed-replicates`): its index k ≥ 1 and its seed.
struct SeedReplicate: Sendable {
    var index: Int
    var seed: UInt64
}

/// One network of the run: a variant trained at the run's seed or a replicate's, then
/// evaluated (with the noise curve or without).
struct TrainingJob: Sendable {
    var variant: Variant
    var replicate: SeedReplicate?
    /// Whether the evaluation includes accuracy under membrane noise.
    var noise: Bool

    /// The training stage's name: the variant key, or `<key>-r<k>` for a replicate.
    var stage: String { replicate.map { Config.replicateStage(variant, $0.index) } ?? variant.key }
    /// The evaluation stage's name.
    var evaluationStage: String { "eval-\(stage)" }
    /// Bump when training changes meaning, to invalidate cached networks.
    static let trainingVersion = 1
}

extension TrainingStage {
    /// The key material of `variant`'s training run (a replicate's, if given).
    init(_ variant: Variant, config: Config, replicate: SeedReplicate?) {
        self.init(
            data: config.data, network: config.network, training: config.training,
            neuron: variant.neuron,
            regularisation: variant.regularisationWeight > 0
                ? HoyerSpike.Regularisation(weight: variant.regularisationWeight,
                                            gradient: config.method.regulariserGradient)
                : nil,
            surrogateHeight: variant.thresholdMode != nil ? config.method.surrogateHeight : nil,
            replicateSeed: replicate?.seed)
    }
}

/// The stage-cache key material of one evaluation (plus the training key it depends on).
struct EvaluationStage: Encodable {
    var data: Config.DataConfig
    var evaluation: Config.EvaluationConfig
    var noiseLevels: [Float]

    /// The evaluation of `job` under `config`.
    init(_ job: TrainingJob, config: Config) {
        data = config.data
        evaluation = config.evaluation
        noiseLevels = job.noise ? config.evaluation.noiseLevels : []
    }
}

// MARK: - The network (NOTES.md §4, §8 "VGG-S Hoyer")

/// conv → [maxpool] → BN → activation → dropout, …, FC → activation → dropout, FC → logits;
/// bias-free. The activation is ReLU (ANN) or a Hoyer spike layer (SNN).
func makeNetwork(_ variant: Variant, config: Config, imageShape: [Int], classes: Int,
                 seed: UInt64) -> Sequential {
    makeHoyerVGG(features: config.network.features, classifier: config.network.classifier,
                 dropout: config.network.dropout, imageShape: imageShape, classes: classes,
                 mode: variant.thresholdMode, surrogateHeight: config.method.surrogateHeight,
                 regularisation: HoyerSpike.Regularisation(
                     weight: variant.regularisationWeight,
                     gradient: config.method.regulariserGradient),
                 seed: seed)
}

/// The trained network of `variant`, from the stage cache or trained now: with the run's
/// `seed`, or with the replicate's seed under the stage name `<key>-r<k>`.
func trainedNetwork(_ variant: Variant, config: Config, data: TrainingData,
                    cache: StageCache, seed runSeed: UInt64,
                    replicate: SeedReplicate? = nil) throws -> (Sequential, StageKey) {
    let seed = replicate?.seed ?? runSeed
    let make = {
        makeNetwork(variant, config: config, imageShape: data.train.imageShape,
                    classes: data.train.classCount, seed: seed)
    }
    let stage = TrainingStage(variant, config: config, replicate: replicate)
    let name = replicate.map { Config.replicateStage(variant, $0.index) } ?? variant.key
    // The architecture draws from its own seed, not from the generator networkStage passes.
    let (network, key, _) = try cache.networkStage(
        name, version: TrainingJob.trainingVersion, config: stage, architecture: { _ in make() }
    ) { progress -> Sequential in
        let network = make()
        try trainHoyerNetwork(network, label: name, schedule: config.training,
                              data: data, seed: seed &+ 1, checkpoints: progress.checkpoints)
        return network
    }
    return (network, key)
}

// MARK: - Measuring a trained network

/// Per spike layer, measured on the test set at inference (running extrema).
struct SpikeLayerMeasurement: Codable, Equatable, Sendable {
    var name: String
    /// Fraction of outputs equal to 1 (all test images).
    var spikeRate: Double
    /// Fraction of outputs that are neither 0 nor 1 (must be 0).
    var nonBinaryFraction: Double
    /// Fraction of h/(E·|θ|) within ±10 % of 1, i.e. |z/E − 1| < 0.1.
    var nearThresholdFraction: Double
    /// θ and the mean running extremum E.
    var threshold: Double
    var meanExtremum: Double
    /// Counts of z/E in the bins of `MembraneBinning` (first `membraneImages` images).
    var histogram: [Double]
}

struct VariantEvaluation: Codable, Equatable, Sendable {
    var accuracy: Double
    /// Which test images were classified right (paired claims between variants).
    var outcomes: ImageOutcomes
    /// Per test image: the share of its spike-layer outputs that are 1, and (for the first
    /// `membraneImages` images) the share of its potentials with |z/E − 1| < 0.1; their means
    /// are `meanSpikeRate` and `nearThresholdFraction`, their spread the paired standard error.
    var spikeShareByImage: [Double]
    var nearThresholdShareByImage: [Double]
    var spikeLayers: [SpikeLayerMeasurement]
    /// Accuracy with membrane noise σ·|θ|, one per `noiseLevels` entry (subset).
    var noiseAccuracy: [Double]
}

/// Accuracy, per-layer spike statistics and the noise curve of one trained network.
func evaluate(_ network: Sequential, names: [String], test: LabeledImages,
              normalization: Normalization, config: Config.EvaluationConfig,
              noiseLevels: [Float], seed: UInt64) -> VariantEvaluation {
    let spikeLayers = network.hoyerSpikes
    let spikeIndices = spikeLayers.map(\.index)
    var ones = [Double](repeating: 0, count: spikeIndices.count)
    var elements = ones
    var counts = spikeIndices.map { _ in MembraneCounts() }
    var correct = 0, seen = 0
    var right: [Bool] = []
    var spikeShare: [Double] = [], nearShare: [Double] = []
    for batch in test.batches(size: config.batchSize, normalization: normalization) {
        let n = batch.labels.count
        var onesByImage = [Double](repeating: 0, count: n), nearByImage = onesByImage
        var elementsPerImage = 0.0, potentialsPerImage = 0.0
        var context = ForwardContext.inference
        let outputs = withoutGradients { network.forwardCollecting(Variable(batch.images), context: &context) }
        let predictions = outputs.last!.value.argmaxRows()
        correct += zip(predictions, batch.labels).filter { $0 == $1 }.count
        right += zip(predictions, batch.labels).map { $0 == $1 }
        for (j, k) in spikeIndices.enumerated() {
            let spikes = outputs[k].value
            ones[j] += Double(spikes.sum())
            elements[j] += Double(spikes.count)
            let inner = spikes.count / n
            spikes.withUnsafeBufferPointer { p in
                for i in 0..<n { for e in (i * inner)..<((i + 1) * inner) { onesByImage[i] += Double(p[e]) } }
            }
            elementsPerImage += Double(inner)
            if seen < config.membraneImages {
                let layer = spikeLayers[j].layer
                let near = counts[j].add(membrane: outputs[k - 1].value, spikes: spikes,
                                         thresholds: layer.inferenceExtrema.map {
                                             $0 * Swift.abs(layer.thresholdValue) })
                for i in 0..<n { nearByImage[i] += near[i] }
                potentialsPerImage += Double(outputs[k - 1].value.count / n)
            }
        }
        spikeShare += onesByImage.map { $0 / Swift.max(elementsPerImage, 1) }
        if seen < config.membraneImages { nearShare += nearByImage.map { $0 / Swift.max(potentialsPerImage, 1) } }
        seen += n
    }
    let layers = spikeIndices.enumerated().map { j, _ in
        let layer = spikeLayers[j].layer
        let extrema = layer.inferenceExtrema
        return SpikeLayerMeasurement(
            name: names[j], spikeRate: ones[j] / elements[j],
            nonBinaryFraction: counts[j].nonBinary / counts[j].total,
            nearThresholdFraction: counts[j].near / counts[j].total,
            threshold: Double(layer.thresholdValue),
            meanExtremum: Double(extrema.reduce(0, +)) / Double(extrema.count),
            histogram: counts[j].bins)
    }
    let noisy = config.noiseTestLimit.map { test.subset(limit: $0) } ?? test
    let noiseAccuracy = accuracyUnderMembraneNoise(
        network, levels: noiseLevels,
        batches: noisy.batches(size: config.batchSize, normalization: normalization),
        seed: seed)
    return VariantEvaluation(accuracy: Double(correct) / Double(seen), outcomes: ImageOutcomes(right),
                             spikeShareByImage: spikeShare, nearThresholdShareByImage: nearShare,
                             spikeLayers: layers,
                             noiseAccuracy: noiseAccuracy)
}

/// Accuracy when every spike layer sees h + σ·|θ|·n instead of h, n ~ N(0, 1), for each
/// σ in `levels` (NOTES.md §7 figure 7). The draws n come from one bank per spike layer (one
/// batch's worth, seeded) reused for every batch, σ and variant: common random numbers, so
/// the curves differ only through the networks.
func accuracyUnderMembraneNoise(_ network: Sequential, levels: [Float],
                                batches: MiniBatches, seed: UInt64) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    var bank: [[Int]: Tensor] = [:]       // [spike layer, batch size] → N(0, 1) draws
    var correct = [Int](repeating: 0, count: levels.count), total = 0
    for batch in batches {
        for (i, sigma) in levels.enumerated() {
            var h = batch.images
            var spikeLayer = 0
            for layer in network.layers {
                if let spike = layer as? any SpikingLayer, sigma > 0 {
                    let key = [spikeLayer, h.shape[0]]
                    if bank[key] == nil { bank[key] = Tensor.normal(shape: h.shape, using: &rng) }
                    h = h + bank[key]! * (sigma * Swift.abs(spike.thresholdValue))
                    spikeLayer += 1
                }
                h = layer(h)
            }
            correct[i] += zip(h.argmaxRows(), batch.labels).filter { $0 == $1 }.count
        }
        total += batch.labels.count
    }
    return correct.map { Double($0) / Double(max(total, 1)) }
}
