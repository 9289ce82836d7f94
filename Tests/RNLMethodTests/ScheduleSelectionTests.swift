import RNLMethod
import Testing

/// The RNL ANN's schedule rule: the fewest epochs within the tolerance of the ReLU ANN on
/// held-out images, otherwise the most accurate.
@Suite struct ScheduleSelectionTests {
    typealias Trial = ScheduleSelection.Trial

    @Test func takesTheFirstTrialWithinTheTolerance() {
        let s = ScheduleSelection(heldOutImages: 1000, referenceAccuracy: 0.86, tolerance: 0.01, trials: [
            Trial(epochs: 2, heldOutAccuracy: 0.81), Trial(epochs: 4, heldOutAccuracy: 0.85),
            Trial(epochs: 8, heldOutAccuracy: 0.87)])
        #expect(s.chosen == 1 && s.choice.epochs == 4 && s.reachedTarget)
        #expect(ScheduleSelection.reachesTarget(0.85, reference: 0.86, tolerance: 0.01))
        #expect(!ScheduleSelection.reachesTarget(0.849, reference: 0.86, tolerance: 0.01))
    }

    @Test func keepsTheMostAccurateWhenNoneReachesIt() {
        let s = ScheduleSelection(heldOutImages: 1000, referenceAccuracy: 0.90, tolerance: 0.01, trials: [
            Trial(epochs: 2, heldOutAccuracy: 0.81), Trial(epochs: 4, heldOutAccuracy: 0.84),
            Trial(epochs: 8, heldOutAccuracy: 0.84), Trial(epochs: 16, heldOutAccuracy: 0.83)])
        #expect(s.chosen == 1 && !s.reachedTarget)   // the first of the two at 84 %
    }
}
