// The exercises of chapter-hybrid: each changes one option, and its outcome is computed from
// the plain run's results.json and the exercise run's (`chapter-hybrid [--profile smoke]
// --exercise N`). README.md's `exercises` block shows them.

import ChapterSupport
import Training
import Foundation

private typealias F = ExerciseFinding

extension Metrics {
    func arm(_ key: String) -> ArmSummary? { arms.first { $0.key == key } }
}

/// The main arms, A (DIET) to D (temporal only).
private let mainArms = ["A", "B", "C", "D"]
private let singleSpikeArms = ["B", "C", "D"]

let hybridExercises = ChapterExercises(chapter: "hybrid", readme: chapterReadme(beside: #filePath), [
    ChapterExercise(
        1, arguments: ["--threshold-scale", "0.5"],
        question: "Raise the threshold scale s of every single-spike arm (arm A and the ANN load from the cache; "
            + "the other arms retrain). How do the spikes per neuron, C's energy and the accuracies of B, C and the "
            + "pure temporal code D move? A high threshold can starve single-spike neurons that have only a few "
            + "steps to integrate.",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        var fewerEverywhere = true, drops: [String: Double] = [:], accuracy: [String: Double] = [:]
        for key in singleSpikeArms {
            let (old, new) = (reference.arm(key), run.arm(key))
            for layer in 0..<(new?.spikesPerNeuron.count ?? 0) {
                let v = f.value("\(key).spikes-per-neuron.layer\(layer + 1)", "arm \(key): spikes per neuron, layer \(layer + 1)",
                                reference: old?.spikesPerNeuron[layer], exercise: new?.spikesPerNeuron[layer])
                fewerEverywhere = fewerEverywhere && (v.exercise ?? 1) < (v.reference ?? 0)
            }
            let a = f.value("\(key).accuracy", "arm \(key): test accuracy", reference: old?.accuracy, exercise: new?.accuracy)
            drops[key] = (a.reference ?? 0) - (a.exercise ?? 0)
            accuracy[key] = a.exercise ?? 0
        }
        let energy = f.value("C.ann-over-snn-energy", "arm C: E_ANN/E_SNN", reference: reference.arm("C")?.annOverSNNEnergy,
                             exercise: run.arm("C")?.annOverSNNEnergy)
        f.check("fewer-spikes", "arms B, C and D fire fewer spikes per neuron in every layer", holds: fewerEverywhere)
        f.check("C-energy-improves", "arm C's energy ratio E_ANN/E_SNN improves",
                holds: (energy.exercise ?? 0) > (energy.reference ?? .infinity))
        f.check("B-and-C-lose-more-than-D", "arms B and C lose more accuracy than D",
                holds: drops["B"]! > drops["D"]! && drops["C"]! > drops["D"]!)
        f.check("D-beats-C", "arm D is now more accurate than arm C", holds: accuracy["D"]! > accuracy["C"]!)
        f.outcome = "With s = 0.5 the single-spike arms score " + singleSpikeArms.map {
            "\($0) \(F.percent(accuracy[$0])) (\(F.points(-drops[$0]!)))"
        }.joined(separator: ", ") + " against the plain run (± \(F.percent(run.arm("C")?.accuracyStandardError, digits: 1)) "
            + "binomial s.e. on \(run.testImages) images); arm C's E_ANN/E_SNN goes from "
            + "\(energy.reference.map { formatFixed($0, digits: 1) } ?? "–") to \(energy.exercise.map { formatFixed($0, digits: 1) } ?? "–")."
        return f
    },
    ChapterExercise(
        2, arguments: ["--finetune-epochs", "3"],
        question: "Three fine-tuning epochs per arm instead of one. Is the A–C gap just a matter of training length?",
        profile: .smoke,
        sizing: "at the quick profile the option retrains every arm and ablation (and five epochs with surrogate V1 "
            + "made the single-spike arms worse there; see \"What was tried\").",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        let accuracies = mainArms.map { key in
            f.value("\(key).accuracy", "arm \(key): test accuracy", reference: reference.arm(key)?.accuracy,
                    exercise: run.arm(key)?.accuracy)
        }
        func gap(_ m: Metrics) -> Double? {
            guard let a = m.arm("A"), let c = m.arm("C") else { return nil }
            return a.accuracy - c.accuracy
        }
        let gaps = f.value("A-minus-C", "accuracy of A − C", reference: gap(reference), exercise: gap(run))
        // The noise of one gap: √(s.e.(A)² + s.e.(C)²), unpaired binomial errors.
        let noise = [run.arm("A"), run.arm("C")].compactMap { $0?.accuracyStandardError }
            .map { $0 * $0 }.reduce(0, +).squareRoot()
        f.check("every-arm-gains", "every arm gains accuracy",
                holds: accuracies.allSatisfy { ($0.exercise ?? 0) > ($0.reference ?? 1) })
        f.check("gap-stays", "the A − C gap changes by less than 2 s.e. of one gap "
                    + "(\(formatFixed(200 * noise, digits: 1)) points on \(run.testImages) images)",
                holds: abs((gaps.exercise ?? 0) - (gaps.reference ?? .infinity)) < 2 * noise)
        f.outcome = "With three epochs the arms score " + zip(mainArms, accuracies).map {
            "\($0) \(F.percent($1.exercise)) (plain run \(F.percent($1.reference)))"
        }.joined(separator: ", ") + "; the A − C gap goes from \(gaps.reference.map { F.points($0) } ?? "–") to "
            + "\(gaps.exercise.map { F.points($0) } ?? "–")."
        return f
    },
])
