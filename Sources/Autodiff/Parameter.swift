import TensorCore

/// A trainable tensor with its gradient. Layers hold parameters; optimisers update them.
///
/// A parameter is a reference so that an optimiser, a layer and a regulariser all see the same
/// tensor; the value inside is a copy-on-write `Tensor`, so snapshotting a parameter
/// (`parameter.value`) gives an independent value (conversion relies on this to leave an ANN
/// untouched).
public final class Parameter {
    /// What the parameter is, so optimisers can treat kinds differently (weight decay on
    /// weights only, for example). The graph module knows the kinds every network has; a
    /// module that adds a kind declares it beside the layers that use it (the neuron
    /// threshold and leak in SpikingNeurons, the activation clip in NeuralNetworks).
    public struct Role: RawRepresentable, Hashable, Sendable, Codable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let weight = Role(rawValue: "weight")
        public static let bias = Role(rawValue: "bias")
        public static let normScale = Role(rawValue: "normScale")
        public static let normShift = Role(rawValue: "normShift")
        public static let other = Role(rawValue: "other")
    }

    public var value: Tensor
    public var grad: Tensor?
    /// A 0/1 mask for sparse training: optimisers re-apply it after every step, so masked
    /// weights stay exactly zero. nil means dense.
    public var mask: Tensor?
    public let name: String
    public let role: Role

    public init(_ value: Tensor, name: String, role: Role) {
        self.value = value
        self.name = name
        self.role = role
    }

    /// A graph leaf for this parameter: gradients reaching it accumulate into `grad`.
    public var variable: Variable { Variable(parameter: self) }

    /// Clears the gradient before the next step.
    public func zeroGrad() { grad = nil }
}
