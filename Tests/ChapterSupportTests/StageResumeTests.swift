import Datasets
import NeuralNetworks
import Foundation
import TensorCore
import Testing
import Training

@testable import ChapterSupport

/// A training stage saves every finished epoch in its progress file and, after a crash,
/// resumes from it with the output of an uninterrupted run; the finished stage removes it.
@Suite struct StageResumeTests {
    private static let data = LabeledImages(images: Tensor(shape: [6, 1, 1, 1]), labels: [0, 1, 0, 1, 0, 1],
                                            classNames: ["a", "b"])
    private struct Crash: Error {}

    /// Three epochs of a one-number "network" that draws from the generator every step;
    /// `crashIn` throws from that epoch's `afterEpoch`, before its checkpoint is saved.
    private func stage(_ cache: StageCache, crashIn: Int? = nil, steps: inout Int) throws -> UInt32 {
        var count = 0
        defer { steps += count }
        let (output, _, _) = try cache.stage("ann", version: 1, config: 0) { progress -> UInt32 in
            var rng = SeededGenerator(seed: 4)
            var value: Float = 1
            try runEpochs("ann", TrainingLength(epochs: 3, stepsPerEpoch: 3, learningRate: 1, schedule: .constant),
                          rng: &rng, checkpoints: progress.checkpoints,
                          saveState: { Data(String(value.bitPattern).utf8) },
                          restoreState: { value = Float(bitPattern: UInt32(String(decoding: $0, as: UTF8.self))!) },
                          batches: { rng in Self.data.shuffledBatches(size: 2, using: &rng) },
                          step: { batch, _, rng in
                              count += 1
                              value = value * 0.9 + rng.nextUniform()
                              return StepResult(loss: 1 / value, correct: 1, count: batch.labels.count)
                          },
                          afterEpoch: { epoch, _, _ in if epoch == crashIn { throw Crash() } })
            return value.bitPattern
        }
        return output
    }

    @Test func aCrashedStageResumesAtTheEpochAfterTheLastSavedOne() throws {
        let reference = try TestDirectory(), folder = try TestDirectory()
        defer { reference.remove(); folder.remove() }
        var steps = 0
        let expected = try stage(StageCache(root: reference.url, chapter: "c", profile: .smoke, log: { _ in }),
                                 steps: &steps)
        steps = 0
        let first = StageCache(root: folder.url, chapter: "c", profile: .smoke, log: { _ in })
        #expect(throws: Crash.self) { _ = try stage(first, crashIn: 1, steps: &steps) }   // epochs 1 and 2 ran
        let key = try first.key("ann", version: 1, config: 0)
        #expect(FileManager.default.fileExists(atPath: first.progressFile(for: key).path))

        let log = Transcript()
        steps = 0
        let resumed = try stage(StageCache(root: folder.url, chapter: "c", profile: .smoke, log: log.append),
                                steps: &steps)
        #expect(resumed == expected)
        #expect(steps == 6)   // epochs 2 and 3 again, epoch 1 not
        #expect(log.lines.contains("resuming ann at epoch 2/3"))
        #expect(!FileManager.default.fileExists(atPath: first.progressFile(for: key).path))
        #expect(FileManager.default.fileExists(atPath: first.trainingRecordsFile(for: key).path))
    }

    @Test func aForcedRerunStartsOverAndDamagedProgressIsDiscarded() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        var steps = 0
        let first = StageCache(root: folder.url, chapter: "c", profile: .smoke, log: { _ in })
        #expect(throws: Crash.self) { _ = try stage(first, crashIn: 1, steps: &steps) }
        steps = 0
        _ = try stage(StageCache(root: folder.url, chapter: "c", profile: .smoke, recompute: .everything,
                                 log: { _ in }), steps: &steps)
        #expect(steps == 9)

        // A progress file whose payload is not epoch checkpoints: warned about, removed, restarted.
        let other = try TestDirectory()
        defer { other.remove() }
        let log = Transcript()
        let cache = StageCache(root: other.url, chapter: "c", profile: .smoke, log: log.append)
        let key = try cache.key("ann", version: 1, config: 0)
        try cache.saveProgress(Data("junk".utf8), for: key)
        steps = 0
        _ = try stage(cache, steps: &steps)
        #expect(steps == 9)
        #expect(log.warnings.count == 1 && log.warnings[0].contains(".progress"))
    }
}
