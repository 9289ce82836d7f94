// What chapter-primer writes: results.json metrics and claims, the figures, the README's
// generated blocks, and the exercises' expected outcomes (each computed, never typed).

import ChapterSupport
import Figures
import Foundation
import PrimerMethod
import RunRecords
import SpikingNeurons
import Statistics
import Training

// MARK: - Metrics (results.json)

/// Section 1: one IF and one LIF neuron under the same constant input.
struct TraceMetrics: Codable, Equatable {
    /// x/θ at every step.
    var input: Double
    var timesteps: Int
    /// λ of the LIF neuron.
    var leak: Double
    var integrateAndFire: MembraneTrajectory
    var leakyIntegrateAndFire: MembraneTrajectory
    /// The IF count in closed form: ⌊T·x/θ⌋ from u[0] = 0, ⌊T·x/θ + 1/2⌋ from θ/2.
    var integrateAndFireClosedForm: Int
    /// 1 − λ: at or below x/θ = 1 − λ the LIF membrane stays under θ and the neuron never fires.
    var leakyRheobase: Double
}

/// The worst rate error at one T against its bound, both in units of θ.
struct BoundPoint: Codable, Equatable {
    var timesteps: Int
    var maxError: Double
    var bound: Double
}

/// Section 2: the rate of an IF neuron with reset by subtraction against its input.
struct RateMetrics: Codable, Equatable {
    /// Inputs x/θ simulated at every T.
    var inputs: Int
    var initialMembrane: InitialMembrane
    /// Every T of both figures, in increasing order.
    var errors: [BoundPoint]
    /// max over T of maxError / bound: at most 1 when the bound holds.
    var worstErrorToBound: Double
    /// Least-squares slope of log(max error) against log T (the bound's is −1).
    var logLogSlope: Double
}

/// Section 3: the same inputs with reset by subtraction and reset to zero.
struct ResetMetrics: Codable, Equatable {
    var timesteps: Int
    /// max over inputs of x/θ − r with reset to zero, and the input where it occurs.
    var maxZeroDeficit: Double
    var maxZeroDeficitInput: Double
    /// The same for reset by subtraction (below 1/T).
    var maxSubtractionDeficit: Double
    /// Inputs at which reset to zero fires more than reset by subtraction.
    var inputsWhereZeroFiresMore: Int
}

/// Section 4a: one surrogate's shape.
struct SurrogateShape: Codable, Equatable {
    var name: String
    /// f(0), at h = θ.
    var peak: Double
    /// ∫ f(z) dz over the plotted range (trapezoid rule).
    var area: Double
}

/// Section 4b: gradient descent on one input weight.
struct BPTTMetrics: Codable, Equatable {
    var fit: WeightFit
    var targetSpikes: Int
    /// Every w in [lower, upper) gives n* spikes: n = ⌊T·w·a/θ⌋ for IF from u[0] = 0.
    var closedFormWeightLower: Double
    var closedFormWeightUpper: Double
    /// (L(w₀ + ε) − L(w₀ − ε))/(2ε) of the true spike-count loss at the start, ε = 1e-3.
    var finiteDifferenceGradientAtStart: Double
    /// The first update count after which the loss is 0, nil when it never is.
    @ExplicitNull var updatesToTarget: Int?
}

/// One exercise: the option it changes, and the number it asks about in this run and in the
/// exercise's run (computed here by the same calls, with the exercise's setting).
struct Exercise: Codable, Equatable {
    var number: Int
    var arguments: [String]
    var question: String
    /// The key in `Metrics.observables` whose value changes.
    var observable: String
    /// Its value in this run.
    var reference: Double
    /// Its value in a run with `arguments` (same profile).
    var expected: Double
    /// What you should see, with the numbers filled in.
    var outcome: String

    var command: String { "swift run chapter-primer " + arguments.joined(separator: " ") }
}

struct Metrics: Codable, Equatable {
    var threshold: Double
    var trace: TraceMetrics
    var rate: RateMetrics
    var reset: ResetMetrics
    var surrogates: [SurrogateShape]
    var bptt: BPTTMetrics
    /// The numbers the exercises ask about, by name (`Exercise.observable`).
    var observables: [String: Double]
    var exercises: [Exercise]
}

// MARK: - Observables: the numbers the exercises change

