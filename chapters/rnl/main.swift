// chapter-rnl — Rate Norm Layer: train the ANN to be an SNN in the rate limit, then tune Ω.
//
// Paper:
//   J. Ding, Z. Yu, Y. Tian, T. Huang, "Optimal ANN-SNN Conversion for Fast and Accurate
//   Inference in Deep Spiking Neural Networks", IJCAI 2021, pp. 2328–2336 (arXiv:2105.11654).
//
// Claim tested (the paper's; the verdict is generated from results.json):
// replacing ReLU by RNL, clip(z/θ, 0, 1) with θ = running max × σ(s), makes
// conversion a drop-in swap (each RNL → IF with the same θ); shrinking the fit-curve
// coefficient Ω with the rate inference loss lets the SNN reach its ANN (within 1 point) in
// several times fewer steps than max-norm conversion of a ReLU net (paper: 8.6× faster).
//
// In this chapter you will:
//   • train the same VGG twice, with ReLU and with RNL, and convert both (max-norm and
//     percentile thresholds for ReLU via SNNConversion; the RNL's own θ for RNL);
//   • measure the fit curve ε^l(t) = ‖r^l(t) − a^l‖²/‖a^l‖² per layer and check the bound Ω/t;
//   • tune one shared threshold scale with RIL (CE + α_Ω·Ω̄) under an accuracy tolerance, and
//     read accuracy vs T and energy at matched accuracy from one simulation per method.
//
// Commands (2-core laptop; see README for measured times):
//   swift run chapter-rnl --profile smoke     # seconds
//   swift run chapter-rnl                      # quick, minutes
//   swift run chapter-rnl --profile paper      # VGG-16 / CIFAR-10, days on CPU; needs data/
//
// Deviations from the paper (details in README.md):
//   • Fashion-MNIST and classic's 2-conv VGG at the quick scale, Adam + cosine, 2 epochs for the
//     ReLU ANN; the RNL ANN's length (2, 4, 8 or 16 epochs) chosen on held-out training images.
//   • RIL uses cross-entropy + α_Ω·Ω̄ on the BN-folded net, M locked, Ω̄ over RNL layers only;
//     the authors' self-distillation term is ≈ 0 (NOTES.md §3.5). Selection on a held-out split.
//   • Energy at T counts the spikes of the first T steps of the one simulation.

import ArgumentParser
import ChapterSupport
import RunRecords
import Training
import RNLMethod
import Datasets
import EnergyEstimation
import Figures
import Foundation
import SNNConversion
import Statistics
import TensorCore
import SpikingNeurons
import NeuralNetworks
import Autodiff

// MARK: - 0. Setup

struct Arguments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chapter-rnl",
        abstract: "Rate norm layers: optimal ANN-SNN conversion (Ding et al., IJCAI 2021).")

    /// What each option accepts, declared once: shown in --help, checked in validate()
    /// before any work (a bad value stops with the usage and exit status 64).
    enum Rule {
        static let lambda = OptionRule<Float>.weight("--lambda")
        static let tolerance = OptionRule<Double>("--tolerance", 0...1)
        static let maxTimesteps = OptionRule.maxTimesteps
        static let epochs = OptionRule.epochs()
        static let learningRate = OptionRule.learningRate()
        static let weightDecay = OptionRule<Float>.weight("--weight-decay")
    }

    @OptionGroup var chapter: ChapterOptions
    @Option(help: Rule.lambda.help("λ of the rate inference loss L = CE + λ·Ω̄."))
    var lambda: Float?
    @Option(help: Rule.tolerance.help(
        "Accuracy tolerance of the RIL selection rule, as a fraction (0.01 = 1 point)."))
    var tolerance: Double?
    @Option(help: Rule.maxTimesteps.help(
        "Largest T simulated (every T below comes from the same run)."))
    var maxTimesteps: Int?
    @Option(help: Rule.epochs.help("Training epochs of both ANNs (ReLU and RNL)."))
    var epochs: Int?
    @Option(help: Rule.learningRate.help("Base learning rate of both ANNs."))
    var learningRate: Float?
    @Option(help: Rule.weightDecay.help("L2 weight decay of both ANNs."))
    var weightDecay: Float?

    func validate() throws {
        try Rule.lambda.check(lambda)
        try Rule.tolerance.check(tolerance)
        try Rule.maxTimesteps.check(maxTimesteps)
        try Rule.epochs.check(epochs)
        try Rule.learningRate.check(learningRate)
        try Rule.weightDecay.check(weightDecay)
    }
}

