import Testing
import TensorCore

/// Element-wise arithmetic against hand-computed values, the single-element broadcast on
/// either side, and the parallel path (≥ 2·32 768 elements) against a scalar loop.
@Suite("Element-wise arithmetic")
struct ElementwiseTests {
    let a = Tensor(shape: [2, 2], scalars: [1, -2, 3.5, 0])
    let b = Tensor(shape: [2, 2], scalars: [4, 0.5, -1, 2])

    @Test func binaryOpsMatchHandValues() {
        #expect((a + b).scalars == [5, -1.5, 2.5, 2])
        #expect((a - b).scalars == [-3, -2.5, 4.5, -2])
        #expect((a * b).scalars == [4, -1, -3.5, 0])
        #expect((a / b).scalars == [0.25, -4, -3.5, 0])
        #expect((a + b).shape == [2, 2])
    }

    @Test func scalarOpsMatchHandValues() {
        #expect((a * 2).scalars == [2, -4, 7, 0])
        #expect((3 * a).scalars == [3, -6, 10.5, 0])
        #expect((a + 1).scalars == [2, -1, 4.5, 1])
        #expect((a - 1).scalars == [0, -3, 2.5, -1])
        #expect((-a).scalars == [-1, 2, -3.5, -0])
    }

    /// A one-element tensor (rank 0 or shape [1]) broadcasts against any shape, on either side,
    /// and the result takes the shape of the larger operand.
    @Test(arguments: [[Int](), [1], [1, 1]])
    func singleElementBroadcast(_ scalarShape: [Int]) {
        let s = Tensor(shape: scalarShape, scalars: [2])
        #expect((a + s).scalars == [3, 0, 5.5, 2])
        #expect((s + a).scalars == [3, 0, 5.5, 2])
        #expect((a - s).scalars == [-1, -4, 1.5, -2])
        #expect((s - a).scalars == [1, 4, -1.5, 2])
        #expect((a * s).scalars == [2, -4, 7, 0])
        #expect((s / b).scalars == [0.5, 4, -2, 1])
        #expect((b / s).scalars == [2, 0.25, -0.5, 1])
        #expect((s * a).shape == [2, 2])
    }

    @Test func activationsMatchHandValues() {
        let x = Tensor(shape: [5], scalars: [-2, -0.5, 0, 0.5, 3])
        #expect(x.relu().scalars == [0, 0, 0, 0.5, 3])
        #expect(x.clamped(to: -1, 1).scalars == [-1, -0.5, 0, 0.5, 1])
        #expect(x.squared().scalars == [4, 0.25, 0, 0.25, 9])
        #expect(x.map { $0 * 10 + 1 }.scalars == [-19, -4, 1, 6, 31])
    }

    /// Sizes on both sides of the single-thread threshold (2·32 768), so that both the serial
    /// and the two-worker path are compared with a plain loop.
    @Test(arguments: [1, 1000, 65_535, 65_536, 100_003])
    func largeTensorsMatchScalarLoop(_ n: Int) {
        var rng = SeededGenerator(seed: UInt64(n))
        let x = Tensor.uniform(shape: [n], low: -1, high: 1, using: &rng)
        let y = Tensor.uniform(shape: [n], low: 0.5, high: 2, using: &rng)
        let (xs, ys) = (x.scalars, y.scalars)
        #expect((x + y).scalars == zip(xs, ys).map { $0 + $1 })
        #expect((x * y).scalars == zip(xs, ys).map { $0 * $1 })
        #expect((x / y).scalars == zip(xs, ys).map { $0 / $1 })
        #expect(x.relu().scalars == xs.map { max($0, 0) })
        var acc = x
        acc.add(y, scaledBy: -0.5)
        #expect(acc.scalars == zip(xs, ys).map { $0 + -0.5 * $1 })
    }
}
