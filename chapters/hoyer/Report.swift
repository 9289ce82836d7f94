// What chapter-hoyer reports: the metrics of results.json, the console tables, the figures
// and the README results table, all produced from the same `Metrics` value.

import ChapterSupport
import RunRecords
import EnergyEstimation
import Figures
import Foundation
import HoyerMethod
import Statistics

// MARK: - results.json metrics

struct Metrics: Codable, Equatable, Sendable {
    struct EnergySummary: Codable, Equatable, Sendable {
        var macs: Double
        var accumulates: Double
        var microjoules: Double
        /// E_variant / E_ANN with 45 nm fp32 constants (and int32).
        var ratioToANN: Double
        var ratioToANNInt32: Double
    }
    struct VariantResult: Codable, Equatable, Sendable {
        var key: String
        var label: String
        var shortLabel: String
        var thresholdMode: ThresholdMode?
        var regularisationWeight: Double
        var accuracy: Double
        /// Binomial s.e. of `accuracy` on the test images, and which of them it got right.
        var accuracyStandardError: Double
        var outcomes: ImageOutcomes
        var spikeLayers: [String]
        var spikeRates: [Double]
        /// Ones over all spike-layer outputs (element-weighted mean).
        var meanSpikeRate: Double?
        var nonBinaryFraction: Double?
        /// |z/E − 1| < 0.1 over all spike-layer inputs of the membrane sample.
        var nearThresholdFraction: Double?
        var nearThresholdFractionPerLayer: [Double]
        var thresholds: [Double]
        var meanExtrema: [Double]
        var energy: EnergySummary
    }
    struct SweepPoint: Codable, Equatable, Sendable {
        var regularisationWeight: Double
        var accuracy: Double
        var meanSpikeRate: Double
        var nearThresholdFraction: Double
    }
    struct NoiseCurve: Codable, Equatable, Sendable {
        var key: String
        var label: String
        var relativeStd: [Double]
        var accuracy: [Double]
    }

    var dataset: String
    var trainImages: Int
    var testImages: Int
    var noiseTestImages: Int
    var chanceAccuracy: Double
    var annAccuracy: Double
    /// Binomial s.e. of `annAccuracy` on `testImages`.
    var annAccuracyStandardError: Double
    var computeLayers: [ComputeLayer]
    var energyCitation: String
    var variants: [VariantResult]
    /// α_H = 0 first, then increasing α_H (Hoyer sum mode).
    var regulariserSweep: [SweepPoint]
    var noiseRobustness: [NoiseCurve]
    /// The main variants at more training seeds (`--seed-replicates`); nil without.
    var replication: SeedReplication?

    func variant(_ key: String) -> VariantResult? { variants.first { $0.key == key } }
}

/// One variant's row of the metrics.
func variantResult(_ variant: Variant, _ evaluation: VariantEvaluation,
                   layers: [ComputeLayer], annLedger: EnergyLedger,
                   annLedgerInt32: EnergyLedger) -> Metrics.VariantResult {
    let spikeLayers = evaluation.spikeLayers
    let rates = spikeLayers.map(\.spikeRate)
    let spiking = !spikeLayers.isEmpty
    let ledger = energyLedger(layers, spikeRates: spiking ? rates : nil,
                              constants: .float32At45nm)
    let ledgerInt32 = energyLedger(layers, spikeRates: spiking ? rates : nil,
                                   constants: .int32At45nm)
    // Element-weighted means over layers: weights = histogram totals / rates over elements.
    let sampled = spikeLayers.map { $0.histogram.reduce(0, +) }
    func pooled(_ values: [Double], weights: [Double]) -> Double? {
        let total = weights.reduce(0, +)
        return spiking && total > 0
            ? zip(values, weights).map { $0 * $1 }.reduce(0, +) / total : nil
    }
    return Metrics.VariantResult(
        key: variant.key, label: variant.label, shortLabel: variant.shortLabel,
        thresholdMode: variant.thresholdMode,
        regularisationWeight: Double(variant.regularisationWeight),
        accuracy: evaluation.accuracy,
        accuracyStandardError: binomialStandardError(accuracy: evaluation.accuracy, images: evaluation.outcomes.count),
        outcomes: evaluation.outcomes, spikeLayers: spikeLayers.map(\.name),
        spikeRates: rates, meanSpikeRate: pooled(rates, weights: sampled),
        nonBinaryFraction: pooled(spikeLayers.map(\.nonBinaryFraction), weights: sampled),
        nearThresholdFraction: pooled(spikeLayers.map(\.nearThresholdFraction),
                                      weights: sampled),
        nearThresholdFractionPerLayer: spikeLayers.map(\.nearThresholdFraction),
        thresholds: spikeLayers.map(\.threshold), meanExtrema: spikeLayers.map(\.meanExtremum),
        energy: Metrics.EnergySummary(
            macs: ledger.totalMACs, accumulates: ledger.totalAccumulates,
            microjoules: ledger.totalPicojoules * 1e-6,
            ratioToANN: ledger.ratio(to: annLedger),
            ratioToANNInt32: ledgerInt32.ratio(to: annLedgerInt32)))
}

