// The plain supervised training loop of an image classifier: chapter-classic's ANN, the ANNs of
// RNLMethod (chapter-rnl, chapter-compare) and `bench fmnist` all train with this one loop.

import Datasets
import NeuralNetworks

/// Mean training loss and accuracy of one epoch (over the images seen in it).
public struct EpochResult: Sendable, Equatable {
    public var loss: Double
    public var accuracy: Double
}

/// Trains `network` in place on `train` for `epochs` epochs: cross-entropy, mini-batches of
/// `batchSize` reshuffled (and augmented) every epoch, learning rate stepped every iteration,
///
///     η(step) = schedule(η₀ = learningRate, step, epochs · ⌈N / batchSize⌉)
///
/// and a NaN guard on every step (`checkFinite`). `optimizer` keeps its state (moments) in the
/// caller; only its learning rate is set here.
///
/// Random draws, in order: per epoch the permutation and augmentation seed
/// (`shuffledBatches`), then per step the forward pass's generator (`classificationStep`).
///
/// - Parameters:
///   - progressLabel: the label of a `ProgressLine` updated every step; nil draws none.
///   - afterEpoch: called after each epoch's last step with the zero-based epoch and its mean
///     loss and accuracy (e.g. a test evaluation and a log line).
/// - Throws: `ChapterError.divergedLoss` at the first non-finite loss; `afterEpoch`'s errors.
/// - Complexity: epochs · ⌈N / batchSize⌉ forward + backward passes.
public func trainSupervised(
    _ network: any Layer, epochs: Int, batchSize: Int, optimizer: inout some Optimizer,
    learningRate: Float, schedule: LearningRateSchedule,
    on train: LabeledImages, augmentation: Augmentation = .none, normalization: Normalization,
    progressLabel: String? = nil, rng: inout SeededGenerator,
    afterEpoch: (_ epoch: Int, EpochResult) throws -> Void = { _, _ in }
) throws {
    let stepsPerEpoch = (train.count + batchSize - 1) / batchSize
    let progress = progressLabel.map {
        ProgressLine($0, epochs: epochs, stepsPerEpoch: stepsPerEpoch)
    }
    var step = 0
    for epoch in 0..<epochs {
        var loss = 0.0, correct = 0, seen = 0
        let batches = train.shuffledBatches(size: batchSize, augmentation: augmentation,
                                            normalization: normalization, using: &rng)
        for (b, batch) in batches.enumerated() {
            optimizer.learningRate = schedule.rate(base: learningRate, step: step,
                                                   total: epochs * stepsPerEpoch)
            let result = classificationStep(network, images: batch.images, labels: batch.labels,
                                            optimizer: &optimizer, rng: &rng)
            try checkFinite(loss: result.loss, epoch: epoch, step: b)
            loss += Double(result.loss) * Double(result.count)
            correct += result.correct; seen += result.count; step += 1
            progress?.update(epoch: epoch, step: b, loss: loss / Double(seen),
                             accuracy: Double(correct) / Double(seen), samples: result.count)
        }
        try afterEpoch(epoch, EpochResult(loss: loss / Double(seen),
                                          accuracy: Double(correct) / Double(seen)))
    }
}
