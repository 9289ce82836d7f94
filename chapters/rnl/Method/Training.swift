// The ANN training loop of chapter-rnl (moved here from the chapter's Report.swift so that
// chapter-compare trains its ReLU and RNL ANNs with the same code).

import ChapterSupport
import Datasets
import SNNConversion

/// The optimiser of an ANN run (authors: SGD with momentum; quick profiles: Adam).
public enum ANNOptimizer: Codable, Equatable, Sendable {
    case sgd(momentum: Float)
    case adam
}

/// Trains `network` in place on `train` for `epochs` epochs: cross-entropy, mini-batches of
/// `batchSize` reshuffled every epoch, learning rate η(step) = `schedule`(η₀ = `learningRate`)
/// stepped every iteration, NaN guard on every step, one progress line labelled `label`.
///
///     SGD:  v ← μ·v + ∇L + λ·w,  w ← w − η·v        Adam: the usual bias-corrected moments
///
/// - Complexity: epochs · ⌈N / batchSize⌉ forward + backward passes.
public func trainClassifier(
    _ network: Sequential, label: String, epochs: Int, batchSize: Int, optimizer: ANNOptimizer,
    learningRate: Float, schedule: LearningRateSchedule, weightDecay: Float,
    train: LabeledImages, normalization: Normalization, rng: inout SeededGenerator
) throws {
    let stepsPerEpoch = (train.count + batchSize - 1) / batchSize
    let progress = ProgressLine(label, epochs: epochs, stepsPerEpoch: stepsPerEpoch)
    var sgd = SGD(learningRate: learningRate, momentum: 0.9, weightDecay: weightDecay)
    var adam = Adam(learningRate: learningRate, weightDecay: weightDecay)
    var step = 0
    for epoch in 0..<epochs {
        var loss = 0.0, correct = 0, seen = 0
        let batches = train.shuffledBatches(size: batchSize, normalization: normalization, using: &rng)
        for (b, batch) in batches.enumerated() {
            let rate = schedule.rate(base: learningRate, step: step, total: epochs * stepsPerEpoch)
            let result: StepResult
            switch optimizer {
            case .sgd(let momentum):
                sgd.learningRate = rate; sgd.momentum = momentum
                result = classificationStep(network, images: batch.images, labels: batch.labels,
                                            optimizer: &sgd, rng: &rng)
            case .adam:
                adam.learningRate = rate
                result = classificationStep(network, images: batch.images, labels: batch.labels,
                                            optimizer: &adam, rng: &rng)
            }
            try checkFinite(loss: result.loss, epoch: epoch, step: b)
            loss += Double(result.loss) * Double(result.count)
            correct += result.correct; seen += result.count; step += 1
            progress.update(epoch: epoch, step: b, loss: loss / Double(seen),
                            accuracy: Double(correct) / Double(seen), samples: result.count)
        }
    }
}
