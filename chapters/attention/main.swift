// chapter-attention — attention-guided compression of deep SNNs (sparse momentum + AT).
//
// Paper:
//   S. Kundu, G. Datta, M. Pedram, P. A. Beerel, "Spike-Thrift: Towards Energy-Efficient Deep
//   Spiking Neural Networks by Limiting Spiking Activity via Attention-Guided Compression",
//   WACV 2021, pp. 3953–3962; and "Towards Low-Latency Energy-Efficient Deep SNNs via
//   Attention-Guided Compression", arXiv:2107.12445 (2021).
//
// Claim tested (the paper's; the verdict is generated from results.json):
// a single sparse-learning run guided by the attention maps of a dense
// meta-model compresses the network up to 33.4× (paper, VGG/CIFAR) with no significant
// accuracy drop, and the compressed SNN (direct input, T = 5, trainable leak and threshold,
// masks fixed) spends several times less compute energy than an ANN with as many parameters
// (read two ways: the sparse ANN itself, and a dense, narrower ANN with as many weights).
//
// In this chapter you will:
//   • train a dense meta-model, then compressed students in three arms — sparse momentum with
//     and without attention transfer, and one-shot magnitude pruning + fine-tuning;
//   • watch the budget stay exact while layer densities emerge from momentum redistribution;
//   • convert dense and sparse ANNs to LIF SNNs, train them at T = 5 and count accumulates
//     over non-zero synapses only;
//   • set the compressed SNN against a dense ANN with as many weights (narrower, same depth):
//     which is more accurate, and which spends less energy?
//
// Commands (2-core laptop; see README for measured times):
//   swift run chapter-attention --profile smoke    # seconds
//   swift run chapter-attention                     # quick, Fashion-MNIST / VGG-S
//   swift run chapter-attention --profile paper     # VGG16 / CIFAR-10; needs data/, days on CPU
//
// Deviations from the paper (every [proposed] choice; details in README.md):
//   • The paper body is unavailable (NOTES.md "Read this first"): the assembly of sparse momentum
//     (Dettmers) + AT (Zagoruyko) + DIET-style SNN training is [proposed].
//   • Quick: Fashion-MNIST 5k, VGG-S at half width, 4 + 3 epochs, Adam + cosine; students
//     start from the meta-model's weights with the one-shot global-magnitude mask (paper: [?]).
//   • Momentum for regrowth is Adam's m/(√v + ε) (Dettmers' reading of Adam), kept for
//     masked weights too; AT points = end of each conv stage; β_AT chosen on held-out training
//     images from 1000 (the paper's), 10⁴ and 10⁵.
//   • Channel variant: channels ranked once by the meta-model's per-channel attention and kept
//     fixed (momentum regrowth is dead for pruned filters: ReLU′(0) = 0), then AT fine-tuning.
//   • SNN: θ = 0.3·P99.7 after masking, LIF λ = 1 initially, spikes of amplitude θ, 1 epoch.

import ArgumentParser
import AttentionMethod
import ChapterSupport
import RunRecords
import Datasets
import EnergyEstimation
import Figures
import Foundation
import SNNConversion
import Statistics
import TensorCore
import NeuralNetworks

// MARK: - 0. Setup

struct Arguments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chapter-attention",
        abstract: "Attention-guided compression of deep SNNs (Kundu et al., WACV 2021).")

    /// What each option accepts, declared once: shown in --help, checked in validate()
    /// before any work (a bad value stops with the usage and exit status 64).
    enum Rule {
        static let beta = OptionRule<Float>.weight("--beta")
        static let density = OptionRule.density
    }

    @OptionGroup var chapter: ChapterOptions
    @Option(help: Rule.beta.help("β of L = CE + β·L_AT (0 turns attention transfer off)."))
    var beta: Float?
    @Option(help: Rule.density.help("Target densities (repeatable), e.g. --density 0.05."))
    var density: [Double] = []

    /// The ranges, then what the network needs: a density so low that a layer would keep
    /// fewer weights than it has output units stops here too, naming the smallest that works.
    func validate() throws {
        try Rule.beta.check(beta)
        try Rule.density.check(density)
        var config = Config.preset(chapter.profile)
        let dataset = chapter.dataset ?? config.data.dataset
        if !density.isEmpty { config.student.densities = density }
        do {
            try checkDensities(config, imageShape: dataset.imageShape, classes: dataset.classCount)
        } catch let error as ChapterError {
            throw ValidationError(error.description)
        }
    }
}

