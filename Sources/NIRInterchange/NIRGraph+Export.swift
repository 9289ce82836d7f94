// Spiking network → NIR graph. The mapping is stated once, in docs/nir.md; the comments here
// point to its sections.

import NeuralNetworks
import SpikingNeurons
import TensorCore

/// Metadata keys the package writes beside NIR's own fields (docs/nir.md §3). NIR readers
/// that do not know them still read a valid graph.
public enum NIRMetadataKey {
    /// Graph: Δt in seconds, the step behind every LIF τ (τ = Δt/(1 − λ)).
    public static let timeStep = "dt"
    /// Neuron node: the discrete-time reset, "subtraction" or "zero" (ResetMode's raw values).
    public static let reset = "reset"
    /// Graph: the per-channel mean and standard deviation that standardise the input images,
    /// comma-separated, when the network expects standardised images.
    public static let inputMean = "input_mean"
    public static let inputStandardDeviation = "input_std"
    /// Graph: the number of time steps the network is defined for, when it is fixed: "1" for
    /// a network with one-step spike layers (docs/nir.md §4). Absent: any T.
    public static let timesteps = "timesteps"
    /// Graph: which program wrote the file.
    public static let producer = "producer"
}

extension NIRGraph {
    /// The step NIR's continuous-time LIF parameters are written for and read with unless a
    /// file says otherwise: 10⁻⁴ s, the value snnTorch's NIR export and import assume.
    public static let defaultTimeStep = 1e-4

