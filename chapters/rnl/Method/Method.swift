// The paper's contribution (Ding et al., IJCAI 2021): the Rate Norm Layer (RNL), its direct
// conversion into IF neurons, the fit curve ε(t) with its coefficient Ω and bound Ω/t, and the
// Rate Inference Loss (RIL). Equations beside the code; notes = NOTES.md.
//
// Everything public here is meant to move to a library target (proposed: `OptimalConversion`,
// depending on SNNConversion) so that Tests/RNLTests can import it.

import Foundation
import SNNConversion
import TensorCore
import SpikingNeurons
import NeuralNetworks
import Autodiff

// MARK: - Rate Norm Layer (NOTES.md §3.3)

/// The ε that keeps θ > 0 (NOTES.md §10: `theta` includes +1e-6).
public let rateNormEpsilon: Float = 1e-6

/// p = σ(s) = 1 / (1 + e^{−s}).
public func sigmoid(_ s: Float) -> Float { 1 / (1 + Foundation.exp(-s)) }

/// The RNL threshold θ = M·σ(s) + 1e-6 (one scalar per layer).
public func rateNormThreshold(runningMax m: Float, scale s: Float) -> Float {
    m * sigmoid(s) + rateNormEpsilon
}

/// The Rate Norm activation with its hand-written backward:
///
///     a = clip(z/θ, 0, 1),   θ = M·σ(s) + 1e-6
///     ∂a/∂z = 1/θ,   ∂a/∂s = −(z/θ²)·M·p(1 − p)     inside 0 < z < θ, else 0
///
/// `z` any shape, `scale` holds s `[1]`; M is a constant (no gradient flows through the
/// running maximum).
public func rateNorm(_ z: Variable, scale: Variable, runningMax m: Float) -> Variable {
    let p = sigmoid(scale.value[flat: 0])
    let theta = m * p + rateNormEpsilon
    let zv = z.value
    let a = zv.map { Swift.min(Swift.max($0 / theta, 0), 1) }
    return Variable.custom(a, inputs: [z, scale]) { g in
        let dz = Tensor.zipMap(g, zv) { g, z in (z > 0 && z < theta) ? g / theta : 0 }
        let gz = Tensor.zipMap(g, zv) { g, z in (z > 0 && z < theta) ? g * z : 0 }.sum()
        let ds = -gz / (theta * theta) * m * p * (1 - p)
        return [dz, Tensor(shape: scale.value.shape, scalars: [ds])]
    }
}

/// Whether the running maximum follows the training batches or stays fixed.
public enum RunningMaxUpdate: String, Sendable, Codable {
    /// M ← 0.9·M + 0.1·max(ReLU(z)) at the start of every training-phase forward pass.
    case everyTrainingBatch
    /// M is frozen (phase 2 "locks" it, NOTES.md §3.5; inference never updates it).
    case frozen
}

/// The Rate Norm Layer: replaces ReLU in the source ANN (NOTES.md §3.3).
///
///     a = clip(z/θ, 0, 1),   θ = M·σ(s) + 1e-6
///
/// - M: running maximum of the layer's ReLU output over whole batches (a buffer, initial 1,
///   momentum 0.1, updated *before* use in the training phase).
/// - s: a scalar scale (initial 10, so p ≈ 0.99995); trained only in phase 2 (RIL), where one
///   `Parameter` is shared by every RNL of the network.
public final class RateNorm: Layer {
    public let scale: Parameter                       // s [1]
    public private(set) var runningMax: Float         // M
    public let momentum: Float
    public let runningMaxUpdate: RunningMaxUpdate
    public let scaleTraining: Training

    public init(scale: Parameter? = nil, runningMax: Float = 1, momentum: Float = 0.1,
                runningMaxUpdate: RunningMaxUpdate = .everyTrainingBatch,
                scaleTraining: Training = .fixed) {
        self.scale = scale ?? Parameter(Tensor(shape: [1], scalars: [10]), name: "rnl.scale", role: .threshold)
        self.runningMax = runningMax
        self.momentum = momentum
        self.runningMaxUpdate = runningMaxUpdate
        self.scaleTraining = scaleTraining
    }

