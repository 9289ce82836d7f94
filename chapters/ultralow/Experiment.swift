// The tensor side of chapter-ultralow: measuring pre-activations, building an SNN from the
// clipped-ReLU DNN with per-layer (V, A, U(0)), the SNN-calibrated fit, and BPTT fine-tuning.

import ChapterSupport
import UltralowMethod
import Datasets
import Figures
import Foundation
import SNNConversion

/// Threshold, amplitude and initial membrane of one spiking layer.
struct SpikeLayerSetting: Codable, Equatable, Sendable {
    var threshold: Float      // V = α·μ
    var amplitude: Float      // A = β·μ
    var start: MembraneStart  // U(0) = 0 or V/2
}

/// Indices of the clipped activations of `dnn` and their trained μ.
func clipLayers(of dnn: Sequential) -> [(index: Int, clip: Float)] {
    dnn.layers.enumerated().compactMap { i, layer in
        (layer as? ClippedReLU).map { (i, $0.clip.value[flat: 0]) }
    }
}

/// The SNN of digest §2.5 built from `dnn` (which is left untouched):
///
///     ClippedReLU l → IF/LIF neuron: U ← λU + I(t), s = [U ≥ Vˡ], U ← U − Vˡ·s, out Vˡ·s
///     next weight layer ← W·(Aˡ/Vˡ)     so a spike effectively carries Aˡ = βˡ·μˡ
///     Dropout → removed; MaxPool on spikes (an OR) and Flatten → copied; last layer: read-out
///
/// Spikes carry Vˡ (`SpikeAmplitude.threshold`) and the next weights carry Aˡ/Vˡ, so during
/// fine-tuning the amplitude follows the trained threshold, A = (β/α)·V — the code's
/// A = c·β_code·V with c·β_code = β/α (digest §2.4).
///
/// - Returns: the network and the layer index of every spiking neuron layer in it.
// TODO(api): SNNConversion.convert rejects MaxPool and ClippedReLU and has one amplitude per
// layer tied to θ; a `convert(_:settings:)` taking (V, A, U(0)) per layer would replace this.
func makeSNN(from dnn: Sequential, settings: [SpikeLayerSetting], trainable: Bool) -> (Sequential, [Int]) {
    var layers: [any Layer] = []
    var neurons: [Int] = []
    var weightScale: Float = 1   // A/V of the last spiking layer, folded into the next weights
    var next = 0
    for layer in dnn.layers {
        switch layer {
        case let conv as Conv2D:
            layers.append(Conv2D(weight: conv.weight.value * weightScale, bias: conv.bias?.value,
                                 stride: conv.stride, padding: conv.padding))
            weightScale = 1
        case let linear as Linear:
            layers.append(Linear(weight: linear.weight.value * weightScale, bias: linear.bias?.value))
            weightScale = 1
        case is ClippedReLU:
            let s = settings[next]
            neurons.append(layers.count)
            layers.append(SpikingNeuron(
                threshold: s.threshold,
                model: .leakyIntegrateAndFire(leak: 1, training: trainable ? .trained : .fixed),
                reset: .subtraction,
                initialMembrane: s.start == .half ? .halfThreshold : .zero,
                amplitude: .threshold,
                // ∂s/∂m = 1 on |m| < 1, m = U/V − 1 (digest §2.6): height 1 on (−1, 1].
                surrogate: .straightThrough(height: 1, lower: -1, upper: 1),
                thresholdTraining: trainable ? .trained : .fixed))
            weightScale = s.amplitude / s.threshold
            next += 1
        case let pool as MaxPool:
            layers.append(MaxPool(pool.size, stride: pool.stride))
        case is Flatten:
            layers.append(Flatten())
        case is Dropout:
            continue
        default:
            preconditionFailure("makeSNN: unexpected layer \(layer.summary)")
        }
    }
    return (Sequential(layers), neurons)
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
        let outputs = dnn.forwardCollecting(Variable(batch), context: &context)
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

/// Estimator (b), layer by layer: for l = 1…L, convert layers < l with their fitted settings,
/// simulate the calibration images for T steps, record layer l's input currents I(1..T), and
/// fit (α, β) of layer l to the DNN's clip(x, 0, μ) on the same images and neurons.
func calibratedFits(dnn: Sequential, clips: [Float], clipIndices: [Int], images: Tensor,
                    timesteps: Int, start: MembraneStart, config: Config.ConversionConfig,
                    using rng: inout SeededGenerator) -> [FactorFit] {
    var context = ForwardContext.inference
    let dnnOutputs = dnn.forwardCollecting(Variable(images), context: &context)
    var fits: [FactorFit] = []
    var current = clips.map { SpikeLayerSetting(threshold: $0, amplitude: $0, start: start) }
    for l in clips.indices {
        let (snn, neurons) = makeSNN(from: dnn, settings: current, trainable: false)
        // Run the SNN up to the weight layer feeding neuron layer l: [T·N, …] time-major.
        var sim = ForwardContext.inference
        sim.timesteps = timesteps
        var h = Variable(SpikeEncoding.direct.encode(images, timesteps: timesteps, using: &rng))
        for layer in snn.layers[..<neurons[l]] { h = layer.forward(h, context: &sim) }
        let x = dnnOutputs[clipIndices[l] - 1].value.scalars   // DNN pre-activation [N·M]
        let m = x.count
        let picked = m > config.sampleLimit
            ? (0..<config.sampleLimit).map { _ in Int(rng.next() % UInt64(m)) } : Array(0..<m)
        let mu = clips[l]
        let targets = picked.map { Swift.min(Swift.max(x[$0], 0), mu) }
        var currents = [Float](repeating: 0, count: picked.count * timesteps)
        h.value.withUnsafeBufferPointer { p in
            for t in 0..<timesteps {
                for (j, i) in picked.enumerated() { currents[t * picked.count + j] = p[t * m + i] }
            }
        }
        let fit = ActivationFit.fitCalibrated(targets: targets, currents: currents, clip: Double(mu),
                                              timesteps: timesteps, start: start, grid: config.grid)
        fits.append(fit)
        current[l] = SpikeLayerSetting(threshold: Float(fit.factors.alpha) * mu,
                                       amplitude: Float(fit.factors.beta) * mu, start: start)
    }
    return fits
}

/// What one SNN evaluation measured.
struct SNNEvaluation: Codable, Equatable, Sendable {
    var timesteps: Int
    /// Accuracy after T steps (cumulative read-out of the non-spiking last layer).
    var accuracy: Double
    /// Spikes per neuron per step, per spiking layer.
    var firingRates: [Double]
    /// Spike events arriving at each layer per image over T steps (for the energy ledger).
    var inputSpikesPerImage: [Double]
    /// Thresholds V and leaks λ after fine-tuning (or as converted).
    var thresholds: [Double]
    var leaks: [Double]
}

func evaluate(_ snn: Sequential, neurons: [Int], on batches: MiniBatches, timesteps: Int,
              seed: UInt64) -> SNNEvaluation {
    var rng = SeededGenerator(seed: seed)
    let e = accuracyByTimestep(of: snn, on: batches, timesteps: timesteps, chunk: timesteps, using: &rng)
    let spiking = neurons.map { snn.layers[$0] as! SpikingNeuron }
    return SNNEvaluation(timesteps: timesteps, accuracy: e.accuracy[timesteps - 1],
                         firingRates: e.firingRates, inputSpikesPerImage: e.inputSpikesPerImage,
                         thresholds: spiking.map { Double($0.thresholdValue) },
                         leaks: spiking.map { Double($0.leakValue) })
}

/// Surrogate-gradient BPTT of the converted SNN at T (digest §2.6–2.7): direct input repeated
/// T times, logits = Σ_t W·x(t) (accumulated, not averaged), cross-entropy, Adam on weights,
/// thresholds V and leaks λ; after each step λ ← min(λ, 1) and V ← max(V, 10⁻³).
func fineTune(_ snn: Sequential, neurons: [Int], train: LabeledImages, normalization: Normalization,
              timesteps: Int, config: Config.FineTuneConfig, label: String,
              using rng: inout SeededGenerator) throws -> [Double] {
    var optimizer = Adam(learningRate: config.learningRate, amsgrad: true)
    let stepsPerEpoch = (train.count + config.batchSize - 1) / config.batchSize
    let progress = ProgressLine(label, epochs: config.epochs, stepsPerEpoch: stepsPerEpoch)
    let spiking = neurons.map { snn.layers[$0] as! SpikingNeuron }
    var losses: [Double] = []
    for epoch in 0..<config.epochs {
        let batches = train.shuffledBatches(size: config.batchSize, normalization: normalization, using: &rng)
        var lossSum = 0.0, correct = 0, seen = 0
        for (step, batch) in batches.enumerated() {
            optimizer.learningRate = LearningRateSchedule.step(milestones: [0.6, 0.8, 0.9], factor: 5)
                .rate(base: config.learningRate, step: epoch * stepsPerEpoch + step,
                      total: config.epochs * stepsPerEpoch)
            let n = batch.labels.count
            var context = ForwardContext(phase: .training, rng: rng.split())
            context.timesteps = timesteps
            let x = SpikeEncoding.direct.encode(batch.images, timesteps: timesteps, using: &rng)
            let out = snn.forward(Variable(x), context: &context)              // [T·N, K]
            var logits = out.slice(0..<n)
            for t in 1..<timesteps { logits = logits + out.slice(t * n..<(t + 1) * n) }  // [N, K]
            let loss = Variable.softmaxCrossEntropy(logits: logits, labels: batch.labels)
            try checkFinite(loss: loss.value.scalar, epoch: epoch, step: step)
            loss.backward()
            optimizer.step(snn.parameters)
            for neuron in spiking {
                neuron.leak.value[flat: 0] = Swift.min(neuron.leakValue, 1)
                neuron.threshold.value[flat: 0] = Swift.max(neuron.thresholdValue, 1e-3)
            }
            lossSum += Double(loss.value.scalar) * Double(n)
            correct += zip(logits.value.argmaxRows(), batch.labels).filter { $0 == $1 }.count
            seen += n
            progress.update(epoch: epoch, step: step, loss: lossSum / Double(seen),
                            accuracy: Double(correct) / Double(seen), samples: n)
        }
        losses.append(lossSum / Double(Swift.max(seen, 1)))
    }
    return losses
}

/// The inputs of the cached `dnn` stage.
struct DNNStage: Encodable { var data: Config.DataConfig; var dnn: Config.DNNConfig }
/// The inputs of the cached `finetune` stage.
struct FineTuneStage: Encodable { var finetune: Config.FineTuneConfig; var evaluation: Config.EvaluationConfig }

/// SGD with momentum, cross-entropy, lr ÷ 5 at 60/80/90 % of the steps (digest §3).
func trainDNN(_ network: Sequential, train: LabeledImages, normalization: Normalization,
              config: Config, using rng: inout SeededGenerator) throws {
    let c = config.dnn
    var optimizer = SGD(learningRate: c.learningRate, momentum: c.momentum,
                        weightDecay: c.weightDecay, decayScope: .all)
    let stepsPerEpoch = (train.count + c.batchSize - 1) / c.batchSize
    let schedule = LearningRateSchedule.step(milestones: [0.6, 0.8, 0.9], factor: 5)
    let progress = ProgressLine("DNN", epochs: c.epochs, stepsPerEpoch: stepsPerEpoch)
    for epoch in 0..<c.epochs {
        let batches = train.shuffledBatches(
            size: c.batchSize, augmentation: config.data.augment ? .standard : .none,
            normalization: normalization, using: &rng)
        var lossSum = 0.0, correct = 0, seen = 0
        for (step, batch) in batches.enumerated() {
            optimizer.learningRate = schedule.rate(base: c.learningRate, step: epoch * stepsPerEpoch + step,
                                                   total: c.epochs * stepsPerEpoch)
            let r = classificationStep(network, images: batch.images, labels: batch.labels,
                                       optimizer: &optimizer, rng: &rng)
            try checkFinite(loss: r.loss, epoch: epoch, step: step)
            lossSum += Double(r.loss) * Double(r.count); correct += r.correct; seen += r.count
            progress.update(epoch: epoch, step: step, loss: lossSum / Double(seen),
                            accuracy: Double(correct) / Double(seen), samples: r.count)
        }
    }
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
            ProgressLine.writeToStandardOutput("\r  SNN-calibrated fit, T = \(t), U(0) = \(start.rawValue) …\u{1B}[K")
            entries.append(.init(estimator: .snnCalibrated, start: start, timesteps: t, fits: calibratedFits(
                dnn: dnn, clips: clips, clipIndices: clipIndices, images: calibration, timesteps: t,
                start: start, config: config, using: &rng)))
        }
    }
    ProgressLine.writeToStandardOutput("\r\u{1B}[K")
    return FitStage(distributions: distributions, table: table, factors: FittedFactors(entries: entries))
}