// MARK: - Console

func printSummary(_ metrics: Metrics) {
    let ann = metrics.annAccuracy
    printTable(
        headers: ["variant", "acc (%)", "Δ vs ANN (pp)", "spike rate (%)",
                  "|z/E−1|<0.1 (%)", "energy / ANN"],
        rows: metrics.variants.map { v in
            [v.label, percent(v.accuracy), signed(100 * (v.accuracy - ann)),
             v.meanSpikeRate.map(percent) ?? "—",
             v.nearThresholdFraction.map { percent($0, digits: 2) } ?? "—",
             fixed(v.energy.ratioToANN, digits: 3)]
        })
    let snn = metrics.variants.filter { $0.thresholdMode != nil }
    print("\nPer spike layer: spike rate (%) | |z/E − 1| < 0.1 (%) | v_th | mean E:")
    printTable(
        headers: ["variant"] + (snn.first?.spikeLayers ?? []),
        rows: snn.map { v in
            [v.label] + v.spikeRates.indices.map { l in
                let near = percent(v.nearThresholdFractionPerLayer[l], digits: 2)
                return "\(percent(v.spikeRates[l])) | \(near) | "
                    + "\(fixed(v.thresholds[l], digits: 2)) | \(fixed(v.meanExtrema[l], digits: 2))"
            }
        })
    print("\nRegulariser sweep (Hoyer sum):")
    printTable(
        headers: ["λ_H", "acc (%)", "spike rate (%)", "|z/E−1|<0.1 (%)"],
        rows: metrics.regulariserSweep.map { p in
            [String(format: "%.2g", p.regularisationWeight), percent(p.accuracy),
             percent(p.meanSpikeRate), percent(p.nearThresholdFraction, digits: 2)]
        })
    print("\nAccuracy (%) with Gaussian noise σ·|v_th| on u (\(metrics.noiseTestImages) "
          + "test images):")
    let sigmas = metrics.noiseRobustness.first?.relativeStd ?? []
    printTable(
        headers: ["variant"] + sigmas.map { "σ = \(fixed($0, digits: 1))" },
        rows: metrics.noiseRobustness.map { [$0.label] + $0.accuracy.map { percent($0) } })
}

func percent(_ fraction: Double) -> String { percent(fraction, digits: 1) }
func percent(_ fraction: Double, digits: Int) -> String {
    fixed(100 * fraction, digits: digits)
}
func fixed(_ value: Double, digits: Int) -> String { String(format: "%.\(digits)f", value) }
func signed(_ value: Double) -> String { String(format: "%+.2f", value) }

// MARK: - Figures (NOTES.md §7; ids follow this chapter's numbering)

