// Single-spike hidden neurons and the STDB surrogate variants (NOTES.md §2.3, §2.5).
//
// The layer adopts the core `SpikingLayer` interface (threshold, spike value, spike limit), so
// `Sequential.simulate`, `SpikeCounter` and `EnergyLedger.snn` count it like any other neuron
// layer. Its recurrence stays here: core `SpikingNeuron` has no fired flag, and STDB V1 is a
// function of the step t, which `SurrogateGradient` (a function of z only) cannot express.

import Foundation
import SpikingNeurons
import TensorCore
import NeuralNetworks
import Autodiff

/// The surrogate ∂s/∂h used by BPTT under the single-spike constraint (NOTES.md §2.5) [proposed].
/// Both are multiplied by the not-yet-fired mask (1 − F(t−1)), so a neuron that has fired
/// gets exactly zero gradient afterwards.
public enum STDBSurrogate: Sendable, Codable, Equatable, CustomStringConvertible {
    /// V1 (closest to STDB): f(t) = α·exp(−β·t), t = 1…T counted from the start of the image
    /// (the never-fired neuron's "time since last spike"); independent of the membrane.
    case v1(alpha: Float, beta: Float)
    /// V2: DIET's triangle γ·max(0, 1 − |z|), z = h/θ − 1.
    case v2(gamma: Float)

    /// f at 1-based step `t` and normalised distance z = h/θ − 1.
    @inlinable public func value(step t: Int, z: Float) -> Float {
        switch self {
        case .v1(let alpha, let beta): alpha * Foundation.exp(-beta * Float(t))
        case .v2(let gamma): gamma * Swift.max(0, 1 - Swift.abs(z))
        }
    }

    public var description: String {
        switch self {
        case .v1(let a, let b): "STDB V1 (α = \(a), β = \(b))"
        case .v2(let g): "STDB V2 (triangle γ = \(g))"
        }
    }
}

/// The fused single-spike forward pass over one layer: `x` `[T·M]` time-major.
///
///     h[t] = λ·u[t−1] + x[t]                    while F[t−1] = 0;  frozen after the spike
///     s[t] = H(h[t] − θ)·(1 − F[t−1]),   F[t] = F[t−1] + s[t]
///
/// Returns the spikes s ∈ {0, 1}, the membrane trace h (frozen value after firing) and the
/// 1-based firing step per neuron (0 = silent).
public func singleSpikeForward(_ x: Tensor, timesteps: Int, threshold theta: Float, leak: Float)
    -> (spikes: Tensor, membranes: Tensor, fireStep: [Int32])
{
    let m = x.count / timesteps
    var spikes = Tensor(shape: [x.count]), trace = Tensor(shape: [x.count])
    var fire = [Int32](repeating: 0, count: m)
    x.withUnsafeBufferPointer { px in
        spikes.withUnsafeMutableBufferPointer { ps in
            trace.withUnsafeMutableBufferPointer { ph in
                fire.withUnsafeMutableBufferPointer { pf in
                    let (X, S, H, F) = (SendablePointer(px.baseAddress!), SendablePointer(ps.baseAddress!),
                                        SendablePointer(ph.baseAddress!), SendablePointer(pf.baseAddress!))
                    parallelChunks(m, granularity: 64) { range in
                        for i in range {
                            var u: Float = 0
                            var fired: Int32 = 0
                            for t in 0..<timesteps {
                                let k = t * m + i
                                if fired == 0 {
                                    u = leak * u + X.base[k]
                                    if u >= theta { S.base[k] = 1; fired = Int32(t + 1) }
                                }
                                H.base[k] = u
                            }
                            F.base[i] = fired
                        }
                    }
                }
            }
        }
    }
    return (spikes, trace, fire)
}

/// Gradients of one single-spike layer: input `[T·M]`, and the layer's θ and λ summed over
/// all neurons (zero unless asked for with `parameters: .trained`).
public struct SingleSpikeGradients {
    public var input: Tensor
    public var threshold: Float
    public var leak: Float
}

