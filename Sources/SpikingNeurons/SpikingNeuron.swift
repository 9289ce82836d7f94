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

    /// Inference from an explicit state: the membranes and spike counts of `state` carried from
    /// the previous chunk, or u(0) and no spikes when `state` is nil. Runs on x's storage as it
    /// is (either layout: each step is one contiguous block, and every neuron is independent),
    /// in one fused pass that also counts the spikes (`MembraneRecurrence.simulate`).
    public func simulate(_ x: Tensor, timesteps: Int, state: inout NeuronState?) -> Tensor {
        precondition(x.rank >= 1 && x.shape[0] % timesteps == 0,
                     "neuron input \(x.shape) cannot be split into \(timesteps) time steps")
        return simulate(x, timesteps: timesteps, constantInput: false, state: &state)
    }

    /// The same steps with x `[N, …]` the input of every step, read in place (no repeated copy).
    public func simulate(constant x: Tensor, timesteps: Int, state: inout NeuronState?) -> Tensor {
        precondition(x.rank >= 1, "neuron input \(x.shape) has no batch dimension")
        return simulate(x, timesteps: timesteps, constantInput: true, state: &state)
    }

    private func simulate(_ x: Tensor, timesteps: Int, constantInput: Bool, state: inout NeuronState?) -> Tensor {
        let m = constantInput ? x.count : x.count / timesteps
        let stepShape = constantInput ? x.shape : [x.shape[0] / timesteps] + x.shape.dropFirst()
        let outputShape = [stepShape[0] * timesteps] + stepShape.dropFirst()
        let layout = x.layout
        /// A carried tensor in x's storage order, as a flat [M] view.
        func flat(_ carried: Tensor) -> Tensor {
            precondition(carried.count == m, "carried membrane has \(carried.count) neurons, input has \(m)")
            let inOrder = carried.layout == layout ? carried : carried.reinterpreted(as: stepShape, layout: carried.layout)
                .converted(to: layout)
            return inOrder.reinterpreted(as: [m], layout: .rowMajor)
        }
        var membrane = state.map { flat($0.membrane) }
            ?? SpikingNeuron.initialMembranes(nil, neurons: m, threshold: thresholdValue, initialMembrane: initialMembrane)
        var counts = state?.spikeCounts.map(flat) ?? Tensor(shape: [m])
        let flatX = x.reinterpreted(as: [x.count], layout: .rowMajor)   // the storage, as it is
        let (output, spikesPerStep) = MembraneRecurrence(threshold: thresholdValue, leak: leakValue, reset: reset.membraneReset)
            .simulate(flatX, timesteps: timesteps, membrane: &membrane, spikeCounts: &counts, spikeValue: spikeValue,
                      constantInput: constantInput)
        state = NeuronState(membrane: membrane.reinterpreted(as: stepShape, layout: layout),
                            spikeCounts: counts.reinterpreted(as: stepShape, layout: layout),
                            lastChunkSpikesPerStep: spikesPerStep)
        return output.reinterpreted(as: outputShape, layout: layout)
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
                                            keepTrace: GradientRecording.isEnabled
                                                && (x.requiresGrad || threshold.variable.requiresGrad))
        var output = result.spikes
        if amplitude == .threshold { output.scale(by: theta) }
        let inputs: [Variable] = [x] + parameters.map(\.variable)
        let spikes = result.spikes, membranes = result.preResetMembranes
        result = MembraneTrace(spikes: Tensor(shape: [0]), preResetMembranes: Tensor(shape: [0]),
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

// MARK: - The recurrence, run by TensorCore's kernels

/// A surrogate as a concrete type, so that TensorCore's BPTT loops are specialised and
/// vectorised per surrogate instead of switching on the enum for every element.
struct ATanKernel: SurrogateFunction {
    let halfAlpha: Float, scale: Float
    init(alpha: Float) { halfAlpha = alpha / 2; scale = Float.pi / 2 * alpha }
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        let z = scale * x
        return halfAlpha / (1 + z * z)
    }
}

struct TriangleKernel: SurrogateFunction {
    let gamma: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { gamma * Swift.max(0, 1 - Swift.abs(x)) }
}

struct EnumKernel: SurrogateFunction {
    let surrogate: SurrogateGradient
    @inline(__always) func callAsFunction(_ x: Float) -> Float { surrogate.value(at: x) }
}