func writeFigures(_ metrics: Metrics, evaluations: [String: VariantEvaluation],
                  to directory: URL) throws -> [WrittenFigure] {
    let writer = FigureWriter(directory: directory)
    let snn = metrics.variants.filter { $0.thresholdMode != nil }
    var written: [WrittenFigure] = []

    // fig1: accuracy per variant, ANN as reference.
    let accuracies = metrics.variants.map { 100 * $0.accuracy }
    let low = max(0, ((accuracies.min() ?? 0) - 5).rounded(.down))
    let high = min(100, ((accuracies.max() ?? 100) + 3).rounded(.up))
    written.append(try writer.write(BarChart(
        title: "Test accuracy at T = 1 (\(metrics.dataset))",
        categories: metrics.variants.map { gnuplotText($0.label) },
        groups: [.init(label: "test accuracy", values: accuracies)],
        y: Axis("test accuracy (%)", range: low...high),
        referenceLines: [ReferenceLine("ANN \(fixed(100 * metrics.annAccuracy, digits: 2))%",
                                       at: 100 * metrics.annAccuracy)],
        key: .topRight), id: "fig1-accuracy-by-variant"))

    // fig2: z/E pooled over the spike layers, without and with the regulariser.
    let pair = ["hoyer-sum", "hoyer-sum-reg"].compactMap { key in
        metrics.variant(key).flatMap { v in evaluations[key].map { (v, $0) } }
    }
    let series = pair.map { v, e -> HistogramSeries in
        let counts = e.spikeLayers.map(\.histogram).reduce(
            [Double](repeating: 0, count: MembraneBinning.count)) { zip($0, $1).map(+) }
        let near = percent(v.nearThresholdFraction ?? 0, digits: 2)
        return HistogramSeries(
            label: "\(gnuplotText(v.label)): \(near)% within ±10% of E",
            bins: Bins(edges: MembraneBinning.edges, counts: counts).normalized())
    }
    written.append(try writer.write(Histogram(
        title: "Normalised membrane potential z/E = u/(E·|v_{th}|), all spike layers",
        x: Axis("z / E  (threshold at 1; values beyond [−1, 3] counted in the end bins)"),
        y: Axis("fraction of potentials", scale: .log), series: series,
        markers: [ReferenceLine("threshold z/E = 1", at: 1),
                  ReferenceLine("z/E = 0.9", at: 0.9), ReferenceLine("z/E = 1.1", at: 1.1)],
        key: .topRight), id: "fig2-membrane-distribution"))

    // fig2b: the near-threshold fraction per layer (layer 1 sees the analog image, whose
    // constant background puts point masses into its distribution).
    written.append(try writer.write(BarChart(
        title: "Potentials within ±10% of the threshold, per spike layer",
        categories: (snn.first?.spikeLayers ?? []) + ["all"],
        groups: snn.map { v in
            .init(label: gnuplotText(v.label),
                  values: (v.nearThresholdFractionPerLayer + [v.nearThresholdFraction ?? 0])
                      .map { 100 * $0 })
        },
        xLabel: "spike layer (named after the layer that feeds it)",
        y: Axis("|z/E − 1| < 0.1 (% of potentials)"), key: .topRight),
        id: "fig2b-near-threshold-by-layer"))

    // fig3: spike rate per layer and variant.
    let layerNames = snn.first?.spikeLayers ?? []
    written.append(try writer.write(BarChart(
        title: "Spike rate per layer (fraction of outputs that are 1)",
        categories: layerNames + ["all"],
        groups: snn.map { v in
            .init(label: gnuplotText(v.label), values: v.spikeRates + [v.meanSpikeRate ?? 0])
        },
        xLabel: "spike layer (named after the layer that feeds it)",
        y: Axis("spike rate"), key: .below, size: FigureSize(width: 900, height: 580)),
        id: "fig3-spike-rate-by-layer"))

    // fig4: compute energy per image, split into the analog first layer and the rest.
    let layers = metrics.computeLayers
    let firstShare = metrics.variants.map { v -> (Double, Double) in
        let rates = v.thresholdMode == nil ? nil : v.spikeRates
        let ledger = energyLedger(layers, spikeRates: rates, constants: .float32At45nm)
        let first = ledger.layers.first.map { $0.energy(ledger.constants) } ?? 0
        return (first * 1e-6, (ledger.totalPicojoules - first) * 1e-6)
    }
    written.append(try writer.write(BarChart(
        title: "Compute energy per image (45 nm fp32: MAC 4.6 pJ, AC 0.9 pJ)",
        categories: metrics.variants.map {
            "\($0.shortLabel): \(fixed($0.energy.ratioToANN, digits: 3))×"
        },
        groups: [.init(label: "first layer (MACs on the analog image)",
                       values: firstShare.map(\.0)),
                 .init(label: "later layers (ANN: MACs; SNN: ACs = MACs × input spike rate)",
                       values: firstShare.map(\.1))],
        y: Axis("energy per image (µJ)"), layout: .stacked, key: .topRight,
        size: FigureSize(width: 1100, height: 540)),
        id: "fig4-energy-vs-ann"))

    // fig5: the regulariser sweep (α_H > 0 on a log axis; α_H = 0 as reference lines;
    // the axis labels keep the paper's λ_H).
    let sweep = metrics.regulariserSweep.filter { $0.regularisationWeight > 0 }
    let none = metrics.regulariserSweep.first { $0.regularisationWeight == 0 }
    // TODO(api): Figures.Axis has no tic format, and a log axis prints 0.00000010; plot
    // log₁₀ α_H on a linear axis instead.
    let lambdas = sweep.map { log10($0.regularisationWeight) }
    written.append(try writer.write(LinePlot(
        title: "Accuracy vs regulariser weight (Hoyer sum, T = 1)",
        x: Axis("log_{10} λ_H"), y: Axis("test accuracy (%)"),
        series: [Series(label: "Hoyer sum + reg", x: lambdas, y: sweep.map { 100 * $0.accuracy })],
        referenceLines: (none.map { [ReferenceLine(
            "λ_H = 0: \(percent($0.accuracy, digits: 2))%", at: 100 * $0.accuracy)] } ?? [])
            + [ReferenceLine("ANN \(percent(metrics.annAccuracy, digits: 2))%",
                             at: 100 * metrics.annAccuracy)], key: .below),
        id: "fig5-accuracy-vs-regulariser-weight"))
    written.append(try writer.write(LinePlot(
        title: "Spike rate and near-threshold mass vs regulariser weight",
        x: Axis("log_{10} λ_H"), y: Axis("percent of spike-layer elements (%)"),
        series: [
            Series(label: "spike rate", x: lambdas, y: sweep.map { 100 * $0.meanSpikeRate }),
            Series(label: "|z/E − 1| < 0.1", x: lambdas,
                   y: sweep.map { 100 * $0.nearThresholdFraction }),
        ],
        referenceLines: none.map { [
            ReferenceLine("λ_H = 0: spike rate", at: 100 * $0.meanSpikeRate),
            ReferenceLine("λ_H = 0: near threshold", at: 100 * $0.nearThresholdFraction),
        ] } ?? [], key: .below),
        id: "fig5b-spike-rate-vs-regulariser-weight"))

    // fig6: robustness to Gaussian noise on the membrane potential.
    written.append(try writer.write(LinePlot(
        title: "Accuracy with Gaussian noise on u before the comparison",
        x: Axis("noise σ / |v_{th}|"), y: Axis("test accuracy (%)"),
        series: metrics.noiseRobustness.map {
            Series(label: gnuplotText($0.label), x: $0.relativeStd, y: $0.accuracy.map { 100 * $0 })
        }, key: .bottomLeft), id: "fig6-noise-robustness"))
    return written
}