/// BPTT of `singleSpikeForward` for spikes of amplitude `a` (o = a·s; a = θ when
/// `amplitudeIsThreshold`). With g[t] = ∂L/∂o[t], f the surrogate, z = h/θ − 1,
/// ∂s/∂h ≈ f/θ and ∂s/∂θ ≈ −f·h/θ² (the core's convention, `SurrogateGradient`):
///
///     t > t_f (already fired):  nothing                      (mask; frozen membrane)
///     t ≤ t_f or silent:        δs = a·g[t]
///                               δh[t] = λ·δh[t+1] + δs·f(t, z)/θ,    δx[t] = δh[t]
///                               δθ += −δs·f(t, z)·h[t]/θ²  (+ g[t]·s[t] if a = θ)
///                               δλ += δh[t]·h[t−1]          (h[0] = 0)
///
/// The δθ, δλ sums are accumulated in Double per neuron chunk. Complexity O(T·M).
public func singleSpikeBackward(_ g: Tensor, membranes: Tensor, fireStep: [Int32], timesteps: Int,
                                threshold theta: Float, leak: Float, amplitudeIsThreshold: Bool,
                                surrogate: STDBSurrogate, parameters: Training) -> SingleSpikeGradients {
    let m = fireStep.count
    let a: Float = amplitudeIsThreshold ? theta : 1
    let trained = parameters == .trained
    var dx = Tensor(shape: [g.count])
    let chunks = Swift.max(1, Swift.min(Parallelism.workers, m / 64))
    var partialTheta = [Double](repeating: 0, count: chunks), partialLeak = partialTheta
    g.withUnsafeBufferPointer { pg in
        membranes.withUnsafeBufferPointer { ph in
            dx.withUnsafeMutableBufferPointer { pd in
                fireStep.withUnsafeBufferPointer { pf in
                    partialTheta.withUnsafeMutableBufferPointer { pt in
                        partialLeak.withUnsafeMutableBufferPointer { pl in
                            let (G, H, D) = (SendablePointer(pg.baseAddress!), SendablePointer(ph.baseAddress!),
                                             SendablePointer(pd.baseAddress!))
                            let F = SendablePointer(pf.baseAddress!)
                            let (PT, PL) = (SendablePointer(pt.baseAddress!), SendablePointer(pl.baseAddress!))
                            let work: @Sendable (Int) -> Void = { c in
                                var dTheta = 0.0, dLeak = 0.0
                                for i in (m * c / chunks)..<(m * (c + 1) / chunks) {
                                    let fired = F.base[i]
                                    let last = fired == 0 ? timesteps : Int(fired)
                                    var carry: Float = 0
                                    for t in stride(from: last, through: 1, by: -1) {
                                        let k = (t - 1) * m + i
                                        let h = H.base[k]
                                        let f = surrogate.value(step: t, z: h / theta - 1)
                                        let ds = a * G.base[k]
                                        let dh = carry + ds * f / theta
                                        D.base[k] = dh
                                        carry = leak * dh
                                        guard trained else { continue }
                                        dTheta -= Double(ds * f * h / (theta * theta))
                                        if amplitudeIsThreshold && t == Int(fired) { dTheta += Double(G.base[k]) }
                                        if t > 1 { dLeak += Double(dh * H.base[k - m]) }
                                    }
                                }
                                PT.base[c] = dTheta
                                PL.base[c] = dLeak
                            }
                            WorkerTeam.run(chunks, work)
                        }
                    }
                }
            }
        }
    }
    return SingleSpikeGradients(input: dx, threshold: Float(partialTheta.reduce(0, +)),
                                leak: Float(partialLeak.reduce(0, +)))
}

