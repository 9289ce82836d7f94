// chapter-primer — chapter 0: the spiking neuron, rate coding and surrogate gradients.
//
// No paper is reproduced here: this lesson sets up what every later chapter assumes. The
// textbook statements it checks come from:
//   B. Rueckauer, I.-A. Lungu, Y. Hu, M. Pfeiffer, S.-C. Liu, "Conversion of continuous-valued
//   deep networks to efficient event-driven networks for image classification", Frontiers in
//   Neuroscience 11:682, 2017 (arXiv:1612.04052), Sec. 2.2: the rate of an IF neuron, the resets.
//   E. O. Neftci, H. Mostafa, F. Zenke, "Surrogate gradient learning in spiking neural
//   networks", IEEE Signal Processing Magazine 36(6), 2019 (arXiv:1901.09948).
//
// Claims tested (textbook; the outcomes are generated from results.json):
// an IF neuron with reset by subtraction encodes a constant input x in [0, θ] in its rate r with
// |r·θ − x| below θ/T; reset to zero discards charge and fires below x/θ; a surrogate for the
// Heaviside derivative lets backpropagation through time (BPTT) train a spiking neuron.
//
// In this chapter you will:
//   • run one IF and one LIF neuron as the recurrence every later chapter uses;
//   • measure the rate error against T, see the θ/T bound, and what reset to zero costs;
//   • plot the surrogate gradients and train one weight through time with them.
//
// Commands (seconds at every profile; no dataset, nothing cached):
//   swift run chapter-primer --profile smoke
//   swift run chapter-primer                      # quick, the default (paper is the same)
//
// Symbols: docs/notation.md. Deviations: none (there is no paper; Config.swift gives each
// setting's source).

import ArgumentParser
import ChapterSupport
import Foundation
import PrimerMethod
import RunRecords
import SpikingNeurons
import Statistics
import Training

// MARK: - 0. Setup

struct Arguments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chapter-primer",
        abstract: "Chapter 0: the IF/LIF neuron, rate coding, resets and surrogate gradients.")

    /// What each option accepts, declared once: shown in --help, checked in validate().
    enum Rule {
        static let leak = OptionRule<Float>("--leak", above: 0, through: 1)
        static let targetSpikes = OptionRule<Int>(
            "--target-spikes", 0...Config.paper.bptt.timesteps,
            reason: "the neuron runs \(Config.paper.bptt.timesteps) steps and fires at most once per step")
    }

    @OptionGroup var chapter: ChapterOptions
    @Option(help: Rule.leak.help("λ of the LIF neuron (1 is the IF neuron)."))
    var leak: Float?
    @Option(help: "u[0] of the neurons of sections 1–3: zero or halfThreshold.")
    var initialMembrane: InitialMembrane?
    @Option(help: Rule.targetSpikes.help("Spikes the BPTT example should fire in T steps."))
    var targetSpikes: Int?

    func validate() throws {
        try Rule.leak.check(leak)
        try Rule.targetSpikes.check(targetSpikes)
    }
}
extension InitialMembrane: ExpressibleByArgument {}

/// A textbook statement the run found false: the neuron code no longer does what it says.
struct FailedCheck: Error, CustomStringConvertible {
    var description: String
}

let arguments = Arguments.parseOrExit()

