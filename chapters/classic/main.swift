// chapter-classic — chapter 1: ANN-to-SNN conversion by threshold balancing, the course's first
// paper. Builds on chapter 0, the primer (the neuron, rate coding, the two resets).
//
// Papers:
//   P. U. Diehl, D. Neil, J. Binas, M. Cook, S.-C. Liu, M. Pfeiffer, "Fast-classifying,
//   high-accuracy spiking deep networks through weight and threshold balancing", IJCNN 2015.
//   B. Rueckauer, I.-A. Lungu, Y. Hu, M. Pfeiffer, S.-C. Liu, "Conversion of continuous-valued
//   deep networks to efficient event-driven networks for image classification",
//   Frontiers in Neuroscience 11:682, 2017 (arXiv:1612.04052).
//
// Claim tested (the paper's; the verdict is generated from results.json):
// a ReLU ANN becomes an IF SNN with the same accuracy once T is large;
// robust (99.9/99.99 percentile) thresholds with reset by subtraction get within 1 point of
// the ANN in far fewer steps than max-norm thresholds, and reset to zero stays below the ANN.
//
// In this chapter you will:
//   • fold BatchNorm into the convolutions and set one threshold per layer from activations;
//   • watch two planned failures (reset to zero; max-norm thresholds set by outliers);
//   • read the whole accuracy-vs-T curve and the energy estimate from one simulation.
//
// Commands (2-core laptop, release-like -O core):
//   swift run chapter-classic --profile smoke     # seconds
//   swift run chapter-classic                      # quick: see README for the measured time
//   swift run chapter-classic --profile paper      # VGG-16 / CIFAR-10, hours; needs data/
//
// Deviations from the papers:
//   • Fashion-MNIST and the shared 4-conv VGG backbone at the quick scale, not MNIST/CIFAR-10 nets.
//   • Direct (analog) input and membrane read-out for all methods (Diehl used Poisson input
//     and spike counts); biases are kept as constant currents (Diehl removed them).
//   • Thresholds with spikes of amplitude θ (form (b) of docs/conversion-notes.md §0.3) instead of weight
//     normalisation; both give identical spike trains.
//   • Energy vs T from the spikes counted at each step of the one simulation; 45 nm
//     float32/int32 constants, memory ignored (docs/conversion-notes.md §7).

import ArgumentParser
import ChapterSupport
import RunRecords
import Datasets
import EnergyEstimation
import Figures
import Foundation
import SNNConversion
import Statistics
import Training
import TensorCore
import SpikingNeurons
import NeuralNetworks

// MARK: - 0. Setup

struct Arguments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chapter-classic",
        abstract: "ANN-to-SNN conversion by threshold balancing "
            + "(Diehl 2015, Rueckauer 2017).")

    /// What each option accepts, declared once: shown in --help, checked in validate()
    /// before any work (a bad value stops with the usage and exit status 64).
    enum Rule {
        static let percentile = OptionRule.percentile()
        static let maxTimesteps = OptionRule.maxTimesteps
    }

    @OptionGroup var chapter: ChapterOptions
    @Option(help: "Reset of max-norm and percentile methods: subtraction or zero.")
    var reset: ResetMode?
    @Option(help: Rule.percentile.help(
        "Percentile(s) for robust thresholds, e.g. 99.9 (repeatable)."))
    var percentile: [Double] = []
    @Option(help: Rule.maxTimesteps.help(
        "Largest T simulated (every T below comes from the same run)."))
    var maxTimesteps: Int?

    func validate() throws {
        try Rule.percentile.check(percentile)
        try Rule.maxTimesteps.check(maxTimesteps)
    }
}
extension ResetMode: ExpressibleByArgument {}

let arguments = Arguments.parseOrExit(exercises: classicExercises, options: \.chapter)  // Exercises.swift

