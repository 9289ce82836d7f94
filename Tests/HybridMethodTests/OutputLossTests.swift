// Claims of chapters/hybrid/NOTES.md §8.5 about the output layer: a neuron firing at t scores T + 1 − t, a
// silent one U/v < 1, so every firing neuron outranks every silent one; and the loss's exact
// (non-surrogate) gradient paths agree with central finite differences.

import HybridMethod
import SNNConversion
import Testing
import _TestSupport
import TensorCore
import Autodiff

@Suite struct OutputLossTests {
    /// One image, K = 3, T = 5, v = 2: neuron 0 fires at t = 1, neuron 1 at t = 3, neuron 2
    /// integrates 0.2 per step and stays silent with U = 1.0.
    private func currents(v: Float) -> Tensor {
        var c = Tensor(shape: [5, 3])
        c[flat: 0 * 3 + 0] = 2 * v
        c[flat: 2 * 3 + 1] = 1.5 * v
        for t in 0..<5 { c[flat: t * 3 + 2] = 0.1 * v }
        return c
    }

    @Test func formOneLogitsAreSpikeTimeThenMembrane() {
        let v: Float = 2
        let out = readout(Variable(currents(v: v)), labels: [1], timesteps: 5, threshold: v,
                          loss: .spikeTimeAndMembrane(tieBreak: 0), surrogate: .v2(gamma: 0.3))
        let logits = out.scores.scalars
        #expect(logits[0] == 5)                       // T + 1 − 1
        #expect(logits[1] == 3)                       // T + 1 − 3
        #expect(abs(logits[2] - 0.5) < 1e-6)          // U/v = 1.0/2 < 1
        #expect(out.firstSpikeStep == [1, 3, 0])
        #expect(out.scores.argmaxRows() == [0])       // the first neuron to fire wins
        // With ε the tie-break adds ε(h(t_f)/v − 1): h = 2v → +ε.
        let tie = readout(Variable(currents(v: v)), labels: [1], timesteps: 5, threshold: v,
                          loss: .spikeTimeAndMembrane(tieBreak: 0.1), surrogate: .v2(gamma: 0.3))
        #expect(abs(tie.scores.scalars[0] - 5.1) < 1e-6)
        #expect(abs(tie.scores.scalars[1] - 3.05) < 1e-6)
    }

    @Test func spikeTimeLogitRanksAnyFiringNeuronAboveAnySilentOne() {
        for t in 1...5 {
            let fired = spikeTimeLogit(fireStep: Int32(t), reading: 1, timesteps: 5, threshold: 1, tieBreak: 0)
            let silent = spikeTimeLogit(fireStep: 0, reading: 0.999, timesteps: 5, threshold: 1, tieBreak: 0)
            #expect(fired == Float(6 - t) && fired > silent)
        }
    }

    /// Currents that keep every membrane far from θ under ±h: most neurons get |x| ≤ 0.15v
    /// per step (never reach v in 5 steps); every third gets a 3v kick at some step (fires
    /// there whatever the perturbation).
    private func safeCurrents(images n: Int, classes k: Int, v: Float) -> Tensor {
        var rng = SeededGenerator(seed: 11)
        var c = Tensor.uniform(shape: [5 * n, k], low: -0.15 * v, high: 0.15 * v, using: &rng)
        for i in stride(from: 0, to: n * k, by: 3) { c[flat: ((i / 3) % 5) * n * k + i] = 3 * v }
        return c
    }

    @Test(arguments: [OutputLoss.spikeTimeAndMembrane(tieBreak: 0.1),
                      .timeAndMembraneTerms(eta: 1, timeTemperature: 1), .accumulatedMembrane])
    func exactGradientPathsMatchFiniteDifferences(loss: OutputLoss) {
        // γ = 0 switches the surrogate path off; what remains is the true gradient.
        let v: Float = 1.5, labels = [0, 3, 2, 1]
        let report = checkGradient(of: { inputs in
            readout(inputs[0], labels: labels, timesteps: 5, threshold: v, loss: loss,
                    surrogate: .v2(gamma: 0)).loss
        }, at: [safeCurrents(images: 4, classes: 4, v: v)], step: 1e-2, absoluteFloor: 1e-2)
        #expect(report.maxRelativeError < 1e-2, "\(report)")
    }

    @Test func surrogatePathPushesTheLabelledSilentNeuronToFireEarly() {
        // All silent; the label's neuron gets a negative ∂L/∂x (raising x lowers the loss) at
        // every step, larger at earlier steps under V1.
        let v: Float = 1
        let x = Variable(leaf: Tensor(shape: [5, 3], repeating: 0.05))
        let out = readout(x, labels: [1], timesteps: 5, threshold: v, loss: .spikeTimeAndMembrane(tieBreak: 0.1),
                          surrogate: .v1(alpha: 0.3, beta: 0.3))
        out.loss.backward()
        let g = x.grad!.scalars
        let label = (0..<5).map { g[$0 * 3 + 1] }
        #expect(label.allSatisfy { $0 < 0 })
        #expect(zip(label, label.dropFirst()).allSatisfy { $0 < $1 })
    }
}
