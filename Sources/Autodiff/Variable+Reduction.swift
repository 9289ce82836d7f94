import TensorCore

/// Reductions to a scalar.
extension Variable {
    /// Σ x;  ∂/∂x = 1
    public func sum() -> Variable {
        let shape = value.shape
        return Variable.custom(Tensor(value.sum()), inputs: [self]) { g in
            [Tensor(shape: shape, repeating: g.scalar)]
        }
    }

    /// mean(x);  ∂/∂x = 1/n
    public func mean() -> Variable {
        let shape = value.shape, n = Float(Swift.max(value.count, 1))
        return Variable.custom(Tensor(value.mean()), inputs: [self]) { g in
            [Tensor(shape: shape, repeating: g.scalar / n)]
        }
    }
}