    /// θ = M·σ(s) + 1e-6: the threshold the IF neuron inherits at conversion.
    public var threshold: Float { rateNormThreshold(runningMax: runningMax, scale: scale.value[flat: 0]) }

    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        if context.phase == .training && runningMaxUpdate == .everyTrainingBatch {
            // M ← (1 − m)·M + m·max(ReLU(z)), over the whole batch tensor
            runningMax = (1 - momentum) * runningMax + momentum * Swift.max(x.value.max(), 0)
        }
        let s = scaleTraining == .trained ? scale.variable : Variable(scale.value)
        return rateNorm(x, scale: s, runningMax: runningMax)
    }

    public var parameters: [Parameter] { scaleTraining == .trained ? [scale] : [] }
    public var buffers: [Tensor] { [Tensor(shape: [1], scalars: [runningMax]), scale.value] }
    public func loadBuffers(_ values: [Tensor]) {
        runningMax = values[0][flat: 0]
        scale.value = values[1]
    }
    public var summary: String {
        "RateNorm(M = \(runningMax), p = \(sigmoid(scale.value[flat: 0])), θ = \(threshold))"
    }
}

// MARK: - Folding and conversion (NOTES.md §3.3, §4 step 4)

/// BatchNorm folded into the conv/FC before each RNL (exact at inference). The RNLs are copied
/// with frozen M; `sharedScale`, when given, becomes the one s of every RNL (phase 2).
///
/// TODO(api): `foldBatchNorm` rejects unknown layer types; RNLs are swapped for ReLU
/// placeholders, folded, and swapped back in order. A `foldBatchNorm(_:keeping:)` that copies
/// unknown element-wise layers through a closure would remove this.
public func foldRateNormNetwork(_ ann: Sequential, sharedScale: Parameter? = nil,
                                scaleTraining: Training = .fixed) throws -> Sequential {
    let norms = ann.layers.compactMap { $0 as? RateNorm }
    let placeholders = Sequential(ann.layers.map { $0 is RateNorm ? ReLU() : $0 })
    let folded = try foldBatchNorm(placeholders)
    var next = 0
    folded.layers = folded.layers.map { layer in
        guard layer is ReLU else { return layer }
        defer { next += 1 }
        let source = norms[next]
        let scale = sharedScale ?? Parameter(source.scale.value, name: "rnl.scale", role: .threshold)
        return RateNorm(scale: scale, runningMax: source.runningMax, runningMaxUpdate: .frozen,
                        scaleTraining: scaleTraining)
    }
    return folded
}

/// Direct conversion (NOTES.md §4): every RNL becomes an IF neuron with the **same** threshold
/// θ = M·σ(s) + 1e-6, reset by subtraction, u(0) = 0, unit spikes:
///
///     u[t] = u[t−1] + W·s^{l−1}[t] + b,   s[t] = H(u[t] − θ),   u[t] ← u[t] − θ·s[t]
///
/// so r(T) → clip((W·r^{l−1} + b)/θ, 0, 1) = a (§3.1). No weight changes; the last Linear stays
/// non-spiking (accumulated membrane read-out).
///
/// The rule: `ConversionRule.rateNorm`.
public func convertRateNormNetwork(_ folded: Sequential) throws -> Sequential {
    try convert(folded, rule: .rateNorm)
}

extension ConversionRule {
    /// RNL's conversion: every `RateNorm` → an IF layer with the RNL's own trained θ, reset by
    /// subtraction, u(0) = 0, unit spikes; weights unchanged; max pooling rejected.
    public static var rateNorm: ConversionRule {
        ConversionRule(
            isActivation: { $0 is RateNorm },
            thresholds: .activation { ($0 as! RateNorm).threshold },
            neuron: { site in
                SpikingNeuron(threshold: site.threshold, model: .integrateAndFire, reset: .subtraction,
                              initialMembrane: .zero, amplitude: .unit)
            })
    }
}

// MARK: - Fit curve, Ω and the bound (NOTES.md §3.4)

/// Ω = Σᵢ aᵢ / (‖a‖² + 1e-5) for activations a ∈ [0, 1]: Ω ≥ 1, equal to 1 for binary a.
public func omega(_ a: Tensor) -> Double {
    let s = Double(a.sum()), q = Double(a.squared().sum())
    return s / (q + 1e-5)
}

/// Ω as a differentiable op (the RIL penalty):  ∂Ω/∂aᵢ = 1/Q − 2·S·aᵢ/Q²,
/// S = Σa, Q = ‖a‖² + 1e-5.
public func omega(_ a: Variable) -> Variable {
    let av = a.value
    let s = av.sum(), q = av.squared().sum() + 1e-5
    return Variable.custom(Tensor(shape: [1], scalars: [s / q]), inputs: [a]) { g in
        let g0 = g[flat: 0]
        return [av.map { g0 * (1 / q - 2 * s * $0 / (q * q)) }]
    }
}

/// The fit error of one layer:  ε(t) = ‖r(t) − a‖² / ‖a‖²  (r = spike count / t).
public func fitError(rates r: Tensor, activations a: Tensor) -> Double {
    Double((r - a).squared().sum()) / Swift.max(Double(a.squared().sum()), 1e-12)
}

