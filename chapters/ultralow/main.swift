// chapter-ultralow — distribution-aware DNN-to-SNN conversion for 1–3 time steps.
//
// Paper:
//   G. Datta, P. A. Beerel, "Can Deep Neural Networks be Converted to Ultra Low-Latency
//   Spiking Neural Networks?", Design, Automation & Test in Europe (DATE) 2022,
//   arXiv:2112.12133. Code: github.com/godatta/Ultra-Low-Latency-SNN, commit 6179214.
//
// Claim tested (the paper's; the verdict is generated from results.json):
// conversion rules derived for long windows (threshold = clip μ, or the
// uniform-optimal half-threshold shift) waste the T + 1 output levels at T ≤ 3 because DNN
// pre-activations are skewed toward 0, not uniform; scaling each layer's threshold (α) and
// spike amplitude (β) to the measured distribution fixes T = 1, and a short surrogate-gradient
// fine-tune brings a T = 2 SNN close to the DNN (paper: 64.19 % on CIFAR-100 at T = 2).
//
// In this chapter you will:
//   • train a DNN whose ReLUs clip at a trainable μ per layer (PACT) and look at how skewed
//     its pre-activations are;
//   • fit (α, β) per layer and T — closed-form on the DNN's distribution, or calibrated on
//     the SNN layer by layer — and compare with the naive and the shift rules at T = 1…8;
//   • fine-tune the converted SNN at T = 1, 2, 3 (trainable thresholds and leaks), choosing the
//     learning rate (or no fine-tuning) on held-out training images, and price its spikes
//     against the DNN's MACs.
//
// Commands (2 cores, debug build; the core modules are compiled with -O):
//   swift run chapter-ultralow --profile smoke   # under a minute idle, for ChapterTests
//   swift run chapter-ultralow                   # quick, Fashion-MNIST: minutes
//   swift run chapter-ultralow --profile paper   # VGG16 / CIFAR-100, 300 + 300 epochs: weeks
//                                                # on 2 CPU cores; needs data/cifar-100-binary/
//
// Deviations from the paper (README.md explains each):
//   • quick: Fashion-MNIST, NOTES.md §8's 4-conv VGG-S at half width, 12k training images,
//     5 DNN epochs, 2 fine-tuning epochs on 3k images at a rate chosen per T on 2k other
//     training images, every SNN simulated on the whole test set;
//     paper profile: VGG16 only (the Diet-SNN ResNet20 is not built here);
//   • the factor script was never published: (α, β) minimise the NOTES.md §2.4 objective
//     (our reconstruction); spike amplitude a = β·μ with no c = 1.3 fudge factor;
//   • SNN without dropout; a follows θ during fine-tuning through the weights (a/θ fixed);
//     the gradient to θ is the library's (no "∂L/∂V += Σ∂L/∂o" quirk, NOTES.md §2.6);
//   • symbols as in docs/notation.md: the paper's threshold V, spike value A and membrane U
//     are our θ, a and u.
//   • the last epoch is reported and the budget is chosen on held-out training images (the
//     paper kept the best test epoch); paper profile: 5k of the 50k training images held out.

import ArgumentParser
import ChapterSupport
import RunRecords
import Training
import UltralowMethod
import Datasets
import EnergyEstimation
import Figures
import Foundation
import SNNConversion
import Statistics
import TensorCore
import SpikingNeurons
import NeuralNetworks

