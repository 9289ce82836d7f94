// Fine-tuning one SNN arm from the shared ANN (moved here from chapter-hybrid's Report.swift so
// that chapter-compare fine-tunes the single-spike hybrid SNN with the same code).

import Datasets
import Foundation
import SNNConversion
import Training
import TensorCore
import SpikingNeurons
import NeuralNetworks
import Autodiff

/// One SNN variant fine-tuned from the shared ANN (NOTES.md §8.2).
public struct Arm: Codable, Equatable, Sendable {
    public var key: String
    public var title: String
    public var encoding: SpikeEncoding
    public var hidden: HiddenNeurons
    public var loss: OutputLoss
    /// Surrogate of the single-spike hidden and output neurons (multi-spike hidden neurons
    /// use the core triangle γ = 0.3 of DIET-SNN).
    public var surrogate: STDBSurrogate
    /// θˡ = s · percentile of the ANN's ReLU outputs.
    public var thresholdScale: Float
    /// Whether every hidden layer's threshold θˡ and leak λˡ learn during fine-tuning
    /// (DIET-SNN, NOTES.md §2.1 [proposed]) or stay at their initial values (θ from the
    /// percentile rule, λ = 1). The output threshold θ_out stays fixed either way.
    public var thresholdAndLeak: Training

    public init(key: String, title: String, encoding: SpikeEncoding, hidden: HiddenNeurons,
                loss: OutputLoss, surrogate: STDBSurrogate, thresholdScale: Float,
                thresholdAndLeak: Training = .fixed) {
        self.key = key; self.title = title; self.encoding = encoding; self.hidden = hidden
        self.loss = loss; self.surrogate = surrogate; self.thresholdScale = thresholdScale
        self.thresholdAndLeak = thresholdAndLeak
    }
}

/// p-th percentile of the ANN's positive logits on the calibration images.
public func logitPercentile(_ ann: Sequential, on calibration: [Tensor], percentile p: Double) -> Float {
    var values: [Float] = []
    for batch in calibration {
        var context = ForwardContext.inference
        values += withoutGradients { ann.forward(Variable(batch), context: &context).value }.scalars.filter { $0 > 0 }
    }
    values.sort()
    guard !values.isEmpty else { return 1 }
    return values[Swift.min(values.count - 1, Int((p / 100 * Double(values.count)).rounded(.up)) - 1)]
}

/// What one arm's stage stores.
public struct ArmResult: Codable {
    public var arm: Arm
    /// θˡ and θ_out actually used (after the arm's scale / calibration).
    public var thresholds: [Double]
    public var outputThreshold: Double
    /// θˡ and λˡ of the hidden layers after fine-tuning (equal to the initial ones when fixed).
    public var tunedThresholds: [Double]
    public var tunedLeaks: [Double]
    public var lossByEpoch: [Double]
    public var trainAccuracyByEpoch: [Double]
    /// Wall time of one fine-tuning epoch when the stage was computed: for the console and
    /// run-log.json, never results.json (it changes from run to run).
    public var secondsPerEpoch: Double
    public var evaluation: ArmEvaluation
    public var sweep: [ArmEvaluation]
}

