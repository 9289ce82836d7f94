// What chapter-classic writes: results.json metrics, figures, and the README results table.

import ChapterSupport
import RunRecords
import Training
import Figures
import Foundation
import SNNConversion
import SpikingNeurons
import Statistics

/// One conversion method's measurements. `accuracy[t − 1]`, `energyRatio…[t − 1]` are for T = t.
struct MethodResult: Codable, Equatable {
    var name: String
    var method: Method
    /// θˡ per neuron layer, in the ANN's activation units.
    var thresholds: [Double]
    var accuracy: [Double]
    /// fullTestAccuracy[t − 1]: on the `fullTestImages` (all test images by default), T = t ≤ fullTestTimesteps.
    var fullTestAccuracy: [Double]
    /// The first T from which accuracy stays ≥ ANN accuracy (same images) − 0.01 for every
    /// larger T ≤ T_max; null if the curve ends below that.
    @ExplicitNull var firstTimestepStayingWithinOnePoint: Int?
    /// Spikes per neuron per step of each neuron layer, over T_max.
    var firingRates: [Double]
    /// E_SNN(T) / E_ANN with 45 nm fp32 (MAC 4.6 pJ, AC 0.9 pJ) and int32 (3.2 / 0.1 pJ) constants.
    var energyRatioFloat32: [Double]
    var energyRatioInt32: [Double]
}

struct Metrics: Codable, Equatable {
    /// On the whole test set, with its binomial standard error √(p(1 − p)/n).
    var annAccuracy: Double
    var annAccuracyStandardError: Double
    /// On the simulated subset: the reference for "within 1 point".
    var annAccuracyOnSimulatedSubset: Double
    var annAccuracyOnSimulatedSubsetStandardError: Double
    /// On the images of the short simulation (`fullTestImages`; the whole test set by default).
    var annAccuracyOnFullTestSimulation: Double
    var fullTestImages: Int
    var fullTestTimesteps: Int
    var testImages: Int
    /// Images of the long T-sweep.
    var simulatedImages: Int
    var maxTimesteps: Int
    var neuronLayers: [String]
    var annMACsPerImage: Double
    var methods: [MethodResult]

    init(annAccuracy: Double, annAccuracyOnSimulatedSubset: Double, annAccuracyOnFullTestSimulation: Double,
         fullTestImages: Int, fullTestTimesteps: Int, testImages: Int, simulatedImages: Int,
         maxTimesteps: Int, neuronLayers: [String], annMACsPerImage: Double, methods: [MethodResult]) {
        self.annAccuracy = annAccuracy
        annAccuracyStandardError = binomialStandardError(accuracy: annAccuracy, images: testImages)
        self.annAccuracyOnSimulatedSubset = annAccuracyOnSimulatedSubset
        annAccuracyOnSimulatedSubsetStandardError = binomialStandardError(
            accuracy: annAccuracyOnSimulatedSubset, images: simulatedImages)
        self.annAccuracyOnFullTestSimulation = annAccuracyOnFullTestSimulation
        self.fullTestImages = fullTestImages
        self.fullTestTimesteps = fullTestTimesteps
        self.testImages = testImages
        self.simulatedImages = simulatedImages
        self.maxTimesteps = maxTimesteps
        self.neuronLayers = neuronLayers
        self.annMACsPerImage = annMACsPerImage
        self.methods = methods
    }
}

// MARK: - Claims: the papers' effects as paired differences on the simulated images

