// Helpers of chapter-rnl: ANN training, stage inputs, results.json metrics, figures, README.

import ChapterSupport
import RunRecords
import Training
import RNLMethod
import Datasets
import EnergyEstimation
import Figures
import Foundation
import SNNConversion
import Statistics
import TensorCore
import NeuralNetworks

/// The four conversions compared on the same backbone and data.
enum ConversionMethod: String, Codable, CaseIterable, Sendable {
    case maxNorm, percentile, rnl, rnlRIL

    func title(_ config: Config) -> String {
        switch self {
        case .maxNorm: "ReLU + max-norm"
        case .percentile: "ReLU + percentile \(config.baselines.percentile)"
        case .rnl: "RNL (p ≈ 1)"
        case .rnlRIL: "RNL + RIL"
        }
    }
}

struct ANNStage: Encodable { var data: Config.DataConfig; var ann: Config.ANNConfig; var activation: String }
struct RILStage: Encodable { var ril: Config.RILConfig; var validation: Int }
struct SNNStage: Encodable {
    var data: Config.DataConfig
    var baselines: Config.BaselineConfig
    var evaluation: Config.EvaluationConfig
}

/// Trains (or loads) the VGG of `config.ann` with `activation` after every normalised layer
/// (`RNLMethod.trainClassifier`: cross-entropy, NaN guard on every step, read-out initialised
/// as `config.ann.readout` says).
func trainedANN(
    _ stage: String, config: Config, train: LabeledImages, normalization: Normalization,
    cache: StageCache, seed: UInt64, activation: @escaping (Int, Int) -> any Layer
) throws -> (Sequential, StageKey) {
    func make(_ rng: inout SeededGenerator) -> Sequential {
        VGG.make(config.ann.features, inputChannels: train.imageShape[0], inputSize: train.imageShape[1],
                 classes: train.classCount, classifier: config.ann.classifier, batchNorm: true,
                 bias: false, pool: .average, activation: activation, using: &rng)
    }
    let (network, key, _) = try cache.networkStage(
        stage, version: 2, config: ANNStage(data: config.data, ann: config.ann, activation: stage),
        architecture: make
    ) { progress -> Sequential in
        // The stage's own stream: its draws, and every draw after it, are the same whether
        // this stage or an earlier one was computed or loaded from the cache.
        var rng = SeededGenerator(seed: seed, stream: stage)
        var initRNG = rng.split()
        let network = make(&initRNG)
        let ann = config.ann
        try trainClassifier(network, label: stage, readout: ann.readout,
                            epochs: ann.epochs, batchSize: ann.batchSize,
                            optimizer: ann.optimizer, learningRate: ann.learningRate,
                            schedule: ann.schedule, weightDecay: ann.weightDecay,
                            train: train, normalization: normalization, rng: &rng,
                            checkpoints: progress.checkpoints)
        return network
    }
    return (network, key)
}

/// One conversion's measurements. `accuracy[t − 1]` is for T = t.
struct MethodResult: Codable, Equatable {
    var method: ConversionMethod
    var name: String
    /// θˡ per neuron layer (ReLU units for the baselines, RNL input units for RNL).
    var thresholds: [Double]
    /// The method's own ANN on the simulated images: the "within 1 point" reference.
    var annAccuracyOnSimulatedSubset: Double
    var accuracy: [Double]
    /// fullTestAccuracy[t − 1]: on the `fullTestImages` (all test images by default), T = t ≤ fullTestTimesteps.
    var fullTestAccuracy: [Double]
    /// The first T from which accuracy stays ≥ own ANN − 0.01 for every larger T ≤ T_max;
    /// null if the curve ends below.
    @ExplicitNull var firstTimestepStayingWithinOnePoint: Int?
    /// The first T from which accuracy stays ≥ the common target (lowest ANN − 0.01); null if
    /// the curve ends below.
    @ExplicitNull var firstTimestepStayingAtMatchedAccuracy: Int?
    /// Spikes per neuron per step of each neuron layer over T_max.
    var firingRates: [Double]
    /// E_SNN/E_ANN (45 nm fp32) at those two T; null if never reached.
    @ExplicitNull var energyRatioWithinOnePoint: Double?
    @ExplicitNull var energyRatioAtMatchedAccuracy: Double?
}

