// Building, running, training and measuring the SNN arms of chapter-hybrid (NOTES.md §2.6, §5, §8).

import Statistics
import Datasets
import EnergyEstimation
import Foundation
import SNNConversion
import TensorCore
import SpikingNeurons
import NeuralNetworks
import Autodiff

// MARK: - Network

/// The hidden neurons of an arm.
public enum HiddenNeurons: Sendable, Codable, Equatable {
    /// DIET-style IF neurons, reset by subtraction, any number of spikes (core `SpikingNeuron`).
    case multiSpike
    /// At most one spike per neuron per image (`SingleSpikeNeuron`).
    case singleSpike(STDBSurrogate)
}

/// The SNN of a folded, bias-free ReLU ANN by `ConversionRule.hybrid`.
public func spikingNetwork(from ann: Sequential, thresholds: [Float], hidden: HiddenNeurons,
                           thresholdAndLeak: Training = .fixed) throws -> Sequential {
    try convert(ann, rule: .hybrid(thresholds: thresholds, hidden: hidden, thresholdAndLeak: thresholdAndLeak))
}

extension ConversionRule {
    /// The hybrid-encoding conversion (NOTES.md §2.6): the classic rule (ReLU → IF with amplitude
    /// θ, dropout removed, the last layer a non-spiking `Linear` that produces the output
    /// currents), with hidden neurons whose θ and λ (initially 1) are trained or fixed as
    /// `thresholdAndLeak` says: a core LIF `SpikingNeuron` (multi-spike) or a
    /// `SingleSpikeNeuron`.
    public static func hybrid(thresholds: [Float], hidden: HiddenNeurons, thresholdAndLeak: Training) -> ConversionRule {
        ConversionRule(thresholds: .given(thresholds), neuron: { site -> any SpikingLayer in
            switch hidden {
            case .multiSpike:
                let model: NeuronModel = thresholdAndLeak == .trained
                    ? .leakyIntegrateAndFire(leak: 1, training: .trained) : .integrateAndFire
                return SpikingNeuron(threshold: site.threshold, model: model, reset: .subtraction,
                                     initialMembrane: .zero, amplitude: .threshold,
                                     thresholdTraining: thresholdAndLeak)
            case .singleSpike(let surrogate):
                return SingleSpikeNeuron(threshold: site.threshold, surrogate: surrogate, training: thresholdAndLeak)
            }
        })
    }
}

/// θ and λ of every hidden neuron layer, in order.
public func neuronParameters(of snn: Sequential) -> [(threshold: Float, leak: Float)] {
    snn.spikingLayers.map { ($0.thresholdValue, $0.leakValue) }
}

/// After an optimiser step, keeps trained neuron parameters valid (DIET-SNN):
/// λ ← clamp(λ, 10⁻³, 1), θ ← max(θ, 10⁻³). Fixed parameters are left alone.
public func clampNeuronParameters(of snn: Sequential) {
    for layer in snn.spikingLayers { layer.clampTrainedParameters(minimumThreshold: 1e-3, leak: 1e-3...1) }
}

/// One labelled batch in both forms the encoders need.
public struct EncodedBatch {
    public var raw: Tensor            // [N, C, H, W] in [0, 1]
    public var normalised: Tensor     // [N, C, H, W] standardised
    /// m_c, the largest |x| channel c can take (the signed temporal mapping's scale).
    public var analogMaximum: [Float]
    public var labels: [Int]

    /// Raw images, their standardisation by `normalization`, and its per-channel range.
    public init(images: Tensor, labels: [Int], normalization: Normalization) {
        raw = images
        normalised = normalization.apply(to: images)
        analogMaximum = normalization.largestMagnitude
        self.labels = labels
    }

    /// What the input codes read: p for rate and temporal codes, x for the analog steps.
    public var input: EncoderInput { EncoderInput(raw: raw, analog: normalised, analogMaximum: analogMaximum) }
}

// MARK: - Training

