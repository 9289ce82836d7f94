// Structured (channel) compression [proposed, digest §2.4] and physical shrinking.
//
// Why not channel-level sparse momentum: with bias-free convs and ReLU, a pruned filter
// outputs exactly 0, ReLU′(0) = 0, so the gradient (hence momentum) of every pruned filter —
// and of the next layer's weights reading it — is exactly 0: momentum-based regrowth has
// nothing to read. We therefore rank channels once by the meta-model's per-channel
// attention score s_c = mean_{n,h,w} A_c(h,w)² (the digest's "alternative reading") and
// train the student under those fixed channel masks with the AT loss.

import NeuralNetworks

/// Per output channel of every conv: 1 = kept. Same order as the network's `Conv2D` layers.
public typealias ChannelMasks = [[Bool]]

/// Keeps, in every conv layer, the ⌈f·C⌉ (≥ `minimum`) channels of largest meta-model
/// score s_c = mean_{n,h,w} (ReLU output)_c² on `images`.
public func channelMasksByAttention(of teacher: Sequential, images: Tensor, keptFraction: Double,
                                    minimum: Int = 4) -> ChannelMasks {
    var context = ForwardContext.inference
    let outputs = teacher.forwardCollecting(Variable(images), context: &context)
    var masks: ChannelMasks = []
    for (i, layer) in teacher.layers.enumerated() {
        guard layer is Conv2D else { continue }
        // The activation after the conv (next ReLU).
        let j = teacher.layers[i...].firstIndex { $0 is ReLU } ?? i
        let a = outputs[j].value
        let (n, c, hw) = (a.shape[0], a.shape[1], a.shape[2] * a.shape[3])
        var score = [Double](repeating: 0, count: c)
        a.withUnsafeBufferPointer { p in
            for s in 0..<n { for k in 0..<c { for q in 0..<hw {
                let v = Double(p[(s * c + k) * hw + q]); score[k] += v * v } } }
        }
        let keep = Swift.min(c, Swift.max(minimum, Int((keptFraction * Double(c)).rounded(.up))))
        let top = Set(score.indices.sorted { score[$0] > score[$1] }.prefix(keep))
        masks.append((0..<c).map { top.contains($0) })
    }
    return masks
}

/// Sets weight masks realising `channels`: a dropped output channel zeroes its filter and the
/// next weight layer's inputs from it (conv input channel or the Flatten block of H·W features).
public func applyChannelMasks(_ channels: ChannelMasks, to network: Sequential, inputShape: [Int]) {
    let plan = _ShrinkPlan(network: network, channels: channels, inputShape: inputShape)
    for (layerIndex, rows, cols) in plan.weightKeeps {
        let p = (network.layers[layerIndex] as? Conv2D)?.weight ?? (network.layers[layerIndex] as! Linear).weight
        let shape = p.value.shape
        let inner = p.value.count / (shape[0] * shape[1])   // k² for conv, 1 for linear
        var mask = [Float](repeating: 0, count: p.value.count)
        for r in rows { for c in cols { for e in 0..<inner { mask[(r * shape[1] + c) * inner + e] = 1 } } }
        p.mask = Tensor(shape: shape, scalars: mask)
        p.applyMask()
    }
}

/// A new, physically smaller network: dropped channels are removed from conv outputs, next-layer
/// inputs and the first linear layer's flattened inputs. Same function as the masked network.
public func shrinkChannels(_ network: Sequential, channels: ChannelMasks, inputShape: [Int]) -> Sequential {
    let plan = _ShrinkPlan(network: network, channels: channels, inputShape: inputShape)
    var keeps: [Int: ([Int], [Int])] = [:]
    for (i, r, c) in plan.weightKeeps { keeps[i] = (r, c) }
    let layers: [any Layer] = network.layers.enumerated().map { i, layer in
        guard let (rows, cols) = keeps[i] else { return layer }
        if let conv = layer as? Conv2D {
            let w = conv.weight.value, k2 = conv.kernelSize * conv.kernelSize, cin = conv.inChannels
            var out: [Float] = []
            w.withUnsafeBufferPointer { p in
                for r in rows { for c in cols { out += p[((r * cin + c) * k2)..<((r * cin + c + 1) * k2)] } }
            }
            return Conv2D(weight: Tensor(shape: [rows.count, cols.count, conv.kernelSize, conv.kernelSize], scalars: out),
                          bias: conv.bias.map { b in Tensor(shape: [rows.count], scalars: rows.map { b.value[flat: $0] }) },
                          stride: conv.stride, padding: conv.padding)
        }
        let linear = layer as! Linear
        let w = linear.weight.value, fin = linear.inFeatures
        var out: [Float] = []
        for r in rows { for c in cols { out.append(w[flat: r * fin + c]) } }
        return Linear(weight: Tensor(shape: [rows.count, cols.count], scalars: out),
                      bias: linear.bias.map { b in Tensor(shape: [rows.count], scalars: rows.map { b.value[flat: $0] }) })
    }
    return Sequential(layers)
}

/// Which rows (outputs) and columns (inputs) of each weight layer survive.
struct _ShrinkPlan {
    var weightKeeps: [(layer: Int, rows: [Int], cols: [Int])] = []

    init(network: Sequential, channels: ChannelMasks, inputShape: [Int]) {
        var shape = inputShape
        var kept = Array(0..<inputShape[0])   // live channels (conv) or features (flat)
        var convIndex = 0
        for layer in network.layers {
            switch layer {
            case let conv as Conv2D:
                let rows = channels[convIndex].indices.filter { channels[convIndex][$0] }
                convIndex += 1
                weightKeeps.append((network.layers.firstIndex { $0 === conv }!, rows, kept))
                kept = rows
                shape = [conv.outChannels, shape[1] + 2 * conv.padding - conv.kernelSize + 1,
                         shape[2] + 2 * conv.padding - conv.kernelSize + 1]
            case let pool as AveragePool:
                shape = [shape[0], shape[1] / pool.size, shape[2] / pool.size]
            case let pool as MaxPool:
                shape = [shape[0], shape[1] / pool.size, shape[2] / pool.size]
            case is Flatten:
                let hw = shape.count == 3 ? shape[1] * shape[2] : 1
                kept = kept.flatMap { c in (c * hw)..<((c + 1) * hw) }
                shape = [shape.reduce(1, *)]
            case let linear as Linear:
                let all = Array(0..<linear.outFeatures)
                weightKeeps.append((network.layers.firstIndex { $0 === linear }!, all, kept))
                kept = all
                shape = [linear.outFeatures]
            default: break
            }
        }
    }
}
