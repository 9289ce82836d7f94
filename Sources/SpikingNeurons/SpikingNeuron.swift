import Autodiff
import NeuralNetworks
import TensorCore

/// A layer of integrate-and-fire (IF) or leaky integrate-and-fire (LIF) neurons, one per input
/// element, simulated over the time steps folded into the batch (`context.timesteps`).
///
/// Input x `[T·N, …]` (time-major: the first N rows are t = 1), output `[T·N, …]`:
///
///     h[t] = λ·u[t−1] + x[t]                  (IF: λ = 1)
///     s[t] = H(h[t] − θ)                       spike when the membrane reaches θ
///     u[t] = h[t] − θ·s[t]   (reset by subtraction)   or   h[t]·(1 − s[t])   (reset to zero)
///     o[t] = s[t]  or  θ·s[t]                  (SpikeAmplitude)
///
/// Forward and BPTT backward each run in one fused pass over all neurons and time steps (no
/// per-step graph nodes); the backward pass uses the surrogate for ∂s/∂h and flows through
/// the recurrence, the reset (unless detached), the threshold and the leak.
public final class SpikingNeuron: SpikingLayer {
    public let threshold: Parameter      // θ [1]
    public let leak: Parameter           // λ [1]
    public let model: NeuronModel
    public let reset: ResetMode
    public let resetGradient: ResetGradient
    public let initialMembrane: InitialMembrane
    public let amplitude: SpikeAmplitude
    public let surrogate: SurrogateGradient
    public let thresholdTraining: Training

    public init(threshold: Float = 1, model: NeuronModel = .integrateAndFire,
                reset: ResetMode = .subtraction, initialMembrane: InitialMembrane = .zero,
                amplitude: SpikeAmplitude = .unit, surrogate: SurrogateGradient = .triangle(gamma: 0.3),
                thresholdTraining: Training = .fixed, resetGradient: ResetGradient = .full) {
        self.threshold = Parameter(Tensor(shape: [1], scalars: [threshold]), name: "neuron.threshold", role: .threshold)
        let leakValue: Float
        if case .leakyIntegrateAndFire(let l, _) = model { leakValue = l } else { leakValue = 1 }
        self.leak = Parameter(Tensor(shape: [1], scalars: [leakValue]), name: "neuron.leak", role: .leak)
        self.model = model
        self.reset = reset
        self.resetGradient = resetGradient
        self.initialMembrane = initialMembrane
        self.amplitude = amplitude
        self.surrogate = surrogate
        self.thresholdTraining = thresholdTraining
    }

    public var thresholdValue: Float { threshold.value[flat: 0] }
    public var leakValue: Float { leak.value[flat: 0] }
    public var spikeValue: Float { amplitude == .threshold ? thresholdValue : 1 }
    public var resetMode: ResetMode? { reset }

    /// Inference from an explicit state: the membranes `state.membrane` (one per neuron, row-major)
    /// carried from the previous chunk, or u(0) when `state` is nil.
    public func simulate(_ x: Tensor, timesteps: Int, state: inout NeuronState?) -> Tensor {
        precondition(x.count % timesteps == 0, "neuron input \(x.shape) cannot be split into \(timesteps) time steps")
        let flatX = x.converted(to: .rowMajor).reinterpreted(as: [x.count], layout: .rowMajor)
        let result = SpikingNeuron.simulate(flatX, timesteps: timesteps, neurons: x.count / timesteps,
                                            threshold: thresholdValue, leak: leakValue, reset: reset,
                                            initial: state?.membrane, initialMembrane: initialMembrane,
                                            keepTrace: false)
        state = NeuronState(membrane: result.finalMembrane)
        var output = result.spikes
        if amplitude == .threshold { output.scale(by: thresholdValue) }
        return output.reinterpreted(as: x.shape, layout: .rowMajor)
    }

    public func copy() -> any SpikingLayer {
        let copy = SpikingNeuron(
            threshold: thresholdValue, model: model, reset: reset, initialMembrane: initialMembrane,
            amplitude: amplitude, surrogate: surrogate, thresholdTraining: thresholdTraining,
            resetGradient: resetGradient)
        copy.leak.value = leak.value
        return copy
    }

