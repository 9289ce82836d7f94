import TensorCore

/// Element-wise arithmetic on variables. Operands have equal shapes, or one holds a single
/// element (scalar broadcast: its gradient is the sum of the broadcast gradient).
extension Variable {
    /// Reduces a gradient to the shape of an operand that was broadcast from one element.
    static func unbroadcast(_ g: Tensor, to operand: Tensor) -> Tensor {
        operand.count == 1 && g.count != 1 ? Tensor(shape: operand.shape, scalars: [g.sum()]) : g
    }

    /// a + b;  ∂/∂a = 1, ∂/∂b = 1
    public static func + (a: Variable, b: Variable) -> Variable {
        custom(a.value + b.value, inputs: [a, b]) { g in
            [unbroadcast(g, to: a.value), unbroadcast(g, to: b.value)]
        }
    }

    /// a − b;  ∂/∂a = 1, ∂/∂b = −1
    public static func - (a: Variable, b: Variable) -> Variable {
        custom(a.value - b.value, inputs: [a, b]) { g in
            [unbroadcast(g, to: a.value), unbroadcast(-g, to: b.value)]
        }
    }

    /// a ⊙ b;  ∂/∂a = b, ∂/∂b = a
    public static func * (a: Variable, b: Variable) -> Variable {
        custom(a.value * b.value, inputs: [a, b]) { g in
            [a.requiresGrad ? unbroadcast(g * b.value, to: a.value) : nil,
             b.requiresGrad ? unbroadcast(g * a.value, to: b.value) : nil]
        }
    }

    /// a / b;  ∂/∂a = 1/b, ∂/∂b = −a/b²
    public static func / (a: Variable, b: Variable) -> Variable {
        custom(a.value / b.value, inputs: [a, b]) { g in
            [a.requiresGrad ? unbroadcast(g / b.value, to: a.value) : nil,
             b.requiresGrad ? unbroadcast(-(g * a.value) / (b.value * b.value), to: b.value) : nil]
        }
    }

    /// s·a for a constant s.
    public static func * (a: Variable, s: Float) -> Variable {
        custom(a.value * s, inputs: [a]) { g in [g * s] }
    }

    public static func * (s: Float, a: Variable) -> Variable { a * s }

    /// a + s for a constant s.
    public static func + (a: Variable, s: Float) -> Variable {
        custom(a.value + s, inputs: [a]) { g in [g] }
    }

    /// a², element-wise;  ∂/∂a = 2a
    public func squared() -> Variable {
        Variable.custom(value.squared(), inputs: [self]) { g in [g * self.value * 2] }
    }

    /// |a|, element-wise;  ∂/∂a = sign(a) (0 at 0)
    public func abs() -> Variable {
        Variable.custom(value.map { Swift.abs($0) }, inputs: [self]) { g in
            [Tensor.zipMap(g, self.value) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }]
        }
    }
}