/// The observables' names.
enum Observable {
    /// max |r·θ − x|/θ at T = `RateConfig.resetTimesteps`.
    static let maxRateError = "maxRateError"
    /// Spikes of the LIF neuron of the trace.
    static let leakySpikes = "leakySpikes"
    /// Spikes after the last BPTT update.
    static let fittedSpikes = "fittedSpikes"
    /// w after the last BPTT update.
    static let fittedWeight = "fittedWeight"
}

/// The observables of `config` computed directly from the Method calls (what an exercise's run
/// would measure); main.swift fills its own from the lesson's measurements, and ChapterTests
/// checks that both agree.
func observables(of config: Config) -> [String: Double] {
    let n = config.neuron
    let layer = SpikingNeuron(threshold: n.threshold, reset: .subtraction, initialMembrane: n.initialMembrane)
    let lif = SpikingNeuron(threshold: n.threshold, model: .leakyIntegrateAndFire(leak: n.leak, training: .fixed),
                            reset: .subtraction, initialMembrane: n.initialMembrane)
    let fit = fitInputWeight(of: bpttNeuron(config.bptt, threshold: n.threshold), input: config.bptt.input,
                             timesteps: config.bptt.timesteps, target: config.bptt.targetSpikes,
                             initialWeight: config.bptt.initialWeight, learningRate: config.bptt.learningRate,
                             updates: config.bptt.updates)
    let traceInput = [Float](repeating: n.threshold * config.trace.input, count: config.trace.timesteps)
    return [
        Observable.maxRateError: rateSweep(of: layer, fractions: evenlySpacedFractions(count: config.rate.inputCount),
                                           timesteps: config.rate.resetTimesteps).maxError,
        Observable.leakySpikes: Double(lif.trajectory(input: traceInput).spikeCount),
        Observable.fittedSpikes: Double(fit.steps.last!.spikes),
        Observable.fittedWeight: fit.steps.last!.weight,
    ]
}

/// The neuron BPTT trains through: IF, reset by subtraction, u[0] = 0, the configured surrogate.
func bpttNeuron(_ bptt: Config.BPTTConfig, threshold: Float) -> SpikingNeuron {
    SpikingNeuron(threshold: threshold, reset: .subtraction, initialMembrane: .zero, surrogate: bptt.surrogate)
}

/// The exercises of README.md, each with its expected outcome computed for this profile's
/// config changed as the exercise's option changes it.
func exercises(_ config: Config, observed: [String: Double]) -> [Exercise] {
    let T = config.rate.resetTimesteps, x = Double(config.trace.input)
    func value(_ changed: Config, _ key: String) -> Double { observables(of: changed)[key]! }
    func fixed(_ v: Double, _ digits: Int = 4) -> String { formatFixed(v, digits: digits) }

    let half = config.modified { $0.neuron.initialMembrane = .halfThreshold }
    let halfError = value(half, Observable.maxRateError)
    let leak: Float = 0.6
    let leaky = config.modified { $0.neuron.leak = leak }
    let leakySpikes = value(leaky, Observable.leakySpikes)
    let target = 12
    let more = config.modified { $0.bptt.targetSpikes = target }
    let fitted = observables(of: more)
    // n = ⌊T·w·a/θ⌋ = n* ⟺ w ∈ [n*·θ/(T·a), (n* + 1)·θ/(T·a))
    let scale = Double(config.neuron.threshold) / (Double(config.bptt.timesteps) * Double(config.bptt.input))
    return [
        Exercise(
            number: 1, arguments: ["--initial-membrane", InitialMembrane.halfThreshold.rawValue],
            question: "Start every membrane at θ/2 instead of 0. What happens to the worst rate error, and why?",
            observable: Observable.maxRateError, reference: observed[Observable.maxRateError]!, expected: halfError,
            outcome: "the largest |r·θ − x|/θ at T = \(T) goes from \(fixed(observed[Observable.maxRateError]!)) to "
                + "\(fixed(halfError)), within the new bound 1/(2T) = \(fixed(rateErrorBound(timesteps: T, initialMembrane: .halfThreshold))): "
                + "the count is now ⌊T·x/θ + 1/2⌋, a rounding instead of a floor."),
        Exercise(
            number: 2, arguments: ["--leak", "\(leak)"],
            question: "Let the LIF neuron leak faster. Does it still fire on the trace's input?",
            observable: Observable.leakySpikes, reference: observed[Observable.leakySpikes]!, expected: leakySpikes,
            outcome: "the LIF neuron of fig-a-membrane-trace fires \(Int(leakySpikes)) spikes in \(config.trace.timesteps) "
                + "steps instead of \(Int(observed[Observable.leakySpikes]!)): with λ = \(leak) its membrane rises "
                + "towards x/(1 − λ) = \(fixed(x / (1 - Double(leak)), 2))·θ, and x = \(fixed(x, 2))·θ is "
                + (x > 1 - Double(leak) ? "above" : x < 1 - Double(leak) ? "below" : "at")
                + " the rheobase θ·(1 − λ) = \(fixed(1 - Double(leak), 2))·θ"
                + (x > 1 - Double(leak) ? "." : ", so it never fires, however large T.")),
        Exercise(
            number: 3, arguments: ["--target-spikes", "\(target)"],
            question: "Ask gradient descent for \(target) spikes instead of \(config.bptt.targetSpikes).",
            observable: Observable.fittedSpikes, reference: observed[Observable.fittedSpikes]!,
            expected: fitted[Observable.fittedSpikes]!,
            outcome: "after \(config.bptt.updates) updates the neuron fires \(Int(fitted[Observable.fittedSpikes]!)) spikes "
                + "with w = \(fixed(fitted[Observable.fittedWeight]!)); in closed form every w in "
                + "[\(fixed(Double(target) * scale)), \(fixed(Double(target + 1) * scale))) gives \(target)."),
    ]
}

