// What chapter-compare writes: the per-method results, the Pareto front, the claim check,
// results.json metrics, the two figures and the README table.

import ChapterSupport
import RunRecords
import Training
import Datasets
import EnergyEstimation
import Figures
import Foundation

/// The inputs of the cached `ann` and `rnl-ann` stages (the stage name tells them apart).
/// Only what the training sees: the test subset may change without retraining.
struct ANNStage: Encodable {
    var dataset: DatasetID
    var trainLimit: Int?
    var backbone: Config.BackboneConfig
    var ann: Config.ANNConfig
    /// nil for the BN ANNs (then absent from the key JSON); DIET's ANN: its dropout.
    var dropout: Float?
}

/// One (method, T) measurement on the shared test subset.
struct Point: Codable, Equatable {
    var timesteps: Int
    var accuracy: Double
    /// Hidden-layer spikes per neuron per image over the T steps (Σ spikes / Σ neurons).
    var spikesPerNeuron: Double
    /// E_SNN / E_ANN (compute only, 45 nm; the ANN is the shared BN-folded ReLU ANN).
    var energyRatioFloat32: Double
    var energyRatioInt32: Double
}

/// One method's results. `points` are at the T the method allows.
struct MethodResult: Codable, Equatable {
    var key: String
    var name: String
    /// Which chapter's method library implements it.
    var chapter: String
    /// true: one simulation of T_max, every T read from the cumulative output (conversion);
    /// false: an SNN built or trained for each listed T (fixed-T methods).
    var cumulativeReadout: Bool
    var points: [Point]
    /// The training the method adds to the shared ReLU ANN, as epochs × images × time steps
    /// (`trainingImageSteps(epochs:images:timesteps:)`; its own ANN included for RNL and
    /// hybrid): a cost that is the same on every machine. Wall times are in run-log.json.
    var trainingImageSteps: Int

    /// Best accuracy among the points with T ≤ `budget` (nil if there is none).
    func bestAccuracy(atMost budget: Int) -> Double? {
        points.filter { $0.timesteps <= budget }.map(\.accuracy).max()
    }
}

/// A point of the accuracy–energy Pareto front (no other point has lower or equal energy and
/// higher accuracy).
struct FrontPoint: Codable, Equatable {
    var method: String
    var timesteps: Int
    var energyRatioFloat32: Double
    var accuracy: Double
}

/// The non-dominated (energy, accuracy) points, by increasing energy (and so accuracy).
/// Points at or below `chance` accuracy (a network that has not started classifying, e.g.
/// max-norm at T = 1) are not candidates: they would own the cheap end of the front trivially.
///
///     p dominates q  ⇔  E_p ≤ E_q and acc_p ≥ acc_q, one of them strictly
func paretoFront(_ methods: [MethodResult], chance: Double) -> [FrontPoint] {
    let all = methods.flatMap { m in
        m.points.filter { $0.accuracy > chance }
            .map { FrontPoint(method: m.key, timesteps: $0.timesteps,
                              energyRatioFloat32: $0.energyRatioFloat32, accuracy: $0.accuracy) }
    }.sorted { ($0.energyRatioFloat32, -$0.accuracy) < ($1.energyRatioFloat32, -$1.accuracy) }
    var front: [FrontPoint] = []
    for p in all where p.accuracy > (front.last?.accuracy ?? -1) { front.append(p) }
    return front
}

/// The papers' shared claim, measured: max-norm collapses at T ≤ 4 (best accuracy more than
/// `collapseGap` below the ANN) while the methods built for T = 1–2 (fitted conversion with and
/// without fine-tuning, Hoyer) keep their accuracy there (best at T ≤ 2 within `keepGap` of it).
/// The T = 5 methods (hybrid, attention) are reported against the same `keepGap` at their T.
struct ClaimCheck: Codable, Equatable {
    struct Entry: Codable, Equatable {
        var method: String
        /// Best accuracy at T ≤ `budget` (2 for the T = 1–2 methods, 5 for hybrid/attention).
        var budget: Int
        var bestAccuracy: Double?
        var keepsAccuracy: Bool
    }
    var collapseGap: Double
    var keepGap: Double
    var maxNormBestAtMostT4: Double?
    var maxNormCollapses: Bool
    /// The methods built for T = 1–2, at T ≤ 2.
    var lowLatency: [Entry]
    /// Hybrid and attention at their T = 5.
    var fiveStep: [Entry]
    /// "appears", "appears only partly" (collapse, but not every T = 1–2 method keeps its
    /// accuracy), or "does not appear".
    var verdict: String
}