/// One BPTT step: encode, run T steps with time folded into the batch, read out, back-propagate.
public func trainingStep(
    _ snn: Sequential, batch: EncodedBatch, encoding: SpikeEncoding, timesteps: Int,
    outputThreshold: Float, loss: OutputLoss, surrogate: STDBSurrogate,
    optimizer: inout some Optimizer, rng: inout SeededGenerator
) -> (loss: Float, correct: Int) {
    let x = encoding.encode(batch.input, timesteps: timesteps, using: &rng)
    var context = ForwardContext(phase: .training, rng: rng.split())
    context.timesteps = timesteps
    let currents = snn.forward(Variable(x), context: &context)       // [T·N, K]
    let out = readout(currents, labels: batch.labels, timesteps: timesteps, threshold: outputThreshold,
                      loss: loss, surrogate: surrogate)
    out.loss.backward()
    optimizer.step(snn.parameters)
    clampNeuronParameters(of: snn)
    let correct = zip(out.scores.argmaxRows(), batch.labels).filter { $0 == $1 }.count
    return (out.loss.value.scalar, correct)
}

// MARK: - Evaluation with activity counts

/// Activity of one neuron layer over a test set.
public struct LayerActivity: Sendable, Codable, Equatable {
    public var layerIndex: Int
    public var neurons: Int
    /// Mean spikes per neuron per image, summed over all T steps.
    public var spikesPerNeuron: Double
    /// Largest spike count of any neuron on any image (≤ 1 for single-spike layers).
    public var maxSpikesPerNeuron: Int
}

/// What one evaluation of an arm measured.
public struct ArmEvaluation: Sendable, Codable, Equatable {
    public var timesteps: Int
    public var accuracy: Double
    public var images: Int
    public var hiddenLayers: [LayerActivity]
    /// Input-pixel spikes per image (steps that carry spikes, not the analog step).
    public var inputSpikesPerImage: Double
    /// Per weight layer after the first: non-zero input values per image over T steps
    /// (pooled view: a pooled value counts once) and pre-pool spikes per image (event view).
    public var pooledEventsPerImage: [Double]
    public var prePoolSpikesPerImage: [Double]
    /// Fraction of (image, output neuron) pairs whose output neuron fired.
    public var outputFiredFraction: Double
    /// Histogram of the predicted neuron's first-spike step (index 0 = silent, 1…T) for
    /// correct and wrong predictions.
    public var firstSpikeStepCorrect: [Int]
    public var firstSpikeStepWrong: [Int]
    /// Which images were classified right, in batch order (paired differences between arms).
    public var outcomes: ImageOutcomes
    /// The same counts batch by batch (standard errors of spike and energy ratios, which the
    /// totals alone cannot give).
    public var batches: [BatchActivity]
}

/// Totals of one evaluation batch (not divided by its images).
public struct BatchActivity: Sendable, Codable, Equatable {
    public var images: Int
    /// Input-pixel spikes and hidden-layer spikes (every neuron layer of the network).
    public var inputSpikes: Double
    public var hiddenSpikes: Double
    /// Per weight layer, as `ArmEvaluation.pooledEventsPerImage` / `prePoolSpikesPerImage`.
    public var pooledEvents: [Double]
    public var prePoolSpikes: [Double]
}

