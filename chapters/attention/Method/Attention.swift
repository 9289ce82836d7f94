// Attention transfer (Zagoruyko & Komodakis 2017), the "attention-guided" part of
// Kundu et al. 2021 (NOTES.md §2.2).

import Foundation
import NeuralNetworks
import TensorCore
import Autodiff

/// Spatial attention maps of activations `[N, C, H, W]` → `[N, H·W]`, one unit-norm row per image:
///
///     F(A)(h, w) = (1/C) Σ_c A_c(h, w)²,     q = F / ‖F‖₂
///
/// Invariant to scaling A by any non-zero constant. Differentiable (hand-written backward):
///
///     ∂L/∂F = (g − q·(q·g)) / ‖F‖₂,     ∂L/∂A_c = ∂L/∂F · 2A_c / C
public func attentionMap(_ activations: Variable) -> Variable {
    let a = activations.value
    precondition(a.rank == 4, "attentionMap expects [N, C, H, W], got \(a.shape)")
    let (n, c, hw) = (a.shape[0], a.shape[1], a.shape[2] * a.shape[3])
    var q = Tensor(shape: [n, hw])
    var norms = [Float](repeating: 0, count: n)
    a.withUnsafeBufferPointer { pa in
        q.withUnsafeMutableBufferPointer { pq in
            for i in 0..<n {
                var ss: Double = 0
                for j in 0..<hw {
                    var s: Float = 0
                    for k in 0..<c { let v = pa[(i * c + k) * hw + j]; s += v * v }
                    pq[i * hw + j] = s / Float(c)
                    ss += Double(pq[i * hw + j] * pq[i * hw + j])
                }
                let norm = Float(ss.squareRoot()) + 1e-12
                norms[i] = norm
                for j in 0..<hw { pq[i * hw + j] /= norm }
            }
        }
    }
    let result = q
    return Variable.custom(result, inputs: [activations]) { g in
        var d = Tensor(shape: a.shape)
        g.withUnsafeBufferPointer { pg in
            result.withUnsafeBufferPointer { pq in
                a.withUnsafeBufferPointer { pa in
                    d.withUnsafeMutableBufferPointer { pd in
                        for i in 0..<n {
                            var dot: Float = 0
                            for j in 0..<hw { dot += pq[i * hw + j] * pg[i * hw + j] }
                            for j in 0..<hw {
                                let dF = (pg[i * hw + j] - pq[i * hw + j] * dot) / norms[i]
                                for k in 0..<c {
                                    let idx = (i * c + k) * hw + j
                                    pd[idx] = dF * 2 * pa[idx] / Float(c)
                                }
                            }
                        }
                    }
                }
            }
        }
        return [d]
    }
}

/// The attention-transfer loss between a student and a frozen teacher at matched points:
///
///     L_AT = Σ_j mean_{n, hw} (q_S^j − q_M^j)²
///
/// (the reference code's normalisation, calibrated for β_AT = 1000). The teacher maps are plain
/// tensors: no gradient ever reaches the teacher.
public func attentionTransferLoss(student: [Variable], teacherMaps: [Tensor]) -> Variable {
    precondition(student.count == teacherMaps.count, "one teacher map per attention point")
    var total: Variable? = nil
    for (s, t) in zip(student, teacherMaps) {
        let d = attentionMap(s) - Variable(t)
        let term = (d * d).mean()
        total = total.map { $0 + term } ?? term
    }
    return total ?? Variable(Tensor(0))
}

/// The indices of the attention points of a VGG `Sequential` [proposed, NOTES.md §2.2]: the
/// output of the last activation before every pooling layer (end of each conv stage).
public func attentionPoints(of network: Sequential) -> [Int] {
    var points: [Int] = []
    for (i, layer) in network.layers.enumerated() where layer is AveragePool || layer is MaxPool {
        if let j = network.layers[..<i].lastIndex(where: { $0 is ReLU }) { points.append(j) }
    }
    return points
}

/// Runs `network` and returns its logits and the activations at `points` (same graph).
public func forwardWithAttention(_ network: Sequential, _ x: Variable, points: [Int],
                                 context: inout ForwardContext) -> (logits: Variable, taps: [Variable]) {
    var h = x
    var taps: [Variable] = []
    for (i, layer) in network.layers.enumerated() {
        h = layer.forward(h, context: &context)
        if points.contains(i) { taps.append(h) }
    }
    return (h, taps)
}

/// The teacher's attention maps for one batch: one inference pass, no graph (NOTES.md §9).
public func teacherAttentionMaps(_ teacher: Sequential, images: Tensor, points: [Int]) -> [Tensor] {
    var context = ForwardContext.inference
    return withoutGradients {
        forwardWithAttention(teacher, Variable(images), points: points, context: &context).taps
            .map { attentionMap($0).value }
    }
}

/// One student step: L = CE(f_S(x), y) + β_AT·L_AT(S, M) (β_AT = 0: plain CE), then the optimiser
/// step (which re-applies the masks and keeps the momentum sparse momentum reads).
public func attentionGuidedStep(
    student: Sequential, teacherMaps: [Tensor]?, beta: Float, points: [Int],
    images: Tensor, labels: [Int], optimizer: inout some Optimizer,
    rng: inout SeededGenerator
) -> (loss: Float, attentionLoss: Float, correct: Int) {
    var context = ForwardContext(phase: .training, rng: rng.split())
    let (logits, taps) = forwardWithAttention(student, Variable(images), points: points, context: &context)
    var loss = Variable.softmaxCrossEntropy(logits: logits, labels: labels)
    var at: Float = 0
    if let teacherMaps, beta > 0 {
        let term = attentionTransferLoss(student: taps, teacherMaps: teacherMaps)
        at = term.value.scalar
        loss = loss + term * beta
    }
    loss.backward()
    optimizer.step(student.parameters)
    let correct = zip(logits.value.argmaxRows(), labels).filter { $0 == $1 }.count
    return (loss.value.scalar, at, correct)
}
