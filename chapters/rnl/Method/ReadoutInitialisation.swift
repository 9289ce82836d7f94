// Data-dependent scale of the read-out layer's initial weights (LSUV-style; D. Mishkin and
// J. Matas, "All you need is a good init", ICLR 2016), a quick-profile aid, not part of RNL.
//
// Why RNL needs it at a short schedule: an RNL divides by the running maximum θ of its layer,
// so its outputs a = clip(z/θ, 0, 1) are mostly far below 1 (a batch maximum is an outlier),
// and the read-out Linear sees inputs several times smaller than a ReLU network's. With
// Kaiming initial weights its logits start near 0, and Adam moves each weight by about one
// learning rate per step, so a few hundred steps cannot grow them: the RNL network underfits
// (train loss stays high) while the same backbone with ReLU does not. The authors train for
// 200 SGD epochs, which outgrows this. Scaling the read-out's initial weights so that its
// logits start with unit standard deviation removes the handicap and changes nothing else
// (the scale is an initial value; the read-out stays a plain trainable Linear).

import SNNConversion
import TensorCore
import NeuralNetworks
import Autodiff

/// The read-out layer's initial weights: Kaiming (the paper) or rescaled to unit logit spread
/// (`scaleReadoutToUnitLogits`, the quick profiles). `trainClassifier(readout:)` applies it.
public enum ReadoutInitialisation: String, Codable, Equatable, Sendable {
    case kaiming
    case unitLogits
}

/// Multiplies the initial weights of `network`'s last layer (a `Linear`) by 1/σ, σ the
/// standard deviation of the logits on `images` after `warmUpPasses` training-phase passes
/// (so running maxima and batch statistics are at their steady state). Every buffer is
/// restored afterwards: the read-out weights are the only change.
///
/// - Returns: the factor 1/σ applied (1 when σ is 0 or not finite).
@discardableResult
public func scaleReadoutToUnitLogits(_ network: Sequential, on images: Tensor,
                                     warmUpPasses: Int = 20) -> Float {
    guard let readout = network.layers.last as? Linear else {
        preconditionFailure("the last layer is \(network.layers.last?.summary ?? "missing"), not a Linear")
    }
    let saved = network.layers.map(\.buffers)
    var context = ForwardContext(phase: .training)
    var logits = Tensor(shape: [0])
    for _ in 0..<max(1, warmUpPasses) {
        logits = network.forward(Variable(images), context: &context).value   // [N, classes]
    }
    for (layer, buffers) in zip(network.layers, saved) where !buffers.isEmpty {
        layer.loadBuffers(buffers)
    }
    let mean = logits.mean()
    let variance = logits.map { ($0 - mean) * ($0 - mean) }.mean()
    let sigma = variance.squareRoot()
    guard sigma > 0, sigma.isFinite else { return 1 }
    readout.weight.value = readout.weight.value * (1 / sigma)
    return 1 / sigma
}
