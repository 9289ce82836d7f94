// The tensor side of chapter-ultralow: measuring pre-activations, the factor fits per rule and
// the DNN's training. Building the SNN (`makeSNN`), the SNN-calibrated fit, evaluation and BPTT
// fine-tuning live in UltralowMethod (Method/SpikingConversion.swift), shared with compare.

import ChapterSupport
import UltralowMethod
import Datasets
import Figures
import Foundation
import SNNConversion
import Training
import TensorCore
import NeuralNetworks
import Autodiff

/// Indices of the clipped activations of `dnn` and their trained μ.
func clipLayers(of dnn: Sequential) -> [(index: Int, clip: Float)] {
    dnn.layers.enumerated().compactMap { i, layer in
        (layer as? ClippedReLU).map { (i, $0.clip.value[flat: 0]) }
    }
}

/// The settings of `rule` for every layer at T, from the fitted factors.
func settings(for rule: ConversionRule, clips: [Float], factors: FittedFactors, timesteps: Int)
    -> [SpikeLayerSetting]
{
    clips.indices.map { l in
        let f: ConversionFactors
        switch rule.kind {
        case .naive, .shift: f = .identity
        case .fitted: f = factors.factors(rule, layer: l, timesteps: timesteps)
        }
        return SpikeLayerSetting(threshold: Float(f.alpha) * clips[l],
                                 amplitude: Float(f.beta) * clips[l], start: rule.start)
    }
}

/// Pre-activation samples x of every clipped layer (the input of ClippedReLU) on `images`,
/// a seeded random subsample of at most `limit` values per layer.
func preActivationSamples(of dnn: Sequential, clipIndices: [Int], images: [Tensor], limit: Int,
                          using rng: inout SeededGenerator) -> [[Float]] {
    var all = [[Float]](repeating: [], count: clipIndices.count)
    for batch in images {
        var context = ForwardContext.inference
        let outputs = withoutGradients { dnn.forwardCollecting(Variable(batch), context: &context) }
        for (k, index) in clipIndices.enumerated() { all[k] += outputs[index - 1].value.scalars }
    }
    return all.map { values in
        guard values.count > limit else { return values }
        return (0..<limit).map { _ in values[Int(rng.next() % UInt64(values.count))] }
    }
}

/// The fitted factors of every estimator/start, layer and T (the `fit` stage's output).
struct FittedFactors: Codable, Equatable, Sendable {
    struct Entry: Codable, Equatable, Sendable {
        var estimator: FactorEstimator
        var start: MembraneStart
        var timesteps: Int
        /// One per spiking layer.
        var fits: [FactorFit]
    }
    var entries: [Entry]

    func factors(_ rule: ConversionRule, layer: Int, timesteps: Int) -> ConversionFactors {
        guard let e = entries.first(where: {
            $0.estimator == rule.estimator && $0.start == rule.start && $0.timesteps == timesteps
        }) else { preconditionFailure("no fit for \(rule.name) at T = \(timesteps)") }
        return e.fits[layer].factors
    }
}

/// The inputs of the cached `dnn` stage.
struct DNNStage: Encodable { var data: Config.DataConfig; var dnn: Config.DNNConfig }
/// The inputs of the cached `finetune` stage.
struct FineTuneStage: Encodable { var finetune: Config.FineTuneConfig; var evaluation: Config.EvaluationConfig }
/// The `finetune` stage's output: the choice of budget per T, and every fine-tuned SNN on the test set.
struct FineTuneOutput: Codable, Equatable, Sendable {
    var selections: [FineTuneSelection]
    var results: [FineTuneResult]
}

/// SGD with momentum, cross-entropy, lr ÷ 5 at 60/80/90 % of the steps (NOTES.md §3); every
/// epoch saved to `checkpoints`, from which a crashed run resumes.
func trainDNN(_ network: Sequential, train: LabeledImages, normalization: Normalization,
              config: Config, using rng: inout SeededGenerator, checkpoints: EpochCheckpoints?) throws {
    let c = config.dnn
    var optimizer = SGD(learningRate: c.learningRate, momentum: c.momentum,
                        weightDecay: c.weightDecay, decayScope: .all)
    try trainSupervised(network, epochs: c.epochs, batchSize: c.batchSize, optimizer: &optimizer,
                        learningRate: c.learningRate,
                        schedule: .step(milestones: [0.6, 0.8, 0.9], factor: 5), on: train,
                        augmentation: config.data.augment ? .standard : .none,
                        normalization: normalization, progressLabel: "DNN", rng: &rng,
                        checkpoints: checkpoints)
}

