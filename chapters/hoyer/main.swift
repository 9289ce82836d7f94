// chapter-hoyer — one-time-step SNNs trained from scratch with a Hoyer-extremum threshold
// and the Hoyer regulariser. The package's main command: `swift run chapter-hoyer`.
//
// Paper:
//   G. Datta, Z. Liu, P. A. Beerel, "Hoyer regularizer is all you need for ultra low-latency
//   spiking neural networks", arXiv:2212.10170 (v1, 20 Dec 2022; ICLR 2023 submission).
//   Code: github.com/godatta/Ultra-Low-Latency-SNN, commit 4844cc0 (NOTES.md §2, §9).
//
// Claim tested (the paper's; the verdict is generated from results.json):
// at T = 1 (one pass, binary activations) a VGG whose spike layers fire
// at the Hoyer extremum of their own clipped membrane map trains from scratch to within
// 1–2 points of the same ReLU network, and the Hoyer regulariser lowers the spike rate and
// clears membrane potentials away from the threshold at about the same accuracy.
//
// In this chapter you will:
//   • build the Hoyer spike layer: z = h/|θ|, threshold E = ‖z_c‖₂²/‖z_c‖₁ of
//     z_c = clip(z, 0, 1), output [z ≥ E] ∈ {0, 1}, straight-through surrogate;
//   • add α_H·Σ H(z_c), H = ‖z_c‖₁²/‖z_c‖₂², to the loss and watch the membrane
//     distribution empty out around the threshold;
//   • compare ANN, fixed-threshold and Hoyer SNNs on accuracy, spike rate, energy and noise.
//
// Commands (2-core machine, debug build; the core modules are compiled with -O):
//   swift run chapter-hoyer --profile smoke   # seconds, plumbing for ChapterTests
//   swift run chapter-hoyer                   # quick: ≤ 10 min, Fashion-MNIST (README: measured)
//   swift run chapter-hoyer --profile paper   # VGG16 / CIFAR-10, 400 epochs × 7 runs: weeks on
//                                             # 2 CPU cores; needs data/cifar-10-batches-bin/
//
// Deviations from the paper (each one explained in README.md):
//   • quick: Fashion-MNIST, NOTES.md's 4-conv "VGG-S Hoyer", 30k images, 2 epochs, Adam
//     1e-3 (not VGG16/CIFAR-10, 400 epochs, Adam 1e-4), α_H scaled by NOTES.md's heuristic;
//   • the regulariser acts on clip(h, 0, |θ|) with θ detached (Dec 2022 code; the 2023
//     form is `--regulariser-gradient through-threshold`); surrogate 0.5 on (0, 2];
//   • maps or channels with Σz_c = 0 use E = 1 and skip the running update (the code's NaN);
//   • energy = first-layer MACs + ACs (MACs × input spike rate); no comparator, BN or memory.
//
// Symbols as in docs/notation.md: the paper's threshold v_th is our θ and its regulariser
// weight λ_H our α_H; z = h/|θ| is the paper's normalised membrane (not our z = h/θ − 1).

import ArgumentParser
import ChapterSupport
import RunRecords
import Datasets
import EnergyEstimation
import Figures
import Foundation
import HoyerMethod
import Statistics
import SpikingNeurons
import TensorCore
import NeuralNetworks