func checkClaim(_ methods: [MethodResult], ann: Double) -> ClaimCheck {
    let collapseGap = 0.10, keepGap = 0.05
    let maxNorm = methods.first { $0.key == "max-norm" }?.bestAccuracy(atMost: 4)
    let collapses = maxNorm.map { $0 < ann - collapseGap } ?? false
    func entries(_ keys: [String], budget: Int) -> [ClaimCheck.Entry] {
        methods.filter { keys.contains($0.key) }.map { m in
            let best = m.bestAccuracy(atMost: budget)
            return .init(method: m.key, budget: budget, bestAccuracy: best,
                         keepsAccuracy: best.map { $0 >= ann - keepGap } ?? false)
        }
    }
    let low = entries(["ultralow-fitted", "ultralow-finetuned", "hoyer"], budget: 2)
    let verdict = !collapses || !low.contains(where: \.keepsAccuracy) ? "does not appear"
        : low.allSatisfy(\.keepsAccuracy) ? "appears" : "appears only partly"
    return ClaimCheck(collapseGap: collapseGap, keepGap: keepGap, maxNormBestAtMostT4: maxNorm,
                      maxNormCollapses: collapses, lowLatency: low,
                      fiveStep: entries(["hybrid", "attention"], budget: 5), verdict: verdict)
}

struct Metrics: Codable, Equatable {
    var dataset: String
    var trainImages: Int
    var simulatedImages: Int
    /// The shared ReLU ANN on the whole test set and on the simulated subset (the reference).
    var annAccuracy: Double
    var annAccuracyOnSimulated: Double
    var rnlANNAccuracyOnSimulated: Double
    /// Hybrid's own BN-free, bias-free ANN (DIET-SNN step 1) on the same images.
    var dietANNAccuracyOnSimulated: Double
    var annMACsPerImage: Double
    var maxTimesteps: Int
    /// Training of the shared ReLU ANN in epochs × images (each of the three ANNs costs this).
    var annTrainingImageSteps: Int
    var energyCitation: String
    var methods: [MethodResult]
    var paretoFront: [FrontPoint]
    var claim: ClaimCheck
}

func pct(_ value: Double?) -> String { value.map { formatFixed(100 * $0, digits: 2) } ?? "–" }

/// Accuracy vs T (log x, ANN line) and accuracy vs energy (log x, Pareto front).
func writeFigures(_ m: Metrics, to directory: URL) throws {
    let writer = FigureWriter(directory: directory)
    _ = try writer.write(LinePlot(
        title: "Accuracy vs time steps, every method on one backbone",
        x: Axis("time steps T", scale: .log2, range: 1...Double(m.maxTimesteps)),
        y: Axis("test accuracy (%)", range: 0...100),
        series: m.methods.map { r in
            Series(label: r.name, x: r.points.map { Double($0.timesteps) },
                   y: r.points.map { 100 * $0.accuracy })
        },
        referenceLines: [ReferenceLine("ANN \(formatFixed(100 * m.annAccuracyOnSimulated, digits: 2)) %",
                                       at: 100 * m.annAccuracyOnSimulated)],
        key: .outsideRight, size: FigureSize(width: 1200, height: 640)), id: "fig-accuracy-vs-timesteps")
    _ = try writer.write(ScatterPlot(
        title: "Accuracy vs compute energy (45 nm fp32), one point per method and T",
        x: Axis("E_{SNN} / E_{ANN}", scale: .log),
        y: Axis("test accuracy (%)", range: 0...100),
        series: [Series(label: "ANN", x: [1], y: [100 * m.annAccuracyOnSimulated])]
            + m.methods.map { r in
                Series(label: r.name, x: r.points.map(\.energyRatioFloat32),
                       y: r.points.map { 100 * $0.accuracy })
            },
        front: Series(label: "Pareto front", x: m.paretoFront.map(\.energyRatioFloat32),
                      y: m.paretoFront.map { 100 * $0.accuracy }),
        key: .outsideRight, size: FigureSize(width: 1200, height: 640)), id: "fig-accuracy-vs-energy")
}