/// Builds the arm's SNN from the shared ANN and fine-tunes it with BPTT (NOTES.md §2.6 step 3).
///
///     θˡ = s·(ReLU percentile) (arm A), or re-calibrated on the SNN (single-spike arms)
///     per step: encode → T steps → read-out loss → AMSGrad, learning rate cosine to 0
///
/// - Parameters:
///   - thresholds: θˡ before the arm's scale s (`arm.thresholdScale`).
///   - imagesPerEpoch: training images per epoch (nil = all), batches of `batchSize`.
///   - calibrationBatches, percentile, outputThresholdScale: the single-spike re-calibration
///     (`calibrateSingleSpikeThresholds`, batches of 100 training images).
///   - sweep: T at which the tuned SNN is also evaluated (on the first `sweepImages` test
///     images, batches of `evaluationBatchSize`); empty for none.
///   - checkpoints: where every fine-tuning epoch is saved (SNN and optimiser) and a crashed
///     run resumes from; nil for none.
public func fineTune(_ arm: Arm, folded: Sequential, thresholds: [Float], outputThreshold: Float,
                     timesteps: Int, epochs: Int, imagesPerEpoch: Int?, batchSize: Int, learningRate: Float,
                     calibrationBatches: Int, percentile: Double, outputThresholdScale: Float,
                     sweep: [Int], sweepImages: Int?, evaluationBatchSize: Int,
                     train: LabeledImages, normalization: Normalization, testBatches: [EncodedBatch],
                     seed: UInt64, checkpoints: EpochCheckpoints? = nil) throws -> ArmResult {
    let snn = try spikingNetwork(from: folded, thresholds: thresholds.map { $0 * arm.thresholdScale },
                                 hidden: arm.hidden, thresholdAndLeak: arm.thresholdAndLeak)
    let T = timesteps
    // Single-spike arms: thresholds re-initialised on the SNN under the arm's own input code.
    var outputThreshold = outputThreshold
    var thresholdsUsed = thresholds.map { $0 * arm.thresholdScale }
    if case .singleSpike = arm.hidden {
        let calibration = Array(train.batches(size: 100).prefix(calibrationBatches)).map {
            EncodedBatch(images: $0.images, labels: $0.labels, normalization: normalization)
        }
        let c = calibrateSingleSpikeThresholds(
            snn, on: calibration, encoding: arm.encoding, timesteps: T, percentile: percentile,
            scale: arm.thresholdScale, outputScale: outputThresholdScale, seed: seed)
        thresholdsUsed = c.hidden
        outputThreshold = c.output
    }
    print("arm \(arm.key): θˡ = " + thresholdsUsed.map { String(format: "%.3f", Double($0)) }.joined(separator: " ")
          + ", v_out = \(String(format: "%.3f", Double(outputThreshold)))")
    var rng = SeededGenerator(seed: seed &+ 17)
    let images = imagesPerEpoch.map { Swift.min($0, train.count) } ?? train.count
    // epochs = 0: the converted SNN is evaluated as calibrated, without fine-tuning.
    let length = TrainingLength(epochs: epochs, stepsPerEpoch: Swift.max(1, images / batchSize),
                                learningRate: learningRate, schedule: .cosine(minimum: 0))
    var adam = Adam(learningRate: learningRate, amsgrad: true)
    let start = Date()
    let epochResults = try runEpochs("arm \(arm.key)", length, rng: &rng, checkpoints: checkpoints,
        saveState: { try TrainingSnapshot.encode(snn, optimizer: adam) },
        restoreState: { try TrainingSnapshot.restore($0, into: snn, optimizer: &adam) },
        batches: { rng in train.shuffledBatches(size: batchSize, partialBatch: .drop, using: &rng) },
        step: { batch, rate, rng in
            adam.learningRate = rate
            let r = trainingStep(
                snn, batch: EncodedBatch(images: batch.images, labels: batch.labels, normalization: normalization),
                encoding: arm.encoding, timesteps: T, outputThreshold: outputThreshold, loss: arm.loss,
                surrogate: arm.surrogate, optimizer: &adam, rng: &rng)
            return StepResult(loss: r.loss, correct: r.correct, count: batch.labels.count)
        })
    let losses = epochResults.map(\.loss), accuracies = epochResults.map(\.accuracy)
    let seconds = Date().timeIntervalSince(start) / Double(Swift.max(epochs, 1))
    var evalRNG = SeededGenerator(seed: seed &+ 23)
    let evaluation = evaluate(snn, on: testBatches, encoding: arm.encoding, timesteps: T,
                              outputThreshold: outputThreshold, loss: arm.loss, surrogate: arm.surrogate,
                              using: &evalRNG)
    let sweepBatches = sweepImages.map {
        Array(testBatches.prefix(($0 + evaluationBatchSize - 1) / evaluationBatchSize))
    } ?? testBatches
    let sweepResults = sweep.map { t in
        evaluate(snn, on: sweepBatches, encoding: arm.encoding, timesteps: t, outputThreshold: outputThreshold,
                 loss: arm.loss, surrogate: arm.surrogate, using: &evalRNG)
    }
    let tuned = neuronParameters(of: snn)
    return ArmResult(arm: arm, thresholds: thresholdsUsed.map(Double.init), outputThreshold: Double(outputThreshold),
                     tunedThresholds: tuned.map { Double($0.threshold) }, tunedLeaks: tuned.map { Double($0.leak) },
                     lossByEpoch: losses, trainAccuracyByEpoch: accuracies, secondsPerEpoch: seconds,
                     evaluation: evaluation, sweep: sweepResults)
}
