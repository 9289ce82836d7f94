import Datasets
import Foundation
import NeuralNetworks
import Testing
import TensorCore

@testable import Training

/// Resumable training: a run stopped after epoch k and resumed from its saved checkpoint ends
/// with exactly the bits of a run that never stopped (weights, BatchNorm buffers, optimiser
/// moments, generator, epoch means).
@Suite struct ResumeTests {
    /// 48 images of 1×8×8 in 4 classes, each class a different mean brightness.
    private static let data: LabeledImages = {
        var rng = SeededGenerator(seed: 5)
        let labels = (0..<48).map { $0 % 4 }
        let pixels = labels.flatMap { label in
            (0..<64).map { _ in Float(label) * 0.2 + 0.3 * rng.nextUniform() }
        }
        return LabeledImages(images: Tensor(shape: [48, 1, 8, 8], scalars: pixels), labels: labels,
                             classNames: ["a", "b", "c", "d"])
    }()

    /// Conv, BatchNorm (running statistics are buffers), max pooling, dropout (draws from the
    /// step's generator): every kind of state a checkpoint must carry.
    private static func network() -> Sequential {
        var rng = SeededGenerator(seed: 9)
        return VGG.make([.conv(4), .pool], inputChannels: 1, inputSize: 8, classes: 4, classifier: [8],
                        batchNorm: true, dropout: 0.2, using: &rng)
    }

    private struct Killed: Error {}

    enum Choice: CaseIterable, Sendable { case sgd, adam }

