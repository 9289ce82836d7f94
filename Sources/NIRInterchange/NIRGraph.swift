/// An array of a NIR node parameter: values in row-major order and their shape (`[]` for a
/// scalar). NIR shapes never include the batch or the time dimension.
public struct NIRArray: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Float]

    /// - Precondition: `values.count` is the product of `shape`.
    public init(shape: [Int], values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        self.shape = shape
        self.values = values
    }

    /// `shape` filled with `value` (a per-neuron parameter that is the same for every neuron).
    public init(shape: [Int], repeating value: Float) {
        self.init(shape: shape, values: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// The one value every element holds, or nil when they differ.
    public var uniformValue: Float? {
        guard let first = values.first, values.allSatisfy({ $0 == first }) else { return nil }
        return first
    }
}

/// The NIR primitives this package reads and writes (NIR 1.0, nir ≥ 1.0.6, which added
/// `v_reset`). Each case holds the node's parameters under their NIR meaning; docs/nir.md
/// states how each maps onto the package's layers and neurons.
public enum NIRNodeKind: Equatable, Sendable {
    /// The graph's input, one image per step: `shape` = `[C, H, W]` or `[features]`.
    case input(shape: [Int])
    /// The graph's output.
    case output(shape: [Int])
    /// y = W·x + b, W `[out, in]`, b `[out]`.
    case affine(weight: NIRArray, bias: NIRArray)
    /// y = W·x, W `[out, in]`.
    case linear(weight: NIRArray)
    /// 2-D convolution: W `[C_out, C_in, k_h, k_w]`, b `[C_out]`; `inputSize` = `[H, W]`.
    case conv2d(Conv2dParameters)
    /// Flattens dimensions `startDim…endDim` of the per-image shape `inputShape`.
    case flatten(inputShape: [Int], startDim: Int, endDim: Int)
    /// Average of each k_h × k_w window.
    case averagePool2d(kernelSize: [Int], stride: [Int], padding: [Int])
    /// Sum of each k_h × k_w window.
    case sumPool2d(kernelSize: [Int], stride: [Int], padding: [Int])
    /// y = x ⊙ s, element-wise.
    case scale(NIRArray)
    /// Integrate-and-fire: dv/dt = r·I; spike when v > v_threshold, then v ← v_reset.
    case integrateAndFire(r: NIRArray, threshold: NIRArray, reset: NIRArray)
    /// Leaky integrate-and-fire: τ·dv/dt = (v_leak − v) + r·I; spike when v > v_threshold,
    /// then v ← v_reset.
    case leakyIntegrateAndFire(tau: NIRArray, r: NIRArray, leakVoltage: NIRArray, threshold: NIRArray,
                               reset: NIRArray)
    /// Current-based LIF: τ_syn·dI/dt = −I + w_in·S, τ_mem·dv/dt = (v_leak − v) + r·I, the same
    /// threshold and reset.
    case currentBasedLIF(CurrentBasedLIF)

    /// NIR's type string (the `type` dataset of the node's group).
    public var typeName: String {
        switch self {
        case .input: "Input"
        case .output: "Output"
        case .affine: "Affine"
        case .linear: "Linear"
        case .conv2d: "Conv2d"
        case .flatten: "Flatten"
        case .averagePool2d: "AvgPool2d"
        case .sumPool2d: "SumPool2d"
        case .scale: "Scale"
        case .integrateAndFire: "IF"
        case .leakyIntegrateAndFire: "LIF"
        case .currentBasedLIF: "CubaLIF"
        }
    }
}

/// A NIR Conv2d node's parameters.
public struct Conv2dParameters: Equatable, Sendable {
    public var weight: NIRArray          // [C_out, C_in, k_h, k_w]
    public var bias: NIRArray            // [C_out]
    public var stride: [Int]             // [s_h, s_w]
    public var padding: [Int]            // [p_h, p_w]
    public var dilation: [Int]           // [d_h, d_w]
    public var groups: Int
    /// `[H, W]` of the input.
    public var inputSize: [Int]

    public init(weight: NIRArray, bias: NIRArray, stride: [Int], padding: [Int], dilation: [Int] = [1, 1],
                groups: Int = 1, inputSize: [Int]) {
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.inputSize = inputSize
    }

    /// `[H_out, W_out]`: ⌊(H + 2p − d·(k − 1) − 1)/s⌋ + 1 per axis.
    public var outputSize: [Int] {
        (0..<2).map { i in
            (inputSize[i] + 2 * padding[i] - dilation[i] * (weight.shape[2 + i] - 1) - 1) / stride[i] + 1
        }
    }
}

/// A NIR CubaLIF node's parameters.
public struct CurrentBasedLIF: Equatable, Sendable {
    public var synapticTau: NIRArray
    public var membraneTau: NIRArray
    public var r: NIRArray
    public var leakVoltage: NIRArray
    public var threshold: NIRArray
    public var reset: NIRArray
    public var inputWeight: NIRArray

    public init(synapticTau: NIRArray, membraneTau: NIRArray, r: NIRArray, leakVoltage: NIRArray,
                threshold: NIRArray, reset: NIRArray, inputWeight: NIRArray) {
        self.synapticTau = synapticTau
        self.membraneTau = membraneTau
        self.r = r
        self.leakVoltage = leakVoltage
        self.threshold = threshold
        self.reset = reset
        self.inputWeight = inputWeight
    }
}

/// One named node of a graph, with NIR's free-form metadata (strings here; the package writes
/// the discrete-time facts NIR has no field for, docs/nir.md §3).
public struct NIRNode: Equatable, Sendable {
    public var name: String
    public var kind: NIRNodeKind
    public var metadata: [String: String]

    public init(_ name: String, _ kind: NIRNodeKind, metadata: [String: String] = [:]) {
        self.name = name
        self.kind = kind
        self.metadata = metadata
    }
}

/// A NIR graph: nodes and directed edges (source name, target name), plus graph metadata.
/// The package builds and runs chains (Input → … → Output); a file may hold any graph, and
/// import rejects what is not a chain.
public struct NIRGraph: Equatable, Sendable {
    public var nodes: [NIRNode]
    public var edges: [(String, String)]
    public var metadata: [String: String]

    public init(nodes: [NIRNode], edges: [(String, String)], metadata: [String: String] = [:]) {
        self.nodes = nodes
        self.edges = edges
        self.metadata = metadata
    }

    /// A chain: each node feeds the next.
    public init(chain nodes: [NIRNode], metadata: [String: String] = [:]) {
        self.init(nodes: nodes, edges: zip(nodes, nodes.dropFirst()).map { ($0.name, $1.name) },
                  metadata: metadata)
    }

    public subscript(name: String) -> NIRNode? { nodes.first { $0.name == name } }

    public static func == (a: NIRGraph, b: NIRGraph) -> Bool {
        a.nodes == b.nodes && a.metadata == b.metadata
            && a.edges.map { [$0.0, $0.1] } == b.edges.map { [$0.0, $0.1] }
    }

    /// The nodes in chain order, Input first and Output last.
    ///
    /// - Throws: `NIRError.notAChain` when the graph has branches, cycles, several inputs or
    ///   outputs, or nodes the chain does not reach.
    public func chain() throws -> [NIRNode] {
        let inputs = nodes.filter { if case .input = $0.kind { true } else { false } }
        guard inputs.count == 1, let first = inputs.first else {
            throw NIRError.notAChain("the graph has \(inputs.count) Input nodes (one is needed)")
        }
        var order = [first]
        var seen: Set<String> = [first.name]
        while true {
            let last = order.last!
            let next = edges.filter { $0.0 == last.name }.map(\.1)
            if case .output = last.kind {
                guard next.isEmpty else { throw NIRError.notAChain("Output node '\(last.name)' has outgoing edges") }
                break
            }
            guard next.count == 1, let name = next.first else {
                throw NIRError.notAChain("node '\(last.name)' has \(next.count) outgoing edges (a chain needs one)")
            }
            guard let node = self[name] else { throw NIRError.notAChain("edge to unknown node '\(name)'") }
            guard seen.insert(name).inserted else { throw NIRError.notAChain("node '\(name)' is reached twice (a cycle)") }
            guard edges.filter({ $0.1 == name }).count == 1 else {
                throw NIRError.notAChain("node '\(name)' has several incoming edges")
            }
            order.append(node)
        }
        if order.count != nodes.count {
            let missed = nodes.map(\.name).filter { !seen.contains($0) }
            throw NIRError.notAChain("nodes not on the Input → Output chain: \(missed.joined(separator: ", "))")
        }
        return order
    }
}
