import Datasets
import NeuralNetworks
import Testing

@testable import Training
import TensorCore

/// The one training loop: learning rate per global step, batches per epoch, means per epoch,
/// the divergence guard, and the same draws as the hand-written loop it replaced.
@Suite struct TrainingLoopTests {
    /// 10 images of 1×2×2, labels 0…1.
    private func images(count: Int = 10) -> LabeledImages {
        var rng = SeededGenerator(seed: 3)
        let pixels = (0..<(count * 4)).map { _ in Float(rng.nextUniform()) }
        return LabeledImages(images: Tensor(shape: [count, 1, 2, 2], scalars: pixels),
                             labels: (0..<count).map { $0 % 2 }, classNames: ["a", "b"])
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteLossThrows(loss: Double) {
        #expect(throws: TrainingError.divergedLoss(epoch: 2, step: 119)) {
            try checkFinite(loss: loss, epoch: 2, step: 119)
        }
        #expect(throws: TrainingError.divergedLoss(epoch: 0, step: 0)) {
            try checkFinite(loss: Float(loss), epoch: 0, step: 0)
        }
    }

    @Test func finiteLossPasses() throws {
        try checkFinite(loss: Float(2.3), epoch: 0, step: 0)
        try checkFinite(loss: Double.greatestFiniteMagnitude, epoch: 0, step: 0)
    }

    @Test func divergenceMessageIsOneBasedAndGivesAdvice() {
        let message = TrainingError.divergedLoss(epoch: 2, step: 119).description
        #expect(message.contains("epoch 3, step 120"))
        #expect(message.contains("Lower its learning rate") && message.contains("--help"))
    }

    /// Rates follow the schedule over the global step; the step sees each epoch's first
    /// `stepsPerEpoch` batches; epoch means weigh every step by its batch size.
    @Test func ratesBatchesAndMeans() throws {
        let data = images()
        let length = TrainingLength(epochs: 2, stepsPerEpoch: 3, learningRate: 1,
                                    schedule: .step(milestones: [0.5], factor: 10))
        var rates: [Float] = [], sizes: [Int] = [], afterSteps: [Int] = []
        var rng = SeededGenerator(seed: 1)
        let results = try runEpochs(nil, length, rng: &rng,
            batches: { rng in data.shuffledBatches(size: 3, using: &rng) },   // 3, 3, 3, 1
            step: { batch, rate, _ in
                rates.append(rate); sizes.append(batch.labels.count)
                let loss = Float(rates.count)   // 1, 2, 3 then 4, 5, 6
                return StepResult(loss: loss, correct: batch.labels.count == 3 ? 1 : 0, count: batch.labels.count)
            },
            afterEpoch: { _, _, steps in afterSteps.append(steps) })
        #expect(rates == [1, 1, 1, 0.1, 0.1, 0.1])
        #expect(sizes == [3, 3, 3, 3, 3, 3])       // the 4th (partial) batch is never reached
        #expect(afterSteps == [3, 6])
        #expect(results.map(\.loss) == [2, 5])
        #expect(results.map(\.accuracy) == [1.0 / 3, 1.0 / 3])
    }

    @Test func aNonFiniteStepStopsTheRunAtThatStep() {
        let data = images()
        var rng = SeededGenerator(seed: 1)
        var steps = 0
        #expect(throws: TrainingError.divergedLoss(epoch: 1, step: 0)) {
            try runEpochs(nil, TrainingLength(epochs: 3, stepsPerEpoch: 2, learningRate: 1, schedule: .constant),
                          rng: &rng, batches: { rng in data.shuffledBatches(size: 5, using: &rng) },
                          step: { batch, _, _ in
                              steps += 1
                              return StepResult(loss: steps == 3 ? .nan : 1, correct: 0, count: batch.labels.count)
                          })
        }
        #expect(steps == 3)
    }

    /// The loop draws exactly what the hand-written loop it replaced drew: the batches of each
    /// epoch, then each step's own draws, in that order.
    @Test func drawsInTheOrderOfTheHandWrittenLoop() throws {
        let data = images()
        var reference: [[Int]] = [], referenceDraws: [UInt64] = []
        var rng = SeededGenerator(seed: 9)
        for _ in 0..<2 {
            for batch in data.shuffledBatches(size: 4, using: &rng) {
                reference.append(batch.labels); referenceDraws.append(rng.next())
            }
        }
        var seen: [[Int]] = [], draws: [UInt64] = []
        var loopRNG = SeededGenerator(seed: 9)
        try runEpochs(nil, TrainingLength(epochs: 2, stepsPerEpoch: 3, learningRate: 1, schedule: .constant),
                      rng: &loopRNG, batches: { rng in data.shuffledBatches(size: 4, using: &rng) },
                      step: { batch, _, rng in
                          seen.append(batch.labels); draws.append(rng.next())
                          return StepResult(loss: 0, correct: 0, count: batch.labels.count)
                      })
        #expect(seen == reference && draws == referenceDraws)
        #expect(loopRNG.next() == rng.next())
    }
}
