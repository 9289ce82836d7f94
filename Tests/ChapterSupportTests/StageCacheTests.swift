import Foundation
import RunRecords
import Testing

@testable import ChapterSupport

/// The stage cache behaves like Make with content addressing: reuse while inputs are
/// unchanged, recompute on --fresh / --rerun / changed inputs / damaged files.
@Suite struct StageCacheTests {
    struct DataConfig: Codable { var trainLimit = 1000 }
    struct ANNConfig: Codable {
        var epochs = 3
        var learningRate = 0.1
    }

    /// Counts how often each stage's compute closure runs.
    final class Counter {
        var runs: [String: Int] = [:]
        func tick(_ stage: String) { runs[stage, default: 0] += 1 }
    }

    /// A three-stage pipeline data → ann → snn, returning the outcomes in order.
    @discardableResult
    private func runPipeline(
        _ cache: StageCache, counter: Counter, annConfig: ANNConfig = ANNConfig()
    ) throws -> [StageOutcome] {
        let (data, dataKey, dataOutcome) = try cache.stage(
            "data", version: 1, config: DataConfig()
        ) { () -> [Double] in
            counter.tick("data")
            return [1, 2, 3]
        }
        let (ann, annKey, annOutcome) = try cache.stage(
            "ann", version: 1, config: annConfig, dependsOn: [dataKey]
        ) { () -> [Double] in
            counter.tick("ann")
            return data.map { $0 * annConfig.learningRate }
        }
        let (snn, _, snnOutcome) = try cache.stage(
            "snn", version: 1, config: ["timesteps": 4], dependsOn: [annKey]
        ) { () -> Double in
            counter.tick("snn")
            return ann.reduce(0, +)
        }
        #expect(abs(snn - 0.6 * annConfig.learningRate / 0.1) < 1e-12)
        return [dataOutcome, annOutcome, snnOutcome]
    }

    private func isComputed(_ outcome: StageOutcome) -> Bool {
        if case .computed = outcome { true } else { false }
    }

    @Test func reusesStagesAcrossCacheInstances() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let counter = Counter()
        let log = Transcript()
        let first = StageCache(
            root: folder.url, chapter: "classic", profile: .smoke, log: log.append)
        #expect(try runPipeline(first, counter: counter).allSatisfy(isComputed))
        let second = StageCache(
            root: folder.url, chapter: "classic", profile: .smoke, log: log.append)
        #expect(try runPipeline(second, counter: counter) == [.loaded, .loaded, .loaded])
        #expect(counter.runs == ["data": 1, "ann": 1, "snn": 1])
        #expect(second.timings.map(\.stage) == ["data", "ann", "snn"])
        #expect(second.timings.allSatisfy { $0.outcome == .loaded })