    /// Writes a spiking `network` as a NIR chain Input → … → Output for per-image input
    /// `inputShape` (`[C, H, W]` or `[features]`).
    ///
    ///     Conv2D → Conv2d    Linear → Affine (Linear without bias)    AveragePool → AvgPool2d
    ///     Flatten → Flatten  Dropout → nothing (the identity at inference)
    ///     BatchNorm right after a Conv2D/Linear → folded into its weights and bias
    ///     SpikingNeuron IF → IF, LIF → LIF (τ = Δt/(1 − λ), r = τ/Δt; a LIF whose leak is
    ///     exactly 1 → IF)
    ///     OneStepSpikingLayer (T = 1) → IF with v_threshold θ_c per channel, and graph
    ///     metadata timesteps = 1
    ///     conv → max pool → [BatchNorm] → one-step spike → conv (BN folded) → IF(θ_c) →
    ///     AvgPool2d → IF(0.5/n or (n − 0.5)/n per channel), the window rewrite (§4)
    ///     IF/LIF neuron → max pool → neuron → AvgPool2d → IF(0.5/n, reset to zero), the
    ///     spikes' OR at every step (§4b)
    ///     spikes of value θ (converted networks) → unit spikes, θ folded into the next
    ///     weight layer (W ← θ·W), or a final Scale node when no weight layer follows
    ///     reset by subtraction → v_reset = 0 and metadata reset = "subtraction" (§2)
    ///
    /// `network` is read, never changed.
    ///
    /// - Parameters:
    ///   - timeStep: Δt in seconds for the LIF time constants (docs/nir.md §1).
    ///   - metadata: graph metadata to add (e.g. the input standardisation).
    /// - Throws: `NIRError.notRepresentable` naming the layer (index and summary) for a layer
    ///   NIR cannot express exactly: max pooling outside the two rewrites, a BatchNorm with
    ///   no weight layer before it, an activation left in, u(0) = θ/2, a one-step threshold
    ///   that is not a positive number, a neuron that is neither an IF/LIF `SpikingNeuron` nor
    ///   a `OneStepSpikingLayer` (single-spike, …).
    public init(exporting network: Sequential, inputShape: [Int], timeStep: Double = NIRGraph.defaultTimeStep,
                metadata: [String: String] = [:]) throws {
        precondition(timeStep > 0, "the time step must be positive (got \(timeStep))")
        // Dropout is the identity at inference; the other layers keep their index in the
        // node names ("layer<index>").
        let layers = network.layers.enumerated().filter { !($0.element is Dropout) }
        var nodes = [NIRNode("input", .input(shape: inputShape))]
        var shape = inputShape
        var spikeValue: Float? = nil   // θ of the last neuron, still to fold into a weight layer
        var oneStep = false            // a one-step layer makes the whole file a T = 1 network
        var afterNeuron = false        // the previous layer was a multi-step IF/LIF neuron
        var position = 0
        while position < layers.count {
            let (index, layer) = layers[position]
            position += 1
            let followsNeuron = afterNeuron
            afterNeuron = false
            let name = "layer\(index)"
            func reject(_ reason: String) -> NIRError {
                .notRepresentable(node: "\(name) \(layer.summary)", reason: reason)
            }
            switch layer {
            case is Conv2D, is Linear:
                // conv → [max pool] → [BatchNorm]: the BatchNorm folds into the weights; a max
                // pool is exported only with the one-step spike layer after it (§4).
                var pool: (index: Int, layer: MaxPool)? = nil
                if layer is Conv2D, position < layers.count, let p = layers[position].element as? MaxPool {
                    pool = (layers[position].offset, p)
                    position += 1
                }
                var norm: BatchNorm? = nil
                if position < layers.count, let bn = layers[position].element as? BatchNorm {
                    norm = bn
                    position += 1
                }
                let weights = try weightNode(layer, name: name, shape: shape, spikeValue: spikeValue, norm: norm)
                nodes.append(weights.node)
                shape = weights.shape
                spikeValue = nil
                guard let pool else { break }
                guard position < layers.count, let spike = layers[position].element as? any OneStepSpikingLayer else {
                    throw NIRError.notRepresentable(
                        node: "layer\(pool.index) \(pool.layer.summary)",
                        reason: "max pooling has no NIR node; it is exported only as conv → max pool → "
                            + "[BatchNorm] → one-step spike layer, rewritten over the window's spikes (docs/nir.md §4)")
                }
                let spikeName = "layer\(layers[position].offset)"
                let thresholds = try oneStepThresholds(spike, shape: shape, node: "\(spikeName) \(spike.summary)")
                position += 1
                let window = windowRewrite(pool: pool.layer, poolName: "layer\(pool.index)", spikeName: spikeName,
                                           thresholds: thresholds, decreasing: weights.decreasing, shape: shape)
                nodes += window.nodes
                shape = window.shape
                spikeValue = spike.spikeValue == 1 ? nil : spike.spikeValue
                oneStep = true
            case let pool as AveragePool:
                guard shape.count == 3 else { throw NIRError.shapeMismatch(node: name, detail: "pooling needs [C, H, W], gets \(shape)") }
                nodes.append(NIRNode(name, .averagePool2d(kernelSize: [pool.size, pool.size],
                                                          stride: [pool.stride, pool.stride], padding: [0, 0])))
                shape = [shape[0], (shape[1] - pool.size) / pool.stride + 1, (shape[2] - pool.size) / pool.stride + 1]
            case is Flatten:
                nodes.append(NIRNode(name, .flatten(inputShape: shape, startDim: 0, endDim: -1)))
                shape = [shape.reduce(1, *)]
            case let spike as any OneStepSpikingLayer:
                // One step of an IF from v = 0: v = I, a spike where v reaches θ_c (§4).
                let thresholds = try oneStepThresholds(spike, shape: shape, node: "\(name) \(layer.summary)")
                nodes.append(oneStepNeuron(name, thresholds: thresholds, shape: shape))
                spikeValue = spike.spikeValue == 1 ? nil : spike.spikeValue
                oneStep = true
            case let neuron as SpikingNeuron:
                guard neuron.initialMembrane == .zero else {
                    throw reject("u(0) = θ/2: NIR neurons start from v = 0 (docs/nir.md §4)")
                }
                let theta = neuron.thresholdValue
                guard theta > 0 else { throw reject("threshold θ = \(theta) ≤ 0") }
                let neuronMetadata = [NIRMetadataKey.reset: neuron.reset.rawValue]
                let zeros = NIRArray(shape: shape, repeating: 0)
                // A LIF whose (trained) leak reached λ = 1 integrates without leak: an IF.
                let leaks: Bool
                if case .leakyIntegrateAndFire = neuron.model, neuron.leakValue != 1 { leaks = true } else { leaks = false }
                switch leaks {
                case false:
                    nodes.append(NIRNode(name, .integrateAndFire(
                        r: NIRArray(shape: shape, repeating: 1), threshold: NIRArray(shape: shape, repeating: theta),
                        reset: zeros), metadata: neuronMetadata))
                case true:
                    let leak = Double(neuron.leakValue)
                    guard leak > 0 && leak < 1 else { throw reject("leak λ = \(leak) outside (0, 1)") }
                    let tau = timeStep / (1 - leak)
                    nodes.append(NIRNode(name, .leakyIntegrateAndFire(
                        tau: NIRArray(shape: shape, repeating: Float(tau)),
                        r: NIRArray(shape: shape, repeating: Float(tau / timeStep)),
                        leakVoltage: zeros, threshold: NIRArray(shape: shape, repeating: theta), reset: zeros),
                        metadata: neuronMetadata))
                }
                spikeValue = neuron.spikeValue == 1 ? nil : neuron.spikeValue
                afterNeuron = true
            case let pool as MaxPool where followsNeuron:
                // Max pooling of one neuron layer's spikes, at every step: all carry the same
                // value, so the maximum is that value times an OR over the window (§4b).
                guard shape.count == 3 else { throw NIRError.shapeMismatch(node: name, detail: "pooling needs [C, H, W], gets \(shape)") }
                let rewrite = spikeOR(pool: pool, name: name, shape: shape)
                nodes += rewrite.nodes
                shape = rewrite.shape
            case let other as any SpikingLayer:
                throw reject("\(type(of: other)) has no NIR neuron model (IF and LIF SpikingNeuron layers and "
                             + "one-step layers export)")
            case is BatchNorm:
                throw reject("a BatchNorm folds only into the Conv2D or Linear right before it (or before its max pool)")
            case is MaxPool:
                throw reject("max pooling has no NIR node (NIR 1.0 pools by sum or average); it is exported only "
                             + "right after an IF/LIF neuron layer (its spikes, §4b) or as conv → max pool → "
                             + "[BatchNorm] → one-step spike layer (docs/nir.md §4)")
            default:
                throw reject("no NIR node for this layer in a spiking network")
            }
        }
        if let spikeValue {
            nodes.append(NIRNode("spike_value", .scale(NIRArray(shape: shape, repeating: spikeValue))))
        }
        nodes.append(NIRNode("output", .output(shape: shape)))
        var graphMetadata = metadata
        graphMetadata[NIRMetadataKey.timeStep] = "\(timeStep)"
        if oneStep { graphMetadata[NIRMetadataKey.timesteps] = "1" }
        graphMetadata[NIRMetadataKey.producer] = graphMetadata[NIRMetadataKey.producer] ?? "LowLatencySNN"
        self.init(chain: nodes, metadata: graphMetadata)
    }
}

