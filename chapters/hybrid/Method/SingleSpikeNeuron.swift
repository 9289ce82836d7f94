// Single-spike hidden neurons and the STDB surrogate variants (NOTES.md §2.3, §2.5).
//
// The layer adopts the core `SpikingLayer` interface (threshold, spike value, spike limit), so
// `Sequential.simulate`, `SpikeCounter` and `EnergyLedger.snn` count it like any other neuron
// layer. Its recurrence runs in TensorCore's `SingleSpikeRecurrence` kernels (core
// `SpikingNeuron` has no fired flag); the STDB surrogates stay here, since V1 is a function of the
// step t, which `SurrogateGradient` (a function of z only) cannot express.

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

extension STDBSurrogate: StepSurrogateFunction {
    @inlinable public func callAsFunction(step t: Int, z: Float) -> Float { value(step: t, z: z) }
}

/// The fused single-spike forward pass over one layer (`SingleSpikeRecurrence.forward`):
/// `x` `[T·M]` time-major.
///
///     h[t] = λ·u[t−1] + x[t]                    while F[t−1] = 0;  frozen after the spike
///     s[t] = H(h[t] − θ)·(1 − F[t−1]),   F[t] = F[t−1] + s[t]
///
/// Returns the spikes s ∈ {0, 1}, the membrane trace h (frozen value after firing) and the
/// 1-based firing step per neuron (0 = silent).
public func singleSpikeForward(_ x: Tensor, timesteps: Int, threshold theta: Float, leak: Float)
    -> (spikes: Tensor, membranes: Tensor, fireStep: [Int32])
{
    let trace = SingleSpikeRecurrence(threshold: theta, leak: leak).forward(x, timesteps: timesteps)
    return (trace.spikes, trace.membranes, trace.fireStep)
}

/// Gradients of one single-spike layer: input `[T·M]`, and the layer's θ and λ summed over
/// all neurons (zero unless asked for with `parameters: .trained`).
public struct SingleSpikeGradients {
    public var input: Tensor
    public var threshold: Float
    public var leak: Float
}

/// BPTT of `singleSpikeForward` for spikes of amplitude `a` (o = a·s; a = θ when
/// `amplitudeIsThreshold`), run by `SingleSpikeRecurrence.backward`. With g[t] = ∂L/∂o[t], f the
/// surrogate, z = h/θ − 1, ∂s/∂h ≈ f/θ and ∂s/∂θ ≈ −f·h/θ² (the core's convention,
/// `SurrogateGradient`):
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
    let grads = SingleSpikeRecurrence(threshold: theta, leak: leak).backward(
        g, membranes: membranes, fireStep: fireStep, timesteps: timesteps,
        spikeCarriesThreshold: amplitudeIsThreshold, surrogate: surrogate,
        parameterGradients: parameters == .trained)
    return SingleSpikeGradients(input: grads.input, threshold: grads.threshold, leak: grads.leak)
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
        if !GradientRecording.isEnabled {   // inference: no trace for a backward pass to read
            return Variable(SingleSpikeRecurrence(threshold: theta, leak: lambda)
                .infer(x.value, timesteps: timesteps, amplitude: theta))
        }
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