/// The papers' claims measured on this run (every method saw the same simulated images, so each
/// difference is paired image by image, `Difference.paired`):
///
/// 1. per percentile p (Rueckauer 2017): percentile thresholds reach the ANN in fewer steps
///    than max-norm. At T₁, the first T from which percentile p stays within 1 point of the
///    ANN, effect = acc(percentile p, T₁) − acc(max-norm, T₁): positive beyond 2 s.e. means
///    max-norm is still measurably short of where percentile already is. When percentile p
///    never stays within 1 point, effect = acc(percentile p, T_max) − (ANN − 1 point): the
///    claim then fails at its first step unless that gap is within noise.
/// 2. the same ordering at T = fullTestTimesteps on the whole test set: effect =
///    acc(percentile p, T) − acc(max-norm, T), both with reset by subtraction.
/// 3. reset by subtraction beats reset to zero (Rueckauer 2017 §2.2), for max-norm and for
///    every percentile run with both resets: effect = acc(rule, subtraction, T_max) −
///    acc(rule, zero, T_max).
///
/// Claims 1–2 need the max-norm method with reset by subtraction; run with `--reset zero`,
/// there is no subtraction arm and every claim is left out.
func classicClaims(_ m: Metrics, evaluations: [TimestepEvaluation], fullTest: [TimestepEvaluation],
                   ann: ImageOutcomes) -> [ClaimTest] {
    let T = m.maxTimesteps, n = m.simulatedImages
    func index(_ balancing: ThresholdBalancing, _ reset: ResetMode) -> Int? {
        m.methods.firstIndex { $0.method.balancing == balancing && $0.method.reset == reset }
    }
    var claims: [ClaimTest] = []
    if let maxNorm = index(.maxActivation, .subtraction) {
        for (i, method) in m.methods.enumerated() {
            guard case .percentile(let p) = method.method.balancing, method.method.reset == .subtraction else { continue }
            let effect: String, difference: Difference
            if let t = method.firstTimestepStayingWithinOnePoint {
                difference = .paired(evaluations[i].outcomes(at: t), evaluations[maxNorm].outcomes(at: t))
                effect = "accuracy at T = \(t), the first T from which percentile \(p) stays within 1 point of the "
                    + "ANN: percentile \(p) − max-norm (reset by subtraction, \(n) images)"
            } else {
                difference = Difference.paired(evaluations[i].outcomes(at: T), ann).shifted(by: 0.01)
                effect = "percentile \(p) never stays within 1 point of the ANN (T ≤ \(T)): its accuracy at "
                    + "T = \(T) − (ANN − 1 point)"
            }
            claims.append(ClaimTest(
                id: "percentile-\(p)-reaches-the-ann-before-max-norm",
                claim: "robust (percentile) thresholds bring the SNN within 1 point of the ANN in fewer "
                    + "time steps than max-norm thresholds",
                source: "Rueckauer et al. 2017, Sec. 2.4", effect: effect, difference: difference, seeds: 1))
        }
        // The same effect read at the end of the short simulation, on (by default) every test image.
        let t = m.fullTestTimesteps
        for (i, method) in m.methods.enumerated() {
            guard case .percentile(let p) = method.method.balancing, method.method.reset == .subtraction else { continue }
            claims.append(ClaimTest(
                id: "percentile-\(p)-beats-max-norm-at-T\(t)",
                claim: "at short T, robust (percentile) thresholds classify more test images correctly than "
                    + "max-norm thresholds",
                source: "Rueckauer et al. 2017, Sec. 2.4",
                effect: "accuracy at T = \(t): percentile \(p) − max-norm (reset by subtraction, \(m.fullTestImages) images)",
                difference: .paired(fullTest[i].outcomes(at: t), fullTest[maxNorm].outcomes(at: t)), seeds: 1))
        }
    }
    // Reset by subtraction against reset to zero, for every threshold rule run with both.
    for (i, method) in m.methods.enumerated() where method.method.reset == .subtraction {
        guard let zero = index(method.method.balancing, .zero) else { continue }
        let rule = method.method.balancing == .maxActivation ? "max-norm" : "\(method.method.balancing)"
        claims.append(ClaimTest(
            id: method.method.balancing == .maxActivation
                ? "subtraction-beats-reset-to-zero" : "subtraction-beats-reset-to-zero-with-\(rule.replacingOccurrences(of: " ", with: "-"))",
            claim: "reset by subtraction keeps the charge above the threshold, so it ends above "
                + "reset to zero, which stays below the ANN",
            source: "Rueckauer et al. 2017, Sec. 2.2",
            effect: "accuracy at T = \(T), \(rule) thresholds: reset by subtraction − reset to zero (\(n) images)",
            difference: .paired(evaluations[i].outcomes(at: T), evaluations[zero].outcomes(at: T)),
            seeds: 1))
    }
    return claims
}

