// Training loops of chapter-attention (moved here from the chapter's Experiment.swift so that
// chapter-compare compresses and trains the attention-guided SNN with the same code).

import Datasets
import Foundation
import SNNConversion
import Training
import TensorCore
import NeuralNetworks

/// What one student run recorded.
public struct TrainingTrace: Codable, Equatable {
    public var epochLosses: [Double] = []
    public var epochAttentionLosses: [Double] = []
    /// Non-zero weights after every prune/regrow (must equal the budget).
    public var nonZeroAfterRewiring: [Int] = []
    public var budget: Int = 0
    public var initialDensities: [Double] = []
    public var rewiring: [RewiringReport] = []
    /// Channel variant: kept channels per conv.
    public var keptChannels: [Int]? = nil

    public init() {}
}

/// Trains a student (or the meta-model when `teacher` is nil and no masks are set).
///
///     L = CE + β_AT·L_AT(S, M)  (β_AT·L_AT only when `teacher` is given and β_AT > 0)
///     every step: θ ← Adam(θ) (its m, v updated for masked weights too); W ← W ⊙ M
///     every epoch but the last: prune ⌈p·nnz⌉ / regrow by Adam's m/(√v + ε), p = `pruneRate`
///
/// Stops with `TrainingError.divergedLoss` at the first non-finite loss. With `checkpoints`,
/// every epoch is saved (network with its masks, Adam's moments, the trace so far) and a
/// crashed run resumes from the last one.
public func trainStudent(
    _ network: Sequential, label: String, teacher: Sequential?, beta: Float, sparse: SparseMomentum?,
    epochs: Int, batchSize: Int, learningRate: Float, weightDecay: Float, pruneRate: PruneRateSchedule,
    train: LabeledImages, normalization: Normalization, rng: inout SeededGenerator,
    checkpoints: EpochCheckpoints? = nil
) throws -> TrainingTrace {
    var trace = TrainingTrace()
    if let sparse { trace.budget = sparse.budget; trace.initialDensities = sparse.layerDensities }
    let points = attentionPoints(of: network)
    let length = TrainingLength(epochs: epochs, stepsPerEpoch: (train.count + batchSize - 1) / batchSize,
                                learningRate: learningRate, schedule: .cosine(minimum: 0))
    var adam = Adam(learningRate: learningRate, weightDecay: weightDecay)
    var atLoss = 0.0, seen = 0   // the attention term's share, per epoch
    try runEpochs(label, length, rng: &rng, checkpoints: checkpoints,
        // The masks travel with the network; `atLoss` and `seen` are zero between epochs.
        saveState: { try TrainingSnapshot.encode(network, optimizer: adam, extra: JSONEncoder().encode(trace)) },
        restoreState: {
            trace = try JSONDecoder().decode(
                TrainingTrace.self, from: TrainingSnapshot.restore($0, into: network, optimizer: &adam))
        },
        batches: { rng in train.shuffledBatches(size: batchSize, normalization: normalization, using: &rng) },
        step: { batch, rate, rng in
            adam.learningRate = rate
            // Teacher maps: one inference pass per batch, no graph, no gradient (NOTES.md §9).
            let maps = teacher.map { teacherAttentionMaps($0, images: batch.images, points: points) }
            let r = attentionGuidedStep(student: network, teacherMaps: maps, beta: beta, points: points,
                                        images: batch.images, labels: batch.labels, optimizer: &adam,
                                        rng: &rng)
            atLoss += Double(r.attentionLoss) * Double(batch.labels.count); seen += batch.labels.count
            return StepResult(loss: r.loss, correct: r.correct, count: batch.labels.count)
        },
        afterEpoch: { epoch, result, step in
            trace.epochLosses.append(result.loss)
            trace.epochAttentionLosses.append(atLoss / Double(seen))
            atLoss = 0; seen = 0
            if let sparse, epoch < epochs - 1 {
                let report = sparse.pruneAndRegrow(rate: pruneRate.rate(step: step, total: length.totalSteps),
                                                   momentum: adam)
                trace.rewiring.append(report)
                trace.nonZeroAfterRewiring.append(report.nonZeroAfter)
            }
        })
    return trace
}

/// Converts a (sparse) ANN and trains the SNN with BPTT at T steps, masks fixed (NOTES.md §2.5–2.6).
///
///     θˡ = s · P_99.7(ReLU outputs of layer l, masked weights)
///
/// - Parameters:
///   - percentile, scale: θˡ = scale · P_percentile, measured on `calibrationBatches` training
///     batches of `calibrationBatchSize` images.
///   - timesteps, epochs, batchSize, learningRate: BPTT at T steps, AMSGrad, cosine to 0.
///   - trainLimit: a class-balanced subset of `train` (nil = all).
///   - checkpoints: where every epoch is saved (SNN and optimiser) and a crashed run resumes
///     from; nil for none.
public func trainedSNN(
    from ann: Sequential, label: String, percentile: Double, scale: Float, calibrationBatches: Int,
    calibrationBatchSize: Int, timesteps: Int, epochs: Int, batchSize: Int, learningRate: Float,
    trainLimit: Int?, train: LabeledImages, normalization: Normalization,
    rng: inout SeededGenerator, checkpoints: EpochCheckpoints? = nil
) throws -> (snn: Sequential, thresholdsBefore: [Float]) {
    let calibration = train.batches(size: calibrationBatchSize, normalization: normalization)
        .prefix(calibrationBatches).map(\.images)
    var calibrationRNG = rng.split()
    let thresholds = try balanceThresholds(of: ann, on: calibration, using: .percentile(percentile),
                                           using: &calibrationRNG).map { $0 * scale }
    // A layer whose ReLU never fires on the calibration images gets θ = 0, and h/θ is NaN from
    // the first SNN step: stop here and say which layer, instead of at a NaN loss.
    if let dead = thresholds.firstIndex(where: { !($0 > 0) }) {
        throw ConversionError.silentLayer(
            "\(label): spiking layer \(dead + 1) gets threshold \(thresholds[dead]) because its ANN layer "
            + "output only zeros on \(calibration.count) calibration batches (a layer with no live "
            + "weights, usually from a density this network cannot honour). Raise the density or "
            + "train its ANN longer.")
    }
    let snn = try trainableSNN(from: ann, thresholds: thresholds)
    let data = trainLimit.map { train.stratifiedSubset(limit: $0, using: &rng) } ?? train
    let length = TrainingLength(epochs: epochs, stepsPerEpoch: (data.count + batchSize - 1) / batchSize,
                                learningRate: learningRate, schedule: .cosine(minimum: 0))
    var adam = Adam(learningRate: learningRate, amsgrad: true)
    try runEpochs(label, length, rng: &rng, checkpoints: checkpoints,
        saveState: { try TrainingSnapshot.encode(snn, optimizer: adam) },
        restoreState: { try TrainingSnapshot.restore($0, into: snn, optimizer: &adam) },
        batches: { rng in data.shuffledBatches(size: batchSize, normalization: normalization, using: &rng) },
        step: { batch, rate, rng in
            adam.learningRate = rate
            let r = snnTrainingStep(snn, images: batch.images, labels: batch.labels, timesteps: timesteps,
                                    optimizer: &adam, rng: &rng)
            return StepResult(loss: r.loss, correct: r.correct, count: batch.labels.count)
        })
    return (snn, thresholds)
}
