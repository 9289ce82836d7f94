import SpikingNeurons
import Testing
import _TestSupport
import TensorCore
import NeuralNetworks
import Autodiff

// The fused BPTT backward of SpikingNeuron against a step-by-step reference built from
// Autodiff ops, whose gradients come from the generic reverse-mode engine:
//
//     h[t] = λ·u[t−1] + x[t]
//     s[t] = spike(h[t], θ)        forward H(h − θ); backward ∂s/∂h = f(h/θ − 1)/θ,
//                                  ∂s/∂θ = −f(h/θ − 1)·h/θ²   (SurrogateGradient's convention)
//     u[t] = h[t] − θ·s̃[t]   or   h[t]·(1 − s̃[t])        s̃ = s (full) or s.detached
//     o[t] = s[t]  or  θ·s[t]
//
// `ResetGradient.detached` is SpikingJelly's detach_reset: the spike inside the reset term is
// a constant (no ∂u/∂s path), while everything else the reset depends on (h for reset to
// zero, θ for subtraction) stays differentiable.

struct BPTTCase: CustomStringConvertible {
    var leaky: Bool
    var reset: ResetMode
    var resetGradient: ResetGradient
    var initialMembrane: InitialMembrane
    var amplitude: SpikeAmplitude
    var timesteps: Int
    var surrogate: SurrogateGradient

    var description: String {
        "\(leaky ? "LIF" : "IF") reset \(reset)/\(resetGradient) u₀ \(initialMembrane) "
            + "out \(amplitude) T = \(timesteps) \(surrogate)"
    }

    /// Every combination; the surrogate cycles so that each one is exercised in all modes.
    static let all: [BPTTCase] = {
        let surrogates: [SurrogateGradient] = [
            .triangle(gamma: 0.3), .atan(alpha: 2), .sigmoid(slope: 4),
            .exponential(alpha: 0.3, beta: 2), .straightThrough(height: 0.5, lower: -0.5, upper: 0.5),
        ]
        var cases: [BPTTCase] = []
        for leaky in [false, true] {
            for reset in [ResetMode.subtraction, .zero] {
                for resetGradient in [ResetGradient.full, .detached] {
                    for initial in [InitialMembrane.zero, .halfThreshold] {
                        for amplitude in [SpikeAmplitude.unit, .threshold] {
                            for timesteps in [1, 4] {
                                cases.append(BPTTCase(
                                    leaky: leaky, reset: reset, resetGradient: resetGradient,
                                    initialMembrane: initial, amplitude: amplitude,
                                    timesteps: timesteps,
                                    surrogate: surrogates[cases.count % surrogates.count]))
                            }
                        }
                    }
                }
            }
        }
        return cases
    }()
}

/// The spike nonlinearity as a custom Autodiff op of (h `[M]`, θ `[1]`).
func referenceSpike(_ h: Variable, threshold theta: Variable,
                    surrogate: SurrogateGradient) -> Variable {
    let th = theta.value[flat: 0]
    let s = h.value.map { $0 >= th ? 1 : 0 }
    return Variable.custom(s, inputs: [h, theta]) { g in
        let f = h.value.map { surrogate.value(at: $0 / th - 1) }
        let dh = g * f / Tensor(shape: [1], scalars: [th])
        let dTheta = -((g * f * h.value).sum()) / (th * th)
        return [dh, Tensor(shape: [1], scalars: [dTheta])]
    }
}

/// The neuron unrolled over T steps with Autodiff ops. x `[T, M]`, θ and λ `[1]`.
func referenceNeuron(_ x: Variable, threshold theta: Variable, leak: Variable,
                     case c: BPTTCase) -> Variable {
    let (timesteps, m) = (x.shape[0], x.shape[1])
    let ones = Variable(Tensor(shape: [m], repeating: 1))
    var u = c.initialMembrane == .zero ? Variable(Tensor(shape: [m])) : ones * (theta * 0.5)
    var outputs: [Variable] = []
    for t in 0..<timesteps {
        let h = leak * u + x.slice(t..<t + 1).reshaped([m])
        let s = referenceSpike(h, threshold: theta, surrogate: c.surrogate)
        let sReset = c.resetGradient == .full ? s : s.detached
        switch c.reset {
        case .subtraction: u = h - theta * sReset
        case .zero: u = h * (ones - sReset)
        }
        let o = c.amplitude == .unit ? s : theta * s
        outputs.append(o.reshaped([1, m]))
    }
    return Variable.concatenate(outputs)
}