// MARK: - Weight layers with BatchNorm folded in

/// A Conv2D or Linear as a NIR node, with the previous neuron's spike value θ folded in
/// (W ← θ·W) and a following BatchNorm folded in per output channel c (`BatchNorm.foldedWeights`
/// and `foldedBias`, as `foldBatchNorm` in SNNConversion):
///
///     a_c = γ_c/√(σ²_c + ε),   W_c ← a_c·W_c,   b_c ← (b_c − μ_c)·a_c + β_c
///
/// `decreasing[c]` is a_c < 0: BatchNorm at inference reverses the order of channel c.
private func weightNode(_ layer: any Layer, name: String, shape: [Int], spikeValue: Float?,
                        norm: BatchNorm?) throws -> (node: NIRNode, shape: [Int], decreasing: [Bool]) {
    let (weight, bias): (Tensor, Tensor?)
    switch layer {
    case let conv as Conv2D:
        guard shape.count == 3, shape[0] == conv.inChannels else {
            throw NIRError.shapeMismatch(node: name, detail: "Conv2D takes \(conv.inChannels) channels, gets \(shape)")
        }
        (weight, bias) = (conv.weight.value, conv.bias?.value)
    case let linear as Linear:
        guard shape == [linear.inFeatures] else {
            throw NIRError.shapeMismatch(node: name, detail: "Linear takes [\(linear.inFeatures)], gets \(shape)")
        }
        (weight, bias) = (linear.weight.value, linear.bias?.value)
    default:
        preconditionFailure("weightNode takes Conv2D or Linear")
    }
    let outputs = weight.shape[0]
    let scaled = spikeValue.map { weight * $0 } ?? weight
    var (w, b) = (NIRArray(scaled), bias.map(NIRArray.init))
    var decreasing = [Bool](repeating: false, count: outputs)
    if let norm {
        guard norm.channels == outputs else {
            throw NIRError.shapeMismatch(node: name, detail: "BatchNorm(\(norm.channels)) after a layer with \(outputs) outputs")
        }
        (w, b) = (NIRArray(norm.foldedWeights(scaled)), NIRArray(norm.foldedBias(bias)))
        decreasing = norm.foldingFactors.map { $0 < 0 }
    }
    switch layer {
    case let conv as Conv2D:
        let parameters = Conv2dParameters(
            weight: w, bias: b ?? NIRArray(shape: [outputs], repeating: 0),
            stride: [conv.stride, conv.stride], padding: [conv.padding, conv.padding], inputSize: Array(shape[1...]))
        return (NIRNode(name, .conv2d(parameters)), [outputs] + parameters.outputSize, decreasing)
    default:
        return (NIRNode(name, b.map { .affine(weight: w, bias: $0) } ?? .linear(weight: w)), [outputs], decreasing)
    }
}

