import Testing
import TensorCore
import _TestSupport

/// OpenBLAS GEMM against the triple-loop reference, for every transpose combination and
/// shapes chosen to miss the kernel's block sizes (1, odd, just past a power of two).
@Suite("Matrix product")
struct MatmulTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var m, k, n: Int
        var transposeA, transposeB: Transpose
        var testDescription: String {
            let a = transposeA == .none ? "A" : "Aᵀ", b = transposeB == .none ? "B" : "Bᵀ"
            return "\(m)×\(k)·\(k)×\(n) \(a)\(b)"
        }
    }

    static let shapes = [(1, 1, 1), (7, 13, 5), (65, 3, 129), (128, 256, 64)]
    static let cases: [Case] = shapes.flatMap { m, k, n in
        [Transpose.none, .transposed].flatMap { ta in
            [Transpose.none, .transposed].map { tb in
                Case(m: m, k: k, n: n, transposeA: ta, transposeB: tb)
            }
        }
    }

    /// C = op(A)·op(B) with op(A) [M, K], op(B) [K, N]; max |C − C_ref| ≤ 1e-4·K.
    @Test(arguments: cases)
    func matchesReference(_ c: Case) {
        var rng = SeededGenerator(seed: UInt64(c.m * 1_000_003 + c.k * 1009 + c.n))
        let a = Tensor.uniform(shape: c.transposeA == .none ? [c.m, c.k] : [c.k, c.m],
                               low: -1, high: 1, using: &rng)
        let b = Tensor.uniform(shape: c.transposeB == .none ? [c.k, c.n] : [c.n, c.k],
                               low: -1, high: 1, using: &rng)
        let fast = Tensor.matmul(a, c.transposeA, b, c.transposeB)
        let reference = Tensor.matmulReference(a, c.transposeA, b, c.transposeB)
        #expect(fast.shape == [c.m, c.n])
        let error = maxAbsoluteDifference(fast, reference)
        #expect(error <= 1e-4 * Float(c.k), "max abs diff \(error)")
    }

    /// The reference itself against a hand product, so the comparison above is anchored.
    @Test func referenceMatchesHandProduct() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
        let expected: [Float] = [58, 64, 139, 154]
        #expect(Tensor.matmulReference(a, .none, b, .none).scalars == expected)
        #expect(Tensor.matmul(a, .none, b, .none).scalars == expected)
        // Aᵀᵀ: pass the transposes and ask for them to be transposed back.
        let at = Tensor(shape: [3, 2], scalars: [1, 4, 2, 5, 3, 6])
        let bt = Tensor(shape: [2, 3], scalars: [7, 9, 11, 8, 10, 12])
        #expect(Tensor.matmul(at, .transposed, bt, .transposed).scalars == expected)
    }

    @Test func emptyInnerDimensionGivesZeros() {
        let c = Tensor.matmul(Tensor(shape: [3, 0]), .none, Tensor(shape: [0, 2]), .none)
        #expect(c.shape == [3, 2])
        #expect(c.scalars == [0, 0, 0, 0, 0, 0])
    }
}
