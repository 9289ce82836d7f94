import Testing
import TensorCore
import _TestSupport

/// The linear layer of a simulation whose input is spikes: the kernel against its own
/// arithmetic written out in Swift (same bits), against the dense product (rounding), and its
/// independence of the worker count and of the row tiling.
@Suite("Sparse linear layer for inference")
struct SparseLinearTests {
    /// x [m, inputs] with about `density` non-zeros: spikes of amplitude θ, or pooled spikes
    /// (multiples of θ/4) when `pooled`.
    static func inputs(m: Int, inputs: Int, outputs: Int, density: Double, pooled: Bool, bias: Bool,
                       seed: UInt64) -> (x: Tensor, w: Tensor, b: Tensor?) {
        var rng = SeededGenerator(seed: seed)
        let theta: Float = 7.3
        let x = Tensor.uniform(shape: [m, inputs], using: &rng).map { u -> Float in
            guard u < Float(density) else { return 0 }
            return pooled ? theta * Float(1 + Int(u / Float(density) * 4) % 4) / 4 : theta
        }
        let w = Tensor.uniform(shape: [outputs, inputs], low: -1, high: 1, using: &rng)
        let b = bias ? Tensor.uniform(shape: [outputs], low: -1, high: 1, using: &rng) : nil
        return (x, w, b)
    }

    static func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    // (rows, inputs, outputs, density, pooled, bias): outputs below, at and across the kernel's
    // 32-output block; more rows than one tile (32) and a ragged last tile; an all-zero row.
    static let cases: [(Int, Int, Int, Double, Bool, Bool)] = [
        (5, 40, 10, 0.2, false, false), (37, 3136, 256, 0.05, true, false), (70, 100, 33, 0.3, false, true),
        (33, 256, 10, 0.07, false, true), (4, 17, 64, 0.0, false, true),
    ]

    @Test(arguments: cases)
    func kernelIsItsArithmeticInSwiftBitForBit(_ c: (Int, Int, Int, Double, Bool, Bool)) {
        let (x, w, b) = Self.inputs(m: c.0, inputs: c.1, outputs: c.2, density: c.3, pooled: c.4, bias: c.5,
                                    seed: UInt64(c.0 * 7 + c.1 + c.2))
        let y = Tensor.sparseLinear(x, weight: w, bias: b)
        #expect(y.shape == [c.0, c.2])
        #expect(Self.bits(y) == Self.bits(Tensor.sparseLinearReference(x, weight: w, bias: b)))
    }

    @Test(arguments: cases)
    func agreesWithTheDenseProduct(_ c: (Int, Int, Int, Double, Bool, Bool)) {
        let (x, w, b) = Self.inputs(m: c.0, inputs: c.1, outputs: c.2, density: c.3, pooled: c.4, bias: c.5,
                                    seed: UInt64(c.0 * 7 + c.1 + c.2))
        var dense = Tensor.matmulReference(x, .none, w, .transposed)
        if let b {
            let bs = b.scalars
            dense = Tensor(shape: dense.shape, scalars: dense.scalars.enumerated().map { $1 + bs[$0 % c.2] })
        }
        let y = Tensor.sparseLinear(x, weight: w, bias: b).scalars
        for (i, d) in dense.scalars.enumerated() {
            #expect(abs(y[i] - d) <= 1e-5 * Swift.max(1, abs(d)) * Float(c.1).squareRoot(), "output \(i): \(y[i]) vs \(d)")
        }
    }

    @Test func bitsDoNotDependOnTheWorkerCount() {
        let (x, w, b) = Self.inputs(m: 67, inputs: 500, outputs: 96, density: 0.1, pooled: true, bias: true, seed: 9)
        let saved = ExecutionPolicy.current.workers
        defer { ExecutionPolicy.update { $0.workers = saved } }
        let split = [1, 2, 3].map { workers in
            ExecutionPolicy.update { $0.workers = workers }
            return Self.bits(Tensor.sparseLinear(x, weight: w, bias: b))
        }
        #expect(split[1] == split[0] && split[2] == split[0])
        let two = split[1]
        // Row by row (each row alone is one tile of one row) gives the same bits as well.
        for row in [0, 31, 32, 66] {
            let single = Tensor(shape: [1, 500], scalars: Array(x.scalars[row * 500..<(row + 1) * 500]))
            let alone = Tensor.sparseLinear(single, weight: w, bias: b)
            #expect(Self.bits(alone) == Array(two[row * 96..<(row + 1) * 96]))
        }
    }

    @Test func usedOnlyWhenSparseEnoughUnderASpikeDrivenPolicy() {
        let (x, w, b) = Self.inputs(m: 8, inputs: 64, outputs: 32, density: 0.2, pooled: false, bias: true, seed: 4)
        #expect(Tensor.sparseLinearIfSparse(x, weight: w, bias: b, policy: .spikeDriven(maxDensity: 0.3)) != nil)
        #expect(Tensor.sparseLinearIfSparse(x, weight: w, bias: b, policy: .spikeDriven(maxDensity: 0.05)) == nil)
        #expect(Tensor.sparseLinearIfSparse(x, weight: w, bias: b, policy: .dense) == nil)
    }
}
