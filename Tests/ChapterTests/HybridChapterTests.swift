import ChapterSupport
import RunRecords
import Foundation
import Testing

/// The part of chapter-hybrid's results.json these checks read.
private struct HybridMetrics: Decodable {
    struct Arm: Decodable {
        var key: String
        var accuracy: Double
        var spikesPerNeuron: [Double]
        var maxSpikesPerNeuron: [Int]
        var inputSpikesPerImage: Double
        var firstLayerMACs: Double
        var annOverSNNEnergy: Double
        var sweepTimesteps: [Int]
        var sweepAccuracy: [Double]
        var thresholds: [Double]
        var thresholdAndLeak: String
        var tunedThresholds: [Double]
        var tunedLeaks: [Double]
    }
    struct Effects: Decodable { var singleSpikeBoundHolds: Bool }
    var annAccuracy: Double
    var testImages: Int
    var timesteps: Int
    var annMACsPerImage: Double
    var poolingConvention: String
    var arms: [Arm]
    /// nil when arm A, C or D did not run (`--arms`).
    var effects: Effects?
    var reference: BaselineGapRecord?
}

@Suite(.serialized) struct HybridChapterTests {
    @Test func smokeRunKeepsTheChapterInvariantsAndItsExercisesQuoteIt() throws {
        let output = temporaryRunFolder("hybrid")
        let m = try runSmoke("hybrid", output: output).metrics(as: HybridMetrics.self)
        #expect(m.annAccuracy > 0.3)                                    // chance is 0.1
        // The baseline: the shared backbone on the arms' test images, paired with this ANN.
        try expectBaselineGap(m.reference, chapterAccuracy: m.annAccuracy, testImages: m.testImages)
        #expect(m.arms.map(\.key) == ["A", "B", "C", "D"])
        #expect(m.poolingConvention == "pooled")
        let arm = Dictionary(uniqueKeysWithValues: m.arms.map { ($0.key, $0) })
        // The single-spike bound, in every layer of every single-spike arm.
        for key in ["B", "C", "D"] {
            #expect(arm[key]!.maxSpikesPerNeuron.allSatisfy { $0 <= 1 }, "\(key)")
            #expect(arm[key]!.spikesPerNeuron.allSatisfy { (0...1).contains($0) }, "\(key)")
        }
        #expect(m.effects?.singleSpikeBoundHolds == true)
        // First-layer MACs: T·MACs₁ (direct), MACs₁ (hybrid), 0 (temporal only).
        let b = arm["B"]!.firstLayerMACs, c = arm["C"]!.firstLayerMACs
        #expect(b == Double(m.timesteps) * c && c > 0 && arm["D"]!.firstLayerMACs == 0)
        // At most one input spike per pixel (Fashion-MNIST: 784 pixels).
        #expect(arm["C"]!.inputSpikesPerImage <= 784 && arm["C"]!.inputSpikesPerImage > 0)
        // The hybrid arm never costs more than the ANN, and beats the direct arms.
        #expect(arm["C"]!.annOverSNNEnergy > 1)
        #expect(arm["C"]!.annOverSNNEnergy > arm["B"]!.annOverSNNEnergy)
        // The DIET baseline learns within one short epoch (Δ: 200 images, 6 steps).
        #expect(arm["A"]!.accuracy > 0.2)
        #expect(!arm["C"]!.sweepAccuracy.isEmpty)
        // θ and λ: trained in the single-spike arms (θ moves, λ stays in (0, 1]), fixed in A.
        for key in ["B", "C", "D"] {
            let a = arm[key]!
            #expect(a.thresholdAndLeak == "trained", "\(key)")
            #expect(a.tunedThresholds.count == a.thresholds.count && a.tunedThresholds != a.thresholds, "\(key)")
            #expect(a.tunedLeaks.allSatisfy { $0 > 0 && $0 <= 1 }, "\(key)")
        }
        #expect(arm["A"]!.thresholdAndLeak == "fixed" && arm["A"]!.tunedLeaks.allSatisfy { $0 == 1 })
        // Its exercises, against this run (ExerciseTests.swift).
        try checkHybridExercises(plain: output)
    }

    /// `--finetune-epochs 0` evaluates the converted single-spike SNN as calibrated: no loss
    /// history, θ and λ as converted, the single-spike bound still held.
    @Test func zeroFinetuningEpochsEvaluateTheConvertedSNN() throws {
        let m = try runSmoke("hybrid", arguments: ["--finetune-epochs", "0", "--arms", "C"])
            .metrics(as: HybridMetrics.self)
        #expect(m.arms.map(\.key) == ["C"])
        let c = m.arms[0]
        #expect(c.tunedThresholds == c.thresholds && c.tunedLeaks.allSatisfy { $0 == 1 })
        #expect(c.maxSpikesPerNeuron.allSatisfy { $0 <= 1 })
        #expect(c.accuracy > 0.1)                                       // chance is 0.1
    }

    /// `--rerun arm-C` recomputes that arm's stage (and, in run order, any later one) and
    /// loads the ANN; an arm that is not a stage of this chapter is refused.
    @Test func rerunOfOneArmRecomputesIt() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("chapter-hybrid-\(UUID().uuidString)")
        let first = try runSmokeWithLog("hybrid", arguments: ["--arms", "C"], output: output).log
        let again = try runSmokeWithLog("hybrid", arguments: ["--arms", "C", "--rerun", "arm-C"],
                                        output: output).log
        let outcome = { (r: RunLog, s: String) in r.stages.first { $0.stage == s }?.outcome }
        #expect(outcome(first, "arm-C") == .computed)
        #expect(outcome(again, "ann") == .loaded && outcome(again, "arm-C") == .computed)
        let (status, text) = try runRejected("hybrid", arguments: ["--rerun", "arm"])
        #expect(status != 0 && text.contains("no stage 'arm'"), "\(text)")
    }

    /// Values the option types allow but the pipeline cannot use stop before any work, with
    /// ArgumentParser's usage status and a message naming the option.
    @Test func unusableOptionValuesAreRejectedUpFront() throws {
        for (arguments, message) in [(["--finetune-epochs=-1"], "--finetune-epochs must be an integer in [0, 10000]"),
                                     (["--ann-epochs", "0"], "--ann-epochs must be an integer in [1, 10000]"),
                                     (["--threshold-scale", "0"], "--threshold-scale must be a finite number > 0"),
                                     (["--arms", "Z"], "--arms must be one of A, B, C, D")] {
            let (status, text) = try runRejected("hybrid", arguments: arguments)
            #expect(status == 64, "\(arguments)")
            #expect(text.contains(message), "\(text)")
        }
    }
}
