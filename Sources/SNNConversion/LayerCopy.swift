import SpikingNeurons
import NeuralNetworks

// Independent copies of layers, built from snapshots of their parameter values.
//
// Layers are reference types (optimisers update them in place), so a transformation that
// must leave its input network untouched never shares a layer instance with it: every
// layer of the result is a new object holding copies of the values (Tensor is copy-on-write,
// so a snapshot costs nothing until one side is written).

/// Why a network cannot be transformed.
public enum ConversionError: Error, Equatable, CustomStringConvertible {
    /// A layer type the transformation does not know how to copy or map.
    case unsupportedLayer(index: Int, summary: String)
    /// Max pooling over binary spikes computes an OR and over-estimates the rate (docs/conversion-notes.md §0.6);
    /// the classic conversion needs average pooling (or a gated spiking max-pool, not provided).
    case maxPoolingNotConvertible(index: Int)
    /// One threshold per ReLU layer is needed.
    case thresholdCountMismatch(expected: Int, got: Int)
    /// A balancing rule that is not implemented here.
    case notImplemented(String)
    /// A layer would get a threshold of 0 because it never fires on the calibration images;
    /// the string says which layer and what to do.
    case silentLayer(String)

    public var description: String {
        switch self {
        case .unsupportedLayer(let i, let s): "layer \(i) (\(s)) cannot be converted"
        case .maxPoolingNotConvertible(let i):
            "layer \(i) is MaxPool: max over spikes over-estimates the rate; train the ANN with AveragePool"
        case .thresholdCountMismatch(let e, let g): "expected \(e) thresholds (one per ReLU), got \(g)"
        case .notImplemented(let what): "\(what) is not implemented"
        case .silentLayer(let message): "invalid configuration: \(message)"
        }
    }
}

/// A new layer with the same behaviour as `layer` and no shared state, or nil for a type
/// this module does not know.
func _copy(_ layer: any Layer) -> (any Layer)? {
    switch layer {
    case let conv as Conv2D:
        return Conv2D(weight: conv.weight.value, bias: conv.bias?.value,
                      stride: conv.stride, padding: conv.padding)
    case let linear as Linear:
        return Linear(weight: linear.weight.value, bias: linear.bias?.value)
    case let bn as BatchNorm:
        return BatchNorm(scale: bn.scale.value, shift: bn.shift.value,
                         runningMean: bn.runningMean, runningVariance: bn.runningVariance,
                         momentum: bn.momentum, epsilon: bn.epsilon)
    case is ReLU: return ReLU()
    case is Flatten: return Flatten()
    case let pool as AveragePool: return AveragePool(pool.size, stride: pool.stride)
    case let pool as MaxPool: return MaxPool(pool.size, stride: pool.stride)
    case let dropout as Dropout: return Dropout(dropout.probability)
    case let neuron as any SpikingLayer:
        return neuron.copy()
    default: return nil
    }
}