    public func clampTrainedParameters(minimumThreshold: Float, leak range: ClosedRange<Float>) {
        if case .leakyIntegrateAndFire(_, .trained) = model {
            leak.value[flat: 0] = Swift.min(Swift.max(leakValue, range.lowerBound), range.upperBound)
        }
        if thresholdTraining == .trained { threshold.value[flat: 0] = Swift.max(thresholdValue, minimumThreshold) }
    }

    public var parameters: [Parameter] {
        var p: [Parameter] = []
        if thresholdTraining == .trained { p.append(threshold) }
        if case .leakyIntegrateAndFire(_, .trained) = model { p.append(leak) }
        return p
    }

    /// Threshold and leak are checkpointed even when fixed.
    public var buffers: [Tensor] { [threshold.value, leak.value] }
    public func loadBuffers(_ values: [Tensor]) { threshold.value = values[0]; leak.value = values[1] }

    public var summary: String {
        let kind: String
        switch model {
        case .integrateAndFire: kind = "IF"
        case .leakyIntegrateAndFire(_, let t): kind = "LIF(λ = \(leakValue), \(t))"
        }
        return "\(kind)(θ = \(thresholdValue), reset \(reset), u₀ \(initialMembrane), out \(amplitude), \(surrogate))"
    }

    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        let timesteps = context.timesteps
        precondition(x.value.count % timesteps == 0,
                     "neuron input \(x.shape) cannot be split into \(timesteps) time steps")
        let neurons = x.value.count / timesteps
        let theta = thresholdValue, lambda = leakValue
        // Every neuron is independent and each time step is a contiguous block of the batch in
        // either TensorLayout, so the kernels run on the storage as it is (a flat view) and the
        // spikes keep x's layout. Row-major instead when θ or λ is trained: ∂θ and ∂λ sum over
        // all neurons, and that sum must not depend on the layout's order.
        let trainsThreshold = thresholdTraining == .trained
        let trainsLeak: Bool
        if case .leakyIntegrateAndFire(_, .trained) = model { trainsLeak = true } else { trainsLeak = false }
        let layout = !trainsThreshold && !trainsLeak ? x.value.layout : .rowMajor
        let flatX = x.value.converted(to: layout).reinterpreted(as: [x.value.count], layout: .rowMajor)
        var result = SpikingNeuron.simulate(flatX, timesteps: timesteps, neurons: neurons,
                                            threshold: theta, leak: lambda, reset: reset,
                                            initial: nil, initialMembrane: initialMembrane,
                                            keepTrace: x.requiresGrad || threshold.variable.requiresGrad)
        var output = result.spikes
        if amplitude == .threshold { output.scale(by: theta) }
        let inputs: [Variable] = [x] + parameters.map(\.variable)
        let spikes = result.spikes, membranes = result.preResetMembranes
        result = SimulationResult(spikes: Tensor(shape: [0]), preResetMembranes: Tensor(shape: [0]),
                                  finalMembrane: Tensor(shape: [0]))
        let shape = x.shape
        return Variable.custom(output.reinterpreted(as: shape, layout: layout), inputs: inputs) { [self] g in
            let g = g.converted(to: layout).reinterpreted(as: [g.count], layout: .rowMajor)
            if !trainsThreshold && !trainsLeak {
                // Only ∂L/∂x is needed: the fused input-gradient kernel (checked against
                // `backward` in SpikingNeuronsTests/FastNeuronKernelTests).
                let dx = SpikingNeuron.backwardInput(
                    g, spikes: spikes, preResetMembranes: membranes, timesteps: timesteps, neurons: neurons,
                    threshold: theta, leak: lambda, reset: reset, resetGradient: resetGradient,
                    amplitude: amplitude, surrogate: surrogate)
                return [dx.reinterpreted(as: shape, layout: layout)]
            }
            let grads = SpikingNeuron.backward(
                g, spikes: spikes, preResetMembranes: membranes, timesteps: timesteps, neurons: neurons,
                threshold: theta, leak: lambda, reset: reset, resetGradient: resetGradient,
                initialMembrane: initialMembrane, initial: nil,
                amplitude: amplitude, surrogate: surrogate)
            var out: [Tensor?] = [grads.input.reinterpreted(as: shape, layout: layout)]
            if trainsThreshold { out.append(Tensor(shape: [1], scalars: [grads.threshold])) }
            if trainsLeak { out.append(Tensor(shape: [1], scalars: [grads.leak])) }
            return out
        }
    }
}

