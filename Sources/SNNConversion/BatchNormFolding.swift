import SpikingNeurons
import TensorCore
import NeuralNetworks

/// Folds every inference-mode BatchNorm into the Conv2D or Linear layer just before it
/// (docs/conversion-notes.md §0.4; Rueckauer et al. 2017, SNN toolbox, QCFS and SpikingJelly all do this).
///
/// Per output channel c, with γ, β the BN scale and shift, μ, σ² its running statistics:
///
///     w'[c] = w[c] · γ[c] / √(σ²[c] + ε)
///     b'[c] = (b[c] − μ[c]) · γ[c] / √(σ²[c] + ε) + β[c]        (b = 0 when the layer had no bias)
///
/// so conv'(x) = BN(conv(x)) exactly (up to float rounding, ~1e-6 relative) at inference.
/// Threshold statistics must be measured on the folded network: folding changes nothing at
/// inference, but the SNN has no BN layer to apply at every step.
///
/// - Returns: a new `Sequential` with new layers built from value snapshots; `network` is left
///   untouched. A BatchNorm not directly preceded by Conv2D/Linear is kept (copied) as an
///   eval-mode affine layer, which is also valid in an SNN (applied to every step's current).
/// - Throws: `ConversionError.unsupportedLayer` for a layer type it cannot copy.
/// - Complexity: O(parameters).
public func foldBatchNorm(_ network: Sequential) throws -> Sequential {
    var result: [any Layer] = []
    var index = 0
    let layers = network.layers
    while index < layers.count {
        let layer = layers[index]
        if index + 1 < layers.count, let bn = layers[index + 1] as? BatchNorm,
           layer is Conv2D || layer is Linear {
            result.append(_folded(layer, into: bn))
            index += 2
            continue
        }
        guard let copy = _copy(layer) else {
            throw ConversionError.unsupportedLayer(index: index, summary: layer.summary)
        }
        result.append(copy)
        index += 1
    }
    return Sequential(result)
}

/// One weight layer with the BN that follows it folded in (see `foldBatchNorm`;
/// `BatchNorm.foldedWeights` and `foldedBias` hold the arithmetic).
func _folded(_ layer: any Layer, into bn: BatchNorm) -> any Layer {
    switch layer {
    case let conv as Conv2D:
        return Conv2D(weight: bn.foldedWeights(conv.weight.value), bias: bn.foldedBias(conv.bias?.value),
                      stride: conv.stride, padding: conv.padding)
    case let linear as Linear:
        return Linear(weight: bn.foldedWeights(linear.weight.value), bias: bn.foldedBias(linear.bias?.value))
    default:
        preconditionFailure("only Conv2D and Linear fold a BatchNorm")
    }
}
