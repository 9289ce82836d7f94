import Autodiff
import NeuralNetworks
import TensorCore

/// The non-spiking layers of a simulation chunk, inference only: what `Sequential.simulate`
/// runs between the spiking layers, with the shortcuts inference allows and the same outputs.
extension Sequential {
    /// Layer `index` (not a spiking layer) on one chunk. A convolution adds its bias in its own
    /// kernel (no second pass over the chunk); a linear layer whose input is mostly zeros
    /// (spikes) adds the weight columns of its non-zero inputs (`Tensor.sparseLinearIfSparse`);
    /// every other layer runs its forward pass.
    func inferenceForward(_ index: Int, _ x: Tensor, context: inout ForwardContext) -> Tensor {
        if let linear = layers[index] as? Linear, x.rank == 2,
           let y = Tensor.sparseLinearIfSparse(x, weight: linear.weight.value, bias: linear.bias?.value) {
            return y
        }
        guard let conv = layers[index] as? Conv2D else { return layers[index].forward(Variable(x), context: &context).value }
        return Tensor.convolution(x, conv.weight.value, stride: conv.stride, padding: conv.padding,
                                  bias: conv.bias?.value.scalars)
    }

    /// Layers `index` and `index + 1` as one spike-driven convolution when they are an average
    /// pool (window = stride) and a stride-1 convolution and x is spikes
    /// (`Tensor.pooledSpikeConvolution`: the pooled map is not binary, the un-pooled one is);
    /// nil otherwise. Agrees with the two layers to rounding.
    func pooledSpikeConvolution(at index: Int, _ x: Tensor) -> Tensor? {
        guard index + 1 < layers.count, let pool = layers[index] as? AveragePool, pool.size == pool.stride,
              let conv = layers[index + 1] as? Conv2D, conv.stride == 1, x.rank == 4 else { return nil }
        let pooledShape = [x.shape[0], x.shape[1], x.shape[2] / pool.size, x.shape[3] / pool.size]
        let layout = Tensor.convolutionOutputLayout(for: ConvolutionGeometry(
            input: pooledShape, weight: conv.weight.value.shape, stride: 1, padding: conv.padding))
        return Tensor.pooledSpikeConvolution(x, pool: pool.size, conv.weight.value, padding: conv.padding,
                                             layout: layout, bias: conv.bias?.value.scalars)
    }
}