/// The fused forward pass: spikes, the pre-reset membranes h (for BPTT) and the final membrane.
struct SimulationResult {
    var spikes: Tensor                // s [T·M] ∈ {0, 1}
    var preResetMembranes: Tensor     // h [T·M]
    var finalMembrane: Tensor         // u[T] [M]
}

extension SpikingNeuron {
    static func simulate(_ x: Tensor, timesteps: Int, neurons m: Int, threshold theta: Float, leak: Float,
                         reset: ResetMode, initial: Tensor?, initialMembrane: InitialMembrane,
                         keepTrace: Bool) -> SimulationResult {
        // Every step of every neuron is written below: no fill pass.
        var spikes = Tensor(uninitializedShape: [timesteps * m])
        var pre = Tensor(uninitializedShape: keepTrace ? [timesteps * m] : [0])
        var u = initial ?? Tensor(shape: [m], repeating: initialMembrane == .halfThreshold ? theta / 2 : 0)
        precondition(u.count == m, "carried membrane has \(u.count) neurons, input has \(m)")
        // Reset as arithmetic so both modes stay branch-free and vectorisable:
        // subtraction u = h − θ·s;  zero u = h − h·s.
        let keepCharge: Float = reset == .subtraction ? 1 : 0
        x.withUnsafeBufferPointer { px in
            spikes.withUnsafeMutableBufferPointer { ps in
                pre.withUnsafeMutableBufferPointer { ph in
                    u.withUnsafeMutableBufferPointer { pu in
                        let (xs, ss, us) = (SendablePointer(px.baseAddress!), SendablePointer(ps.baseAddress!),
                                            SendablePointer(pu.baseAddress!))
                        let hs: SendablePointer<Float>? = keepTrace ? SendablePointer(ph.baseAddress!) : nil
                        parallelChunks(m, granularity: 16) { range in
                            let lo = range.lowerBound, n = range.count
                            let u = us.base + lo
                            for t in 0..<timesteps {
                                let x = xs.base + t * m + lo, s = ss.base + t * m + lo
                                if let hs {
                                    let trace = hs.base + t * m + lo
                                    for i in 0..<n {
                                        let h = leak * u[i] + x[i]
                                        let spike: Float = h >= theta ? 1 : 0
                                        trace[i] = h
                                        s[i] = spike
                                        u[i] = h - spike * (keepCharge * theta + (1 - keepCharge) * h)
                                    }
                                } else {
                                    for i in 0..<n {
                                        let h = leak * u[i] + x[i]
                                        let spike: Float = h >= theta ? 1 : 0
                                        s[i] = spike
                                        u[i] = h - spike * (keepCharge * theta + (1 - keepCharge) * h)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return SimulationResult(spikes: spikes, preResetMembranes: pre, finalMembrane: u)
    }

    /// BPTT through the fused recurrence, from the last step to the first. With δu the
    /// gradient arriving at u[t] from step t+1 (δu = λ·δh[t+1]) and f the surrogate:
    ///
    ///     δs = a·g[t] + δu·∂u/∂s          ∂u/∂s = −θ (subtraction) | −h (zero) | 0 (detached)
    ///     δh = δu·∂u/∂h + δs·f(x)/θ       ∂u/∂h = 1 (subtraction) | 1 − s (zero);  x = h/θ − 1
    ///     δx[t] = δh;   δθ += −δs·f(x)·h/θ² − δu·s (subtraction) + g[t]·s (amplitude θ)
    ///     δλ += δh·u[t−1]
    static func backward(_ g: Tensor, spikes: Tensor, preResetMembranes: Tensor, timesteps: Int, neurons m: Int,
                         threshold theta: Float, leak: Float, reset: ResetMode, resetGradient: ResetGradient,
                         initialMembrane: InitialMembrane, initial: Tensor?, amplitude: SpikeAmplitude,
                         surrogate: SurrogateGradient) -> (input: Tensor, threshold: Float, leak: Float) {
        var dx = Tensor(uninitializedShape: [timesteps * m])   // every element written below
        let a: Float = amplitude == .threshold ? theta : 1
        let subtract = reset == .subtraction, detached = resetGradient == .detached
        let u0 = initial ?? Tensor(shape: [m], repeating: initialMembrane == .halfThreshold ? theta / 2 : 0)
        let workers = Swift.max(1, Swift.min(Parallelism.workers, m / 4096))
        var partialTheta = [Double](repeating: 0, count: workers), partialLeak = partialTheta
        g.withUnsafeBufferPointer { pg in
            spikes.withUnsafeBufferPointer { ps in
                preResetMembranes.withUnsafeBufferPointer { ph in
                    u0.withUnsafeBufferPointer { p0 in
                        dx.withUnsafeMutableBufferPointer { pd in
                            partialTheta.withUnsafeMutableBufferPointer { pt in
                                partialLeak.withUnsafeMutableBufferPointer { pl in
                                    let (G, S, H, U0, D) = (SendablePointer(pg.baseAddress!), SendablePointer(ps.baseAddress!),
                                                            SendablePointer(ph.baseAddress!), SendablePointer(p0.baseAddress!),
                                                            SendablePointer(pd.baseAddress!))
                                    let (PT, PL) = (SendablePointer(pt.baseAddress!), SendablePointer(pl.baseAddress!))
                                    let work: @Sendable (Int) -> Void = { w in
                                        let lo = m * w / workers, hi = m * (w + 1) / workers
                                        var dTheta = 0.0, dLeak = 0.0
                                        var du = [Float](repeating: 0, count: hi - lo)
                                        for t in stride(from: timesteps - 1, through: 0, by: -1) {
                                            let base = t * m
                                            var tTheta: Float = 0, tLeak: Float = 0
                                            for j in 0..<(hi - lo) {
                                                let i = base + lo + j
                                                let h = H.base[i], s = S.base[i], dU = du[j]
                                                let dUdS: Float = detached ? 0 : (subtract ? -theta : -h)
                                                let dUdH: Float = subtract ? 1 : 1 - s
                                                let dS = a * G.base[i] + dU * dUdS
                                                let f = surrogate.value(at: h / theta - 1)
                                                let dH = dU * dUdH + dS * f / theta
                                                D.base[i] = dH
                                                tTheta += -dS * f * h / (theta * theta)
                                                // ∂u/∂θ = −s: explicit, so kept when only the spike is detached.
                                                if subtract { tTheta -= dU * s }
                                                if amplitude == .threshold { tTheta += G.base[i] * s }
                                                let uPrev: Float
                                                if t > 0 {
                                                    let hp = H.base[i - m], sp = S.base[i - m]
                                                    uPrev = subtract ? hp - theta * sp : hp * (1 - sp)
                                                } else {
                                                    uPrev = U0.base[lo + j]
                                                }
                                                tLeak += dH * uPrev
                                                du[j] = leak * dH
                                            }
                                            dTheta += Double(tTheta); dLeak += Double(tLeak)
                                        }
                                        if initialMembrane == .halfThreshold {
                                            // u(0) = θ/2 depends on θ: ∂u(0)/∂θ = 1/2.
                                            for j in 0..<(hi - lo) { dTheta += Double(du[j] / leak * 0.5 * leak) }
                                        }
                                        PT.base[w] = dTheta
                                        PL.base[w] = dLeak
                                    }
                                    WorkerTeam.run(workers, work)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dx, Float(partialTheta.reduce(0, +)), Float(partialLeak.reduce(0, +)))
    }
}


// MARK: - Fast input-gradient kernel

/// A surrogate as a concrete type, so that the BPTT loop below is specialised and vectorised
/// per surrogate instead of switching on the enum for every element.
protocol SurrogateKernel: Sendable {
    func callAsFunction(_ x: Float) -> Float
}

struct ATanKernel: SurrogateKernel {
    let halfAlpha: Float, scale: Float
    init(alpha: Float) { halfAlpha = alpha / 2; scale = Float.pi / 2 * alpha }
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        let z = scale * x
        return halfAlpha / (1 + z * z)
    }
}

struct TriangleKernel: SurrogateKernel {
    let gamma: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { gamma * Swift.max(0, 1 - Swift.abs(x)) }
}

struct EnumKernel: SurrogateKernel {
    let surrogate: SurrogateGradient
    @inline(__always) func callAsFunction(_ x: Float) -> Float { surrogate.value(at: x) }
}

extension SpikingNeuron {
    /// ∂L/∂x of the fused recurrence when neither θ nor λ is trained: the same recurrence as
    /// `backward` (which stays the reference), with the reset mode folded into constants so the
    /// loop is branch-free, the surrogate specialised, and no δθ/δλ sums (which also read
    /// u[t−1] from the trace).
    ///
    ///     δs = a·g[t] + δu·(cθ + cH·h)     (cθ, cH) = (−θ, 0) subtraction | (0, −1) zero | (0, 0) detached
    ///     δh = δu·(1 − kS·s) + δs·f(h/θ − 1)/θ          kS = 0 subtraction | 1 zero
    ///     δx[t] = δh;   δu ← λ·δh
    static func backwardInput(_ g: Tensor, spikes: Tensor, preResetMembranes: Tensor, timesteps: Int, neurons m: Int,
                              threshold theta: Float, leak: Float, reset: ResetMode, resetGradient: ResetGradient,
                              amplitude: SpikeAmplitude, surrogate: SurrogateGradient) -> Tensor {
        switch surrogate {
        case .atan(let alpha):
            return backwardInput(g, spikes, preResetMembranes, timesteps, m, theta, leak, reset, resetGradient,
                                 amplitude, ATanKernel(alpha: alpha))
        case .triangle(let gamma):
            return backwardInput(g, spikes, preResetMembranes, timesteps, m, theta, leak, reset, resetGradient,
                                 amplitude, TriangleKernel(gamma: gamma))
        default:
            return backwardInput(g, spikes, preResetMembranes, timesteps, m, theta, leak, reset, resetGradient,
                                 amplitude, EnumKernel(surrogate: surrogate))
        }
    }

    @inline(__always)
    private static func backwardInput<F: SurrogateKernel>(
        _ g: Tensor, _ spikes: Tensor, _ preResetMembranes: Tensor, _ timesteps: Int, _ m: Int,
        _ theta: Float, _ leak: Float, _ reset: ResetMode, _ resetGradient: ResetGradient,
        _ amplitude: SpikeAmplitude, _ f: F
    ) -> Tensor {
        var dx = Tensor(uninitializedShape: [timesteps * m])   // every element written below
        let a: Float = amplitude == .threshold ? theta : 1
        let subtract = reset == .subtraction, detached = resetGradient == .detached
        let cTheta: Float = detached || !subtract ? 0 : -theta
        let cH: Float = detached || subtract ? 0 : -1
        let kS: Float = subtract ? 0 : 1
        let invTheta = 1 / theta
        g.withUnsafeBufferPointer { pg in
            spikes.withUnsafeBufferPointer { ps in
                preResetMembranes.withUnsafeBufferPointer { ph in
                    dx.withUnsafeMutableBufferPointer { pd in
                        let (G, S, H, D) = (SendablePointer(pg.baseAddress!), SendablePointer(ps.baseAddress!),
                                            SendablePointer(ph.baseAddress!), SendablePointer(pd.baseAddress!))
                        parallelChunks(m, granularity: 16) { range in
                            let lo = range.lowerBound, n = range.count
                            let du = UnsafeMutablePointer<Float>.allocate(capacity: n)
                            du.initialize(repeating: 0, count: n)
                            defer { du.deallocate() }
                            for t in stride(from: timesteps - 1, through: 0, by: -1) {
                                let base = t * m + lo
                                let gt = G.base + base, st = S.base + base, ht = H.base + base, dt = D.base + base
                                for j in 0..<n {
                                    let h = ht[j], s = st[j], dU = du[j]
                                    let dS = a * gt[j] + dU * (cTheta + cH * h)
                                    let dH = dU * (1 - kS * s) + dS * f(h * invTheta - 1) * invTheta
                                    dt[j] = dH
                                    du[j] = leak * dH
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}