struct Arguments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chapter-hoyer",
        abstract: "One-time-step SNNs with a Hoyer-extremum threshold and the Hoyer "
            + "regulariser (Datta et al. 2022).")

    /// What each option accepts, declared once: shown in --help, checked in validate()
    /// before any work (a bad value stops with the usage and exit status 64).
    enum Rule {
        static let regularisationWeight = OptionRule<Float>.weight("--regularisation-weight")
        static let surrogateHeight = OptionRule<Float>("--surrogate-height", above: 0, through: 2)
        static let epochs = OptionRule.epochs()
        /// Partial batches are dropped, so fewer images than one mini-batch train nothing.
        static func trainLimit(_ profile: Profile) -> OptionRule<Int> {
            OptionRule.trainLimit(atLeast: Config.preset(profile).training.batchSize,
                                  reason: "one mini-batch of the \(profile.rawValue) profile "
                                      + "(partial batches are dropped)")
        }
        /// "smoke 64, quick 128, paper 128" for the help.
        static let batchSizes = Profile.allCases.map {
            "\($0.rawValue) \(Config.preset($0).training.batchSize)"
        }.joined(separator: ", ")
        static let seedReplicates = OptionRule<Int>("--seed-replicates", 0...20)
    }

    @OptionGroup var chapter: ChapterOptions
    @Option(help: Rule.regularisationWeight.help(
        "λ_H of the regularised variants (default: the profile's)."))
    var regularisationWeight: Float?
    @Option(help: "Regulariser gradient to v_th: detached (Dec 2022) or through-threshold.")
    var regulariserGradient: RegulariserGradient?
    @Option(help: Rule.surrogateHeight.help(
        "Surrogate ∂o/∂z: 0.5 (Dec 2022 code) or 1 (Sept 2022)."))
    var surrogateHeight: Float?
    @Option(help: Rule.epochs.help("Training epochs of every run.")) var epochs: Int?
    @Option(help: ArgumentHelp(
        "Training images (a class-balanced subset) (range: at least one mini-batch: "
            + "\(Rule.batchSizes))."))
    var trainLimit: Int?
    @Option(help: Rule.seedReplicates.help(
        "Train the five main variants again with K more seeds and report mean ± sd "
            + "(default output: figures/hoyer/<profile>-seeds/).", valueName: "K"))
    var seedReplicates: Int?

    /// The chapter's own options as arguments that parse back to the same values (a worker
    /// process gets them with the shared ones).
    var chapterArguments: [String] {
        var arguments: [String] = []
        if let w = regularisationWeight { arguments += ["--regularisation-weight", "\(w)"] }
        if let g = regulariserGradient { arguments += ["--regulariser-gradient", g.rawValue] }
        if let h = surrogateHeight { arguments += ["--surrogate-height", "\(h)"] }
        if let e = epochs { arguments += ["--epochs", "\(e)"] }
        if let n = trainLimit { arguments += ["--train-limit", "\(n)"] }
        if let k = seedReplicates { arguments += ["--seed-replicates", "\(k)"] }
        return arguments
    }

    func validate() throws {
        try Rule.regularisationWeight.check(regularisationWeight)
        try Rule.surrogateHeight.check(surrogateHeight)
        try Rule.epochs.check(epochs)
        try Rule.trainLimit(chapter.profile).check(trainLimit)
        try Rule.seedReplicates.check(seedReplicates)
    }
}
extension RegulariserGradient: ExpressibleByArgument {}

