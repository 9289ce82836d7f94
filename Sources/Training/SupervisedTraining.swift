// The plain supervised training of an image classifier: chapter-classic's ANN, the ANNs of
// RNLMethod (chapter-rnl, chapter-compare), hybrid's and attention's ANNs and `bench fmnist`.

import Datasets
import NeuralNetworks
import TensorCore

/// Trains `network` in place on `train` for `epochs` epochs with `runEpochs`: cross-entropy
/// (plus the layers' auxiliary losses), mini-batches of `batchSize` reshuffled (and augmented)
/// every epoch, learning rate stepped every iteration,
///
///     η(step) = schedule(η₀ = learningRate, step, epochs · ⌈N / batchSize⌉)
///
/// and a NaN guard on every step. `optimizer` keeps its state (moments) in the caller; only
/// its learning rate is set here.
///
/// Random draws, in order: per epoch the permutation and augmentation seed
/// (`shuffledBatches`), then per step the forward pass's generator (`classificationStep`).
///
/// - Parameters:
///   - partialBatch: `.drop` trains on ⌊N / batchSize⌋ full batches per epoch.
///   - progressLabel: the label of a `ProgressLine` updated every step; nil draws none.
///   - checkpoints: where every epoch is saved (the network's weights and buffers and the
///     optimiser's moments, `TrainingSnapshot`) and resumed from after a crash; nil for none.
///   - afterEpoch: called after each epoch's last step with the zero-based epoch and its mean
///     loss and accuracy (e.g. a test evaluation and a log line). With `checkpoints`, it must
///     keep no state of its own across epochs (a resumed run does not replay it).
/// - Throws: `TrainingError.divergedLoss` at the first non-finite loss; `afterEpoch`'s errors.
/// - Complexity: epochs · ⌈N / batchSize⌉ forward + backward passes.
@discardableResult
public func trainSupervised(
    _ network: any Layer, epochs: Int, batchSize: Int, partialBatch: MiniBatches.PartialBatch = .keep,
    optimizer: inout some Optimizer, learningRate: Float, schedule: LearningRateSchedule,
    on train: LabeledImages, augmentation: Augmentation = .none, normalization: Normalization,
    progressLabel: String? = nil, rng: inout SeededGenerator, checkpoints: EpochCheckpoints? = nil,
    afterEpoch: (_ epoch: Int, EpochResult) throws -> Void = { _, _ in }
) throws -> [EpochResult] {
    let stepsPerEpoch = partialBatch == .drop
        ? train.count / batchSize : (train.count + batchSize - 1) / batchSize
    return try runEpochs(
        progressLabel,
        TrainingLength(epochs: epochs, stepsPerEpoch: stepsPerEpoch, learningRate: learningRate, schedule: schedule),
        rng: &rng, checkpoints: checkpoints,
        saveState: { try TrainingSnapshot.encode(network, optimizer: optimizer) },
        restoreState: { try TrainingSnapshot.restore($0, into: network, optimizer: &optimizer) },
        batches: { rng in
            train.shuffledBatches(size: batchSize, partialBatch: partialBatch, augmentation: augmentation,
                                  normalization: normalization, using: &rng)
        },
        step: { batch, rate, rng in
            optimizer.learningRate = rate
            return classificationStep(network, images: batch.images, labels: batch.labels,
                                      optimizer: &optimizer, rng: &rng)
        },
        afterEpoch: { epoch, result, _ in try afterEpoch(epoch, result) })
}

/// How the conversion chapters train a ReLU ANN: Adam with weight decay, mini-batches reshuffled
/// every epoch, the learning rate cosine-annealed to 0 over all steps (`trainSupervised` with
/// `.cosine(minimum: 0)`). One type, so chapter-classic and chapter-compare state it the same way.
public struct ANNTraining: Codable, Equatable, Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    public var weightDecay: Float

    public init(epochs: Int, batchSize: Int, learningRate: Float, weightDecay: Float) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }
}