// MARK: - Claims: the textbook statements, tested on this run

/// The primer's three claims. The simulations are deterministic (no images, no sampling), so
/// no standard error is estimated and the outcome is the sign of the effect.
///
/// 1. IF, reset by subtraction: |r·θ − x| stays below the bound (θ/T, or θ/(2T) from θ/2) at
///    every T: effect = min over T of (bound − max error)/bound, the share of the bound left.
/// 2. Reset to zero discards the charge above θ, so its rate falls below x/θ: effect = the
///    largest deficit x/θ − r (spikes per step), when it never fires more than subtraction.
/// 3. With a surrogate for H′, BPTT lowers a spike-count loss: effect = L(start) − L(end).
func primerClaims(_ m: Metrics) -> [ClaimTest] {
    func exact(_ value: Double, _ reason: String) -> Difference {
        Difference(mean: value, standardError: 0, basis: .notEstimated(reason: reason))
    }
    let deterministic = "a deterministic simulation, nothing sampled"
    let Ts = m.rate.errors.map(\.timesteps)
    let bound = m.rate.initialMembrane == .halfThreshold ? "θ/(2T)" : "θ/T"
    let start = m.bptt.fit.steps.first!, end = m.bptt.fit.steps.last!
    return [
        ClaimTest(
            id: "if-rate-error-within-bound",
            claim: "an IF neuron with reset by subtraction and a constant input x in [0, θ] fires at a rate r "
                + "with |r·θ − x| below \(bound)",
            source: "Rueckauer et al. 2017, Sec. 2.2; docs/conversion-notes.md §0.2",
            effect: "min over T ∈ {\(Ts.map(String.init).joined(separator: ", "))} of (bound − max |r·θ − x|)/bound, "
                + "in points of the bound (\(m.rate.inputs) inputs; the bound is nearly attained, so the margin is small)",
            difference: exact(1 - m.rate.worstErrorToBound, deterministic), unit: .points, seeds: 1,
            images: m.rate.inputs),
        ClaimTest(
            id: "reset-to-zero-loses-the-residual-charge",
            claim: "resetting the membrane to zero discards the charge above θ, so the neuron fires below x/θ "
                + "(and never above reset by subtraction)",
            source: "Rueckauer et al. 2017, Sec. 2.2; docs/conversion-notes.md §0.2",
            effect: "largest x/θ − r with reset to zero at T = \(m.reset.timesteps) (spikes per step; "
                + "0 if it ever fired more than reset by subtraction)",
            difference: exact(m.reset.inputsWhereZeroFiresMore == 0 ? m.reset.maxZeroDeficit : 0, deterministic),
            unit: .ratio, seeds: 1, images: m.rate.inputs),
        ClaimTest(
            id: "surrogate-bptt-lowers-the-loss",
            claim: "a surrogate for the Heaviside derivative lets backpropagation through time train a spiking "
                + "neuron, whose true gradient is zero almost everywhere",
            source: "Neftci, Mostafa & Zenke 2019, IEEE Signal Processing Magazine 36(6)",
            effect: "spike-count loss (n − n*)² before the first update − after the last "
                + "(\(m.bptt.fit.steps.count - 1) updates, n* = \(m.bptt.targetSpikes))",
            difference: exact(start.loss - end.loss, deterministic), unit: .ratio, seeds: 1, images: 1),
    ]
}

