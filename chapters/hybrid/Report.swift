// Helpers of chapter-hybrid: ANN training, stage inputs, results.json metrics, §8.4 effect
// checks, figures, README table. The fine-tuning loop (`fineTune`) lives in HybridMethod.

import ChapterSupport
import RunRecords
import Datasets
import EnergyEstimation
import Figures
import ArgumentParser
import Foundation
import HybridMethod
import SNNConversion
import Training
import TensorCore
import SpikingNeurons
import NeuralNetworks

func fmt(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

struct ANNStage: Encodable { var data: Config.DataConfig; var ann: Config.ANNConfig }
struct ArmStage: Encodable {
    var arm: Arm
    var finetune: Config.FinetuneConfig
    var conversion: Config.ConversionConfig
    var evaluation: Config.EvaluationConfig
    var testLimit: Int?
    var evaluateOn: EvaluationSplit
}

/// Which images the arms are scored on.
enum EvaluationSplit: String, Codable, ExpressibleByArgument, CustomStringConvertible {
    /// The stratified test subset (the reported numbers).
    case test
    /// Held-out training images (never in the training subset), for comparing settings.
    case validation
    var description: String { rawValue }
}

/// `limit` stratified images of `full` outside the training subset that
/// `full.stratifiedSubset(limit: trainLimit, using: &pick)` draws. The subset's indices are
/// recovered by running the same seeded pick on a tensor of indices; the held-out pick uses
/// its own stream ("validation"), so it does not disturb the run's other draws.
func heldOut(_ full: LabeledImages, trainLimit: Int?, pick: SeededGenerator, limit: Int,
             seed: UInt64) throws -> LabeledImages {
    guard let trainLimit, trainLimit < full.count else {
        throw ValidationError("--evaluate-on validation needs a training subset smaller than the split")
    }
    var rng = pick
    let indices = LabeledImages(images: Tensor(shape: [full.count, 1, 1, 1], scalars: (0..<full.count).map(Float.init)),
                                labels: full.labels, classNames: full.classNames)
    let used = Set(indices.stratifiedSubset(limit: trainLimit, using: &rng).images.scalars.map { Int($0) })
    var validationRNG = SeededGenerator(seed: seed, stream: "validation")
    return full.selecting((0..<full.count).filter { !used.contains($0) })
        .stratifiedSubset(limit: limit, using: &validationRNG)
}

/// Trains (or loads) the bias-free, BN-free, average-pooling VGG with dropout.
func trainedANN(config: Config, train: LabeledImages, normalization: Normalization, cache: StageCache,
                rng: inout SeededGenerator) throws -> (Sequential, StageKey) {
    func make(_ rng: inout SeededGenerator) -> Sequential {
        VGG.make(config.ann.features, inputChannels: train.imageShape[0], inputSize: train.imageShape[1],
                 classes: train.classCount, classifier: config.ann.classifier, batchNorm: false,
                 bias: false, pool: .average, dropout: config.ann.dropout, using: &rng)
    }
    let (network, key, _) = try cache.stage(
        "ann", version: 1, config: ANNStage(data: config.data, ann: config.ann),
        encode: { try NetworkState.encode($0) },
        decode: { data -> Sequential in
            var initRNG = SeededGenerator(seed: 0)
            let network = make(&initRNG)
            try NetworkState.decode(data, into: network)
            return network
        }) { progress -> Sequential in
        var initRNG = rng.split()
        let network = make(&initRNG)
        let ann = config.ann
        var adam = Adam(learningRate: ann.learningRate, weightDecay: ann.weightDecay)
        try trainSupervised(network, epochs: ann.epochs, batchSize: ann.batchSize, optimizer: &adam,
                            learningRate: ann.learningRate, schedule: .cosine(minimum: 0), on: train,
                            normalization: normalization, progressLabel: "ann", rng: &rng,
                            checkpoints: progress.checkpoints)
        return network
    }
    return (network, key)
}

/// One arm in results.json.
struct ArmSummary: Codable, Equatable {
    var key: String
    var title: String
    var encoding: String
    var loss: String
    var surrogate: String
    var thresholdScale: Double
    var thresholds: [Double]
    var outputThreshold: Double
    /// Hidden θ and λ: "trained" or "fixed" during fine-tuning, and their values after it.
    var thresholdAndLeak: String
    var tunedThresholds: [Double]
    var tunedLeaks: [Double]
    var accuracy: Double
    /// Mean spikes per neuron per image, per hidden neuron layer (over all T steps).
    var spikesPerNeuron: [Double]
    /// Largest spike count of any neuron on any image, per hidden layer.
    var maxSpikesPerNeuron: [Int]
    var neuronsPerLayer: [Int]
    /// Hidden-layer spikes per image (Σ over layers and neurons).
    var totalSpikesPerImage: Double
    var inputSpikesPerImage: Double
    var outputFiredFraction: Double
    /// Operation counts per image (pooled view) and energy relative to the ANN.
    var firstLayerMACs: Double
    var firstLayerACs: Double
    var laterACs: Double
    /// E_MAC·first-layer MACs / E_ANN and E_AC·all ACs / E_ANN (stacked bars).
    var firstLayerMACEnergyRelative: Double
    var accumulateEnergyRelative: Double
    /// E_ANN / E_SNN, pooled view (b) and event view (a).
    var annOverSNNEnergy: Double
    var annOverSNNEnergyEventView: Double
    /// Share of the SNN's energy spent on first-layer MACs.
    var firstLayerMACShare: Double
    var lossByEpoch: [Double]
    var trainAccuracyByEpoch: [Double]
    /// Accuracy at each T of the sweep (empty when the arm is not swept).
    var sweepTimesteps: [Int]
    var sweepAccuracy: [Double]
    var firstSpikeStepCorrect: [Int]
    var firstSpikeStepWrong: [Int]
}

func summarize(_ r: ArmResult, snn: Sequential, annLedger: EnergyLedger, imageShape: [Int],
               timesteps T: Int) -> ArmSummary {
    let e = r.evaluation
    let analog = r.arm.encoding.analogSteps(timesteps: T)
    let pooled = snnLedger(snn, inputShape: imageShape, analogSteps: analog,
                           inputSpikesPerImage: e.inputSpikesPerImage, events: e.pooledEventsPerImage)
    let event = snnLedger(snn, inputShape: imageShape, analogSteps: analog,
                          inputSpikesPerImage: e.inputSpikesPerImage, events: e.prePoolSpikesPerImage)
    let c = pooled.constants
    let macEnergy = pooled.totalMACs * c.macPicojoules
    return ArmSummary(
        key: r.arm.key, title: r.arm.title, encoding: r.arm.encoding.title, loss: r.arm.loss.description,
        surrogate: r.arm.hidden == .multiSpike ? "core triangle γ = 0.3 (multi-spike)" : r.arm.surrogate.description,
        thresholdScale: Double(r.arm.thresholdScale), thresholds: r.thresholds, outputThreshold: r.outputThreshold,
        thresholdAndLeak: r.arm.thresholdAndLeak.rawValue, tunedThresholds: r.tunedThresholds,
        tunedLeaks: r.tunedLeaks, accuracy: e.accuracy,
        spikesPerNeuron: e.hiddenLayers.map(\.spikesPerNeuron), maxSpikesPerNeuron: e.hiddenLayers.map(\.maxSpikesPerNeuron),
        neuronsPerLayer: e.hiddenLayers.map(\.neurons),
        totalSpikesPerImage: e.hiddenLayers.reduce(0) { $0 + $1.spikesPerNeuron * Double($1.neurons) },
        inputSpikesPerImage: e.inputSpikesPerImage, outputFiredFraction: e.outputFiredFraction,
        firstLayerMACs: pooled.layers[0].macs, firstLayerACs: pooled.layers[0].accumulates,
        laterACs: pooled.layers.dropFirst().reduce(0) { $0 + $1.accumulates },
        firstLayerMACEnergyRelative: macEnergy / annLedger.totalPicojoules,
        accumulateEnergyRelative: pooled.totalAccumulates * c.accumulatePicojoules / annLedger.totalPicojoules,
        annOverSNNEnergy: 1 / pooled.ratio(to: annLedger), annOverSNNEnergyEventView: 1 / event.ratio(to: annLedger),
        firstLayerMACShare: macEnergy / pooled.totalPicojoules,
        lossByEpoch: r.lossByEpoch, trainAccuracyByEpoch: r.trainAccuracyByEpoch,
        sweepTimesteps: r.sweep.map(\.timesteps), sweepAccuracy: r.sweep.map(\.accuracy),
        firstSpikeStepCorrect: e.firstSpikeStepCorrect, firstSpikeStepWrong: e.firstSpikeStepWrong)
}

/// The effects of NOTES.md §8.4, each checked on this run's numbers.
struct Effects: Codable, Equatable {
    /// 1. C ≤ 1 spike per neuron in every layer (also a precondition in `evaluate`).
    var singleSpikeBoundHolds: Bool
    /// 1. total hidden spikes A / C (≥ 3 expected).
    var spikeReductionAOverC: Double
    /// 2. accuracy A − C in points (≤ 3 expected) and C − D (> 2, "clearly above", expected).
    var accuracyGapAMinusC: Double
    var accuracyGapCMinusD: Double
    /// 3. (E_ANN/E_SNN of C) / (E_ANN/E_SNN of A) ("several times" expected).
    var energyAdvantageCOverA: Double
    /// 4. best of Form 1 / Form 2 minus accumulated-membrane CE, points (nil without ablations).
    var lossAblationMargin: Double?
    var lines: [String]
}

/// The §8.4 effects, judged on `testImages` scored images per arm.
func checkEffects(_ arms: [ArmSummary], testImages: Int) -> Effects {
    func arm(_ key: String) -> ArmSummary? { arms.first { $0.key == key } }
    guard let a = arm("A"), let c = arm("C"), let d = arm("D") else {
        return Effects(singleSpikeBoundHolds: false, spikeReductionAOverC: 0, accuracyGapAMinusC: 0,
                       accuracyGapCMinusD: 0, energyAdvantageCOverA: 0, lossAblationMargin: nil, lines: [])
    }
    // Every ratio and gap is judged as printed (two decimals), so that a gap shown as
    // "2.00" is never "> 2" through floating-point noise (0.796 − 0.776 = 0.0200…02).
    func shown(_ x: Double) -> Double { (x * 100).rounded() / 100 }
    let bound = c.maxSpikesPerNeuron.allSatisfy { $0 <= 1 }
    let reduction = shown(a.totalSpikesPerImage / Swift.max(c.totalSpikesPerImage, 1e-9))
    let gapAC = shown(100 * (a.accuracy - c.accuracy)), gapCD = shown(100 * (c.accuracy - d.accuracy))
    let energy = shown(c.annOverSNNEnergy / a.annOverSNNEnergy)
    var margin: Double? = nil
    if let plain = arm("C-membraneCE") {
        let best = Swift.max(c.accuracy, arm("C-form2")?.accuracy ?? 0)
        margin = shown(100 * (best - plain.accuracy))
    }
    func mark(_ ok: Bool) -> String { ok ? "reproduced" : "NOT reproduced" }
    // Binomial σ of a difference of two accuracies on n images, treated as independent
    // (an upper bound: both arms see the same images): √(p_C(1−p_C)/n + p_D(1−p_D)/n).
    let n = Double(Swift.max(testImages, 1))
    let sigmaCD = 100 * (c.accuracy * (1 - c.accuracy) / n + d.accuracy * (1 - d.accuracy) / n).squareRoot()
    var lines = [
        "§8.4-1 C ≤ 1 spike/neuron in every layer: \(mark(bound)) (max \(c.maxSpikesPerNeuron))",
        "§8.4-1 spikes A/C = \(fmt(reduction, 2))× (≥ 3×): \(mark(reduction >= 3))",
        "§8.4-2 accuracy A − C = \(fmt(gapAC, 2)) points (≤ 3): \(mark(gapAC <= 3)); C − D = \(fmt(gapCD, 2)) (> 2 points; binomial σ of this difference ≈ \(fmt(sigmaCD, 1)) points on \(testImages) images): \(mark(gapCD > 2))",
        "§8.4-3 E_ANN/E_SNN: C \(fmt(c.annOverSNNEnergy, 2))× vs A \(fmt(a.annOverSNNEnergy, 2))× → \(fmt(energy, 2))× (≥ 2): \(mark(energy >= 2))",
    ]
    if let margin {
        lines.append("§8.4-4 best spike-time loss − membrane CE = \(fmt(margin, 2)) points (≥ 0): \(mark(margin >= 0))")
    }
    return Effects(singleSpikeBoundHolds: bound, spikeReductionAOverC: reduction, accuracyGapAMinusC: gapAC,
                   accuracyGapCMinusD: gapCD, energyAdvantageCOverA: energy, lossAblationMargin: margin, lines: lines)
}

struct Metrics: Codable, Equatable {
    var annAccuracy: Double
    var testImages: Int
    var timesteps: Int
    /// ANN percentile thresholds before the per-arm scale s.
    var thresholds: [Double]
    var outputThreshold: Double
    var annMACsPerImage: Double
    /// Which pooling convention `annOverSNNEnergy` uses (the event view is reported alongside).
    var poolingConvention: String
    var energyConstants: String
    var arms: [ArmSummary]
    var effects: Effects
    /// Paper values copied by hand (abstract): CIFAR-100 top-1 at T = 5 and the energy ratio.
    var paperCIFAR100Accuracy: Double
    var paperEnergyRatio: Double
}

// MARK: - Figures

func writeFigures(_ m: Metrics, sample: EncodedBatch, timesteps T: Int, to directory: URL) throws {
    let writer = FigureWriter(directory: directory)
    // Fig. 1: encoding raster — 20 pixels (rows, brightest at the top) × T steps per input code:
    // an analog step is a grey cell shaded by the pixel's intensity, a +1 spike and a −1 spike
    // of the signed code are coloured cells, an empty cell sent nothing.
    // Panels: direct | Poisson | hybrid with mapping A | hybrid with mapping C.
    let raw = sample.raw.scalars
    let order = raw.indices.sorted { raw[$0] > raw[$1] }
    let nonZero = order.filter { raw[$0] > 0 }
    let picks = (0..<18).map { nonZero[$0 * (nonZero.count - 1) / 17] } + order.suffix(2)
    let encodings = [SpikeEncoding.direct, .poisson, .hybrid(.linear), .hybrid(.signed)]
    var analog: [RasterPanels.Cell] = [], positive: [RasterPanels.Cell] = []
    var negative: [RasterPanels.Cell] = []
    for (panel, encoding) in encodings.enumerated() {
        var rng = SeededGenerator(seed: 5)
        let e = encoding.encode(sample.input, timesteps: T, using: &rng).scalars
        let n = raw.count
        for (row, p) in picks.enumerated() {
            for t in 0..<T {
                let cell = RasterPanels.Cell(panel: panel, step: t + 1, row: row, value: Double(raw[p]))
                if t < encoding.analogSteps(timesteps: T) {
                    analog.append(cell)
                } else if e[t * n + p] > 0 {
                    positive.append(cell)
                } else if e[t * n + p] < 0 {
                    negative.append(cell)
                }
            }
        }
    }
    _ = try writer.write(RasterPanels(
        title: "One test image's pixels as SNN input, T = \(T)",
        panels: ["direct", "Poisson", "hybrid, map A", "hybrid, map C"],
        timesteps: T, rows: picks.map { fmt(Double(raw[$0]), 2) },
        yLabel: "pixel, by intensity (brightest at the top)",
        marks: [.init(label: "+1 spike", cells: positive), .init(label: "−1 spike", cells: negative)],
        shaded: .init(label: "analog input (shade = intensity, scale at right)", cells: analog),
        valueLabel: "analog input: pixel intensity", valueRange: 0...1),
        id: "fig1-encoding-raster")

    let main = m.arms.filter { ["A", "B", "C", "D"].contains($0.key) }
    let layers = main.first?.spikesPerNeuron.count ?? 0
    _ = try writer.write(BarChart(
        title: "Spikes per neuron per image, T = \(T)",
        categories: (1...Swift.max(layers, 1)).map { "layer \($0)" },
        groups: main.map { BarChart.Group(label: $0.key, values: $0.spikesPerNeuron.map { Swift.max($0, 1e-4) }) },
        xLabel: "hidden layer", y: Axis("spikes per neuron", scale: .log),
        referenceLines: [ReferenceLine("one spike", at: 1)], key: .outsideRight), id: "fig3-spikes-per-layer")
    _ = try writer.write(BarChart(
        title: "SNN compute energy relative to the ANN (45 nm fp32, pooled view)",
        categories: main.map(\.key),
        groups: [BarChart.Group(label: "first-layer MAC", values: main.map(\.firstLayerMACEnergyRelative)),
                 BarChart.Group(label: "AC", values: main.map(\.accumulateEnergyRelative))],
        xLabel: "arm", y: Axis("E(SNN) / E(ANN)"), layout: .stacked,
        referenceLines: [ReferenceLine("ANN", at: 1)], key: .topRight), id: "fig4-energy")
    let swept = m.arms.filter { !$0.sweepTimesteps.isEmpty }
    if !swept.isEmpty {
        _ = try writer.write(LinePlot(
            title: "Accuracy vs T (fine-tuned at T = \(T))", x: Axis("time steps T"),
            y: Axis("test accuracy (%)", range: 0...100),
            series: swept.map { Series(label: $0.title, x: $0.sweepTimesteps.map(Double.init),
                                       y: $0.sweepAccuracy.map { 100 * $0 }) },
            referenceLines: [ReferenceLine("ANN", at: 100 * m.annAccuracy)], key: .bottomRight),
            id: "fig5-accuracy-vs-timesteps")
    }
    if let c = m.arms.first(where: { $0.key == "C" }) {
        // Proportions, not counts: correct predictions outnumber wrong ones several times,
        // so each group is shown as the share of its own images at each first-spike step.
        func shares(_ counts: [Int]) -> [Double] {
            let total = Double(Swift.max(counts.reduce(0, +), 1))
            return counts.map { 100 * Double($0) / total }
        }
        let correct = c.firstSpikeStepCorrect.reduce(0, +), wrong = c.firstSpikeStepWrong.reduce(0, +)
        _ = try writer.write(BarChart(
            title: "Arm C: when does the predicted output neuron first spike?",
            categories: c.firstSpikeStepCorrect.indices.map { $0 == 0 ? "silent" : "t = \($0)" },
            groups: [BarChart.Group(label: "correct predictions (\(correct) images)",
                                    values: shares(c.firstSpikeStepCorrect)),
                     BarChart.Group(label: "wrong predictions (\(wrong) images)",
                                    values: shares(c.firstSpikeStepWrong))],
            xLabel: "first-spike step of the predicted output neuron",
            y: Axis("share of the group's images (%)"), key: .below),
            id: "fig6-first-spike-times")
    }
}

// MARK: - README

/// Replaces the text between the results markers of chapters/hybrid/README.md.
func updateReadme(with m: Metrics, profile: Profile) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("README.md")
    guard var text = try? String(contentsOf: url, encoding: .utf8),
          let begin = text.range(of: "<!-- results:begin -->"),
          let end = text.range(of: "<!-- results:end -->"), begin.upperBound <= end.lowerBound
    else { print("README.md or its results markers not found; table not updated"); return }
    var lines = ["", "Generated by `chapter-hybrid --profile \(profile.rawValue)` from "
                 + "`figures/hybrid/\(profile.rawValue)/results.json`. "
                 + "ANN \(fmt(100 * m.annAccuracy, 2)) % on \(m.testImages) test images; T = \(m.timesteps); "
                 + "energy in the \(m.poolingConvention) view.", "",
                 "| arm | accuracy % | spikes/neuron per layer | hidden spikes/image | E_ANN/E_SNN (pooled) | (event view) | first-layer MAC share |",
                 "|---|---|---|---|---|---|---|"]
    for a in m.arms {
        lines.append("| \(a.title) | \(fmt(100 * a.accuracy, 2)) | " + a.spikesPerNeuron.map { fmt($0, 3) }.joined(separator: ", ")
                     + " | \(fmt(a.totalSpikesPerImage, 0)) | \(fmt(a.annOverSNNEnergy, 2)) | \(fmt(a.annOverSNNEnergyEventView, 2))"
                     + " | \(fmt(a.firstLayerMACShare, 3)) |")
    }
    let ablation = m.arms.filter { $0.key == "C" || $0.key.hasPrefix("C-") }
    if ablation.count > 1 {
        lines += ["", "Ablations on arm C (loss, surrogate, temporal mapping):", "",
                  "| variant | input code | loss | surrogate | θ, λ | accuracy % | output neurons fired |",
                  "|---|---|---|---|---|---|---|"]
        for a in ablation {
            lines.append("| \(a.key) | \(a.encoding) | \(a.loss) | \(a.surrogate) | \(a.thresholdAndLeak) | \(fmt(100 * a.accuracy, 2)) "
                         + "| \(fmt(a.outputFiredFraction, 3)) |")
        }
    }
    lines += ["", "Effects of NOTES.md §8.4:", ""] + m.effects.lines.map { "- " + $0 } + [""]
    text.replaceSubrange(begin.upperBound..<end.lowerBound, with: lines.joined(separator: "\n"))
    try text.write(to: url, atomically: true, encoding: .utf8)
}

