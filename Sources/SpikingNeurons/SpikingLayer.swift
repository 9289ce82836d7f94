import Autodiff
import NeuralNetworks
import TensorCore

/// A layer of spiking neurons, whatever its model: what simulation, spike statistics, energy
/// counting, conversion and training need to know about a neuron layer without knowing which
/// one it is.
///
/// Every spiking layer in this package runs the same three phases per step (SpikingJelly's
/// charge / fire / reset split):
///
///     charge:  h[t] = λ·u[t−1] + x[t]
///     fire:    s[t] = H(h[t] − θ)              o[t] = a·s[t]   (a = 1 or θ)
///     reset:   u[t] = h[t] − θ·s[t] | h[t]·(1 − s[t]) | frozen after the one spike | none (T = 1)
///
/// A model is a choice of these: the IF/LIF layer (`SpikingNeuron`), the single-spike layer
/// (one spike per image, then frozen), the one-step Hoyer layer (θ is an extremum of its own
/// input). Code outside the layers asks the layer through this protocol and never checks
/// which class it is.
public protocol SpikingLayer: Layer {
    /// θ, one trainable or fixed scalar per layer.
    var threshold: Parameter { get }
    /// The value an output spike carries to the next layer: 1 (unit spikes) or θ.
    var spikeValue: Float { get }
    /// λ, the membrane's decay per step (1: integrate-and-fire, or a layer that keeps no
    /// membrane between steps).
    var leakValue: Float { get }
    /// What happens to the membrane after a spike, or nil when a neuron never fires twice
    /// (single-spike layers) or runs one step only.
    var resetMode: ResetMode? { get }
    /// The most spikes one neuron can emit per image, or nil for one per step.
    var spikeLimitPerImage: Int? { get }
    /// Runs `timesteps` steps of inference on x `[T·N, …]` (time-major), from `state` (nil: the
    /// initial state) and leaves the state after the last step in it: a long simulation runs in
    /// chunks with its state explicit, and the layer itself keeps none. No graph is recorded.
    func simulate(_ x: Tensor, timesteps: Int, state: inout NeuronState?) -> Tensor
    /// The same, with x `[N, …]` the input of every one of the `timesteps` steps (direct input
    /// through the layers before the first spiking one). Output `[T·N, …]`.
    func simulate(constant x: Tensor, timesteps: Int, state: inout NeuronState?) -> Tensor
    /// A new layer with the same settings and parameter values and no shared state (conversion
    /// and BatchNorm folding leave their input network untouched).
    func copy() -> any SpikingLayer
    /// Keeps θ and λ valid after an optimiser step, when they are trained (DIET-SNN):
    /// θ ← max(θ, `minimumThreshold`), λ ← clamp(λ, `leak`). Fixed parameters stay as they are.
    func clampTrainedParameters(minimumThreshold: Float, leak: ClosedRange<Float>)
}

/// A spiking layer defined for one time step (T = 1) from an empty membrane, so it has no
/// reset and no memory: at inference it compares its input h with a known threshold per
/// channel and emits
///
///     s = [h ≥ θ_c] ∈ {0, 1},   o = spikeValue·s
///
/// with c the index along dimension 1 (the channels of `[N, C, H, W]`, the features of
/// `[N, F]`). One step of an IF neuron started from u = 0 computes the same map, which is how
/// the NIR export writes such a layer (docs/nir.md §4). The Hoyer spike layer is one.
public protocol OneStepSpikingLayer: SpikingLayer {
    /// θ_c at inference: one value for the whole layer, or one per channel.
    var inferenceThresholds: [Float] { get }
}

/// What a spiking layer carries from one chunk of a simulation to the next.
public struct NeuronState {
    /// u after the last simulated step, one per neuron, shaped like one step of the input
    /// (`[N, …]`) and stored in that input's layout (a layer keeps the layout it is given).
    public var membrane: Tensor
    /// Spikes each neuron has emitted so far (shaped and stored like `membrane`), when the layer
    /// counts them as it fires; nil when the simulation counts them from the output.
    public var spikeCounts: Tensor?
    /// Spikes of all neurons at each step of the last chunk, when the layer counts them.
    public var lastChunkSpikesPerStep: [Int]?

    public init(membrane: Tensor, spikeCounts: Tensor? = nil, lastChunkSpikesPerStep: [Int]? = nil) {
        self.membrane = membrane
        self.spikeCounts = spikeCounts
        self.lastChunkSpikesPerStep = lastChunkSpikesPerStep
    }
}

extension SpikingLayer {
    /// A layer that cannot continue from a state (a single-spike layer would need its fired
    /// flags) simulates the whole run in one chunk: its forward pass over all steps.
    public func simulate(_ x: Tensor, timesteps: Int, state: inout NeuronState?) -> Tensor {
        precondition(state == nil, "\(summary) cannot continue a simulation from a state: simulate it in one chunk")
        var context = ForwardContext.inference
        context.timesteps = timesteps
        let y = withoutGradients { forward(Variable(x), context: &context).value }
        state = NeuronState(membrane: Tensor(shape: [0]))
        return y
    }

    /// A layer without its own constant-input path runs on x repeated for every step.
    public func simulate(constant x: Tensor, timesteps: Int, state: inout NeuronState?) -> Tensor {
        simulate(x.repeatedAlongBatch(timesteps), timesteps: timesteps, state: &state)
    }

    /// θ's value.
    public var thresholdValue: Float { threshold.value[flat: 0] }
    public var leakValue: Float { 1 }
    public var resetMode: ResetMode? { nil }
    public var spikeLimitPerImage: Int? { nil }
}

extension Sequential {
    /// The position of every spiking layer, in network order.
    public var spikingLayerIndices: [Int] { layers.indices.filter { layers[$0] is any SpikingLayer } }

    /// Every spiking layer, in network order.
    public var spikingLayers: [any SpikingLayer] { layers.compactMap { $0 as? any SpikingLayer } }
}

extension Parameter.Role {
    /// A neuron layer's threshold θ (or a parameter that sets it, such as RNL's scale).
    public static let threshold = Parameter.Role(rawValue: "threshold")
    /// A neuron layer's leak λ.
    public static let leak = Parameter.Role(rawValue: "leak")
}