// MARK: - One-step spike layers (docs/nir.md §4)

/// θ_c of a one-step layer, one per channel of `shape` (dimension 0 of the per-image shape).
///
/// - Throws: `NIRError.notRepresentable` naming `node` for a threshold that is not a positive
///   finite number: the package fires at h ≥ θ and NIR at v > θ, which differ on every h = θ,
///   and a Hoyer channel with θ_c = 0 (running extremum 0: it never fired in training) would
///   fire on every h = 0.
private func oneStepThresholds(_ spike: any OneStepSpikingLayer, shape: [Int], node: String) throws -> [Float] {
    let thresholds = spike.inferenceThresholds
    let channels = shape.first ?? 1
    guard thresholds.count == 1 || thresholds.count == channels else {
        throw NIRError.shapeMismatch(node: node, detail: "\(thresholds.count) thresholds for \(channels) channels")
    }
    if let bad = thresholds.indices.first(where: { !(thresholds[$0] > 0 && thresholds[$0].isFinite) }) {
        let place = thresholds.count == 1 ? "" : " in channel \(bad)"
        throw NIRError.notRepresentable(
            node: node, reason: "inference threshold θ = \(thresholds[bad])\(place) is not a positive number "
                + "(a Hoyer channel whose running extremum stayed 0 never fired in training); the export needs θ > 0")
    }
    return thresholds.count == 1 ? [Float](repeating: thresholds[0], count: channels) : thresholds
}

/// One value per channel, repeated over the rest of `shape` (a per-neuron NIR parameter).
private func perChannel(_ values: [Float], shape: [Int]) -> NIRArray {
    let inner = shape.dropFirst().reduce(1, *)
    return NIRArray(shape: shape, values: values.flatMap { [Float](repeating: $0, count: inner) })
}

/// One step of an IF neuron from v = 0 with threshold θ_c per channel: v = I, s = [v ≥ θ_c].
/// The reset never acts within one step; "zero" is NIR's own meaning of v_reset = 0.
private func oneStepNeuron(_ name: String, thresholds: [Float], shape: [Int]) -> NIRNode {
    NIRNode(name, .integrateAndFire(r: NIRArray(shape: shape, repeating: 1),
                                    threshold: perChannel(thresholds, shape: shape),
                                    reset: NIRArray(shape: shape, repeating: 0)),
            metadata: [NIRMetadataKey.reset: ResetMode.zero.rawValue])
}