    /// Trains 4 epochs; with `killAfter`, the checkpoint store "dies" right after saving that
    /// many epochs (as kill -9 would, once the atomic write is done). Returns the network, the
    /// epoch means, the generator state and the saved bytes.
    private func train(_ choice: Choice, killAfter: Int? = nil, resumeFrom saved: Data? = nil,
                       log: @escaping (String) -> Void = { _ in })
        throws -> (network: Sequential, results: [EpochResult], generator: UInt64, saved: Data)
    {
        let network = Self.network()
        var stored = saved ?? Data(), saves = 0
        let checkpoints = try EpochCheckpoints(stage: "ann", saved: saved, persist: { bytes in
            stored = bytes
            saves += 1
            if saves == killAfter { throw Killed() }
        }, log: log)
        var rng = SeededGenerator(seed: 21)
        func run(_ optimizer: inout some Optimizer) throws -> [EpochResult] {
            try trainSupervised(network, epochs: 4, batchSize: 10, optimizer: &optimizer, learningRate: 0.05,
                                schedule: .cosine(minimum: 0), on: Self.data, augmentation: .none,
                                normalization: Normalization(fittedTo: Self.data), rng: &rng,
                                checkpoints: checkpoints)
        }
        var results: [EpochResult] = []
        do {
            switch choice {
            case .sgd:
                var sgd = SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 1e-3)
                results = try run(&sgd)
            case .adam:
                var adam = Adam(learningRate: 0.05, weightDecay: 1e-3, amsgrad: true)
                results = try run(&adam)
            }
        } catch is Killed {}
        return (network, results, rng.state, stored)
    }

    private func bits(_ network: Sequential) -> [[UInt32]] {
        NetworkState.tensors(of: network).map { $0.tensor.scalars.map(\.bitPattern) }
    }

    @Test(arguments: Choice.allCases, [1, 2, 3])
    func aRunResumedAfterEpochKEndsWithTheSameBits(_ choice: Choice, killAfter k: Int) throws {
        let reference = try train(choice)
        let interrupted = try train(choice, killAfter: k)
        #expect(interrupted.results.isEmpty)   // it never returned
        var lines: [String] = []
        let resumed = try train(choice, resumeFrom: interrupted.saved, log: { lines.append($0) })
        #expect(lines == ["resuming ann at epoch \(k + 1)/4"])
        let sameWeights = bits(resumed.network) == bits(reference.network)   // not printed: thousands of values
        #expect(sameWeights, "weights, buffers or masks differ from the uninterrupted run")
        #expect(resumed.results == reference.results)
        #expect(resumed.generator == reference.generator)
        // The run actually trained: the first epoch's weights differ from the last.
        #expect(reference.results.last!.loss < reference.results.first!.loss)
    }

    /// A stage that trains two networks one after the other, killed during the second: the
    /// first is restored as it finished (no step of it is repeated) and the second resumes.
    @Test func aStageWithTwoRunsResumesTheSecondAndRestoresTheFirst() throws {
        func stage(saved: Data?, killAfter: Int?, steps: inout [String], log: @escaping (String) -> Void)
            throws -> (Data, [Float], [TrainingRecord])
        {
            var stored = saved ?? Data(), saves = 0
            let checkpoints = try EpochCheckpoints(stage: "finetune", saved: saved, persist: { bytes in
                stored = bytes
                saves += 1
                if saves == killAfter { throw Killed() }
            }, log: log)
            var values: [Float] = []
            do {
                for name in ["first", "second"] {
                    var value: Float = 1   // the "network": one number, trained by halving
                    var rng = SeededGenerator(seed: 3)
                    try runEpochs(name, TrainingLength(epochs: 3, stepsPerEpoch: 2, learningRate: 1, schedule: .constant),
                                  rng: &rng, checkpoints: checkpoints,
                                  saveState: { withUnsafeBytes(of: value.bitPattern) { Data($0) } },
                                  restoreState: { value = Float(bitPattern: $0.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }) },
                                  batches: { rng in Self.data.shuffledBatches(size: 24, using: &rng) },
                                  step: { batch, _, rng in
                                      steps.append(name)
                                      value = value / 2 + rng.nextUniform() * 1e-3
                                      return StepResult(loss: value, correct: 0, count: batch.labels.count)
                                  })
                    values.append(value)
                }
            } catch is Killed {}
            return (stored, values, checkpoints.records)
        }
        var steps: [String] = []
        let (_, reference, referenceRecords) = try stage(saved: nil, killAfter: nil, steps: &steps, log: { _ in })
        #expect(steps.count == 12)
        steps = []
        let (saved, _, _) = try stage(saved: nil, killAfter: 4, steps: &steps, log: { _ in })   // 3 + 1 epochs
        steps = []
        var lines: [String] = []
        let (_, resumed, records) = try stage(saved: saved, killAfter: nil, steps: &steps, log: { lines.append($0) })
        #expect(resumed.map(\.bitPattern) == reference.map(\.bitPattern))
        #expect(steps == Array(repeating: "second", count: 4))   // epochs 2 and 3 of the second run only
        #expect(lines == ["resuming finetune (first): finished before the interruption (3/3 epochs), restored",
                          "resuming finetune (second) at epoch 2/3"])
        #expect(records == referenceRecords)
        #expect(records.map(\.label) == ["first", "second"])
    }

    /// A checkpoint of another run (other label or length) is not restored: the run starts
    /// over, with a warning.
    @Test func aCheckpointOfAnotherRunIsIgnored() throws {
        let saved = try train(.adam, killAfter: 2).saved
        var lines: [String] = []
        let checkpoints = try EpochCheckpoints(stage: "ann", saved: saved, log: { lines.append($0) })
        var rng = SeededGenerator(seed: 1)
        var steps = 0
        try runEpochs("other", TrainingLength(epochs: 4, stepsPerEpoch: 1, learningRate: 1, schedule: .constant),
                      rng: &rng, checkpoints: checkpoints, saveState: { Data() }, restoreState: { _ in Issue.record("restored") },
                      batches: { rng in Self.data.shuffledBatches(size: 48, using: &rng) },
                      step: { batch, _, _ in steps += 1; return StepResult(loss: 1, correct: 0, count: batch.labels.count) })
        #expect(steps == 4)
        #expect(lines.count == 1 && lines[0].hasPrefix("warning:") && lines[0].contains("starting it over"))
    }

    @Test func damagedCheckpointBytesAreRejected() throws {
        let saved = try train(.sgd, killAfter: 1).saved
        #expect(throws: EpochCheckpointError.self) {
            try EpochCheckpoints(stage: "ann", saved: saved.dropLast(5))
        }
        #expect(throws: EpochCheckpointError.self) {
            try EpochCheckpoints(stage: "ann", saved: Data("not a checkpoint".utf8))
        }
    }
}
