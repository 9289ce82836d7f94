import Autodiff
import NeuralNetworks
import TensorCore

/// y[n, c, …] = s_c·x[n, c, …]: one factor per channel (dimension 1 of `[N, C, H, W]`, or
/// per feature of `[N, F]`). What a NIR neuron node with one threshold per channel imports as,
/// in front of a neuron layer with one threshold (docs/nir.md §3): the package's neuron layers
/// share one θ, and v[t] = λ·v[t−1] + x[t] crossing θ_c is v' = v·θ/θ_c crossing θ, for either
/// reset. Any layout; ∂L/∂x = s_c·g.
public final class ChannelScale: Layer {
    /// s_c, one per channel.
    public let factors: [Float]

    public init(_ factors: [Float]) {
        precondition(!factors.isEmpty, "ChannelScale needs at least one channel")
        self.factors = factors
    }

    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        precondition(x.value.rank >= 2 && x.value.shape[1] == factors.count,
                     "ChannelScale(\(factors.count) channels) gets \(x.value.shape)")
        return x.channelAffine(scale: Tensor(shape: [factors.count], scalars: factors),
                               shift: Tensor(shape: [factors.count]))
    }

    public var summary: String {
        let distinct = Set(factors).count
        return "ChannelScale(\(factors.count) channels, \(distinct) distinct factor\(distinct == 1 ? "" : "s"))"
    }
}
