import TensorCore

/// Matrix products.
extension Variable {
    /// Affine map of a batch of rows, the core of a fully-connected layer:
    ///
    ///     y = x·Wᵀ (+ b)     x [N, in], W [out, in], b [out] → y [N, out]
    ///     ∂L/∂x = g·W,  ∂L/∂W = gᵀ·x,  ∂L/∂b = Σₙ g
    public static func linear(_ x: Variable, weight w: Variable, bias b: Variable? = nil) -> Variable {
        precondition(x.value.rank == 2 && w.value.rank == 2 && x.value.shape[1] == w.value.shape[1],
                     "linear: x \(x.shape) and weight \(w.shape) do not fit")
        var y = Tensor.matmul(x.value, .none, w.value, .transposed)
        if let b { y = addRowBias(y, b.value) }
        let inputs = b.map { [x, w, $0] } ?? [x, w]
        return custom(y, inputs: inputs) { g in
            var grads: [Tensor?] = [
                x.requiresGrad ? Tensor.matmul(g, .none, w.value, .none) : nil,
                w.requiresGrad ? Tensor.matmul(g, .transposed, x.value, .none) : nil,
            ]
            if b != nil { grads.append(g.sumPerChannel()) }
            return grads
        }
    }

    /// Matrix product a·b of 2-D variables.
    public static func matmul(_ a: Variable, _ b: Variable) -> Variable {
        custom(Tensor.matmul(a.value, .none, b.value, .none), inputs: [a, b]) { g in
            [a.requiresGrad ? Tensor.matmul(g, .none, b.value, .transposed) : nil,
             b.requiresGrad ? Tensor.matmul(a.value, .transposed, g, .none) : nil]
        }
    }

    /// y[n, j] = x[n, j] + b[j]
    static func addRowBias(_ x: Tensor, _ b: Tensor) -> Tensor {
        var y = x
        let cols = b.count
        y.withUnsafeMutableBufferPointer { py in
            b.withUnsafeBufferPointer { pb in
                for r in 0..<(py.count / cols) {
                    for j in 0..<cols { py[r * cols + j] += pb[j] }
                }
            }
        }
        return y
    }
}
