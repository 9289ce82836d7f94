// Single-spike hidden neurons and the STDB surrogate variants (digest §2.3, §2.5).
//
// TODO(api): core `SpikingNeuron` has no fired-flag (at-most-once) option and
// `SurrogateGradient` is a function of z only, so STDB V1 (a function of the step t) cannot be
// expressed there. A `SpikingLayer` protocol (spike amplitude, threshold) adopted by both
// neuron types would let `Sequential.simulate`, `SpikeCounter` and `EnergyLedger.snn` count
// this layer too; until then the chapter counts spikes itself (`evaluate` in Pipeline.swift).

import Foundation
import SpikingNeurons

/// The surrogate ∂s/∂h used by BPTT under the single-spike constraint (digest §2.5) [proposed].
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

/// BPTT of `singleSpikeForward` for spikes of amplitude `a` (o = a·s), threshold and leak
/// fixed. With g[t] = ∂L/∂o[t] and f the surrogate:
///
///     t > t_f (already fired):  δx[t] = 0                   (mask; frozen membrane)
///     t ≤ t_f or silent:        δh[t] = λ·δh[t+1] + a·g[t]·f(t, h[t]/θ − 1)/θ,   δx[t] = δh[t]
public func singleSpikeBackward(_ g: Tensor, membranes: Tensor, fireStep: [Int32], timesteps: Int,
                                threshold theta: Float, leak: Float, amplitude a: Float,
                                surrogate: STDBSurrogate) -> Tensor {
    let m = fireStep.count
    var dx = Tensor(shape: [g.count])
    g.withUnsafeBufferPointer { pg in
        membranes.withUnsafeBufferPointer { ph in
            dx.withUnsafeMutableBufferPointer { pd in
                fireStep.withUnsafeBufferPointer { pf in
                    let (G, H, D) = (SendablePointer(pg.baseAddress!), SendablePointer(ph.baseAddress!),
                                     SendablePointer(pd.baseAddress!))
                    let F = SendablePointer(pf.baseAddress!)
                    parallelChunks(m, granularity: 64) { range in
                        for i in range {
                            let last = F.base[i] == 0 ? timesteps : Int(F.base[i])
                            var carry: Float = 0
                            for t in stride(from: last, through: 1, by: -1) {
                                let k = (t - 1) * m + i
                                let f = surrogate.value(step: t, z: H.base[k] / theta - 1)
                                let dh = carry + a * G.base[k] * f / theta
                                D.base[k] = dh
                                carry = leak * dh
                            }
                        }
                    }
                }
            }
        }
    }
    return dx
}

/// A layer of single-spike integrate-and-fire neurons (digest §2.3): each neuron fires at most
/// once per image; the membrane is frozen after its spike and the surrogate gradient masked.
/// Spikes carry amplitude θ (like `convert`'s `SpikeAmplitude.threshold`) so the next layer
/// keeps the ANN's weights. θ and λ are fixed (see the chapter's deviations).
///
/// Input and output `[T·N, …]` with T = `context.timesteps`.
public final class SingleSpikeNeuron: Layer {
    public var threshold: Float
    public let leak: Float
    public let surrogate: STDBSurrogate

    public init(threshold: Float, leak: Float = 1, surrogate: STDBSurrogate) {
        precondition(threshold > 0, "threshold must be positive")
        self.threshold = threshold
        self.leak = leak
        self.surrogate = surrogate
    }

    public var summary: String { "SingleSpikeIF(θ = \(threshold), \(surrogate))" }

    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        let timesteps = context.timesteps
        let (spikes, membranes, fireStep) = singleSpikeForward(
            x.value, timesteps: timesteps, threshold: threshold, leak: leak)
        var output = spikes
        output.scale(by: threshold)
        let (theta, leak, surrogate) = (threshold, leak, surrogate)
        return Variable.custom(output.reshaped(x.shape), inputs: [x]) { g in
            [singleSpikeBackward(g, membranes: membranes, fireStep: fireStep, timesteps: timesteps,
                                 threshold: theta, leak: leak, amplitude: theta,
                                 surrogate: surrogate).reshaped(x.shape)]
        }
    }
}