/// The shape of one layer's pre-activation distribution, in units of its clip μ.
struct LayerDistribution: Codable, Equatable, Sendable {
    var clip: Double
    /// Fractions of values ≤ 0, in (0, μ), ≥ μ.
    var fractionNonPositive: Double
    var fractionInside: Double
    var fractionAboveClip: Double
    /// Median and 90th percentile of the positive values, divided by μ.
    var positiveMedianOverClip: Double
    var positiveP90OverClip: Double
    /// Histogram of x/μ for x > 0: `binCount` equal bins on [0, 1.5].
    var histogram: [Double]
    static let histogramRange = 0.0...1.5
}

/// Constant-input MSE of the naive and shift rules and of the fitted factors, per layer and T.
struct FitRow: Codable, Equatable, Sendable {
    var layer: Int
    var timesteps: Int
    var naiveMSE: Double
    var shiftMSE: Double
    var constantInput: FactorFit
}

/// The `fit` stage's output.
struct FitStage: Codable, Equatable, Sendable {
    var distributions: [LayerDistribution]
    var table: [FitRow]
    var factors: FittedFactors
}

func fitFactors(samples: [[Float]], dnn: Sequential, clipIndices: [Int], clips: [Float],
                calibration: Tensor, config: Config.ConversionConfig,
                using rng: inout SeededGenerator) -> FitStage {
    let distributions = zip(samples, clips).map { x, mu -> LayerDistribution in
        let m = Double(mu)
        let positive = x.filter { $0 > 0 }.map { Double($0) / m }.sorted()
        let n = Double(Swift.max(x.count, 1))
        let bins = Bins(values: positive, binCount: 75, range: LayerDistribution.histogramRange)
        func quantile(_ q: Double) -> Double {
            positive.isEmpty ? 0 : positive[Swift.min(Int(q * Double(positive.count)), positive.count - 1)]
        }
        return LayerDistribution(
            clip: m, fractionNonPositive: Double(x.count - positive.count) / n,
            fractionInside: Double(positive.filter { $0 < 1 }.count) / n,
            fractionAboveClip: Double(positive.filter { $0 >= 1 }.count) / n,
            positiveMedianOverClip: quantile(0.5), positiveP90OverClip: quantile(0.9),
            histogram: bins.counts)
    }
    var table: [FitRow] = []
    var entries: [FittedFactors.Entry] = []
    let estimators = Set(config.rules.compactMap { r in r.estimator.map { "\($0.rawValue)/\(r.start.rawValue)" } })
    for t in config.timesteps {
        var constant: [FactorFit] = []
        for (l, x) in samples.enumerated() {
            let mu = Double(clips[l])
            let fit = ActivationFit.fitConstantInput(preActivations: x, clip: mu, timesteps: t,
                                                     start: .zero, grid: config.grid)
            constant.append(fit)
            table.append(FitRow(
                layer: l + 1, timesteps: t,
                naiveMSE: ActivationFit.constantInputError(preActivations: x, clip: mu, timesteps: t,
                                                           factors: .identity, start: .zero),
                shiftMSE: ActivationFit.constantInputError(preActivations: x, clip: mu, timesteps: t,
                                                           factors: .identity, start: .half),
                constantInput: fit))
        }
        entries.append(.init(estimator: .constantInput, start: .zero, timesteps: t, fits: constant))
        if estimators.contains("constantInput/half") {
            entries.append(.init(estimator: .constantInput, start: .half, timesteps: t, fits: samples.indices.map {
                ActivationFit.fitConstantInput(preActivations: samples[$0], clip: Double(clips[$0]),
                                               timesteps: t, start: .half, grid: config.grid)
            }))
        }
        for start in MembraneStart.allCases where estimators.contains("snnCalibrated/\(start.rawValue)") {
            rewriteLine("  SNN-calibrated fit, T = \(t), U(0) = \(start.rawValue) …")
            entries.append(.init(estimator: .snnCalibrated, start: start, timesteps: t, fits: calibratedFits(
                dnn: dnn, clips: clips, clipIndices: clipIndices, images: calibration, timesteps: t,
                start: start, sampleLimit: config.sampleLimit, grid: config.grid, using: &rng)))
        }
    }
    rewriteLine("")
    return FitStage(distributions: distributions, table: table, factors: FittedFactors(entries: entries))
}
