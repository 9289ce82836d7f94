import Autodiff
import TensorCore

/// ReLU: y = max(x, 0).
public final class ReLU: Layer {
    public init() {}
    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable { x.relu() }
    public var summary: String { "ReLU" }
}

/// Clipped ReLU with a trainable clip value μ per layer (PACT, Choi et al. 2018), the
/// "threshold ReLU" of the low-latency conversion papers: y = clip(x, 0, μ).
public final class ClippedReLU: Layer {
    public let clip: Parameter           // μ [1]

    public init(clip: Float) {
        self.clip = Parameter(Tensor(shape: [1], scalars: [clip]), name: "relu.clip", role: .clip)
    }

    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        x.clippedReLU(clip: clip.variable)
    }

    public var parameters: [Parameter] { [clip] }
    public var summary: String { "ClippedReLU(μ = \(clip.value.scalars[0]))" }
}

/// Inverted dropout with probability p (identity at inference).
public final class Dropout: Layer {
    public let probability: Float
    public init(_ probability: Float) { self.probability = probability }

    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        guard context.phase == .training else { return x }
        return x.dropout(probability: probability, using: &context.rng)
    }

    public var summary: String { "Dropout(\(probability))" }
}

/// `[N, …]` → `[N, rest]`.
public final class Flatten: Layer {
    public init() {}
    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable { x.flattened() }
    public var summary: String { "Flatten" }
}

extension Parameter.Role {
    /// A trained activation clip μ (`ClippedReLU`).
    public static let clip = Parameter.Role(rawValue: "clip")
}