/// The README block: best accuracy at T ≤ 1, 2, 4, 8 per method, and the claim, measured.
func readmeTable(_ m: Metrics, profile: Profile) -> String {
    let budgets = [1, 2, 4, 8]
    var lines = [
        "",
        "Generated by `chapter-compare --profile \(profile.rawValue)` from "
            + "`figures/compare/\(profile.rawValue)/results.json`. "
            + "\(m.dataset), \(m.trainImages) training images, \(m.simulatedImages) test images for every "
            + "method; shared ReLU ANN \(formatFixed(100 * m.annAccuracyOnSimulated, digits: 2)) % on them "
            + "(\(formatFixed(100 * m.annAccuracy, digits: 2)) % on the full test set); RNL's own ANN "
            + "\(formatFixed(100 * m.rnlANNAccuracyOnSimulated, digits: 2)) %, hybrid's BN-free ANN "
            + "\(formatFixed(100 * m.dietANNAccuracyOnSimulated, digits: 2)) % (the ceilings of those two methods).",
        "",
        "| method | chapter | " + budgets.map { "best acc. T ≤ \($0) (%)" }.joined(separator: " | ")
            + " | T of the last point | acc. there (%) | spikes/neuron there | E_SNN/E_ANN there (fp32 / int32) "
            + "| training beyond the shared ANN (image·steps) |",
        "|---|---|" + String(repeating: "---|", count: budgets.count + 5),
    ]
    for r in m.methods {
        let last = r.points.last
        lines.append("| \(r.name) | \(r.chapter) | "
                     + budgets.map { pct(r.bestAccuracy(atMost: $0)) }.joined(separator: " | ")
                     + " | \(last.map { "\($0.timesteps)" } ?? "–") | \(pct(last?.accuracy)) | "
                     + (last.map { formatFixed($0.spikesPerNeuron, digits: 2) } ?? "–") + " | "
                     + (last.map { "\(formatFixed($0.energyRatioFloat32, digits: 3)) / \(formatFixed($0.energyRatioInt32, digits: 3))" } ?? "–")
                     + " | \(r.trainingImageSteps) |")
    }
    let c = m.claim
    func describe(_ e: ClaimCheck.Entry) -> String {
        "\(e.method) \(pct(e.bestAccuracy)) %" + (e.bestAccuracy.map { $0 >= m.annAccuracyOnSimulated
            ? "" : " (−\(formatFixed(100 * (m.annAccuracyOnSimulated - $0), digits: 1)) points)" } ?? "")
    }
    lines += [
        "",
        "Claim check (thresholds fixed in `Report.swift`, `checkClaim`): max-norm's best accuracy at "
            + "T ≤ 4 is \(pct(c.maxNormBestAtMostT4)) % against the ANN's \(pct(m.annAccuracyOnSimulated)) % — "
            + (c.maxNormCollapses ? "a collapse (more than \(formatFixed(100 * c.collapseGap, digits: 0)) points below)"
                                  : "**no collapse** (within \(formatFixed(100 * c.collapseGap, digits: 0)) points)")
            + ". Best accuracy at T ≤ 2 of the methods built for T = 1–2: "
            + c.lowLatency.map(describe).joined(separator: ", ")
            + "; within \(formatFixed(100 * c.keepGap, digits: 0)) points of the ANN: "
            + (c.lowLatency.filter(\.keepsAccuracy).map(\.method).joined(separator: ", ").nilIfEmpty ?? "**none**")
            + ". At their T = 5: " + c.fiveStep.map(describe).joined(separator: ", ")
            + ". The claim **\(c.verdict)** in this run.",
        "",
    ]
    return lines.joined(separator: "\n")
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// Replaces the text between the results markers of chapters/compare/README.md.
func updateReadme(_ m: Metrics, profile: Profile) throws {
    try replaceResultsBlock(in: chapterReadme(beside: #filePath),
                            with: readmeTable(m, profile: profile))
}

/// The results.json summary: the claim check as the headline, one caption per figure (the two
/// written by `writeFigures`).
func runSummary(_ m: Metrics) -> RunSummary {
    let keeping = m.claim.lowLatency.filter(\.keepsAccuracy).map(\.method)
    let ours = "max-norm best at T ≤ 4: \(pct(m.claim.maxNormBestAtMostT4)) % "
        + (m.claim.maxNormCollapses ? "(collapses)" : "(does not collapse)")
        + "; within \(formatFixed(100 * m.claim.keepGap, digits: 0)) points of the ANN (\(pct(m.annAccuracyOnSimulated)) %) at T ≤ 2: "
        + (keeping.isEmpty ? "none" : keeping.joined(separator: ", ")) + "; the claim \(m.claim.verdict)"
    return RunSummary(
        paper: "all chapters' papers (max-norm, percentile, RNL, ultra-low latency, hybrid, Hoyer, attention)",
        headline: Headline(
            label: "low-T ordering on one backbone", ours: ours,
            paperClaim: "max-norm conversion collapses at T ≤ 4 while the low-latency methods keep "
                + "their accuracy at T = 1–2 (qualitative, across the papers)"),
        figures: [
            FigureCaption(id: "fig-accuracy-vs-timesteps",
                          caption: "Accuracy against T for every method on the same backbone (log x), "
                              + "the shared ANN as a line: who is still near it at T = 1–2?"),
            FigureCaption(id: "fig-accuracy-vs-energy",
                          caption: "Accuracy against compute energy relative to the ANN (log x), one point "
                              + "per method and T, with the Pareto front dashed."),
        ])
}