        // Files live at <root>/<chapter>/<profile>/<stage>-<key>.ckpt, with no temp files left.
        let files = try folder.files(in: first.directory)
        #expect(files.count == 3)
        #expect(files.allSatisfy { $0.hasSuffix(".ckpt") && !$0.hasPrefix(".") })
        #expect(first.directory.path.hasSuffix("classic/smoke"))
        #expect(log.warnings.isEmpty)
    }

    @Test func freshRecomputesEveryStage() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let counter = Counter()
        try runPipeline(
            StageCache(root: folder.url, chapter: "c", profile: .smoke, log: { _ in }),
            counter: counter)
        let fresh = StageCache(
            root: folder.url, chapter: "c", profile: .smoke, recompute: .everything, log: { _ in })
        #expect(try runPipeline(fresh, counter: counter).allSatisfy(isComputed))
        #expect(counter.runs == ["data": 2, "ann": 2, "snn": 2])
    }

    @Test func rerunRecomputesTheStageAndEverythingAfterIt() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let counter = Counter()
        try runPipeline(
            StageCache(root: folder.url, chapter: "c", profile: .smoke, log: { _ in }),
            counter: counter)
        let rerun = StageCache(
            root: folder.url, chapter: "c", profile: .smoke,
            recompute: .from(["ann"]), log: { _ in })
        let outcomes = try runPipeline(rerun, counter: counter)
        #expect(outcomes[0] == .loaded)
        #expect(isComputed(outcomes[1]) && isComputed(outcomes[2]))
        #expect(counter.runs == ["data": 1, "ann": 2, "snn": 2])
        #expect(rerun.timings.map(\.outcome) == [.loaded, .computed, .computed])
    }

    /// A stage whose name the chapter did not declare stops the run: `--rerun` could not
    /// name it (chapter-hybrid once declared "arm" and ran "arm-A", "arm-B", …). Declared
    /// names run as usual.
    @Test func undeclaredStageNameStopsTheRun() async throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let declared = StageCache(root: folder.url, chapter: "c", profile: .smoke,
                                  declaredStages: ["data", "ann", "snn"], log: { _ in })
        try runPipeline(declared, counter: Counter())
        await #expect(processExitsWith: .failure) {
            let cache = StageCache(root: URL(fileURLWithPath: NSTemporaryDirectory()), chapter: "c",
                                   profile: .smoke, declaredStages: ["arm"], log: { _ in })
            _ = try? cache.stage("arm-A", version: 1, config: ["x": 1]) { () -> Double in 1 }
        }
    }

    @Test func changedInputsGiveNewKeys() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let cache = StageCache(
            root: folder.url, chapter: "c", profile: .quick, seed: 42, log: { _ in })
        let base = try cache.key("ann", version: 1, config: ANNConfig())
        #expect(base.hex.count == 64 && base.hex.allSatisfy(\.isHexDigit))
        #expect(try cache.key("ann", version: 1, config: ANNConfig()) == base)
        #expect(try cache.key("ann", version: 2, config: ANNConfig()) != base)
        #expect(try cache.key("ann", version: 1, config: ANNConfig(epochs: 4)) != base)
        #expect(try cache.key("snn", version: 1, config: ANNConfig()).hex != base.hex)
        let dependency = try cache.key("data", version: 1, config: DataConfig())
        let otherDependency = try cache.key("data", version: 1, config: DataConfig(trainLimit: 5))
        #expect(
            try cache.key("ann", version: 1, config: ANNConfig(), dependsOn: [dependency])
                != cache.key("ann", version: 1, config: ANNConfig(), dependsOn: [otherDependency]))
        let otherSeed = StageCache(
            root: folder.url, chapter: "c", profile: .quick, seed: 7, log: { _ in })
        #expect(try otherSeed.key("ann", version: 1, config: ANNConfig()) != base)

        // A changed config reruns the stage and, through the key chain, everything downstream.
        let counter = Counter()
        try runPipeline(cache, counter: counter)
        let later = StageCache(
            root: folder.url, chapter: "c", profile: .quick, seed: 42, log: { _ in })
        let outcomes = try runPipeline(
            later, counter: counter, annConfig: ANNConfig(learningRate: 0.2))
        #expect(outcomes[0] == .loaded && isComputed(outcomes[1]) && isComputed(outcomes[2]))
    }

    @Test(arguments: ["garbage", "truncated", "flipped", "version"])
    func damagedCheckpointIsReportedAndRecomputed(damage: String) throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let counter = Counter()
        try runPipeline(
            StageCache(root: folder.url, chapter: "c", profile: .smoke, log: { _ in }),
            counter: counter)

        let log = Transcript()
        let cache = StageCache(root: folder.url, chapter: "c", profile: .smoke, log: log.append)
        let annURL = cache.checkpointURL(
            for: try cache.key(
                "ann", version: 1, config: ANNConfig(),
                dependsOn: [cache.key("data", version: 1, config: DataConfig())]))
        var file = try Data(contentsOf: annURL)
        switch damage {
        case "garbage": file = Data("not a checkpoint at all, definitely".utf8)
        case "truncated": file = file.prefix(file.count - 5)
        case "flipped": file[30] ^= 0xFF
        default: file[8] = 9
        }
        try file.write(to: annURL)

        let outcomes = try runPipeline(cache, counter: counter)
        #expect(outcomes[0] == .loaded && isComputed(outcomes[1]) && outcomes[2] == .loaded)
        #expect(counter.runs["ann"] == 2)
        #expect(log.warnings.count == 1)
        #expect(log.warnings.first?.contains(annURL.lastPathComponent) == true)
        #expect(log.warnings.first?.contains("Recomputing stage 'ann'") == true)
        if damage == "version" {
            #expect(log.warnings.first?.contains("format version 9") == true)
        }
        // The rewritten checkpoint is valid again.
        let again = StageCache(root: folder.url, chapter: "c", profile: .smoke, log: { _ in })
        #expect(try runPipeline(again, counter: counter) == [.loaded, .loaded, .loaded])
    }

    @Test func customEncodingIsUsedForTheCheckpoint() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let cache = StageCache(root: folder.url, chapter: "c", profile: .smoke, log: { _ in })
        let (output, key, _) = try cache.stage(
            "bytes", version: 1, config: 0,
            encode: { (value: [UInt8]) in Data(value.reversed()) },
            decode: { Array($0.reversed()) }
        ) { [1, 2, 3] }
        #expect(output == [1, 2, 3])
        #expect(
            try CheckpointFile.read(from: cache.checkpointURL(for: key), kind: .stageOutput)
                == Data([3, 2, 1]))
        let again = StageCache(root: folder.url, chapter: "c", profile: .smoke, log: { _ in })
        let (loaded, _, outcome) = try again.stage(
            "bytes", version: 1, config: 0,
            encode: { (value: [UInt8]) in Data(value.reversed()) },
            decode: { Array($0.reversed()) }
        ) { () -> [UInt8] in
            Issue.record("should load")
            return []
        }
        #expect(loaded == [1, 2, 3] && outcome == .loaded)
    }

    struct Interrupted: Error {}

    /// A training loop that saves its epoch counter each epoch, and can be made to crash.
    private func train(_ cache: StageCache, epochs: Int, crashAfter: Int?, epochsRun: inout [Int])
        throws -> Int
    {
        var ran: [Int] = []
        defer { epochsRun += ran }
        let (result, _, _) = try cache.stage("ann", version: 1, config: ANNConfig()) {
            progress -> Int in
            var epoch = progress.load().map { Int(String(decoding: $0, as: UTF8.self))! } ?? 0
            while epoch < epochs {
                ran.append(epoch)
                epoch += 1
                try progress.save(Data(String(epoch).utf8))
                if epoch == crashAfter { throw Interrupted() }
            }
            return epoch
        }
        return result
    }

    @Test func resumableStageContinuesAfterACrash() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        var epochsRun: [Int] = []
        let first = StageCache(root: folder.url, chapter: "c", profile: .smoke, log: { _ in })
        #expect(throws: Interrupted.self) {
            try train(first, epochs: 5, crashAfter: 2, epochsRun: &epochsRun)
        }
        let key = try first.key("ann", version: 1, config: ANNConfig())
        #expect(first.loadProgress(for: key) == Data("2".utf8))

        let second = StageCache(root: folder.url, chapter: "c", profile: .smoke, log: { _ in })
        #expect(try train(second, epochs: 5, crashAfter: nil, epochsRun: &epochsRun) == 5)
        #expect(epochsRun == [0, 1, 2, 3, 4])  // epochs 0 and 1 were not repeated
        #expect(!FileManager.default.fileExists(atPath: second.progressFile(for: key).path))
        #expect(try folder.files(in: second.directory) == ["ann-\(key.hex).ckpt"])
    }

    @Test func forcedRerunDiscardsProgressAndDamagedProgressIsIgnored() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        var epochsRun: [Int] = []
        let first = StageCache(root: folder.url, chapter: "c", profile: .smoke, log: { _ in })
        #expect(throws: Interrupted.self) {
            try train(first, epochs: 3, crashAfter: 2, epochsRun: &epochsRun)
        }
        let forced = StageCache(
            root: folder.url, chapter: "c", profile: .smoke,
            recompute: .from(["ann"]), log: { _ in })
        #expect(try train(forced, epochs: 3, crashAfter: nil, epochsRun: &epochsRun) == 3)
        #expect(epochsRun == [0, 1, 0, 1, 2])

        let log = Transcript()
        let cache = StageCache(root: folder.url, chapter: "c", profile: .smoke, log: log.append)
        let key = try cache.key("ann", version: 1, config: ANNConfig())
        try Data("junk".utf8).write(to: cache.progressFile(for: key))
        #expect(cache.loadProgress(for: key) == nil)
        #expect(log.warnings.count == 1 && log.warnings[0].contains(".progress"))
        #expect(!FileManager.default.fileExists(atPath: cache.progressFile(for: key).path))
    }

    /// Progress is resumed only by the code that saved it: the same identity resumes, another
    /// commit or another executable of an edited tree restarts (warned, file removed), and a
    /// progress file from before identities were recorded restarts too.
    @Test func progressSavedByOtherCodeIsNotResumed() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let code = CodeIdentity(commit: "aaaa", executableSHA256: nil)
        let edited = CodeIdentity(commit: "aaaa", executableSHA256: "beef")
        func cache(_ identity: CodeIdentity?, _ log: Transcript) -> StageCache {
            let cache = StageCache(root: folder.url, chapter: "c", profile: .smoke, log: log.append)
            cache.codeIdentity = identity
            return cache
        }
        let quiet = Transcript()
        let key = try cache(code, quiet).key("ann", version: 1, config: ANNConfig())
        for (saver, loader, resumes) in [(code, code, true), (edited, edited, true), (nil, nil, true),
                                         (code, nil, true), (code, edited, false), (edited, code, false),
                                         (code, CodeIdentity(commit: "bbbb", executableSHA256: nil), false),
                                         (nil, code, false)] as [(CodeIdentity?, CodeIdentity?, Bool)] {
            try cache(saver, quiet).saveProgress(Data("3".utf8), for: key)
            let log = Transcript()
            let loaded = cache(loader, log).loadProgress(for: key)
            #expect(loaded == (resumes ? Data("3".utf8) : nil), "saved by \(String(describing: saver)), loaded by \(String(describing: loader))")
            #expect(log.warnings.count == (resumes ? 0 : 1))
            if !resumes {
                #expect(log.warnings.first?.contains("saved by") == true)
                #expect(!FileManager.default.fileExists(atPath: cache(nil, quiet).progressFile(for: key).path))
            }
        }
        // A file in the envelope without the identity record (an older version's): restarted.
        try CheckpointFile.write(Data("3".utf8), kind: .trainingProgress, to: cache(code, quiet).progressFile(for: key))
        let log = Transcript()
        #expect(cache(code, log).loadProgress(for: key) == nil)
        #expect(log.warnings.count == 1 && log.warnings[0].contains("older version"))
    }

    @Test func timedStepsAreRecordedInOrder() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let cache = StageCache(root: folder.url, chapter: "c", profile: .smoke, log: { _ in })
        _ = try cache.stage("data", version: 1, config: 0) { 1 }
        let value = cache.timed("evaluate") { 41 + 1 }
        #expect(value == 42)
        #expect(cache.timings.map(\.stage) == ["data", "evaluate"])
        #expect(cache.timings.allSatisfy { $0.seconds >= 0 && $0.outcome == .computed })
        #expect(
            cache.rebuildCommand(for: "ann") == "swift run chapter-c --profile smoke --rerun ann")
    }

    /// A duration measured inside a stage is recorded when the stage is computed, and not
    /// when a later run loads it (it never travels in the stage's output).
    @Test func measuredDurationsAreRecordedOnlyWhereComputed() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let first = StageCache(root: folder.url, chapter: "c", profile: .smoke, log: { _ in })
        let (value, _, _) = try first.stage("ann", version: 1, config: 0) { () -> Int in
            let (result, seconds) = first.measure("ann training") { 6 * 7 }
            #expect(seconds >= 0)
            return result
        }
        first.record(seconds: 2.5, as: "evaluation")
        #expect(value == 42)
        #expect(Set(first.measuredSeconds.keys) == ["ann training", "evaluation"])
        #expect(first.measuredSeconds["evaluation"] == 2.5)

        let second = StageCache(root: folder.url, chapter: "c", profile: .smoke, log: { _ in })
        let (loaded, _, outcome) = try second.stage("ann", version: 1, config: 0) { () -> Int in
            second.measure("ann training") { 0 }.0
        }
        #expect(loaded == 42 && outcome == .loaded)
        #expect(second.measuredSeconds.isEmpty)
    }

    /// A shared stage (the backbone) lives under `<root>/<area>/`, keyed only by its own
    /// inputs: a second chapter loads what the first computed; `--rerun` of it in one chapter
    /// recomputes it there and makes that chapter's later stages recompute; its timings join
    /// the chapter's run log.
    @Test func sharedStagesAreComputedOnceAcrossChapters() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        var trainings = 0
        func runChapter(_ chapter: String, recompute: RecomputePolicy = .reuse) throws -> [StageOutcome] {
            let cache = StageCache(root: folder.url, chapter: chapter, profile: .smoke, seed: 7,
                                   recompute: recompute, declaredStages: ["backbone", "snn"], log: { _ in })
            let shared = cache.sharing("shared-backbone", stages: ["backbone"], facts: RunFacts())
            let (weights, key, backbone) = try shared.stage("backbone", version: 1, config: ["epochs": 4]) { () -> [Double] in
                trainings += 1
                return [0.5, 2]
            }
            cache.absorb(shared)
            let (_, _, snn) = try cache.stage("snn", version: 1, config: ["T": 8], dependsOn: [key]) { () -> Double in
                weights.reduce(0, +)
            }
            #expect(cache.timings.map(\.stage) == ["backbone", "snn"])
            return [backbone, snn]
        }
        #expect(try runChapter("classic").allSatisfy(isComputed))
        let other = try runChapter("compare")
        #expect(other[0] == .loaded && isComputed(other[1]))   // the backbone is shared, snn is compare's own
        #expect(trainings == 1)
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("shared-backbone/smoke").path))
        let rerun = try runChapter("classic", recompute: .from(["backbone"]))
        #expect(rerun.allSatisfy(isComputed))                  // the later stage follows the rebuilt backbone
        #expect(trainings == 2)
    }
}
