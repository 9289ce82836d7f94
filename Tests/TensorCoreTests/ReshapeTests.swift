import Testing
import TensorCore

/// Reshaping keeps the row-major element order and infers one extent written as −1.
@Suite("Reshape")
struct ReshapeTests {
    static let cases: [(from: [Int], to: [Int], expected: [Int])] = [
        ([2, 3, 4], [-1, 4], [6, 4]),
        ([2, 3, 4], [4, -1], [4, 6]),
        ([2, 3, 4], [2, -1, 3], [2, 4, 3]),
        ([2, 3, 4], [-1], [24]),
        ([24], [1, -1, 1], [1, 24, 1]),
        ([0, 5], [-1, 5], [0, 5]),
    ]

    @Test(arguments: cases)
    func inferredExtent(_ c: (from: [Int], to: [Int], expected: [Int])) {
        let n = c.from.reduce(1, *)
        let t = Tensor(shape: c.from, scalars: (0..<n).map(Float.init))
        let r = t.reshaped(c.to)
        #expect(r.shape == c.expected)
        #expect(r.scalars == t.scalars, "reshape must keep row-major order")
    }

    /// Element [i, j, k] of a [2, 3, 4] tensor is element [i·3 + j, k] of its [6, 4] reshape.
    @Test func multiIndexFollowsRowMajorOrder() {
        var rng = SeededGenerator(seed: 1)
        let t = Tensor.uniform(shape: [2, 3, 4], using: &rng)
        let r = t.reshaped([-1, 4])
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 {
            #expect(t[i, j, k] == r[i * 3 + j, k])
        }}}
    }

    @Test func mismatchedCountStops() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor(shape: [2, 3]).reshaped([4, -1])
        }
    }
}
