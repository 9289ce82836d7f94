// The exercises of chapter-compare: each changes one option, and its outcome is computed from
// the plain run's results.json and the exercise run's (`chapter-compare [--profile smoke]
// --exercise N`). README.md's `exercises` block shows them.

import ChapterSupport
import Training
import Foundation
import Statistics

private typealias F = ExerciseFinding

extension Metrics {
    func method(_ key: String) -> MethodResult? { methods.first { $0.key == key } }
    /// The first method whose key starts with `prefix` (`percentile-` for the first percentile).
    func method(prefix: String) -> MethodResult? { methods.first { $0.key.hasPrefix(prefix) } }
}

extension MethodResult {
    func point(_ t: Int) -> Point? { points.first { $0.timesteps == t } }
    /// The first listed T from which the accuracy stays ≥ `target(T)` at every later listed T.
    func firstStaying(atLeast target: (Int) -> Double) -> Int? {
        guard let last = points.lastIndex(where: { $0.accuracy < target($0.timesteps) }) else { return points.first?.timesteps }
        return last + 1 < points.count ? points[last + 1].timesteps : nil
    }
}

/// The accuracy difference a − b at `t` within one run, paired over its test images.
private func paired(_ a: MethodResult, _ b: MethodResult, at t: Int) -> Difference? {
    guard let p = a.point(t), let q = b.point(t) else { return nil }
    return .paired(p.outcomes, q.outcomes)
}

