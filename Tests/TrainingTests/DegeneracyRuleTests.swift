import Testing

@testable import Training

/// The sanity gate's rule on synthetic loss and accuracy sequences: exploded losses and chance
/// accuracies are flagged, ordinary training (including noisy, slow or fine-tuning runs) is not.
@Suite struct DegeneracyRuleTests {
    private let rule = DegeneracyRule.standard

    private func record(first: Double?, epochs: [Double]) -> TrainingRecord {
        TrainingRecord(label: "ann", firstStepLoss: first, epochs: epochs.map { EpochResult(loss: $0, accuracy: 0.5) })
    }

    /// chapter-rnl at --learning-rate 1e6: ln 10 at the first step, 3.8e19 after one epoch.
    @Test func theDivergedRNLRunIsFlagged() {
        let finding = rule.check(record(first: 2.934, epochs: [3.8e19]))
        guard case .lossExploded(2.934, 3.8e19, let bound)? = finding else {
            Issue.record("not flagged: \(String(describing: finding))")
            return
        }
        #expect(abs(bound - 29.34) < 1e-12)
        #expect(finding?.rule == "loss-exploded")
        #expect(finding?.description.contains("3.8e+19") == true)
    }

    @Test(arguments: [
        [2.1, 1.4, 0.9, 0.6],            // ordinary training
        [2.3, 2.3, 2.29],                // learns nothing, but does not explode: the chance test's job
        [2.0, 9.5, 1.1],                 // a spike that recovered: judged by the network kept
        [0.35, 0.52, 0.61],              // fine-tuning from L₀ = 0.05 rising a little: the floor keeps it
    ])
    func saneRunsPass(epochs: [Double]) {
        let first = epochs == [0.35, 0.52, 0.61] ? 0.05 : 2.303
        #expect(rule.check(record(first: first, epochs: epochs)) == nil)
    }

    @Test func theBoundIsTenTimesTheLargerOfTheFirstLossAndOne() {
        #expect(rule.lossBound(firstStepLoss: 2.5) == 25)
        #expect(rule.lossBound(firstStepLoss: 0.01) == 10)
        #expect(rule.check(record(first: 2.5, epochs: [1, 25])) == nil)                 // at the bound
        #expect(rule.check(record(first: 2.5, epochs: [1, 25.01]))?.rule == "loss-exploded")
        #expect(rule.check(record(first: 0.01, epochs: [10.5]))?.rule == "loss-exploded")
    }

    @Test func aRunWithoutStepsIsNotJudged() {
        #expect(rule.check(record(first: nil, epochs: [])) == nil)
        #expect(rule.check(record(first: 2.3, epochs: [])) == nil)
    }

    /// One-sided at 3 binomial standard errors: 10 classes, 500 images → 14.02 %.
    @Test func chanceBoundFollowsTheBinomialStandardError() {
        #expect(abs(rule.chanceBound(images: 500, classes: 10) - (0.1 + 3 * (0.09 / 500).squareRoot())) < 1e-15)
        #expect(abs(rule.chanceBound(images: 10_000, classes: 10) - 0.109) < 1e-12)
        #expect(abs(rule.chanceBound(images: 1_000, classes: 100) - (0.01 + 3 * (0.0099 / 1_000).squareRoot())) < 1e-15)
    }

    @Test(arguments: [
        (0.10, 500, true),     // exactly chance
        (0.14, 500, true),     // within 3 s.e.
        (0.02, 500, true),     // below chance is no better
        (0.141, 500, false),   // just above the bound
        (0.18, 10_000, false), // chapter-rnl's diverged ReLU ANN: above chance, the loss test's job
        (0.12, 200, true),
        (0.65, 200, false),
    ])
    func chanceAccuracyIsFlagged(accuracy: Double, images: Int, flagged: Bool) {
        let finding = rule.check(heldOutAccuracy: accuracy, images: images, classes: 10)
        #expect((finding != nil) == flagged)
        if let finding {
            #expect(finding.rule == "chance-accuracy")
            #expect(finding.description.contains("on \(images) images"))
        }
    }
}
