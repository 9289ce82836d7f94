// The one training loop of the package. Every network in every chapter (ANNs, BPTT-trained
// SNNs, fine-tuned conversions, sparse students) trains through `runEpochs`; a chapter
// supplies only its batches and its step.

import Datasets
import Foundation
import NeuralNetworks
import TensorCore

/// Mean training loss and accuracy of one epoch (over the images seen in it).
public struct EpochResult: Sendable, Equatable, Codable {
    public var loss: Double
    public var accuracy: Double

    public init(loss: Double, accuracy: Double) {
        self.loss = loss
        self.accuracy = accuracy
    }
}

/// How long and how fast a network trains.
public struct TrainingLength: Sendable, Equatable {
    /// Passes over the data.
    public var epochs: Int
    /// Steps per epoch: at most this many batches of each epoch's `MiniBatches` are used.
    public var stepsPerEpoch: Int
    /// η₀.
    public var learningRate: Float
    /// η(step) = schedule(η₀, step, epochs · stepsPerEpoch), set before every step.
    public var schedule: LearningRateSchedule

    public init(epochs: Int, stepsPerEpoch: Int, learningRate: Float, schedule: LearningRateSchedule) {
        self.epochs = epochs
        self.stepsPerEpoch = stepsPerEpoch
        self.learningRate = learningRate
        self.schedule = schedule
    }

    /// Steps in the whole run.
    public var totalSteps: Int { epochs * stepsPerEpoch }
}

/// Trains for `length.epochs` epochs:
///
///     for each epoch:  batches ← `batches`(rng)                       (order, augmentation)
///       for each of its first `stepsPerEpoch` batches, global step k:
///         η ← schedule(η₀, k, epochs · stepsPerEpoch)
///         (loss, correct, count) ← `step`(batch, η, rng)               the chapter's step
///         stop if the loss is not finite (`TrainingError.divergedLoss`)
///       `afterEpoch`(epoch, mean loss and accuracy, steps so far)   (evaluation, pruning, …)
///       save a checkpoint (with `checkpoints`)
///
/// Random draws, in order: per epoch the batches' draws, then per step whatever the step draws
/// from `rng`. A progress line labelled `label` (nil: none) shows epoch, step, running loss and
/// accuracy, images/s and the ETA.
///
/// With `checkpoints`, every finished epoch is saved: the counters, the generator, the epoch
/// means and the caller's `saveState()` (network, optimiser, whatever `afterEpoch` keeps). A
/// run that finds a checkpoint of itself there (after a crash) calls `restoreState`, sets the
/// generator and counters, prints `resuming <stage> at epoch k/n` and continues with epoch k:
/// it draws, steps and returns exactly what the uninterrupted run would have. The run's first
/// step loss and epoch means are recorded in `checkpoints.records` for the sanity gate.
///
/// - Returns: every epoch's mean loss and accuracy.
/// - Throws: `TrainingError.divergedLoss` at the first non-finite loss; the step's,
///   `afterEpoch`'s, the state closures' and the checkpoint store's errors.
@discardableResult
public func runEpochs(
    _ label: String?, _ length: TrainingLength, rng: inout SeededGenerator,
    checkpoints: EpochCheckpoints?,
    saveState: () throws -> Data, restoreState: (Data) throws -> Void,
    batches: (inout SeededGenerator) -> MiniBatches,
    step: (_ batch: MiniBatches.Element, _ learningRate: Float, _ rng: inout SeededGenerator) throws -> StepResult,
    afterEpoch: (_ epoch: Int, _ result: EpochResult, _ stepsSoFar: Int) throws -> Void = { _, _, _ in }
) throws -> [EpochResult] {
    var results: [EpochResult] = []
    var k = 0   // global step
    var start = 0
    var firstStepLoss: Double?
    let run = checkpoints?.startRun(label: label, length: length)
    if let resume = run?.resume {
        try restoreState(resume.state)
        rng = SeededGenerator(seed: resume.generator)
        (start, k, results, firstStepLoss) = (resume.epochsDone, resume.stepsDone, resume.results, resume.firstStepLoss)
    }
    let progress = label.flatMap { label in
        length.epochs > start && length.stepsPerEpoch > 0
            ? ProgressLine(label, epochs: length.epochs, stepsPerEpoch: length.stepsPerEpoch) : nil
    }
    for epoch in start..<Swift.max(start, length.epochs) {
        var loss = 0.0, correct = 0, seen = 0
        let epochBatches = batches(&rng)
        for (b, batch) in epochBatches.prefix(length.stepsPerEpoch).enumerated() {
            let rate = length.schedule.rate(base: length.learningRate, step: k, total: length.totalSteps)
            let result = try step(batch, rate, &rng)
            try checkFinite(loss: result.loss, epoch: epoch, step: b)
            if firstStepLoss == nil { firstStepLoss = Double(result.loss) }
            loss += Double(result.loss) * Double(result.count)
            correct += result.correct; seen += result.count; k += 1
            progress?.update(epoch: epoch, step: b, loss: loss / Double(seen),
                             accuracy: Double(correct) / Double(seen), samples: result.count)
        }
        let result = EpochResult(loss: loss / Double(Swift.max(seen, 1)),
                                 accuracy: Double(correct) / Double(Swift.max(seen, 1)))
        results.append(result)
        try afterEpoch(epoch, result, k)
        if let checkpoints, let run {
            try checkpoints.save(
                EpochCheckpoint(label: label, epochs: length.epochs, stepsPerEpoch: length.stepsPerEpoch,
                                epochsDone: epoch + 1, stepsDone: k, generator: rng.state,
                                firstStepLoss: firstStepLoss, results: results, state: try saveState()),
                run: run.run)
        }
    }
    checkpoints?.finish(TrainingRecord(label: label, firstStepLoss: firstStepLoss, epochs: results))
    return results
}

/// `runEpochs` without checkpoints: nothing is saved, nothing resumed, nothing recorded.
@discardableResult
public func runEpochs(
    _ label: String?, _ length: TrainingLength, rng: inout SeededGenerator,
    batches: (inout SeededGenerator) -> MiniBatches,
    step: (_ batch: MiniBatches.Element, _ learningRate: Float, _ rng: inout SeededGenerator) throws -> StepResult,
    afterEpoch: (_ epoch: Int, _ result: EpochResult, _ stepsSoFar: Int) throws -> Void = { _, _, _ in }
) throws -> [EpochResult] {
    try runEpochs(label, length, rng: &rng, checkpoints: nil, saveState: { Data() }, restoreState: { _ in },
                  batches: batches, step: step, afterEpoch: afterEpoch)
}
