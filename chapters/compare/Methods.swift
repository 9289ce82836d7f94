// The nine methods of chapter-compare as calls into the chapters' method libraries. Each
// runner is one cached stage whose output is the method's `MethodResult` (accuracy, spikes and
// energy at every T it allows, and its training cost in image·steps); main.swift narrates the
// order. Wall times are measured with `cache.measure` and go to run-log.json only.

import AttentionMethod
import ChapterSupport
import Datasets
import EnergyEstimation
import Foundation
import HoyerMethod
import HybridMethod
import SNNConversion
import Statistics
import UltralowMethod
import TensorCore
import Training
import NeuralNetworks
import Autodiff

/// What every method reads: the same training images, normalisation and test images, and the
/// shared ANN's energy ledger that every ratio divides by.
struct Bench {
    let train: LabeledImages
    let normalization: Normalization
    /// The full test images (the conversion bench's): every fixed-T method and every T ≤ 16.
    let test: LabeledImages
    let testBatches: MiniBatches
    let imageShape: [Int]
    let classes: Int
    /// The BN-folded ReLU ANN, fp32 45 nm: E_ANN = E_MAC·Σ MACs.
    let annLedger: EnergyLedger
    let seed: UInt64
}

/// A trained network's weights (the stage output of the shared ANNs).
struct TrainedNetwork: Codable {
    var state: Data
}

/// Training cost as a count, the same on every machine: epochs × training images × time steps
/// simulated per image (an ANN counts 1). A loop that drops a partial last batch trains on a
/// few images fewer; that is ignored here.
func trainingImageSteps(epochs: Int, images: Int, timesteps: Int = 1) -> Int {
    epochs * images * timesteps
}

/// Accuracy, spikes and energy of an SNN made of core `SpikingNeuron` layers at T steps:
///
///     spikes/neuron = Σ_l rₗ·nₗ·T / Σ_l nₗ     (rₗ spikes per neuron per step, nₗ neurons)
///     E_SNN = E_MAC·MACs₁·T + E_AC·Σ_{l≥2} spikes·fan-out   (× density d_l when sparse)
func spikingPoint(_ snn: Sequential, bench: Bench, timesteps t: Int, outcomes: ImageOutcomes,
                  firingRates: [Double], inputSpikesPerImage: [Double], densities: [Double]? = nil) -> Point {
    let geometry = snn.geometry(inputShape: bench.imageShape)
    let neurons = snn.spikingLayerIndices.map { Double(geometry[$0].output.reduce(1, *)) }
    precondition(neurons.count == firingRates.count, "one firing rate per spiking layer")
    let spikes = zip(firingRates, neurons).reduce(0) { $0 + $1.0 * $1.1 } * Double(t)
    func ratio(_ constants: EnergyConstants) -> Double {
        var ledger = EnergyLedger.snn(snn, inputShape: bench.imageShape, inputSpikesPerImage: inputSpikesPerImage,
                                      timesteps: t, analogInput: .everyStep, constants: constants)
        if let densities { ledger = ledger.sparse(densities: densities) }
        return ledger.ratio(to: bench.annLedger.priced(with: constants))
    }
    return Point(timesteps: t, accuracy: outcomes.accuracy, outcomes: outcomes,
                 spikesPerNeuron: spikes / Swift.max(neurons.reduce(0, +), 1),
                 energyRatioFloat32: ratio(.float32At45nm), energyRatioInt32: ratio(.int32At45nm))
}

// MARK: - Conversion: one simulation of T_max, every T from the cumulative read-out

