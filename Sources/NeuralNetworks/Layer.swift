import Autodiff
import TensorCore

/// Whether a forward pass trains (batch statistics, dropout active, running estimates
/// updated) or infers (running statistics, no dropout).
public enum Phase: Sendable, Codable {
    case training, inference
}

/// What one forward pass carries besides the data: its phase, the generator for dropout and
/// other per-step randomness, and extra loss terms that layers contribute (for example a
/// regulariser on a spike layer's input).
public struct ForwardContext {
    public var phase: Phase
    public var rng: SeededGenerator
    /// Loss terms added by layers during this pass; the training step sums them into the loss.
    public var auxiliaryLosses: [Variable] = []
    /// Time steps folded into the batch dimension: stateless layers see `[T·N, …]` and ignore
    /// it; neuron layers unfold `[T, N·…]` and run their recurrence over T.
    public var timesteps: Int = 1

    public init(phase: Phase, rng: SeededGenerator = SeededGenerator(seed: 0)) {
        self.phase = phase
        self.rng = rng
    }

    /// A context for inference (no randomness is used).
    public static var inference: ForwardContext { ForwardContext(phase: .inference) }
}

/// A network layer: a function of its input and its parameters.
///
/// Layers are reference types because optimisers update their parameters in place and
/// BatchNorm-like layers keep running statistics between batches; a conversion that must
/// leave a network untouched builds new layers from snapshots of the parameter values.
public protocol Layer: AnyObject {
    /// y = layer(x). Shapes are documented by each layer.
    func forward(_ x: Variable, context: inout ForwardContext) -> Variable
    /// The trainable parameters, in a fixed order.
    var parameters: [Parameter] { get }
    /// A one-line description (type and sizes), used in printed summaries.
    var summary: String { get }
    /// Non-trainable state that a checkpoint must keep (BatchNorm running statistics, running
    /// threshold estimates), in a fixed order.
    var buffers: [Tensor] { get }
    /// Restores `buffers` from a checkpoint (same order and shapes).
    func loadBuffers(_ values: [Tensor])
    /// Sub-layers, for containers (walked by checkpointing and conversion).
    var children: [any Layer] { get }
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var buffers: [Tensor] { [] }
    public func loadBuffers(_ values: [Tensor]) {
        precondition(values.isEmpty, "\(summary) has no buffers to load")
    }
    public var children: [any Layer] { [] }

    /// Inference on a constant input.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var context = ForwardContext.inference
        return withoutGradients { forward(Variable(x), context: &context).value }
    }
}

/// Kaiming-normal initialisation for ReLU networks: w ~ N(0, 2 / fanIn) (He et al. 2015).
public func kaimingNormal(shape: [Int], fanIn: Int, using rng: inout SeededGenerator) -> Tensor {
    Tensor.normal(shape: shape, std: (2 / Float(fanIn)).squareRoot(), using: &rng)
}