/// Runs `snn` on `batches` (inference) and counts accuracy, spikes per neuron per layer and
/// input events per weight layer. Asserts the single-spike invariant (≤ 1 spike per neuron
/// per image in every layer with a `spikeLimitPerImage`) with a precondition.
public func evaluate(
    _ snn: Sequential, on batches: [EncodedBatch], encoding: SpikeEncoding, timesteps T: Int,
    outputThreshold: Float, loss: OutputLoss, surrogate: STDBSurrogate, using rng: inout SeededGenerator
) -> ArmEvaluation {
    let neuronIndices = snn.spikingLayerIndices
    let weightIndices = snn.layers.indices.filter { snn.layers[$0] is Conv2D || snn.layers[$0] is Linear }
    var spikeSums = [Double](repeating: 0, count: neuronIndices.count)
    var neuronCounts = [Int](repeating: 0, count: neuronIndices.count)
    var maxSpikes = [Int](repeating: 0, count: neuronIndices.count)
    var pooled = [Double](repeating: 0, count: weightIndices.count)
    var prePool = [Double](repeating: 0, count: weightIndices.count)
    var inputSpikes = 0.0, correct = 0, images = 0, fired = 0, outputs = 0
    var right: [Bool] = []
    var activity: [BatchActivity] = []
    var histCorrect = [Int](repeating: 0, count: T + 1), histWrong = histCorrect
    let analog = encoding.analogSteps(timesteps: T)
    for batch in batches {
        let n = batch.labels.count
        let before = (input: inputSpikes, spikes: spikeSums, pooled: pooled, prePool: prePool)
        let x = encoding.encode(batch.input, timesteps: T, using: &rng)
        // Input spikes: non-zero entries of the steps that are not analog.
        if analog < T {
            let per = x.count / T
            x.withUnsafeBufferPointer { p in
                var c = 0
                for i in (analog * per)..<(T * per) where p[i] != 0 { c += 1 }
                inputSpikes += Double(c)
            }
        }
        var context = ForwardContext.inference
        context.timesteps = T
        var h = Variable(x)
        var lastSpikes = 0.0
        // No graph: each layer's input, output and membranes are freed as the next layer runs.
        withoutGradients { for (index, layer) in snn.layers.enumerated() {
            if let w = weightIndices.firstIndex(of: index), w > 0 {
                pooled[w] += Double(h.value.nonZeroCount())
                prePool[w] += lastSpikes
            }
            h = layer.forward(h, context: &context)
            if let k = neuronIndices.firstIndex(of: index) {
                let m = h.value.count / T        // N·neurons
                let (total, largest) = h.value.nonZeroCountsOverSteps(T)
                if let limit = (layer as? any SpikingLayer)?.spikeLimitPerImage {
                    precondition(largest <= limit, "layer \(index) fired \(largest) times in one image (limit \(limit))")
                }
                spikeSums[k] += Double(total)
                neuronCounts[k] = m / n
                maxSpikes[k] = Swift.max(maxSpikes[k], largest)
                lastSpikes = Double(total)
            }
        } }
        let out = readout(h, labels: batch.labels, timesteps: T, threshold: outputThreshold, loss: loss,
                          surrogate: surrogate)
        let predictions = out.scores.argmaxRows()
        let k = out.scores.shape[1]
        for (i, (p, y)) in zip(predictions, batch.labels).enumerated() {
            let step = Int(out.firstSpikeStep[i * k + p])
            if p == y { correct += 1; histCorrect[step] += 1 } else { histWrong[step] += 1 }
            right.append(p == y)
        }
        fired += out.firstSpikeStep.filter { $0 > 0 }.count
        outputs += out.firstSpikeStep.count
        images += n
        // Every neuron layer of `snn` (the output is read by `readout`, not a neuron layer).
        let hidden = zip(spikeSums, before.spikes).reduce(0) { $0 + $1.0 - $1.1 }
        activity.append(BatchActivity(
            images: n, inputSpikes: inputSpikes - before.input, hiddenSpikes: hidden,
            pooledEvents: zip(pooled, before.pooled).map { $0 - $1 },
            prePoolSpikes: zip(prePool, before.prePool).map { $0 - $1 }))
    }
    let scale = 1 / Double(Swift.max(images, 1))
    let layers = neuronIndices.enumerated().map { k, index in
        LayerActivity(layerIndex: index, neurons: neuronCounts[k],
                      spikesPerNeuron: spikeSums[k] * scale / Double(Swift.max(neuronCounts[k], 1)),
                      maxSpikesPerNeuron: maxSpikes[k])
    }
    return ArmEvaluation(
        timesteps: T, accuracy: Double(correct) * scale, images: images, hiddenLayers: layers,
        inputSpikesPerImage: inputSpikes * scale, pooledEventsPerImage: pooled.map { $0 * scale },
        prePoolSpikesPerImage: prePool.map { $0 * scale },
        outputFiredFraction: Double(fired) / Double(Swift.max(outputs, 1)),
        firstSpikeStepCorrect: histCorrect, firstSpikeStepWrong: histWrong, outcomes: ImageOutcomes(right),
        batches: activity)
}

// MARK: - Energy (NOTES.md §5)