/// A conversion's points at every T of `grid` up to its simulation's T_max: T ≤ the short
/// simulation's from the full test images (`fullTest`), larger T from the sweep's subset.
/// The operations at step count t are the spikes the simulation counted in its first t steps.
func conversionResult(key: String, name: String, chapter: String, snn: Sequential, sweep: TimestepEvaluation,
                      fullTest: TimestepEvaluation, bench: Bench, grid: [Int]) throws -> MethodResult {
    let (sweepSpikes, fullSpikes) = (try sweep.cumulativeInputSpikesPerImage(), try fullTest.cumulativeInputSpikesPerImage())
    let points = grid.filter { $0 <= sweep.accuracy.count }.map { t in
        let short = t <= fullTest.accuracy.count
        let e = short ? fullTest : sweep
        return spikingPoint(snn, bench: bench, timesteps: t, outcomes: e.outcomes(at: t), firingRates: e.firingRates,
                            inputSpikesPerImage: (short ? fullSpikes : sweepSpikes)[t - 1])
    }
    // Conversion trains nothing beyond its ANN (RNL's own ANN is added by main.swift).
    return MethodResult(key: key, name: name, chapter: chapter, cumulativeReadout: true, points: points,
                        trainingImageSteps: 0)
}

/// The two evaluations of a conversion (`ConversionBench.simulate`), as a stage output.
struct Simulations: Codable {
    var sweep: TimestepEvaluation
    var fullTest: TimestepEvaluation
}

/// RNL's conversion of its own ANN, simulated on the conversion bench's two test sets as the
/// shared conversions are (one cached stage of this chapter: its ANN is compare's).
func rnlConversionResult(snn: Sequential, conversionBench: ConversionBench, bench: Bench,
                         settings: ConversionSweepSettings, grid: [Int], cache: StageCache,
                         dependsOn: [StageKey]) throws -> MethodResult {
    let (simulations, _, _) = try cache.stage(
        "rnl", version: 6, config: settings, dependsOn: dependsOn  // 6: the conversion bench's two test sets
    ) { () -> Simulations in
        let (e, _) = cache.measure("rnl simulation") { conversionBench.simulate(snn, name: "RNL") }
        return Simulations(sweep: e.sweep, fullTest: e.fullTest)
    }
    return try conversionResult(key: "rnl", name: "RNL (Ding 2021)", chapter: "rnl", snn: snn,
                                sweep: simulations.sweep, fullTest: simulations.fullTest, bench: bench, grid: grid)
}

// MARK: - Ultra-low-latency fitted conversion (UltralowMethod), with and without fine-tuning

struct UltralowStage: Encodable { var ultralow: Config.UltralowConfig; var batchSize: Int }