let arguments = Arguments.parseOrExit(exercises: rnlExercises, options: \.chapter)  // Exercises.swift

runChapter {
    let context = try ChapterContext(chapter: "rnl", options: arguments.chapter,
                                     stages: ["relu-ann", "rnl-ann", "ril", "snn", "snn-full"])
    let config = Config.preset(context.profile).modified { c in
        if let dataset = context.dataset { c.data.dataset = dataset }
        if let l = arguments.lambda { c.ril.lambda = l }
        if let t = arguments.tolerance { c.ril.tolerance = t }
        if let e = arguments.epochs { c.ann.epochs = e; c.rnlSchedule.epochs = [e] }
        if let r = arguments.learningRate { c.ann.learningRate = r }
        if let w = arguments.weightDecay { c.ann.weightDecay = w }
        if let t = arguments.maxTimesteps {
            c.evaluation.maxTimesteps = t
            c.evaluation.scatterTimesteps = c.evaluation.scatterTimesteps.map { Swift.min($0, t) }
        }
    }
    context.applyBackends()
    let exercise = try rnlExercises.prepare(context)  // --exercise N: the plain run's results, read now
    let output = try context.claimOutput()  // folders checked and locked before any work
    let cache = context.makeStageCache()
    var rng = SeededGenerator(seed: context.seed)
    print("chapter-rnl  profile \(context.profile.rawValue)  seed \(context.seed)")
    try printResolvedConfig(config)

    // MARK: - 1. Data
    // Standardised images; the SNN receives the same image as a constant current at every step
    // (direct coding). A held-out part of the training set drives the RIL selection rule.

    let fullTrain = try context.loadDataset(config.data.dataset, split: .train)
    let test = try context.loadDataset(config.data.dataset, split: .test)
    let trainCount = config.data.trainLimit ?? (fullTrain.count - config.data.validationCount)
    let pool = fullTrain.stratifiedSubset(limit: trainCount + config.data.validationCount, using: &rng)
        .shuffled(using: &rng)
    let train = pool.selecting(Array(0..<trainCount))
    let validation = pool.selecting(Array(trainCount..<pool.count))
    // Two test sets: the long sweep (T to T_max) on a class-balanced subset, and every
    // T ≤ fullTestTimesteps on (by default) all test images. The sweep's subset is drawn first.
    let simulated = test.stratifiedSubset(limit: config.data.simulatedTestLimit, using: &rng)
    let fullTest = test.stratifiedSubset(limit: config.data.fullTestLimit, using: &rng)
    let normalization = Normalization(fittedTo: train)
    let imageShape = train.imageShape
    print("data: \(config.data.dataset.title), \(train.count) train, \(validation.count) validation, "
          + "\(test.count) test (\(simulated.count) simulated to T_max, \(fullTest.count) to T = "
          + "\(min(config.evaluation.fullTestTimesteps, config.evaluation.maxTimesteps))), image \(imageShape)")

    // MARK: - 2. Train the ANNs
    // The same VGG (BN, *average* pooling, linear last layer) twice:
    //   ReLU:  a = max(z, 0)                       → max-norm / percentile conversion
    //   RNL:   a = clip(z/θ, 0, 1),  θ = M·σ(s)    (M: running max of batch maxima, s = 10 fixed)

    let (reluANN, reluKey) = try trainedANN("relu-ann", config: config, train: train,
                                            normalization: normalization, cache: cache, seed: context.seed) { _, _ in ReLU() }
    let validationBatches = validation.batches(size: 500, normalization: normalization).map { $0 }

    // The RNL ANN learns more slowly (each layer is divided by its running maximum). Its length
    // is chosen on the held-out images, never the test set: the first schedule in
    // `rnlSchedule.epochs` whose accuracy there is within `tolerance` of the ReLU ANN's
    // (ScheduleSelection), each trained from scratch with the same recipe stretched to that length.
    let reluValidationAccuracy = Double(classificationAccuracy(reluANN, batches: validationBatches))
    func rnlCandidate(_ epochs: Int) throws -> (Sequential, StageKey) {
        try trainedANN("rnl-ann", config: config.modified { $0.ann.epochs = epochs }, train: train,
                       normalization: normalization, cache: cache, seed: context.seed) { _, _ in RateNorm() }
    }
    var trials: [ScheduleSelection.Trial] = []
    var candidates: [(Sequential, StageKey)] = []
    for epochs in config.rnlSchedule.epochs {
        candidates.append(try rnlCandidate(epochs))
        let accuracy = Double(classificationAccuracy(candidates.last!.0, batches: validationBatches))
        trials.append(ScheduleSelection.Trial(epochs: epochs, heldOutAccuracy: accuracy))
        print("RNL ANN, \(epochs) epochs: \(formatFixed(100 * accuracy, digits: 2)) % on the \(validation.count) "
              + "held-out images (ReLU ANN \(formatFixed(100 * reluValidationAccuracy, digits: 2)) %)")
        if ScheduleSelection.reachesTarget(accuracy, reference: reluValidationAccuracy,
                                           tolerance: config.rnlSchedule.tolerance) { break }
    }
    let rnlSchedule = ScheduleSelection(heldOutImages: validation.count, referenceAccuracy: reluValidationAccuracy,
                                        tolerance: config.rnlSchedule.tolerance, trials: trials)
    print("RNL ANN: \(rnlSchedule.choice.epochs) epochs " + (rnlSchedule.reachedTarget
        ? "(the first within \(formatFixed(100 * config.rnlSchedule.tolerance, digits: 0)) point of the ReLU ANN on held-out images)"
        : "(none came within \(formatFixed(100 * config.rnlSchedule.tolerance, digits: 0)) point of the ReLU ANN; the most accurate on held-out images)"))
    let (rnlANN, rnlKey) = candidates[rnlSchedule.chosen]
    let testBatches = test.batches(size: 500, normalization: normalization)
    let simulatedBatches = simulated.batches(size: config.evaluation.batchSize, normalization: normalization)
    let reluAccuracy = Double(classificationAccuracy(reluANN, batches: testBatches))
    let rnlAccuracy = Double(classificationAccuracy(rnlANN, batches: testBatches))
    print("ReLU ANN test accuracy: \(percentWithError(reluAccuracy, images: test.count)) % (\(test.count) images, ± binomial s.e.)")
    print("RNL ANN test accuracy: \(percentWithError(rnlAccuracy, images: test.count)) %")
    try cache.requireAboveChance(reluKey, accuracy: reluAccuracy, images: test.count, classes: test.classCount)
    try cache.requireAboveChance(rnlKey, accuracy: rnlAccuracy, images: test.count, classes: test.classCount)

    // MARK: - 3. Convert to SNN
    // Baselines (reusing SNNConversion): fold BN, θˡ = max or 99.9th percentile of ReLU outputs on
    // calibration images, IF with reset by subtraction and spikes of amplitude θ.
    // RNL: fold BN, then each RNL → IF with the same θ = M·σ(s) + 1e-6, unit spikes, no rescaling.

    let reluFolded = try foldBatchNorm(reluANN)
    let calibration = train.batches(size: config.baselines.calibrationBatchSize, normalization: normalization)
        .prefix(config.baselines.calibrationBatches).map(\.images)
    var calibrationRNG = SeededGenerator(seed: context.seed, stream: "calibration")
    let statistics = ActivationStatistics.collect(reluFolded, on: calibration, using: &calibrationRNG)
    let maxThresholds = try balanceThresholds(of: reluFolded, on: calibration, using: .maxActivation,
                                              statistics: statistics, using: &calibrationRNG)
    let percentileThresholds = try balanceThresholds(
        of: reluFolded, on: calibration, using: .percentile(config.baselines.percentile),
        statistics: statistics, using: &calibrationRNG)
    let rnlFolded = try foldRateNormNetwork(rnlANN)
    let rnlThresholds = rnlFolded.layers.compactMap { ($0 as? RateNorm)?.threshold }

    // Phase 2, RIL (NOTES.md §3.5): weights frozen, one s shared by all RNLs, M locked;
    // L = CE + α_Ω·Ω̄ (α_Ω = `lambda`, the paper's λ), Ω^l = Σa/‖a‖²; keep the lowest-Ω̄ s
    // within the accuracy tolerance.
    let rnlValidationAccuracy = Double(classificationAccuracy(rnlFolded, batches: validationBatches))
    let (trajectory, _, _) = try cache.stage(
        "ril", version: 2, config: RILStage(ril: config.ril, validation: config.data.validationCount),
        dependsOn: [rnlKey]) { () -> [RILCheckpoint] in
        let shared = Parameter(Tensor(shape: [1], scalars: [config.ril.initialScale]), name: "rnl.scale", role: .threshold)
        let tunable = try foldRateNormNetwork(rnlANN, sharedScale: shared, scaleTraining: .trained)
        var batchRNG = SeededGenerator(seed: context.seed, stream: "ril")
        var epoch = train.shuffledBatches(size: config.ril.batchSize, partialBatch: .drop,
                                          normalization: normalization, using: &batchRNG)
        let perEpoch = epoch.count
        return try tuneSharedScale(
            tunable, shared: shared, lambda: config.ril.lambda, learningRate: config.ril.learningRate,
            iterations: config.ril.iterations, evaluateEvery: config.ril.evaluateEvery,
            tolerance: config.ril.tolerance, reference: rnlValidationAccuracy,
            batches: { i in
                if i > 0 && i % perEpoch == 0 {
                    epoch = train.shuffledBatches(size: config.ril.batchSize, partialBatch: .drop,
                                                  normalization: normalization, using: &batchRNG)
                }
                return epoch[i % perEpoch]
            },
            validation: validationBatches) { c in
            print("  RIL iteration \(c.iteration): p = \(formatFixed(c.p, digits: 4)), Ω̄ = \(formatFixed(c.omegaBar, digits: 3)), "
                  + "validation acc \(formatFixed(100 * c.validationAccuracy, digits: 2)) %" + (c.selected ? "  (kept)" : ""))
        }
    }
    let selectedScale = Float(trajectory.last(where: \.selected)?.scale ?? 10)
    let rilFolded = try foldRateNormNetwork(
        rnlANN, sharedScale: Parameter(Tensor(shape: [1], scalars: [selectedScale]), name: "rnl.scale", role: .threshold))
    let rilThresholds = rilFolded.layers.compactMap { ($0 as? RateNorm)?.threshold }
    print("RIL selected s = \(formatFixed(Double(selectedScale), digits: 3)) (p = \(formatFixed(Double(sigmoid(selectedScale)), digits: 3)))")

    let methods = ConversionMethod.allCases
    let thresholds: [ConversionMethod: [Float]] = [
        .maxNorm: maxThresholds, .percentile: percentileThresholds, .rnl: rnlThresholds, .rnlRIL: rilThresholds]
    for method in methods {
        print("thresholds θˡ  \(method.title(config).padding(toLength: 34, withPad: " ", startingAt: 0))"
              + thresholds[method]!.map { formatFixed(Double($0), digits: 3) }.joined(separator: "  "))
    }
    let snns: [ConversionMethod: Sequential] = [
        .maxNorm: try convert(reluFolded, thresholds: maxThresholds, reset: .subtraction),
        .percentile: try convert(reluFolded, thresholds: percentileThresholds, reset: .subtraction),
        .rnl: try convertRateNormNetwork(rnlFolded), .rnlRIL: try convertRateNormNetwork(rilFolded)]
    // --export-nir DIR: each converted SNN (IF, reset by subtraction, unit spikes) as a NIR graph
    // file (docs/nir.md).
    for method in methods where context.exportsNIR {
        try context.exportNIR(snns[method]!, name: method.title(config), inputShape: imageShape,
                              normalization: normalization)
    }
    let annOf: [ConversionMethod: Sequential] = [
        .maxNorm: reluFolded, .percentile: reluFolded, .rnl: rnlFolded, .rnlRIL: rilFolded]

    // MARK: - 4. Fine-tune the SNN
    // Not part of this paper: the only tuning is RIL on the ANN's threshold scale (section 3).

    // MARK: - 5. Evaluate
    // One simulation of T_max steps per method; cumulative membrane read-out gives every T ≤ T_max.

    let T = config.evaluation.maxTimesteps
    /// One simulation per method of `timesteps` steps over `batches`.
    func simulate(_ batches: MiniBatches, images: Int, timesteps: Int) -> [TimestepEvaluation] {
        methods.map { method in
            var simulationRNG = SeededGenerator(seed: context.seed)
            let start = Date()
            let evaluation = accuracyByTimestep(
                of: snns[method]!, on: batches, timesteps: timesteps, chunk: config.evaluation.chunk,
                using: &simulationRNG) { _, done in
                rewriteLine("simulating \(method.title(config)): \(done)/\(images) images, T = \(timesteps)")
            }
            print("  (\(formatFixed(Date().timeIntervalSince(start), digits: 1)) s)")
            return evaluation
        }
    }
    let stage = SNNStage(data: config.data, baselines: config.baselines, evaluation: config.evaluation)
    let rilChoice = try cache.key("ril-choice", version: 1, config: [selectedScale])
    let (evaluations, sweepKey, _) = try cache.stage(
        // version 2: per-image outcomes at every T; 3: spikes counted per step; 4: sparse linear layers on spikes
        "snn", version: 4, config: stage, dependsOn: [reluKey, rnlKey, rilChoice]
    ) { () -> [TimestepEvaluation] in
        simulate(simulatedBatches, images: simulated.count, timesteps: T)
    }
    let shortT = min(config.evaluation.fullTestTimesteps, T)
    let fullTestBatches = fullTest.batches(size: config.evaluation.batchSize, normalization: normalization)
    let (fullEvaluations, _, _) = try cache.stage(
        "snn-full", version: 2, config: stage, dependsOn: [reluKey, rnlKey, rilChoice, sweepKey]
    ) { () -> [TimestepEvaluation] in
        simulate(fullTestBatches, images: fullTest.count, timesteps: shortT)
    }

    // Fit curves ε^l(t) on one test batch, for the two RNL conversions (NOTES.md §3.4, §8 fig. 2).
    let fitBatch = simulated.batches(size: config.evaluation.fitBatchSize, normalization: normalization)[0]
    let fits = cache.timed("fit-curves") {
        [ConversionMethod.rnl, .rnlRIL].map { method in
            measureFitCurves(ann: annOf[method]!, snn: snns[method]!, images: fitBatch.images,
                             labels: fitBatch.labels, timesteps: T, chunk: config.evaluation.chunk,
                             scatterLayer: 0, snapshotTimesteps: config.evaluation.scatterTimesteps,
                             scatterPoints: 1500)
        }
    }

    // Energy (EnergyEstimation, 45 nm): E_ANN = Σ MACs·E_MAC; E_SNN(t) = MACs₁·t·E_MAC + Σ ACs·E_AC,
    // with the spikes the simulation counted in its first t steps.
    let annLedger = EnergyLedger.ann(reluFolded, inputShape: imageShape)
    let spikesThroughStep = try evaluations.map { try $0.cumulativeInputSpikesPerImage() }
    func energyRatio(_ method: ConversionMethod, at t: Int) -> Double {
        let ledger = EnergyLedger.snn(snns[method]!, inputShape: imageShape,
                                      inputSpikesPerImage: spikesThroughStep[methods.firstIndex(of: method)!][t - 1],
                                      timesteps: t)
        return ledger.ratio(to: annLedger)
    }
    // Each method's own ANN on the simulated images, image by image (the paired claims use them).
    let annOutcomes = methods.map { ImageOutcomes(classificationCorrectness(annOf[$0]!, batches: simulatedBatches)) }
    let annSubset = annOutcomes.map(\.accuracy)
    let matchedTarget = annSubset.min()! - 0.01
    // Time to accuracy: the first T from which the curve STAYS at or above the target.
    let results = methods.enumerated().map { i, method in
        let evaluation = evaluations[i]
        let first = evaluation.firstTimestep(stayingAtLeast: annSubset[i] - 0.01)
        let matched = evaluation.firstTimestep(stayingAtLeast: matchedTarget)
        return MethodResult(
            method: method, name: method.title(config), thresholds: thresholds[method]!.map(Double.init),
            annAccuracyOnSimulatedSubset: annSubset[i], accuracy: evaluation.accuracy,
            fullTestAccuracy: fullEvaluations[i].accuracy,
            firstTimestepStayingWithinOnePoint: first, firstTimestepStayingAtMatchedAccuracy: matched,
            firingRates: evaluation.firingRates,
            energyRatioWithinOnePoint: first.map { energyRatio(method, at: $0) },
            energyRatioAtMatchedAccuracy: matched.map { energyRatio(method, at: $0) })
    }

    printSection("Accuracy (%) vs T on \(simulated.count) test images")
    printTable(headers: ["T"] + results.map(\.name),
               rows: ([1, 2, 4, 8, 16, 32, 64, 128, 256, 512].filter { $0 <= T }).map { t in
                   ["\(t)"] + results.map { formatFixed(100 * $0.accuracy[t - 1], digits: 2) } }
                   + [["ANN"] + results.map { formatFixed(100 * $0.annAccuracyOnSimulatedSubset, digits: 2) }])
    for r in results {
        print("\(r.name): stays within 1 point of its ANN from T = "
              + (r.firstTimestepStayingWithinOnePoint.map(String.init) ?? "never (≤ \(T))")
              + "; stays at or above \(formatFixed(100 * matchedTarget, digits: 2)) % from T = "
              + (r.firstTimestepStayingAtMatchedAccuracy.map(String.init) ?? "never")
              + ", E_SNN/E_ANN there = " + (r.energyRatioAtMatchedAccuracy.map { formatFixed($0, digits: 3) } ?? "–"))
    }
    let bound = boundCheck(fits[0].curves)
    print("fit curve, first hidden layer (RNL): max ε¹(t)·t/Ω¹ = \(formatFixed(bound.worstRatio, digits: 3)) "
          + "(≤ 1 means ε¹(t) ≤ Ω¹/t held for every t ≤ \(T))")
    for (method, fit) in zip([ConversionMethod.rnl, .rnlRIL], fits) {
        print("Ω^l \(method.title(config)): " + fit.curves.omegas.map { formatFixed($0, digits: 3) }.joined(separator: "  "))
    }

    // MARK: - 6. Results and figures

    let metrics = Metrics(
        reluANNAccuracy: reluAccuracy, rnlANNAccuracy: rnlAccuracy,
        rilANNAccuracy: Double(classificationAccuracy(rilFolded, batches: testBatches)),
        testImages: test.count, simulatedImages: simulated.count, maxTimesteps: T,
        fullTestImages: fullTest.count, fullTestTimesteps: shortT, matchedAccuracyTarget: matchedTarget,
        annMACsPerImage: annLedger.totalMACs, methods: results,
        speedupOfRILOverMaxNorm: speedup(results[0].firstTimestepStayingWithinOnePoint,
                                         results[3].firstTimestepStayingWithinOnePoint),
        speedupOfRNLOverMaxNorm: speedup(results[0].firstTimestepStayingWithinOnePoint,
                                         results[2].firstTimestepStayingWithinOnePoint),
        rnlSchedule: rnlSchedule,
        rilReferenceValidationAccuracy: rnlValidationAccuracy, rilTrajectory: trajectory,
        rilSelectedScale: Double(selectedScale), fitCurves: fits.map(\.curves),
        firstLayerBoundWorstRatio: bound.worstRatio, scatterSnapshots: fits[0].snapshots)
    // The paper's claim, twice: against each method's own ANN (the paper's reading) and at the
    // accuracy both reach (the fair reading when the RNL ANN is weaker); Report.swift, `rnlClaims`.
    let claims = rnlClaims(metrics, evaluations: evaluations, anns: annOutcomes)
    printSection("Claims tested (effect ± s.e.; rule: \(ClaimTest.rule))")
    for claim in claims { print(claim.consoleLine) }
    try cache.timed("figures") {
        try writeFigures(metrics, rilTolerance: config.ril.tolerance, to: output.directory)
    }
    let record = try RunRecord(context: context, config: config, metrics: metrics,
                               summary: runSummary(metrics), claims: claims)
    print("wrote \(try output.publish(record, timings: cache).path)")  // in one step
    if context.writesReferenceReadme {  // an --output or bf16 run leaves the committed README alone
        try updateReadme(with: metrics, claims: claims, profile: context.profile)
    }
    try exercise.finish(record)  // an exercise's outcome (exercise.json) and README's exercises block
}

// MARK: - Exercises
// One option each, run with `--exercise N` after the plain run (Exercises.swift computes the
// outcome; README.md's exercises block shows it):
// 1. `--tolerance 0.05`: allow a 5-point ANN drop. Is the faster SNN worth the accuracy?
// 2. `--lambda 5`: how far does p move, and what happens to Ω̄ and to the steps the SNN needs?
// To think about: in fig-fit-curves-rnl, which layers break ε^l(t) ≤ Ω^l/t at small t, and
//    why (NOTES.md §3.4)?
