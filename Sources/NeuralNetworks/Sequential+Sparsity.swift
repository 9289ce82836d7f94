// How sparse a network is: its prunable weights, their densities and the compression ratio.

import Autodiff

/// The conv and linear weights of `network`, in layer order: the tensors sparse training
/// masks (biases, BatchNorm parameters, thresholds and leaks are never pruned).
public func weightParameters(of network: Sequential) -> [Parameter] {
    network.layers.compactMap { layer in
        if let conv = layer as? Conv2D { return conv.weight }
        if let linear = layer as? Linear { return linear.weight }
        return nil
    }
}

/// Fraction of non-zero entries of every conv/linear weight, in layer order:
///
///     d_l = nnz(W_l) / numel(W_l)
public func layerDensities(of network: Sequential) -> [Double] {
    weightParameters(of: network).map { Double($0.nonZeroCount) / Double($0.value.count) }
}

/// Compression ratio over all conv + linear weights, or over the convolutions only:
///
///     CR = Σ_l numel(W_l) / Σ_l nnz(W_l)
public func compressionRatio(of network: Sequential, convolutionsOnly: Bool = false) -> Double {
    let weights = network.layers.compactMap { layer -> Parameter? in
        if let conv = layer as? Conv2D { return conv.weight }
        if !convolutionsOnly, let linear = layer as? Linear { return linear.weight }
        return nil
    }
    let total = weights.reduce(0) { $0 + $1.value.count }
    let nonZero = weights.reduce(0) { $0 + $1.nonZeroCount }
    return Double(total) / Double(Swift.max(nonZero, 1))
}
