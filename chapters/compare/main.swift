// chapter-compare — every low-latency method of this course on one backbone, one data set and
// one energy model: accuracy against T and against compute energy.
//
// Papers (each has its own chapter; this one only compares them):
//   P. U. Diehl et al., "Fast-classifying, high-accuracy spiking deep networks through weight
//   and threshold balancing", IJCNN 2015 (max-norm)                           → chapter-classic
//   B. Rueckauer et al., "Conversion of continuous-valued deep networks to efficient
//   event-driven networks for image classification", Front. Neurosci. 11:682, 2017
//   (arXiv:1612.04052) (percentile 99.9 / 99.99)                              → chapter-classic
//   J. Ding, Z. Yu, Y. Tian, T. Huang, "Optimal ANN-SNN Conversion for Fast and Accurate
//   Inference in Deep Spiking Neural Networks", IJCAI 2021 (arXiv:2105.11654) (RNL)  → chapter-rnl
//   G. Datta, P. A. Beerel, "Can Deep Neural Networks be Converted to Ultra Low-Latency
//   Spiking Neural Networks?", DATE 2022 (arXiv:2112.12133)                   → chapter-ultralow
//   G. Datta, S. Kundu, P. A. Beerel, "Training Energy-Efficient Deep Spiking Neural Networks
//   with Single-Spike Hybrid Input Encoding", IJCNN 2021 (arXiv:2107.12374)    → chapter-hybrid
//   G. Datta, Z. Liu, P. A. Beerel, "Hoyer regularizer is all you need for ultra low-latency
//   spiking neural networks", arXiv:2212.10170, 2022                          → chapter-hoyer
//   S. Kundu, G. Datta, M. Pedram, P. A. Beerel, "Spike-Thrift: Towards Energy-Efficient Deep
//   Spiking Neural Networks by Limiting Spiking Activity via Attention-Guided Compression",
//   WACV 2021; arXiv:2107.12445                                               → chapter-attention
//
// Claim tested (the papers'; the verdict is generated from results.json): max-norm conversion
// collapses at T ≤ 4, while the low-latency methods keep their accuracy at T = 1–2, at a
// fraction of the ANN's compute energy.
//
// In this chapter you will:
//   • take the shared backbone as the ReLU ANN (chapter-classic's), train the RNL and bias-free
//     ANNs on its layers, and hand the same data, normalisation and test images to all nine
//     methods;
//   • read max-norm, percentile and RNL curves for every T ≤ T_max from one simulation each,
//     and place the fixed-T methods (fitted conversion, fine-tuned, hybrid, Hoyer, attention)
//     on the same axes;
//   • find the accuracy–energy Pareto front and see which method owns which part of it.
//
// Builds on: chapters classic, rnl, ultralow, hybrid, hoyer and attention (their Method
// libraries do the work; this file only runs them on common ground).
//
// Commands (2-core machine; measured times in README.md):
//   swift run chapter-compare --profile smoke    # about a minute of compute, for ChapterTests
//   swift run chapter-compare                    # quick: Fashion-MNIST; minutes on an idle 2-core
//                                                # machine, several times longer on a loaded one
//   swift run chapter-compare --profile paper    # VGG-16 / CIFAR-10 at every paper's schedule:
//                                                # weeks on 2 CPU cores; needs data/
//
// Deviations (README.md explains each):
//   • quick: the methods that train learn from 10,000 of the backbone's images, each at its
//     chapter's quick preset; RNL's and DIET's own ANNs get 2 epochs on them;
//   • one BN + average-pool ReLU ANN serves max-norm, percentile, ultralow and attention
//     (their chapters train BN-free, max-pool or PACT-clipped ANNs); ultralow's clip μ is the
//     99.99th percentile of each ReLU layer; hybrid gets DIET-SNN's BN-free, bias-free ANN on
//     the same backbone (BN-folded biases break its threshold calibration); Hoyer keeps its own
//     layer order (conv → max-pool → BN → spike) and is trained from scratch on the same data;
//   • RNL without the RIL threshold tuning; hybrid at its paper T = 5 only; attention at one
//     density; conversion energies assume a constant firing rate in time.

import ArgumentParser
import AttentionMethod
import ChapterSupport
import RunRecords
import Training
import Datasets
import EnergyEstimation
import Figures
import Foundation
import HoyerMethod
import HybridMethod
import RNLMethod
import SNNConversion
import Statistics
import UltralowMethod
import TensorCore
import NeuralNetworks