// MARK: - Figures

/// Writes the six figures into `directory`; `sweeps` are the rate-vs-input curves, `reset`
/// the reset comparison and `curves` the surrogate shapes (z, f(z) per shape).
func writeFigures(_ m: Metrics, sweeps: [RateSweep], reset: ResetComparison,
                  curves: [(name: String, z: [Double], f: [Double])], to directory: URL) throws {
    let writer = FigureWriter(directory: directory)
    let theta = m.threshold

    // a. Membrane traces: u[0], then h[t] and, after a spike, the reset u[t] at the same t.
    func sawtooth(_ trajectory: MembraneTrajectory) -> (x: [Double], y: [Double]) {
        var x = [0.0], y = [trajectory.initialMembrane / theta]
        for t in trajectory.spikes.indices {
            x.append(Double(t + 1)); y.append(trajectory.preResetMembrane[t] / theta)
            if trajectory.spikes[t] == 1 { x.append(Double(t + 1)); y.append(trajectory.membrane[t] / theta) }
        }
        return (x, y)
    }
    // One marker per spike at h[t]; a NaN after each breaks the line, so only the markers show.
    func spikeMarks(_ trajectory: MembraneTrajectory) -> (x: [Double], y: [Double]) {
        let fired = trajectory.spikes.indices.filter { trajectory.spikes[$0] == 1 }
        return (fired.flatMap { [Double($0 + 1), Double($0 + 1)] },
                fired.flatMap { [trajectory.preResetMembrane[$0] / theta, .nan] })
    }
    let (ifLine, lifLine) = (sawtooth(m.trace.integrateAndFire), sawtooth(m.trace.leakyIntegrateAndFire))
    let (ifSpikes, lifSpikes) = (spikeMarks(m.trace.integrateAndFire), spikeMarks(m.trace.leakyIntegrateAndFire))
    let top = max(1.2, ((ifLine.y + lifLine.y).max() ?? 1) * 1.15)
    _ = try writer.write(LinePlot(
        title: "One neuron, constant input x = \(formatFixed(m.trace.input, digits: 2))·θ: membrane h[t] and the reset",
        x: Axis("time step t", range: 0...Double(m.trace.timesteps)),
        y: Axis("membrane / θ", range: 0...top),
        series: [Series(label: "IF membrane", x: ifLine.x, y: ifLine.y),
                 Series(label: "LIF membrane (λ = \(formatFixed(m.trace.leak, digits: 2)))", x: lifLine.x, y: lifLine.y),
                 Series(label: "IF spike (h[t] ≥ θ)", x: ifSpikes.x, y: ifSpikes.y),
                 Series(label: "LIF spike", x: lifSpikes.x, y: lifSpikes.y)],
        referenceLines: [ReferenceLine("threshold θ", at: 1)],
        style: .linesAndPoints, key: .below), id: "fig-a-membrane-trace")

    // b. Rate against input for each T, against the clipped ReLU r = clip(x/θ, 0, 1).
    let inputs = sweeps.first?.inputs ?? []
    _ = try writer.write(LinePlot(
        title: "IF rate after T steps against a constant input (reset by subtraction)",
        x: Axis("input x / θ", range: 0...1), y: Axis("rate r (spikes per step)", range: 0...1),
        series: sweeps.map { Series(label: "T = \($0.timesteps)", x: $0.inputs, y: $0.rates) }
            + [Series(label: "clipped ReLU, r = x/θ", x: inputs, y: inputs)],
        style: .lines, key: .topLeft), id: "fig-b-rate-vs-input")

    // b. The worst error against T, and the bound.
    let Ts = m.rate.errors.map { Double($0.timesteps) }
    _ = try writer.write(LinePlot(
        title: "Worst rate error of the IF neuron against T, and its bound",
        x: Axis("time steps T", scale: .log2), y: Axis("max |r·θ − x| / θ", scale: .log),
        series: [Series(label: "measured", x: Ts, y: m.rate.errors.map(\.maxError)),
                 Series(label: m.rate.initialMembrane == .halfThreshold ? "bound 1/(2T)" : "bound 1/T",
                        x: Ts, y: m.rate.errors.map(\.bound))],
        style: .linesAndPoints, key: .topRight), id: "fig-b-error-vs-timesteps")

    // c. Reset by subtraction against reset to zero.
    _ = try writer.write(LinePlot(
        title: "Rate after T = \(reset.timesteps) steps: reset by subtraction and reset to zero",
        x: Axis("input x / θ", range: 0...1), y: Axis("rate r (spikes per step)", range: 0...1),
        series: [Series(label: "reset by subtraction", x: reset.inputs, y: reset.subtractionRates),
                 Series(label: "reset to zero", x: reset.inputs, y: reset.zeroRates),
                 Series(label: "r = x/θ", x: reset.inputs, y: reset.inputs)],
        style: .lines, key: .topLeft), id: "fig-c-reset-comparison")

    // d. Surrogates against the step they replace.
    let z = curves.first?.z ?? []
    _ = try writer.write(LinePlot(
        title: "Surrogate pseudo-derivatives f(z), z = h/θ − 1, and the Heaviside step H(z)",
        x: Axis("z = h/θ − 1"), y: Axis("f(z), and H(z)", range: -0.05...1.1),
        series: curves.map { Series(label: $0.name, x: $0.z, y: $0.f) }
            + [Series(label: "H(z), the spike", x: z, y: z.map { $0 >= 0 ? 1 : 0 })],
        style: .lines, key: .below), id: "fig-d-surrogate-shapes")

    // d. The loss during gradient descent.
    let steps = m.bptt.fit.steps
    _ = try writer.write(LinePlot(
        title: "BPTT on one input weight: spike-count loss (n − n*)², n* = \(m.bptt.targetSpikes)",
        x: Axis("update k"), y: Axis("loss (n − n*)²"),
        series: [Series(label: "loss", x: steps.indices.map(Double.init), y: steps.map(\.loss))],
        style: .linesAndPoints, key: .topRight), id: "fig-d-bptt-loss")
}

