import Autodiff
import TensorCore

/// 2-D convolution layer: x `[N, C, H, W]` → `[N, K, P, Q]` (see `Variable.convolution`).
public final class Conv2D: Layer {
    public let weight: Parameter          // [K, C, R, S]
    public let bias: Parameter?           // [K]
    public let stride: Int
    public let padding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int = 3, stride: Int = 1,
                padding: Int = 1, bias: Bool = false, using rng: inout SeededGenerator) {
        let fanIn = inChannels * kernelSize * kernelSize
        weight = Parameter(kaimingNormal(shape: [outChannels, inChannels, kernelSize, kernelSize],
                                         fanIn: fanIn, using: &rng),
                           name: "conv.weight", role: .weight)
        self.bias = bias ? Parameter(Tensor(shape: [outChannels]), name: "conv.bias", role: .bias) : nil
        self.stride = stride
        self.padding = padding
    }

    /// A layer with the given weight (and bias) values.
    public init(weight: Tensor, bias: Tensor?, stride: Int, padding: Int) {
        self.weight = Parameter(weight, name: "conv.weight", role: .weight)
        self.bias = bias.map { Parameter($0, name: "conv.bias", role: .bias) }
        self.stride = stride
        self.padding = padding
    }

    public var inChannels: Int { weight.value.shape[1] }
    public var outChannels: Int { weight.value.shape[0] }
    public var kernelSize: Int { weight.value.shape[2] }

    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        let y = Variable.convolution(x, weight: weight.variable, stride: stride, padding: padding)
        return bias.map { y.addingChannelBias($0.variable) } ?? y
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }
    public var summary: String {
        "Conv2D(\(inChannels) → \(outChannels), \(kernelSize)×\(kernelSize), stride \(stride), pad \(padding)\(bias == nil ? ", no bias" : ""))"
    }
}
