// The exercises of chapter-classic: each changes one option, and its outcome is computed from
// the plain run's results.json and the exercise run's (`chapter-classic --exercise N`), never
// typed by hand. README.md's `exercises` block shows them.

import ChapterSupport
import Training
import RunRecords
import SNNConversion
import SpikingNeurons

private typealias F = ExerciseFinding

extension Metrics {
    /// The method with this threshold rule and reset, if the run simulated it.
    func method(_ balancing: ThresholdBalancing, _ reset: ResetMode) -> MethodResult? {
        methods.first { $0.method.balancing == balancing && $0.method.reset == reset }
    }

    /// Accuracy at T = `t` on the whole short simulation (t ≤ fullTestTimesteps).
    func fullTest(_ m: MethodResult?, at t: Int) -> Double? {
        m.flatMap { t <= $0.fullTestAccuracy.count ? $0.fullTestAccuracy[t - 1] : nil }
    }
}

/// Key fragment of a method: `max-norm-zero`, `percentile-99.9-subtraction`.
private func key(_ balancing: ThresholdBalancing, _ reset: ResetMode) -> String {
    "\(balancing)".replacingOccurrences(of: " ", with: "-") + "-\(reset)"
}

let classicExercises = ChapterExercises(chapter: "classic", readme: chapterReadme(beside: #filePath), [
    ChapterExercise(
        1, arguments: ["--reset", "zero"],
        question: "Every method now resets to zero. Does any of them still get within 1 point of the ANN, "
            + "however large T gets, and do the percentile thresholds keep their lead over max-norm at small T "
            + "and at T_max? Why? With reset to zero a neuron with a constant input x fires at rate 1/⌈θ/x⌉ "
            + "instead of x/θ (docs/conversion-notes.md §0.2): the rounding costs most when θ/x is small, "
            + "i.e. with low thresholds.",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        let T = run.maxTimesteps, shortT = run.fullTestTimesteps
        let ann = f.value("ann.simulated", "ANN accuracy on the sweep's images", reference: reference.annAccuracyOnSimulatedSubset,
                          exercise: run.annAccuracyOnSimulatedSubset).exercise!
        // Max-norm first, then every percentile, all with reset to zero (Config.methods' order).
        let rules = run.methods.filter { $0.method.reset == .zero }.map(\.method.balancing)
        var atEnd: [Double] = [], within: [Int?] = []
        for rule in rules {
            let zero = run.method(rule, .zero)
            atEnd.append(f.value("\(key(rule, .zero)).accuracy.Tmax", "\(rule), reset to zero: accuracy at T = \(T)",
                                 reference: reference.method(rule, .zero)?.accuracy.last, exercise: zero?.accuracy.last).exercise!)
            within.append(zero?.firstTimestepStayingWithinOnePoint)
        }
        let short = rules.map { rule in
            f.value("\(key(rule, .zero)).accuracy.T\(shortT)", "\(rule), reset to zero: accuracy at T = \(shortT) "
                        + "(\(run.fullTestImages) images)",
                    reference: reference.fullTest(reference.method(rule, .zero), at: shortT),
                    exercise: run.fullTest(run.method(rule, .zero), at: shortT)).exercise!
        }
        let best = atEnd.indices.max { atEnd[$0] < atEnd[$1] }!
        let bestSubtraction = reference.methods.filter { $0.method.reset == .subtraction }
            .max { $0.accuracy.last! < $1.accuracy.last! }
        f.value("best-subtraction.accuracy.Tmax", "the plain run's best method with reset by subtraction: accuracy at T = \(T)",
                reference: bestSubtraction?.accuracy.last, exercise: nil)
        f.check("none-within-one-point", "no method stays within 1 point of the ANN up to T = \(T)",
                holds: within.allSatisfy { $0 == nil })
        f.check("percentile-ahead-at-short-T", "at T = \(shortT) every percentile method is above max-norm",
                holds: short.dropFirst().allSatisfy { $0 > short[0] })
        f.check("percentile-not-ahead-at-T-max", "at T = \(T) no percentile method is above max-norm",
                holds: atEnd.dropFirst().allSatisfy { $0 <= atEnd[0] })
        f.outcome = "With reset to zero the best method at T = \(T) is \(rules[best]) at \(F.percent(atEnd[best])) "
            + "(ANN \(F.percent(ann, digits: 2)) on the same \(run.simulatedImages) images, "
            + "\(F.points(atEnd[best] - ann)))"
            + (bestSubtraction.map { "; with reset by subtraction the plain run's best, \($0.method.balancing), "
                + "reached \(F.percent($0.accuracy.last!))" } ?? "")
            + ". \(within.compactMap { $0 }.count) of \(rules.count) methods stay within 1 point of the ANN. "
            + "At T = \(shortT): " + zip(rules, short).map { "\($0) \(F.percent($1))" }.joined(separator: ", ")
            + "; at T = \(T): " + zip(rules, atEnd).map { "\($0) \(F.percent($1))" }.joined(separator: ", ") + "."
        return f
    },
    ChapterExercise(
        2, arguments: ["--percentile", "99"],
        question: "A lower percentile: the thresholds drop and every activation above its layer's 99th "
            + "percentile is clipped. Which T improve, and what happens at T_max? How low can the percentile "
            + "go before the clipping shows at T_max?",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        let T = run.maxTimesteps, shortT = run.fullTestTimesteps
        // The plain run's first percentile (99.9) against the exercise's 99, both with reset by subtraction.
        let old = reference.methods.first {
            if case .percentile = $0.method.balancing { $0.method.reset == .subtraction } else { false }
        }
        let new = run.method(.percentile(99), .subtraction)
        let maxNorm = run.method(.maxActivation, .subtraction)
        let ann = f.value("ann.simulated", "ANN accuracy on the sweep's images", reference: reference.annAccuracyOnSimulatedSubset,
                          exercise: run.annAccuracyOnSimulatedSubset).exercise!
        let oldName = old.map { "\($0.method.balancing)" } ?? "the first percentile"
        let first = f.value("percentile.first-T-within-one-point",
                            "first T staying within 1 point of the ANN: \(oldName) (plain run), percentile 99 (exercise)",
                            reference: old?.firstTimestepStayingWithinOnePoint.map(Double.init),
                            exercise: new?.firstTimestepStayingWithinOnePoint.map(Double.init))
        let atShort = f.value("percentile.accuracy.T\(shortT)",
                              "accuracy at T = \(shortT) (\(run.fullTestImages) images): \(oldName) (plain run), percentile 99",
                              reference: reference.fullTest(old, at: shortT), exercise: run.fullTest(new, at: shortT))
        let maxShort = f.value("max-norm-subtraction.accuracy.T\(shortT)", "max-norm, reset by subtraction: accuracy at T = \(shortT)",
                               reference: reference.fullTest(reference.method(.maxActivation, .subtraction), at: shortT),
                               exercise: run.fullTest(maxNorm, at: shortT)).exercise ?? 0
        let atEnd = f.value("percentile.accuracy.Tmax", "accuracy at T = \(T): \(oldName) (plain run), percentile 99",
                            reference: old?.accuracy.last, exercise: new?.accuracy.last)
        let others = run.methods.filter { $0.method != new?.method }.compactMap { run.fullTest($0, at: shortT) }
        f.check("earliest-at-short-T", "at T = \(shortT) percentile 99 is the most accurate method of its run "
                    + "and above the plain run's \(oldName)",
                holds: (atShort.exercise ?? 0) > (others.max() ?? 1) && (atShort.exercise ?? 0) > (atShort.reference ?? 1))
        f.check("reaches-the-ann-sooner", "percentile 99 stays within 1 point of the ANN from a smaller T than "
                    + "\(oldName) did in the plain run",
                holds: first.exercise.map { e in first.reference.map { e < $0 } ?? true } ?? false)
        f.check("no-loss-at-T-max", "at T = \(T) percentile 99 is within 1 point of the ANN",
                holds: (atEnd.exercise ?? 0) >= ann - 0.01)
        f.outcome = "Percentile 99 reaches \(F.percent(atShort.exercise)) at T = \(shortT) (max-norm \(F.percent(maxShort)), "
            + "\(oldName) in the plain run \(F.percent(atShort.reference))); it stays within 1 point of the ANN "
            + "\(F.from(first.exercise.map { Int($0) }, max: T)) (\(oldName): "
            + "\(F.from(first.reference.map { Int($0) }, max: T))) and ends at \(F.percent(atEnd.exercise)) at T = \(T) "
            + "(ANN \(F.percent(ann, digits: 2)), \(oldName) \(F.percent(atEnd.reference)))."
        return f
    },
])