// MARK: - Summary and README blocks

/// The headline and one caption per figure, in `writeFigures`' order.
func runSummary(_ m: Metrics) -> RunSummary {
    let points = m.rate.errors.filter { [4, 16, 64].contains($0.timesteps) }
    return RunSummary(
        paper: "none (chapter 0): the textbook IF/LIF neuron, rate coding and surrogate gradients "
            + "(Rueckauer et al. 2017, Sec. 2.2; Neftci, Mostafa & Zenke 2019)",
        headline: Headline(
            label: "worst rate error max |r·θ − x|/θ of an IF neuron with reset by subtraction",
            ours: points.map { "T = \($0.timesteps): \(formatFixed($0.maxError, digits: 4)) "
                + "(bound \(formatFixed($0.bound, digits: 4)))" }.joined(separator: "; "),
            paperClaim: "below θ/T, so the rate converges to the clipped ReLU as T grows"),
        figures: [
            FigureCaption(id: "fig-a-membrane-trace",
                          caption: "One IF and one LIF neuron under the same constant input: the membrane climbs, "
                            + "crosses θ, spikes and drops by θ; the leak slows the LIF neuron down."),
            FigureCaption(id: "fig-b-rate-vs-input",
                          caption: "IF rate against a constant input for several T: a staircase of T steps that "
                            + "hugs the clipped ReLU more closely as T grows."),
            FigureCaption(id: "fig-b-error-vs-timesteps",
                          caption: "The worst rate error over all inputs against T (log-log), under the bound: "
                            + "halving the error costs doubling T."),
            FigureCaption(id: "fig-c-reset-comparison",
                          caption: "Reset to zero against reset by subtraction at one T: reset to zero falls "
                            + "below r = x/θ, worst just under x = θ."),
            FigureCaption(id: "fig-d-surrogate-shapes",
                          caption: "The surrogate pseudo-derivatives the package offers, against the step they "
                            + "stand in for: all peak at the threshold."),
            FigureCaption(id: "fig-d-bptt-loss",
                          caption: "Gradient descent through time on one input weight: the spike-count loss "
                            + "falls to zero once the neuron fires the target count."),
        ])
}

