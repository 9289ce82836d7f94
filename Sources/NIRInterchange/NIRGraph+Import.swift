// NIR graph → spiking network. The mapping is stated once, in docs/nir.md; the comments here
// point to its sections.

import Foundation
import NeuralNetworks
import SpikingNeurons
import TensorCore

/// A network rebuilt from a NIR graph, ready for `Sequential.simulate` with direct input.
public struct ImportedNetwork {
    /// The layers, in chain order (Input and Output have none; Scale and a sum pool's k² are
    /// folded into the next weight layer, a neuron's input gain into its threshold).
    public var network: Sequential
    /// The per-image input shape of the graph's Input node.
    public var inputShape: [Int]
    /// The NIR node each layer came from, indexed like `network.layers`.
    public var nodeNames: [String]
    /// The time steps the graph is defined for (metadata `timesteps`, e.g. 1 for a network of
    /// one-step spike layers, docs/nir.md §4); nil when any T is meant.
    public var timesteps: Int?
}

extension NIRGraph {
    /// The graph as the package's layers (docs/nir.md §1–§4):
    ///
    ///     Conv2d → Conv2D   Affine/Linear → Linear   AvgPool2d → AveragePool
    ///     SumPool2d → AveragePool, k² folded into the next weight layer
    ///     Flatten (all dimensions) → Flatten          Scale → folded into the next weight layer
    ///     IF → SpikingNeuron(IF, θ/r)   LIF → SpikingNeuron(LIF, λ = 1 − Δt/τ, θ/(r·Δt/τ))
    ///     a threshold per channel → ChannelScale(θ/θ_c) before a neuron with θ, the value
    ///     most channels share
    ///     CubaLIF with τ_syn = Δt (no synaptic memory) → LIF with gain w_in·r·Δt/τ_mem
    ///     reset: metadata "reset" if present, else NIR's v ← v_reset with v_reset = 0
    ///
    /// - Parameter timeStep: Δt in seconds for LIF and CubaLIF; the file's `dt` metadata when
    ///   nil, else `NIRGraph.defaultTimeStep` (snnTorch's).
    /// - Throws: `NIRError.notAChain`, `.shapeMismatch` (a node that does not fit the shape
    ///   reaching it), `.notRepresentable` naming the node (thresholds that differ within a
    ///   channel, r or τ that differ between neurons, v_reset ≠ 0, v_leak ≠ 0, dilation,
    ///   groups, padded pooling, a synaptic current, …).
    public func importedNetwork(timeStep: Double? = nil) throws -> ImportedNetwork {
        let dt = timeStep ?? metadata[NIRMetadataKey.timeStep].flatMap(Double.init) ?? Self.defaultTimeStep
        let chain = try chain()
        guard case .input(let inputShape) = chain[0].kind else { preconditionFailure("chain() starts at the Input") }
        guard inputShape.count == 1 || inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw NIRError.shapeMismatch(node: chain[0].name, detail: "input shape \(inputShape) is neither [C, H, W] nor [features]")
        }
        var layers: [any Layer] = []
        var names: [String] = []
        var shape = inputShape
        var pendingScale: [Float]? = nil   // per element of `shape`, to fold into the next weight layer
        func add(_ layer: any Layer, _ node: NIRNode) { layers.append(layer); names.append(node.name) }