/// A layer of single-spike integrate-and-fire neurons (NOTES.md §2.3): each neuron fires at most
/// once per image; the membrane is frozen after its spike and the surrogate gradient masked.
/// Spikes carry amplitude θ (like `convert`'s `SpikeAmplitude.threshold`) so the next layer
/// keeps the ANN's weights.
///
/// θ and λ are per-layer scalars, as in DIET-SNN (NOTES.md §2.1) and the core `SpikingNeuron`.
/// With `training: .trained` both are `parameters` and learn through the surrogate
/// (`singleSpikeBackward`); the caller keeps λ ≤ 1 and θ > 0 after each step
/// (`clampNeuronParameters`). With `.fixed` they are constants (the ablation).
///
/// Input and output `[T·N, …]` with T = `context.timesteps`.
public final class SingleSpikeNeuron: SpikingLayer {
    public let threshold: Parameter      // θ [1]
    public let leak: Parameter           // λ [1]
    public let surrogate: STDBSurrogate
    public let training: Training

    public init(threshold: Float, leak: Float = 1, surrogate: STDBSurrogate, training: Training = .fixed) {
        precondition(threshold > 0, "threshold must be positive")
        precondition(leak > 0 && leak <= 1, "leak must be in (0, 1]")
        self.threshold = Parameter(Tensor(shape: [1], scalars: [threshold]), name: "neuron.threshold",
                                   role: .threshold)
        self.leak = Parameter(Tensor(shape: [1], scalars: [leak]), name: "neuron.leak", role: .leak)
        self.surrogate = surrogate
        self.training = training
    }

    public var thresholdValue: Float {
        get { threshold.value[flat: 0] }
        set { threshold.value[flat: 0] = newValue }
    }
    public var leakValue: Float { leak.value[flat: 0] }

    public var parameters: [Parameter] { training == .trained ? [threshold, leak] : [] }
    /// θ and λ are checkpointed even when fixed.
    public var buffers: [Tensor] { [threshold.value, leak.value] }
    public func loadBuffers(_ values: [Tensor]) { threshold.value = values[0]; leak.value = values[1] }

    public var summary: String {
        "SingleSpikeLIF(θ = \(thresholdValue), λ = \(leakValue), \(training), \(surrogate))"
    }

    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        let timesteps = context.timesteps
        let (theta, lambda, surrogate, training) = (thresholdValue, leakValue, surrogate, training)
        let (spikes, membranes, fireStep) = singleSpikeForward(
            x.value, timesteps: timesteps, threshold: theta, leak: lambda)
        var output = spikes
        output.scale(by: theta)
        return Variable.custom(output.reshaped(x.shape), inputs: [x] + parameters.map(\.variable)) { g in
            let grads = singleSpikeBackward(g, membranes: membranes, fireStep: fireStep, timesteps: timesteps,
                                            threshold: theta, leak: lambda, amplitudeIsThreshold: true,
                                            surrogate: surrogate, parameters: training)
            var out: [Tensor?] = [grads.input.reshaped(x.shape)]
            if training == .trained {
                out.append(Tensor(shape: [1], scalars: [grads.threshold]))
                out.append(Tensor(shape: [1], scalars: [grads.leak]))
            }
            return out
        }
    }

    /// Spikes carry θ.
    public var spikeValue: Float { thresholdValue }
    /// At most one spike per neuron and image; the membrane freezes after it (no reset).
    public var spikeLimitPerImage: Int? { 1 }

    public func copy() -> any SpikingLayer {
        SingleSpikeNeuron(threshold: thresholdValue, leak: leakValue, surrogate: surrogate, training: training)
    }

    /// Keeps a trained layer valid after an optimiser step (DIET-SNN), e.g. λ ← clamp(λ, 10⁻³, 1),
    /// θ ← max(θ, 10⁻³). A fixed layer is left alone.
    public func clampTrainedParameters(minimumThreshold: Float, leak range: ClosedRange<Float>) {
        guard training == .trained else { return }
        leak.value[flat: 0] = Swift.min(Swift.max(leakValue, range.lowerBound), range.upperBound)
        threshold.value[flat: 0] = Swift.max(thresholdValue, minimumThreshold)
    }
}
