// Structured (channel) compression guided by the meta-model's attention [proposed, NOTES.md §2.4].
// The masks, their application and the physical shrinking are NeuralNetworks' channel pruning
// (`channelMasks`, `applyChannelMasks`, `shrinkChannels`); the paper-specific part is the score.
//
// Why not channel-level sparse momentum: with bias-free convs and ReLU, a pruned filter
// outputs exactly 0, ReLU′(0) = 0, so the gradient (hence momentum) of every pruned filter —
// and of the next layer's weights reading it — is exactly 0: momentum-based regrowth has
// nothing to read. We therefore rank channels once by the meta-model's per-channel
// attention score s_c = mean_{n,h,w} A_c(h,w)² (NOTES.md's "alternative reading") and
// train the student under those fixed channel masks with the AT loss.

import NeuralNetworks
import TensorCore
import Autodiff

/// Per conv (layer order), per output channel: the meta-model's attention score on `images`,
///
///     s_c = Σ_{n,h,w} A_c(h, w)²,   A = the activation after the conv (its ReLU)
///
/// (a sum, not a mean: only the ranking within a layer matters).
public func channelAttentionScores(of teacher: Sequential, images: Tensor) -> [[Double]] {
    var context = ForwardContext.inference
    let outputs = withoutGradients { teacher.forwardCollecting(Variable(images), context: &context) }
    var scores: [[Double]] = []
    for (i, layer) in teacher.layers.enumerated() where layer is Conv2D {
        let j = teacher.layers[i...].firstIndex { $0 is ReLU } ?? i
        let a = outputs[j].value                       // [N, C, H, W]
        let (n, c, hw) = (a.shape[0], a.shape[1], a.shape[2] * a.shape[3])
        var score = [Double](repeating: 0, count: c)
        a.withUnsafeBufferPointer { p in
            for s in 0..<n { for k in 0..<c { for q in 0..<hw {
                let v = Double(p[(s * c + k) * hw + q]); score[k] += v * v } } }
        }
        scores.append(score)
    }
    return scores
}

/// Keeps, in every conv, the ⌈f·C⌉ (≥ `minimum`) channels of largest attention score.
public func channelMasksByAttention(of teacher: Sequential, images: Tensor, keptFraction: Double,
                                    minimum: Int = 4) -> ChannelMasks {
    channelMasks(scores: channelAttentionScores(of: teacher, images: images),
                 keptFraction: keptFraction, minimum: minimum)
}