/// μˡ = P_p(ReLU outputs); (α, β) fitted per layer and T on the partly converted SNN
/// (`calibratedFits`), θ = α·μ, a = β·μ, u[0] = `start`; then BPTT at each fine-tuning T.
func runUltralow(folded: Sequential, statistics: [ActivationStatistics], bench: Bench,
                 config: Config.UltralowConfig, cache: StageCache, dependsOn: [StageKey]) throws -> [MethodResult] {
    let (results, key, _) = try cache.stage(
        // 2: per-image outcomes; 3: no wall times in the output, training image·steps;
        // 5: the shared backbone, the full test set
        "ultralow", version: 5, config: UltralowStage(ultralow: config, batchSize: bench.testBatches.batchSize),
        dependsOn: dependsOn
    ) { progress -> [MethodResult] in
        let reluIndices = folded.layers.indices.filter { folded.layers[$0] is ReLU }
        let clips = statistics.map { $0.percentile(config.clipPercentile) }
        let calibration = bench.normalization.apply(
            to: bench.train.batches(size: config.method.calibrationImages)[0].images)
        let fitStart = ContinuousClock.now
        var settings: [Int: [SpikeLayerSetting]] = [:]
        for t in Set(config.timesteps + config.finetuneTimesteps).sorted() {
            rewriteLine("  fitting (α, β) per layer at T = \(t) …")
            var fitRNG = SeededGenerator(seed: bench.seed &+ 1)
            let fits = calibratedFits(dnn: folded, clips: clips, clipIndices: reluIndices, images: calibration,
                                      timesteps: t, start: config.method.start, sampleLimit: config.method.sampleLimit,
                                      grid: config.method.grid, using: &fitRNG)
            settings[t] = zip(fits, clips).map { fit, mu in
                SpikeLayerSetting(threshold: Float(fit.factors.alpha) * mu,
                                  amplitude: Float(fit.factors.beta) * mu, start: config.method.start)
            }
        }
        rewriteLine("")
        cache.record(seconds: secondsSince(fitStart), as: "ultralow fitting (α, β)")
        func measured(_ snn: Sequential, _ neurons: [Int], _ t: Int, _ name: String) -> Point {
            let (e, _) = cache.measure("\(name) inference T=\(t)") {
                evaluate(snn, neurons: neurons, on: bench.testBatches, timesteps: t, seed: bench.seed)
            }
            return spikingPoint(snn, bench: bench, timesteps: t, outcomes: e.outcomes, firingRates: e.firingRates,
                                inputSpikesPerImage: e.inputSpikesPerImage)
        }
        let fitted = config.timesteps.map { t in
            let (snn, neurons) = makeSNN(from: folded, settings: settings[t]!, trainable: false)
            return measured(snn, neurons, t, "ultralow-fitted")
        }
        var rng = SeededGenerator(seed: bench.seed &+ 2)
        let tuneTrain = bench.train.stratifiedSubset(limit: config.method.finetuneImages, using: &rng)
        let tuned = try config.finetuneTimesteps.map { t in
            let (snn, neurons) = makeSNN(from: folded, settings: settings[t]!, trainable: true)
            var tuneRNG = SeededGenerator(seed: bench.seed &+ UInt64(t))
            _ = try cache.measure("ultralow fine-tuning T=\(t)") {
                try fineTune(snn, neurons: neurons, train: tuneTrain, normalization: bench.normalization,
                             timesteps: t, epochs: config.method.finetuneEpochs, batchSize: config.method.finetuneBatchSize,
                             learningRate: config.method.finetuneLearningRate, label: "ultralow fine-tune T=\(t)",
                             using: &tuneRNG, checkpoints: progress.checkpoints)
            }
            return measured(snn, neurons, t, "ultralow-finetuned")
        }
        // BPTT at each fine-tuning T; the (α, β) fit only runs images forward.
        let tuneSteps = config.finetuneTimesteps.reduce(0) {
            $0 + trainingImageSteps(epochs: config.method.finetuneEpochs, images: tuneTrain.count, timesteps: $1)
        }
        return [
            MethodResult(key: "ultralow-fitted", name: "ultra-low-latency fitted α/β", chapter: "ultralow",
                         cumulativeReadout: false, points: fitted, trainingImageSteps: 0),
            MethodResult(key: "ultralow-finetuned", name: "ultra-low-latency + fine-tuning", chapter: "ultralow",
                         cumulativeReadout: false, points: tuned, trainingImageSteps: tuneSteps),
        ]
    }
    for point in results.first(where: { $0.key == "ultralow-finetuned" })?.points ?? [] {
        try cache.requireAboveChance(key, network: "ultralow fine-tune T=\(point.timesteps)", accuracy: point.accuracy,
                                     images: bench.test.count, classes: bench.classes)
    }
    return results
}

// MARK: - Single-spike hybrid encoding (HybridMethod): arm C of chapter-hybrid

struct HybridStage: Encodable { var hybrid: Config.HybridConfig; var calibrationBatches: Int }