let arguments = Arguments.parseOrExit(exercises: hoyerExercises, options: \.chapter)  // Exercises.swift
runChapter {
    // MARK: - 0. Setup
    // One Config per profile (Config.swift), then the typed overrides. Every run starts
    // from the same seed: same initial weights and batch order for every variant.

    var options = arguments.chapter
    let config = Config.preset(options.profile).modified { c in
        if let d = options.dataset { c.data.dataset = d }
        if let w = arguments.regularisationWeight { c.method.regularisationWeight = w }
        if let g = arguments.regulariserGradient { c.method.regulariserGradient = g }
        if let h = arguments.surrogateHeight { c.method.surrogateHeight = h }
        if let e = arguments.epochs { c.training.epochs = e }
        if let n = arguments.trainLimit { c.data.trainLimit = n }
        if let k = arguments.seedReplicates { c.replication.extraSeeds = k }
    }
    // A seed-replicate run writes beside the plain run, not over it: its figures are the
    // same, its results.json adds `replication`, and it fills the README's `seeds` block.
    let writesSeedsReadme = config.replication.extraSeeds > 0 && options.output == nil
    if writesSeedsReadme { options.output = "figures/hoyer/\(options.profileFolder)-seeds" }
    let context = try ChapterContext(chapter: "hoyer", options: options,
                                     stages: config.stageNames, runsStageGroups: true)
    context.applyBackends()
    let exercise = try hoyerExercises.prepare(context)  // --exercise N: the plain run's results, read now
    let output = try context.claimOutput()  // folders checked and locked before any work
    let cache = context.makeStageCache()
    printSection("0. Setup")
    print("chapter-hoyer  profile \(context.profile.rawValue)  seed \(context.seed)  "
          + "threads \(context.threads)  output \(output.destination.path)")
    try printResolvedConfig(config)

    // MARK: - 1. Data
    // Images standardised per channel; the SNN gets the analog image directly (direct
    // encoding, T = 1): the first conv does MACs, every later layer sees only 0/1 spikes.

    printSection("1. Data")
    var dataRNG = SeededGenerator(seed: context.seed)
    let fullTrain = try context.loadDataset(config.data.dataset, split: .train)
    let fullTest = try context.loadDataset(config.data.dataset, split: .test)
    let train = fullTrain.stratifiedSubset(limit: config.data.trainLimit, using: &dataRNG)
    let test = fullTest.stratifiedSubset(limit: config.data.testLimit, using: &dataRNG)
    let normalization: Normalization
    switch config.data.normalization {
    case .fittedToTrainingSet: normalization = Normalization(fittedTo: train)
    case .fixed(let mean, let std): normalization = Normalization(mean: mean, std: std)
    }
    let data = TrainingData(train: train, normalization: normalization,
                            augmentation: config.data.augmentation)
    print("data: \(config.data.dataset.title), \(train.count) training / \(test.count) test "
          + "images \(train.imageShape), \(train.classCount) classes, direct input at T = 1")

    /// Trains (or loads) one network, then measures it on the test set (also cached).
    func run(_ job: TrainingJob) throws -> (Sequential, VariantEvaluation) {
        let (network, key) = try trainedNetwork(job.variant, config: config, data: data,
                                                cache: cache, seed: context.seed,
                                                replicate: job.replicate)
        let names = computeLayers(of: network, imageShape: train.imageShape).map(\.name)
        let stage = EvaluationStage(job, config: config)
        let (evaluation, _, _) = try cache.stage(
            job.evaluationStage, version: TrainingJob.evaluationVersion, config: stage,
            dependsOn: [key]) {
            evaluate(network, names: names, test: test, normalization: normalization,
                     config: config.evaluation, noiseLevels: stage.noiseLevels,
                     seed: context.seed)
        }
        try cache.requireAboveChance(key, accuracy: evaluation.accuracy, images: test.count,
                                     classes: train.classCount)
        return (network, evaluation)
    }

    // MARK: - Training side by side (Workers.swift)
    // Every network below trains from scratch, independently of the others, and one small
    // network keeps two cores only about 35 % busier than one. So with --threads N ≥ 2 each
    // network that is not cached yet trains in its own process on one thread, N at a time,
    // and the sections below load them from the stage cache. A worker computes exactly what
    // `--threads 1` computes: the numbers do not depend on N.

    let jobs = config.trainingJobs(base: context.seed)
    if let id = context.workerJob {       // this process is one of those workers
        _ = try run(try job(named: id, in: jobs))
        try cache.reportWorkerTimings(job: id)
        return
    }
    // With --executor slurm the same groups become one sbatch --array job (README
    // "Running on a Slurm cluster"); --submit-only and --dry-run stop here.
    let groups = try cache.computeStageGroups(
        context: context, chapterArguments: arguments.chapterArguments) {
        try pendingJobs(jobs, config: config, cache: cache).map(\.workerJob)
    }
    if groups == .stopHere { return }

    // MARK: - 2. Train the ANN (NOTES.md §8 run A)
    // The same VGG with ReLU: conv → maxpool → BN → ReLU → dropout 0.1, bias-free, pool
    // before BN ("pool before spike", NOTES.md §2.5); CE loss, Adam, lr / 5 at 60/80/90 %.

    printSection("2. Train the ANN")
    let variants = config.variants
    let (ann, annEvaluation) = try run(jobs[0])
    print(ann.summary)
    printMetric("ANN test accuracy", 100 * annEvaluation.accuracy, unit: "%")

    // MARK: - 3. The Hoyer spike layer (NOTES.md §2.2, Method/HoyerSpike.swift)
    // There is no conversion: the SNN is the same VGG with every ReLU replaced by
    //     z = h/|θ|,  E = Σz_c²/Σz_c (z_c = clip(z, 0, 1), no gradient),  s = [z ≥ E]
    // trained directly at T = 1 with ∂s/∂z = 0.5 on (0, 2]. E ≤ 1 lowers the effective
    // threshold E·|θ| below |θ|; at inference E is the running average r. h is the membrane
    // (at T = 1 there is no reset, so h is the input current).

    printSection("3. The Hoyer spike layer")
    let example = makeNetwork(variants[3], config: config, imageShape: train.imageShape,
                              classes: train.classCount, seed: context.seed)
    print(example.summary)

    // MARK: - 4. Train the SNNs from scratch at T = 1 (NOTES.md §8 runs B–E)
    // B: fixed threshold (E = 1, trainable θ, same code path), C: Hoyer sum, D: C + the
    // regulariser L = CE + α_H·Σ_l H(clip(h_l, 0, |θ_l|)), E: D with channel-wise E.
    // Then the regulariser sweep: D with α_H × each multiplier.

    printSection("4. Train the SNNs at T = 1")
    var evaluations: [String: VariantEvaluation] = ["ann": annEvaluation]
    for job in jobs.dropFirst() where job.replicate == nil {
        let variant = job.variant
        let (network, evaluation) = try run(job)
        evaluations[variant.key] = evaluation
        let rates = evaluation.spikeLayers.map { percent($0.spikeRate) }
        print("\(variant.label): test accuracy \(percent(evaluation.accuracy, digits: 2)) %, "
              + "spike rate per layer (%) \(rates.joined(separator: " / "))")
        // --export-nir DIR: the SNN as a NIR graph of T = 1 (docs/nir.md §4): each max
        // pool → BN → spike becomes IF → average pool → IF over the window's spikes.
        try context.exportNIR(network, name: variant.key, inputShape: train.imageShape,
                              normalization: normalization)
    }

    // Seed replicates (`--seed-replicates K`; off in every preset): the five main variants
    // again with K more training seeds on the same images (SeedReplication.swift), so the
    // differences above can be read against the spread between training runs.
    let trainingSeeds = config.replication.trainingSeeds(base: context.seed)
    var replicateEvaluations: [[VariantEvaluation]] = [variants.map { evaluations[$0.key]! }]
    for (k, seed) in trainingSeeds.enumerated().dropFirst() {
        replicateEvaluations.append(try jobs.filter { $0.replicate?.index == k }.map { job in
            let (_, evaluation) = try run(job)
            print("\(job.variant.label), seed \(seed): test accuracy "
                  + "\(percent(evaluation.accuracy, digits: 2)) %")
            return evaluation
        })
    }

    // MARK: - 5. Evaluate
    // Per variant: accuracy, spike rate per layer, the fraction of potentials within ±10 %
    // of the threshold, energy vs the ANN (45 nm), and accuracy under membrane noise.

    printSection("5. Evaluate")
    let layers = computeLayers(of: ann, imageShape: train.imageShape)
    let annLedger = energyLedger(layers, spikeRates: nil, constants: .float32At45nm)
    let annLedgerInt32 = energyLedger(layers, spikeRates: nil, constants: .int32At45nm)
    let results = variants.map {
        variantResult($0, evaluations[$0.key]!, layers: layers, annLedger: annLedger,
                      annLedgerInt32: annLedgerInt32)
    }
    let sweepKeys = ["hoyer-sum", "hoyer-sum-reg"] + config.sweepVariants.map(\.key)
    let sweepVariants = (variants + config.sweepVariants).filter { sweepKeys.contains($0.key) }
    let sweep = sweepVariants.map { v -> Metrics.SweepPoint in
        let r = variantResult(v, evaluations[v.key]!, layers: layers, annLedger: annLedger,
                              annLedgerInt32: annLedgerInt32)
        return Metrics.SweepPoint(regularisationWeight: Double(v.regularisationWeight),
                                  accuracy: r.accuracy, meanSpikeRate: r.meanSpikeRate!,
                                  nearThresholdFraction: r.nearThresholdFraction!)
    }.sorted { $0.regularisationWeight < $1.regularisationWeight }
    let noiseCurves = variants.filter { $0.thresholdMode != nil }.map {
        Metrics.NoiseCurve(key: $0.key, label: $0.label,
                           relativeStd: config.evaluation.noiseLevels.map(Double.init),
                           accuracy: evaluations[$0.key]!.noiseAccuracy)
    }
    let replication = trainingSeeds.count > 1
        ? SeedReplication(trainingSeeds: trainingSeeds, results: replicateEvaluations.map {
            zip(variants, $0).map { variant, evaluation in
                variantResult(variant, evaluation, layers: layers, annLedger: annLedger,
                              annLedgerInt32: annLedgerInt32)
            }
        }) : nil
    let metrics = Metrics(
        dataset: config.data.dataset.title, trainImages: train.count, testImages: test.count,
        noiseTestImages: min(config.evaluation.noiseTestLimit ?? test.count, test.count),
        chanceAccuracy: 1 / Double(train.classCount), annAccuracy: annEvaluation.accuracy,
        annAccuracyStandardError: binomialStandardError(accuracy: annEvaluation.accuracy, images: test.count),
        computeLayers: layers, energyCitation: EnergyConstants.float32At45nm.citation,
        variants: results, regulariserSweep: sweep, noiseRobustness: noiseCurves,
        replication: replication)
    printSummary(metrics)
    if let replication { printReplication(replication) }

    // The paper's claims (Report.swift, `hoyerClaims`): paired image by image at one seed, or
    // seed by seed (mean ± s.e. over seeds) when the seed study ran.
    let claims = hoyerClaims(metrics, evaluations: evaluations)
    printSection("Claims tested (effect ± s.e.; rule: \(ClaimTest.rule))")
    for claim in claims { print(claim.consoleLine) }

    // MARK: - 6. Results and figures
    // results.json (RunRecord) is the one interface to tests, figures and the README
    // table; the figures are written as .dat + .gp and rendered with gnuplot.

    printSection("6. Results and figures")
    let figures = try cache.timed("figures") {
        try writeFigures(metrics, evaluations: evaluations, to: output.directory)
    }
    for figure in figures { print("figure \(figure.id): \(figure.outcome)") }
    let record = try RunRecord(context: context, config: config, metrics: metrics,
                               summary: runSummary(metrics), claims: claims)
    let url = try output.publish(record, timings: cache)  // the folder, in one step
    print("wrote \(url.path)")
    let readme = chapterReadme(beside: #filePath)
    if context.writesReferenceReadme,
       FileManager.default.fileExists(atPath: readme.path) {
        try writeReadmeTable(metrics, record: record, readme: readme)
        print("updated the results table in \(readme.path)")
    }
    if writesSeedsReadme, let replication, context.profile != .smoke,
       context.convolution == .blocked,
       FileManager.default.fileExists(atPath: readme.path) {
        try replaceGeneratedBlock(
            "seeds", in: readme,
            with: replicationReadmeLines(replication, record: record,
                                         folder: "figures/hoyer/\(options.profileFolder)-seeds")
                .joined(separator: "\n"))
        print("updated the seed-replicate table in \(readme.path)")
    }
    try exercise.finish(record)  // an exercise's outcome (exercise.json) and README's exercises block
    printMetric("total wall time", context.elapsedSeconds, unit: "s", digits: 1)
}

// MARK: - Exercises
// One option each, run with `--exercise N` after the plain run (Exercises.swift computes the
// outcome; README.md's exercises block shows it):
// 1. `--regularisation-weight 1e-6`: how far can the spike rate fall before accuracy does?
//    Compare fig2 and fig5b with the default run.
// 2. `--regulariser-gradient through-threshold` (the 2023 code): the regulariser now also
//    moves θ. Which way does θ go (`thresholds` in results.json), and why?