/// The `results` block of chapters/primer/README.md.
func resultsBlock(_ m: Metrics, claims: [ClaimTest], profile: Profile) -> String {
    let f = { (v: Double) in formatFixed(v, digits: 4) }
    let spikes = { (n: Int) in n == 1 ? "1 spike" : "\(n) spikes" }
    let start = m.bptt.fit.steps.first!, end = m.bptt.fit.steps.last!
    var lines = ["",
                 "Generated by `chapter-primer --profile \(profile.rawValue)` from "
                    + "`figures/primer/\(profile.rawValue)/results.json` (θ = \(formatFixed(m.threshold, digits: 2)); "
                    + "inputs, membranes and rate errors are in units of θ, rates in spikes per step).",
                 "",
                 "**1. The neuron.** Constant input x = \(formatFixed(m.trace.input, digits: 2))·θ for "
                    + "\(m.trace.timesteps) steps: the IF neuron fires \(m.trace.integrateAndFire.spikeCount) spikes "
                    + "(closed form \(m.trace.integrateAndFireClosedForm)), the LIF neuron (λ = "
                    + "\(formatFixed(m.trace.leak, digits: 2))) \(m.trace.leakyIntegrateAndFire.spikeCount); "
                    + "the LIF neuron fires at all only for x/θ above 1 − λ = \(formatFixed(m.trace.leakyRheobase, digits: 2)).",
                 "",
                 "**2. The 1/T bound** (\(m.rate.inputs) inputs x/θ evenly spaced over [0, 1], u[0] = "
                    + (m.rate.initialMembrane == .halfThreshold ? "θ/2" : "0") + "):",
                 "",
                 "| T | max \\|r·θ − x\\|/θ | bound | error / bound |",
                 "|---|---|---|---|"]
    lines += m.rate.errors.map { "| \($0.timesteps) | \(f($0.maxError)) | \(f($0.bound)) | \(f($0.maxError / $0.bound)) |" }
    lines += ["",
              "Log-log slope of the error against T: \(formatFixed(m.rate.logLogSlope, digits: 3)) (the bound's is −1).",
              "",
              "**3. The resets** at T = \(m.reset.timesteps): reset to zero falls short of x/θ by up to "
                + "\(f(m.reset.maxZeroDeficit)) spikes per step (at x/θ = \(f(m.reset.maxZeroDeficitInput))), "
                + "reset by subtraction by at most \(f(m.reset.maxSubtractionDeficit)); inputs where reset to zero "
                + "fires more: \(m.reset.inputsWhereZeroFiresMore).",
              "",
              "**4. Surrogates and BPTT.** Peak f(0) and area ∫f over the plotted z: "
                + m.surrogates.map { "\($0.name) \(formatFixed($0.peak, digits: 3)) / \(formatFixed($0.area, digits: 3))" }
                    .joined(separator: "; ") + ". "
                + "Learning w for n* = \(m.bptt.targetSpikes) spikes in T steps: loss \(formatFixed(start.loss, digits: 1)) "
                + "(\(spikes(start.spikes)), w = \(f(start.weight))) → \(formatFixed(end.loss, digits: 1)) "
                + "(\(spikes(end.spikes)), w = \(f(end.weight))) in \(m.bptt.fit.steps.count - 1) updates"
                + (m.bptt.updatesToTarget.map { ", zero from update \($0)" } ?? "")
                + "; closed form: w in [\(f(m.bptt.closedFormWeightLower)), \(f(m.bptt.closedFormWeightUpper))). "
                + "At the starting w the true gradient ∂L/∂w, by finite differences, is "
                + "\(formatFixed(m.bptt.finiteDifferenceGradientAtStart, digits: 3)); "
                + "the surrogate's is \(formatFixed(start.gradient, digits: 3)).",
              "",
              "**Claims tested**", ""] + claimsMarkdown(claims) + [""]
    return lines.joined(separator: "\n")
}

/// The `exercises` block: each exercise's command, question and computed outcome.
func exercisesBlock(_ m: Metrics, profile: Profile) -> String {
    var lines = ["",
                 "Expected outcomes computed by `chapter-primer --profile \(profile.rawValue)` (the same calls with "
                    + "each exercise's setting; ChapterTests reruns every exercise at the smoke profile and checks "
                    + "its number).", ""]
    for e in m.exercises {
        lines += ["\(e.number). `\(e.command)` — \(e.question)",
                  "   *What you should see:* \(e.outcome)", ""]
    }
    return lines.joined(separator: "\n")
}

/// Rewrites both generated blocks of chapters/primer/README.md.
func updateReadme(_ m: Metrics, claims: [ClaimTest], profile: Profile) throws {
    let readme = chapterReadme(beside: #filePath)
    try replaceResultsBlock(in: readme, with: resultsBlock(m, claims: claims, profile: profile))
    try replaceGeneratedBlock("exercises", in: readme, with: exercisesBlock(m, profile: profile))
}
