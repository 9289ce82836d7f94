// Presets of chapter-primer. There is no paper to reproduce: `paper` holds the textbook settings
// the later chapters use, each with where it comes from; `quick` is the same (every section runs
// in well under a second) and `smoke` uses a coarser input grid (docs/conventions.md C5).

import ChapterSupport
import SpikingNeurons

struct Config: ChapterConfiguration {
    /// The neuron of sections 1–3.
    struct NeuronConfig: Codable, Equatable, Sendable {
        /// θ; inputs and membranes are shown in its units.
        var threshold: Float
        /// λ of the LIF neuron (the IF neuron has λ = 1).
        var leak: Float
        /// u[0] of every neuron in sections 1–3.
        var initialMembrane: InitialMembrane
    }
    /// Section 1: one neuron's membrane under a constant input.
    struct TraceConfig: Codable, Equatable, Sendable {
        /// x/θ, the constant input at every step.
        var input: Float
        var timesteps: Int
    }
    /// Sections 2–3: constant inputs x ∈ [0, θ] into a layer of identical neurons.
    struct RateConfig: Codable, Equatable, Sendable {
        /// Evenly spaced inputs x/θ = k/(M − 1); keep M − 1 = 2^a·5^b (see
        /// `evenlySpacedFractions`).
        var inputCount: Int
        /// The T of the rate-vs-input figure.
        var figureTimesteps: [Int]
        /// The T of the error-vs-T figure and of the bound check.
        var boundTimesteps: [Int]
        /// The one T of the reset comparison.
        var resetTimesteps: Int
    }
    /// Section 4a: the surrogate shapes plotted.
    struct SurrogateConfig: Codable, Equatable, Sendable {
        var shapes: [SurrogateGradient]
        /// z = h/θ − 1 from −zRange to +zRange.
        var zRange: Double
        var points: Int
    }
    /// Section 4b: gradient descent on one input weight (IF, reset by subtraction, u[0] = 0).
    struct BPTTConfig: Codable, Equatable, Sendable {
        var timesteps: Int
        /// a, the constant input the weight multiplies: x[t] = w·a.
        var input: Float
        var initialWeight: Float
        /// n*, the spikes the neuron should fire in T steps.
        var targetSpikes: Int
        var learningRate: Float
        var updates: Int
        var surrogate: SurrogateGradient
    }

    var neuron: NeuronConfig
    var trace: TraceConfig
    var rate: RateConfig
    var surrogates: SurrogateConfig
    var bptt: BPTTConfig

    /// The textbook settings.
    static let paper = Config(
        neuron: NeuronConfig(threshold: 1,                    // SNN toolbox default (docs/conversion-notes.md §0.1)
                             leak: 0.8,                       // a LIF decay per step that visibly slows it
                             initialMembrane: .zero),         // most methods (§0.1); QCFS uses θ/2
        trace: TraceConfig(input: 0.35, timesteps: 16),       // no tie (T·x/θ whole) within T
        rate: RateConfig(inputCount: 1_001,
                         figureTimesteps: [4, 16, 64],
                         boundTimesteps: [1, 2, 4, 8, 16, 32, 64, 128, 256],  // classic's T_max
                         resetTimesteps: 16),
        surrogates: SurrogateConfig(
            shapes: [.triangle(gamma: 0.3),                   // SpikingNeuron's default (DIET-SNN)
                     .straightThrough(height: 1, lower: -1, upper: 1),  // ultralow's rectangle
                     .atan(alpha: 2),                         // SpikingJelly's default
                     .sigmoid(slope: 4),                      // Zenke & Ganguli 2018's shape
                     .exponential(alpha: 0.3, beta: 2)],      // STDB's shape, over z
            zRange: 2, points: 401),
        bptt: BPTTConfig(timesteps: 16, input: 1, initialWeight: 0.1, targetSpikes: 8,
                         learningRate: 0.0003, updates: 40,
                         surrogate: .triangle(gamma: 0.3)))   // SpikingNeuron's default

    /// The same: every section takes well under a second.
    static let quick = paper

    /// A coarser input grid and T up to 64, for ChapterTests.
    static let smoke = quick.modified {
        $0.rate.inputCount = 201
        $0.rate.boundTimesteps = [1, 2, 4, 8, 16, 32, 64]
    }
}
