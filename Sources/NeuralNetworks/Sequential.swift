import Autodiff

/// Layers applied in order: y = f_L(…f_2(f_1(x))).
public final class Sequential: Layer {
    public var layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }

    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        layers.reduce(x) { $1.forward($0, context: &context) }
    }

    /// The output of every layer, in order (the last one is the network's output).
    public func forwardCollecting(_ x: Variable, context: inout ForwardContext) -> [Variable] {
        var outputs: [Variable] = []
        var h = x
        for layer in layers {
            h = layer.forward(h, context: &context)
            outputs.append(h)
        }
        return outputs
    }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    public var children: [any Layer] { layers }

    public var summary: String {
        "Sequential(\n" + layers.enumerated().map { "  [\($0.offset)] \($0.element.summary)" }
            .joined(separator: "\n") + "\n)"
    }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}
