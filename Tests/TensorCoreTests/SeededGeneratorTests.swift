import Testing
import TensorCore

/// SplitMix64 reproducibility, its published output, and the moments of the uniform and
/// normal samplers built on it.
@Suite("SeededGenerator")
struct SeededGeneratorTests {
    /// Published SplitMix64 outputs (Vigna's splitmix64.c; the seed-0 stream is also the
    /// reference of Java's SplittableRandom mixer), so the generator is the algorithm it claims.
    @Test func matchesPublishedSplitMix64Values() {
        var zero = SeededGenerator(seed: 0)
        #expect([zero.next(), zero.next(), zero.next()]
                == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var other = SeededGenerator(seed: 1_234_567)
        #expect([other.next(), other.next(), other.next()] == [
            6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
        ])
    }

    /// Named streams: reproducible, distinct per name and per seed, and independent of how
    /// much another generator of the run has drawn (the cached-stage case).
    @Test func namedStreamsAreStableAndDistinct() {
        var a = SeededGenerator(seed: 42, stream: "calibration")
        var b = SeededGenerator(seed: 42, stream: "calibration")
        #expect((0..<4).map { _ in a.next() } == (0..<4).map { _ in b.next() })
        var other = SeededGenerator(seed: 42, stream: "training")
        var otherSeed = SeededGenerator(seed: 43, stream: "calibration")
        var c = SeededGenerator(seed: 42, stream: "calibration")
        let first = c.next()
        #expect(other.next() != first && otherSeed.next() != first)
        // The FNV-1a hash is fixed, so the stream is the same in every process.
        let fixed = SeededGenerator(seed: 0, stream: "")
        var expected = SeededGenerator(seed: 0xcbf2_9ce4_8422_2325)
        let mixed = expected.next()
        #expect(fixed.state == mixed)
    }

    @Test func sameSeedGivesSameStream() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        let sa = (0..<1000).map { _ in a.next() }, sb = (0..<1000).map { _ in b.next() }
        #expect(sa == sb)
        var ta = SeededGenerator(seed: 7), tb = SeededGenerator(seed: 7)
        #expect(Tensor.normal(shape: [100], using: &ta) == Tensor.normal(shape: [100], using: &tb))
    }

    @Test(arguments: [(UInt64(0), UInt64(1)), (42, 43), (1, 1 << 63)])
    func differentSeedsDiffer(_ seeds: (UInt64, UInt64)) {
        var a = SeededGenerator(seed: seeds.0), b = SeededGenerator(seed: seeds.1)
        let sa = (0..<1000).map { _ in a.next() }, sb = (0..<1000).map { _ in b.next() }
        let equal = zip(sa, sb).filter { $0 == $1 }.count
        #expect(equal == 0, "\(equal) of 1000 draws coincide")
    }

    /// A split generator starts a stream that differs from its parent's continuation.
    @Test func splitGivesIndependentStream() {
        var parent = SeededGenerator(seed: 3)
        var child = parent.split()
        let p = (0..<100).map { _ in parent.next() }, c = (0..<100).map { _ in child.next() }
        #expect(Set(p).isDisjoint(with: c))
    }

    /// U[0,1): mean 1/2 and variance 1/12. With n = 10⁵ the standard error of the mean is
    /// √(1/12/n) ≈ 9.1e-4; the tolerances are about 5 standard errors.
    /// The parallel fill gives exactly the serial `nextUniform()` stream, chunk seams included
    /// (sizes around the 1024-element granularity and one large enough to use every worker),
    /// and leaves the generator where the serial loop would.
    @Test(arguments: [0, 1, 1023, 1025, 300_001])
    func fillUniformEqualsSerialDraws(count: Int) {
        var serial = SeededGenerator(seed: 77), parallel = SeededGenerator(seed: 77)
        let expected = (0..<count).map { _ in serial.nextUniform() }
        var filled = [Float](repeating: -1, count: count)
        filled.withUnsafeMutableBufferPointer { parallel.fillUniform($0) }
        #expect(filled == expected)
        #expect(parallel.next() == serial.next())
    }

    @Test func uniformMoments() {
        var rng = SeededGenerator(seed: 11)
        let n = 100_000
        let u = (0..<n).map { _ in Double(rng.nextUniform()) }
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = u.reduce(0, +) / Double(n)
        let variance = u.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        #expect(abs(mean - 0.5) < 0.005, "mean \(mean)")
        #expect(abs(variance - 1.0 / 12) < 0.002, "variance \(variance)")
        // Each tenth of [0,1) holds n/10 ± 5·√(n·0.1·0.9) draws.
        var deciles = [Int](repeating: 0, count: 10)
        for x in u { deciles[Int(x * 10)] += 1 }
        #expect(deciles.allSatisfy { abs($0 - n / 10) < 500 }, "deciles \(deciles)")
    }

    /// N(0,1): mean 0 (s.e. 1/√n ≈ 3.2e-3) and standard deviation 1 (s.e. 1/√(2n) ≈ 2.2e-3).
    @Test func normalMoments() {
        var rng = SeededGenerator(seed: 12)
        let n = 100_000
        let z = (0..<n).map { _ in Double(rng.nextNormal()) }
        let mean = z.reduce(0, +) / Double(n)
        let std = (z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)).squareRoot()
        #expect(abs(mean) < 0.015, "mean \(mean)")
        #expect(abs(std - 1) < 0.01, "std \(std)")
        // P(|z| < 1) = 0.6827 for a standard normal.
        let inside = Double(z.filter { abs($0) < 1 }.count) / Double(n)
        #expect(abs(inside - 0.6827) < 0.008, "P(|z|<1) = \(inside)")
    }

    @Test func tensorSamplersApplyLocationAndScale() {
        var rng = SeededGenerator(seed: 13)
        let u = Tensor.uniform(shape: [100_000], low: -3, high: 5, using: &rng)
        #expect(u.min() >= -3 && u.max() < 5)
        #expect(abs(u.mean() - 1) < 0.04, "mean \(u.mean())")   // s.e. 8/√12/√n ≈ 7.3e-3
        let z = Tensor.normal(shape: [100_000], mean: 2, std: 0.5, using: &rng)
        let std = ((z - z.mean()).squared().mean()).squareRoot()
        #expect(abs(z.mean() - 2) < 0.008, "mean \(z.mean())")
        #expect(abs(std - 0.5) < 0.005, "std \(std)")
    }
}
