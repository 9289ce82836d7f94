import Datasets
import NeuralNetworks
import Foundation
import RunRecords
import TensorCore
import Testing
import Training

@testable import ChapterSupport

/// The sanity gate through the stage cache: an exploded loss or a chance accuracy stops the
/// run with a message naming the stage, unless --allow-degenerate keeps it (listed in
/// results.json); the verdict is the same whether the stage was computed or loaded.
@Suite struct SanityGateTests {
    private static let data = LabeledImages(images: Tensor(shape: [8, 1, 1, 1]), labels: (0..<8).map { $0 % 2 },
                                            classNames: ["a", "b"])

    /// A training stage whose loss goes 2.3 → `last` over two epochs.
    private func stage(_ cache: StageCache, last: Float) throws -> (Int, StageKey) {
        let (output, key, _) = try cache.stage("ann", version: 1, config: ["last": last]) { progress -> Int in
            var rng = SeededGenerator(seed: 1)
            var losses: [Float] = [2.3, 2.0, 1.5, last]
            try runEpochs("ann", TrainingLength(epochs: 2, stepsPerEpoch: 2, learningRate: 1, schedule: .constant),
                          rng: &rng, checkpoints: progress.checkpoints, saveState: { Data() }, restoreState: { _ in },
                          batches: { rng in Self.data.shuffledBatches(size: 4, using: &rng) },
                          step: { batch, _, _ in StepResult(loss: losses.removeFirst(), correct: 0, count: batch.labels.count) })
            return 42
        }
        return (output, key)
    }

    private func cache(_ folder: TestDirectory, profile: Profile = .quick, allow: Bool = false,
                       facts: RunFacts = RunFacts(), log: Transcript = Transcript()) -> StageCache {
        StageCache(root: folder.url, chapter: "rnl", profile: profile, facts: facts, allowDegenerate: allow,
                   log: log.append)
    }

    @Test func anExplodedLossStopsTheRunAndNamesTheStage() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        do {
            _ = try stage(cache(folder), last: 4e19)
            Issue.record("the gate did not stop the run")
        } catch let error as ChapterError {
            guard case .degenerateNetwork(let message) = error else { throw error }
            #expect(message.contains("stage 'ann'") && message.contains("the loss exploded"))
            #expect(message.contains("--allow-degenerate") && message.contains("learning rate"))
            #expect(message.contains("chapters/rnl/Config.swift"))
        }
        // The checkpoint and its training record were saved: the same command stops again at
        // once (loaded, not retrained), and --allow-degenerate keeps it and lists it.
        let log = Transcript()
        #expect(throws: ChapterError.self) { _ = try stage(cache(folder, log: log), last: 4e19) }
        #expect(log.lines.contains { $0.hasPrefix("stage ann: loaded") })
        let facts = RunFacts()
        let (output, _) = try stage(cache(folder, allow: true, facts: facts), last: 4e19)
        #expect(output == 42)
        let kept = try #require(facts.degenerate.first)
        #expect(facts.degenerate.count == 1)
        #expect(kept.stage == "ann" && kept.rule == "loss-exploded" && kept.keptBecause == "--allow-degenerate")
        #expect(kept.network == nil)   // the run's label is the stage's name
    }

    @Test func anOrdinaryRunPassesAndLeavesItsRecord() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let facts = RunFacts()
        let c = cache(folder, facts: facts)
        let (_, key) = try stage(c, last: 1.2)
        #expect(facts.degenerate.isEmpty)
        let records = try JSONDecoder().decode([TrainingRecord].self,
                                               from: Data(contentsOf: c.trainingRecordsFile(for: key)))
        func d(_ x: Float) -> Double { Double(x) }
        #expect(records == [TrainingRecord(label: "ann", firstStepLoss: d(2.3), epochs: [
            EpochResult(loss: (d(2.3) + d(2.0)) / 2, accuracy: 0),
            EpochResult(loss: (d(1.5) + d(1.2)) / 2, accuracy: 0)])])
        #expect(!FileManager.default.fileExists(atPath: c.progressFile(for: key).path))
    }

    @Test func aChanceAccuracyStopsTheRunExceptAtSmoke() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let key = try StageKey(stage: "fixed", version: 1, seed: 1, config: 0, dependsOn: [])
        #expect(throws: ChapterError.self) {
            try cache(folder).requireAboveChance(key, accuracy: 0.1, images: 500, classes: 10)
        }
        try cache(folder).requireAboveChance(key, accuracy: 0.5, images: 500, classes: 10)   // passes

        let smoke = RunFacts(), log = Transcript()
        try cache(folder, profile: .smoke, facts: smoke, log: log)
            .requireAboveChance(key, network: "T=2", accuracy: 0.1, images: 500, classes: 10)
        #expect(smoke.degenerate.map(\.keptBecause) == ["smoke profile"])
        #expect(smoke.degenerate.first?.network == "T=2" && smoke.degenerate.first?.rule == "chance-accuracy")
        #expect(log.warnings.count == 1 && log.warnings[0].contains("stage 'fixed' (T=2)"))

        let allowed = RunFacts()
        try cache(folder, allow: true, facts: allowed).requireAboveChance(key, accuracy: 0.1, images: 500, classes: 10)
        #expect(allowed.degenerate.map(\.keptBecause) == ["--allow-degenerate"])
    }

    /// The loss test also stops at the smoke profile: only the chance test is lenient there.
    @Test func theLossTestStopsAtSmokeToo() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        #expect(throws: ChapterError.self) { _ = try stage(cache(folder, profile: .smoke), last: 1e6) }
    }

    @Test func theFlagReachesWorkers() throws {
        let options = try ChapterOptions.parse(["--profile", "smoke", "--allow-degenerate"])
        #expect(options.sharedArguments.contains("--allow-degenerate"))
        let context = try ChapterContext(chapter: "hoyer", options: options, commandLine: [])
        #expect(context.makeStageCache().allowDegenerate)
    }
}
