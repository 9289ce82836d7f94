// The fine-tuning neuron of Datta & Beerel (DATE 2022, chapters/ultralow/NOTES.md §2.5–2.6) as the chapter builds
// it from SpikingNeuron: LIF with trainable leak λ and threshold V, reset by subtraction, spikes
// of amplitude V, rectangular surrogate ∂s/∂m = 1 on |m| < 1 (m = U/V − 1).

import SpikingNeurons
import Testing
import TensorCore
import NeuralNetworks
import Autodiff

private func paperNeuron(threshold: Float, leak: Float) -> SpikingNeuron {
    SpikingNeuron(threshold: threshold, model: .leakyIntegrateAndFire(leak: leak, training: .trained),
                  reset: .subtraction, initialMembrane: .zero, amplitude: .threshold,
                  surrogate: .straightThrough(height: 1, lower: -1, upper: 1), thresholdTraining: .trained)
}

/// L = Σ_t r_t·o_t of one neuron driven by x(1), x(2); returns (L, ∂L/∂V, ∂L/∂λ).
private func lossAndGradients(threshold: Float, leak: Float, x: [Float], r: [Float])
    -> (loss: Float, dThreshold: Float, dLeak: Float)
{
    let neuron = paperNeuron(threshold: threshold, leak: leak)
    var context = ForwardContext(phase: .training)
    context.timesteps = x.count
    let out = neuron.forward(Variable(leaf: Tensor(shape: [x.count, 1], scalars: x)), context: &context)
    let loss = (out * Variable(Tensor(shape: [x.count, 1], scalars: r))).sum()
    loss.backward()
    return (loss.value.scalar, neuron.threshold.grad?[flat: 0] ?? 0, neuron.leak.grad?[flat: 0] ?? 0)
}

@Suite("Paper neuron gradients")
struct PaperNeuronGradientTests {
    /// Two steps, one neuron, membranes kept outside the surrogate window (h ≤ 0 or h > 2V at
    /// both steps), so no spike can flip under a small perturbation and the surrogate adds
    /// nothing: the exact derivative exists and BPTT must equal the central finite difference.
    /// Here h₁ = 2.6 > 2V (spike), h₂ = λ(2.6 − V) + x₂ = −0.26 (silent):
    /// L = r₁·V, so ∂L/∂V = r₁ and ∂L/∂λ = 0.
    @Test func thresholdAndLeakMatchFiniteDifferencesWhereNoSpikeFlips() {
        let (v, lambda): (Float, Float) = (1.2, 0.9)
        let x: [Float] = [2.6, -1.52], r: [Float] = [0.7, -1.3]
        let g = lossAndGradients(threshold: v, leak: lambda, x: x, r: r)
        let eps: Float = 1e-3
        let fdV = (lossAndGradients(threshold: v + eps, leak: lambda, x: x, r: r).loss
            - lossAndGradients(threshold: v - eps, leak: lambda, x: x, r: r).loss) / (2 * eps)
        let fdLeak = (lossAndGradients(threshold: v, leak: lambda + eps, x: x, r: r).loss
            - lossAndGradients(threshold: v, leak: lambda - eps, x: x, r: r).loss) / (2 * eps)
        #expect(Swift.abs(g.dThreshold - fdV) <= 1e-3, "∂L/∂V \(g.dThreshold) vs FD \(fdV)")
        #expect(Swift.abs(g.dLeak - fdLeak) <= 1e-3, "∂L/∂λ \(g.dLeak) vs FD \(fdLeak)")
        #expect(Swift.abs(g.dThreshold - 0.7) <= 1e-5)
    }

    /// Inside the window the surrogate terms appear; BPTT must equal the hand derivation
    /// (V = 1, λ = 0.9, x = (1.3, 0.5), r = (0.7, −1.2); f = 1 on 0 < h ≤ 2V):
    ///
    ///     h₁ = 1.3 (s₁ = 1, f₁ = 1), u₁ = 0.3;  h₂ = λ·u₁ + x₂ = 0.77 (s₂ = 0, f₂ = 1)
    ///     ∂L/∂λ = r₂·f₂·u₁ = −0.36
    ///     ∂L/∂V = r₁s₁ + r₂s₂ − r₂f₂h₂/V − λr₂f₂s₁ − (V·r₁ − V·λ·r₂·f₂)·f₁·h₁/V² = 0.39
    @Test func gradientsInsideTheWindowMatchTheHandDerivation() {
        let g = lossAndGradients(threshold: 1, leak: 0.9, x: [1.3, 0.5], r: [0.7, -1.2])
        #expect(Swift.abs(g.dLeak - -0.36) <= 1e-5, "∂L/∂λ = \(g.dLeak)")
        #expect(Swift.abs(g.dThreshold - 0.39) <= 1e-5, "∂L/∂V = \(g.dThreshold)")
    }
}
