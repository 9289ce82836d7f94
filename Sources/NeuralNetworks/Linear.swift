import Autodiff
import TensorCore

/// Fully-connected layer: y = x·Wᵀ + b, x `[N, in]` → y `[N, out]`.
public final class Linear: Layer {
    public let weight: Parameter          // [out, in]
    public let bias: Parameter?           // [out]

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, using rng: inout SeededGenerator) {
        weight = Parameter(kaimingNormal(shape: [outFeatures, inFeatures], fanIn: inFeatures, using: &rng),
                           name: "linear.weight", role: .weight)
        self.bias = bias ? Parameter(Tensor(shape: [outFeatures]), name: "linear.bias", role: .bias) : nil
    }

    /// A layer with the given weight (and bias) values.
    public init(weight: Tensor, bias: Tensor?) {
        self.weight = Parameter(weight, name: "linear.weight", role: .weight)
        self.bias = bias.map { Parameter($0, name: "linear.bias", role: .bias) }
    }

    public var inFeatures: Int { weight.value.shape[1] }
    public var outFeatures: Int { weight.value.shape[0] }

    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        let flat = x.value.rank == 2 ? x : x.flattened()
        return Variable.linear(flat, weight: weight.variable, bias: bias?.variable)
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }
    public var summary: String { "Linear(\(inFeatures) → \(outFeatures)\(bias == nil ? ", no bias" : ""))" }
}