@Suite("SpikingNeuron BPTT")
struct NeuronBPTTTests {
    /// Fused gradients w.r.t. input, θ (trained) and λ (trained, LIF) equal the unrolled
    /// reference's within 1e-4 relative (max-norm relative for the input gradient).
    @Test(arguments: BPTTCase.all)
    func fusedBackwardMatchesUnrolledReference(c: BPTTCase) {
        let (n, features, theta, lambda): (Int, Int, Float, Float) = (3, 7, 0.8, c.leaky ? 0.85 : 1)
        let m = n * features
        var rng = SeededGenerator(seed: UInt64(c.timesteps * 131 + 17))
        // Currents spread over (−0.4θ, 1.6θ): spikes, silent steps and membranes on both
        // sides of θ, where every surrogate is non-zero somewhere.
        let xValue = Tensor.uniform(shape: [c.timesteps * n, features], low: -0.4 * theta,
                                    high: 1.6 * theta, using: &rng)

        let neuron = SpikingNeuron(
            threshold: theta,
            model: c.leaky ? .leakyIntegrateAndFire(leak: lambda, training: .trained) : .integrateAndFire,
            reset: c.reset, initialMembrane: c.initialMembrane, amplitude: c.amplitude,
            surrogate: c.surrogate, thresholdTraining: .trained, resetGradient: c.resetGradient)
        let x = Variable(leaf: xValue)
        var context = ForwardContext(phase: .training)
        context.timesteps = c.timesteps
        let fusedOutput = neuron.forward(x, context: &context)
        randomProjection(of: fusedOutput).backward()

        let xRef = Variable(leaf: xValue)
        let thetaRef = Variable(leaf: Tensor(shape: [1], scalars: [theta]))
        let leakRef = c.leaky ? Variable(leaf: Tensor(shape: [1], scalars: [lambda]))
                              : Variable(Tensor(shape: [1], scalars: [1]))
        let referenceOutput = referenceNeuron(xRef.reshaped([c.timesteps, m]), threshold: thetaRef,
                                              leak: leakRef, case: c)
            .reshaped(xValue.shape)
        randomProjection(of: referenceOutput).backward()

        #expect(fusedOutput.value == referenceOutput.value, "forward differs: \(c)")
        #expect(fusedOutput.value.scalars.contains { $0 != 0 }, "no spikes: \(c)")

        let dx = relativeDiscrepancy(x.grad!, xRef.grad!)
        let dTheta = relativeDiscrepancy(neuron.threshold.grad![flat: 0], thetaRef.grad![flat: 0])
        #expect(dx <= 1e-4, "∂L/∂x: \(c)")
        #expect(dTheta <= 1e-4, "∂L/∂θ \(neuron.threshold.grad![flat: 0]) vs \(thetaRef.grad![flat: 0]): \(c)")
        #expect(xRef.grad!.scalars.contains { $0 != 0 })
        if c.leaky {
            let dLeak = relativeDiscrepancy(neuron.leak.grad![flat: 0], leakRef.grad![flat: 0])
            #expect(dLeak <= 1e-4, "∂L/∂λ \(neuron.leak.grad![flat: 0]) vs \(leakRef.grad![flat: 0]): \(c)")
            print("BPTT max relative discrepancy x \(dx) θ \(dTheta) λ \(dLeak): \(c)")
        } else {
            #expect(neuron.leak.grad == nil, "IF leak must not train")
            print("BPTT max relative discrepancy x \(dx) θ \(dTheta): \(c)")
        }
    }

