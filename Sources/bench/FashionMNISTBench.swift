import ArgumentParser
import ChapterSupport
import Datasets
import Foundation
import NeuralNetworks
import RunRecords
import Training
import TensorCore

/// The core-numerics acceptance run: a small VGG (conv32-conv32-pool-conv64-conv64-pool-fc256)
/// trained on all of Fashion-MNIST with Adam and a cosine schedule, reporting test accuracy and
/// wall time per epoch. Run it in the default debug build (`swift run bench fmnist`): that is
/// the configuration a student uses.
struct FashionMNISTBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmnist", abstract: "Train a small VGG on Fashion-MNIST; print test accuracy and time.")

    /// What each option accepts, declared once: shown in --help, checked in validate().
    enum Rule {
        static let epochs = OptionRule.epochs()
        static let batch = OptionRule<Int>("--batch", 1...4_096)
        static let learningRate = OptionRule.learningRate()
    }

    @Option(help: Rule.epochs.help("Epochs over the 60,000 training images."))
    var epochs = 4

    @Option(help: Rule.batch.help("Mini-batch size."))
    var batch = 128

    @Option(help: Rule.learningRate.help("Adam learning rate (cosine-annealed to 0)."))
    var learningRate: Float = 2e-3

    @Option(help: "Seed of initialisation and shuffling.")
    var seed: UInt64 = 42

    func validate() throws {
        try Rule.epochs.check(epochs)
        try Rule.batch.check(batch)
        try Rule.learningRate.check(learningRate)
    }

    func run() throws {
        printMachine()
        let start = Date()
        let train = try LabeledImages.load(.fashionMNIST, split: .train)
        let test = try LabeledImages.load(.fashionMNIST, split: .test)
        let normalization = Normalization(fittedTo: train)
        var rng = SeededGenerator(seed: seed)
        let model = VGG.make(VGG.small, inputChannels: 1, inputSize: 28, classes: 10,
                             classifier: [256], dropout: 0, using: &rng)
        var optimizer = Adam(learningRate: learningRate, weightDecay: 5e-4, decayMode: .decoupled)
        var epochStart = Date()
        try trainSupervised(
            model, epochs: epochs, batchSize: batch, optimizer: &optimizer,
            learningRate: learningRate, schedule: .cosine(minimum: 0), on: train,
            augmentation: .horizontalFlip, normalization: normalization, rng: &rng
        ) { epoch, result in
            let accuracy = classificationAccuracy(model, batches: test.batches(size: 500, normalization: normalization))
            let seconds = Date().timeIntervalSince(epochStart)
            print(String(format: "epoch %d/%d  train loss %.4f  test accuracy %.2f %%  %.0f s (%.0f images/s)",
                         epoch + 1, epochs, result.loss, 100 * accuracy, seconds,
                         Double(train.count) / seconds))
            epochStart = Date()
        }
        print(String(format: "total wall time %.0f s", Date().timeIntervalSince(start)))
    }
}
