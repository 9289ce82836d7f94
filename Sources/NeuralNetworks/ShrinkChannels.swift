// Physically removing pruned channels: after channel pruning a masked network still computes
// (and stores) every zero; the shrunk network has smaller tensors and computes the same function.

import Autodiff
import TensorCore

/// A new, smaller network with the channels dropped by `channels` removed from conv outputs,
/// from the next layer's inputs and from the first linear layer's flattened inputs (bias
/// entries follow their rows). `network` is left untouched; for a network whose pruned
/// weights are zero (`applyChannelMasks`) the result computes the same function.
/// `inputShape` is one image, `[C, H, W]`.
public func shrinkChannels(_ network: Sequential, channels: ChannelMasks, inputShape: [Int]) -> Sequential {
    let plan = _ShrinkPlan(network: network, channels: channels, inputShape: inputShape)
    var keeps: [Int: (rows: [Int], columns: [Int])] = [:]
    for keep in plan.weightKeeps { keeps[keep.layerIndex] = (keep.rows, keep.columns) }
    func keptBias(_ bias: Parameter?, _ rows: [Int]) -> Tensor? {
        bias.map { b in Tensor(shape: [rows.count], scalars: rows.map { b.value[flat: $0] }) }
    }
    let layers: [any Layer] = network.layers.enumerated().map { index, layer in
        guard let (rows, columns) = keeps[index] else { return layer }
        if let conv = layer as? Conv2D {
            let w = conv.weight.value, k2 = conv.kernelSize * conv.kernelSize, cin = conv.inChannels
            var out: [Float] = []
            out.reserveCapacity(rows.count * columns.count * k2)
            w.withUnsafeBufferPointer { p in
                for r in rows { for c in columns { out += p[((r * cin + c) * k2)..<((r * cin + c + 1) * k2)] } }
            }
            return Conv2D(weight: Tensor(shape: [rows.count, columns.count, conv.kernelSize, conv.kernelSize],
                                         scalars: out),
                          bias: keptBias(conv.bias, rows), stride: conv.stride, padding: conv.padding)
        }
        let linear = layer as! Linear
        let w = linear.weight.value, fin = linear.inFeatures
        var out: [Float] = []
        out.reserveCapacity(rows.count * columns.count)
        for r in rows { for c in columns { out.append(w[flat: r * fin + c]) } }
        return Linear(weight: Tensor(shape: [rows.count, columns.count], scalars: out),
                      bias: keptBias(linear.bias, rows))
    }
    return Sequential(layers)
}
