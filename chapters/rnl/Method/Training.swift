// The ANN training of chapter-rnl (moved here from the chapter's Report.swift so that
// chapter-compare trains its ReLU and RNL ANNs with the same code). The loop itself is
// Training's `trainSupervised`; this file adds the optimiser choice and the read-out
// initialisation.

import Datasets
import Foundation
import SNNConversion
import Training
import TensorCore
import NeuralNetworks

/// The optimiser of an ANN run (authors: SGD with momentum; quick profiles: Adam).
public enum ANNOptimizer: Codable, Equatable, Sendable {
    case sgd(momentum: Float)
    case adam
}

/// Trains `network` in place on `train` for `epochs` epochs: cross-entropy, mini-batches of
/// `batchSize` reshuffled every epoch, learning rate η(step) = `schedule`(η₀ = `learningRate`)
/// stepped every iteration, NaN guard on every step, one progress line labelled `label`.
///
///     SGD:  v ← μ·v + ∇L + d·w,  w ← w − η·v  (d = `weightDecay`)        Adam: the usual bias-corrected moments
///
/// With `readout: .unitLogits` the read-out's initial weights are first rescaled to unit logit
/// spread on the first 256 training images (`scaleReadoutToUnitLogits`; no random draws), and
/// the factor is printed. With `checkpoints`, every epoch is saved and a crashed run resumes
/// from the last one (`trainSupervised`).
///
/// - Complexity: epochs · ⌈N / batchSize⌉ forward + backward passes.
public func trainClassifier(
    _ network: Sequential, label: String, readout: ReadoutInitialisation = .kaiming,
    epochs: Int, batchSize: Int, optimizer: ANNOptimizer,
    learningRate: Float, schedule: LearningRateSchedule, weightDecay: Float,
    train: LabeledImages, normalization: Normalization, rng: inout SeededGenerator,
    checkpoints: EpochCheckpoints? = nil
) throws {
    if readout == .unitLogits {
        let probe = train.batches(size: 256, normalization: normalization)[0].images
        let factor = scaleReadoutToUnitLogits(network, on: probe)
        print("\(label): read-out initial weights × \(String(format: "%.3f", Double(factor)))"
              + " (unit logit spread)")
    }
    switch optimizer {
    case .sgd(let momentum):
        var sgd = SGD(learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        try trainSupervised(network, epochs: epochs, batchSize: batchSize, optimizer: &sgd,
                            learningRate: learningRate, schedule: schedule, on: train,
                            normalization: normalization, progressLabel: label, rng: &rng,
                            checkpoints: checkpoints)
    case .adam:
        var adam = Adam(learningRate: learningRate, weightDecay: weightDecay)
        try trainSupervised(network, epochs: epochs, batchSize: batchSize, optimizer: &adam,
                            learningRate: learningRate, schedule: schedule, on: train,
                            normalization: normalization, progressLabel: label, rng: &rng,
                            checkpoints: checkpoints)
    }
}