struct Arguments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chapter-ultralow",
        abstract: "Distribution-aware DNN-to-SNN conversion for 1–3 time steps "
            + "(Datta & Beerel, DATE 2022).")

    /// What each option accepts, declared once: shown in --help, checked in validate()
    /// before any work (a bad value stops with the usage and exit status 64).
    enum Rule {
        /// Fine-tuning starts from factors fitted at the same T: one of the profile's fitted T.
        static func finetuneTimesteps(_ profile: Profile) -> OptionRule<Int> {
            OptionRule("--finetune-timesteps", oneOf: Config.preset(profile).conversion.timesteps,
                       reason: "the T the \(profile.rawValue) profile fits (α, β) for")
        }
        /// "smoke 1, 2, 4; quick 1, 2, 3, 4, 8; …" for the help.
        static let fittedTimesteps = Profile.allCases.map { profile in
            "\(profile.rawValue) " + Config.preset(profile).conversion.timesteps
                .map(String.init).joined(separator: ", ")
        }.joined(separator: "; ")
        static let finetuneEpochs = OptionRule.epochs("--finetune-epochs")
        static let epochs = OptionRule.epochs()
        static let trainLimit = OptionRule.trainLimit()
        static let learningRate = OptionRule.learningRate()
        static let finetuneLearningRate = OptionRule.learningRate("--finetune-learning-rate")
    }

    @OptionGroup var chapter: ChapterOptions
    @Option(help: ArgumentHelp(
        "Time steps the fine-tuned SNNs use (repeatable), e.g. --finetune-timesteps 2 "
            + "(values: a T the profile fits factors for: \(Rule.fittedTimesteps))"))
    var finetuneTimesteps: [Int] = []
    @Option(help: Rule.finetuneEpochs.help("Fine-tuning epochs (default: the profile's)."))
    var finetuneEpochs: Int?
    @Option(help: Rule.epochs.help("DNN epochs (default: the profile's).")) var epochs: Int?
    @Option(help: Rule.trainLimit.help(
        "Training images (a class-balanced subset; default: the profile's)."))
    var trainLimit: Int?
    @Option(help: Rule.learningRate.help("DNN learning rate (default: the profile's)."))
    var learningRate: Float?
    @Option(help: Rule.finetuneLearningRate.help(
        "Fine-tuning learning rate, instead of the profile's grid (held-out images still compare it "
            + "with no fine-tuning)."))
    var finetuneLearningRate: Float?

    func validate() throws {
        try Rule.finetuneTimesteps(chapter.profile).check(finetuneTimesteps)
        try Rule.finetuneEpochs.check(finetuneEpochs)
        try Rule.epochs.check(epochs)
        try Rule.trainLimit.check(trainLimit)
        try Rule.learningRate.check(learningRate)
        try Rule.finetuneLearningRate.check(finetuneLearningRate)
    }
}