/// Labels in gnuplot's enhanced text: `v_th` → `v_{th}` (a bare `_t` would subscript t only).
func gnuplotText(_ label: String) -> String {
    label.replacingOccurrences(of: "v_th", with: "v_{th}")
}

// MARK: - README results table (between marker comments, rewritten by every quick/paper run)

/// Rewrites the results block of `readme` (ChapterSupport's `replaceResultsBlock`).
func writeReadmeTable(_ metrics: Metrics, record: RunRecord, readme: URL) throws {
    var lines = [
        "",
        "Generated by `chapter-hoyer --profile \(record.profile.rawValue)` from "
            + "`figures/hoyer/\(record.profile.rawValue)/results.json` (seed \(record.seed)). "
            + "\(metrics.dataset), "
            + "\(metrics.trainImages) training / \(metrics.testImages) test images, T = 1; accuracies ± their "
            + "binomial standard error.",
        "",
        "**Claims tested** (one seed; the seed study below tests them again over seeds)",
        "",
    ] + claimsMarkdown(record.claims ?? []) + [
        "",
        "| variant | test acc (%) | Δ vs ANN (pp) | spike rate (%) | \\|z/E−1\\|<0.1 (%) "
            + "| energy / ANN | acc at σ = 0.4·\\|v_th\\| (%) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for v in metrics.variants {
        let noise = metrics.noiseRobustness.first { $0.key == v.key }
        let atLargest = noise.flatMap { $0.accuracy.last }.map(percent) ?? "—"
        lines.append(
            "| \(v.label) | \(percentWithError(v.accuracy, images: metrics.testImages)) "
                + "| \(signed(100 * (v.accuracy - metrics.annAccuracy))) "
                + "| \(v.meanSpikeRate.map(percent) ?? "—") "
                + "| \(v.nearThresholdFraction.map { percent($0, digits: 2) } ?? "—") "
                + "| \(fixed(v.energy.ratioToANN, digits: 3)) | \(atLargest) |")
    }
    if let plain = metrics.variant("hoyer-sum"), let reg = metrics.variant("hoyer-sum-reg") {
        let layers = plain.spikeLayers.indices.map { l in
            "\(plain.spikeLayers[l]) \(percent(plain.spikeRates[l])) → "
                + "\(percent(reg.spikeRates[l])) % spikes, "
                + "\(percent(plain.nearThresholdFractionPerLayer[l], digits: 2)) → "
                + "\(percent(reg.nearThresholdFractionPerLayer[l], digits: 2)) % near E"
        }
        lines += ["", "Per spike layer, Hoyer sum → Hoyer sum + reg: "
            + layers.joined(separator: "; ") + "."]
    }
    lines += ["", "Regulariser sweep (Hoyer sum): "
        + metrics.regulariserSweep.map {
            "λ_H = \(String(format: "%.2g", $0.regularisationWeight)): "
                + "\(percent($0.accuracy, digits: 2)) % acc, "
                + "\(percent($0.meanSpikeRate)) % spikes, "
                + "\(percent($0.nearThresholdFraction, digits: 2)) % near E"
        }.joined(separator: "; ") + ".", ""]
    try replaceResultsBlock(in: readme, with: lines.joined(separator: "\n"))
}