let arguments = Arguments.parseOrExit(exercises: attentionExercises, options: \.chapter)  // Exercises.swift
runChapter {
let context = try ChapterContext(chapter: "attention", options: arguments.chapter,
                                 stages: ["meta", "students", "channels", "iso-ann", "snn"])
let config = Config.preset(context.profile).modified { c in
    if let dataset = context.dataset { c.data.dataset = dataset }
    if let b = arguments.beta { c.student.beta = b }
    if !arguments.density.isEmpty { c.student.densities = arguments.density }
}
context.applyBackends()
let exercise = try attentionExercises.prepare(context)  // --exercise N: the plain run's results, read now
let output = try context.claimOutput()  // folders checked and locked before any work
let cache = context.makeStageCache()
// Every stage draws from its own named stream, so a stage loaded from the cache never changes
// the numbers a later stage draws: SeededGenerator(seed:stream:).
func stream(_ name: String) -> SeededGenerator { SeededGenerator(seed: context.seed, stream: name) }
print("chapter-attention  profile \(context.profile.rawValue)  seed \(context.seed)")
try printResolvedConfig(config)

// MARK: - 1. Data
// Standardised images; the SNN receives the same image as a constant current every step.

let fullTrain = try context.loadDataset(config.data.dataset, split: .train)
let fullTest = try context.loadDataset(config.data.dataset, split: .test)
var dataRNG = stream("data")
// The same draws as a stratified subset; the indices also name the images the students never see.
let trainIndices = fullTrain.stratifiedIndices(limit: config.data.trainLimit, using: &dataRNG)
let train = trainIndices.count == fullTrain.count ? fullTrain : fullTrain.selecting(trainIndices)
let test = config.data.testLimit.map { fullTest.stratifiedSubset(limit: $0, using: &dataRNG) } ?? fullTest
let simulated = config.data.simulatedTestLimit.map { test.stratifiedSubset(limit: $0, using: &dataRNG) } ?? test
let normalization = Normalization(fittedTo: train)
let imageShape = train.imageShape, classes = train.classCount
let testBatches = test.batches(size: 500, normalization: normalization)
let simulatedBatches = simulated.batches(size: 250, normalization: normalization)
print("data: \(config.data.dataset.title), \(train.count) train, \(test.count) test "
      + "(\(simulated.count) simulated), image \(imageShape)")

// MARK: - 2. Train the dense meta-model ANN
// VGG, bias-free, no BatchNorm, average pooling: conversion needs no folding.

let (meta, metaKey, _) = try cache.stage(
    "meta", version: 2, config: MetaStage(data: config.data, model: config.model, meta: config.meta),
    encode: { try NetworkState.encode($0) },
    decode: { try restore($0, config: config, imageShape: imageShape, classes: classes) }
) { progress -> Sequential in
    var rng = stream("meta")
    let network = makeVGG(config.model, imageShape: imageShape, classes: classes, using: &rng)
    let m = config.meta
    _ = try cache.measure("meta training") {  // wall time: run-log.json only
        try trainStudent(network, label: "meta", teacher: nil, beta: 0, sparse: nil, epochs: m.epochs,
                         batchSize: m.batchSize, learningRate: m.learningRate, weightDecay: m.weightDecay,
                         pruneRate: PruneRateSchedule(), train: train, normalization: normalization,
                         rng: &rng, checkpoints: progress.checkpoints)
    }
    return network
}
// Which test images the dense meta-model gets right: the reference of the paired claims.
let metaOutcomes = ImageOutcomes(classificationCorrectness(meta, batches: testBatches))
let metaAccuracy = metaOutcomes.accuracy
let totalWeights = weightParameters(of: meta).reduce(0) { $0 + $1.value.count }
print("meta-model ANN test accuracy (\(test.count) images): \(percentWithError(metaAccuracy, images: test.count)) % "
      + "(± binomial s.e.)")
try cache.requireAboveChance(metaKey, accuracy: metaAccuracy, images: test.count, classes: classes)
print("weights: \(totalWeights) in \(weightParameters(of: meta).count) conv/linear layers")

// MARK: - 3. Compressed students: three arms × densities
// (ii) L = CE + β_AT·Σ_j mean(q_S^j − q_M^j)²,  q = F/‖F‖,  F(h,w) = (1/C)Σ_c A_c(h,w)²
// (i)  L = CE;  both: prune ⌈p·nnz_l⌉ smallest |w|, regrow by |momentum|, p = cosine(0.5 → 0.005)
// (iii) keep the top-d |w| of the meta-model globally, fine-tune with the mask fixed.

/// One student, trained (or loaded) with the settings `s`: its checkpoint, key and network.
func trainedStudent(_ arm: Arm, density: Double, settings s: Config.StudentConfig) throws
    -> (model: TrainedModel, key: StageKey, network: Sequential) {
        let name = "\(arm.rawValue)-\(density)"
        let (model, key, _) = try cache.stage(
            "students", version: 2, config: StudentStage(arm: arm.rawValue, density: density, student: s),
            dependsOn: [metaKey]) { progress -> TrainedModel in
            var rng = stream("students/\(name)")
            let network = s.startFromMeta || arm == .oneShot
                ? try restore(NetworkState.encode(meta), config: config, imageShape: imageShape, classes: classes)
                : makeVGG(config.model, imageShape: imageShape, classes: classes, using: &rng)
            var sparse: SparseMomentum? = nil
            if arm == .oneShot {
                applyGlobalMagnitudeMasks(to: weightParameters(of: network), density: density)
            } else {
                sparse = SparseMomentum(weights: weightParameters(of: network), density: density,
                                        initialisation: s.initialMasks, using: &rng)
            }
            let (trace, _) = try cache.measure("students \(name) training") {
                try trainStudent(
                    network, label: name, teacher: arm == .sparseMomentumAT ? meta : nil, beta: s.beta,
                    sparse: sparse, epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate,
                    weightDecay: s.weightDecay,
                    pruneRate: PruneRateSchedule(initial: s.initialPruneRate, minimum: s.minimumPruneRate),
                    train: train, normalization: normalization, rng: &rng, checkpoints: progress.checkpoints)
            }
            return TrainedModel(state: try NetworkState.encode(network), trace: trace)
        }
        // The checkpoint holds the masks: the restored student is exactly the trained one.
        return (model, key, try restore(model.state, config: config, imageShape: imageShape, classes: classes))
}

// β_AT on held-out training images (BetaSelection): the attention-guided student at one density,
// once per candidate (same masks, initial weights and batches), scored on training images no
// student trains on. `--beta` sets it instead.
var studentSettings = config.student
var betaSelection: BetaSelection?
if arguments.beta == nil, config.betaSelection.candidates.count > 1 {
    let choice = config.betaSelection
    let unused = fullTrain.indices(excluding: trainIndices)
    guard choice.heldOutImages >= 1, choice.heldOutImages <= unused.count else {
        throw ChapterError.invalidConfiguration(
            "betaSelection.heldOutImages = \(choice.heldOutImages) must be between 1 and the \(unused.count) "
            + "training images outside the students' training subset.")
    }
    var heldOutRNG = stream("held-out")
    let heldOut = fullTrain.selecting(fullTrain.stratifiedIndices(among: unused, limit: choice.heldOutImages,
                                                                  using: &heldOutRNG))
    let heldOutBatches = heldOut.batches(size: 500, normalization: normalization)
    var trials: [BetaSelection.Trial] = []
    for beta in choice.candidates {
        var settings = studentSettings
        settings.beta = beta
        let candidate = try trainedStudent(.sparseMomentumAT, density: choice.density, settings: settings)
        let trial = BetaSelection.Trial(
            beta: beta, heldOutAccuracy: Double(classificationAccuracy(candidate.network, batches: heldOutBatches)),
            attentionShareOfLoss: BetaSelection.attentionShare(beta: beta, trace: candidate.model.trace))
        trials.append(trial)
        print("β_AT = \(fmt(Double(beta), 0)): AT student d = \(choice.density) \(fmt(100 * trial.heldOutAccuracy, 2)) % "
              + "on \(heldOut.count) held-out training images; β_AT·L_AT is \(fmt(100 * trial.attentionShareOfLoss, 1)) % "
              + "of its last epoch's loss")
    }
    let selection = BetaSelection(density: choice.density, heldOutImages: heldOut.count, trials: trials)
    studentSettings.beta = selection.choice.beta
    betaSelection = selection
    print("β_AT = \(fmt(Double(selection.choice.beta), 0)) kept (the most accurate on the held-out images)")
}
let s = studentSettings

var students: [StudentResult] = []
var studentNets: [String: (Sequential, StageKey)] = [:]
for density in s.densities {
    for arm in s.arms {
        let name = "\(arm.rawValue)-\(density)"
        let (model, key, network) = try trainedStudent(arm, density: density, settings: s)
        // §8.4 effect 1, asserted: the non-zero count equals the budget after every prune/regrow.
        precondition(model.trace.nonZeroAfterRewiring.allSatisfy { $0 == model.trace.budget },
                     "\(name): non-zero count drifted from the budget")
        let outcomes = ImageOutcomes(classificationCorrectness(network, batches: testBatches))
        let result = StudentResult(
            arm: arm, density: density, annAccuracy: outcomes.accuracy, outcomes: outcomes,
            compressionRatio: compressionRatio(of: network),
            convCompressionRatio: compressionRatio(of: network, convolutionsOnly: true),
            layerDensities: layerDensities(of: network), trace: model.trace)
        print("\(arm.title.padding(toLength: 26, withPad: " ", startingAt: 0)) d = \(density): "
              + "ANN acc \(fmt(100 * result.annAccuracy, 2)) %, CR \(fmt(result.compressionRatio, 1))× "
              + "(conv \(fmt(result.convCompressionRatio, 1))×), layer densities "
              + result.layerDensities.map { fmt($0, 3) }.joined(separator: " "))
        try cache.requireAboveChance(key, network: name, accuracy: result.annAccuracy, images: test.count,
                                     classes: classes)
        students.append(result)
        studentNets[name] = (network, key)
    }
}

// Channel variant [proposed]: keep ⌈f·C⌉ channels per conv ranked by the meta-model's
// s_c = mean A_c², train with AT under the fixed channel masks, then physically shrink.
var channelResults: [ChannelResult] = []
var channelNets: [Double: (Sequential, StageKey)] = [:]
let rankingImages = train.batches(size: config.channels.rankingImages, normalization: normalization)[0].images
for fraction in config.channels.keptFractions {
    let masks = channelMasksByAttention(of: meta, images: rankingImages, keptFraction: fraction)
    let (model, key, _) = try cache.stage(
        "channels", version: 2, config: ChannelStage(fraction: fraction, student: s, channels: config.channels),
        dependsOn: [metaKey]) { progress -> TrainedModel in
        var rng = stream("channels/\(fraction)")
        let network = try restore(NetworkState.encode(meta), config: config, imageShape: imageShape,
                                  classes: classes)
        applyChannelMasks(masks, to: network, inputShape: imageShape)
        var (trace, _) = try cache.measure("channels-\(fraction) training") {
            try trainStudent(
                network, label: "channels-\(fraction)", teacher: meta, beta: s.beta, sparse: nil,
                epochs: config.channels.epochs, batchSize: s.batchSize, learningRate: s.learningRate,
                weightDecay: s.weightDecay, pruneRate: PruneRateSchedule(), train: train,
                normalization: normalization, rng: &rng, checkpoints: progress.checkpoints)
        }
        trace.keptChannels = masks.map { $0.filter { $0 }.count }
        return TrainedModel(state: try NetworkState.encode(network), trace: trace)
    }
    let masked = try restore(model.state, config: config, imageShape: imageShape, classes: classes)
    let small = shrinkChannels(masked, channels: masks, inputShape: imageShape)
    let probe = testBatches[0].images
    let shrinkError = Double(zip(masked(probe).scalars, small(probe).scalars).map { abs($0 - $1) }.max() ?? 0)
    let result = ChannelResult(
        keptFraction: fraction, keptChannels: model.trace.keptChannels ?? [],
        annAccuracy: Double(classificationAccuracy(small, batches: testBatches)),
        compressionRatio: Double(totalWeights) / Double(weightParameters(of: small).reduce(0) { $0 + $1.value.count }),
        macsRatio: EnergyLedger.ann(meta, inputShape: imageShape).totalMACs / EnergyLedger.ann(small, inputShape: imageShape).totalMACs,
        maxShrinkError: shrinkError, layerDensities: layerDensities(of: masked))
    print("channels f = \(fraction): kept \(result.keptChannels), ANN acc \(fmt(100 * result.annAccuracy, 2)) %, "
          + "CR \(fmt(result.compressionRatio, 1))×, MACs ÷\(fmt(result.macsRatio, 1)), "
          + "shrunk vs masked max |Δlogit| \(String(format: "%.1e", shrinkError))")
    try cache.requireAboveChance(key, network: "channels-\(fraction)", accuracy: result.annAccuracy,
                                 images: test.count, classes: classes)
    channelResults.append(result)
    channelNets[fraction] = (small, key)
}

// The iso-parameter dense ANN: the paper compares the compressed SNN's energy with "iso-parameter
// ANNs". Read here as a dense network with as many weights as the sparse student at the energy
// density keeps — VGG-S narrowed by one width factor — trained with the meta-model's schedule on
// the same images. (The sparse ANN with the student's own mask is the other reading; both are
// in the energy table.)
let isoTarget = Int((Double(totalWeights) * config.snn.energyDensity).rounded())
let (isoModel, isoWidthFactor) = isoParameterModel(config.model, target: isoTarget, imageShape: imageShape,
                                                   classes: classes)
let (isoState, isoKey, _) = try cache.stage(
    "iso-ann", version: 1, config: MetaStage(data: config.data, model: isoModel, meta: config.meta)
) { progress -> Data in
    var rng = stream("iso-ann")
    let network = makeVGG(isoModel, imageShape: imageShape, classes: classes, using: &rng)
    let m = config.meta
    _ = try cache.measure("iso-parameter ANN training") {
        try trainStudent(network, label: "iso-parameter ANN", teacher: nil, beta: 0, sparse: nil, epochs: m.epochs,
                         batchSize: m.batchSize, learningRate: m.learningRate, weightDecay: m.weightDecay,
                         pruneRate: PruneRateSchedule(), train: train, normalization: normalization,
                         rng: &rng, checkpoints: progress.checkpoints)
    }
    return try NetworkState.encode(network)
}
let isoANN = try restore(isoState, model: isoModel, imageShape: imageShape, classes: classes)
precondition(weightParameters(of: isoANN).reduce(0) { $0 + $1.value.count }
                 == weightCount(isoModel, imageShape: imageShape, classes: classes),
             "the iso-parameter search counted other weights than the network has")
let isoResult = IsoParameterANN(
    model: isoModel, widthFactor: isoWidthFactor, targetWeights: isoTarget,
    weights: weightParameters(of: isoANN).reduce(0) { $0 + $1.value.count },
    annAccuracy: Double(classificationAccuracy(isoANN, batches: testBatches)),
    outcomesOnSimulated: ImageOutcomes(classificationCorrectness(isoANN, batches: simulatedBatches)),
    picojoules: EnergyLedger.ann(isoANN, inputShape: imageShape).totalPicojoules)
print("iso-parameter dense ANN (widths × \(fmt(isoWidthFactor, 3)): conv \(isoModel.convolutionWidths), hidden \(isoModel.classifier)): "
      + "\(isoResult.weights) weights (target \(isoTarget)), test accuracy \(percentWithError(isoResult.annAccuracy, images: test.count)) %")
try cache.requireAboveChance(isoKey, network: "iso-parameter ANN", accuracy: isoResult.annAccuracy, images: test.count,
                             classes: classes)

// MARK: - 4. Convert and train the SNNs (T = 5, direct input, masks fixed)
// θˡ = c·P_99.7(masked ANN), c the threshold scale (0.3). LIF: h[t] = λ·u[t−1] + W·o[t],
// s[t] = 1 if h[t] ≥ θ, u[t] = h[t] − θ·s[t] (h before the reset, u after it);
// λ and θ per layer trained with BPTT (surrogate 0.3·max(0, 1 − |h/θ − 1|)), λ ≤ 1.

var snnModels: [(name: String, ann: Sequential, key: StageKey, density: Double?, channel: Double?)] =
    [("dense", meta, metaKey, 1, nil)]
for arm in config.snn.sparseArms { for d in s.densities where s.arms.contains(arm) {
    let (net, key) = studentNets["\(arm.rawValue)-\(d)"]!
    snnModels.append(("\(arm.rawValue)-\(d)", net, key, d, nil))
} }
for f in config.snn.channelFractions { if let (net, key) = channelNets[f] { snnModels.append(("channels-\(f)", net, key, nil, f)) } }

var snnResults: [SNNResult] = []
let T = config.snn.timesteps
for model in snnModels {
    let (trained, snnKey, _) = try cache.stage(
        "snn", version: 2, config: SNNStage(model: model.name, conversion: config.conversion, snn: config.snn),
        dependsOn: [model.key]) { progress -> TrainedSNN in
        var rng = stream("snn/\(model.name)")
        let c = config.conversion, sc = config.snn
        let (r, _) = try cache.measure("snn \(model.name) training") {
            try trainedSNN(from: model.ann, label: "snn \(model.name)", percentile: c.percentile,
                           scale: c.scale, calibrationBatches: c.calibrationBatches,
                           calibrationBatchSize: c.calibrationBatchSize, timesteps: sc.timesteps,
                           epochs: sc.epochs, batchSize: sc.batchSize, learningRate: sc.learningRate,
                           trainLimit: sc.trainLimit, train: train, normalization: normalization,
                           rng: &rng, checkpoints: progress.checkpoints)
        }
        return TrainedSNN(state: try NetworkState.encode(r.snn), thresholdsBefore: r.thresholdsBefore.map(Double.init))
    }
    let snn = try restoreSNN(trained.state, like: model.ann, thresholds: trained.thresholdsBefore.map(Float.init))
    try context.exportNIR(snn, name: "snn \(model.name)", inputShape: imageShape, normalization: normalization)

    // MARK: - 5. Evaluate
    // Accumulates over non-zero synapses only: AC_l = d_l · spikes_in,l · fan-out_l;
    // first layer: analog input is constant in time, so W₁·x is computed once: MACs₁ × d₁.
    var simulationRNG = stream("evaluate/\(model.name)")
    let evaluation = cache.timed("evaluate-\(model.name)") {
        // Groups of 50 images (every image is simulated on its own, so the grouping changes no
        // number): their spike counts give the energy estimate a standard error.
        accuracyByTimestep(of: snn, on: simulated.batches(size: 50, normalization: normalization), timesteps: T,
                           chunk: T, using: &simulationRNG) { _, _ in }
    }
    let densities = layerDensities(of: snn)
    let ledger = EnergyLedger.snn(snn, inputShape: imageShape, inputSpikesPerImage: evaluation.inputSpikesPerImage,
                                  timesteps: T, analogInput: .once).sparse(densities: densities)
    let picojoulesByBatch = evaluation.inputSpikesPerImageByBatch.map {
        EnergyLedger.snn(snn, inputShape: imageShape, inputSpikesPerImage: $0, timesteps: T, analogInput: .once)
            .sparse(densities: densities).totalPicojoules
    }
    let result = SNNResult(
        name: model.name, density: model.density, channelFraction: model.channel,
        compressionRatio: Double(totalWeights) / Double(weightParameters(of: snn).reduce(0) { $0 + $1.nonZeroCount }),
        annAccuracyOnSimulated: Double(classificationAccuracy(model.ann, batches: simulatedBatches)),
        accuracy: evaluation.accuracy.last!, outcomes: evaluation.outcomes(at: T),
        accuracyByTimestep: evaluation.accuracy,
        spikesPerNeuron: evaluation.firingRates.map { $0 * Double(T) },
        thresholds: snn.spikingLayers.map { Double($0.thresholdValue) },
        leaks: snn.spikingLayers.map { Double($0.leakValue) },
        macs: ledger.totalMACs, accumulates: ledger.totalAccumulates, picojoules: ledger.totalPicojoules,
        picojoulesByBatch: picojoulesByBatch)
    print("SNN \(model.name.padding(toLength: 24, withPad: " ", startingAt: 0)) CR \(fmt(result.compressionRatio, 1))×: "
          + "acc T=\(T) \(fmt(100 * result.accuracy, 2)) % (its ANN \(fmt(100 * result.annAccuracyOnSimulated, 2)) %), "
          + "ACs \(String(format: "%.3g", result.accumulates)), spikes/neuron "
          + result.spikesPerNeuron.map { fmt($0, 2) }.joined(separator: " "))
    try cache.requireAboveChance(snnKey, network: "snn \(model.name)", accuracy: result.accuracy,
                                 images: simulated.count, classes: classes)
    snnResults.append(result)
}

// Energy of the five models relative to the dense ANN (45 nm fp32: MAC 4.6 pJ, AC 0.9 pJ).
let denseANN = EnergyLedger.ann(meta, inputShape: imageShape)
let isoName = "\(Arm.sparseMomentumAT.rawValue)-\(config.snn.energyDensity)"
let sparseANN = studentNets[isoName].map { EnergyLedger.ann($0.0, inputShape: imageShape).sparse(densities: layerDensities(of: $0.0)) }
var energy: [EnergyRow] = [EnergyRow(model: "dense ANN", picojoules: denseANN.totalPicojoules, relativeToDenseANN: 1)]
if let sparseANN { energy.append(EnergyRow(model: "sparse ANN (d = \(config.snn.energyDensity))", picojoules: sparseANN.totalPicojoules,
                                           relativeToDenseANN: sparseANN.totalPicojoules / denseANN.totalPicojoules)) }
energy.append(EnergyRow(model: isoParameterRowName, picojoules: isoResult.picojoules,
                        relativeToDenseANN: isoResult.picojoules / denseANN.totalPicojoules))
for r in snnResults where r.name == "dense" || r.name == isoName || r.channelFraction != nil {
    energy.append(EnergyRow(model: r.name == "dense" ? "dense SNN" : r.channelFraction != nil ? "channel SNN (f = \(r.channelFraction!))" : "sparse SNN (d = \(config.snn.energyDensity))",
                            picojoules: r.picojoules, relativeToDenseANN: r.picojoules / denseANN.totalPicojoules))
}
printSection("Compute energy per image relative to the dense ANN")
printTable(headers: ["model", "energy (µJ)", "÷ dense ANN"],
           rows: energy.map { [$0.model, fmt($0.picojoules / 1e6, 3), fmt($0.relativeToDenseANN, 4)] })

// MARK: - 6. Results and figures

var metrics = Metrics(
    metaAccuracy: metaAccuracy, metaOutcomes: metaOutcomes, testImages: test.count, simulatedImages: simulated.count, timesteps: T,
    totalWeights: totalWeights, paperCompressionRatio: 33.4, students: students, channels: channelResults,
    snns: snnResults, energy: energy, effects: [], betaSelection: betaSelection, isoParameterANN: isoResult)
metrics.effects = checkEffects(metrics)
printSection("Mechanism checks (NOTES.md §8.4, exact on this run)")
for e in metrics.effects { print("\(e.holds ? "yes" : "no ")  \(e.effect): \(e.detail)") }
// The paper's claims (and §8.4's reading of them), paired image by image (Report.swift).
let claims = attentionClaims(metrics)
printSection("Claims tested (effect ± s.e.; rule: \(ClaimTest.rule))")
for claim in claims { print(claim.consoleLine) }
let best = students.filter { $0.arm == .sparseMomentumAT }.max { $0.compressionRatio < $1.compressionRatio }
print("largest compression here: \(fmt(best?.compressionRatio ?? 1, 1))× (paper: 33.4×, VGG/CIFAR, copied by hand)")
try cache.timed("figures") {
    try writeFigures(metrics, meta: meta, studentNets: studentNets.mapValues(\.0), config: config,
                     images: simulatedBatches[0].images, to: output.directory)
}
let record = try RunRecord(context: context, config: config, metrics: metrics,
                           summary: runSummary(metrics, config: config), claims: claims)
print("wrote \(try output.publish(record, timings: cache).path)")  // in one step
if context.writesReferenceReadme {  // an --output or bf16 run leaves the committed README alone
    try updateReadme(with: metrics, claims: claims, config: config, profile: context.profile)
}
try exercise.finish(record)  // an exercise's outcome (exercise.json) and README's exercises block
}

// MARK: - Exercises
// One option each, run with `--profile smoke --exercise N` after the plain smoke run
// (Exercises.swift computes the outcome; README.md's exercises block shows it):
// 1. `--profile smoke --beta 0`: the AT arm trains on CE alone. Does its gap to the plain
//    sparse-momentum arm close, or was it run-to-run spread all along?
// 2. `--profile smoke --beta 10000`: when does the AT term start hurting the task loss?
