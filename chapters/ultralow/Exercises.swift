// The exercises of chapter-ultralow, sized for the smoke profile: each changes one option, and
// its outcome is computed from the plain smoke run's results.json and the exercise run's
// (`chapter-ultralow --profile smoke --exercise N`). README.md's `exercises` block shows them.

import ChapterSupport
import Training
import Foundation
import Statistics

private typealias F = ExerciseFinding

extension Metrics {
    func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }
    /// Mean over spiking layers of the fitted α at T = 1 (constant-input fit).
    var meanAlphaAtT1: Double { mean(fitTable.filter { $0.timesteps == 1 }.map { $0.constantInput.factors.alpha }) }
    func accuracy(_ kind: ConversionRule.Kind, at t: Int) -> [Double] {
        converted.filter { $0.rule.kind == kind }.compactMap { $0.accuracy(at: t) }
    }
    /// The fine-tuning run of `kind` at the first fine-tuned T.
    func tuned(_ kind: ConversionRule.Kind) -> FineTuneResult? {
        fineTuned.first { $0.rule.kind == kind }
    }
}

/// |a − b| ≤ share·|b| for two measured numbers.
private func close(_ a: Double?, _ b: Double?, share: Double) -> Bool {
    guard let a, let b else { return false }
    return abs(a - b) <= share * abs(b)
}

/// The chance level of a ten-class dataset, and how far above it still counts as "near chance".
private let chance = 0.1, nearChance = 0.05

