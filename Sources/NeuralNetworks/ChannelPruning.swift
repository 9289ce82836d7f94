// Structured sparsity: whole output channels of the convolutions are pruned, so the network
// can later be made physically smaller (`shrinkChannels`) instead of merely holding zeros.

import TensorCore

/// Per convolution (in layer order), per output channel: true = kept.
public typealias ChannelMasks = [[Bool]]

/// Keeps, in every convolution l, the ⌈f·C_l⌉ channels of largest score (at least `minimum`,
/// at most C_l). `scores[l][c]` is any per-channel saliency: mean activation energy,
/// filter norm, an attention score.
public func channelMasks(scores: [[Double]], keptFraction: Double, minimum: Int = 1) -> ChannelMasks {
    precondition(keptFraction > 0 && keptFraction <= 1, "kept fraction must be in (0, 1], got \(keptFraction)")
    return scores.map { score in
        let c = score.count
        let keep = Swift.min(c, Swift.max(minimum, Int((keptFraction * Double(c)).rounded(.up))))
        let top = Set(score.indices.sorted { score[$0] > score[$1] }.prefix(keep))
        return (0..<c).map { top.contains($0) }
    }
}

/// Sets weight masks that realise `channels` on `network` and zeroes the masked weights: a
/// dropped output channel zeroes its filter (a row of its conv weight) and every weight of the
/// next layer that reads it (a conv input channel, or the H·W block of flattened features of
/// the first linear layer). `inputShape` is one image, `[C, H, W]`.
public func applyChannelMasks(_ channels: ChannelMasks, to network: Sequential, inputShape: [Int]) {
    let plan = _ShrinkPlan(network: network, channels: channels, inputShape: inputShape)
    for keep in plan.weightKeeps {
        let p = weightParameters(of: network)[keep.weightIndex]
        let shape = p.value.shape
        let inner = p.value.count / (shape[0] * shape[1])  // k² for conv, 1 for linear
        var mask = [Float](repeating: 0, count: p.value.count)
        for r in keep.rows { for c in keep.columns { for e in 0..<inner {
            mask[(r * shape[1] + c) * inner + e] = 1
        } } }
        p.mask = Tensor(shape: shape, scalars: mask)
        p.applyMask()
    }
}

/// Which rows (outputs) and columns (inputs) of each weight layer survive a channel pruning.
/// Supports the bias-free VGG layout: Conv2D, ReLU-like layers, pooling, Flatten, Linear.
struct _ShrinkPlan {
    /// `weightIndex` counts conv/linear layers (the order of `weightParameters(of:)`).
    var weightKeeps: [(layerIndex: Int, weightIndex: Int, rows: [Int], columns: [Int])] = []

    init(network: Sequential, channels: ChannelMasks, inputShape: [Int]) {
        precondition(inputShape.count == 3, "inputShape is one image [C, H, W], got \(inputShape)")
        precondition(!network.layers.contains { $0 is BatchNorm },
                     "channel pruning expects a network without BatchNorm (fold it first)")
        let convCount = network.layers.filter { $0 is Conv2D }.count
        precondition(channels.count == convCount, "\(channels.count) channel masks for \(convCount) convolutions")
        var shape = inputShape
        var kept = Array(0..<inputShape[0])  // live channels (conv) or features (after Flatten)
        var convIndex = 0, weightIndex = 0
        for (layerIndex, layer) in network.layers.enumerated() {
            switch layer {
            case let conv as Conv2D:
                precondition(channels[convIndex].count == conv.outChannels,
                             "conv \(convIndex): \(channels[convIndex].count) flags for \(conv.outChannels) channels")
                let rows = channels[convIndex].indices.filter { channels[convIndex][$0] }
                weightKeeps.append((layerIndex, weightIndex, rows, kept))
                convIndex += 1; weightIndex += 1
                kept = rows
                func out(_ size: Int) -> Int { (size + 2 * conv.padding - conv.kernelSize) / conv.stride + 1 }
                shape = [conv.outChannels, out(shape[1]), out(shape[2])]
            case let pool as AveragePool:
                shape = [shape[0], (shape[1] - pool.size) / pool.stride + 1, (shape[2] - pool.size) / pool.stride + 1]
            case let pool as MaxPool:
                shape = [shape[0], (shape[1] - pool.size) / pool.stride + 1, (shape[2] - pool.size) / pool.stride + 1]
            case is Flatten:
                let hw = shape.count == 3 ? shape[1] * shape[2] : 1
                kept = kept.flatMap { c in (c * hw)..<((c + 1) * hw) }
                shape = [shape.reduce(1, *)]
            case let linear as Linear:
                let all = Array(0..<linear.outFeatures)
                weightKeeps.append((layerIndex, weightIndex, all, kept))
                weightIndex += 1
                kept = all
                shape = [linear.outFeatures]
            default: break
            }
        }
    }
}