/// conv → max pool → [BatchNorm] → one-step spike, written with the spikes of the window's
/// elements (NIR has no max pooling). Per channel, BatchNorm and the comparison are monotone
/// in the convolution's output x, non-decreasing when a_c ≥ 0 and non-increasing when a_c < 0,
/// so with s_i = [BN(x_i) ≥ θ_c] for the n elements of a window
///
///     [BN(max_i x_i) ≥ θ_c] = max_i s_i = OR    (a_c ≥ 0)
///                           = min_i s_i = AND   (a_c < 0)
///
/// With m = Σ_i s_i / n the window's average: OR ⇔ m ≥ 1/n, AND ⇔ m ≥ 1. The thresholds sit
/// halfway between two counts, 0.5/n and (n − 0.5)/n, so NIR's v > θ and the package's v ≥ θ
/// give the same spikes, and the average's rounding cannot cross them. Nodes: the conv's IF
/// with θ_c ("<spike>_window"), AvgPool2d ("<pool>"), the IF of the pooled spikes ("<spike>",
/// the spikes the original layer emits).
private func windowRewrite(pool: MaxPool, poolName: String, spikeName: String, thresholds: [Float],
                           decreasing: [Bool], shape: [Int]) -> (nodes: [NIRNode], shape: [Int]) {
    let (k, stride) = (pool.size, pool.stride)
    let pooled = [shape[0], (shape[1] - k) / stride + 1, (shape[2] - k) / stride + 1]
    let n = Float(k * k)
    let counts = decreasing.map { $0 ? (n - 0.5) / n : 0.5 / n }
    return ([
        oneStepNeuron("\(spikeName)_window", thresholds: thresholds, shape: shape),
        NIRNode(poolName, .averagePool2d(kernelSize: [k, k], stride: [stride, stride], padding: [0, 0])),
        oneStepNeuron(spikeName, thresholds: counts, shape: pooled),
    ], pooled)
}

/// Max pooling of a multi-step neuron layer's spikes (docs/nir.md §4b). Every spike of the
/// layer carries the same value, so at each step the window's maximum is that value when at
/// least one of its n = k² neurons fired, and 0 otherwise: an OR. With m[t] the window's average
/// of unit spikes (a multiple of 1/n), an IF with θ = 0.5/n that resets to zero computes it
/// exactly: its membrane is 0 at the start of every step (a step with m = 0 leaves it at 0, any
/// m ≥ 1/n fires and resets it), so s[t] = [m[t] > 0.5/n] = OR. The spike value stays pending
/// for the next weight layer, as after the neuron itself. Nodes: AvgPool2d ("<pool>"), IF
/// ("<pool>_or", node metadata reset = "zero").
private func spikeOR(pool: MaxPool, name: String, shape: [Int]) -> (nodes: [NIRNode], shape: [Int]) {
    let (k, stride) = (pool.size, pool.stride)
    let pooled = [shape[0], (shape[1] - k) / stride + 1, (shape[2] - k) / stride + 1]
    let n = Float(k * k)
    return ([
        NIRNode(name, .averagePool2d(kernelSize: [k, k], stride: [stride, stride], padding: [0, 0])),
        NIRNode("\(name)_or", .integrateAndFire(r: NIRArray(shape: pooled, repeating: 1),
                                                threshold: NIRArray(shape: pooled, repeating: 0.5 / n),
                                                reset: NIRArray(shape: pooled, repeating: 0)),
                metadata: [NIRMetadataKey.reset: ResetMode.zero.rawValue]),
    ], pooled)
}

extension NIRArray {
    /// A tensor's values (row-major) and shape.
    public init(_ tensor: Tensor) {
        self.init(shape: tensor.shape, values: tensor.scalars)
    }

    /// The values as a tensor of the same shape.
    public var tensor: Tensor { Tensor(shape: shape, scalars: values) }
}
