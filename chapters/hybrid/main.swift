// chapter-hybrid — single-spike hybrid input encoding, trained with an STDB variant.
//
// Paper:
//   G. Datta, S. Kundu, P. A. Beerel, "Training Energy-Efficient Deep Spiking Neural Networks
//   with Single-Spike Hybrid Input Encoding", IJCNN 2021 (IEEE 9534306; arXiv:2107.12374).
//
// Claim tested (the paper's; the verdict is generated from results.json):
// feeding the analog image only at step 1 and a one-spike-per-pixel
// temporal code afterwards, with every hidden neuron limited to one spike per image, gives a
// T = 5 SNN within a few points of a DIET-style direct-input SNN with several times fewer
// spikes and compute energy (paper: 66.46 % on CIFAR-100 at T = 5, ≈125× less energy than the
// ANN).
//
// In this chapter you will:
//   • encode the same pixels as direct, Poisson and hybrid inputs and look at the rasters;
//   • fine-tune four SNNs (arms A–D of NOTES.md §8.2) from ONE shared ANN with BPTT at T = 5:
//     single-spike neurons (fired-flag mask) and the spike-time + membrane cross-entropy;
//   • count spikes per neuron per layer and price them (first-layer MACs once, then ACs).
//
// Commands (2-core laptop; measured times in README.md):
//   swift run chapter-hybrid --profile smoke     # about a minute
//   swift run chapter-hybrid                      # quick: Fashion-MNIST, VGG-S
//   swift run chapter-hybrid --profile paper      # VGG16 / CIFAR-100; needs data/, days on CPU
//
// Deviations from the paper (the paper's text was not available; see README.md):
//   • every [proposed] item of NOTES.md: temporal mapping A (paper preset; quick uses
//     NOTES.md's alternative C, signed, chosen on held-out images), fired-flag enforcement with
//     frozen membrane, loss Form 1 (ε = 0.1), surrogate V1 α = 0.3 β = 0.1 (paper preset;
//     quick uses NOTES.md's fallback V2, triangle γ = 0.3), threshold scale s = 0.3 and
//     s_out = 0.3, per-layer θ and λ trained as in DIET-SNN (θ_out fixed);
//   • single-spike thresholds: percentile of the PEAK membrane (integrated without firing)
//     under the arm's own input code, layer by layer; arm A uses ANN ReLU percentiles × 0.3
//     (DIET measures per-step currents of the SNN) and, at quick, fixed θ and λ;
//   • quick scale: 5 ANN epochs (Adam), 1 fine-tuning epoch of 1,920 images per arm, no
//     dropout in the SNN.

import ArgumentParser
import ChapterSupport
import RunRecords
import Datasets
import EnergyEstimation
import Figures
import Foundation
import HybridMethod
import SNNConversion
import Statistics
import TensorCore
import SpikingNeurons
import NeuralNetworks

// MARK: - 0. Setup