let ultralowExercises = ChapterExercises(chapter: "ultralow", readme: chapterReadme(beside: #filePath), [
    ChapterExercise(
        1, arguments: ["--epochs", "8"],
        question: "Train the DNN four times longer. Is the skew of the pre-activations a sign of under-training, "
            + "or does it belong to the ReLU network?",
        profile: .smoke, sizing: "at the quick profile `--epochs` retrains the DNN and so every stage after it.",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        let dnn = f.value("dnn.accuracy", "DNN accuracy on the \(run.dnnTestImages) test images",
                          reference: reference.dnnAccuracy, exercise: run.dnnAccuracy)
        let clip = f.value("clips.mean", "trained clip μ, mean over layers",
                           reference: reference.mean(reference.clips), exercise: run.mean(run.clips))
        let nonPositive = f.value("distribution.non-positive.mean", "share of pre-activations ≤ 0, mean over layers",
                                  reference: reference.mean(reference.distributions.map(\.fractionNonPositive)),
                                  exercise: run.mean(run.distributions.map(\.fractionNonPositive)))
        let median = f.value("distribution.positive-median.mean", "median of the positive pre-activations ÷ μ, mean over layers",
                             reference: reference.mean(reference.distributions.map(\.positiveMedianOverClip)),
                             exercise: run.mean(run.distributions.map(\.positiveMedianOverClip)))
        let alpha = f.value("fit.alpha-T1.mean", "fitted α at T = 1 (constant input), mean over layers",
                            reference: reference.meanAlphaAtT1, exercise: run.meanAlphaAtT1)
        let T = run.converted.first?.evaluations.map(\.timesteps).max() ?? 1
        let gains = run.converted.enumerated().map { i, rule in
            f.value("converted-\(i).accuracy.T\(T)", "\(rule.name): accuracy at T = \(T)",
                    reference: reference.converted.first { $0.rule == rule.rule }?.accuracy(at: T),
                    exercise: rule.accuracy(at: T))
        }
        let naive = [1, 2].map { t in
            f.value("naive.accuracy.T\(t)", "naive rule: accuracy at T = \(t)",
                    reference: reference.accuracy(.naive, at: t).first, exercise: run.accuracy(.naive, at: t).first).exercise ?? 0
        }
        let fittedT1 = run.accuracy(.fitted, at: 1), othersT1 = run.accuracy(.naive, at: 1) + run.accuracy(.shift, at: 1)
        f.check("dnn-gains", "the DNN gains accuracy", holds: dnn.exercise! > dnn.reference!)
        f.check("snns-gain", "every converted SNN gains accuracy at T = \(T)",
                holds: gains.allSatisfy { ($0.exercise ?? 0) > ($0.reference ?? 1) })
        f.check("clips-stay", "the mean clip μ moves by at most 10 % of its value", holds: close(clip.exercise, clip.reference, share: 0.1))
        f.check("skew-stays", "the share of pre-activations ≤ 0 moves by at most 5 points",
                holds: abs(nonPositive.exercise! - nonPositive.reference!) <= 0.05)
        f.check("median-stays", "the median of the positive part ÷ μ moves by at most 10 % of its value",
                holds: close(median.exercise, median.reference, share: 0.1))
        f.check("alpha-stays", "the mean fitted α at T = 1 moves by at most 10 % of its value",
                holds: close(alpha.exercise, alpha.reference, share: 0.1))
        f.check("naive-collapses", "the naive rule stays within \(Int(100 * nearChance)) points of chance at T = 1 and 2",
                holds: naive.allSatisfy { $0 <= chance + nearChance })
        f.check("fitted-lead-at-T1", "at T = 1 every fitted rule is above the naive and shift rules",
                holds: !fittedT1.isEmpty && fittedT1.min()! > (othersT1.max() ?? 1))
        f.outcome = "The DNN reaches \(F.percent(dnn.exercise)) (plain run \(F.percent(dnn.reference))); at T = \(T) the converted "
            + "SNNs reach " + gains.map { F.percent($0.exercise) }.joined(separator: ", ") + " (plain "
            + gains.map { F.percent($0.reference) }.joined(separator: ", ") + "). Mean clip μ \(formatFixed(clip.exercise!, digits: 3)) "
            + "(plain \(formatFixed(clip.reference!, digits: 3))); share ≤ 0 \(F.percent(nonPositive.exercise)) (plain "
            + "\(F.percent(nonPositive.reference))); positive median ÷ μ \(formatFixed(median.exercise!, digits: 3)) (plain "
            + "\(formatFixed(median.reference!, digits: 3))); fitted α at T = 1 \(formatFixed(alpha.exercise!, digits: 3)) (plain "
            + "\(formatFixed(alpha.reference!, digits: 3))). Naive rule at T = 1, 2: \(naive.map { F.percent($0) }.joined(separator: ", "))."
        return f
    },
    ChapterExercise(
        2, arguments: ["--finetune-epochs", "4"],
        question: "Fine-tune four times longer. How much of the gap to the DNN can BPTT close from the fitted "
            + "starting point, and from the naive one?",
        profile: .smoke, sizing: "at the quick profile `--finetune-epochs` retrains every fine-tuned SNN (one per T "
            + "and learning rate).",
        metrics: Metrics.self
    ) { reference, run in
        var f = F()
        let fitted = (reference.tuned(.fitted), run.tuned(.fitted)), naive = (reference.tuned(.naive), run.tuned(.naive))
        let T = run.tuned(.fitted)?.timesteps ?? 0
        let loss = f.value("fitted.final-training-loss", "fitted SNN at T = \(T): training loss of the last epoch",
                           reference: fitted.0?.losses.last, exercise: fitted.1?.losses.last)
        let accuracy = f.value("fitted.accuracy-after", "fitted SNN at T = \(T): test accuracy after fine-tuning",
                               reference: fitted.0?.after.accuracy, exercise: fitted.1?.after.accuracy)
        let naiveAccuracy = f.value("naive.accuracy-after", "naive SNN at T = \(T): test accuracy after fine-tuning",
                                    reference: naive.0?.after.accuracy, exercise: naive.1?.after.accuracy)
        f.value("dnn.accuracy-simulated", "DNN accuracy on the simulated test images",
                reference: reference.dnnAccuracyOnSimulated, exercise: run.dnnAccuracyOnSimulated)
        let se = binomialStandardError(accuracy: accuracy.exercise ?? 0, images: run.simulatedImages)
        f.check("fitted-loss-falls", "the fitted SNN's last-epoch training loss is lower",
                holds: loss.exercise.map { e in loss.reference.map { e < $0 } ?? false } ?? false)
        f.check("fitted-accuracy-moves-little", "the fitted SNN's test accuracy moves by less than 2 binomial s.e. "
                    + "(\(formatFixed(200 * se, digits: 1)) points on \(run.simulatedImages) images)",
                holds: abs((accuracy.exercise ?? 0) - (accuracy.reference ?? 0)) < 2 * se)
        f.check("naive-near-chance", "the naive SNN stays within \(Int(100 * nearChance)) points of chance after fine-tuning",
                holds: (naiveAccuracy.exercise ?? 1) <= chance + nearChance)
        f.outcome = "With \(run.tuned(.fitted)?.losses.count ?? 0) epochs the fitted SNN at T = \(T) "
            + "(\(fitted.1?.budget ?? "–")) ends with training loss \(loss.exercise.map { formatFixed($0, digits: 3) } ?? "–") "
            + "(plain run \(loss.reference.map { formatFixed($0, digits: 3) } ?? "–")) and test accuracy "
            + "\(F.percent(accuracy.exercise)) (plain \(F.percent(accuracy.reference)), DNN \(F.percent(run.dnnAccuracyOnSimulated))); "
            + "the naive SNN ends at \(F.percent(naiveAccuracy.exercise)) (plain \(F.percent(naiveAccuracy.reference)))."
        return f
    },
])
