// The exercises of chapter-rnl: each changes one option of RIL, and its outcome is computed
// from the plain run's results.json and the exercise run's (`chapter-rnl --exercise N`).
// README.md's `exercises` block shows them.

import ChapterSupport
import Training
import RNLMethod
import Statistics

private typealias F = ExerciseFinding

extension Metrics {
    /// The checkpoint the selection rule kept (the last one marked selected).
    var keptCheckpoint: RILCheckpoint? { rilTrajectory.last(where: \.selected) }
    /// RNL + RIL's measurements.
    var ril: MethodResult { methods.first { $0.method == .rnlRIL }! }
    var percentile: MethodResult { methods.first { $0.method == .percentile }! }
}

/// The numbers both exercises quote about the RIL search and the RNL + RIL SNN.
private func recordSearch(_ f: inout F, _ reference: Metrics, _ run: Metrics)
    -> (p: (Double?, Double?), omega: (Double?, Double?), first: (Double?, Double?)) {
    let p = f.value("ril.kept-p", "threshold scale p = σ(s) RIL kept", reference: reference.keptCheckpoint?.p,
                    exercise: run.keptCheckpoint?.p)
    let omega = f.value("ril.kept-omega-bar", "Ω̄ of the kept checkpoint (validation batch)",
                        reference: reference.keptCheckpoint?.omegaBar, exercise: run.keptCheckpoint?.omegaBar)
    let first = f.value("rnl-ril.first-T-within-one-point", "RNL + RIL: first T staying within 1 point of its own ANN",
                        reference: reference.ril.firstTimestepStayingWithinOnePoint.map(Double.init),
                        exercise: run.ril.firstTimestepStayingWithinOnePoint.map(Double.init))
    return ((p.reference, p.exercise), (omega.reference, omega.exercise), (first.reference, first.exercise))
}

/// `a < b` for two measured numbers, false when either is missing; `nil` (never) counts as
/// later than any T when `missingIsLargest`.
private func less(_ a: Double?, _ b: Double?, missingIsLargest: Bool = false) -> Bool {
    if missingIsLargest { return (a ?? .infinity) < (b ?? .infinity) }
    guard let a, let b else { return false }
    return a < b
}

private func fixed(_ v: Double?, _ digits: Int = 3) -> String { v.map { formatFixed($0, digits: digits) } ?? "–" }