// MARK: - 0. Setup

struct Arguments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chapter-compare",
        abstract: "Every low-latency method of the course on one backbone: accuracy against T "
            + "and against energy.")

    /// What each option accepts, declared once: shown in --help, checked in validate()
    /// before any work (a bad value stops with the usage and exit status 64).
    enum Rule {
        static let maxTimesteps = OptionRule.maxTimesteps
        static let percentile = OptionRule.percentile()
        static let clipPercentile = OptionRule.percentile("--clip-percentile")
        static let density = OptionRule.density
        static let annEpochs = OptionRule.epochs("--ann-epochs")
    }

    @OptionGroup var chapter: ChapterOptions
    @Option(help: Rule.maxTimesteps.help(
        "Largest T of the conversion simulations (every T below from the same run)."))
    var maxTimesteps: Int?
    @Option(help: Rule.percentile.help(
        "Percentile(s) of the robust-threshold methods (repeatable), e.g. 99."))
    var percentile: [Double] = []
    @Option(help: Rule.clipPercentile.help("Percentile of ReLU outputs used as ultralow's clip μ."))
    var clipPercentile: Double?
    @Option(help: Rule.density.help("Weight density of the attention-compressed student, e.g. 0.03."))
    var density: Double?
    @Option(help: Rule.annEpochs.help("Epochs of RNL's and hybrid's own ANNs (the ReLU ANN is the shared backbone)."))
    var annEpochs: Int?

    func validate() throws {
        try Rule.maxTimesteps.check(maxTimesteps)
        try Rule.percentile.check(percentile)
        try Rule.clipPercentile.check(clipPercentile)
        try Rule.density.check(density)
        try Rule.annEpochs.check(annEpochs)
    }
}

let arguments = Arguments.parseOrExit(exercises: compareExercises, options: \.chapter)  // Exercises.swift

