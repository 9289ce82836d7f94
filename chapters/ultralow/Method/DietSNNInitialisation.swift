import NeuralNetworks
import TensorCore

/// The authors' initialisation for a DNN trained from scratch (NOTES.md §3, Diet-SNN's
/// `_initialize_weights2`): conv weights N(0, 2/(k²·C_out)) ("fan-out" Kaiming), linear
/// weights N(0, 0.01²), biases 0. The small linear weights start the bias-free, BatchNorm-free
/// network with logits near 0 (loss ≈ ln 10); with the core's fan-in Kaiming on the linear
/// layers the quick DNN started at loss ≈ 3 and, for some seeds, stayed near chance for an
/// epoch or more (49–84 % test accuracy across seeds at the same budget).
public func applyDietSNNInitialisation(_ network: Sequential, using rng: inout SeededGenerator) {
    for layer in network.layers {
        if let conv = layer as? Conv2D {
            let shape = conv.weight.value.shape          // [K, C, R, S]
            let fanOut = shape[0] * shape[2] * shape[3]
            conv.weight.value = Tensor.normal(shape: shape, std: (2 / Float(fanOut)).squareRoot(), using: &rng)
            conv.bias?.value = Tensor(shape: [shape[0]])
        } else if let linear = layer as? Linear {
            linear.weight.value = Tensor.normal(shape: linear.weight.value.shape, std: 0.01, using: &rng)
            linear.bias?.value = Tensor(shape: linear.weight.value.shape[0...0].map { $0 })
        }
    }
}