extension ResetMode {
    /// The reset as TensorCore's recurrence kernels take it.
    public var membraneReset: MembraneReset { self == .subtraction ? .subtractThreshold : .toZero }
}

extension SpikingNeuron {
    /// u(0) for `m` neurons: the carried membranes, else zero or θ/2.
    static func initialMembranes(_ initial: Tensor?, neurons m: Int, threshold theta: Float,
                                 initialMembrane: InitialMembrane) -> Tensor {
        let u = initial ?? Tensor(shape: [m], repeating: initialMembrane == .halfThreshold ? theta / 2 : 0)
        precondition(u.count == m, "carried membrane has \(u.count) neurons, input has \(m)")
        return u
    }

    /// The fused forward pass (`MembraneRecurrence.forward`): spikes, the pre-reset membranes h
    /// (for BPTT, when `keepTrace`) and the final membrane, over `x` `[T·M]` time-major.
    static func simulate(_ x: Tensor, timesteps: Int, neurons m: Int, threshold theta: Float, leak: Float,
                         reset: ResetMode, initial: Tensor?, initialMembrane: InitialMembrane,
                         keepTrace: Bool) -> MembraneTrace {
        let u0 = initialMembranes(initial, neurons: m, threshold: theta, initialMembrane: initialMembrane)
        return MembraneRecurrence(threshold: theta, leak: leak, reset: reset.membraneReset)
            .forward(x, timesteps: timesteps, initial: u0, keepTrace: keepTrace)
    }

    /// BPTT through the fused recurrence with ∂θ and ∂λ (`MembraneRecurrence.backward`, where the
    /// equations are written out): the reference the input-only kernel is tested against.
    static func backward(_ g: Tensor, spikes: Tensor, preResetMembranes: Tensor, timesteps: Int, neurons m: Int,
                         threshold theta: Float, leak: Float, reset: ResetMode, resetGradient: ResetGradient,
                         initialMembrane: InitialMembrane, initial: Tensor?, amplitude: SpikeAmplitude,
                         surrogate: SurrogateGradient) -> (input: Tensor, threshold: Float, leak: Float) {
        let u0 = initialMembranes(initial, neurons: m, threshold: theta, initialMembrane: initialMembrane)
        let trace = MembraneTrace(spikes: spikes, preResetMembranes: preResetMembranes, finalMembrane: Tensor(shape: [0]))
        return MembraneRecurrence(threshold: theta, leak: leak, reset: reset.membraneReset).backward(
            g, trace: trace, timesteps: timesteps, initial: u0, spikeCarriesThreshold: amplitude == .threshold,
            resetGradientDetached: resetGradient == .detached, initialIsHalfThreshold: initialMembrane == .halfThreshold,
            surrogate: EnumKernel(surrogate: surrogate))
    }

    /// ∂L/∂x of the fused recurrence when neither θ nor λ is trained
    /// (`MembraneRecurrence.inputGradient`), with the surrogate specialised.
    static func backwardInput(_ g: Tensor, spikes: Tensor, preResetMembranes: Tensor, timesteps: Int, neurons m: Int,
                              threshold theta: Float, leak: Float, reset: ResetMode, resetGradient: ResetGradient,
                              amplitude: SpikeAmplitude, surrogate: SurrogateGradient) -> Tensor {
        let recurrence = MembraneRecurrence(threshold: theta, leak: leak, reset: reset.membraneReset)
        let trace = MembraneTrace(spikes: spikes, preResetMembranes: preResetMembranes, finalMembrane: Tensor(shape: [0]))
        let (carries, detached) = (amplitude == .threshold, resetGradient == .detached)
        switch surrogate {
        case .atan(let alpha):
            return recurrence.inputGradient(g, trace: trace, timesteps: timesteps, neurons: m, spikeCarriesThreshold: carries,
                                            resetGradientDetached: detached, surrogate: ATanKernel(alpha: alpha))
        case .triangle(let gamma):
            return recurrence.inputGradient(g, trace: trace, timesteps: timesteps, neurons: m, spikeCarriesThreshold: carries,
                                            resetGradientDetached: detached, surrogate: TriangleKernel(gamma: gamma))
        default:
            return recurrence.inputGradient(g, trace: trace, timesteps: timesteps, neurons: m, spikeCarriesThreshold: carries,
                                            resetGradientDetached: detached, surrogate: EnumKernel(surrogate: surrogate))
        }
    }
}