func runHybrid(folded: Sequential, calibration: [Tensor], bench: Bench, config: Config.HybridConfig,
               cache: StageCache, dependsOn: [StageKey]) throws -> MethodResult {
    let (result, key, _) = try cache.stage(
        // 2: per-image outcomes; 3: no wall times in the output, training image·steps;
        // 4: the backbone's layers, the full test set
        "hybrid", version: 4, config: HybridStage(hybrid: config, calibrationBatches: calibration.count),
        dependsOn: dependsOn
    ) { progress -> MethodResult in
        let arm = config.method   // chapter-hybrid's arm C, from its preset of this profile
        var rng = SeededGenerator(seed: bench.seed &+ 3)
        let thresholds = try balanceThresholds(of: folded, on: calibration, using: .percentile(config.percentile),
                                               using: &rng)
        let outputThreshold = config.outputThresholdScale
            * logitPercentile(folded, on: calibration, percentile: config.percentile)
        let testBatches = bench.test.batches(size: bench.testBatches.batchSize).map {
            EncodedBatch(images: $0.images, labels: $0.labels, normalization: bench.normalization)
        }
        let r = try fineTune(arm, folded: folded, thresholds: thresholds, outputThreshold: outputThreshold,
                             timesteps: config.timesteps, epochs: config.epochs, imagesPerEpoch: config.imagesPerEpoch,
                             batchSize: config.batchSize, learningRate: config.learningRate,
                             calibrationBatches: config.calibrationBatches, percentile: config.percentile,
                             outputThresholdScale: config.outputThresholdScale, sweep: [], sweepImages: nil,
                             evaluationBatchSize: bench.testBatches.batchSize, train: bench.train,
                             normalization: bench.normalization, testBatches: testBatches, seed: bench.seed,
                             checkpoints: progress.checkpoints)
        cache.record(seconds: r.secondsPerEpoch, as: "hybrid fine-tuning per epoch")
        let e = r.evaluation
        // Energy, event view (each pre-pool spike charged the fan-out of its pooled element, the
        // convention of EnergyLedger.snn): first layer MACs at the one analog step + ACs.
        let snn = try spikingNetwork(from: folded, thresholds: r.thresholds.map(Float.init), hidden: arm.hidden)
        func ratio(_ c: EnergyConstants) -> Double {
            snnLedger(snn, inputShape: bench.imageShape, analogSteps: arm.encoding.analogSteps(timesteps: config.timesteps),
                      inputSpikesPerImage: e.inputSpikesPerImage, events: e.prePoolSpikesPerImage, constants: c)
                .ratio(to: bench.annLedger.priced(with: c))
        }
        let neurons = e.hiddenLayers.reduce(0) { $0 + Double($1.neurons) }
        let spikes = e.hiddenLayers.reduce(0) { $0 + $1.spikesPerNeuron * Double($1.neurons) }
        let point = Point(timesteps: config.timesteps, accuracy: e.accuracy, outcomes: e.outcomes,
                          spikesPerNeuron: spikes / Swift.max(neurons, 1),
                          energyRatioFloat32: ratio(.float32At45nm), energyRatioInt32: ratio(.int32At45nm))
        // fineTune's epochs: ⌊images/batch⌋ full batches of the (capped) images per epoch, T steps each.
        let images = config.imagesPerEpoch.map { Swift.min($0, bench.train.count) } ?? bench.train.count
        let perEpoch = Swift.max(1, images / config.batchSize) * config.batchSize
        return MethodResult(key: "hybrid", name: "hybrid single-spike (T = \(config.timesteps))", chapter: "hybrid",
                            cumulativeReadout: false, points: [point],
                            trainingImageSteps: trainingImageSteps(epochs: config.epochs, images: perEpoch,
                                                                   timesteps: config.timesteps))
    }
    try requireAboveChance(result, key: key, bench: bench, cache: cache)
    return result
}

// MARK: - Hoyer spike layer at T = 1 (HoyerMethod), trained from scratch

struct HoyerStage: Encodable {
    var features: [VGG.Item]
    var classifier: [Int]
    var hoyer: Config.HoyerConfig
    var batchSize: Int

    init(_ backbone: SharedBackbone, _ hoyer: Config.HoyerConfig, _ bench: Bench) {
        (features, classifier, self.hoyer) = (backbone.features, backbone.classifier, hoyer)
        batchSize = bench.testBatches.batchSize
    }
}

/// chapter-hoyer's VGG on the backbone's layers with its preset's dropout, surrogate and
/// regulariser: the Hoyer SNN (`mode` .hoyerSum) or, with `mode` nil, the ReLU ANN of the same
/// layers and initial weights.
func hoyerNetwork(mode: ThresholdMode?, bench: Bench, backbone: SharedBackbone, config: Config.HoyerConfig) -> Sequential {
    makeHoyerVGG(
        features: backbone.features, classifier: backbone.classifier, dropout: config.dropout,
        imageShape: bench.imageShape, classes: bench.classes, mode: mode,
        surrogateHeight: config.surrogateHeight,
        regularisation: HoyerSpike.Regularisation(weight: config.regularisationWeight, gradient: config.regulariserGradient),
        seed: bench.seed)
}