struct Arguments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chapter-hybrid",
        abstract: "Single-spike hybrid input encoding, trained with an STDB variant "
            + "(Datta et al., IJCNN 2021).")

    /// What each option accepts, declared once: shown in --help, checked in validate()
    /// before any work (a bad value stops with the usage and exit status 64).
    enum Rule {
        static let thresholdScale = OptionRule<Float>("--threshold-scale", above: 0)
        static let annEpochs = OptionRule.epochs("--ann-epochs")
        static let finetuneEpochs = OptionRule<Int>("--finetune-epochs", 0...10_000,
                                                    reason: "0 evaluates the converted SNN")
        static let finetuneLearningRate = OptionRule.learningRate("--finetune-learning-rate")
        /// The arms of the profile's preset and every ablation of its arm C.
        static func arms(_ profile: Profile, thresholdAndLeak: Training?) -> OptionRule<String> {
            OptionRule("--arms", oneOf: Config.selectableArmKeys(profile: profile,
                                                                 thresholdAndLeak: thresholdAndLeak),
                       reason: "the arms and ablations of the \(profile.rawValue) profile")
        }
    }

    @OptionGroup var chapter: ChapterOptions
    @Option(help: Rule.thresholdScale.help(
        "Threshold scale s of the single-spike arms (θ = s · percentile)."))
    var thresholdScale: Float?
    @Option(help: Rule.annEpochs.help("ANN training epochs.")) var annEpochs: Int?
    @Option(help: Rule.finetuneEpochs.help(
        "Fine-tuning epochs per arm (0: evaluate the converted SNN as calibrated)."))
    var finetuneEpochs: Int?
    @Option(help: Rule.finetuneLearningRate.help("Fine-tuning learning rate (Adam)."))
    var finetuneLearningRate: Float?
    @Option(help: "Hidden thresholds and leaks during fine-tuning: trained | fixed.")
    var thresholdAndLeak: Training?
    @Option(help: "Score the arms on the test images or on held-out training images: test | validation.")
    var evaluateOn: EvaluationSplit = .test
    @Option(parsing: .upToNextOption,
            help: ArgumentHelp(
                "Run only these arms and ablations of C (keys, e.g. A C C-V2), for experiments "
                    + "(values: the profile's arms and ablations of C; a wrong key lists them)."))
    var arms: [String] = []

    /// The chapter's own options as arguments that parse back to the same values (a worker
    /// process gets them with the shared ones).
    var chapterArguments: [String] {
        var arguments: [String] = []
        if let s = thresholdScale { arguments += ["--threshold-scale", "\(s)"] }
        if let e = annEpochs { arguments += ["--ann-epochs", "\(e)"] }
        if let e = finetuneEpochs { arguments += ["--finetune-epochs", "\(e)"] }
        if let r = finetuneLearningRate { arguments += ["--finetune-learning-rate", "\(r)"] }
        if let t = thresholdAndLeak { arguments += ["--threshold-and-leak", t.rawValue] }
        if evaluateOn != .test { arguments += ["--evaluate-on", evaluateOn.rawValue] }
        if !arms.isEmpty { arguments += ["--arms"] + arms }
        return arguments
    }

    func validate() throws {
        try Rule.thresholdScale.check(thresholdScale)
        try Rule.annEpochs.check(annEpochs)
        try Rule.finetuneEpochs.check(finetuneEpochs)
        try Rule.finetuneLearningRate.check(finetuneLearningRate)
        try Rule.arms(chapter.profile, thresholdAndLeak: thresholdAndLeak).check(arms)
    }
}
extension Training: ExpressibleByArgument {}

let arguments = Arguments.parseOrExit(exercises: hybridExercises, options: \.chapter)  // Exercises.swift

