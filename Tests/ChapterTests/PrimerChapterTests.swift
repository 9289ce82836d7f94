import ChapterSupport
import Foundation
import RunRecords
import Testing

/// The part of chapter-primer's results.json these checks read.
private struct PrimerMetrics: Decodable {
    struct Point: Decodable { var timesteps: Int; var maxError: Double; var bound: Double }
    struct Rate: Decodable { var errors: [Point]; var logLogSlope: Double }
    struct Reset: Decodable { var maxZeroDeficit: Double; var maxSubtractionDeficit: Double; var inputsWhereZeroFiresMore: Int }
    struct Step: Decodable { var loss: Double; var spikes: Int }
    struct Fit: Decodable { var steps: [Step] }
    struct BPTT: Decodable { var fit: Fit; var targetSpikes: Int; var finiteDifferenceGradientAtStart: Double }
    struct Trajectory: Decodable { var spikes: [Int] }
    struct Trace: Decodable {
        var integrateAndFire: Trajectory
        var integrateAndFireClosedForm: Int
    }
    struct Exercise: Decodable { var number: Int; var arguments: [String]; var observable: String; var expected: Double }
    var trace: Trace
    var rate: Rate
    var reset: Reset
    var bptt: BPTT
    var observables: [String: Double]
    var exercises: [Exercise]
}

@Suite(.serialized) struct PrimerChapterTests {
    /// The smoke run keeps the lesson's statements, and every exercise, rerun with its option,
    /// gives the outcome the first run computed for it (README's exercises block).
    @Test func smokeRunKeepsTheLessonsClaimsAndItsExercisesHold() throws {
        let record = try runSmoke("primer")
        let metrics = try record.metrics(as: PrimerMetrics.self)
        #expect(Set(record.claims?.map(\.id) ?? []) == [
            "if-rate-error-within-bound", "reset-to-zero-loses-the-residual-charge", "surrogate-bptt-lowers-the-loss"])
        #expect(record.claims?.allSatisfy { $0.outcome == .reproduced } == true)
        #expect(metrics.trace.integrateAndFire.spikes.reduce(0, +) == metrics.trace.integrateAndFireClosedForm)
        // the bound at every T, and an error that falls like 1/T
        #expect(metrics.rate.errors.count >= 5)
        for point in metrics.rate.errors { #expect(point.maxError <= point.bound, "T = \(point.timesteps)") }
        #expect(metrics.rate.logLogSlope < -0.9 && metrics.rate.logLogSlope > -1.1)
        // reset to zero: never more spikes, a deficit far beyond subtraction's
        #expect(metrics.reset.inputsWhereZeroFiresMore == 0)
        #expect(metrics.reset.maxZeroDeficit > 4 * metrics.reset.maxSubtractionDeficit)
        // BPTT: the loss falls to zero at the target; the true gradient was zero
        #expect(metrics.bptt.fit.steps.last!.loss < metrics.bptt.fit.steps.first!.loss)
        #expect(metrics.bptt.fit.steps.last!.spikes == metrics.bptt.targetSpikes)
        #expect(metrics.bptt.finiteDifferenceGradientAtStart == 0)

        #expect(metrics.exercises.map(\.number) == [1, 2, 3])
        for exercise in metrics.exercises {
            let rerun = try runSmoke("primer", arguments: exercise.arguments).metrics(as: PrimerMetrics.self)
            #expect(rerun.observables[exercise.observable] == exercise.expected,
                    "exercise \(exercise.number) (\(exercise.arguments)): \(exercise.observable)")
            #expect(rerun.observables[exercise.observable] != metrics.observables[exercise.observable],
                    "exercise \(exercise.number) should change \(exercise.observable)")
        }
    }
}