struct Metrics: Codable, Equatable {
    /// Full test set, each with its binomial standard error √(p(1 − p)/n) on `testImages`.
    var reluANNAccuracy: Double
    var rnlANNAccuracy: Double
    var rilANNAccuracy: Double
    var reluANNAccuracyStandardError: Double
    var rnlANNAccuracyStandardError: Double
    var rilANNAccuracyStandardError: Double
    var testImages: Int
    var simulatedImages: Int
    var maxTimesteps: Int
    /// The short simulation: every T ≤ `fullTestTimesteps` on `fullTestImages`.
    var fullTestImages: Int
    var fullTestTimesteps: Int
    /// Lowest of the four ANN accuracies on the simulated images − 0.01.
    var matchedAccuracyTarget: Double
    var annMACsPerImage: Double
    /// Order: max-norm, percentile, RNL, RNL + RIL.
    var methods: [MethodResult]
    /// T_1%(max-norm) / T_1%(RNL + RIL); null when either never gets within 1 point.
    var speedupOfRILOverMaxNorm: Double?
    var speedupOfRNLOverMaxNorm: Double?
    /// How long the RNL ANN trained: the schedules tried on the held-out images and the one kept.
    var rnlSchedule: ScheduleSelection
    /// RNL (p ≈ 1) accuracy on the validation split: the tolerance rule's reference.
    var rilReferenceValidationAccuracy: Double
    var rilTrajectory: [RILCheckpoint]
    var rilSelectedScale: Double
    /// Fit curves of one test batch: [RNL, RNL + RIL].
    var fitCurves: [FitCurves]
    /// max over t of ε¹(t)·t/Ω¹ for the first hidden layer of RNL (≤ 1: the bound held).
    var firstLayerBoundWorstRatio: Double
    /// First hidden layer of RNL: (activation, rate) pairs at a few T.
    var scatterSnapshots: [RateSnapshot]

    init(reluANNAccuracy: Double, rnlANNAccuracy: Double, rilANNAccuracy: Double, testImages: Int,
         simulatedImages: Int, maxTimesteps: Int, fullTestImages: Int, fullTestTimesteps: Int,
         matchedAccuracyTarget: Double, annMACsPerImage: Double,
         methods: [MethodResult], speedupOfRILOverMaxNorm: Double?, speedupOfRNLOverMaxNorm: Double?,
         rnlSchedule: ScheduleSelection, rilReferenceValidationAccuracy: Double, rilTrajectory: [RILCheckpoint], rilSelectedScale: Double,
         fitCurves: [FitCurves], firstLayerBoundWorstRatio: Double, scatterSnapshots: [RateSnapshot]) {
        func se(_ p: Double) -> Double { binomialStandardError(accuracy: p, images: testImages) }
        self.reluANNAccuracy = reluANNAccuracy
        self.rnlANNAccuracy = rnlANNAccuracy
        self.rilANNAccuracy = rilANNAccuracy
        reluANNAccuracyStandardError = se(reluANNAccuracy)
        rnlANNAccuracyStandardError = se(rnlANNAccuracy)
        rilANNAccuracyStandardError = se(rilANNAccuracy)
        self.testImages = testImages
        self.simulatedImages = simulatedImages
        self.maxTimesteps = maxTimesteps
        self.fullTestImages = fullTestImages
        self.fullTestTimesteps = fullTestTimesteps
        self.matchedAccuracyTarget = matchedAccuracyTarget
        self.annMACsPerImage = annMACsPerImage
        self.methods = methods
        self.speedupOfRILOverMaxNorm = speedupOfRILOverMaxNorm
        self.speedupOfRNLOverMaxNorm = speedupOfRNLOverMaxNorm
        self.rnlSchedule = rnlSchedule
        self.rilReferenceValidationAccuracy = rilReferenceValidationAccuracy
        self.rilTrajectory = rilTrajectory
        self.rilSelectedScale = rilSelectedScale
        self.fitCurves = fitCurves
        self.firstLayerBoundWorstRatio = firstLayerBoundWorstRatio
        self.scatterSnapshots = scatterSnapshots
    }
}

