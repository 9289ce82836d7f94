// Building an SNN from the clipped-ReLU DNN with per-layer (θ, a, u[0]) (the paper's V, A, U(0)), the SNN-calibrated fit,
// evaluation and BPTT fine-tuning (moved here from chapter-ultralow's Experiment.swift so that
// chapter-compare converts and fine-tunes with the same code).

import Statistics
import Datasets
import Foundation
import SNNConversion
import Training
import TensorCore
import SpikingNeurons
import NeuralNetworks
import Autodiff

/// Threshold, amplitude and initial membrane of one spiking layer.
public struct SpikeLayerSetting: Codable, Equatable, Sendable {
    public var threshold: Float      // θ = α·μ
    public var amplitude: Float      // a = β·μ
    public var start: MembraneStart  // u[0] = 0 or θ/2

    public init(threshold: Float, amplitude: Float, start: MembraneStart) {
        self.threshold = threshold; self.amplitude = amplitude; self.start = start
    }
}

/// The SNN of NOTES.md §2.5 built from `dnn` (which is left untouched):
///
///     ClippedReLU (or ReLU) l → IF/LIF neuron: h[t] = λ·u[t−1] + x[t], s[t] = [h[t] ≥ θˡ],
///                                             u[t] = h[t] − θˡ·s[t], out θˡ·s[t]
///     next weight layer ← W·(aˡ/θˡ)     so a spike effectively carries aˡ = βˡ·μˡ
///     Dropout → removed; MaxPool on spikes (an OR), AveragePool and Flatten → copied;
///     last layer: read-out
///
/// Spikes carry θˡ (`SpikeAmplitude.threshold`) and the next weights carry aˡ/θˡ, so during
/// fine-tuning the amplitude follows the trained threshold, a = (β/α)·θ — the paper's code's
/// A = c·β_code·V with c·β_code = β/α (NOTES.md §2.4).
///
/// A plain ReLU (e.g. of a BN-folded ANN, used by chapter-compare) is treated like a clipped
/// one: its clip μ enters only through `settings`.
///
/// - Returns: the network and the layer index of every spiking neuron layer in it.
public func makeSNN(from dnn: Sequential, settings: [SpikeLayerSetting], trainable: Bool) -> (Sequential, [Int]) {
    do {
        let snn = try convert(dnn, rule: .ultralow(settings: settings, trainable: trainable))
        return (snn, snn.spikingLayerIndices)
    } catch {
        preconditionFailure("makeSNN: \(error)")
    }
}

extension ConversionRule {
    /// The conversion of Datta & Beerel (NOTES.md §2.5): per layer (θ, a, u[0]), spikes of value θ
    /// worth a (the next weights carry a/θ), LIF neurons with λ = 1 whose θ and λ learn when
    /// `trainable`, max pooling kept (it is fine-tuned through).
    public static func ultralow(settings: [SpikeLayerSetting], trainable: Bool) -> ConversionRule {
        ConversionRule(
            isActivation: { $0 is ClippedReLU || $0 is ReLU },
            thresholds: .given(settings.map(\.threshold)),
            neuron: { site in
                SpikingNeuron(
                    threshold: site.threshold,
                    model: .leakyIntegrateAndFire(leak: 1, training: trainable ? .trained : .fixed),
                    reset: .subtraction,
                    initialMembrane: settings[site.ordinal].start == .half ? .halfThreshold : .zero,
                    amplitude: .threshold,
                    // ∂s/∂z = 1 on |z| < 1, z = h/θ − 1 (NOTES.md §2.6): height 1 on (−1, 1].
                    surrogate: .straightThrough(height: 1, lower: -1, upper: 1),
                    thresholdTraining: trainable ? .trained : .fixed)
            },
            weightScale: { site in settings[site.ordinal].amplitude / settings[site.ordinal].threshold },
            maxPooling: .keep)
    }
}

/// Estimator (b), layer by layer: for l = 1…L, convert layers < l with their fitted settings,
/// simulate the calibration images for T steps, record layer l's input currents I(1..T), and
/// fit (α, β) of layer l to the DNN's clip(x, 0, μ) on the same images and neurons.
///
/// - Parameters:
///   - clipIndices: the layer index of every clipped activation (its input is the
///     pre-activation x).
///   - sampleLimit: values kept per layer (a seeded random subsample) for fitting.
///   - grid: the α grid (β is closed-form for each α).
public func calibratedFits(dnn: Sequential, clips: [Float], clipIndices: [Int], images: Tensor,
                           timesteps: Int, start: MembraneStart, sampleLimit: Int, grid: FactorGrid,
                           using rng: inout SeededGenerator) -> [FactorFit] {
    var context = ForwardContext.inference
    let dnnOutputs = withoutGradients { dnn.forwardCollecting(Variable(images), context: &context) }
    var fits: [FactorFit] = []
    var current = clips.map { SpikeLayerSetting(threshold: $0, amplitude: $0, start: start) }
    for l in clips.indices {
        let (snn, neurons) = makeSNN(from: dnn, settings: current, trainable: false)
        // Run the SNN up to the weight layer feeding neuron layer l: [T·N, …] time-major.
        var sim = ForwardContext.inference
        sim.timesteps = timesteps
        var h = Variable(SpikeEncoding.direct.encode(images, timesteps: timesteps, using: &rng))
        withoutGradients { for layer in snn.layers[..<neurons[l]] { h = layer.forward(h, context: &sim) } }
        let x = dnnOutputs[clipIndices[l] - 1].value.scalars   // DNN pre-activation [N·M]
        let m = x.count
        let picked = m > sampleLimit
            ? (0..<sampleLimit).map { _ in Int(rng.next() % UInt64(m)) } : Array(0..<m)
        let mu = clips[l]
        let targets = picked.map { Swift.min(Swift.max(x[$0], 0), mu) }
        var currents = [Float](repeating: 0, count: picked.count * timesteps)
        h.value.withUnsafeBufferPointer { p in
            for t in 0..<timesteps {
                for (j, i) in picked.enumerated() { currents[t * picked.count + j] = p[t * m + i] }
            }
        }
        let fit = ActivationFit.fitCalibrated(targets: targets, currents: currents, clip: Double(mu),
                                              timesteps: timesteps, start: start, grid: grid)
        fits.append(fit)
        current[l] = SpikeLayerSetting(threshold: Float(fit.factors.alpha) * mu,
                                       amplitude: Float(fit.factors.beta) * mu, start: start)
    }
    return fits
}

