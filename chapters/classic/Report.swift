// What chapter-classic writes: results.json metrics, figures, and the README results table.

import ChapterSupport
import Figures
import Foundation
import SNNConversion

/// The inputs of the cached `ann` stage.
struct ANNStage: Encodable { var data: Config.DataConfig; var ann: Config.ANNConfig }
/// The inputs of the cached `snn` stage (it also depends on the `ann` stage's key).
struct SNNStage: Encodable {
    var data: Config.DataConfig
    var conversion: Config.ConversionConfig
    var evaluation: Config.EvaluationConfig
}

/// One conversion method's measurements. `accuracy[t − 1]`, `energyRatio…[t − 1]` are for T = t.
struct MethodResult: Codable, Equatable {
    var name: String
    var method: Method
    /// θˡ per neuron layer, in the ANN's activation units.
    var thresholds: [Double]
    var accuracy: [Double]
    /// Smallest T with accuracy ≥ ANN accuracy (same images) − 0.01; null if never.
    var firstTimestepWithinOnePoint: Int?
    /// Spikes per neuron per step of each neuron layer, over T_max.
    var firingRates: [Double]
    /// E_SNN(T) / E_ANN with 45 nm fp32 (MAC 4.6 pJ, AC 0.9 pJ) and int32 (3.2 / 0.1 pJ) constants.
    var energyRatioFloat32: [Double]
    var energyRatioInt32: [Double]

    enum CodingKeys: String, CodingKey {
        case name, method, thresholds, accuracy, firstTimestepWithinOnePoint, firingRates
        case energyRatioFloat32, energyRatioInt32
    }
    // Written by hand so that "never" is an explicit null rather than a missing key.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(method, forKey: .method)
        try c.encode(thresholds, forKey: .thresholds)
        try c.encode(accuracy, forKey: .accuracy)
        try c.encode(firstTimestepWithinOnePoint, forKey: .firstTimestepWithinOnePoint)
        try c.encode(firingRates, forKey: .firingRates)
        try c.encode(energyRatioFloat32, forKey: .energyRatioFloat32)
        try c.encode(energyRatioInt32, forKey: .energyRatioInt32)
    }
}

struct Metrics: Codable, Equatable {
    /// On the whole test set.
    var annAccuracy: Double
    /// On the simulated subset: the reference for "within 1 point".
    var annAccuracyOnSimulatedSubset: Double
    var simulatedImages: Int
    var maxTimesteps: Int
    var neuronLayers: [String]
    var annMACsPerImage: Double
    var methods: [MethodResult]
}

func fmt(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

/// Rewrites the current terminal line (training and simulation progress).
func progressLine(_ text: String) {
    fflush(nil)  // keep print() lines and progress lines in order when stdout is a file
    FileHandle.standardOutput.write(Data(("\r" + text + "\u{1B}[K").utf8))
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
        var markers = [ReferenceLine("max = \(fmt(top, 2))", at: top)]
        for p in [99.99, 99.9] {
            markers.append(ReferenceLine("p\(p) = \(fmt(Double(layer.percentile(p)), 2))",
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
        xLabel: "spiking layer", y: Axis("spikes per neuron per step", range: 0...1),
        key: .topRight), id: "fig-firing-rate")

    _ = try writer.write(LinePlot(
        title: "Compute energy SNN / ANN (45 nm fp32; constant-rate assumption)",
        x: Axis("time steps T", scale: .log2, range: 1...Double(T)),
        y: Axis("SNN energy / ANN energy", scale: .log),
        series: metrics.methods.map { Series(label: $0.name, x: steps, y: $0.energyRatioFloat32) },
        referenceLines: [ReferenceLine("ANN", at: 1)], style: .lines, key: .topLeft),
        id: "fig-energy-ratio-vs-timesteps")
}

/// Replaces the text between the results markers of chapters/classic/README.md.
func updateReadme(with metrics: Metrics, profile: Profile, seconds: Double, stages: [StageTiming]) throws {
    let T = metrics.maxTimesteps
    let columns = [1, 8, 32, 128, T].filter { $0 <= T }.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
    var lines = ["",
                 "Generated by `chapter-classic --profile \(profile.rawValue)` from `figures/classic/\(profile.rawValue)/results.json`"
                    + " (wall time \(fmt(seconds / 60, 1)) min; "
                    + describeStages(stages)
                    + "). ANN accuracy \(fmt(100 * metrics.annAccuracy, 2)) % on the"
                    + " full test set, \(fmt(100 * metrics.annAccuracyOnSimulatedSubset, 2)) % on the \(metrics.simulatedImages)"
                    + " simulated images (the reference below).",
                 "",
                 "| method | " + columns.map { "acc. T=\($0)" }.joined(separator: " | ")
                    + " | first T within 1 pt | E_SNN/E_ANN there (fp32 / int32) | mean firing rate |",
                 "|---|" + String(repeating: "---|", count: columns.count + 3)]
    for m in metrics.methods {
        let first = m.firstTimestepWithinOnePoint
        lines.append("| \(m.name) | " + columns.map { fmt(100 * m.accuracy[$0 - 1], 2) }.joined(separator: " | ")
                     + " | \(first.map(String.init) ?? "never (≤ \(T))") | "
                     + (first.map { "\(fmt(m.energyRatioFloat32[$0 - 1], 3)) / \(fmt(m.energyRatioInt32[$0 - 1], 3))" } ?? "–")
                     + " | \(fmt(m.firingRates.reduce(0, +) / Double(Swift.max(m.firingRates.count, 1)), 3)) |")
    }
    lines.append("")
    try replaceResultsBlock(in: chapterReadme(beside: #filePath), with: lines.joined(separator: "\n"))
}

// MARK: - Summary: the headline and figure captions in results.json (figure index, regenerate)

/// The run's headline against the papers' claim, and one caption per figure `writeFigures`
/// writes, in the same order (ChapterTests checks the ids against the files).
func runSummary(_ metrics: Metrics) -> RunSummary {
    let T = metrics.maxTimesteps
    let steps = metrics.methods.map { result in
        "\(result.method.balancing)" + (result.method.reset == .zero ? " (reset to zero)" : "")
            + ": " + (result.firstTimestepWithinOnePoint.map { "T = \($0)" } ?? "never (≤ \(T))")
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
            caption: "Estimated compute energy SNN / ANN against T (45 nm fp32, firing rates "
                + "assumed constant in time)."),
    ]
    return RunSummary(
        paper: "Diehl et al., IJCNN 2015; Rueckauer et al., Front. Neurosci. 2017",
        headline: Headline(
            label: "first T within 1 point of the ANN (reset by subtraction unless noted)",
            ours: steps.joined(separator: "; "),
            paperClaim: "percentile thresholds reach the ANN in fewer steps than max-norm; "
                + "reset to zero keeps an error (qualitative)"),
        figures: figures)
}
