// Single-spike output neurons and the spike-time + membrane cross-entropy (NOTES.md §2.4).

import Foundation
import SpikingNeurons
import TensorCore
import Autodiff

/// How the output layer is read and trained. Every form is [proposed] (NOTES.md §2.4).
public enum OutputLoss: Sendable, Codable, Equatable, CustomStringConvertible {
    /// Form 1 (default): single-spike output IF neurons with threshold θ_out (`v` in the code)
    /// and one logit each; s_k[t] the spikes, n_k their count, h_k the membrane (frozen after
    /// the spike, never reset, so h_k[T] = h_k[t_k] for a neuron that fired at t_k):
    ///     logit_k = Σ_t (T + 1 − t)·s_k[t] + (1 − n_k)·h_k[T]/θ_out + ε·n_k·(h_k[t_k]/θ_out − 1)
    /// L = CE(logit, y); prediction = argmax logit (the first output neuron to fire; silent
    /// ones ranked by their membrane).
    case spikeTimeAndMembrane(tieBreak: Float)
    /// Form 2: t̂_k = Σ_t t·s_k[t] + (T + 1)(1 − n_k),
    ///     L = CE(−t̂/τ, y) + η·CE(h[T]/θ_out, y);  prediction as Form 1 (ε = 0).
    case timeAndMembraneTerms(eta: Float, timeTemperature: Float)
    /// Baseline (DIET/STDB): non-spiking output, L = CE(Σ_t x[t], y), with x the output layer's
    /// input current.
    case accumulatedMembrane

    public var description: String {
        switch self {
        case .spikeTimeAndMembrane(let e): "Form 1 spike-time + membrane CE (ε = \(e))"
        case .timeAndMembraneTerms(let eta, let tau): "Form 2 CE(−t̂/τ) + η·CE(U/v) (η = \(eta), τ = \(tau))"
        case .accumulatedMembrane: "accumulated-membrane CE"
        }
    }
}

/// The output layer's loss, the scores the prediction is read from, and its spike times.
public struct OutputReadout {
    public var loss: Variable
    /// `[N, K]`: argmax per row is the prediction.
    public var scores: Tensor
    /// 1-based first-spike step per output neuron `[N·K]` (0 = silent; all 0 for the baseline).
    public var firstSpikeStep: [Int32]
}

/// A differentiable read-out of single-spike output neurons driven by `currents` `[T·N, K]`.
///
/// Backward per neuron (λ = 1, reading step r = t_f if it fired, else T):
///     δh[t] = δh[t+1] + e·[t = r] + c(t)·f(t, h[t]/θ_out − 1)/θ_out   for t ≤ r,   δx[t] = δh[t]
/// with θ_out the output threshold (`v`), c(t) = Σ_j G_j ∂logit_j/∂s(t) (the surrogate path)
/// and e = Σ_j G_j ∂logit_j/∂h(r)
/// (the exact membrane path).
func outputNeuronLogits(
    _ currents: Variable, timesteps: Int, threshold v: Float, surrogate: STDBSurrogate,
    logits: (_ fire: Int32, _ reading: Float) -> Float,
    surrogateCoefficient: @escaping (_ t: Int, _ fire: Int32, _ reading: Float) -> Float,
    exactCoefficient: @escaping (_ fire: Int32) -> Float
) -> (logits: Variable, fireStep: [Int32]) {
    let (_, membranes, fire) = singleSpikeForward(currents.value, timesteps: timesteps, threshold: v, leak: 1)
    let m = fire.count
    let h = membranes.scalars
    // Reading membrane: h at the firing step (frozen) = h at T for every neuron.
    let reading = (0..<m).map { h[(timesteps - 1) * m + $0] }
    let values = (0..<m).map { logits(fire[$0], reading[$0]) }
    let n = m / currents.shape[1]
    let out = Variable.custom(Tensor(shape: [n, currents.shape[1]], scalars: values), inputs: [currents]) { g in
        var dx = [Float](repeating: 0, count: timesteps * m)
        let gs = g.scalars
        for i in 0..<m where gs[i] != 0 {
            let r = fire[i] == 0 ? timesteps : Int(fire[i])
            var carry: Float = 0
            for t in stride(from: r, through: 1, by: -1) {
                let k = (t - 1) * m + i
                var dh = carry + gs[i] * surrogateCoefficient(t, fire[i], reading[i])
                    * surrogate.value(step: t, z: h[k] / v - 1) / v
                if t == r { dh += gs[i] * exactCoefficient(fire[i]) }
                dx[k] = dh
                carry = dh
            }
        }
        return [Tensor(shape: currents.shape, scalars: dx)]
    }
    return (out, fire)
}