/// The bound of a layer driven by a constant input with u(0) = 0 and reset by subtraction:
/// N(T) = ⌊aT⌋ ⇒ 0 ≤ a − r < 1/T and a − r ≤ a ⇒ (a − r)² ≤ a/T ⇒ ε(T) ≤ Ω/T.
public func fitBound(omega: Double, timesteps: Int) -> Double { omega / Double(timesteps) }

/// Fit curves of one batch: ε^l(t) for every neuron layer and for the output, t = 1…T.
public struct FitCurves: Codable, Equatable, Sendable {
    /// Index of each neuron layer in the network.
    public var layerIndices: [Int]
    /// Ω^l of each layer's ANN activations.
    public var omegas: [Double]
    /// errors[l][t − 1] = ε^l(t).
    public var errors: [[Double]]
    /// ‖ȳ(t) − y‖²/‖y‖² of the read-out (accumulated output / t vs ANN logits).
    public var outputErrors: [Double]
    /// Accuracy of the batch after t steps.
    public var accuracy: [Double]
}

/// What one layer looked like at a few T: (ANN activation, SNN rate) pairs for a scatter.
public struct RateSnapshot: Codable, Equatable, Sendable {
    public var timesteps: Int
    public var activations: [Double]
    public var rates: [Double]
}

/// Simulates `snn` (the direct conversion of `ann`, layer for layer) on one batch and records
/// the fit curves, plus (activation, rate) pairs of layer `scatterLayer` at `snapshotTimesteps`
/// (the first `scatterPoints` neurons).
public func measureFitCurves(
    ann: Sequential, snn: Sequential, images: Tensor, labels: [Int], timesteps: Int, chunk: Int,
    scatterLayer: Int, snapshotTimesteps: [Int], scatterPoints: Int
) -> (curves: FitCurves, snapshots: [RateSnapshot]) {
    var annContext = ForwardContext.inference
    let annOutputs = withoutGradients { ann.forwardCollecting(Variable(images), context: &annContext).map(\.value) }
    let neuronIndices = snn.spikingLayerIndices
    let activations = neuronIndices.map { annOutputs[$0] }
    let logits = annOutputs.last!
    var counts = activations.map { Tensor(shape: $0.shape) }
    var outputSum = Tensor(shape: logits.shape)
    var errors = neuronIndices.map { _ in [Double]() }
    var outputErrors: [Double] = [], accuracy: [Double] = [], snapshots: [RateSnapshot] = []
    let n = images.shape[0]
    var context = ForwardContext(phase: .inference)
    var states: [Int: NeuronState] = [:]   // every neuron layer's membranes between chunks
    var rng = SeededGenerator(seed: 0)  // direct coding draws nothing
    var start = 0
    while start < timesteps {
        let steps = start..<Swift.min(timesteps, start + chunk)
        context.timesteps = steps.count
        var h = Variable(SpikeEncoding.direct.encode(images, steps: steps, of: timesteps, using: &rng))
        var perLayer: [Tensor] = []
        for (index, layer) in snn.layers.enumerated() {
            h = snn.simulateLayer(index, h, timesteps: steps.count, states: &states, context: &context)
            if layer is any SpikingLayer { perLayer.append(h.value) }
        }
        let outputs = h.value
        for (k, t) in steps.enumerated() {
            let step = t + 1
            for l in neuronIndices.indices {
                counts[l].add(_slice(perLayer[l], step: k, of: steps.count).reshaped(counts[l].shape))
                let rates = counts[l] * (1 / Float(step))
                errors[l].append(fitError(rates: rates, activations: activations[l]))
                if l == scatterLayer, snapshotTimesteps.contains(step) {
                    let m = Swift.min(scatterPoints, rates.count)
                    snapshots.append(RateSnapshot(
                        timesteps: step, activations: (0..<m).map { Double(activations[l][flat: $0]) },
                        rates: (0..<m).map { Double(rates[flat: $0]) }))
                }
            }
            outputSum.add(_slice(outputs, step: k, of: steps.count).reshaped(logits.shape))
            outputErrors.append(fitError(rates: outputSum * (1 / Float(step)), activations: logits))
            let correct = zip(outputSum.argmaxRows(), labels).filter { $0 == $1 }.count
            accuracy.append(Double(correct) / Double(n))
        }
        start = steps.upperBound
    }
    let curves = FitCurves(layerIndices: neuronIndices, omegas: activations.map(omega), errors: errors,
                           outputErrors: outputErrors, accuracy: accuracy)
    return (curves, snapshots)
}

