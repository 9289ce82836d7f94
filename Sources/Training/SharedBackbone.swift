// The shared backbone: the one ReLU ANN that the conversion chapters convert, defined and
// trained in one place so that every chapter reusing it starts from the same weights.

import Datasets
import NeuralNetworks
import TensorCore

/// The ReLU ANN the conversion chapters share: a VGG with BatchNorm, *average* pooling (linear,
/// so it commutes with the time average of a spiking layer) and no biases, trained with Adam,
/// decoupled weight decay and a cosine schedule on the training images.
///
/// Everything that decides its weights is in this value (with the seed and the training
/// files), so a cache keyed by it gives the same network to every chapter that asks.
public struct SharedBackbone: Codable, Equatable, Sendable {
    public var dataset: DatasetID
    /// Training images used (a class-balanced subset; nil = all).
    public var trainLimit: Int?
    public var features: [VGG.Item]
    /// Hidden widths of the fully-connected head.
    public var classifier: [Int]
    public var training: ANNTraining
    public var augmentation: Augmentation

    public init(dataset: DatasetID, trainLimit: Int?, features: [VGG.Item], classifier: [Int],
                training: ANNTraining, augmentation: Augmentation) {
        self.dataset = dataset
        self.trainLimit = trainLimit
        self.features = features
        self.classifier = classifier
        self.training = training
        self.augmentation = augmentation
    }

    /// The papers' scale: VGG-16 on CIFAR-10 (Simonyan & Zisserman 2015, Table 1), 200 epochs
    /// with the standard crop-and-flip augmentation (the conversion chapters' NOTES.md).
    public static let paper = SharedBackbone(
        dataset: .cifar10, trainLimit: nil, features: VGG.vgg16, classifier: [4096, 4096],
        training: ANNTraining(epochs: 200, batchSize: 128, learningRate: 1e-3, weightDecay: 5e-4),
        augmentation: .standard)

    /// Minutes on two cores: VGG-S (conv 32-32-64-64, FC 256) on all 60,000 Fashion-MNIST
    /// training images, 4 epochs with left–right flips. A 4-conv BatchNorm VGG reaches
    /// 92–94 % on Fashion-MNIST this way; each chapter prints and records what it reached.
    public static let quick = SharedBackbone(
        dataset: .fashionMNIST, trainLimit: nil, features: VGG.small, classifier: [256],
        training: ANNTraining(epochs: 4, batchSize: 128, learningRate: 2e-3, weightDecay: 5e-4),
        augmentation: .horizontalFlip)

    /// Seconds: plumbing only.
    public static let smoke = SharedBackbone(
        dataset: .fashionMNIST, trainLimit: 3_000, features: [.conv(8), .pool, .conv(16), .pool],
        classifier: [32],
        training: ANNTraining(epochs: 1, batchSize: 64, learningRate: 2e-3, weightDecay: 5e-4),
        augmentation: .none)

    /// The untrained network for images of `imageShape` ([C, H, W], square) and `classes`.
    public func makeNetwork(imageShape: [Int], classes: Int, using rng: inout SeededGenerator) -> Sequential {
        VGG.make(features, inputChannels: imageShape[0], inputSize: imageShape[1], classes: classes,
                 classifier: classifier, batchNorm: true, bias: false, pool: .average, using: &rng)
    }

    /// The training images this backbone learns from: `trainLimit` of `train`, class-balanced,
    /// drawn with the stream "backbone images" of `seed` (every chapter draws the same ones).
    public func trainingImages(from train: LabeledImages, seed: UInt64) -> LabeledImages {
        var rng = SeededGenerator(seed: seed, stream: "backbone images")
        return train.stratifiedSubset(limit: trainLimit, using: &rng)
    }

    /// Trains the backbone from scratch.
    ///
    /// - Parameters:
    ///   - train: the images of `trainingImages(from:seed:)`.
    ///   - normalization: fitted to those images.
    ///   - seed: initialisation from the stream "backbone init", shuffling, augmentation and
    ///     the forward passes from "backbone training": the same network whichever chapter asks.
    ///   - checkpoints: every finished epoch is saved there and a crashed run resumes from it.
    ///   - afterEpoch: called after each epoch (e.g. to print a held-out accuracy).
    /// - Complexity: `training.epochs` passes over `train`, forward and backward.
    public func train(
        on train: LabeledImages, normalization: Normalization, seed: UInt64,
        checkpoints: EpochCheckpoints? = nil,
        afterEpoch: (_ epoch: Int, EpochResult) throws -> Void = { _, _ in }
    ) throws -> Sequential {
        var initRNG = SeededGenerator(seed: seed, stream: "backbone init")
        let network = makeNetwork(imageShape: train.imageShape, classes: train.classCount, using: &initRNG)
        var rng = SeededGenerator(seed: seed, stream: "backbone training")
        var optimizer = Adam(learningRate: training.learningRate, weightDecay: training.weightDecay,
                             decayMode: .decoupled)
        try trainSupervised(
            network, epochs: training.epochs, batchSize: training.batchSize, optimizer: &optimizer,
            learningRate: training.learningRate, schedule: .cosine(minimum: 0), on: train,
            augmentation: augmentation, normalization: normalization, progressLabel: "backbone ANN",
            rng: &rng, checkpoints: checkpoints, afterEpoch: afterEpoch)
        return network
    }
}