/// A trained method's result and the weights of the network it measured (`NetworkState`), so
/// that a run that loads the stage from the cache can still export that network (--export-nir).
struct TrainedMethod: Codable {
    var result: MethodResult
    var network: Data
}

/// With `checkRestored` the network rebuilt from the stage is run again and must classify every
/// test image as the stage recorded (before --export-nir writes it).
func runHoyer(bench: Bench, backbone: SharedBackbone, config: Config.HoyerConfig, cache: StageCache,
              dependsOn: [StageKey], checkRestored: Bool) throws -> (result: MethodResult, network: Sequential) {
    func makeNetwork() -> Sequential { hoyerNetwork(mode: .hoyerSum, bench: bench, backbone: backbone, config: config) }
    let (trained, key, _) = try cache.stage(
        // 2: per-image outcomes; 3: no wall times, training image·steps; 4: the network kept;
        // 5: the backbone's layers and images, the full test set
        "hoyer", version: 5, config: HoyerStage(backbone, config, bench), dependsOn: dependsOn
    ) { progress -> TrainedMethod in
        let network = makeNetwork()
        try cache.measure("hoyer training") {
            try trainHoyerNetwork(network, label: "hoyer", schedule: config.schedule,
                                  data: TrainingData(train: bench.train, normalization: bench.normalization,
                                                     augmentation: .none),
                                  seed: bench.seed &+ 1, checkpoints: progress.checkpoints)
        }
        let inference = ContinuousClock.now
        let (right, ones, elements) = hoyerInference(network, bench: bench)
        cache.record(seconds: secondsSince(inference), as: "hoyer inference T=1")
        let rates = zip(ones, elements).map { $0 / $1 }
        let layers = computeLayers(of: network, imageShape: bench.imageShape)
        func ratio(_ c: EnergyConstants) -> Double {
            energyLedger(layers, spikeRates: rates, constants: c).ratio(to: bench.annLedger.priced(with: c))
        }
        let outcomes = ImageOutcomes(right)
        let point = Point(timesteps: 1, accuracy: outcomes.accuracy, outcomes: outcomes,
                          spikesPerNeuron: ones.reduce(0, +) / Swift.max(elements.reduce(0, +), 1),
                          energyRatioFloat32: ratio(.float32At45nm), energyRatioInt32: ratio(.int32At45nm))
        let result = MethodResult(key: "hoyer", name: "Hoyer spike + regulariser (T = 1)", chapter: "hoyer",
                                  cumulativeReadout: false, points: [point],
                                  trainingImageSteps: trainingImageSteps(epochs: config.schedule.epochs,
                                                                         images: bench.train.count))
        return TrainedMethod(result: result, network: try NetworkState.encode(network))
    }
    try requireAboveChance(trained.result, key: key, bench: bench, cache: cache)
    let network = makeNetwork()
    try NetworkState.decode(trained.network, into: network)
    if checkRestored {
        try requireSameOutcomes(ImageOutcomes(hoyerInference(network, bench: bench).right), as: trained.result,
                                stage: "hoyer")
    }
    return (trained.result, network)
}

/// The ANN trained with Hoyer's budget: Hoyer's layers (conv → max-pool → BN) with ReLU instead of
/// the Hoyer spike, the same initial weights, training images, schedule and seed — chapter-hoyer's
/// ANN. Hoyer trains its SNN directly, so this (not the shared backbone, trained on more images
/// for more epochs) is the ANN whose accuracy it is claimed to keep. Returns which test images it
/// gets right.
func runHoyerANN(bench: Bench, backbone: SharedBackbone, config: Config.HoyerConfig, cache: StageCache,
                 dependsOn: [StageKey]) throws -> ImageOutcomes {
    let (outcomes, key, _) = try cache.stage(
        "hoyer-ann", version: 1, config: HoyerStage(backbone, config, bench), dependsOn: dependsOn
    ) { progress -> ImageOutcomes in
        let network = hoyerNetwork(mode: nil, bench: bench, backbone: backbone, config: config)
        try cache.measure("hoyer-ann training") {
            try trainHoyerNetwork(network, label: "hoyer-ann", schedule: config.schedule,
                                  data: TrainingData(train: bench.train, normalization: bench.normalization,
                                                     augmentation: .none),
                                  seed: bench.seed &+ 1, checkpoints: progress.checkpoints)
        }
        return ImageOutcomes(classificationCorrectness(network, batches: bench.testBatches))
    }
    try cache.requireAboveChance(key, network: "hoyer-ann", accuracy: outcomes.accuracy, images: bench.test.count,
                                 classes: bench.classes)
    return outcomes
}

