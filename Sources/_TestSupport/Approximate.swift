import TensorCore

/// Largest |a − b| over all elements (shapes must match).
public func maxAbsoluteDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "shapes differ: \(a.shape) vs \(b.shape)")
    var m: Float = 0
    for i in 0..<a.count { m = Swift.max(m, Swift.abs(a[flat: i] - b[flat: i])) }
    return m
}

/// Whether every element satisfies |a − b| ≤ atol + rtol·|b| (NumPy's `allclose` rule).
public func isApproximatelyEqual(_ a: Tensor, _ b: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6) -> Bool {
    guard a.shape == b.shape else { return false }
    for i in 0..<a.count where Swift.abs(a[flat: i] - b[flat: i]) > atol + rtol * Swift.abs(b[flat: i]) {
        return false
    }
    return true
}