/// What one SNN evaluation measured.
public struct SNNEvaluation: Codable, Equatable, Sendable {
    public var timesteps: Int
    /// Accuracy after T steps (cumulative read-out of the non-spiking last layer).
    public var accuracy: Double
    /// Spikes per neuron per step, per spiking layer.
    public var firingRates: [Double]
    /// Spike events arriving at each layer per image over T steps (for the energy ledger).
    public var inputSpikesPerImage: [Double]
    /// Thresholds θ and leaks λ after fine-tuning (or as converted).
    public var thresholds: [Double]
    public var leaks: [Double]
    /// Which test images were classified right after T steps (paired differences).
    public var outcomes: ImageOutcomes
}

/// Accuracy after `timesteps` steps (direct input, one chunk), firing rates, input spikes and
/// the neurons' θ and λ, with the simulation seeded by `seed`.
public func evaluate(_ snn: Sequential, neurons: [Int], on batches: MiniBatches, timesteps: Int,
                     seed: UInt64) -> SNNEvaluation {
    var rng = SeededGenerator(seed: seed)
    let e = accuracyByTimestep(of: snn, on: batches, timesteps: timesteps, chunk: timesteps, using: &rng)
    let spiking = neurons.map { snn.layers[$0] as! any SpikingLayer }
    return SNNEvaluation(timesteps: timesteps, accuracy: e.accuracy[timesteps - 1],
                         firingRates: e.firingRates, inputSpikesPerImage: e.inputSpikesPerImage,
                         thresholds: spiking.map { Double($0.thresholdValue) },
                         leaks: spiking.map { Double($0.leakValue) }, outcomes: e.outcomes(at: timesteps))
}

/// Surrogate-gradient BPTT of the converted SNN at T (NOTES.md §2.6–2.7): direct input repeated
/// T times, logits = Σ_t W·o[t] (accumulated, not averaged), cross-entropy, Adam on weights,
/// thresholds θ and leaks λ; after each step λ ← min(λ, 1) and θ ← max(θ, 10⁻³).
/// AMSGrad learning rate ÷ 5 at 60/80/90 % of the steps. Returns the mean loss of every epoch.
/// With `checkpoints`, every epoch is saved (network and optimiser) and a crashed run resumes.
public func fineTune(_ snn: Sequential, neurons: [Int], train: LabeledImages, normalization: Normalization,
                     timesteps: Int, epochs: Int, batchSize: Int, learningRate: Float, label: String,
                     using rng: inout SeededGenerator, checkpoints: EpochCheckpoints? = nil) throws -> [Double] {
    var optimizer = Adam(learningRate: learningRate, amsgrad: true)
    let spiking = neurons.map { snn.layers[$0] as! any SpikingLayer }
    let length = TrainingLength(epochs: epochs, stepsPerEpoch: (train.count + batchSize - 1) / batchSize,
                                learningRate: learningRate, schedule: .step(milestones: [0.6, 0.8, 0.9], factor: 5))
    return try runEpochs(label, length, rng: &rng, checkpoints: checkpoints,
        saveState: { try TrainingSnapshot.encode(snn, optimizer: optimizer) },
        restoreState: { try TrainingSnapshot.restore($0, into: snn, optimizer: &optimizer) },
        batches: { rng in train.shuffledBatches(size: batchSize, normalization: normalization, using: &rng) },
        step: { batch, rate, rng in
            optimizer.learningRate = rate
            let n = batch.labels.count
            var context = ForwardContext(phase: .training, rng: rng.split())
            context.timesteps = timesteps
            let x = SpikeEncoding.direct.encode(batch.images, timesteps: timesteps, using: &rng)
            let out = snn.forward(Variable(x), context: &context)              // [T·N, K]
            var logits = out.slice(0..<n)
            for t in 1..<timesteps { logits = logits + out.slice(t * n..<(t + 1) * n) }  // [N, K]
            let loss = Variable.softmaxCrossEntropy(logits: logits, labels: batch.labels)
            // A non-finite loss stops the loop before this step's update reaches the network.
            guard loss.value.scalar.isFinite else { return StepResult(loss: loss.value.scalar, correct: 0, count: n) }
            loss.backward()
            optimizer.step(snn.parameters)
            for neuron in spiking { neuron.clampTrainedParameters(minimumThreshold: 1e-3, leak: -.infinity...1) }
            let correct = zip(logits.value.argmaxRows(), batch.labels).filter { $0 == $1 }.count
            return StepResult(loss: loss.value.scalar, correct: correct, count: n)
        }).map(\.loss)
}