/// T = 1: one inference pass of a Hoyer network over the test images; every spike layer
/// outputs o = [z ≥ E] ∈ {0, 1}. Returns which images it gets right, and per spike layer the
/// spikes and the neurons (× images) they were counted over.
func hoyerInference(_ network: Sequential, bench: Bench) -> (right: [Bool], ones: [Double], elements: [Double]) {
    let spikeIndices = network.spikingLayerIndices
    var ones = [Double](repeating: 0, count: spikeIndices.count), elements = ones
    var right: [Bool] = []
    for batch in bench.testBatches {
        var context = ForwardContext.inference
        let outputs = withoutGradients { network.forwardCollecting(Variable(batch.images), context: &context) }
        right += zip(outputs.last!.value.argmaxRows(), batch.labels).map { $0 == $1 }
        for (j, k) in spikeIndices.enumerated() {
            ones[j] += Double(outputs[k].value.sum())
            elements[j] += Double(outputs[k].value.count)
        }
    }
    return (right, ones, elements)
}

/// The network rebuilt from a stage's stored weights must be the network the stage measured:
/// the same images right and wrong (checked before it is exported).
private func requireSameOutcomes(_ outcomes: ImageOutcomes, as result: MethodResult, stage: String) throws {
    guard let recorded = result.points.last?.outcomes, outcomes == recorded else {
        throw ChapterError.invalidConfiguration(
            "the \(stage) network rebuilt from its cached stage does not classify the test images as the stage "
            + "recorded (\(outcomes.correctCount) right, recorded \(result.points.last?.outcomes.correctCount ?? 0)); "
            + "recompute it with --rerun \(stage)")
    }
}

// MARK: - Attention-guided compression (AttentionMethod): sparse student → SNN at T

struct AttentionStage: Encodable {
    var attention: Config.AttentionConfig
    var calibrationBatches: Int
    var calibrationBatchSize: Int
    var batchSize: Int
}

