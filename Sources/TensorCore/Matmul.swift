import COpenBLAS

/// Whether a matrix operand is used as stored or transposed.
public enum Transpose: Sendable { case none, transposed }

extension Tensor {
    /// Matrix product C = op(A)·op(B) of 2-D tensors through OpenBLAS `cblas_sgemm`.
    ///
    /// Shapes: op(A) `[M, K]`, op(B) `[K, N]` → `[M, N]`. Cost 2·M·N·K flops.
    public static func matmul(_ a: Tensor, _ transposeA: Transpose = .none,
                              _ b: Tensor, _ transposeB: Transpose = .none) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matmul needs 2-D tensors, got \(a.shape) · \(b.shape)")
        let (m, k) = transposeA == .none ? (a.shape[0], a.shape[1]) : (a.shape[1], a.shape[0])
        let (k2, n) = transposeB == .none ? (b.shape[0], b.shape[1]) : (b.shape[1], b.shape[0])
        precondition(k == k2, "matmul inner dimensions differ: \(a.shape)\(transposeA == .none ? "" : "ᵀ") · \(b.shape)\(transposeB == .none ? "" : "ᵀ")")
        var c = Tensor(shape: [m, n])
        if m == 0 || n == 0 { return c }
        if k == 0 { return c }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    cblas_sgemm(CblasRowMajor,
                                transposeA == .none ? CblasNoTrans : CblasTrans,
                                transposeB == .none ? CblasNoTrans : CblasTrans,
                                Int32(m), Int32(n), Int32(k), 1,
                                pa.baseAddress, Int32(a.shape[1]),
                                pb.baseAddress, Int32(b.shape[1]), 0,
                                pc.baseAddress, Int32(n))
                }
            }
        }
        return c
    }

    /// Reference triple loop for `matmul` (tests only).
    public static func matmulReference(_ a: Tensor, _ transposeA: Transpose = .none,
                                       _ b: Tensor, _ transposeB: Transpose = .none) -> Tensor {
        let (m, k) = transposeA == .none ? (a.shape[0], a.shape[1]) : (a.shape[1], a.shape[0])
        let n = transposeB == .none ? b.shape[1] : b.shape[0]
        var c = Tensor(shape: [m, n])
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let x = transposeA == .none ? a[i, p] : a[p, i]
                    let y = transposeB == .none ? b[p, j] : b[j, p]
                    s += Double(x) * Double(y)
                }
                c[i, j] = Float(s)
            }
        }
        return c
    }
}
