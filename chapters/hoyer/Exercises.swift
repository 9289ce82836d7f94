// The exercises of chapter-hoyer: each changes the Hoyer regulariser, and its outcome is
// computed from the plain run's results.json and the exercise run's (`chapter-hoyer
// --exercise N`). README.md's `exercises` block shows them.

import ChapterSupport
import Training
import Foundation
import Statistics

private typealias F = ExerciseFinding

/// The regularised variants, which both exercises retrain.
private let regularised = ["hoyer-sum-reg", "hoyer-cw-reg"]

private func fixed(_ v: Double?, _ digits: Int = 3) -> String { v.map { formatFixed($0, digits: digits) } ?? "–" }

/// A regulariser weight as `0`, `1e-7` or `2.5e-7` (the sweep's weights are stored as Float).
private func weight(_ w: Double) -> String {
    guard w > 0 else { return "0" }
    let exponent = Int((log10(w) + 1e-6).rounded(.down))
    let mantissa = (w / pow(10, Double(exponent)) * 10).rounded() / 10
    return (mantissa == mantissa.rounded() ? "\(Int(mantissa))" : "\(mantissa)") + "e\(exponent)"
}

let hoyerExercises = ChapterExercises(chapter: "hoyer", readme: chapterReadme(beside: #filePath), [
    ChapterExercise(
        1, arguments: ["--regularisation-weight", "1e-6"],
        question: "Four times the preset's α_H (only the regularised variants and the sweep retrain: four short "
            + "trainings). How far can the spike rate fall before accuracy does? Compare `fig2` and `fig5b` with "
            + "the plain run's.",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        let (old, new) = (reference.variant("hoyer-sum-reg"), run.variant("hoyer-sum-reg"))
        let rate = f.value("hoyer-sum-reg.spike-rate", "Hoyer sum + reg: mean spike rate",
                           reference: old?.meanSpikeRate, exercise: new?.meanSpikeRate)
        let near = f.value("hoyer-sum-reg.near-threshold", "Hoyer sum + reg: share of potentials near the threshold",
                           reference: old?.nearThresholdFraction, exercise: new?.nearThresholdFraction)
        let accuracy = f.value("hoyer-sum-reg.accuracy", "Hoyer sum + reg: test accuracy",
                               reference: old?.accuracy, exercise: new?.accuracy)
        let sweep = run.regulariserSweep.sorted { $0.regularisationWeight < $1.regularisationWeight }
        for (i, point) in sweep.enumerated() {
            f.value("sweep.\(i).spike-rate", "sweep, α_H = \(weight(point.regularisationWeight)): mean spike rate",
                    reference: nil, exercise: point.meanSpikeRate)
            f.value("sweep.\(i).accuracy", "sweep, α_H = \(weight(point.regularisationWeight)): test accuracy",
                    reference: nil, exercise: point.accuracy)
        }
        let rates = sweep.map(\.meanSpikeRate)
        let steps = zip(rates.dropFirst(), rates.dropFirst(2)).map { $0 - $1 }   // falls between α_H > 0 decades
        f.check("fires-less", "Hoyer sum + reg fires less than with the preset's α_H",
                holds: (rate.exercise ?? 1) < (rate.reference ?? 0))
        f.check("fewer-near-threshold", "fewer of its potentials sit near the threshold",
                holds: (near.exercise ?? 1) < (near.reference ?? 0))
        // The same test images in both runs: the drop with its paired standard error.
        let drop = old.flatMap { o in new.map { Difference.paired(o.outcomes, $0.outcomes) } }
        f.value("hoyer-sum-reg.accuracy-drop-se", "Hoyer sum + reg: s.e. of the accuracy drop, paired over the test images",
                reference: nil, exercise: drop?.standardError)
        f.check("costs-accuracy", "its accuracy falls by more than 2 s.e. (paired over the test images)",
                holds: drop.map { $0.mean > 2 * $0.standardError } ?? false)
        f.check("sweep-rate-falls", "in the sweep the spike rate falls at every larger α_H",
                holds: zip(rates, rates.dropFirst()).allSatisfy { $0 > $1 })
        f.check("sweep-smaller-steps", "in the sweep each decade of α_H lowers the spike rate by less than the one before",
                holds: !steps.isEmpty && zip(steps, steps.dropFirst()).allSatisfy { $0 > $1 })
        let collapse = (sweep.first?.accuracy ?? 0) - (sweep.last?.accuracy ?? 0)
        f.check("largest-weight-collapses", "at the largest α_H accuracy is more than fifteen points below α_H = 0",
                holds: collapse > 0.15)
        f.outcome = "Hoyer sum + reg fires at \(F.percent(rate.exercise, digits: 2)) (plain run \(F.percent(rate.reference, digits: 2))), "
            + "with \(F.percent(near.exercise, digits: 2)) of its potentials near the threshold (plain "
            + "\(F.percent(near.reference, digits: 2))), at \(F.percent(accuracy.exercise, digits: 2)) accuracy (plain "
            + "\(F.percent(accuracy.reference, digits: 2)); drop \(drop.map { F.points($0.mean, digits: 2) } ?? "–") ± "
            + "\(drop.map { formatFixed(100 * $0.standardError, digits: 2) } ?? "–"), paired s.e.). "
            + "Sweep (α_H: spike rate, accuracy): " + sweep.map {
                "\(weight($0.regularisationWeight)): \(F.percent($0.meanSpikeRate, digits: 2)), \(F.percent($0.accuracy))"
            }.joined(separator: "; ") + "."
        return f
    },
    ChapterExercise(
        2, arguments: ["--regulariser-gradient", "through-threshold"],
        question: "The 2023 code's form: the regulariser's gradient now also reaches θ (again only the regularised "
            + "variants and the sweep retrain). Which way does θ move (`thresholds` of the \"+ reg\" variants in "
            + "results.json, or the printed per-layer table)? Why? H = S1²/S2 is a soft count of the non-zero entries "
            + "of z_c = clip(h/|θ|, 0, 1): a larger θ shrinks z and sends more of it to 0.",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        var higher = true, fewer = true, accuracyClose = true, nearer = true
        var parts: [String] = []
        for key in regularised {
            guard let old = reference.variant(key), let new = run.variant(key) else { higher = false; continue }
            let conv = new.spikeLayers.indices.filter { new.spikeLayers[$0].hasPrefix("conv") }
            for l in conv {
                let t = f.value("\(key).threshold.\(new.spikeLayers[l])", "\(new.label): θ of \(new.spikeLayers[l])",
                                reference: old.thresholds[l], exercise: new.thresholds[l])
                higher = higher && t.exercise! > t.reference!
            }
            let r = f.value("\(key).spike-rate", "\(new.label): mean spike rate",
                            reference: old.meanSpikeRate, exercise: new.meanSpikeRate)
            fewer = fewer && (r.exercise ?? 1) < (r.reference ?? 0)
            f.value("\(key).accuracy", "\(new.label): test accuracy", reference: old.accuracy, exercise: new.accuracy)
            let difference = Difference.paired(new.outcomes, old.outcomes)
            f.value("\(key).accuracy-difference-se", "\(new.label): s.e. of the accuracy difference, paired over the test images",
                    reference: nil, exercise: difference.standardError)
            accuracyClose = accuracyClose && abs(difference.mean) < 2 * difference.standardError
            let n = f.value("\(key).near-threshold", "\(new.label): share of potentials near the threshold",
                            reference: old.nearThresholdFraction, exercise: new.nearThresholdFraction)
            nearer = nearer && (n.exercise ?? 0) > (n.reference ?? 1)
            parts.append("\(new.label): θ of the conv layers " + conv.map { fixed(new.thresholds[$0], 2) }.joined(separator: ", ")
                         + " (plain run " + conv.map { fixed(old.thresholds[$0], 2) }.joined(separator: ", ") + "), spike rate "
                         + "\(F.percent(new.meanSpikeRate, digits: 2)) (plain \(F.percent(old.meanSpikeRate, digits: 2))), accuracy "
                         + "\(F.points(difference.mean)) ± \(formatFixed(100 * difference.standardError, digits: 1))")
        }
        f.check("threshold-up", "in every convolutional spike layer θ ends higher than with the detached form, in both "
                    + "+ reg variants", holds: higher)
        f.check("fires-less", "both + reg variants fire less", holds: fewer)
        f.check("accuracy-within-noise", "their accuracy changes by less than 2 s.e. (paired over the test images)",
                holds: accuracyClose)
        f.check("more-near-threshold", "their share of potentials near the threshold is higher", holds: nearer)
        f.outcome = parts.joined(separator: "; ") + "."
        return f
    },
])