///
/// Returns the result and the SNN it measured (rebuilt from the stage's weights on the shared
/// folded ANN's layout, `folded`: the student has the same layers); with `checkRestored` that
/// SNN is simulated again and must classify every test image as the stage recorded.
func runAttention(ann: Sequential, folded: Sequential, restore: () throws -> Sequential, bench: Bench,
                  config: Config.AttentionConfig, conversion: Config.ConversionConfig, cache: StageCache,
                  dependsOn: [StageKey], checkRestored: Bool) throws -> (result: MethodResult, snn: Sequential) {
    let (trained, key, _) = try cache.stage(
        // 2: regrowth reads Adam's m/(√v + ε), masks in checkpoints; 3: per-image outcomes;
        // 4: no wall times in the output (run-log.json), training image·steps; 5: the SNN kept
        "attention", version: 7,  // 7: the shared backbone, the full test set
        config: AttentionStage(attention: config, calibrationBatches: conversion.calibrationBatches,
                               calibrationBatchSize: conversion.calibrationBatchSize,
                               batchSize: bench.testBatches.batchSize),
        dependsOn: dependsOn
    ) { progress -> TrainedMethod in
        // The shared ANN is the dense meta-model (teacher) and the student's starting point;
        // the student keeps `density` of its weights, starting from the global magnitude mask.
        let student = try restore()
        var rng = SeededGenerator(seed: bench.seed &+ 5)
        let sparse = SparseMomentum(weights: weightParameters(of: student), density: config.density,
                                    initialisation: .globalMagnitude, using: &rng)
        let start = ContinuousClock.now
        _ = try trainStudent(student, label: "attention student", teacher: ann, beta: config.method.beta, sparse: sparse,
                             epochs: config.method.epochs, batchSize: config.method.batchSize, learningRate: config.method.learningRate,
                             weightDecay: config.method.weightDecay,
                             pruneRate: PruneRateSchedule(initial: config.method.initialPruneRate,
                                                          minimum: config.method.minimumPruneRate),
                             train: bench.train, normalization: bench.normalization, rng: &rng,
                             checkpoints: progress.checkpoints)
        let folded = try foldBatchNorm(student)   // zero weights stay zero: W' = W·γ/√(σ² + ε)
        let (snn, _) = try trainedSNN(
            from: folded, label: "attention snn", percentile: config.method.percentile, scale: config.method.thresholdScale,
            calibrationBatches: conversion.calibrationBatches, calibrationBatchSize: conversion.calibrationBatchSize,
            timesteps: config.method.timesteps, epochs: config.method.snnEpochs, batchSize: config.method.snnBatchSize,
            learningRate: config.method.snnLearningRate, trainLimit: config.method.snnTrainLimit, train: bench.train,
            normalization: bench.normalization, rng: &rng, checkpoints: progress.checkpoints)
        cache.record(seconds: secondsSince(start), as: "attention student and SNN training")
        let T = config.method.timesteps
        let (e, _) = cache.measure("attention inference T=\(T)") { attentionInference(snn, bench: bench, timesteps: T) }
        let point = spikingPoint(snn, bench: bench, timesteps: T, outcomes: e.outcomes(at: T), firingRates: e.firingRates,
                                 inputSpikesPerImage: e.inputSpikesPerImage, densities: layerDensities(of: snn))
        // The student trains on every training image per epoch (ANN, T = 1), its SNN with BPTT at T.
        let snnImages = config.method.snnTrainLimit.map { Swift.min($0, bench.train.count) } ?? bench.train.count
        let steps = trainingImageSteps(epochs: config.method.epochs, images: bench.train.count)
            + trainingImageSteps(epochs: config.method.snnEpochs, images: snnImages, timesteps: T)
        let result = MethodResult(key: "attention", name: "attention-compressed (d = \(config.density), T = \(T))",
                                  chapter: "attention", cumulativeReadout: false, points: [point],
                                  trainingImageSteps: steps)
        return TrainedMethod(result: result, network: try NetworkState.encode(snn))
    }
    try requireAboveChance(trained.result, key: key, bench: bench, cache: cache)
    // Thresholds of the right count; the stored state overwrites them with the trained ones.
    let snn = try trainableSNN(from: folded, thresholds: [Float](repeating: 1, count: folded.layers.filter { $0 is ReLU }.count))
    try NetworkState.decode(trained.network, into: snn)
    if checkRestored {
        let T = config.method.timesteps
        try requireSameOutcomes(attentionInference(snn, bench: bench, timesteps: T).outcomes(at: T),
                                as: trained.result, stage: "attention")
    }
    return (trained.result, snn)
}

/// The attention SNN simulated for T steps on the test images (direct input).
func attentionInference(_ snn: Sequential, bench: Bench, timesteps T: Int) -> TimestepEvaluation {
    var simulationRNG = SeededGenerator(seed: bench.seed)
    return accuracyByTimestep(of: snn, on: bench.testBatches, timesteps: T, chunk: T, using: &simulationRNG)
}

/// The sanity gate's held-out test on a trained method's SNN: each of its points is measured on
/// the same test images.
private func requireAboveChance(_ result: MethodResult, key: StageKey, bench: Bench, cache: StageCache) throws {
    for point in result.points {
        try cache.requireAboveChance(key, network: "\(result.key) T=\(point.timesteps)", accuracy: point.accuracy,
                                     images: bench.test.count, classes: bench.classes)
    }
}