runChapter {
let context = try ChapterContext(chapter: "hybrid", options: arguments.chapter, stages: Config.stageNames,
                                 runsStageGroups: true)
let config = Config.preset(context.profile).modified { c in
    if let dataset = context.dataset { c.data.dataset = dataset }
    if let s = arguments.thresholdScale {
        for i in c.finetune.arms.indices where c.finetune.arms[i].hidden != .multiSpike {
            c.finetune.arms[i].thresholdScale = s
        }
        for i in c.finetune.ablations.indices { c.finetune.ablations[i].thresholdScale = s }
    }
    if let e = arguments.annEpochs { c.ann.epochs = e }
    if let e = arguments.finetuneEpochs { c.finetune.epochs = e }
    if let r = arguments.finetuneLearningRate { c.finetune.learningRate = r }
    if let t = arguments.thresholdAndLeak {
        for i in c.finetune.arms.indices { c.finetune.arms[i].thresholdAndLeak = t }
        for i in c.finetune.ablations.indices { c.finetune.ablations[i].thresholdAndLeak = t }
    }
    if !arguments.arms.isEmpty {
        // Any arm of the preset and any ablation of C (also those the preset leaves out).
        if let armC = c.finetune.arms.first(where: { $0.key == "C" }) {
            c.finetune.ablations = Config.ablations(of: armC)
        }
        c.finetune.arms.removeAll { !arguments.arms.contains($0.key) }
        c.finetune.ablations.removeAll { !arguments.arms.contains($0.key) }
    }
}
context.applyBackends()
let exercise = try hybridExercises.prepare(context)  // --exercise N: the plain run's results, read now
let output = try context.claimOutput()  // folders checked and locked before any work
let cache = context.makeStageCache()
var rng = SeededGenerator(seed: context.seed)
print("chapter-hybrid  profile \(context.profile.rawValue)  seed \(context.seed)")
try printResolvedConfig(config)

// MARK: - 1. Data
// Raw intensities p ∈ [0, 1] drive temporal mappings A and B; the standardised x = (p − μ)/σ
// is the analog input (every step for direct, step 1 only for hybrid) and drives mapping C:
//   spike sign(x) at t = first + ⌊(T − first + 1)·(1 − |x|/m_c)⌋,  m_c = max(μ_c, 1 − μ_c)/σ_c.

let fullTrain = try context.loadDataset(config.data.dataset, split: .train)
let fullTest = try context.loadDataset(config.data.dataset, split: .test)
let pickRNG = rng
let train = config.data.trainLimit.map { fullTrain.stratifiedSubset(limit: $0, using: &rng) } ?? fullTrain
var test = config.data.testLimit.map { fullTest.stratifiedSubset(limit: $0, using: &rng) } ?? fullTest
if arguments.evaluateOn == .validation {
    // Settings are compared on training images the run never trains on, not on the test set.
    test = try heldOut(fullTrain, trainLimit: config.data.trainLimit, pick: pickRNG,
                       limit: config.data.testLimit ?? 2_000, seed: context.seed)
}
let normalization = Normalization(fittedTo: train)
let imageShape = train.imageShape
func encoded(_ batch: (images: Tensor, labels: [Int])) -> EncodedBatch {
    EncodedBatch(images: batch.images, labels: batch.labels, normalization: normalization)
}
let allTestBatches = test.batches(size: config.evaluation.batchSize).map(encoded)
let testBatches = config.evaluation.armImages.map {
    Array(allTestBatches.prefix(($0 + config.evaluation.batchSize - 1) / config.evaluation.batchSize))
} ?? allTestBatches
let armImages = testBatches.reduce(0) { $0 + $1.labels.count }
print("data: \(config.data.dataset.title), \(train.count) train, \(test.count) \(arguments.evaluateOn) images, "
      + "image \(imageShape)")

// MARK: - 2. Train the ANN
// Bias-free VGG, no BatchNorm, average pooling, dropout (DIET-SNN's ANN, NOTES.md §2.6 step 1):
//   conv3×3 32, 32, avg-pool, 64, 64, avg-pool, FC 256, FC classes   (VGG-S, §8.1)

let (ann, annKey) = try trainedANN(config: config, train: train, normalization: normalization,
                                   cache: cache, rng: &rng)
// Which scored images the ANN gets right (the baseline gap below pairs them with the backbone's).
let annOutcomes = ImageOutcomes(classificationCorrectness(ann, batches: testBatches.map { ($0.normalised, $0.labels) }))
let annAccuracy = annOutcomes.accuracy
printMetric("ANN test accuracy (\(armImages) images, as the arms)", 100 * annAccuracy, unit: "%")
try cache.requireAboveChance(annKey, accuracy: annAccuracy, images: armImages, classes: train.classCount)

// MARK: - 3. Convert to SNN
// Arm A (DIET): θˡ = s · P99.7(ReLU outputs of layer l on training images), s = 0.3.
// Single-spike arms (inside fineTune, on the SNN with the arm's own input code, §2.6 step 2):
//   θˡ = s · P99.7({ max_t Σ_{τ≤t} xˡ(τ) > 0 })    layer by layer, earlier θ already set
//   θ_out = s_out · the same percentile of the output currents              [proposed]
// Every arm copies the same ANN weights.

let folded = try foldBatchNorm(ann)
let calibration = train.batches(size: 128, normalization: normalization)
    .prefix(config.conversion.calibrationBatches).map(\.images)
// Its own stream: the thresholds are the same whether the ANN stage was trained or loaded.
var calibrationRNG = SeededGenerator(seed: context.seed, stream: "calibration")
let percentileThresholds = try balanceThresholds(
    of: folded, on: calibration, using: .percentile(config.conversion.percentile), using: &calibrationRNG)
let outputThreshold = config.conversion.outputThresholdScale
    * logitPercentile(folded, on: calibration, percentile: config.conversion.percentile)
print("percentile thresholds θˡ: " + percentileThresholds.map { fmt(Double($0), 3) }.joined(separator: "  ")
      + "   output v_out = \(fmt(Double(outputThreshold), 3))")

// MARK: - 4. Fine-tune the SNN arms
// BPTT over T = 5 steps (time folded into the batch), Adam. Single-spike neurons:
//   s[t] = H(h[t] − θ)·(1 − F[t−1]),  F[t] = F[t−1] + s[t],  membrane frozen after the spike,
//   ∂s/∂h ≈ f(t, z)·(1 − F[t−1])/θ,   V1: f = α·exp(−β·t),  V2: f = γ·max(0, 1 − |z|).
// Output (Form 1): logit_k = Σ_t (T + 1 − t)·s_k[t] + (1 − n_k)·h_k[T]/θ_out (+ ε tie-break).
// Symbols as in docs/notation.md: the paper's v, v_out and m are our θ, θ_out and h.

let T = config.finetune.timesteps
let allArms = config.finetune.arms + config.finetune.ablations
/// The arm's stage: its key holds this arm and the shared schedule, not the list of other arms.
func armStageConfig(_ arm: Arm) -> ArmStage {
    ArmStage(arm: arm, finetune: config.finetune.sharedSchedule, conversion: config.conversion,
             evaluation: config.evaluation, testLimit: config.data.testLimit, evaluateOn: arguments.evaluateOn)
}
let armVersion = 4  // 4: per-image outcomes
/// Fine-tunes (or loads) one arm.
func fineTuned(_ arm: Arm) throws -> (ArmResult, StageKey) {
    let (result, armKey, _) = try cache.stage(
        "arm-\(arm.key)", version: armVersion, config: armStageConfig(arm), dependsOn: [annKey]
    ) { progress -> ArmResult in
        let result = try fineTune(
            arm, folded: folded, thresholds: percentileThresholds, outputThreshold: outputThreshold,
            timesteps: T, epochs: config.finetune.epochs,
            imagesPerEpoch: config.finetune.imagesPerEpoch, batchSize: config.finetune.batchSize,
            learningRate: config.finetune.learningRate,
            calibrationBatches: config.conversion.calibrationBatches,
            percentile: config.conversion.percentile,
            outputThresholdScale: config.conversion.outputThresholdScale,
            sweep: config.evaluation.sweepArms.contains(arm.key) ? config.evaluation.sweep : [],
            sweepImages: config.evaluation.sweepImages,
            evaluationBatchSize: config.evaluation.batchSize,
            train: train, normalization: normalization, testBatches: testBatches,
            seed: context.seed, checkpoints: progress.checkpoints)
        // Measured wall time goes to run-log.json, never results.json.
        cache.record(seconds: result.secondsPerEpoch, as: "arm \(arm.key) fine-tuning per epoch")
        return result
    }
    return (result, armKey)
}

// Side by side: every arm fine-tunes from the same converted SNN, independently of the
// others, and one small network keeps two cores only a little busier than one. So with
// --threads N ≥ 2 each arm not cached yet trains in its own process on one thread, N at a
// time (or as one Slurm job array with --executor slurm), and the loop below loads them.
// A worker calibrates and fine-tunes its arm on one thread from the ANN this run trained, so
// an arm's numbers do not depend on how many arms run beside it. (The thresholds printed
// above come from this process's N threads and may differ from the workers' in the last
// digits, as any sum split over threads does.)
if let id = context.workerJob {       // this process is one of those workers
    _ = try fineTuned(try WorkerJob.item(named: id, in: allArms, kind: "arm") { "arm-\($0.key)" })
    try cache.reportWorkerTimings(job: id)
    return
}
let groups = try cache.computeStageGroups(context: context, chapterArguments: arguments.chapterArguments) {
    try allArms.filter { arm in
        try cache.needsComputing("arm-\(arm.key)", version: armVersion, config: armStageConfig(arm),
                                 dependsOn: [annKey])
    }.map { WorkerJob(id: "arm-\($0.key)", stages: ["arm-\($0.key)"]) }
}
if groups == .stopHere { return }

var armResults: [ArmResult] = []
for arm in allArms {
    let (result, armKey) = try fineTuned(arm)
    try cache.requireAboveChance(armKey, accuracy: result.evaluation.accuracy, images: armImages,
                                 classes: train.classCount)
    armResults.append(result)
    let e = result.evaluation
    print("\(arm.title): accuracy \(fmt(100 * e.accuracy, 2)) %, spikes/neuron per layer "
          + e.hiddenLayers.map { fmt($0.spikesPerNeuron, 3) }.joined(separator: " ")
          + "  (fine-tune \(fmt(result.secondsPerEpoch, 0)) s/epoch)")
}

// MARK: - 5. Evaluate
// Energy per image (45 nm fp32, NOTES.md §5): E_ANN = E_MAC·Σ MACs;
// E_SNN = E_MAC·MACs₁·(analog steps) + E_AC·[N_in·fanout₁ + Σ_{l≥2} events_l·fanout_l].
// Pooled view (b): a non-zero pooled value is one event; the event view (a) is reported too.

// The baseline: the shared ReLU backbone (classic's ANN, one cached stage, trained here only if
// no chapter has yet) on the arms' test images, paired with this ANN image by image. The
// paper needs its own BatchNorm-free ANN, so the chapter states the gap rather than closing
// it. Here, after the arms: a worker or a --submit-only run never trains the backbone.
var reference: BaselineGap?
if arguments.evaluateOn == .validation {
    print("no baseline gap: the held-out images are training images of the shared backbone")
} else {
    reference = try context.baselineGap(
        against: config.reference, dataset: config.data.dataset, cache: cache, calling: "ANN"
    ) { backbone, backboneConfig in
        BaselineGap(
            backbone: backbone, backboneConfig: backboneConfig, chapterANN: ann,
            architecture: VGG.layerNames(config.ann.features, classifier: config.ann.classifier)
                + ", average pooling, no BatchNorm or bias",
            trainingImages: train.count, epochs: config.ann.epochs, normalization: normalization,
            test: test.subset(limit: armImages), chapterOutcomes: annOutcomes)   // the images the arms are scored on
    }
}

let annLedger = EnergyLedger.ann(folded, inputShape: imageShape)
let arms = try armResults.map { r -> ArmSummary in
    let snn = try spikingNetwork(from: folded, thresholds: percentileThresholds, hidden: r.arm.hidden)
    return summarize(r, snn: snn, annLedger: annLedger, imageShape: imageShape, timesteps: T)
}
printSection("Arms at T = \(T) on \(armImages) test images (ANN \(fmt(100 * annAccuracy, 2)) %)")
printTable(headers: ["arm", "acc %", "spikes/neuron (max layer)", "total spikes/img", "E_ANN/E_SNN",
                     "1st-layer MAC share"],
           rows: arms.map { a in
               [a.key, fmt(100 * a.accuracy, 2), fmt(a.spikesPerNeuron.max() ?? 0, 3),
                fmt(a.totalSpikesPerImage, 0), fmt(a.annOverSNNEnergy, 2), fmt(a.firstLayerMACShare, 3)] })
// The paper's claims in NOTES.md §8.4's reading, paired image by image (Report.swift, `hybridClaims`).
let claims = hybridClaims(arms, testImages: armImages, timesteps: T)
printSection("Claims tested (effect ± s.e.; rule: \(ClaimTest.rule))")
for claim in claims { print(claim.consoleLine) }
let metrics = Metrics(
    annAccuracy: annAccuracy,
    annAccuracyStandardError: binomialStandardError(accuracy: annAccuracy, images: armImages),
    testImages: armImages, timesteps: T,
    thresholds: percentileThresholds.map(Double.init), outputThreshold: Double(outputThreshold),
    annMACsPerImage: annLedger.totalMACs, poolingConvention: PoolingConvention.pooled.rawValue,
    energyConstants: EnergyConstants.float32At45nm.citation, arms: arms, effects: measureEffects(arms),
    paperCIFAR100Accuracy: 0.6646, paperEnergyRatio: 125, reference: reference)
if config.data.dataset == .cifar100 {
    print("paper (CIFAR-100, T = 5): 66.46 %   this run: \(fmt(100 * (arms.first { $0.key == "C" }?.accuracy ?? 0), 2)) %")
}

// MARK: - 6. Results and figures

let sample = test.batches(size: 1).map(encoded)[0]
try cache.timed("figures") {
    try writeFigures(metrics, sample: sample, timesteps: T, to: output.directory)
}
let record = try RunRecord(context: context, config: config, metrics: metrics,
                           summary: runSummary(metrics), claims: claims)
print("wrote \(try output.publish(record, timings: cache).path)")  // in one step
// An --output or bf16 run, a validation run or a run of some arms leaves the committed README alone.
if context.writesReferenceReadme && arguments.evaluateOn == .test && arguments.arms.isEmpty {
    try updateReadme(with: metrics, claims: claims, profile: context.profile)
}
try exercise.finish(record)  // an exercise's outcome (exercise.json) and README's exercises block
}

// MARK: - Exercises
// One option each, run with `--exercise N` after the plain run at the exercise's profile
// (Exercises.swift computes the outcome; README.md's exercises block shows it):
// 1. `--threshold-scale 0.5`: how do arm C's spikes per neuron and accuracy move, and D's?
// 2. `--profile smoke --finetune-epochs 3`: does longer fine-tuning close the A–C gap?
// To think about: why is arm B's first-layer MAC energy exactly T times arm C's
// (`SpikeEncoding.analogSteps`)? What does a silent output neuron mean in fig6?