        for node in chain.dropFirst() {
            let name = node.name
            func mismatch(_ detail: String) -> NIRError { .shapeMismatch(node: name, detail: detail) }
            func reject(_ reason: String) -> NIRError { .notRepresentable(node: name, reason: "\(node.kind.typeName): \(reason)") }
            switch node.kind {
            case .input:
                throw NIRError.notAChain("a second Input node '\(name)'")
            case .output(let outputShape):
                guard outputShape.reduce(1, *) == shape.reduce(1, *) else {
                    throw mismatch("Output has shape \(outputShape), the graph produces \(shape)")
                }
                guard pendingScale == nil else {
                    throw reject("a Scale before the Output has no weight layer to fold into")
                }
            case .affine(let weight, _), .linear(let weight):
                guard shape.count == 1, weight.shape[1] == shape[0] else {
                    throw mismatch("weight \(weight.shape) takes [\(weight.shape[1])], gets \(shape) (flatten first)")
                }
                var w = weight
                if let s = pendingScale {   // W[:, j] ← W[:, j]·s_j
                    let columns = weight.shape[1]
                    for i in w.values.indices { w.values[i] *= s[i % columns] }
                    pendingScale = nil
                }
                var bias: Tensor? = nil
                if case .affine(_, let b) = node.kind { bias = b.tensor }
                add(Linear(weight: w.tensor, bias: bias), node)
                shape = [weight.shape[0]]
            case .conv2d(let c):
                let (outChannels, inChannels, kh, kw) = (c.weight.shape[0], c.weight.shape[1], c.weight.shape[2], c.weight.shape[3])
                guard shape.count == 3, shape[0] == inChannels else {
                    throw mismatch("weight \(c.weight.shape) takes \(inChannels) channels, gets \(shape)")
                }
                guard c.inputSize.isEmpty || c.inputSize == Array(shape[1...]) else {
                    throw mismatch("input_shape \(c.inputSize), the graph gives \(Array(shape[1...]))")
                }
                guard c.groups == 1 else { throw reject("groups = \(c.groups) (only 1)") }
                guard c.dilation == [1, 1] else { throw reject("dilation \(c.dilation) (only 1)") }
                guard kh == kw, c.stride[0] == c.stride[1], c.padding[0] == c.padding[1] else {
                    throw reject("kernel \(kh)×\(kw), stride \(c.stride), padding \(c.padding): only square and equal per axis")
                }
                var w = c.weight
                if let s = pendingScale {   // one factor per input channel: W[:, c] ← W[:, c]·s_c
                    let plane = shape[1] * shape[2]
                    let perChannel = (0..<inChannels).map { s[$0 * plane] }
                    guard (0..<s.count).allSatisfy({ s[$0] == perChannel[$0 / plane] }) else {
                        throw reject("the Scale before it varies within a channel; only a factor per channel folds into a convolution")
                    }
                    let block = kh * kw
                    for i in w.values.indices { w.values[i] *= perChannel[(i / block) % inChannels] }
                    pendingScale = nil
                }
                add(Conv2D(weight: w.tensor, bias: c.bias.tensor, stride: c.stride[0], padding: c.padding[0]), node)
                shape = [outChannels] + Conv2dParameters(weight: c.weight, bias: c.bias, stride: c.stride, padding: c.padding,
                                                         inputSize: Array(shape[1...])).outputSize
            case .averagePool2d(let k, let s, let p), .sumPool2d(let k, let s, let p):
                guard shape.count == 3 else { throw mismatch("pooling needs [C, H, W], gets \(shape)") }
                guard k[0] == k[1], s[0] == s[1], p == [0, 0] else {
                    throw reject("kernel \(k), stride \(s), padding \(p): only square, unpadded windows")
                }
                if let scale = pendingScale {
                    guard let u = scale.first, scale.allSatisfy({ $0 == u }) else {
                        throw reject("a per-element Scale cannot pass a pooling layer")
                    }
                }
                add(AveragePool(k[0], stride: s[0]), node)
                shape = [shape[0], (shape[1] - k[0]) / s[0] + 1, (shape[2] - k[0]) / s[0] + 1]
                let uniform = pendingScale?.first ?? 1
                if case .sumPool2d = node.kind {   // sum = k²·average
                    pendingScale = [Float](repeating: uniform * Float(k[0] * k[1]), count: shape.reduce(1, *))
                } else if pendingScale != nil {
                    pendingScale = [Float](repeating: uniform, count: shape.reduce(1, *))
                }
            case .flatten(let given, let start, let end):
                guard given.isEmpty || given == shape else { throw mismatch("input_type \(given), the graph gives \(shape)") }
                let rank = shape.count
                guard start == 0, end == -1 || end == rank - 1 else {
                    throw reject("start_dim \(start), end_dim \(end): only a flatten of every dimension (0 … −1)")
                }
                if rank > 1 { add(Flatten(), node) }
                shape = [shape.reduce(1, *)]   // the element order is kept: a per-element Scale passes
            case .scale(let s):
                let values: [Float]
                if s.values.count == 1 {
                    values = [Float](repeating: s.values[0], count: shape.reduce(1, *))
                } else {
                    guard s.shape == shape else { throw mismatch("scale has shape \(s.shape), the graph gives \(shape)") }
                    values = s.values
                }
                pendingScale = zip(pendingScale ?? values.map { _ in 1 }, values).map { $0 * $1 }
            case .integrateAndFire(let r, let threshold, let reset):
                let gain = try uniform(r, "r", node: node, shape: shape)
                let neuron = try makeNeuron(node, threshold: threshold, reset: reset, gain: Double(gain),
                                            pendingScale: &pendingScale, shape: shape, model: .integrateAndFire)
                neuron.forEach { add($0, node) }
            case .leakyIntegrateAndFire(let tau, let r, let leakVoltage, let threshold, let reset):
                guard leakVoltage.values.allSatisfy({ $0 == 0 }) else { throw reject("v_leak ≠ 0 (the package's neurons leak towards 0)") }
                let tauValue = Double(try uniform(tau, "tau", node: node, shape: shape))
                let rValue = Double(try uniform(r, "r", node: node, shape: shape))
                guard tauValue > dt else { throw reject("τ = \(tauValue) s ≤ Δt = \(dt) s: the Euler step would overshoot (λ ≤ 0)") }
                let leak = Float(1 - dt / tauValue)
                let neuron = try makeNeuron(node, threshold: threshold, reset: reset, gain: rValue * dt / tauValue,
                                            pendingScale: &pendingScale, shape: shape,
                                            model: .leakyIntegrateAndFire(leak: leak, training: .fixed))
                neuron.forEach { add($0, node) }
            case .currentBasedLIF(let c):
                guard c.leakVoltage.values.allSatisfy({ $0 == 0 }) else { throw reject("v_leak ≠ 0 (the package's neurons leak towards 0)") }
                let tauSyn = Double(try uniform(c.synapticTau, "tau_syn", node: node, shape: shape))
                guard abs(tauSyn - dt) <= 1e-6 * dt else {
                    throw reject("τ_syn = \(tauSyn) s ≠ Δt = \(dt) s: a synaptic current that outlasts one step has no counterpart in the package's neurons")
                }
                let tauMem = Double(try uniform(c.membraneTau, "tau_mem", node: node, shape: shape))
                guard tauMem > dt else { throw reject("τ_mem = \(tauMem) s ≤ Δt = \(dt) s (λ ≤ 0)") }
                let rValue = Double(try uniform(c.r, "r", node: node, shape: shape))
                let wIn = Double(try uniform(c.inputWeight, "w_in", node: node, shape: shape))
                let neuron = try makeNeuron(node, threshold: c.threshold, reset: c.reset, gain: wIn * rValue * dt / tauMem,
                                            pendingScale: &pendingScale, shape: shape,
                                            model: .leakyIntegrateAndFire(leak: Float(1 - dt / tauMem), training: .fixed))
                neuron.forEach { add($0, node) }
            }
        }
        let timesteps = metadata[NIRMetadataKey.timesteps].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        return ImportedNetwork(network: Sequential(layers), inputShape: inputShape, nodeNames: names,
                               timesteps: timesteps)
    }

    /// The one value of a per-neuron parameter (shape `[]`, `[1]` or the neurons' shape).
    private func uniform(_ a: NIRArray, _ parameter: String, node: NIRNode, shape: [Int]) throws -> Float {
        guard a.values.count == 1 || a.shape == shape else {
            throw NIRError.shapeMismatch(node: node.name, detail: "'\(parameter)' has shape \(a.shape), the neurons \(shape)")
        }
        guard let value = a.uniformValue else {
            throw NIRError.notRepresentable(node: node.name,
                                            reason: "\(node.kind.typeName): '\(parameter)' differs between neurons (the package's neuron layers share one value)")
        }
        return value
    }

    /// The value of a per-neuron parameter in each channel (dimension 0 of `shape`; each
    /// feature of a `[F]` layer is its own channel), or one value when all neurons share it.
    private func perChannel(_ a: NIRArray, _ parameter: String, node: NIRNode, shape: [Int]) throws -> [Float] {
        guard a.values.count == 1 || a.shape == shape else {
            throw NIRError.shapeMismatch(node: node.name, detail: "'\(parameter)' has shape \(a.shape), the neurons \(shape)")
        }
        if let value = a.uniformValue { return [value] }
        let inner = shape.dropFirst().reduce(1, *)
        let values = stride(from: 0, to: a.values.count, by: inner).map { a.values[$0] }
        guard a.values.indices.allSatisfy({ a.values[$0] == values[$0 / inner] }) else {
            throw NIRError.notRepresentable(node: node.name,
                                            reason: "\(node.kind.typeName): '\(parameter)' differs within a channel (the package takes one value per layer or per channel)")
        }
        return values
    }

    /// A neuron layer with input gain g: v[t] = λ·v[t−1] + g·x[t] fires when v ≥ θ, the same
    /// spikes as v'[t] = λ·v'[t−1] + x[t] with θ' = θ/g (v' = v/g; reset to 0 and by
    /// subtraction of θ' scale alike). A Scale reaching the neuron multiplies g. Thresholds
    /// θ_c per channel work the same way per channel: a ChannelScale with θ/θ_c in front of a
    /// neuron with θ, the value most channels share (their factor is exactly 1).
    private func makeNeuron(_ node: NIRNode, threshold: NIRArray, reset: NIRArray, gain: Double,
                            pendingScale: inout [Float]?, shape: [Int], model: NeuronModel) throws -> [any Layer] {
        let thetas = try perChannel(threshold, "v_threshold", node: node, shape: shape)
        guard thetas.allSatisfy({ $0 > 0 }) else {
            throw NIRError.notRepresentable(node: node.name, reason: "\(node.kind.typeName): thresholds must be positive")
        }
        // The most common θ_c (the smallest among equally common ones): exact for its channels.
        let counts = Dictionary(thetas.map { ($0, 1) }, uniquingKeysWith: +)
        let theta = counts.keys.max { (counts[$0]!, -$0) < (counts[$1]!, -$1) }!
        let channelScale = thetas.count == 1 ? nil : ChannelScale(thetas.map { theta / $0 })
        guard reset.values.allSatisfy({ $0 == 0 }) else {
            throw NIRError.notRepresentable(node: node.name, reason: "\(node.kind.typeName): v_reset ≠ 0 (the package resets to 0 or by subtraction)")
        }
        var g = gain
        if let s = pendingScale {
            guard let u = s.first, s.allSatisfy({ $0 == u }), u > 0 else {
                throw NIRError.notRepresentable(node: node.name, reason: "a Scale before it that is not one positive factor")
            }
            g *= Double(u)
            pendingScale = nil
        }
        guard g > 0, theta > 0 else {
            throw NIRError.notRepresentable(node: node.name, reason: "\(node.kind.typeName): input gain \(g) and threshold \(theta) must be positive")
        }
        let mode: ResetMode
        switch node.metadata[NIRMetadataKey.reset] {
        case nil, ResetMode.zero.rawValue?: mode = .zero
        case ResetMode.subtraction.rawValue?: mode = .subtraction
        case let other?: throw NIRError.notRepresentable(node: node.name, reason: "metadata reset = '\(other)' (subtraction or zero)")
        }
        let effective = g == 1 ? theta : Float(Double(theta) / g)
        let neuron = SpikingNeuron(threshold: effective, model: model, reset: mode, amplitude: .unit)
        return (channelScale.map { [$0] } ?? []) + [neuron]
    }
}
