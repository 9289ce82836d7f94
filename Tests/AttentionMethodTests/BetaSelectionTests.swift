import AttentionMethod
import Testing

/// β_AT's held-out rule: the most accurate candidate, the first of equals; and the share of the
/// loss the attention term carried.
@Suite struct BetaSelectionTests {
    typealias Trial = BetaSelection.Trial

    @Test func keepsTheMostAccurateAndTheFirstOfEquals() {
        let s = BetaSelection(density: 0.05, heldOutImages: 1000, trials: [
            Trial(beta: 1000, heldOutAccuracy: 0.80, attentionShareOfLoss: 0.03),
            Trial(beta: 10_000, heldOutAccuracy: 0.82, attentionShareOfLoss: 0.2),
            Trial(beta: 100_000, heldOutAccuracy: 0.82, attentionShareOfLoss: 0.6)])
        #expect(s.chosen == 1 && s.choice.beta == 10_000)
        let tie = BetaSelection(density: 0.05, heldOutImages: 1000, trials: [
            Trial(beta: 1000, heldOutAccuracy: 0.80, attentionShareOfLoss: 0.03),
            Trial(beta: 10_000, heldOutAccuracy: 0.80, attentionShareOfLoss: 0.2)])
        #expect(tie.choice.beta == 1000)
    }

    @Test func attentionShareIsTheWeightedTermOverTheLastEpochsLoss() {
        var trace = TrainingTrace()
        trace.epochLosses = [2.0, 0.5]
        trace.epochAttentionLosses = [1e-3, 1e-4]
        #expect(abs(BetaSelection.attentionShare(beta: 1000, trace: trace) - 0.2) < 1e-12)
        #expect(BetaSelection.attentionShare(beta: 1000, trace: TrainingTrace()) == 0)
    }
}