// MARK: - Claims: the paper's speed-up as paired differences on the simulated images

/// The paper's claim (RNL + RIL reaches its ANN in fewer steps than max-norm conversion of a
/// ReLU network), measured twice on the same simulated images (methods in `ConversionMethod`
/// order: max-norm, percentile, RNL, RNL + RIL):
///
/// 1. against each method's own ANN, as the paper states it: at T₁, the first T from which
///    RNL + RIL stays within 1 point of its ANN, per image
///    dᵢ = (ReLU ANNᵢ − max-normᵢ(T₁)) − (RIL ANNᵢ − RILᵢ(T₁)):
///    how much further max-norm still is from its ANN than RNL + RIL from its own;
/// 2. at matched accuracy (the fair reading when the RNL ANN is weaker): at the first T from
///    which RNL + RIL stays at or above the common target (lowest ANN − 1 point),
///    d = acc(RIL) − acc(max-norm).
///
/// When RNL + RIL never stays there (T ≤ T_max), the effect is its accuracy at T_max minus the
/// target: the claim fails at its first step unless that is within noise.
func rnlClaims(_ m: Metrics, evaluations: [TimestepEvaluation], anns: [ImageOutcomes]) -> [ClaimTest] {
    guard let maxNorm = m.methods.firstIndex(where: { $0.method == .maxNorm }),
          let ril = m.methods.firstIndex(where: { $0.method == .rnlRIL }) else { return [] }
    let T = m.maxTimesteps, n = m.simulatedImages
    func right(_ o: ImageOutcomes) -> [Double] { o.correct.map { $0 ? 1 : 0 } }
    let claim = "replacing ReLU by the rate norm layer and tuning its threshold scale with the rate "
        + "inference loss lets the SNN reach its ANN (within 1 point) in fewer steps than max-norm "
        + "conversion of a ReLU network"
    let source = "Ding et al. 2021, Sec. 5 (8.6× fewer steps on CIFAR-10)"
    var claims: [ClaimTest] = []
    // 1. Each against its own ANN.
    let own: Difference, ownEffect: String
    if let t = m.methods[ril].firstTimestepStayingWithinOnePoint {
        let reluGap = zip(right(anns[maxNorm]), right(evaluations[maxNorm].outcomes(at: t))).map { $0 - $1 }
        let rilGap = zip(right(anns[ril]), right(evaluations[ril].outcomes(at: t))).map { $0 - $1 }
        own = .paired(perImage: zip(reluGap, rilGap).map { $0 - $1 })
        ownEffect = "at T = \(t), the first T from which RNL + RIL stays within 1 point of its ANN: "
            + "(ReLU ANN − max-norm) − (RIL ANN − RNL + RIL), accuracy gaps on \(n) images"
    } else {
        own = Difference.paired(evaluations[ril].outcomes(at: T), anns[ril]).shifted(by: 0.01)
        ownEffect = "RNL + RIL never stays within 1 point of its ANN (T ≤ \(T)): its accuracy at T = \(T) − "
            + "(its ANN − 1 point)"
    }
    claims.append(ClaimTest(id: "rnl-ril-reaches-its-ann-before-max-norm", claim: claim, source: source,
                            effect: ownEffect, difference: own, seeds: 1))
    // 2. At matched accuracy, against max-norm and against percentile; 3. RIL's own share:
    // RNL + RIL against RNL with p ≈ 1 (the same ANN, without the threshold tuning).
    let target = String(format: "%.2f", 100 * m.matchedAccuracyTarget)
    /// RNL + RIL − `other` at the first T from which RNL + RIL stays at or above the target.
    func atMatchedAccuracy(against other: Int, named name: String) -> (Difference, String) {
        guard let t = m.methods[ril].firstTimestepStayingAtMatchedAccuracy else {
            return (.paired(perImage: right(evaluations[ril].outcomes(at: T)).map { $0 - m.matchedAccuracyTarget }),
                    "RNL + RIL never stays at or above \(target) % (T ≤ \(T)): its accuracy at T = \(T) − \(target) %")
        }
        return (.paired(evaluations[ril].outcomes(at: t), evaluations[other].outcomes(at: t)),
                "at T = \(t), the first T from which RNL + RIL stays at or above \(target) % (the "
                    + "lowest ANN − 1 point): accuracy RNL + RIL − \(name) (\(n) images)")
    }
    let (matched, matchedEffect) = atMatchedAccuracy(against: maxNorm, named: "max-norm")
    claims.append(ClaimTest(
        id: "rnl-ril-reaches-matched-accuracy-before-max-norm",
        claim: claim + ", read at matched accuracy (the project's reading: the RNL ANN is weaker here)",
        source: source, effect: matchedEffect, difference: matched, seeds: 1))
    if let percentile = m.methods.firstIndex(where: { $0.method == .percentile }) {
        let (difference, effect) = atMatchedAccuracy(against: percentile, named: "percentile")
        claims.append(ClaimTest(
            id: "rnl-ril-reaches-matched-accuracy-before-percentile",
            claim: "RNL + RIL reaches a given accuracy in fewer steps than conversion with percentile "
                + "thresholds (robust normalisation), read at matched accuracy",
            source: "Ding et al. 2021, Sec. 5 (compared with Rueckauer et al. 2017's robust normalisation)",
            effect: effect, difference: difference, seeds: 1))
    }
    if let rnl = m.methods.firstIndex(where: { $0.method == .rnl }) {
        let (difference, effect) = atMatchedAccuracy(against: rnl, named: "RNL (p ≈ 1, no RIL)")
        claims.append(ClaimTest(
            id: "ril-speeds-up-the-rnl-snn",
            claim: "tuning the threshold scale with the rate inference loss shortens the RNL SNN's time to "
                + "accuracy (the same RNL ANN with and without RIL)",
            source: "Ding et al. 2021, Sec. 5 (RNL alone against RNL + RIL)",
            effect: effect, difference: difference, seeds: 1))
    }
    return claims
}