// MARK: - Summary: the headline and figure captions in results.json (figure index, regenerate)

/// The run's headline against the paper's claim, and one caption per figure `writeFigures`
/// writes, in the same order (ChapterTests checks the ids against the files).
func runSummary(_ m: Metrics) -> RunSummary {
    let c = m.arms.first { $0.key == "C" }
    let ours = c.map {
        "\(fmt(100 * $0.accuracy, 2)) % (ANN \(fmt(100 * m.annAccuracy, 2)) %), "
            + "\(fmt($0.annOverSNNEnergy, 1))× less compute energy than the ANN"
    } ?? "arm C not run"
    var figures = [
        FigureCaption(
            id: "fig1-encoding-raster",
            caption: "20 pixels of one test image (rows, brightest at the top) over T = "
                + "\(m.timesteps) steps as direct, Poisson, hybrid (mapping A) and hybrid (signed "
                + "mapping C) input: grey cells are analog steps shaded by intensity, coloured "
                + "cells +1 and −1 spikes, empty cells send nothing."),
        FigureCaption(
            id: "fig3-spikes-per-layer",
            caption: "Spikes per neuron per image in each hidden layer for arms A–D (log "
                + "scale; the line marks one spike)."),
        FigureCaption(
            id: "fig4-energy",
            caption: "SNN compute energy relative to the ANN per arm, split into first-layer "
                + "MACs and accumulates (45 nm fp32)."),
    ]
    if m.arms.contains(where: { !$0.sweepTimesteps.isEmpty }) {
        figures.append(FigureCaption(
            id: "fig5-accuracy-vs-timesteps",
            caption: "Accuracy against T of the arms fine-tuned at T = \(m.timesteps)."))
    }
    if c != nil {
        figures.append(FigureCaption(
            id: "fig6-first-spike-times",
            caption: "Arm C: share of correct and of wrong predictions (each group's own "
                + "images) by the step at which the predicted output neuron first spikes, "
                + "or stays silent."))
    }
    return RunSummary(
        paper: "Datta, Kundu & Beerel, IJCNN 2021 (arXiv:2107.12374)",
        headline: Headline(
            label: "hybrid single-spike SNN (arm C) at T = \(m.timesteps)", ours: ours,
            paperClaim: "\(fmt(100 * m.paperCIFAR100Accuracy, 2)) % on CIFAR-100 at T = 5, "
                + "≈ \(fmt(m.paperEnergyRatio, 0))× less compute energy than the ANN"),
        figures: figures)
}