/// Form 1 logits (no graph), for tests and for prediction: fired at t → T + 1 − t + ε(h/θ_out − 1),
/// silent → h[T]/θ_out (θ_out is `v`).
public func spikeTimeLogit(fireStep: Int32, reading: Float, timesteps: Int, threshold v: Float,
                           tieBreak: Float) -> Float {
    fireStep == 0 ? reading / v : Float(timesteps + 1 - Int(fireStep)) + tieBreak * (reading / v - 1)
}

/// The loss and prediction scores of the output layer. `currents` `[T·N, K]` are the input
/// currents of the output neurons (the last `Linear` applied to every step).
public func readout(_ currents: Variable, labels: [Int], timesteps T: Int, threshold v: Float,
                    loss form: OutputLoss, surrogate: STDBSurrogate) -> OutputReadout {
    let k = currents.shape[1], n = currents.shape[0] / T
    switch form {
    case .accumulatedMembrane:
        // logit = Σ_t x(t)
        let x = currents.value.scalars
        var sum = [Float](repeating: 0, count: n * k)
        for t in 0..<T { for i in 0..<(n * k) { sum[i] += x[t * n * k + i] } }
        let logits = Variable.custom(Tensor(shape: [n, k], scalars: sum), inputs: [currents]) { g in
            let gs = g.scalars
            return [Tensor(shape: currents.shape, scalars: (0..<(T * n * k)).map { gs[$0 % (n * k)] })]
        }
        return OutputReadout(loss: .softmaxCrossEntropy(logits: logits, labels: labels), scores: logits.value,
                             firstSpikeStep: [Int32](repeating: 0, count: n * k))
    case .spikeTimeAndMembrane(let epsilon):
        let (logits, fire) = outputNeuronLogits(
            currents, timesteps: T, threshold: v, surrogate: surrogate,
            logits: { spikeTimeLogit(fireStep: $0, reading: $1, timesteps: T, threshold: v, tieBreak: epsilon) },
            surrogateCoefficient: { t, fire, u in
                Float(T + 1 - t) - u / v + (fire == 0 ? 0 : epsilon * (u / v - 1))
            },
            exactCoefficient: { fire in fire == 0 ? 1 / v : epsilon / v })
        return OutputReadout(loss: .softmaxCrossEntropy(logits: logits, labels: labels), scores: logits.value,
                             firstSpikeStep: fire)
    case .timeAndMembraneTerms(let eta, let tau):
        // −t̂/τ: ∂/∂s(t) = (T + 1 − t)/τ, no exact path.
        let (time, fire) = outputNeuronLogits(
            currents, timesteps: T, threshold: v, surrogate: surrogate,
            logits: { fire, _ in -Float(fire == 0 ? T + 1 : Int(fire)) / tau },
            surrogateCoefficient: { t, _, _ in Float(T + 1 - t) / tau },
            exactCoefficient: { _ in 0 })
        // h[T]/θ_out: exact path only.
        let (membrane, _) = outputNeuronLogits(
            currents, timesteps: T, threshold: v, surrogate: surrogate,
            logits: { _, u in u / v }, surrogateCoefficient: { _, _, _ in 0 },
            exactCoefficient: { _ in 1 / v })
        let loss = Variable.softmaxCrossEntropy(logits: time, labels: labels)
            + eta * Variable.softmaxCrossEntropy(logits: membrane, labels: labels)
        let u = membrane.value.scalars
        let scores = (0..<(n * k)).map {
            spikeTimeLogit(fireStep: fire[$0], reading: u[$0] * v, timesteps: T, threshold: v, tieBreak: 0)
        }
        return OutputReadout(loss: loss, scores: Tensor(shape: [n, k], scalars: scores), firstSpikeStep: fire)
    }
}