runChapter {
    let base = Config.preset(arguments.chapter.profile)
    let percentiles = arguments.percentile.isEmpty ? base.conversion.percentiles : arguments.percentile
    let context = try ChapterContext(
        chapter: "compare", options: arguments.chapter,
        stages: [ChapterContext.sharedBackboneStage, "rnl-ann", "diet-ann"] + ChapterContext.conversionStages
            + ["rnl", "ultralow", "hybrid", "hoyer", "hoyer-ann", "attention"])
    let config = base.modified { c in
        if let dataset = context.dataset { c.data.dataset = dataset; c.backbone.dataset = dataset }
        c.conversion.percentiles = percentiles
        if let t = arguments.maxTimesteps {
            c.conversion.maxTimesteps = t
            c.conversion.fullTestTimesteps = min(c.conversion.fullTestTimesteps, t)
            c.evaluation.timesteps = (0...20).map { 1 << $0 }.filter { $0 <= t }
        }
        if let p = arguments.clipPercentile { c.ultralow.clipPercentile = p }
        if let d = arguments.density { c.attention.density = d }
        if let e = arguments.annEpochs { c.ann.epochs = e }
    }
    context.applyBackends()
    let exercise = try compareExercises.prepare(context)  // --exercise N: the plain run's results, read now
    let output = try context.claimOutput()  // folders checked and locked before any work
    let cache = context.makeStageCache()
    var rng = SeededGenerator(seed: context.seed)
    printSection("0. Setup")
    print("chapter-compare  profile \(context.profile.rawValue)  seed \(context.seed)")
    try printResolvedConfig(config)

    // MARK: - 1. Data
    // The test set here; the training images are the shared backbone's (§2). Every method
    // trains on one class-balanced subset of them, standardised as the backbone's, and is
    // scored on the same test images (direct input, except the hybrid code, which sends the
    // analog image at step 1 and one spike per pixel after).

    printSection("1. Data")
    let test = try context.loadDataset(config.data.dataset, split: .test)

    // MARK: - 2. The ANNs
    // The ReLU ANN is the shared backbone (ChapterSupport's sharedBackbone, Training's
    // SharedBackbone): conv3×3 → BN → ReLU, average pooling, bias-free, FC → logits, trained once
    // on the backbone's training images and reused by classic, ultralow and this chapter.
    // Two methods need an ANN of their own on the same layers, trained here on a class-balanced
    // subset of the backbone's images (Adam, cosine schedule η(t) = η₀·(1 + cos(π·t/steps))/2):
    //   RNL:   a = clip(z/θ, 0, 1), θ = M·σ(s)      → its own conversion (chapter-rnl)
    //   DIET:  ReLU, no BN, dropout                 → hybrid (chapter-hybrid's ANN)

    printSection("2. The ANNs")
    let backbone = try context.sharedBackbone(config.backbone, cache: cache)
    let (ann, annKey, normalization) = (backbone.network, backbone.key, backbone.normalization)
    // The methods that train (RNL's and DIET's ANNs, fine-tuning, Hoyer, attention) learn from
    // this subset of the backbone's images, standardised as the backbone's.
    let train = backbone.trainingImages.stratifiedSubset(limit: config.data.trainLimit, using: &rng)
    let imageShape = train.imageShape
    // The test sets of ChapterSupport's conversion bench (classic's): the long sweep's subset,
    // and the full test set for every T ≤ fullTestTimesteps and every fixed-T method.
    let conversionBench = try context.conversionBench(backbone, test: test, settings: config.sweepSettings)
    let (sweepImages, fullTest) = (conversionBench.sweepImages, conversionBench.fullTestImages)
    let testBatches = conversionBench.fullTestBatches
    // Every method's stage depends on these images (training subset and test sets).
    let dataKey = try cache.key("data", version: 2, config: config.data)
    print("data: \(config.data.dataset.title), \(train.count) of the backbone's \(backbone.trainingImages.count) "
          + "training images for the methods that train; \(fullTest.count) of \(test.count) test images for every "
          + "method (\(sweepImages.count) for the conversion curves beyond T = \(config.sweepSettings.shortTimesteps)), "
          + "image \(imageShape)")

    /// `dropout` nil: BN after every conv (RNL's ANN); a value: DIET-SNN's ANN, no BN, dropout
    /// after every activation (hybrid's own ANN). The backbone's layers either way.
    func makeANN(_ activation: @escaping (Int, Int) -> any Layer, dropout: Float? = nil,
                 seed: UInt64) -> Sequential {
        var initRNG = SeededGenerator(seed: seed)
        return VGG.make(config.backbone.features, inputChannels: imageShape[0], inputSize: imageShape[1],
                        classes: train.classCount, classifier: config.backbone.classifier,
                        batchNorm: dropout == nil, bias: false, pool: .average, dropout: dropout ?? 0,
                        activation: activation, using: &initRNG)
    }
    /// `readout: .unitLogits`: rescale the read-out's initial weights to unit logit spread first
    /// (chapter-rnl's quick fix for RNL's small outputs under a short schedule).
    func trained(_ stage: String, dropout: Float? = nil, readout: ReadoutInitialisation = .kaiming,
                 _ activation: @escaping (Int, Int) -> any Layer) throws -> (Sequential, StageKey) {
        let (stored, key, _) = try cache.stage(
            stage, version: readout == .unitLogits ? 3 : 2,  // 3/2: the backbone's layers and images
            config: ANNStage(dataset: config.data.dataset, trainLimit: config.data.trainLimit,
                             features: config.backbone.features, classifier: config.backbone.classifier,
                             ann: config.ann, dropout: dropout),
            dependsOn: [dataKey]
        ) { progress -> TrainedNetwork in
            let network = makeANN(activation, dropout: dropout, seed: context.seed &+ 11)
            var batchRNG = SeededGenerator(seed: context.seed &+ 12)   // batch order, dropout
            try cache.measure("\(stage) training") {  // wall time: run-log.json only
                try trainClassifier(network, label: stage, readout: readout,
                                    epochs: config.ann.epochs, batchSize: config.ann.batchSize,
                                    optimizer: .adam, learningRate: config.ann.learningRate,
                                    schedule: .cosine(minimum: 0), weightDecay: config.ann.weightDecay,
                                    train: train, normalization: normalization, rng: &batchRNG,
                                    checkpoints: progress.checkpoints)
            }
            return TrainedNetwork(state: try NetworkState.encode(network))
        }
        let network = makeANN(activation, dropout: dropout, seed: 0)
        try NetworkState.decode(stored.state, into: network)
        return (network, key)
    }
    let (rnlANN, rnlKey) = try trained("rnl-ann", readout: .unitLogits) { _, _ in RateNorm() }
    // Hybrid's single-spike thresholds are calibrated on peak membranes, which BN-folded biases
    // (constant currents, × T) distort: it gets DIET-SNN's bias-free, BN-free ANN (its chapter's).
    let (dietANN, dietKey) = try trained("diet-ann", dropout: config.hybrid.annDropout) { _, _ in ReLU() }
    let annImageSteps = trainingImageSteps(epochs: config.backbone.training.epochs, images: backbone.trainingImages.count)
    let ownANNImageSteps = trainingImageSteps(epochs: config.ann.epochs, images: train.count)
    let annAccuracy = Double(classificationAccuracy(ann, batches: test.batches(size: 500, normalization: normalization)))
    // Which test images the shared ANN gets right: the other side of every paired claim.
    let annOutcomes = ImageOutcomes(classificationCorrectness(ann, batches: testBatches))
    let annOnSweep = ImageOutcomes(classificationCorrectness(ann, batches: conversionBench.sweepBatches)).accuracy
    let rnlAccuracy = Double(classificationAccuracy(rnlANN, batches: testBatches))
    let dietAccuracy = Double(classificationAccuracy(dietANN, batches: testBatches))
    printMetric("ReLU ANN (shared backbone) accuracy, all \(test.count) test images", 100 * annAccuracy, unit: "%")
    printMetric("ReLU ANN accuracy, the \(fullTest.count) test images", 100 * annOutcomes.accuracy, unit: "%")
    printMetric("RNL ANN accuracy, the same images", 100 * rnlAccuracy, unit: "%")
    printMetric("DIET (BN-free) ANN accuracy, the same images", 100 * dietAccuracy, unit: "%")
    let classes = train.classCount
    try cache.requireAboveChance(annKey, accuracy: annAccuracy, images: test.count, classes: classes)
    try cache.requireAboveChance(rnlKey, accuracy: rnlAccuracy, images: fullTest.count, classes: classes)
    try cache.requireAboveChance(dietKey, accuracy: dietAccuracy, images: fullTest.count, classes: classes)

    // Energy reference (EnergyEstimation, 45 nm): E_ANN = E_MAC·Σ MACs of the folded ReLU ANN.
    let folded = conversionBench.folded
    let bench = Bench(train: train, normalization: normalization, test: fullTest,
                      testBatches: testBatches, imageShape: imageShape, classes: train.classCount,
                      annLedger: EnergyLedger.ann(folded, inputShape: imageShape), seed: context.seed)

    // MARK: - 3. Conversion methods: one simulation of T_max each (SNNConversion, RNLMethod)
    // Fold BN (w' = w·γ/√(σ²+ε)), then θˡ per layer from calibration activations:
    //   max-norm θˡ = max yˡ;  percentile θˡ = P_p(yˡ > 0);  RNL θˡ = M·σ(s) (no search).
    // IF neurons, reset by subtraction u[t] = h[t] − θ·s[t]; cumulative membrane read-out gives
    // every T. Max-norm and percentile are ChapterSupport's shared conversion stages: the
    // curves chapter-classic simulated, read from its cache (or simulated here first).

    printSection("3. Conversion methods, T = 1…\(config.conversion.maxTimesteps)")
    let statistics = conversionBench.statistics
    let calibration = conversionBench.calibration
    let grid = config.evaluation.timesteps
    var methods: [MethodResult] = []
    let balanced = [ConversionMethod(balancing: .maxActivation, reset: .subtraction)]
        + config.conversion.percentiles.map { ConversionMethod(balancing: .percentile($0), reset: .subtraction) }
    let sweeps = try context.conversionSweeps(conversionBench, methods: balanced, cache: cache)
    for sweep in sweeps {
        let (key, name): (String, String) = switch sweep.method.balancing {
        case .percentile(let p): ("percentile-\(p)", "percentile \(p) (Rueckauer 2017)")
        default: ("max-norm", "max-norm (Diehl 2015)")
        }
        let snn = try convert(folded, thresholds: sweep.thresholds, reset: .subtraction)
        try context.exportNIR(snn, name: key, inputShape: imageShape, normalization: normalization)
        methods.append(try conversionResult(key: key, name: name, chapter: "classic", snn: snn, sweep: sweep.sweep,
                                            fullTest: sweep.fullTest, bench: bench, grid: grid))
    }
    let rnlSNN = try convertRateNormNetwork(try foldRateNormNetwork(rnlANN))
    try context.exportNIR(rnlSNN, name: "rnl", inputShape: imageShape, normalization: normalization)
    var rnl = try rnlConversionResult(snn: rnlSNN, conversionBench: conversionBench, bench: bench,
                                      settings: config.sweepSettings, grid: grid, cache: cache,
                                      dependsOn: [rnlKey, dataKey])
    rnl.trainingImageSteps += ownANNImageSteps   // the RNL ANN is this method's own training
    methods.append(rnl)

    // MARK: - 4. Low-latency methods at their own T
    // ultralow: θ = α·μ, a = β·μ fitted per layer and T to clip(x, 0, μ), u[0] = θ/2, then BPTT;
    // hybrid: analog image at t = 1, one spike per pixel after, ≤ 1 spike per neuron, T = 5;
    // Hoyer: s = [h/|θ| ≥ E], E = ‖z_c‖₂²/‖z_c‖₁, trained at T = 1 with α_H·Σ H(z_c);
    // (symbols of docs/notation.md; the papers' V, A, U(0), v_th and λ_H are θ, a, u[0], θ, α_H)
    // attention: sparse-momentum + attention-transfer student at density d → LIF SNN at T = 5.

    printSection("4. Low-latency methods")
    methods += try runUltralow(folded: folded, statistics: statistics, bench: bench, config: config.ultralow,
                               cache: cache, dependsOn: [annKey, dataKey])
    var hybrid = try runHybrid(folded: try foldBatchNorm(dietANN), calibration: calibration, bench: bench,
                               config: config.hybrid, cache: cache, dependsOn: [dietKey, dataKey])
    hybrid.trainingImageSteps += ownANNImageSteps   // its own ANN counts as its training
    methods.append(hybrid)
    let hoyer = try runHoyer(bench: bench, backbone: config.backbone, config: config.hoyer,
                             cache: cache, dependsOn: [dataKey], checkRestored: context.exportsNIR)
    methods.append(hoyer.result)
    // The ANN with Hoyer's layers, images and schedule: the reference of Hoyer's claim.
    let hoyerANN = try runHoyerANN(bench: bench, backbone: config.backbone, config: config.hoyer, cache: cache,
                                   dependsOn: [dataKey])
    printMetric("ANN with Hoyer's layers and training budget, the \(fullTest.count) test images",
                100 * hoyerANN.accuracy, unit: "%")
    let attention = try runAttention(
        ann: ann, folded: folded, restore: {
            var unused = SeededGenerator(seed: 0)   // the weights are the backbone's
            let student = config.backbone.makeNetwork(imageShape: imageShape, classes: classes, using: &unused)
            try NetworkState.decode(try NetworkState.encode(ann), into: student)
            return student
        }, bench: bench, config: config.attention, conversion: config.conversion, cache: cache,
        dependsOn: [annKey, dataKey], checkRestored: context.exportsNIR)
    methods.append(attention.result)
    // --export-nir DIR: the conversions above (max-norm, percentile, RNL), Hoyer's T = 1 network
    // and the attention SNN as NIR graphs (docs/nir.md). ultralow's SNNs (fitted and fine-tuned)
    // start at u[0] = θ/2, which NIR cannot hold, and the hybrid's single-spike neurons have no NIR node:
    // neither is written (chapter-ultralow exports the conversions that start at 0).
    try context.exportNIR(hoyer.network, name: "hoyer", inputShape: imageShape, normalization: normalization)
    try context.exportNIR(attention.snn, name: "attention", inputShape: imageShape, normalization: normalization)
    if context.exportsNIR {
        print("not exported to NIR: ultralow (u[0] = θ/2 has no NIR form), hybrid (single-spike neurons "
              + "have no NIR node); docs/nir.md")
    }

    // MARK: - 5. Evaluate
    // Accuracy on the same test images; spikes per neuron; E_SNN/E_ANN with the first layer's
    // MACs at every analog step plus E_AC per synaptic event (× density for the sparse SNN).

    printSection("5. Accuracy (%) vs T on \(fullTest.count) test images, T > \(config.sweepSettings.shortTimesteps) on "
                 + "\(sweepImages.count) (ANN \(formatFixed(100 * annOutcomes.accuracy, digits: 2)) %, "
                 + "\(formatFixed(100 * annOnSweep, digits: 2)) %)")
    printTable(headers: ["method"] + grid.map { "T=\($0)" } + ["E/E_ANN (last)", "train img·steps"],
               rows: methods.map { m in
                   [m.name] + grid.map { t in m.points.first { $0.timesteps == t }.map { formatFixed(100 * $0.accuracy, digits: 1) } ?? "" }
                       + [m.points.last.map { formatFixed($0.energyRatioFloat32, digits: 3) } ?? "–", String(m.trainingImageSteps)]
               })
    for m in methods where !m.cumulativeReadout {
        for p in m.points where !grid.contains(p.timesteps) {
            print("\(m.name): T = \(p.timesteps) accuracy \(formatFixed(100 * p.accuracy, digits: 2)) %")
        }
    }
    let front = paretoFront(methods, chance: 1 / Double(train.classCount))
    print("Pareto front (E/E_ANN → accuracy): "
          + front.map { "\($0.method)@T=\($0.timesteps) \(formatFixed($0.energyRatioFloat32, digits: 3)) → \(formatFixed(100 * $0.accuracy, digits: 1)) %" }
            .joined(separator: ", "))
    // The papers' shared claim, paired with the shared ANN image by image (Report.swift).
    let claims = compareClaims(methods, ann: annOutcomes, hoyerANN: hoyerANN)
    printSection("Claims tested (effect ± s.e.; rule: \(ClaimTest.rule))")
    for claim in claims { print(claim.consoleLine) }

    // MARK: - 6. Results and figures

    let metrics = Metrics(
        dataset: config.data.dataset.title, trainImages: train.count,
        backboneTrainImages: backbone.trainingImages.count, testImages: test.count,
        fullTestImages: fullTest.count, sweepImages: sweepImages.count,
        fullTestTimesteps: config.sweepSettings.shortTimesteps,
        annAccuracy: annAccuracy,
        annAccuracyStandardError: binomialStandardError(accuracy: annAccuracy, images: test.count),
        annAccuracyOnFullTest: annOutcomes.accuracy,
        annAccuracyOnFullTestStandardError: binomialStandardError(accuracy: annOutcomes.accuracy, images: fullTest.count),
        annAccuracyOnSweep: annOnSweep,
        rnlANNAccuracy: rnlAccuracy, dietANNAccuracy: dietAccuracy, hoyerANNAccuracy: hoyerANN.accuracy,
        annMACsPerImage: bench.annLedger.totalMACs, maxTimesteps: config.conversion.maxTimesteps,
        annTrainingImageSteps: annImageSteps, ownANNTrainingImageSteps: ownANNImageSteps,
        energyCitation: EnergyConstants.float32At45nm.citation, methods: methods, paretoFront: front)
    try cache.timed("figures") { try writeFigures(metrics, to: output.directory) }
    let record = try RunRecord(context: context, config: config, metrics: metrics,
                               summary: runSummary(metrics, claims: claims), claims: claims)
    print("wrote \(try output.publish(record, timings: cache).path)")  // in one step
    if context.writesReferenceReadme {
        try updateReadme(metrics, claims: claims, profile: context.profile)
    }
    try exercise.finish(record)  // an exercise's outcome (exercise.json) and README's exercises block
    printMetric("stages computed in this run",
                cache.timings.filter { $0.outcome == .computed }.reduce(0) { $0 + $1.seconds }, unit: "s", digits: 1)
    printMetric("total wall time of this run", context.elapsedSeconds, unit: "s", digits: 1)
}

// MARK: - Exercises
// One option each, run with `--exercise N` after the plain run at the exercise's profile
// (Exercises.swift computes the outcome; README.md's exercises block shows it):
// 1. `--max-timesteps 1024`: does max-norm ever reach the ANN, and where does it then sit on
//    the Pareto front of fig-accuracy-vs-energy?
// 2. `--percentile 99`: lower thresholds. Which T gain, and what happens to the curve at T_max?
// 3. `--clip-percentile 99.9`: a tighter clip μ for the fitted conversion. Does T = 1 improve?
// 4. `--density 0.03`: a 33× smaller attention student. How much accuracy for how much energy?
// 5. `--seed 7`: which differences between methods at T ≤ 2 survive a new seed?