let arguments = Arguments.parseOrExit(exercises: ultralowExercises, options: \.chapter)  // Exercises.swift
runChapter {
    // MARK: - 0. Setup
    let options = arguments.chapter
    let config = Config.preset(options.profile).modified { c in
        if let d = options.dataset { c.data.dataset = d }
        if !arguments.finetuneTimesteps.isEmpty {
            c.finetune.timesteps = arguments.finetuneTimesteps
            // The naive comparison borrows the fitted rule's rate, so it runs only where one is chosen.
            c.finetune.naiveTimesteps = c.finetune.naiveTimesteps.filter(arguments.finetuneTimesteps.contains)
        }
        if let e = arguments.finetuneEpochs { c.finetune.epochs = e }
        if let e = arguments.epochs { c.dnn.epochs = e }
        if let n = arguments.trainLimit { c.data.trainLimit = n }
        if let r = arguments.learningRate { c.dnn.learningRate = r }
        if let r = arguments.finetuneLearningRate { c.finetune.learningRates = [r] }
    }
    let context = try ChapterContext(chapter: "ultralow", options: options,
                                     stages: ["dnn", ChapterContext.sharedBackboneStage, "fit", "convert", "finetune"])
    context.applyBackends()
    let exercise = try ultralowExercises.prepare(context)  // --exercise N: the plain run's results, read now
    let output = try context.claimOutput()  // folders checked and locked before any work
    let cache = context.makeStageCache()
    var dataRNG = SeededGenerator(seed: context.seed)
    printSection("0. Setup")
    print("chapter-ultralow  profile \(context.profile.rawValue)  seed \(context.seed)")
    try printResolvedConfig(config)

    // MARK: - 1. Data
    // Images standardised with training statistics; the SNN receives the same image as a
    // constant input current at every step (direct coding, NOTES.md §2.8).
    printSection("1. Data")
    let fullTrain = try context.loadDataset(config.data.dataset, split: .train)
    let fullTest = try context.loadDataset(config.data.dataset, split: .test)
    let trainIndices = fullTrain.stratifiedIndices(limit: config.data.trainLimit, using: &dataRNG)
    let testIndices = fullTest.stratifiedIndices(limit: config.data.testLimit, using: &dataRNG)
    let train = fullTrain.selecting(trainIndices)
    let test = fullTest.selecting(testIndices)
    // Held-out images choose the fine-tuning budget (section 5): class-balanced, from the training
    // images the DNN does not train on, drawn from their own stream; never the test set.
    let unused = fullTrain.indices(excluding: trainIndices)
    guard config.finetune.heldOutImages >= 1, config.finetune.heldOutImages <= unused.count else {
        throw ChapterError.invalidConfiguration(
            "finetune.heldOutImages = \(config.finetune.heldOutImages) must be between 1 and the "
                + "\(unused.count) training images the DNN does not train on (lower data.trainLimit)")
    }
    var heldOutRNG = SeededGenerator(seed: context.seed, stream: "held-out")
    let heldOutIndices = fullTrain.stratifiedIndices(among: unused, limit: config.finetune.heldOutImages,
                                                     using: &heldOutRNG)
    let heldOut = fullTrain.selecting(heldOutIndices)
    let normalization = Normalization(fittedTo: train)
    let testBatches = test.batches(size: config.evaluation.batchSize, normalization: normalization)
    let heldOutBatches = heldOut.batches(size: config.evaluation.batchSize, normalization: normalization)
    print("\(config.data.dataset.title): \(train.count) train, \(heldOut.count) held out (other training "
          + "images), \(test.count) test images, shape \(train.imageShape), direct input")

    // MARK: - 2. Train the DNN with a trainable clip μ per layer (NOTES.md §2.2)
    //     y = clip(x, 0, μ);  ∂y/∂x = [0 < x < μ];  ∂y/∂μ = [x ≥ μ]   (PACT)
    // Bias-free, no BatchNorm, max pooling, dropout after each clip; μ starts at 4 and
    // receives weight decay like every weight (one optimiser group in the paper's code).
    printSection("2. Train the DNN")
    let makeDNN = { (rng: inout SeededGenerator) -> Sequential in
        let network = VGG.make(config.dnn.features, inputChannels: train.imageShape[0],
                               inputSize: train.imageShape[1], classes: train.classCount,
                               classifier: config.dnn.classifier, batchNorm: false, bias: false, pool: .max,
                               dropout: config.dnn.dropout,
                               activation: { _, _ in ClippedReLU(clip: config.dnn.initialClip) }, using: &rng)
        // The authors' initialisation (NOTES.md §3): conv N(0, 2/(k²·C_out)), linear N(0, 0.01²).
        applyDietSNNInitialisation(network, using: &rng)
        return network
    }
    // The DNN draws from its own named stream (initial weights, batch order, dropout), so
    // whether it was trained now or loaded from the cache, every later draw is the same.
    let (dnn, dnnKey, _) = try cache.networkStage(
        "dnn", version: 3, config: DNNStage(data: config.data, dnn: config.dnn),
        architecture: makeDNN
    ) { progress -> Sequential in
        var dnnRNG = SeededGenerator(seed: context.seed, stream: "dnn")
        var initRNG = dnnRNG.split()
        let network = makeDNN(&initRNG)
        try trainDNN(network, train: train, normalization: normalization, config: config, using: &dnnRNG,
                     checkpoints: progress.checkpoints)
        return network
    }
    let clipInfo = clipLayers(of: dnn)
    let clips = clipInfo.map(\.clip)
    let dnnAccuracy = Double(classificationAccuracy(
        dnn, batches: fullTest.batches(size: 500, normalization: normalization)))
    // Which simulated images the DNN gets right: the other side of the paired claims.
    let dnnOutcomes = ImageOutcomes(classificationCorrectness(dnn, batches: testBatches))
    let dnnSubsetAccuracy = dnnOutcomes.accuracy
    print("DNN test accuracy (all \(fullTest.count)): \(percentWithError(dnnAccuracy, images: fullTest.count)) % "
          + "(± binomial s.e.)")
    print("DNN test accuracy (the \(test.count) simulated): \(percentWithError(dnnSubsetAccuracy, images: test.count)) %")
    try cache.requireAboveChance(dnnKey, accuracy: dnnAccuracy, images: fullTest.count, classes: fullTest.classCount)
    print("trained clips μˡ: " + clips.map { formatFixed(Double($0), digits: 3) }.joined(separator: "  "))
    // The baseline: the shared ReLU backbone (classic's ANN, one cached stage; trained here only
    // if no chapter has yet) on the same full test set, paired with the DNN image by image.
    // The paper needs its own DNN, so the chapter states the gap rather than closing it.
    let reference = try context.baselineGap(
        against: config.reference, dataset: config.data.dataset, cache: cache, calling: "DNN"
    ) { backbone, backboneConfig in
        BaselineGap(
            backbone: backbone, backboneConfig: backboneConfig, chapterANN: dnn,
            architecture: VGG.layerNames(config.dnn.features, classifier: config.dnn.classifier)
                + ", clipped ReLU, max pooling, no BatchNorm or bias",
            trainingImages: train.count, epochs: config.dnn.epochs, normalization: normalization, test: fullTest,
            // When every test image is simulated (quick), the DNN's outcomes are those images'.
            chapterOutcomes: testIndices == Array(0..<fullTest.count) ? dnnOutcomes : nil)
    }

    // MARK: - 3. Convert: measure the distribution, fit (α, β) per layer and T (NOTES.md §2.4)
    //     (α, β) = argmin E_x[(clip(x, 0, μ) − (β·μ/T)·clip(⌊(T·x + u[0])/(α·μ)⌋, 0, T))²]
    //     θ = α·μ,  a = β·μ;  naive: α = β = 1, u[0] = 0;  shift: α = β = 1, u[0] = θ/2
    // Estimator (a) plugs the DNN's pre-activations into the constant-input count above;
    // (b) simulates the partly converted SNN and counts spikes of layer l under its real,
    // time-varying currents. Grid step 0.01 in α, closed-form β for each α.
    printSection("3. Convert: distributions and fitted factors")
    let statisticsImages = train.batches(size: 256).prefix((config.conversion.statisticsImages + 255) / 256)
        .map { normalization.apply(to: $0.images) }
    let calibration = normalization.apply(
        to: train.batches(size: config.conversion.calibrationImages)[0].images)
    let (fitted, fitKey, _) = try cache.stage(
        "fit", version: 1, config: config.conversion, dependsOn: [dnnKey]) { () -> FitStage in
        var fitRNG = SeededGenerator(seed: context.seed &+ 1)
        let samples = preActivationSamples(of: dnn, clipIndices: clipInfo.map(\.index),
                                           images: statisticsImages,
                                           limit: config.conversion.sampleLimit, using: &fitRNG)
        return fitFactors(samples: samples, dnn: dnn, clipIndices: clipInfo.map(\.index),
                          clips: clips, calibration: calibration, config: config.conversion,
                          using: &fitRNG)
    }
    printFits(fitted, clips: clips)

    // MARK: - 4. Evaluate the converted SNNs before any training (planned failure first)
    // Naive θ = a = μ leaves most neurons silent at T ≤ 2 (they never reach μ); the shift
    // rounds instead of flooring; the fitted factors place threshold and level where the
    // skewed data lies. One SNN per rule and T, because the fitted factors depend on T.
    printSection("4. Converted SNN accuracy vs T (no training)")
    // version 2: every evaluation keeps its per-image outcomes; 3: quick simulates all test images;
    // 4: sparse linear layers on spikes
    let (converted, convertKey, _) = try cache.stage(
        "convert", version: 4, config: config.evaluation, dependsOn: [fitKey]) { () -> [RuleResult] in
        config.conversion.rules.map { rule in
            let evaluations = config.conversion.timesteps.map { t -> SNNEvaluation in
                rewriteLine("  simulating \(rule.name) at T = \(t) …")
                let s = settings(for: rule, clips: clips, factors: fitted.factors, timesteps: t)
                let (snn, neurons) = makeSNN(from: dnn, settings: s, trainable: false)
                return evaluate(snn, neurons: neurons, on: testBatches, timesteps: t, seed: context.seed)
            }
            return RuleResult(rule: rule, name: rule.name, evaluations: evaluations)
        }
    }
    rewriteLine("")
    printConversionTable(converted, timesteps: config.conversion.timesteps, dnnAccuracy: dnnSubsetAccuracy)
    // --export-nir DIR: every converted SNN that NIR can hold, one file per rule and T
    // (docs/nir.md §4b: max pooling of spikes as an OR). NIR neurons start at v = 0, so a
    // conversion with U(0) = V/2 has no NIR form: it is named and skipped, never written
    // differently.
    for rule in config.conversion.rules where context.exportsNIR {
        guard rule.start == .zero else {
            print("NIR: \(rule.name) not written: U(0) = V/2 has no NIR form (NIR neurons start at v = 0; docs/nir.md §2)")
            continue
        }
        for t in config.conversion.timesteps {
            let (snn, _) = makeSNN(from: dnn, settings: settings(for: rule, clips: clips, factors: fitted.factors, timesteps: t),
                                   trainable: false)
            // File names in ASCII: ultralow-naive-t2.nir, ultralow-fitted-snncalibrated-t2.nir, …
            let name = ([rule.kind.rawValue] + (rule.estimator.map { [$0.rawValue] } ?? []) + ["T\(t)"]).joined(separator: " ")
            try context.exportNIR(snn, name: name, inputShape: train.imageShape,
                                  normalization: normalization)
        }
    }

    // MARK: - 5. Fine-tune the SNN with surrogate-gradient BPTT (NOTES.md §2.6–2.7)
    //     h[t] = λ·u[t−1] + x[t];  s[t] = [h[t] ≥ θ];  u[t] = h[t] − θ·s[t];
    //     logits = Σ_t W_L·o^{L−1}[t];  x[t] = W·o[t] of the layer below
    //     ∂s/∂h ≈ 1/θ on 0 < h ≤ 2θ (rectangle);  θ and λ trained, λ ≤ 1
    // The budget is chosen on held-out training images, never on the test set: at every T the
    // fitted conversion is fine-tuned once per learning rate of the grid (the same batches for
    // each), and the candidate with the best held-out accuracy is kept, "no fine-tuning"
    // included (the first of equals wins, so a rate must beat the converted SNN). The naive
    // conversion is fine-tuned at T = 2 with the rate chosen for the fitted one at that T, to
    // show how much a good starting point is worth with the same budget.
    printSection("5. Fine-tune the SNN (BPTT, trainable V and λ; budget chosen on held-out images)")
    var subsetRNG = SeededGenerator(seed: context.seed, stream: "finetune-subset")
    let tuneIndices = train.stratifiedIndices(limit: config.finetune.trainLimit, using: &subsetRNG)
    let tuneTrain = train.selecting(tuneIndices)
    // version 4: the budget chosen on held-out images, and the choice recorded; 5: sparse linear layers on spikes
    let (tuning, tunedKey, _) = try cache.stage(
        "finetune", version: 5, config: FineTuneStage(finetune: config.finetune, evaluation: config.evaluation),
        dependsOn: [convertKey]) { progress -> FineTuneOutput in
        /// The converted SNN of `rule` at T, fine-tuned with `rate` (none: as converted).
        func tuned(_ rule: ConversionRule, _ t: Int, rate: Float?) throws -> (Sequential, [Int], [Double]) {
            let s = settings(for: rule, clips: clips, factors: fitted.factors, timesteps: t)
            let (snn, neurons) = makeSNN(from: dnn, settings: s, trainable: true)
            guard let rate else { return (snn, neurons, []) }
            // One stream per T: every candidate and the naive comparison see the same batches.
            var tuneRNG = SeededGenerator(seed: context.seed, stream: "finetune T=\(t)")
            let losses = try fineTune(snn, neurons: neurons, train: tuneTrain, normalization: normalization,
                                      timesteps: t, epochs: config.finetune.epochs,
                                      batchSize: config.finetune.batchSize, learningRate: rate,
                                      label: "fine-tune \(rule.kind.rawValue) T=\(t) lr \(rateLabel(rate))",
                                      using: &tuneRNG, checkpoints: progress.checkpoints)
            return (snn, neurons, losses)
        }
        func onTest(_ snn: Sequential, _ neurons: [Int], _ t: Int) -> SNNEvaluation {
            evaluate(snn, neurons: neurons, on: testBatches, timesteps: t, seed: context.seed)
        }
        var selections: [FineTuneSelection] = []
        var results: [FineTuneResult] = []
        let rule = config.finetune.rule
        for t in config.finetune.timesteps {
            var networks: [(Sequential, [Int])] = []
            var candidates: [FineTuneCandidate] = []
            for rate in [nil] + config.finetune.learningRates.map(Optional.some) {
                let (snn, neurons, losses) = try tuned(rule, t, rate: rate)
                let heldOut = evaluate(snn, neurons: neurons, on: heldOutBatches, timesteps: t, seed: context.seed)
                candidates.append(FineTuneCandidate(learningRate: rate, heldOut: heldOut, losses: losses))
                networks.append((snn, neurons))
                print("  \(rule.name), T = \(t), \(candidates.last!.label): held-out "
                      + "\(percentWithError(heldOut.accuracy, images: heldOut.outcomes.count)) %")
            }
            let selection = FineTuneSelection(rule: rule, timesteps: t, candidates: candidates)
            selections.append(selection)
            let before = onTest(networks[0].0, networks[0].1, t)
            let after = selection.chosen == 0 ? before : onTest(networks[selection.chosen].0, networks[selection.chosen].1, t)
            let result = FineTuneResult(rule: rule, name: rule.name, timesteps: t,
                                        learningRate: selection.choice.learningRate,
                                        learningRateSource: "chosen on held-out images",
                                        before: before, after: after, losses: selection.choice.losses)
            print("  chosen: \(result.budget); test \(formatFixed(100 * before.accuracy, digits: 2)) % → "
                  + "\(formatFixed(100 * after.accuracy, digits: 2)) %")
            results.append(result)
        }
        for t in config.finetune.naiveTimesteps {
            guard let selection = selections.first(where: { $0.timesteps == t }) else {
                preconditionFailure("naive fine-tuning at T = \(t) needs the fitted rule's choice at that T")
            }
            let rate = selection.comparisonRate
            let (converted, neurons, _) = try tuned(.naive, t, rate: nil)
            let before = onTest(converted, neurons, t)
            var after = before, losses: [Double] = []
            if let rate {
                let (snn, tunedNeurons, tunedLosses) = try tuned(.naive, t, rate: rate)
                (after, losses) = (onTest(snn, tunedNeurons, t), tunedLosses)
            }
            let source = selection.choice.learningRate != nil
                ? "the rate chosen for \(rule.name) at T = \(t) (the same budget)"
                : "the best rate on held-out images for \(rule.name) at T = \(t), which kept its converted SNN"
            results.append(FineTuneResult(rule: .naive, name: ConversionRule.naive.name, timesteps: t,
                                          learningRate: rate, learningRateSource: source,
                                          before: before, after: after, losses: losses))
            print("  \(ConversionRule.naive.name), T = \(t), \(results.last!.budget): test "
                  + "\(formatFixed(100 * before.accuracy, digits: 2)) % → \(formatFixed(100 * after.accuracy, digits: 2)) %")
        }
        return FineTuneOutput(selections: selections, results: results)
    }
    let tuned = tuning.results
    printSelectionTable(tuning.selections)
    printFineTuneTable(tuned, dnnAccuracy: dnnSubsetAccuracy, paperAccuracy: config.evaluation.paperAccuracy)
    for r in tuned {
        try cache.requireAboveChance(tunedKey, network: "fine-tune \(r.rule.kind.rawValue) T=\(r.timesteps)",
                                     accuracy: r.after.accuracy, images: test.count, classes: test.classCount)
    }

    // MARK: - 6. Energy, results and figures
    // E_DNN = E_MAC·Σ MACs;  E_SNN = E_MAC·MACs₁·(T or 1) + E_AC·Σ_{l≥2} spikes·fan-out
    // (NOTES.md §6), priced with 45 nm float32 (4.6/0.9 pJ) and int32 (3.2/0.1 pJ).
    printSection("6. Energy, results and figures")
    let energy = energyRows(dnn: dnn, imageShape: train.imageShape, converted: converted, tuned: tuned)
    printEnergyTable(energy)
    let metrics = Metrics(
        dataset: config.data.dataset.title, dnnAccuracy: dnnAccuracy, dnnTestImages: fullTest.count,
        dnnOutcomesOnSimulated: dnnOutcomes, clips: clips.map(Double.init),
        distributions: fitted.distributions, fitTable: fitted.table, converted: converted,
        fineTuneSelection: tuning.selections, fineTuned: tuned, energy: energy,
        splits: ImageSplits(
            dnnTraining: ImageSubset(split: "train", splitLabels: fullTrain.labels, classCount: fullTrain.classCount,
                                     indices: trainIndices, stream: "the run's seed (unnamed), first draw"),
            fineTuning: ImageSubset(split: "train", splitLabels: fullTrain.labels, classCount: fullTrain.classCount,
                                    indices: tuneIndices.map { trainIndices[$0] }, stream: "finetune-subset"),
            heldOut: ImageSubset(split: "train", splitLabels: fullTrain.labels, classCount: fullTrain.classCount,
                                 indices: heldOutIndices, stream: "held-out"),
            test: ImageSubset(split: "test", splitLabels: fullTest.labels, classCount: fullTest.classCount,
                              indices: testIndices, stream: "the run's seed (unnamed), second draw")),
        paperAccuracyCIFAR100T2: config.evaluation.paperAccuracy, reference: reference)
    // The paper's claims (Report.swift, `ultralowClaims`): paired differences on the simulated
    // images, computed from the metrics alone (every evaluation keeps which images it got right).
    let claims = ultralowClaims(metrics)
    printSection("Claims tested (effect ± s.e.; rule: \(ClaimTest.rule))")
    for claim in claims { print(claim.consoleLine) }
    try cache.timed("figures") { try writeFigures(metrics, fitted: fitted, to: output.directory) }
    let record = try RunRecord(context: context, config: config, metrics: metrics,
                               summary: runSummary(metrics), claims: claims)
    print("wrote \(try output.publish(record, timings: cache).path)")  // in one step
    if context.writesReferenceReadme {
        try updateReadme(metrics, claims: claims, profile: context.profile)
    }
    try exercise.finish(record)  // an exercise's outcome (exercise.json) and README's exercises block
}

// MARK: - Exercises
// One option each, run with `--profile smoke --exercise N` after the plain smoke run
// (Exercises.swift computes the outcome; README.md's exercises block shows it):
// 1. `--profile smoke --epochs 8`: does a better-trained DNN lose the skew (fig1) and the
//    fitted α, or does naive conversion still collapse at T ≤ 2?
// 2. `--profile smoke --finetune-epochs 4`: how much of the gap to the DNN can BPTT close
//    from the fitted start, and from the naive one?
// To think about: compare `fig3` with chapter-classic's curve: why can T = 1 work here at all?