    /// A finite-difference check that is meaningful despite the Heaviside step.
    ///
    /// The true loss L(θ, λ) = Σ r·o is piecewise constant in θ and λ except through the
    /// amplitude o = θ·s, so the surrogate terms of BPTT have no finite-difference
    /// counterpart; they are checked only against the Autodiff reference above. Here the
    /// surrogate is a narrow straight-through window (|h/θ − 1| < 1%) and the inputs keep
    /// every pre-reset membrane ≥ 5% away from θ, also under the ±δ perturbation (asserted:
    /// no spike flips). Then f = 0 on every visited membrane, the BPTT gradient must equal the
    /// exact derivative of L, ∂L/∂θ = Σ r·s and ∂L/∂λ = 0, and central differences measure it.
    @Test(arguments: [ResetMode.subtraction, .zero], [InitialMembrane.zero, .halfThreshold])
    func thresholdAndLeakGradientsMatchFiniteDifferencesAwayFromCrossings(
        reset: ResetMode, initialMembrane: InitialMembrane
    ) {
        let (timesteps, m, theta, lambda, delta): (Int, Int, Float, Float, Float) = (6, 24, 1, 0.9, 1e-3)
        let surrogate = SurrogateGradient.straightThrough(height: 1, lower: -0.01, upper: 0.01)
        var rng = SeededGenerator(seed: 41)
        let projectionSeed: UInt64 = 99

        func makeNeuron(theta: Float, lambda: Float) -> SpikingNeuron {
            SpikingNeuron(threshold: theta, model: .leakyIntegrateAndFire(leak: lambda, training: .trained),
                          reset: reset, initialMembrane: initialMembrane, amplitude: .threshold,
                          surrogate: surrogate, thresholdTraining: .trained)
        }
        /// Smallest |h/θ − 1| of one neuron driven by `currents` (scalar replay of the equation).
        func margin(_ currents: [Float], theta: Float, lambda: Float) -> Float {
            var u: Float = initialMembrane == .zero ? 0 : theta / 2
            var margin = Float.infinity
            for x in currents {
                let h = lambda * u + x
                margin = Swift.min(margin, Swift.abs(h / theta - 1))
                let s: Float = h >= theta ? 1 : 0
                u = reset == .subtraction ? h - theta * s : h * (1 - s)
            }
            return margin
        }
        /// Loss, spike pattern and the smallest margin over all neurons.
        func evaluate(_ x: Tensor, theta: Float, lambda: Float) -> (loss: Double, spikes: [Float], margin: Float) {
            let o = runNeuron(makeNeuron(theta: theta, lambda: lambda), x, timesteps: timesteps).output
            let columns = (0..<m).map { i in (0..<timesteps).map { x[flat: $0 * m + i] } }
            let smallest = columns.map { margin($0, theta: theta, lambda: lambda) }.min()!
            let loss = Double(randomProjection(of: Variable(o), seed: projectionSeed).value.scalar)
            return (loss, o.scalars.map { $0 == 0 ? 0 : 1 }, smallest)
        }

        // Each neuron's currents are redrawn until its membrane stays ≥ 5% away from θ.
        var columns: [[Float]] = []
        for _ in 0..<m {
            var currents: [Float]
            repeat {
                currents = (0..<timesteps).map { _ in -0.3 + 1.6 * rng.nextUniform() }
            } while margin(currents, theta: theta, lambda: lambda) <= 0.05
            columns.append(currents)
        }
        let x = Tensor(shape: [timesteps, m],
                       scalars: (0..<timesteps).flatMap { t in columns.map { $0[t] } })
        let nominal = evaluate(x, theta: theta, lambda: lambda)
        #expect(nominal.margin > 0.05)
        #expect(nominal.spikes.contains(1) && nominal.spikes.contains(0))

        let neuron = makeNeuron(theta: theta, lambda: lambda)
        var context = ForwardContext(phase: .training)
        context.timesteps = timesteps
        randomProjection(of: neuron.forward(Variable(leaf: x), context: &context), seed: projectionSeed).backward()
        let analyticTheta = Double(neuron.threshold.grad![flat: 0])
        let analyticLeak = Double(neuron.leak.grad![flat: 0])

        let plusTheta = evaluate(x, theta: theta + delta, lambda: lambda)
        let minusTheta = evaluate(x, theta: theta - delta, lambda: lambda)
        let plusLeak = evaluate(x, theta: theta, lambda: lambda + delta)
        let minusLeak = evaluate(x, theta: theta, lambda: lambda - delta)
        for perturbed in [plusTheta, minusTheta, plusLeak, minusLeak] {
            #expect(perturbed.spikes == nominal.spikes, "a spike flipped under the perturbation")
            #expect(perturbed.margin > 0.01, "a membrane entered the surrogate window")
        }
        let numericTheta = (plusTheta.loss - minusTheta.loss) / Double(2 * delta)
        let numericLeak = (plusLeak.loss - minusLeak.loss) / Double(2 * delta)
        #expect(Swift.abs(analyticTheta - numericTheta) <= 1e-2 * Swift.max(1, Swift.abs(numericTheta)),
                "∂L/∂θ analytic \(analyticTheta) vs numeric \(numericTheta)")
        #expect(Swift.abs(analyticLeak - numericLeak) <= 1e-2, "∂L/∂λ analytic \(analyticLeak) vs numeric \(numericLeak)")
        #expect(analyticLeak == 0)
    }
}