func speedup(_ slow: Int?, _ fast: Int?) -> Double? {
    guard let slow, let fast else { return nil }
    return Double(slow) / Double(fast)
}

/// max_t ε¹(t)·t/Ω¹ (first neuron layer).
func boundCheck(_ curves: FitCurves) -> (worstRatio: Double, holds: Bool) {
    let worst = curves.errors[0].enumerated().map { $1 * Double($0 + 1) / curves.omegas[0] }.max() ?? 0
    return (worst, worst <= 1 + 1e-6)
}

/// - Parameter rilTolerance: the RIL selection rule's accuracy tolerance (config), drawn as
///   the lowest validation accuracy the rule accepts.
func writeFigures(_ metrics: Metrics, rilTolerance: Double, to directory: URL) throws {
    let writer = FigureWriter(directory: directory)
    let T = metrics.maxTimesteps
    let steps = (1...T).map(Double.init)
    let rnl = metrics.methods[2], relu = metrics.methods[0]
    _ = try writer.write(LinePlot(
        title: "Accuracy vs time steps (one simulation per method)",
        x: Axis("time steps T", scale: .log2, range: 1...Double(T)),
        y: Axis("test accuracy (%)", range: 0...100),
        series: metrics.methods.map { Series(label: $0.name + " (T₁ = " + ($0.firstTimestepStayingWithinOnePoint.map(String.init) ?? "never") + ")",
                                             x: steps, y: $0.accuracy.map { 100 * $0 }) },
        referenceLines: [ReferenceLine("ReLU ANN", at: 100 * relu.annAccuracyOnSimulatedSubset),
                         ReferenceLine("RNL ANN", at: 100 * rnl.annAccuracyOnSimulatedSubset)],
        style: .lines, key: .bottomRight), id: "fig-accuracy-vs-timesteps")

    for (k, suffix) in ["rnl", "rnl-ril"].enumerated() where k < metrics.fitCurves.count {
        let curves = metrics.fitCurves[k]
        let positive = { (values: [Double]) in values.map { Swift.max($0, 1e-6) } }
        var series = curves.errors.enumerated().map { l, e in
            Series(label: "layer \(l + 1) (Ω = \(formatFixed(curves.omegas[l], digits: 2)))", x: steps, y: positive(e))
        }
        series.append(Series(label: "output", x: steps, y: positive(curves.outputErrors)))
        series.append(Series(label: "bound Ω¹/t (layer 1)", x: steps,
                             y: steps.map { fitBound(omega: curves.omegas[0], timesteps: Int($0)) }))
        _ = try writer.write(LinePlot(
            title: "Fit curves ε(t) = |r(t) − a|² / |a|², \(metrics.methods[2 + k].name)",
            x: Axis("time steps t", scale: .log2, range: 1...Double(T)),
            y: Axis("ε(t)", scale: .log, range: 1e-5...3),
            series: series, style: .lines, key: .bottomLeft), id: "fig-fit-curves-\(suffix)")
    }

    _ = try writer.write(ScatterPlot(
        title: "First hidden layer, RNL: SNN rate vs ANN activation",
        x: Axis("ANN activation a (RNL output)", range: 0...1), y: Axis("SNN firing rate r(T)", range: 0...1),
        series: metrics.scatterSnapshots.map { Series(label: "T = \($0.timesteps)", x: $0.activations, y: $0.rates) },
        diagonalLabel: "r = a", pointScale: 0.4), id: "fig-rate-vs-activation")

    let reached = metrics.methods.filter { $0.energyRatioAtMatchedAccuracy != nil }
    if !reached.isEmpty {
        _ = try writer.write(BarChart(
            title: "Energy from the first T staying ≥ \(formatFixed(100 * metrics.matchedAccuracyTarget, digits: 1)) % (45 nm fp32)",
            categories: reached.map { "\($0.name) (T = \($0.firstTimestepStayingAtMatchedAccuracy!))" },
            groups: [BarChart.Group(label: "SNN energy / ANN energy", values: reached.map { $0.energyRatioAtMatchedAccuracy! })],
            xLabel: "method (the T from which it stays at the target)", y: Axis("SNN energy / ANN energy"),
            referenceLines: [ReferenceLine("ANN (= 1)", at: 1)], key: .below,
            size: FigureSize(width: 900, height: 600)),
            id: "fig-energy-at-matched-accuracy")
    }

    // The selection rule: keep s while accuracy ≥ reference − tolerance and Ω̄ is the lowest
    // so far; the kept point and the tolerance line show why the trajectory stops where it does.
    let reference = 100 * metrics.rilReferenceValidationAccuracy
    let kept = metrics.rilTrajectory.last(where: \.selected)
    _ = try writer.write(LinePlot(
        title: "RIL: shared threshold scale p = σ(s), Ω̄ vs validation accuracy",
        x: Axis("mean Ω over RNL layers (validation); training lowers it, right to left"),
        y: Axis("validation accuracy (%)"),
        series: [Series(label: "trajectory (iteration 0 at Ω̄ = "
                            + "\(formatFixed(metrics.rilTrajectory.first?.omegaBar ?? 0, digits: 2)))",
                        x: metrics.rilTrajectory.map(\.omegaBar),
                        y: metrics.rilTrajectory.map { 100 * $0.validationAccuracy }),
                 Series(label: "kept by the rule (lowest Ω̄ within tolerance)",
                        x: kept.map { [$0.omegaBar] } ?? [], y: kept.map { [100 * $0.validationAccuracy] } ?? [])],
        referenceLines: [ReferenceLine("RNL reference \(formatFixed(reference, digits: 1)) %", at: reference),
                         ReferenceLine("tolerance: reference − \(formatFixed(100 * rilTolerance, digits: 1)) points",
                                       at: reference - 100 * rilTolerance)],
        style: .linesAndPoints, key: .below, size: FigureSize(width: 900, height: 620)), id: "fig-ril-trajectory")
}