let compareExercises = ChapterExercises(chapter: "compare", readme: chapterReadme(beside: #filePath), [
    ChapterExercise(
        1, arguments: ["--max-timesteps", "1024"],
        question: "Simulate the conversion methods four times longer. Does max-norm ever reach the ANN, and where "
            + "does it then sit on the Pareto front of `fig-accuracy-vs-energy`?",
        profile: .smoke,
        sizing: "at the quick profile the four conversion simulations run to T = 1024 instead of 256, four times "
            + "the steps of the chapter's longest stages.",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        f.value("ann.full-test", "ReLU ANN accuracy on the test images", reference: reference.annAccuracyOnFullTest,
                exercise: run.annAccuracyOnFullTest)
        // Each point against the ANN on the images it was measured on (the sweep's beyond T = 16).
        let ann = run.annAccuracy(at: run.maxTimesteps)
        let (old, new) = (reference.method("max-norm"), run.method("max-norm"))
        let end = f.value("max-norm.accuracy.Tmax", "max-norm: accuracy at the run's largest T (\(reference.maxTimesteps), "
                            + "\(run.maxTimesteps))", reference: old?.points.last?.accuracy, exercise: new?.points.last?.accuracy)
        let first = new?.firstStaying { run.annAccuracy(at: $0) - 0.01 }
        f.value("max-norm.first-T-within-one-point", "max-norm: first listed T staying within 1 point of the ANN",
                reference: old?.firstStaying { reference.annAccuracy(at: $0) - 0.01 }.map(Double.init),
                exercise: first.map(Double.init))
        let onFront = run.paretoFront.filter { $0.method == "max-norm" }
        f.value("max-norm.front-points", "max-norm points on the Pareto front", reference: Double(reference.paretoFront
            .filter { $0.method == "max-norm" }.count), exercise: Double(onFront.count))
        let cheaper = new.flatMap { m in first.flatMap { m.point($0) } }
        f.check("reaches-the-ann", "max-norm stays within 1 point of the ANN from some T ≤ \(run.maxTimesteps)", holds: first != nil)
        f.check("on-the-front", "max-norm has a point on the Pareto front", holds: !onFront.isEmpty)
        f.check("gains-beyond-plain-T-max", "max-norm's accuracy at T = \(run.maxTimesteps) is above its accuracy at "
                    + "T = \(reference.maxTimesteps)", holds: (end.exercise ?? 0) > (end.reference ?? 1))
        f.outcome = "Max-norm ends at \(F.percent(end.exercise)) at T = \(run.maxTimesteps) (\(F.percent(end.reference)) at "
            + "T = \(reference.maxTimesteps); ANN \(F.percent(ann)) on the same \(run.images(at: run.maxTimesteps)) images) and stays within "
            + "1 point of the ANN \(F.from(first, max: run.maxTimesteps))"
            + (cheaper.map { ", where E_SNN/E_ANN = \(formatFixed($0.energyRatioFloat32, digits: 2))" } ?? "")
            + ". The Pareto front holds \(onFront.isEmpty ? "no max-norm point" : "max-norm at " + onFront.map { "T = \($0.timesteps)" }.joined(separator: ", "))"
            + "; the front's cheapest point at or above max-norm's accuracy there is "
            + (run.paretoFront.first { $0.accuracy >= (cheaper?.accuracy ?? 2) }.map {
                "\($0.method) at T = \($0.timesteps) (E_SNN/E_ANN = \(formatFixed($0.energyRatioFloat32, digits: 2)))" } ?? "none")
            + "."
        return f
    },
    ChapterExercise(
        2, arguments: ["--percentile", "99"],
        question: "Lower thresholds for the robust-threshold conversion. Which T gain, and what happens to the curve at T_max?",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        let (old, new) = (reference.method(prefix: "percentile-"), run.method("percentile-99.0"))
        let oldName = old?.key ?? "percentile"
        var gains: [Int] = []
        for point in new?.points ?? [] {
            let v = f.value("percentile.accuracy.T\(point.timesteps)", "accuracy at T = \(point.timesteps): \(oldName) "
                                + "(plain run), percentile-99.0", reference: old?.point(point.timesteps)?.accuracy,
                            exercise: point.accuracy)
            if let r = v.reference, point.accuracy > r { gains.append(point.timesteps) }
        }
        let T = run.maxTimesteps
        let (atEnd, oldEnd) = (new?.point(T)?.accuracy ?? 0, old?.point(T)?.accuracy ?? 0)
        f.check("gains-at-16", "percentile 99 is more accurate than the plain run's \(oldName) at T = 16",
                holds: gains.contains(16))
        f.check("holds-at-T-max", "at T = \(T) percentile 99 is within 1 point of the plain run's \(oldName)",
                holds: atEnd >= oldEnd - 0.01)
        f.outcome = "Percentile 99 is above the plain run's \(oldName) at "
            + (gains.isEmpty ? "no T" : "T = " + gains.map(String.init).joined(separator: ", "))
            + " (at T = 8: \(F.percent(new?.point(8)?.accuracy)) against \(F.percent(old?.point(8)?.accuracy)); at T = 16: "
            + "\(F.percent(new?.point(16)?.accuracy)) against \(F.percent(old?.point(16)?.accuracy))) and ends at "
            + "\(F.percent(atEnd)) at T = \(T) against \(F.percent(oldEnd)) (ANN \(F.percent(run.annAccuracy(at: T))) on the same images)."
        return f
    },
    ChapterExercise(
        3, arguments: ["--clip-percentile", "99.9"],
        question: "A tighter clip μ for the fitted (ultralow) conversion: the 99.9th percentile of the ReLU outputs "
            + "instead of the 99.99th. Does T = 1 improve?",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        var parts: [String] = [], improved: [Bool] = []
        for key in ["ultralow-fitted", "ultralow-finetuned"] {
            let v = f.value("\(key).accuracy.T1", "\(key): accuracy at T = 1",
                            reference: reference.method(key)?.point(1)?.accuracy, exercise: run.method(key)?.point(1)?.accuracy)
            improved.append((v.exercise ?? 0) > (v.reference ?? 1))
            parts.append("\(run.method(key)?.name ?? key) \(F.percent(v.exercise)) (plain run \(F.percent(v.reference)))")
        }
        f.check("fitted-T1-improves", "the fitted conversion is more accurate at T = 1", holds: improved[0])
        f.check("finetuned-T1-improves", "the fine-tuned SNN is more accurate at T = 1", holds: improved[1])
        f.outcome = "At T = 1: " + parts.joined(separator: "; ") + ", on \(run.fullTestImages) test images "
            + "(± \(F.percent(binomialStandardError(accuracy: run.method("ultralow-fitted")?.point(1)?.accuracy ?? 0.5, images: run.fullTestImages))) "
            + "binomial s.e.)."
        return f
    },
    ChapterExercise(
        4, arguments: ["--density", "0.03"],
        question: "An attention student with three weights in a hundred instead of ten. How much accuracy for how much energy?",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        let (old, new) = (reference.method("attention")?.points.last, run.method("attention")?.points.last)
        let accuracy = f.value("attention.accuracy", "attention student SNN: accuracy at its T",
                               reference: old?.accuracy, exercise: new?.accuracy)
        let energy = f.value("attention.energy-ratio", "attention student SNN: E_SNN/E_ANN",
                             reference: old?.energyRatioFloat32, exercise: new?.energyRatioFloat32)
        f.check("costs-accuracy", "the sparser student loses accuracy", holds: (accuracy.exercise ?? 1) < (accuracy.reference ?? 0))
        f.check("saves-energy", "the sparser student needs less energy", holds: (energy.exercise ?? 1) < (energy.reference ?? 0))
        f.outcome = "The student at T = \(new?.timesteps ?? 0) scores \(F.percent(accuracy.exercise)) (plain run "
            + "\(F.percent(accuracy.reference)), \(F.points((accuracy.exercise ?? 0) - (accuracy.reference ?? 0))), ± "
            + "\(F.percent(binomialStandardError(accuracy: accuracy.exercise ?? 0.5, images: run.fullTestImages))) binomial s.e.) at "
            + "E_SNN/E_ANN = \(energy.exercise.map { formatFixed($0, digits: 3) } ?? "–") (plain run "
            + "\(energy.reference.map { formatFixed($0, digits: 3) } ?? "–"))."
        return f
    },
    ChapterExercise(
        5, arguments: ["--seed", "7"],
        question: "A new seed for every network, batch order and test subset. Which differences between methods at T ≤ 2 "
            + "survive it?",
        profile: .smoke,
        sizing: "at the quick profile a new seed retrains every network of the chapter.",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        var survivors: [String] = [], contested: [String] = []
        var sameBest = true
        for t in [1, 2] {
            let names = run.methods.filter { $0.point(t) != nil }.map(\.key)
            for (i, a) in names.enumerated() {
                f.value("\(a).accuracy.T\(t)", "\(a): accuracy at T = \(t)", reference: reference.method(a)?.point(t)?.accuracy,
                        exercise: run.method(a)?.point(t)?.accuracy)
                for b in names[(i + 1)...] {
                    guard let d0 = reference.method(a).flatMap({ m in reference.method(b).flatMap { paired(m, $0, at: t) } }),
                          let d1 = paired(run.method(a)!, run.method(b)!, at: t) else { continue }
                    // Beyond 2 s.e. at the plain seed: does it keep its sign beyond 2 s.e. at the new one?
                    guard abs(d0.mean) > 2 * d0.standardError else { continue }
                    let kept = d0.mean.sign == d1.mean.sign && abs(d1.mean) > 2 * d1.standardError
                    let (winner, loser) = d0.mean > 0 ? (a, b) : (b, a)
                    let text = "\(winner) > \(loser) at T = \(t) (\(F.points(abs(d0.mean))) → "
                        + "\(F.points(d0.mean > 0 ? d1.mean : -d1.mean)))"
                    if kept { survivors.append(text) } else { contested.append(text) }
                }
            }
            func best(_ m: Metrics) -> String? { m.methods.filter { $0.point(t) != nil }.max { $0.point(t)!.accuracy < $1.point(t)!.accuracy }?.key }
            sameBest = sameBest && best(reference) != nil && best(reference) == best(run)
        }
        f.check("differences-survive", "every difference beyond 2 s.e. at the plain seed keeps its sign beyond 2 s.e. at seed 7",
                holds: contested.isEmpty && !survivors.isEmpty)
        f.check("same-best", "the most accurate method at T = 1 and at T = 2 is the same at both seeds", holds: sameBest)
        f.outcome = "Differences at T ≤ 2 beyond 2 paired s.e. at the plain seed (plain seed → seed 7): "
            + (survivors.isEmpty ? "none survive" : "surviving: " + survivors.joined(separator: "; "))
            + (contested.isEmpty ? "" : "; not surviving: " + contested.joined(separator: "; ")) + "."
        return f
    },
])
