import Testing
import Autodiff
import _TestSupport
import TensorCore

/// Fully-connected map y = x·Wᵀ + b and the plain matrix product against central differences
/// and a hand example.
@Suite("Linear and matmul gradients")
struct LinearGradientTests {
    /// (batch, in, out) including a single row and a single output.
    static let shapes = [(5, 7, 3), (1, 4, 6), (8, 3, 1)]

    @Test(arguments: shapes, [true, false])
    func linearMatchesFiniteDifferences(_ shape: (Int, Int, Int), withBias: Bool) {
        let (n, inputs, outputs) = shape
        let x = Fixture.uniform([n, inputs], -1, 1, seed: 50)
        let w = Fixture.uniform([outputs, inputs], -1, 1, seed: 51)
        let b = Fixture.uniform([outputs], -1, 1, seed: 52)
        expectGradient("linear \(shape) bias \(withBias)", at: withBias ? [x, w, b] : [x, w]) { v in
            randomProjection(of: Variable.linear(v[0], weight: v[1], bias: withBias ? v[2] : nil))
        }
    }

    /// x = [[1, 2]], W = [[1, 0], [0.5, −1], [2, 3]], b = [0.5, 0, −1]:
    /// y = x·Wᵀ + b = [1.5, −1.5, 7];  for L = Σy: ∂L/∂x = Σ rows of W = [3.5, 2],
    /// ∂L/∂W = x in every row, ∂L/∂b = 1.
    @Test func linearHandValues() {
        let x = Variable(leaf: Tensor(shape: [1, 2], scalars: [1, 2]))
        let w = Variable(leaf: Tensor(shape: [3, 2], scalars: [1, 0, 0.5, -1, 2, 3]))
        let b = Variable(leaf: Tensor(shape: [3], scalars: [0.5, 0, -1]))
        let y = Variable.linear(x, weight: w, bias: b)
        #expect(y.value.shape == [1, 3])
        #expect(y.value.scalars == [1.5, -1.5, 7])
        y.sum().backward()
        #expect(x.grad?.scalars == [3.5, 2])
        #expect(w.grad?.scalars == [1, 2, 1, 2, 1, 2])
        #expect(b.grad?.scalars == [1, 1, 1])
    }

    @Test(arguments: [(1, 1, 1), (3, 5, 2), (7, 2, 9)])
    func matmulMatchesFiniteDifferences(_ shape: (Int, Int, Int)) {
        let (m, k, n) = shape
        let a = Fixture.uniform([m, k], -1, 1, seed: 53)
        let b = Fixture.uniform([k, n], -1, 1, seed: 54)
        expectGradient("matmul \(shape)", at: [a, b]) { v in
            randomProjection(of: Variable.matmul(v[0], v[1]))
        }
    }
}