runChapter {
    let context = try ChapterContext(chapter: "primer", options: arguments.chapter)
    let config = Config.preset(context.profile).modified { c in
        if let leak = arguments.leak { c.neuron.leak = leak }
        if let u0 = arguments.initialMembrane { c.neuron.initialMembrane = u0 }
        if let n = arguments.targetSpikes { c.bptt.targetSpikes = n }
    }
    context.applyBackends()
    let output = try context.claimOutput()
    print("chapter-primer  profile \(context.profile.rawValue)  seed \(context.seed) (nothing is random)")
    try printResolvedConfig(config)
    let theta = config.neuron.threshold, u0 = config.neuron.initialMembrane

    // MARK: - 1. The neuron as a recurrence
    // One step of an IF or LIF neuron (SpikingNeuron; the kernel is TensorCore's
    // MembraneRecurrence), with input current x[t]:
    //     h[t] = λ·u[t−1] + x[t]        charge; λ = 1 is the IF neuron
    //     s[t] = H(h[t] − θ)            fire when the membrane reaches θ
    //     u[t] = h[t] − θ·s[t]          reset by subtraction (to zero: u[t] = h[t]·(1 − s[t]))
    printSection("1. The neuron as a recurrence")

    let integrateAndFire = SpikingNeuron(threshold: theta, model: .integrateAndFire,
                                         reset: .subtraction, initialMembrane: u0)
    let leaky = SpikingNeuron(threshold: theta,
                              model: .leakyIntegrateAndFire(leak: config.neuron.leak, training: .fixed),
                              reset: .subtraction, initialMembrane: u0)
    let traceInput = [Float](repeating: theta * config.trace.input, count: config.trace.timesteps)
    let ifTrace = integrateAndFire.trajectory(input: traceInput)
    let lifTrace = leaky.trajectory(input: traceInput)
    // IF: n = ⌊T·x/θ⌋ from u[0] = 0, ⌊T·x/θ + 1/2⌋ from θ/2 (section 2 shows why)
    let shift = u0 == .halfThreshold ? 0.5 : 0
    let closedForm = Int((Double(config.trace.timesteps) * Double(config.trace.input) + shift).rounded(.down))
    guard ifTrace.spikeCount == closedForm else {
        throw FailedCheck(description:
            "the IF neuron fired \(ifTrace.spikeCount) spikes, its closed form \(closedForm)")
    }
    // LIF without spikes: u[t] rises towards x/(1 − λ), so it fires only if x > θ·(1 − λ)
    let rheobase = 1 - Double(config.neuron.leak)
    print("constant input x = \(formatFixed(Double(config.trace.input), digits: 2))·θ "
          + "for T = \(config.trace.timesteps) steps:")
    print("  IF:  \(ifTrace.spikeCount) spikes (closed form ⌊T·x/θ\(shift > 0 ? " + 1/2" : "")⌋ = \(closedForm))")
    print("  LIF (λ = \(formatFixed(Double(config.neuron.leak), digits: 2))): \(lifTrace.spikeCount) spikes; "
          + "it fires at all only for x/θ > 1 − λ = \(formatFixed(rheobase, digits: 2))")

    // MARK: - 2. Rate coding and the 1/T bound
    // A constant x ∈ [0, θ] into an IF neuron with reset by subtraction. Summing the recurrence
    // over t = 1…T gives θ·n = T·x + u[0] − u[T], and 0 ≤ u[T] < θ, so with r = n/T
    //     x/θ − 1/T < r ≤ x/θ        from u[0] = 0:     |r·θ − x| < θ/T
    //     |r − x/θ| ≤ 1/(2T)         from u[0] = θ/2
    // The rate is the clipped ReLU clip(x/θ, 0, 1) up to θ/T: the error conversion lives with.
    printSection("2. Rate coding and the 1/T bound")

    let fractions = evenlySpacedFractions(count: config.rate.inputCount)   // x/θ, [M]
    let allT = Set(config.rate.figureTimesteps + config.rate.boundTimesteps).sorted()
    let sweeps = allT.map { rateSweep(of: integrateAndFire, fractions: fractions, timesteps: $0) }
    let errors = sweeps.map {
        BoundPoint(timesteps: $0.timesteps, maxError: $0.maxError,
                   bound: rateErrorBound(timesteps: $0.timesteps, initialMembrane: u0))
    }
    printTable(headers: ["T", "max |r·θ − x| / θ", "bound", "error / bound"],
               rows: errors.map { ["\($0.timesteps)", formatFixed($0.maxError, digits: 4),
                                   formatFixed($0.bound, digits: 4), formatFixed($0.maxError / $0.bound, digits: 4)] })
    // The check: the bound holds at every T (equality only at exact ties, from u[0] = θ/2).
    if let broken = errors.first(where: { $0.maxError > $0.bound * (1 + 1e-9) }) {
        throw FailedCheck(description:
            "rate error \(broken.maxError) above the bound \(broken.bound) at T = \(broken.timesteps)")
    }
    // Least-squares slope of log(error) against log T: −1 if the bound's shape is the error's.
    let slope = logLogSlope(x: errors.map { Double($0.timesteps) }, y: errors.map(\.maxError))
    let worstRatio = errors.map { $0.maxError / $0.bound }.max() ?? 0
    print("the bound holds at every T (worst error / bound \(formatFixed(worstRatio, digits: 4))); "
          + "log-log slope of the error against T: \(formatFixed(slope, digits: 3))")

    // MARK: - 3. Reset by subtraction vs reset to zero
    // Reset to zero throws away the charge h[t] − θ above the threshold at every spike. With a
    // constant x it fires once every p = ⌈θ/x⌉ steps, r = ⌊T/p⌋/T ≤ x/θ: just below x = θ, p = 2
    // and the rate is half of what the input asks for, however long the neuron runs.
    printSection("3. Reset by subtraction vs reset to zero")

    let resets = compareResets(of: integrateAndFire, fractions: fractions,
                               timesteps: config.rate.resetTimesteps)
    let (deficit, deficitInput) = resets.maxZeroDeficit
    let subtractionDeficit = zip(resets.inputs, resets.subtractionRates).map { $0 - $1 }.max() ?? 0
    guard resets.inputsWhereZeroFiresMore.isEmpty else {
        throw FailedCheck(description: "reset to zero fired more than reset by subtraction at x/θ = "
                          + "\(resets.inputsWhereZeroFiresMore.prefix(3))")
    }
    printMetric("largest deficit x/θ − r, reset to zero, T = \(resets.timesteps) (at x/θ = "
                + "\(formatFixed(deficitInput, digits: 4)))", deficit, unit: "spikes per step", digits: 4)
    printMetric("largest deficit x/θ − r, reset by subtraction", subtractionDeficit,
                unit: "spikes per step", digits: 4)

    // MARK: - 4. Surrogate gradients and backpropagation through time
    // dH(h − θ)/dh is zero everywhere but at θ, so no gradient reaches the weights. BPTT instead
    // uses a pseudo-derivative f of the normalised distance z = h/θ − 1 (SurrogateGradient):
    //     ∂s/∂h ≈ f(z)/θ,   triangle f = γ·max(0, 1 − |z|),   atan, sigmoid, rectangle, exponential
    // and unrolls the recurrence: δh[t] = δu[t]·∂u/∂h + δs[t]·f(z[t])/θ, δu[t−1] = λ·δh[t].
    printSection("4. Surrogate gradients and BPTT")

    let zs = (0..<config.surrogates.points).map {
        -config.surrogates.zRange + 2 * config.surrogates.zRange * Double($0) / Double(config.surrogates.points - 1)
    }
    let curves = config.surrogates.shapes.map { shape in
        (name: shape.description, z: zs, f: zs.map { Double(shape.value(at: Float($0))) })
    }
    let shapes = curves.map { curve in
        SurrogateShape(name: curve.name, peak: curve.f[curve.z.firstIndex { $0 >= 0 }!],
                       area: zip(curve.f.dropFirst(), curve.f).map { ($0 + $1) / 2 }.reduce(0, +)
                           * (zs[1] - zs[0]))
    }
    printTable(headers: ["surrogate", "f(0)", "∫ f dz"],
               rows: shapes.map { [$0.name, formatFixed($0.peak, digits: 3), formatFixed($0.area, digits: 3)] })

    // One weight, one IF neuron: x[t] = w·a, n = Σ_t s[t], L = (n − n*)², w ← w − η·∂L/∂w.
    let b = config.bptt
    let neuron = bpttNeuron(b, threshold: theta)
    let fit = fitInputWeight(of: neuron, input: b.input, timesteps: b.timesteps, target: b.targetSpikes,
                             initialWeight: b.initialWeight, learningRate: b.learningRate, updates: b.updates)
    // The true gradient of the staircase L(w), by central differences at the start: zero.
    let epsilon: Float = 1e-3
    let lossAbove = spikeCountLoss(of: neuron, weight: b.initialWeight + epsilon, input: b.input,
                                   timesteps: b.timesteps, target: b.targetSpikes).loss
    let lossBelow = spikeCountLoss(of: neuron, weight: b.initialWeight - epsilon, input: b.input,
                                   timesteps: b.timesteps, target: b.targetSpikes).loss
    let finiteDifference = (lossAbove - lossBelow) / (2 * Double(epsilon))
    // Closed form: n = ⌊T·w·a/θ⌋ = n* for w ∈ [n*·θ/(T·a), (n* + 1)·θ/(T·a)).
    let scale = Double(theta) / (Double(b.timesteps) * Double(b.input))
    let (start, end) = (fit.steps.first!, fit.steps.last!)
    let reached = fit.steps.firstIndex { $0.loss == 0 }
    printTable(headers: ["update", "w", "spikes n", "loss (n − n*)²", "∂L/∂w (surrogate)"],
               rows: fit.steps.enumerated().filter { $0.offset % 5 == 0 || $0.offset == fit.steps.count - 1 }
                .map { k, s in ["\(k)", formatFixed(s.weight, digits: 4), "\(s.spikes)",
                                formatFixed(s.loss, digits: 1), formatFixed(s.gradient, digits: 3)] })
    print("∂L/∂w at w₀ = \(formatFixed(start.weight, digits: 4)): true (finite differences, ε = 1e-3) "
          + "\(formatFixed(finiteDifference, digits: 3)), surrogate \(formatFixed(start.gradient, digits: 3))")
    print("loss \(formatFixed(start.loss, digits: 1)) → \(formatFixed(end.loss, digits: 1)) in \(b.updates) updates"
          + (reached.map { " (zero from update \($0))" } ?? "") + "; closed form for n* = \(b.targetSpikes): "
          + "w in [\(formatFixed(Double(b.targetSpikes) * scale, digits: 4)), "
          + "\(formatFixed(Double(b.targetSpikes + 1) * scale, digits: 4)))")

    // MARK: - 5. The exercises' expected outcomes
    // Each exercise changes one option; its outcome is computed here with that setting, so
    // README.md never states a number by hand (ChapterTests reruns the exercises and compares).
    printSection("5. Exercises")

    let observed = [
        Observable.maxRateError: sweeps.first { $0.timesteps == config.rate.resetTimesteps }?.maxError
            ?? rateSweep(of: integrateAndFire, fractions: fractions, timesteps: config.rate.resetTimesteps).maxError,
        Observable.leakySpikes: Double(lifTrace.spikeCount),
        Observable.fittedSpikes: Double(end.spikes),
        Observable.fittedWeight: end.weight,
    ]
    let exerciseList = exercises(config, observed: observed)
    for e in exerciseList { print("\(e.number). \(e.command)\n   \(e.outcome)") }

    // MARK: - 6. Results and figures

    let metrics = Metrics(
        threshold: Double(theta),
        trace: TraceMetrics(input: Double(config.trace.input), timesteps: config.trace.timesteps,
                            leak: Double(config.neuron.leak), integrateAndFire: ifTrace,
                            leakyIntegrateAndFire: lifTrace, integrateAndFireClosedForm: closedForm,
                            leakyRheobase: rheobase),
        rate: RateMetrics(inputs: fractions.count, initialMembrane: u0, errors: errors,
                          worstErrorToBound: worstRatio, logLogSlope: slope),
        reset: ResetMetrics(timesteps: resets.timesteps, maxZeroDeficit: deficit, maxZeroDeficitInput: deficitInput,
                            maxSubtractionDeficit: subtractionDeficit, inputsWhereZeroFiresMore: 0),
        surrogates: shapes,
        bptt: BPTTMetrics(fit: fit, targetSpikes: b.targetSpikes,
                          closedFormWeightLower: Double(b.targetSpikes) * scale,
                          closedFormWeightUpper: Double(b.targetSpikes + 1) * scale,
                          finiteDifferenceGradientAtStart: finiteDifference, updatesToTarget: reached),
        observables: observed, exercises: exerciseList)
    let claims = primerClaims(metrics)
    printSection("Claims tested (rule: \(ClaimTest.rule))")
    for claim in claims { print(claim.consoleLine) }
    let cache = context.makeStageCache()   // nothing is cached; it records the figures' wall time
    try cache.timed("figures") {
        try writeFigures(metrics, sweeps: sweeps.filter { config.rate.figureTimesteps.contains($0.timesteps) },
                         reset: resets, curves: curves, to: output.directory)
    }
    let record = try RunRecord(context: context, config: config, metrics: metrics,
                               summary: runSummary(metrics), claims: claims)
    let url = try output.publish(record, timings: cache)
    print("wrote \(url.path)")
    if context.writesReferenceReadme {
        try updateReadme(metrics, claims: claims, profile: context.profile)
    }
}

// MARK: - Exercises
// README.md lists each with its command and the outcome section 5 computed:
// 1. `--initial-membrane halfThreshold`: what happens to the worst rate error, and why?
// 2. `--leak 0.6`: does the LIF neuron still fire on the trace's input?
// 3. `--target-spikes 12`: does gradient descent find the new weight?
