// Training loops and cached stages of chapter-attention (the lesson is main.swift).

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

/// What one student run recorded.
struct TrainingTrace: Codable, Equatable {
    var epochLosses: [Double] = []
    var epochAttentionLosses: [Double] = []
    /// Non-zero weights after every prune/regrow (must equal the budget).
    var nonZeroAfterRewiring: [Int] = []
    var budget: Int = 0
    var initialDensities: [Double] = []
    var rewiring: [RewiringReport] = []
    var secondsPerEpoch: Double = 0
    /// Channel variant: kept channels per conv.
    var keptChannels: [Int]? = nil
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

/// Trains a student (or the meta-model when `teacher` is nil and no masks are set).
///
///     L = CE + β·L_AT(S, M)  (β·L_AT only when `teacher` is given and β > 0)
///     every step: m ← μm + ∇W (sparse momentum); θ ← Adam(θ); W ← W ⊙ M
///     every epoch but the last: prune ⌈p·nnz⌉ / regrow by momentum, p cosine-annealed per step
func trainStudent(
    _ network: Sequential, label: String, teacher: Sequential?, beta: Float, sparse: SparseMomentum?,
    epochs: Int, batchSize: Int, learningRate: Float, weightDecay: Float, prune: (initial: Double, minimum: Double),
    train: LabeledImages, normalization: Normalization, rng: inout SeededGenerator
) throws -> TrainingTrace {
    var trace = TrainingTrace()
    if let sparse { trace.budget = sparse.budget; trace.initialDensities = sparse.layerDensities }
    let points = attentionPoints(of: network)
    let stepsPerEpoch = (train.count + batchSize - 1) / batchSize
    let total = epochs * stepsPerEpoch
    let progress = ProgressLine(label, epochs: epochs, stepsPerEpoch: stepsPerEpoch)
    var adam = Adam(learningRate: learningRate, weightDecay: weightDecay)
    var step = 0
    let start = Date()
    for epoch in 0..<epochs {
        var loss = 0.0, atLoss = 0.0, correct = 0, seen = 0
        for (b, batch) in train.shuffledBatches(size: batchSize, normalization: normalization, using: &rng).enumerated() {
            adam.learningRate = LearningRateSchedule.cosine(minimum: 0).rate(base: learningRate, step: step, total: total)
            // Teacher maps: one inference pass per batch, no graph, no gradient (digest §9).
            let maps = teacher.map { teacherAttentionMaps($0, images: batch.images, points: points) }
            let r = attentionGuidedStep(student: network, teacherMaps: maps, beta: beta, points: points,
                                        images: batch.images, labels: batch.labels, optimizer: &adam,
                                        sparse: sparse, rng: &rng)
            try checkFinite(loss: r.loss, epoch: epoch, step: b)
            loss += Double(r.loss) * Double(batch.labels.count); atLoss += Double(r.attentionLoss) * Double(batch.labels.count)
            correct += r.correct; seen += batch.labels.count; step += 1
            progress.update(epoch: epoch, step: b, loss: loss / Double(seen),
                            accuracy: Double(correct) / Double(seen), samples: batch.labels.count)
        }
        trace.epochLosses.append(loss / Double(seen))
        trace.epochAttentionLosses.append(atLoss / Double(seen))
        if let sparse, epoch < epochs - 1 {
            let report = sparse.pruneAndRegrow(rate: cosinePruneRate(step: step, total: total,
                                                                     initial: prune.initial, minimum: prune.minimum))
            trace.rewiring.append(report)
            trace.nonZeroAfterRewiring.append(report.nonZeroAfter)
        }
    }
    trace.secondsPerEpoch = Date().timeIntervalSince(start) / Double(max(epochs, 1))
    return trace
}

/// Converts a (sparse) ANN and trains the SNN with BPTT at T steps, masks fixed (digest §2.5–2.6).
///
///     θˡ = s · P_99.7(ReLU outputs of layer l, masked weights)
func trainedSNN(
    from ann: Sequential, label: String, config: Config, train: LabeledImages, normalization: Normalization,
    rng: inout SeededGenerator
) throws -> (snn: Sequential, thresholdsBefore: [Float], secondsPerEpoch: Double) {
    let c = config.conversion
    let calibration = train.batches(size: c.calibrationBatchSize, normalization: normalization)
        .prefix(c.calibrationBatches).map(\.images)
    var calibrationRNG = rng.split()
    let thresholds = try balanceThresholds(of: ann, on: calibration, using: .percentile(c.percentile),
                                           using: &calibrationRNG).map { $0 * c.scale }
    let snn = try trainableSNN(from: ann, thresholds: thresholds)
    let s = config.snn
    let data = s.trainLimit.map { train.stratifiedSubset(limit: $0, using: &rng) } ?? train
    let stepsPerEpoch = (data.count + s.batchSize - 1) / s.batchSize
    let progress = ProgressLine(label, epochs: s.epochs, stepsPerEpoch: stepsPerEpoch)
    var adam = Adam(learningRate: s.learningRate, amsgrad: true)
    let start = Date()
    var step = 0
    for epoch in 0..<s.epochs {
        var loss = 0.0, correct = 0, seen = 0
        for (b, batch) in data.shuffledBatches(size: s.batchSize, normalization: normalization, using: &rng).enumerated() {
            adam.learningRate = LearningRateSchedule.cosine(minimum: 0)
                .rate(base: s.learningRate, step: step, total: s.epochs * stepsPerEpoch)
            let r = snnTrainingStep(snn, images: batch.images, labels: batch.labels, timesteps: s.timesteps,
                                    optimizer: &adam, rng: &rng)
            try checkFinite(loss: r.loss, epoch: epoch, step: b)
            loss += Double(r.loss) * Double(batch.labels.count); correct += r.correct
            seen += batch.labels.count; step += 1
            progress.update(epoch: epoch, step: b, loss: loss / Double(seen),
                            accuracy: Double(correct) / Double(seen), samples: batch.labels.count)
        }
    }
    return (snn, thresholds, Date().timeIntervalSince(start) / Double(max(s.epochs, 1)))
}

/// Rebuilds a trained SNN from its checkpoint (layout of `trainableSNN`).
func restoreSNN(_ state: Data, like ann: Sequential, thresholds: [Float]) throws -> Sequential {
    let snn = try trainableSNN(from: ann, thresholds: thresholds)
    try NetworkState.decode(state, into: snn)
    for p in weightParameters(of: snn) { p.mask = p.value.map { $0 != 0 ? 1 : 0 } }
    return snn
}

func fmt(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