// MARK: - Claims: the paper's effects, paired per image (one seed) or per seed (seed study)

/// The paper's claims measured on this run (the single-seed run pairs variants image by image
/// on the same test images; a seed-replicate run pairs them seed by seed and uses the mean ±
/// s.e. over seeds, `Difference.overSeeds`):
///
/// 1. Hoyer-extremum spikes train at T = 1 to within 2 points of the same ANN ("within 1–2
///    points"): 0.02 − (acc(ANN) − acc(Hoyer sum));
/// 2. the regulariser lowers the spike rate: rate(Hoyer sum) − rate(Hoyer sum + reg);
/// 3. it moves potentials away from the threshold: the share within ±10 % of E, Hoyer sum −
///    Hoyer sum + reg;
/// 4. … at about the same accuracy, read as within 1 point: 0.01 − (acc(sum) − acc(sum + reg));
/// 5. it makes spiking robust to membrane noise: the accuracy the fixed threshold loses at the
///    largest σ minus what Hoyer sum + reg loses (the noise curves are one seed, on the first
///    `noiseTestImages` images, as four unpaired accuracies).
///
/// At one seed, spike rates and near-threshold shares are paired image by image too: each
/// test image's share of spikes (and of potentials near E) in one variant minus the other's
/// (`evaluations`: the variants' cached evaluations, by key).
func hoyerClaims(_ m: Metrics, evaluations: [String: VariantEvaluation]) -> [ClaimTest] {
    guard let ann = m.variant("ann"), let plain = m.variant("hoyer-sum"), let reg = m.variant("hoyer-sum-reg")
    else { return [] }
    let paper = "Datta et al. 2022, abstract and Sec. 1", n = m.testImages
    let replication = m.replication
    let seeds = replication?.trainingSeeds.count ?? 1
    /// The per-seed values of `value` for `key` (seed study), else nil.
    func perSeed(_ key: String, _ value: (SeedReplication.Row) -> [Double]) -> [Double]? {
        replication?.row(key).map(value)
    }
    /// The per-image paired difference of `value` between Hoyer sum and Hoyer sum + reg.
    func perImage(_ value: (VariantEvaluation) -> [Double]) -> Difference? {
        guard let a = evaluations["hoyer-sum"].map(value), let b = evaluations["hoyer-sum-reg"].map(value),
              a.count == b.count, !a.isEmpty else { return nil }
        return .paired(perImage: zip(a, b).map { $0 - $1 })
    }
    var claims: [ClaimTest] = []
    // 1. Within 2 points of the ANN.
    let gap: Difference = perSeed("hoyer-sum", \.differenceToANN).map { .overSeeds($0) }
        ?? .paired(plain.outcomes, ann.outcomes)
    claims.append(ClaimTest(
        id: "hoyer-extremum-within-2-points-of-the-ann",
        claim: "at T = 1 a VGG whose spike layers fire at the Hoyer extremum of their membrane map trains "
            + "from scratch to within 1–2 points of the same ReLU network (read as 2)",
        source: paper,
        effect: "2 points − (ANN − Hoyer sum), test accuracy on \(n) images",
        difference: gap.shifted(by: 0.02), seeds: seeds, images: n))
    // 2–4. The regulariser: spikes, potentials near E, accuracy.
    func pairedOverSeeds(_ key: (SeedReplication.Row) -> [Double]) -> Difference? {
        guard let a = perSeed("hoyer-sum", key), let b = perSeed("hoyer-sum-reg", key), a.count == b.count,
              !a.isEmpty else { return nil }
        return .overSeeds(zip(a, b).map { $0 - $1 })
    }
    if let rate = pairedOverSeeds(\.meanSpikeRate) ?? perImage(\.spikeShareByImage) {
        claims.append(ClaimTest(
            id: "regulariser-lowers-the-spike-rate", claim: "the Hoyer regulariser lowers the spike rate",
            source: paper, effect: "spike rate, Hoyer sum − Hoyer sum + reg (points of the rate)",
            difference: rate, seeds: seeds, images: n))
    }
    if let near = pairedOverSeeds(\.nearThresholdFraction) ?? perImage(\.nearThresholdShareByImage) {
        let k = evaluations["hoyer-sum"]?.nearThresholdShareByImage.count ?? n
        claims.append(ClaimTest(
            id: "regulariser-moves-potentials-away-from-the-threshold",
            claim: "the Hoyer regulariser moves membrane potentials away from the threshold",
            source: paper,
            effect: "share of potentials with |z/E − 1| < 0.1, Hoyer sum − Hoyer sum + reg (points; the first "
                + "\(k) test images)",
            difference: near, seeds: seeds, images: replication == nil ? k : n))
    }
    let cost: Difference = pairedOverSeeds(\.accuracy) ?? .paired(plain.outcomes, reg.outcomes)
    claims.append(ClaimTest(
        id: "regulariser-keeps-the-accuracy",
        claim: "the regulariser does this at about the same accuracy (read as within 1 point)",
        source: paper, effect: "1 point − (Hoyer sum − Hoyer sum + reg), test accuracy on \(n) images",
        difference: cost.negated.shifted(by: 0.01), seeds: seeds, images: n))
    // 5. Noise robustness (one seed).
    let curves = Dictionary(m.noiseRobustness.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    if let f = curves["fixed"], let r = curves["hoyer-sum-reg"], let f0 = f.accuracy.first, let fs = f.accuracy.last,
       let r0 = r.accuracy.first, let rs = r.accuracy.last, let sigma = f.relativeStd.last, f.accuracy.count > 1 {
        let k = m.noiseTestImages
        let terms = [f0, fs, r0, rs].map { binomialStandardError(accuracy: $0, images: k) }
        claims.append(ClaimTest(
            id: "regulariser-makes-spiking-robust-to-noise",
            claim: "with the regulariser, spiking is robust to noise on the membrane potential",
            source: paper,
            effect: "accuracy lost at σ = \(fixed(sigma, digits: 1))·|v_th|: fixed threshold − Hoyer sum + reg "
                + "(\(k) images; four accuracies treated as independent)",
            difference: Difference(mean: (f0 - fs) - (r0 - rs),
                                   standardError: terms.map { $0 * $0 }.reduce(0, +).squareRoot(),
                                   basis: .unpairedImages(images: k)),
            seeds: 1, images: k))
    }
    return claims
}

// MARK: - Summary: the headline and figure captions in results.json (figure index, regenerate)

/// The run's headline against the paper's claim, and one caption per figure `writeFigures`
/// writes, in the same order (ChapterTests checks the ids against the files).
func runSummary(_ metrics: Metrics) -> RunSummary {
    let ours = metrics.variant("hoyer-sum-reg").map { v in
        "\(percent(v.accuracy, digits: 2)) % vs ANN \(percent(metrics.annAccuracy, digits: 2)) % "
            + "(\(signed(100 * (v.accuracy - metrics.annAccuracy))) points), spike rate "
            + "\(v.meanSpikeRate.map { percent($0) + " %" } ?? "—") on \(metrics.dataset)"
    } ?? "Hoyer sum + reg not run"
    let captions: [(String, String)] = [
        ("fig1-accuracy-by-variant",
         "Test accuracy at T = 1 of the ANN and every SNN variant, the ANN as reference."),
        ("fig2-membrane-distribution",
         "Normalised membrane potential z/E over all spike layers, without and with the "
            + "regulariser: does the mass leave the threshold z/E = 1?"),
        ("fig2b-near-threshold-by-layer",
         "Fraction of potentials within ±10 % of the threshold, per spike layer and variant."),
        ("fig3-spike-rate-by-layer", "Spike rate of each spike layer, per variant."),
        ("fig4-energy-vs-ann",
         "Compute energy per image (45 nm fp32), split into the analog first layer and the "
            + "rest; the label gives each variant's ratio to the ANN."),
        ("fig5-accuracy-vs-regulariser-weight",
         "Accuracy against the regulariser weight λ_H (Hoyer sum, T = 1)."),
        ("fig5b-spike-rate-vs-regulariser-weight",
         "Spike rate and near-threshold mass against the regulariser weight λ_H."),
        ("fig6-noise-robustness",
         "Accuracy with Gaussian noise of σ·|v_th| added to the membrane before the comparison."),
    ]
    return RunSummary(
        paper: "Datta, Liu & Beerel, arXiv:2212.10170 (2022)",
        headline: Headline(
            label: "T = 1 accuracy, Hoyer sum + regulariser", ours: ours,
            paperClaim: "close to the same ANN at one time step, with fewer spikes "
                + "(qualitative: the paper's tables were not retrievable)"),
        figures: captions.map { FigureCaption(id: $0.0, caption: $0.1) })
}
