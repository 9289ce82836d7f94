// The exercises of chapter-attention, sized for the smoke profile: each changes β_AT, and its
// outcome is computed from the plain smoke run's results.json and the exercise run's
// (`chapter-attention --profile smoke --exercise N`). README.md's `exercises` block shows them.

import ChapterSupport
import Training
import Foundation
import Statistics

private typealias F = ExerciseFinding

extension Metrics {
    func student(_ arm: Arm, _ density: Double) -> StudentResult? {
        students.first { $0.arm == arm && $0.density == density }
    }
    /// The student densities, sparsest last (the config's order).
    var densities: [Double] { students.map(\.density).reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }

    /// AT arm − plain sparse-momentum arm at `density`, paired over the test images.
    func attentionGap(_ density: Double) -> Difference? {
        guard let at = student(.sparseMomentumAT, density), let plain = student(.sparseMomentum, density) else { return nil }
        return .paired(at.outcomes, plain.outcomes)
    }
}

private let sizing = "at the quick profile a change of β_AT retrains every student (the student stage's key "
    + "includes the whole student configuration)."

let attentionExercises = ChapterExercises(chapter: "attention", readme: chapterReadme(beside: #filePath), [
    ChapterExercise(
        1, arguments: ["--beta", "0"],
        question: "Attention transfer off: the \"+ AT\" arm now trains on the cross-entropy alone, like the plain "
            + "sparse-momentum arm. Does the gap between the two arms close? If it does not, the gap comes from their "
            + "different random streams (each student has its own batch order and regrowth), not from attention "
            + "transfer: read the quick table's AT advantages with that in mind.",
        profile: .smoke, sizing: sizing, metrics: Metrics.self
    ) { reference, run in
        var f = F()
        var within = true, smaller = 0
        var parts: [String] = []
        for density in run.densities {
            let (old, new) = (reference.attentionGap(density), run.attentionGap(density))
            f.value("gap.density\(density)", "AT arm − sparse-momentum arm at density \(density) (test accuracy)",
                    reference: old?.mean, exercise: new?.mean)
            f.value("gap-se.density\(density)", "its standard error, paired over the test images",
                    reference: old?.standardError, exercise: new?.standardError)
            guard let new else { within = false; continue }
            within = within && abs(new.mean) <= 2 * new.standardError
            if let old, abs(new.mean) < abs(old.mean) { smaller += 1 }
            parts.append("at density \(density) \(F.points(new.mean)) ± \(formatFixed(100 * new.standardError, digits: 1)) "
                         + "(plain run \(old.map { F.points($0.mean) } ?? "–"))")
        }
        f.check("gap-within-noise", "with β = 0 the gap is within 2 paired s.e. of zero at every density", holds: within)
        f.check("gap-shrinks", "the gap is smaller in size than in the plain run at every density",
                holds: smaller == run.densities.count)
        f.outcome = "With β = 0 the AT arm − the sparse-momentum arm is " + parts.joined(separator: ", ")
            + " on \(run.testImages) test images."
        return f
    },
    ChapterExercise(
        2, arguments: ["--beta", "10000"],
        question: "Ten times the preset's weight on the attention term. When does it start hurting the task? Compare "
            + "the AT arm's accuracy with the other arms at the sparsest density, and how large the attention term is "
            + "within the loss (`epochAttentionLosses` × β_AT against `epochLosses` in results.json).",
        profile: .smoke, sizing: sizing, metrics: Metrics.self, config: Config.self
    ) { reference, run in
        var f = F()
        let density = run.metrics.densities.last ?? 0
        func accuracy(_ m: Metrics, _ arm: Arm) -> Double? { m.student(arm, density)?.annAccuracy }
        let arms = Arm.allCases.map { arm in
            f.value("\(arm.rawValue).accuracy.density\(density)", "\(arm.title) at density \(density): test accuracy",
                    reference: accuracy(reference.metrics, arm), exercise: accuracy(run.metrics, arm))
        }
        // β·L_AT ÷ the epoch's loss, last epoch of the AT arm at the sparsest density.
        func share(_ r: (metrics: Metrics, config: Config)) -> Double? {
            guard let trace = r.metrics.student(.sparseMomentumAT, density)?.trace,
                  let at = trace.epochAttentionLosses.last, let loss = trace.epochLosses.last, loss > 0 else { return nil }
            return Double(r.config.student.beta) * at / loss
        }
        let term = f.value("attention-share", "β_AT·L_AT ÷ epoch loss, last epoch of the AT arm at density \(density)",
                           reference: share(reference), exercise: share(run))
        let (at, others) = (arms[0].exercise ?? 0, arms.dropFirst().compactMap(\.exercise))
        f.check("at-below-others", "at density \(density) the AT arm is below both other arms",
                holds: at < (others.min() ?? 0))
        f.check("at-loses", "at density \(density) the AT arm loses accuracy against the plain run",
                holds: at < (arms[0].reference ?? 0))
        f.check("term-grows", "the attention term is a larger share of the loss than in the plain run",
                holds: (term.exercise ?? 0) > (term.reference ?? .infinity))
        f.outcome = "With β_AT = \(formatFixed(Double(run.config.student.beta), digits: 0)) at density \(density): "
            + zip(Arm.allCases, arms).map { "\($0.title) \(F.percent($1.exercise)) (plain run \(F.percent($1.reference)))" }
                .joined(separator: ", ")
            + " on \(run.metrics.testImages) test images; β_AT·L_AT is \(term.exercise.map { formatFixed($0, digits: 3) } ?? "–") "
            + "of the AT arm's last-epoch loss (plain run \(term.reference.map { formatFixed($0, digits: 3) } ?? "–"))."
        return f
    },
])
