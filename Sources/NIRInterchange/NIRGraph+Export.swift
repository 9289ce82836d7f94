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
    /// Graph: which program wrote the file.
    public static let producer = "producer"
}

extension NIRGraph {
    /// The step NIR's continuous-time LIF parameters are written for and read with unless a
    /// file says otherwise: 10⁻⁴ s, the value snnTorch's NIR export and import assume.
    public static let defaultTimeStep = 1e-4

    /// Writes a spiking `network` (BatchNorm folded, e.g. the output of `convert`) as a NIR
    /// chain Input → … → Output for per-image input `inputShape` (`[C, H, W]` or `[features]`).
    ///
    ///     Conv2D → Conv2d    Linear → Affine (Linear without bias)    AveragePool → AvgPool2d
    ///     Flatten → Flatten  SpikingNeuron IF → IF, LIF → LIF (τ = Δt/(1 − λ), r = τ/Δt;
    ///     a LIF whose leak is exactly 1 → IF)
    ///     spikes of value θ (converted networks) → unit spikes, θ folded into the next
    ///     weight layer (W ← θ·W), or a final Scale node when no weight layer follows
    ///     reset by subtraction → v_reset = 0 and metadata reset = "subtraction" (§2)
    ///
    /// - Parameters:
    ///   - timeStep: Δt in seconds for the LIF time constants (docs/nir.md §1).
    ///   - metadata: graph metadata to add (e.g. the input standardisation).
    /// - Throws: `NIRError.notRepresentable` naming the layer (index and summary) for a layer
    ///   NIR cannot express exactly: max pooling, BatchNorm not folded, an activation left
    ///   in, u(0) = θ/2, a neuron that is not a `SpikingNeuron` (single-spike, Hoyer, …).
    public init(exporting network: Sequential, inputShape: [Int], timeStep: Double = NIRGraph.defaultTimeStep,
                metadata: [String: String] = [:]) throws {
        precondition(timeStep > 0, "the time step must be positive (got \(timeStep))")
        var nodes = [NIRNode("input", .input(shape: inputShape))]
        var shape = inputShape
        var spikeValue: Float? = nil   // θ of the last neuron, still to fold into a weight layer
        for (index, layer) in network.layers.enumerated() {
            let name = "layer\(index)"
            func reject(_ reason: String) -> NIRError {
                .notRepresentable(node: "\(name) \(layer.summary)", reason: reason)
            }
            switch layer {
            case let conv as Conv2D:
                guard shape.count == 3, shape[0] == conv.inChannels else {
                    throw NIRError.shapeMismatch(node: name, detail: "Conv2D takes \(conv.inChannels) channels, gets \(shape)")
                }
                let weight = spikeValue.map { conv.weight.value * $0 } ?? conv.weight.value
                let parameters = Conv2dParameters(
                    weight: NIRArray(weight),
                    bias: conv.bias.map { NIRArray($0.value) } ?? NIRArray(shape: [conv.outChannels], repeating: 0),
                    stride: [conv.stride, conv.stride], padding: [conv.padding, conv.padding],
                    inputSize: Array(shape[1...]))
                nodes.append(NIRNode(name, .conv2d(parameters)))
                shape = [conv.outChannels] + parameters.outputSize
                spikeValue = nil
            case let linear as Linear:
                guard shape == [linear.inFeatures] else {
                    throw NIRError.shapeMismatch(node: name, detail: "Linear takes [\(linear.inFeatures)], gets \(shape)")
                }
                let weight = NIRArray(spikeValue.map { linear.weight.value * $0 } ?? linear.weight.value)
                nodes.append(NIRNode(name, linear.bias.map { .affine(weight: weight, bias: NIRArray($0.value)) }
                                     ?? .linear(weight: weight)))
                shape = [linear.outFeatures]
                spikeValue = nil
            case let pool as AveragePool:
                guard shape.count == 3 else { throw NIRError.shapeMismatch(node: name, detail: "pooling needs [C, H, W], gets \(shape)") }
                nodes.append(NIRNode(name, .averagePool2d(kernelSize: [pool.size, pool.size],
                                                          stride: [pool.stride, pool.stride], padding: [0, 0])))
                shape = [shape[0], (shape[1] - pool.size) / pool.stride + 1, (shape[2] - pool.size) / pool.stride + 1]
            case is Flatten:
                nodes.append(NIRNode(name, .flatten(inputShape: shape, startDim: 0, endDim: -1)))
                shape = [shape.reduce(1, *)]
            case is Dropout:
                continue   // the identity at inference
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
            case let other as any SpikingLayer:
                throw reject("\(type(of: other)) has no NIR neuron model (only IF and LIF SpikingNeuron layers export)")
            case is BatchNorm:
                throw reject("BatchNorm: fold it into the convolution before export (foldBatchNorm)")
            case is MaxPool:
                throw reject("max pooling has no NIR node (NIR 1.0 pools by sum or average)")
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
        graphMetadata[NIRMetadataKey.producer] = graphMetadata[NIRMetadataKey.producer] ?? "LowLatencySNN"
        self.init(chain: nodes, metadata: graphMetadata)
    }
}

extension NIRArray {
    /// A tensor's values (row-major) and shape.
    public init(_ tensor: Tensor) {
        self.init(shape: tensor.shape, values: tensor.scalars)
    }

    /// The values as a tensor of the same shape.
    public var tensor: Tensor { Tensor(shape: shape, scalars: values) }
}