let rnlExercises = ChapterExercises(chapter: "rnl", readme: chapterReadme(beside: #filePath), [
    ChapterExercise(
        1, arguments: ["--tolerance", "0.05"],
        question: "The selection rule now allows a 5-point drop in validation accuracy instead of 1. "
            + "Is the faster SNN worth the accuracy?",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        let T = run.maxTimesteps
        let (p, omega, first) = recordSearch(&f, reference, run)
        let iterations = f.value("ril.iterations", "RIL iterations run (last evaluation)",
                                 reference: reference.rilTrajectory.last.map { Double($0.iteration) },
                                 exercise: run.rilTrajectory.last.map { Double($0.iteration) })
        let annAccuracy = f.value("ril-ann.accuracy", "RNL + RIL ANN accuracy on the \(run.testImages) test images",
                                  reference: reference.rilANNAccuracy, exercise: run.rilANNAccuracy)
        let matched = f.value("rnl-ril.first-T-matched", "RNL + RIL: first T staying at the matched accuracy",
                              reference: reference.ril.firstTimestepStayingAtMatchedAccuracy.map(Double.init),
                              exercise: run.ril.firstTimestepStayingAtMatchedAccuracy.map(Double.init))
        let percentileMatched = f.value("percentile.first-T-matched", "ReLU + percentile: first T staying at the matched accuracy",
                                        reference: reference.percentile.firstTimestepStayingAtMatchedAccuracy.map(Double.init),
                                        exercise: run.percentile.firstTimestepStayingAtMatchedAccuracy.map(Double.init))
        f.check("more-iterations", "RIL runs for more iterations", holds: less(iterations.reference, iterations.exercise))
        f.check("lower-p", "RIL keeps a lower threshold scale p", holds: less(p.1, p.0))
        f.check("lower-omega-bar", "the kept Ω̄ is lower", holds: less(omega.1, omega.0))
        f.check("sooner-within-one-point", "RNL + RIL stays within 1 point of its own ANN from a smaller T",
                holds: less(first.1, first.0, missingIsLargest: true))
        f.check("matched-with-percentile", "at the matched accuracy RNL + RIL needs no more steps than percentile conversion "
                    + "(same run)",
                holds: matched.exercise.map { $0 <= (percentileMatched.exercise ?? .infinity) } ?? false)
        // Two accuracies on the same test images, known only as numbers: unpaired binomial s.e.
        let loss = Difference.unpaired(reference.rilANNAccuracy, images: reference.testImages,
                                       run.rilANNAccuracy, images: run.testImages)
        f.check("ann-loses-accuracy", "the RNL + RIL ANN loses more than 2 s.e. of accuracy on the test set "
                    + "(binomial, unpaired)", holds: loss.mean > 2 * loss.standardError)
        f.outcome = "RIL ran to iteration \(fixed(iterations.exercise, 0)) (plain run \(fixed(iterations.reference, 0))) and kept "
            + "p = \(fixed(p.1)) (plain \(fixed(p.0))), Ω̄ = \(fixed(omega.1)) (plain \(fixed(omega.0))). RNL + RIL stays within "
            + "1 point of its own ANN \(F.from(first.1.map { Int($0) }, max: T)) (plain "
            + "\(F.from(first.0.map { Int($0) }, max: T))) and reaches the matched accuracy "
            + "\(F.percent(run.matchedAccuracyTarget)) \(F.from(matched.exercise.map { Int($0) }, max: T)) "
            + "(percentile: \(F.from(percentileMatched.exercise.map { Int($0) }, max: T))); its ANN scores "
            + "\(F.percent(annAccuracy.exercise, digits: 2)) on the test set (plain \(F.percent(annAccuracy.reference, digits: 2)), "
            + "± \(F.percent(run.rilANNAccuracyStandardError, digits: 2)) binomial s.e.)."
        return f
    },
    ChapterExercise(
        2, arguments: ["--lambda", "5"],
        question: "Five times the weight α_Ω of Ω̄ in the RIL loss. How far does p move, and what happens to Ω̄ "
            + "and to the steps the SNN needs? RIL's selection only checks the search every few iterations "
            + "(`fig-ril-trajectory`): what is kept depends on where those evaluations fall.",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        let T = run.maxTimesteps
        let (p, omega, first) = recordSearch(&f, reference, run)
        // The fall of p over the first evaluation interval (iteration 0 to the next evaluation).
        func firstStep(_ m: Metrics) -> Double? {
            m.rilTrajectory.count >= 2 ? m.rilTrajectory[0].p - m.rilTrajectory[1].p : nil
        }
        let step = f.value("ril.p-fall-first-interval", "fall of p over the first evaluation interval",
                           reference: firstStep(reference), exercise: firstStep(run))
        let stop = f.value("ril.stopping-validation-accuracy", "validation accuracy at the last evaluation",
                           reference: reference.rilTrajectory.last?.validationAccuracy,
                           exercise: run.rilTrajectory.last?.validationAccuracy)
        let stoppedBelow = run.rilTrajectory.last.map { !$0.selected } ?? false
        f.check("faster-fall", "p falls faster over the first evaluation interval", holds: less(step.reference, step.exercise))
        f.check("search-stops-below-tolerance", "the search stops at an evaluation below the accuracy tolerance",
                holds: stoppedBelow)
        f.check("lower-p", "RIL keeps a lower threshold scale p", holds: less(p.1, p.0))
        f.check("lower-omega-bar", "the kept Ω̄ is lower", holds: less(omega.1, omega.0))
        f.check("sooner-within-one-point", "RNL + RIL stays within 1 point of its own ANN from a smaller T",
                holds: less(first.1, first.0, missingIsLargest: true))
        f.outcome = "Over the first evaluation interval p falls by \(fixed(step.exercise)) (plain run \(fixed(step.reference))); "
            + "the search ends at iteration \(run.rilTrajectory.last?.iteration ?? 0) with validation accuracy "
            + "\(F.percent(stop.exercise)) (reference \(F.percent(run.rilReferenceValidationAccuracy))). RIL kept "
            + "p = \(fixed(p.1)) (plain \(fixed(p.0))), Ω̄ = \(fixed(omega.1)) (plain \(fixed(omega.0))); RNL + RIL stays within "
            + "1 point of its own ANN \(F.from(first.1.map { Int($0) }, max: T)) (plain "
            + "\(F.from(first.0.map { Int($0) }, max: T)))."
        return f
    },
])