/// Row block `step` of a time-major tensor `[steps·N, …]`, flattened.
func _slice(_ x: Tensor, step: Int, of steps: Int) -> Tensor {
    let size = x.count / steps
    return x.withUnsafeBufferPointer { p in
        Tensor(shape: [size], scalars: Array(p[(step * size)..<((step + 1) * size)]))
    }
}

// MARK: - Rate Inference Loss (NOTES.md §3.5)

/// Ω̄ = mean over the RNL layers of Ω^l, from the outputs of `forwardCollecting`.
public func meanOmega(_ outputs: [Variable], of network: Sequential) -> Variable {
    let terms = network.layers.indices.filter { network.layers[$0] is RateNorm }.map { omega(outputs[$0]) }
    return terms.dropFirst().reduce(terms[0], +) * (1 / Float(terms.count))
}

/// One point of the phase-2 trajectory.
public struct RILCheckpoint: Codable, Equatable, Sendable {
    public var iteration: Int
    public var scale: Double            // s
    public var p: Double                // σ(s)
    public var omegaBar: Double         // Ω̄ on the validation batch
    public var validationAccuracy: Double
    /// Within tolerance and the lowest Ω̄ so far: the selection rule keeps it.
    public var selected: Bool
}

/// Phase 2: weights frozen (and BN folded), one scale s shared by every RNL, M locked;
/// minimise  L = CE(y, label) + α_Ω·Ω̄  over s only by SGD (α_Ω = `lambda`, the paper's λ).
/// Every `evaluateEvery` iterations measure validation accuracy and Ω̄; keep s when accuracy
/// ≥ reference − tolerance and Ω̄ is the lowest so far; stop at the first evaluation below reference − tolerance.
///
/// Deviation (flagged): the authors' code uses D = 1 − cos(y_ref, y) with y_ref the same
/// network's detached output, which is ≈ 0 with frozen weights; cross-entropy is used here so
/// that the accuracy term actually pushes back.
public func tuneSharedScale(
    _ network: Sequential, shared: Parameter, lambda: Float, learningRate: Float, iterations: Int,
    evaluateEvery: Int, tolerance: Double, reference: Double,
    batches: (Int) -> (images: Tensor, labels: [Int]),
    validation: [(images: Tensor, labels: [Int])], progress: (RILCheckpoint) -> Void
) throws -> [RILCheckpoint] {
    var optimizer = SGD(learningRate: learningRate, momentum: 0.9, weightDecay: 0)
    var trajectory: [RILCheckpoint] = []
    var best = Double.infinity
    func evaluate(_ iteration: Int) -> RILCheckpoint {
        var correct = 0, total = 0, omegaSum = 0.0
        for batch in validation {
            var context = ForwardContext.inference
            let outputs = network.forwardCollecting(Variable(batch.images), context: &context)
            correct += zip(outputs.last!.value.argmaxRows(), batch.labels).filter { $0 == $1 }.count
            total += batch.labels.count
            omegaSum += Double(meanOmega(outputs, of: network).value[flat: 0])
        }
        network.parameters.forEach { $0.zeroGrad() }
        let s = Double(shared.value[flat: 0])
        let accuracy = Double(correct) / Double(total)
        let omegaBar = omegaSum / Double(validation.count)
        let selected = accuracy >= reference - tolerance && omegaBar < best
        if selected { best = omegaBar }
        return RILCheckpoint(iteration: iteration, scale: s, p: Double(sigmoid(Float(s))),
                             omegaBar: omegaBar, validationAccuracy: accuracy, selected: selected)
    }
    trajectory.append(evaluate(0)); progress(trajectory.last!)
    for iteration in 1...Swift.max(iterations, 1) {
        let batch = batches(iteration - 1)
        var context = ForwardContext.inference   // BN folded, M locked: only s moves
        let outputs = network.forwardCollecting(Variable(batch.images), context: &context)
        let loss = Variable.softmaxCrossEntropy(logits: outputs.last!, labels: batch.labels)
            + meanOmega(outputs, of: network) * lambda
        guard loss.value[flat: 0].isFinite else { throw ChapterFailure.nonFiniteLoss(iteration) }
        loss.backward()
        for p in network.parameters where p !== shared { p.zeroGrad() }
        optimizer.step([shared])
        if iteration % evaluateEvery == 0 || iteration == iterations {
            trajectory.append(evaluate(iteration)); progress(trajectory.last!)
            if trajectory.last!.validationAccuracy < reference - tolerance { break }
        }
    }
    return trajectory
}

/// Failures of the method code.
public enum ChapterFailure: Error, CustomStringConvertible {
    case nonFiniteLoss(Int)
    public var description: String {
        switch self {
        case .nonFiniteLoss(let i): "RIL loss is not finite at iteration \(i); lower --ril-learning-rate"
        }
    }
}