func writeFigures(_ metrics: Metrics, statistics: [ActivationStatistics], to directory: URL) throws {
    let writer = FigureWriter(directory: directory)
    let T = metrics.maxTimesteps
    let steps = (1...T).map(Double.init)
    _ = try writer.write(LinePlot(
        title: "Accuracy vs time steps (cumulative membrane read-out)",
        x: Axis("time steps T", scale: .log2, range: 1...Double(T)),
        y: Axis("test accuracy (%)", range: 0...100),
        series: metrics.methods.map { Series(label: $0.name, x: steps, y: $0.accuracy.map { 100 * $0 }) },
        referenceLines: [ReferenceLine("ANN", at: 100 * metrics.annAccuracyOnSimulatedSubset)],
        style: .lines, key: .bottomRight), id: "fig-accuracy-vs-timesteps")

    for (k, layer) in statistics.enumerated() {
        let top = Double(layer.maxActivation)
        var markers = [ReferenceLine("max = \(formatFixed(top, digits: 2))", at: top)]
        for p in [99.99, 99.9] {
            markers.append(ReferenceLine("p\(p) = \(formatFixed(Double(layer.percentile(p)), digits: 2))",
                                         at: Double(layer.percentile(p))))
        }
        _ = try writer.write(Histogram(
            title: "Spiking layer \(k + 1): non-zero ANN activations on calibration images",
            x: Axis("activation", range: 0...top * 1.02), y: Axis("count", scale: .log),
            series: [HistogramSeries(label: "activations", values: layer.sortedSample, binCount: 80,
                                     range: 0...Swift.max(top, 1e-6))],
            markers: markers), id: "fig-activation-histogram-layer\(k + 1)")
    }

    _ = try writer.write(BarChart(
        title: "Firing rate per layer at T = \(T)",
        categories: metrics.neuronLayers.indices.map { "layer \($0 + 1)" },
        groups: metrics.methods.map { BarChart.Group(label: $0.name, values: $0.firingRates) },
        xLabel: "spiking layer",
        // From 0, up to a little above the highest rate: rates of a few percent stay readable.
        y: Axis("spikes per neuron per step",
                range: 0...Swift.max(1e-3, 1.3 * (metrics.methods.flatMap(\.firingRates).max() ?? 1))),
        key: .below), id: "fig-firing-rate")

    _ = try writer.write(LinePlot(
        title: "Compute energy SNN / ANN (45 nm fp32; spikes counted per step)",
        x: Axis("time steps T", scale: .log2, range: 1...Double(T)),
        y: Axis("SNN energy / ANN energy", scale: .log),
        series: metrics.methods.map { Series(label: $0.name, x: steps, y: $0.energyRatioFloat32) },
        referenceLines: [ReferenceLine("ANN", at: 1)], style: .lines, key: .topLeft),
        id: "fig-energy-ratio-vs-timesteps")
}

