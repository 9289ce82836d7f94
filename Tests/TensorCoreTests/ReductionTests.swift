import Testing
import TensorCore

/// Reductions against Double-precision references and hand values.
@Suite("Reductions")
struct ReductionTests {
    /// Σ of 10⁶ uniform values agrees with a Double sum to 1e-6 relative. A naive Float32
    /// running sum is off by ~7e-6 here, so this checks the blocked accumulation; the odd
    /// count checks the tail after the 4-wide loop.
    @Test(arguments: [1_000_000, 1_000_003])
    func largeSumMatchesDoubleReference(_ n: Int) {
        var rng = SeededGenerator(seed: 2024)
        let x = Tensor.uniform(shape: [n], using: &rng)
        let reference = x.scalars.reduce(0.0) { $0 + Double($1) }
        let relative = abs(Double(x.sum()) - reference) / reference
        #expect(relative < 1e-6, "relative error \(relative)")
        let meanError = abs(Double(x.mean()) - reference / Double(n))
        #expect(meanError < 1e-6, "mean error \(meanError)")
    }

    @Test func smallReductionsMatchHandValues() {
        let x = Tensor(shape: [2, 3], scalars: [1, -4, 2.5, 0, 7, -1])
        #expect(x.sum() == 5.5)
        #expect(abs(x.mean() - 5.5 / 6) < 1e-7)
        #expect(x.max() == 7)
        #expect(x.min() == -4)
        #expect(Tensor(shape: [3], scalars: [1, 2, 3]).sum() == 6)   // shorter than one 4-block
    }

    @Test func argmaxRowsMatchesHandValues() {
        let x = Tensor(shape: [4, 3], scalars: [
            0.1, 0.7, 0.2,     // 1
            -5, -3, -4,        // 1 (all negative)
            9, 1, 9,           // 0 (tie: first)
            0, 0, 0.5,         // 2 (last)
        ])
        #expect(x.argmaxRows() == [1, 1, 0, 2])
        #expect(Tensor(shape: [3, 1], scalars: [4, -1, 0]).argmaxRows() == [0, 0, 0])
    }

    /// argmaxRows on random data agrees with a per-row search written independently.
    @Test func argmaxRowsMatchesLoop() {
        var rng = SeededGenerator(seed: 5)
        let x = Tensor.normal(shape: [50, 10], using: &rng)
        let expected = (0..<50).map { r in
            (0..<10).max { x[r, $0] < x[r, $1] }!
        }
        #expect(x.argmaxRows() == expected)
    }

    @Test(arguments: [[3, 4], [2, 3, 5, 7], [1, 6, 2], [4, 1, 3, 3]])
    func sumPerChannelMatchesLoops(_ shape: [Int]) {
        var rng = SeededGenerator(seed: UInt64(shape.reduce(1, *)))
        let x = Tensor.uniform(shape: shape, low: -1, high: 1, using: &rng)
        let n = shape[0], c = shape[1], inner = x.count / (n * c)
        let sums = x.sumPerChannel()
        #expect(sums.shape == [c])
        for ch in 0..<c {
            var reference = 0.0
            for i in 0..<n { for j in 0..<inner {
                reference += Double(x[flat: (i * c + ch) * inner + j])
            }}
            #expect(abs(Double(sums[flat: ch]) - reference) < 1e-5, "channel \(ch)")
        }
    }

    /// Split between workers in blocks: the count of a large map is its element-by-element count
    /// (a ragged last block, and sizes below one worker's share).
    @Test(arguments: [1, 1_023, 32_768, 100_003, 1_000_001])
    func nonZeroCountIsTheCount(_ n: Int) {
        var rng = SeededGenerator(seed: UInt64(n))
        let x = Tensor.uniform(shape: [n], using: &rng).map { $0 < 0.07 ? 2.5 : 0 }
        #expect(x.nonZeroCount() == x.scalars.filter { $0 != 0 }.count)
    }
}