/// Replaces the text between the results markers of chapters/rnl/README.md.
func updateReadme(with metrics: Metrics, claims: [ClaimTest], profile: Profile) throws {
    try replaceResultsBlock(in: chapterReadme(beside: #filePath),
                            with: readmeBlock(metrics, claims: claims, profile: profile))
}

/// The README's generated results block: the claims with their outcomes, then the table.
func readmeBlock(_ metrics: Metrics, claims: [ClaimTest], profile: Profile) -> String {
    let T = metrics.maxTimesteps, n = metrics.simulatedImages, full = metrics.testImages
    let columns = [1, 8, 16, 32, 64, T].filter { $0 <= T }.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
    let last = metrics.rilTrajectory.last(where: \.selected)
    var lines = ["",
                 "Generated by `chapter-rnl --profile \(profile.rawValue)` from `figures/rnl/\(profile.rawValue)/results.json`."
                    + " Full test set (\(full) images): ReLU ANN \(percentWithError(metrics.reluANNAccuracy, images: full)) %, RNL ANN "
                    + "\(percentWithError(metrics.rnlANNAccuracy, images: full)) %, RNL + RIL ANN "
                    + "\(percentWithError(metrics.rilANNAccuracy, images: full)) % (± binomial s.e.)."
                    + " RIL kept p = \(formatFixed(last?.p ?? 1, digits: 3)) (Ω̄ \(formatFixed(metrics.rilTrajectory.first?.omegaBar ?? 0, digits: 2)) at the start → "
                    + "\(formatFixed(last?.omegaBar ?? 0, digits: 2))). \(n) test images simulated.",
                 "", scheduleSentence(metrics.rnlSchedule),
                 "",
                 "**Claims tested**", ""] + claimsMarkdown(claims) + [
                 "",
                 "| method | ANN (same images, %) | " + columns.map { "T=\($0) (%)" }.joined(separator: " | ")
                    + " | T staying within 1 pt of own ANN | T staying ≥ \(formatFixed(100 * metrics.matchedAccuracyTarget, digits: 1)) % | E_SNN/E_ANN there |",
                 "|---|---|" + String(repeating: "---|", count: columns.count + 3)]
    for m in metrics.methods {
        lines.append("| \(m.name) | \(percentWithError(m.annAccuracyOnSimulatedSubset, images: n, digits: 1)) | "
                     + columns.map { percentWithError(m.accuracy[$0 - 1], images: n, digits: 1) }.joined(separator: " | ")
                     + " | \(m.firstTimestepStayingWithinOnePoint.map(String.init) ?? "never (≤ \(T))")"
                     + " | \(m.firstTimestepStayingAtMatchedAccuracy.map(String.init) ?? "never")"
                     + " | \(m.energyRatioAtMatchedAccuracy.map { formatFixed($0, digits: 3) } ?? "–") |")
    }
    let shortT = metrics.fullTestTimesteps, fullN = metrics.fullTestImages
    let shortColumns = [1, 2, 4, 8, 16, shortT].filter { $0 <= shortT }.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
    lines += ["", "The same SNNs at T ≤ \(shortT) on \(fullN) test images (a second, shorter simulation):", "",
              "| method | " + shortColumns.map { "T=\($0) (%)" }.joined(separator: " | ") + " |",
              "|---|" + String(repeating: "---|", count: shortColumns.count)]
    for m in metrics.methods {
        lines.append("| \(m.name) | "
                     + shortColumns.map { percentWithError(m.fullTestAccuracy[$0 - 1], images: fullN, digits: 1) }.joined(separator: " | ") + " |")
    }
    lines.append("")
    lines.append("Ratio of the steps to stay within 1 point of the own ANN, max-norm / RNL + RIL: "
                 + (metrics.speedupOfRILOverMaxNorm.map { formatFixed($0, digits: 2) + "×" } ?? "undefined (a method never stays there)")
                 + "; max-norm / RNL: " + (metrics.speedupOfRNLOverMaxNorm.map { formatFixed($0, digits: 2) + "×" } ?? "undefined")
                 + ". First-layer bound: max ε¹(t)·t/Ω¹ = \(formatFixed(metrics.firstLayerBoundWorstRatio, digits: 3)) (≤ 1 means it held).")
    lines.append("")
    return lines.joined(separator: "\n")
}

/// What the RNL ANN's schedule search tried on the held-out images, and what it kept.
func scheduleSentence(_ s: ScheduleSelection) -> String {
    let tried = s.trials.map { "\($0.epochs) epochs \(formatFixed(100 * $0.heldOutAccuracy, digits: 2)) %" }
        .joined(separator: ", ")
    let points = formatFixed(100 * s.tolerance, digits: 0)
    return "RNL ANN training length, chosen on \(s.heldOutImages) held-out training images (ReLU ANN "
        + "\(formatFixed(100 * s.referenceAccuracy, digits: 2)) % there): tried \(tried); kept "
        + "\(s.choice.epochs) epochs, " + (s.reachedTarget
            ? "the first within \(points) point of the ReLU ANN."
            : "the most accurate (none came within \(points) point of the ReLU ANN).")
}

// MARK: - Summary: the headline and figure captions in results.json (figure index, regenerate)

/// The run's headline against the paper's claim, and one caption per figure `writeFigures`
/// writes, in the same order (ChapterTests checks the ids against the files).
func runSummary(_ metrics: Metrics) -> RunSummary {
    let T = metrics.maxTimesteps
    func steps(_ method: MethodResult) -> String {
        method.firstTimestepStayingWithinOnePoint.map { "T = \($0)" } ?? "never (T ≤ \(T))"
    }
    let maxNorm = metrics.methods[0], ril = metrics.methods[3]
    let speedup = metrics.speedupOfRILOverMaxNorm.map { ", \(formatFixed($0, digits: 2))× fewer steps" } ?? ""
    var figures = [FigureCaption(
        id: "fig-accuracy-vs-timesteps",
        caption: "Accuracy against T for max-norm, percentile, RNL and RNL + RIL (one "
            + "simulation each), with the ReLU and RNL ANNs as references.")]
    for (k, suffix) in ["rnl", "rnl-ril"].enumerated() where k < metrics.fitCurves.count {
        figures.append(FigureCaption(
            id: "fig-fit-curves-\(suffix)",
            caption: "Fit curves ε(t) of every layer for \(metrics.methods[2 + k].name), with "
                + "the first layer's bound Ω¹/t."))
    }
    figures.append(FigureCaption(
        id: "fig-rate-vs-activation",
        caption: "First hidden layer of RNL: SNN firing rate against ANN activation at a few "
            + "T; the points approach r = a as T grows."))
    if metrics.methods.contains(where: { $0.energyRatioAtMatchedAccuracy != nil }) {
        figures.append(FigureCaption(
            id: "fig-energy-at-matched-accuracy",
            caption: "SNN / ANN compute energy at the first T from which the method stays at the common "
                + "accuracy target, per method (45 nm fp32)."))
    }
    figures.append(FigureCaption(
        id: "fig-ril-trajectory",
        caption: "RIL: mean fit coefficient Ω̄ against validation accuracy while the shared "
            + "threshold scale is tuned, with the tolerance line of the selection rule and the "
            + "point it keeps."))
    return RunSummary(
        paper: "Ding et al., IJCAI 2021 (arXiv:2105.11654)",
        headline: Headline(
            label: "first T from which the SNN stays within 1 point of its ANN, max-norm vs RNL + RIL",
            ours: "\(steps(maxNorm)) vs \(steps(ril))\(speedup)",
            paperClaim: "8.6× faster than the typical method, at 0.265× its energy"),
        figures: figures)
}