runChapter {
    let context = try ChapterContext(chapter: "classic", options: arguments.chapter,
                                     stages: [ChapterContext.sharedBackboneStage] + ChapterContext.conversionStages)
    let config = Config.preset(context.profile).modified { c in
        if let dataset = context.dataset { c.data.dataset = dataset; c.backbone.dataset = dataset }
        if let reset = arguments.reset { c.conversion.reset = reset }
        if !arguments.percentile.isEmpty { c.conversion.percentiles = arguments.percentile }
        if let t = arguments.maxTimesteps { c.evaluation.maxTimesteps = t }
    }
    context.applyBackends()
    let exercise = try classicExercises.prepare(context)  // --exercise N: the plain run's results, read now
    let output = try context.claimOutput()  // folders checked and locked before any work
    let cache = context.makeStageCache()
    print("chapter-classic  profile \(context.profile.rawValue)  seed \(context.seed)")
    print(String(data: try JSONCoding.prettyEncoder().encode(config), encoding: .utf8)!)

    // MARK: - 1. Data
    // Images in [0, 1], standardised per channel with training statistics. The SNN gets the
    // same standardised image as a constant input current at every step (direct coding).

    let test = try context.loadDataset(config.data.dataset, split: .test)
    // Two test sets: the long sweep (T to T_max) on a class-balanced subset, and every
    // T ≤ fullTestTimesteps on (by default) all test images (ChapterSupport's ConversionBench
    // draws them, the sweep's first).

    // MARK: - 2. Train the ANN
    // The shared backbone (Training's SharedBackbone): a VGG with BatchNorm and *average*
    // pooling (linear, so it commutes with time averaging; max over spikes would be an OR), no
    // biases, no dropout; cross-entropy, Adam with decoupled weight decay, cosine schedule.
    // One cached stage that every chapter converting this backbone reuses.

    let backbone = try context.sharedBackbone(config.backbone, cache: cache)
    let (ann, annKey, train) = (backbone.network, backbone.key, backbone.trainingImages)
    let bench = try context.conversionBench(backbone, test: test, settings: config.sweepSettings)
    let (simulated, fullTest) = (bench.sweepImages, bench.fullTestImages)
    print("data: \(config.data.dataset.title), \(train.count) train, \(test.count) test "
          + "(\(simulated.count) in the long sweep, \(fullTest.count) to T = \(config.evaluation.fullTestTimesteps)), "
          + "image \(train.imageShape)")
    let testBatches = test.batches(size: 500, normalization: backbone.normalization)
    let annAccuracy = Double(classificationAccuracy(ann, batches: testBatches))
    // Which simulated images the ANN gets right: the other side of every paired difference.
    let annOutcomes = ImageOutcomes(classificationCorrectness(ann, batches: bench.sweepBatches))
    let annFullOutcomes = ImageOutcomes(classificationCorrectness(ann, batches: bench.fullTestBatches))
    let annSubsetAccuracy = annOutcomes.accuracy
    print("ANN test accuracy: \(percentWithError(annAccuracy, images: test.count)) % (\(test.count) images), "
          + "\(percentWithError(annSubsetAccuracy, images: simulated.count)) % on the \(simulated.count) of the sweep "
          + "(± binomial s.e.)")
    try cache.requireAboveChance(annKey, accuracy: annAccuracy, images: test.count, classes: test.classCount)

    // MARK: - 3. Convert to SNN
    // (a) Fold BN: w' = w·γ/√(σ²+ε), b' = (b − μ)·γ/√(σ²+ε) + β.
    // (b) Thresholds from calibration activations (training images):
    //       max-norm (Diehl 2015):       θˡ = max yˡ
    //       percentile (Rueckauer 2017): θˡ = P_p(yˡ > 0), p = 99.9 or 99.99
    // (c) ReLU → IF neuron: h[t] = u[t−1] + W·o[t] + b, s[t] = 1 when h[t] ≥ θ, output θ·s[t];
    //     reset by subtraction u[t] = h[t] − θ·s[t] (Rueckauer) or to zero
    //     u[t] = h[t]·(1 − s[t]) (Diehl). h is the membrane before the reset, u after it.

    // ChapterSupport's ConversionBench: the folded backbone, calibration batches (training
    // images) and their activation statistics, the same in every chapter that converts it.
    let (folded, statistics, normalization) = (bench.folded, bench.statistics, backbone.normalization)
    let methods = config.methods
    let thresholds = try methods.map { try bench.thresholds($0) }
    for (method, values) in zip(methods, thresholds) {
        print("thresholds θˡ  \(method.name.padding(toLength: 44, withPad: " ", startingAt: 0))"
              + values.map { formatFixed(Double($0), digits: 3) }.joined(separator: "  "))
    }
    // --export-nir DIR: each converted SNN as a NIR graph file (docs/nir.md).
    for (method, values) in zip(methods, thresholds) where context.exportsNIR {
        try context.exportNIR(try convert(folded, thresholds: values, reset: method.reset), name: method.name,
                              inputShape: train.imageShape, normalization: normalization)
    }

    // MARK: - 4. Fine-tune the SNN
    // Not part of these papers: conversion is training-free.

    // MARK: - 5. Evaluate
    // One simulation of T_max steps per batch and method; the cumulative membrane read-out gives
    // accuracy for every T ≤ T_max (docs/conversion-notes.md §0.9).

    // The simulations are ChapterSupport's shared conversion stages: chapter-compare reads
    // the same max-norm and percentile curves from them instead of simulating again.

    let T = config.evaluation.maxTimesteps
    let sweeps = try context.conversionSweeps(bench, methods: methods, cache: cache)
    let (evaluations, fullEvaluations) = (sweeps.map(\.sweep), sweeps.map(\.fullTest))
    let shortT = config.sweepSettings.shortTimesteps

    // Energy (docs/conversion-notes.md §7): ANN = Σ MACs·E_MAC; SNN = first layer MACs·T·E_MAC + Σ spikes·fan-out·E_AC.
    let imageShape = train.imageShape
    let annLedger = EnergyLedger.ann(folded, inputShape: imageShape)
    // A run stopped after t steps costs what its first t steps fired: the spikes counted at
    // each step of the one simulation, summed to t (no constant-rate assumption).
    let energyRatios = { (evaluation: TimestepEvaluation, method: Method, constants: EnergyConstants) throws -> [Double] in
        let snn = try convert(folded, thresholds: [Float](repeating: 1, count: statistics.count), reset: method.reset)
        let throughStep = try evaluation.cumulativeInputSpikesPerImage()
        let reference = annLedger.priced(with: constants).totalPicojoules
        return throughStep.enumerated().map { step, inputSpikes in
            EnergyLedger.snn(snn, inputShape: imageShape, inputSpikesPerImage: inputSpikes,
                             timesteps: step + 1, constants: constants).totalPicojoules / reference
        }
    }
    // Time to accuracy: the first T from which the SNN STAYS within 1 point of the ANN on the
    // same images for every larger T (a noisy curve touching the band once does not count).
    let firstWithin = evaluations.map { $0.firstTimestep(stayingAtLeast: annSubsetAccuracy - 0.01) }
    let results = try zip(methods, zip(thresholds, zip(evaluations, zip(fullEvaluations, firstWithin)))).map { method, rest in
        let (values, (evaluation, (full, first))) = rest
        return MethodResult(
            name: method.name, method: method, thresholds: values.map(Double.init),
            accuracy: evaluation.accuracy, fullTestAccuracy: full.accuracy,
            firstTimestepStayingWithinOnePoint: first,
            firingRates: evaluation.firingRates,
            energyRatioFloat32: try energyRatios(evaluation, method, .float32At45nm),
            energyRatioInt32: try energyRatios(evaluation, method, .int32At45nm))
    }
    let neuronLayers = folded.layers.indices.filter { folded.layers[$0] is ReLU }
        .map { "[\($0)] after \(folded.layers[$0 - 1].summary)" }

    print("\n  T    " + methods.indices.map { "method \($0 + 1)" }.joined(separator: "  ") + "    (accuracy %, ANN \(formatFixed(100 * annSubsetAccuracy, digits: 2)) %)")
    for t in [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] where t <= T {
        print(String(repeating: " ", count: 4 - String(t).count) + "\(t)   "
              + results.map { formatFixed(100 * $0.accuracy[t - 1], digits: 2).padding(toLength: 8, withPad: " ", startingAt: 0) }
            .joined(separator: "  "))
    }
    for (i, r) in results.enumerated() {
        print("method \(i + 1): \(r.name): stays within 1 point of the ANN from T = "
              + (r.firstTimestepStayingWithinOnePoint.map(String.init) ?? "never (≤ \(T))")
              + ", energy ratio SNN/ANN at that T (fp32) = "
              + (r.firstTimestepStayingWithinOnePoint.map { formatFixed(r.energyRatioFloat32[$0 - 1], digits: 3) } ?? "–"))
    }

    // MARK: - 6. Results and figures

    let metrics = Metrics(
        annAccuracy: annAccuracy, annAccuracyOnSimulatedSubset: annSubsetAccuracy,
        annAccuracyOnFullTestSimulation: annFullOutcomes.accuracy, fullTestImages: fullTest.count,
        fullTestTimesteps: shortT,
        testImages: test.count, simulatedImages: simulated.count, maxTimesteps: T, neuronLayers: neuronLayers,
        annMACsPerImage: annLedger.totalMACs, methods: results)
    // The papers' claims, each a paired difference on the simulated images with a generated
    // outcome (Report.swift, `claims`).
    let claims = classicClaims(metrics, evaluations: evaluations, fullTest: fullEvaluations, ann: annOutcomes)
    printSection("Claims tested (effect ± s.e.; rule: \(ClaimTest.rule))")
    for claim in claims { print(claim.consoleLine) }
    try cache.timed("figures") {
        try writeFigures(metrics, statistics: statistics, to: output.directory)
    }
    let record = try RunRecord(context: context, config: config, metrics: metrics,
                               summary: runSummary(metrics), claims: claims)
    let url = try output.publish(record, timings: cache)  // the folder, in one step
    print("wrote \(url.path)")
    if context.writesReferenceReadme {  // an --output or bf16 run leaves the committed README alone
        try updateReadme(with: metrics, claims: claims, profile: context.profile)
    }
    try exercise.finish(record)  // an exercise's outcome (exercise.json) and README's exercises block
}

// MARK: - Exercises
// One option each, run with `--exercise N` after the plain run (Exercises.swift computes the
// outcome; README.md's exercises block shows it):
// 1. `--reset zero`: every method now resets to zero. Why does even the 99.99th percentile
//    stop short of the ANN, however large T gets? (docs/conversion-notes.md §0.2:
//    r = 1/⌈θ/x⌉ for a constant input x.)
// 2. `--percentile 99`: thresholds drop further. Which T improve, and what happens at T_max?