/// Replaces the text between the results markers of chapters/classic/README.md.
func updateReadme(with metrics: Metrics, claims: [ClaimTest], profile: Profile) throws {
    try replaceResultsBlock(in: chapterReadme(beside: #filePath),
                            with: readmeBlock(metrics, claims: claims, profile: profile))
}

/// The README's generated results block: the claims with their outcomes, then the table.
func readmeBlock(_ metrics: Metrics, claims: [ClaimTest], profile: Profile) -> String {
    let T = metrics.maxTimesteps, n = metrics.simulatedImages, shortT = metrics.fullTestTimesteps
    let nFull = metrics.fullTestImages
    let short = [1, 4, shortT].filter { $0 <= shortT }.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
    let long = [64, T].filter { $0 > shortT && $0 <= T }.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
    var lines = ["",
                 "Generated by `chapter-classic --profile \(profile.rawValue)` from `figures/classic/\(profile.rawValue)/results.json`."
                    + " Single seed. ANN accuracy \(percentWithError(metrics.annAccuracy, images: metrics.testImages)) % on the"
                    + " \(metrics.testImages) test images. Accuracies at T ≤ \(shortT) are on \(nFull) test images"
                    + " (ANN \(percentWithError(metrics.annAccuracyOnFullTestSimulation, images: nFull)) % on them); the long sweep"
                    + " to T = \(T) is on \(n) (ANN \(percentWithError(metrics.annAccuracyOnSimulatedSubset, images: n)) % on them,"
                    + " the reference of \"first T staying within 1 pt\"). Every accuracy is shown ± its binomial standard error.",
                 "",
                 "**Claims tested**", ""] + claimsMarkdown(claims) + [
                 "",
                 "| method | " + short.map { "T=\($0), \(nFull) img. (%)" }.joined(separator: " | ")
                    + (long.isEmpty ? "" : " | ") + long.map { "T=\($0), \(n) img. (%)" }.joined(separator: " | ")
                    + " | first T staying within 1 pt | E_SNN/E_ANN there (fp32 / int32) | mean firing rate |",
                 "|---|" + String(repeating: "---|", count: short.count + long.count + 3)]
    for m in metrics.methods {
        let first = m.firstTimestepStayingWithinOnePoint
        let shortCells = short.map { percentWithError(m.fullTestAccuracy[$0 - 1], images: nFull, digits: 1) }
        let longCells = long.map { percentWithError(m.accuracy[$0 - 1], images: n, digits: 1) }
        lines.append("| \(m.name) | " + (shortCells + longCells).joined(separator: " | ")
                     + " | \(first.map(String.init) ?? "never (≤ \(T))") | "
                     + (first.map { "\(formatFixed(m.energyRatioFloat32[$0 - 1], digits: 3)) / \(formatFixed(m.energyRatioInt32[$0 - 1], digits: 3))" } ?? "–")
                     + " | \(formatFixed(m.firingRates.reduce(0, +) / Double(Swift.max(m.firingRates.count, 1)), digits: 3)) |")
    }
    lines.append("")
    return lines.joined(separator: "\n")
}

// MARK: - Summary: the headline and figure captions in results.json (figure index, regenerate)

/// The run's headline against the papers' claim, and one caption per figure `writeFigures`
/// writes, in the same order (ChapterTests checks the ids against the files).
func runSummary(_ metrics: Metrics) -> RunSummary {
    let T = metrics.maxTimesteps
    let steps = metrics.methods.map { result in
        "\(result.method.balancing)" + (result.method.reset == .zero ? " (reset to zero)" : "")
            + ": " + (result.firstTimestepStayingWithinOnePoint.map { "T = \($0)" } ?? "never (≤ \(T))")
    }
    var figures = [FigureCaption(
        id: "fig-accuracy-vs-timesteps",
        caption: "SNN accuracy against T for each threshold rule and reset, ANN as the "
            + "reference: which curve reaches the ANN line first, and which never does?")]
    figures += metrics.neuronLayers.indices.map { k in
        FigureCaption(
            id: "fig-activation-histogram-layer\(k + 1)",
            caption: "Spiking layer \(k + 1): non-zero ANN activations on calibration images, "
                + "with the max and the 99.9/99.99th percentiles that set the thresholds.")
    }
    figures += [
        FigureCaption(id: "fig-firing-rate",
                      caption: "Firing rate of each spiking layer at T = \(T), per method."),
        FigureCaption(
            id: "fig-energy-ratio-vs-timesteps",
            caption: "Estimated compute energy SNN / ANN against T (45 nm fp32; each T counts the "
                + "spikes fired in its first T steps of the one simulation)."),
    ]
    return RunSummary(
        paper: "Diehl et al., IJCNN 2015; Rueckauer et al., Front. Neurosci. 2017",
        headline: Headline(
            label: "first T from which the SNN stays within 1 point of the ANN (reset by subtraction unless noted)",
            ours: steps.joined(separator: "; "),
            paperClaim: "percentile thresholds reach the ANN in fewer steps than max-norm; "
                + "reset to zero keeps an error (qualitative)"),
        figures: figures)
}