/// How spikes crossing an average pool are charged (NOTES.md §5, docs/conversion-notes.md §7.3).
public enum PoolingConvention: String, Sendable, Codable {
    /// (b) pooled view: each non-zero pooled value triggers the next layer's fan-out once.
    case pooled
    /// (a) event view: each pre-pool spike triggers the fan-out of the pooled element it lands in.
    case event
}

/// TODO(api): `EnergyLedger.snn` charges the first layer MACs × T or × 1 but has no input-spike
/// ACs for it (the hybrid and temporal codes), and finds the analog layers by looking for a
/// core `SpikingNeuron`; this local ledger covers both.
///
/// The SNN's operations per image (NOTES.md §5):
///
///     first weight layer:  MACs₁ × (analog steps)  +  ACs = N_in_spikes × fanout₁
///     weight layer l ≥ 2:  ACs = events_l × fanout_l,    fanout_l = MACs_l / (input elements)
///
/// `events` are per weight layer after the first (from `ArmEvaluation`, in the chosen view).
public func snnLedger(
    _ snn: Sequential, inputShape: [Int], analogSteps: Int, inputSpikesPerImage: Double,
    events: [Double], constants: EnergyConstants = .float32At45nm
) -> EnergyLedger {
    let geometry = snn.geometry(inputShape: inputShape)
    let weights = snn.layers.indices.filter { snn.layers[$0] is Conv2D || snn.layers[$0] is Linear }
    precondition(events.count == weights.count, "one event count per weight layer (index 0 unused)")
    let layers = weights.enumerated().map { w, index -> LayerOperations in
        let g = geometry[index]
        let fanOut = g.macs / Double(g.input.reduce(1, *))
        let name = "[\(index)] \(snn.layers[index].summary)"
        if w == 0 {
            return LayerOperations(name: name, macs: g.macs * Double(analogSteps),
                                   accumulates: inputSpikesPerImage * fanOut)
        }
        return LayerOperations(name: name, macs: 0, accumulates: events[w] * fanOut)
    }
    return EnergyLedger(layers: layers, constants: constants)
}

// MARK: - Threshold initialisation under the arm's own input code

/// DIET's sequential percentile rule, run on the SNN itself with the arm's input encoding
/// (NOTES.md §2.6 step 2), adapted to single-spike neurons: layer by layer, with the earlier
/// layers' thresholds already set, the input currents x(t) of layer l are integrated without
/// firing and each neuron's peak membrane max_t Σ_{τ≤t} x(τ) is recorded;
///
///     θˡ = s · P_p({ peak membranes > 0 })
///
/// The last weight layer's currents give the output threshold the same way. Returns the
/// hidden thresholds (also written into the spiking layers) and θ_out.
public func calibrateSingleSpikeThresholds(
    _ snn: Sequential, on batches: [EncodedBatch], encoding: SpikeEncoding, timesteps T: Int,
    percentile p: Double, scale s: Float, outputScale: Float, seed: UInt64
) -> (hidden: [Float], output: Float) {
    func peakPercentile(upTo end: Int) -> Float {
        var peaks: [Float] = []
        var rng = SeededGenerator(seed: seed)
        for batch in batches {
            var context = ForwardContext.inference
            context.timesteps = T
            var h = Variable(encoding.encode(batch.input, timesteps: T, using: &rng))
            withoutGradients { for layer in snn.layers[..<end] { h = layer.forward(h, context: &context) } }
            let x = h.value.scalars, m = x.count / T
            for i in 0..<m {
                var u: Float = 0, peak: Float = 0
                for t in 0..<T { u += x[t * m + i]; peak = Swift.max(peak, u) }
                if peak > 0 { peaks.append(peak) }
            }
        }
        guard !peaks.isEmpty else { return 1 }
        peaks.sort()
        let rank = Int((p / 100 * Double(peaks.count)).rounded(.up))
        return peaks[Swift.min(Swift.max(rank, 1), peaks.count) - 1]
    }
    var hidden: [Float] = []
    for (index, layer) in snn.layers.enumerated() {
        guard let neuron = layer as? any SpikingLayer else { continue }
        neuron.threshold.value[flat: 0] = s * peakPercentile(upTo: index)
        hidden.append(neuron.thresholdValue)
    }
    return (hidden, outputScale * peakPercentile(upTo: snn.layers.count))
}
