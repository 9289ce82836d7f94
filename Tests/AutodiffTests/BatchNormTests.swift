import Testing
import Autodiff
import _TestSupport
import TensorCore

/// BatchNorm in training mode (batch statistics) and inference mode (running statistics):
/// the normalisation itself, the returned statistics, and gradients w.r.t. x, γ and β.
@Suite("BatchNorm")
struct BatchNormTests {
    static let shapes: [[Int]] = [[6, 4], [4, 3, 2, 3], [2, 2, 5, 1]]
    static let epsilon: Float = 1e-5

    static func parameters(channels c: Int, seed: UInt64) -> (gamma: Tensor, beta: Tensor) {
        (Fixture.uniform([c], 0.5, 1.5, seed: seed),
         Fixture.uniform([c], -0.5, 0.5, seed: seed + 1))
    }

    /// Per-channel mean and biased variance computed directly in Double.
    static func channelMoments(_ x: Tensor) -> (mean: [Double], variance: [Double]) {
        let n = x.shape[0], c = x.shape[1], inner = x.count / (n * c)
        var mean = [Double](repeating: 0, count: c), variance = mean
        for ch in 0..<c {
            let values = (0..<n).flatMap { i in
                (0..<inner).map { j in Double(x[flat: (i * c + ch) * inner + j]) }
            }
            let m = values.reduce(0, +) / Double(values.count)
            mean[ch] = m
            variance[ch] = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)
        }
        return (mean, variance)
    }

    /// With γ = 1, β = 0 every channel of the output has mean 0 and variance σ²/(σ²+ε) ≈ 1,
    /// and the returned batch statistics are the biased mean and variance of the input.
    @Test(arguments: shapes)
    func trainingModeNormalisesEachChannel(_ shape: [Int]) {
        let c = shape[1]
        var rng = SeededGenerator(seed: 20)
        let x = Tensor.normal(shape: shape, mean: 3, std: 2, using: &rng)
        let (y, mean, variance) = Variable.batchNormalized(
            Variable(x), scale: Variable(Tensor(shape: [c], repeating: 1)),
            shift: Variable(Tensor(shape: [c])), epsilon: Self.epsilon)
        let direct = Self.channelMoments(x)
        let out = Self.channelMoments(y.value)
        for ch in 0..<c {
            let (m, v) = (Double(mean[flat: ch]), Double(variance[flat: ch]))
            #expect(abs(m - direct.mean[ch]) < 1e-5, "batch mean, channel \(ch)")
            #expect(abs(v - direct.variance[ch]) < 1e-4 * direct.variance[ch],
                    "batch variance, channel \(ch)")
            #expect(abs(out.mean[ch]) < 1e-5, "output mean \(out.mean[ch]), channel \(ch)")
            #expect(abs(out.variance[ch] - 1) < 1e-4,
                    "output variance \(out.variance[ch]), channel \(ch)")
        }
    }

    /// y = γ·x̂ + β: channel c has mean β[c] and standard deviation ≈ γ[c].
    @Test func trainingModeAppliesScaleAndShift() {
        let x = Fixture.uniform([8, 2, 3, 3], -2, 5, seed: 21)
        let gamma = Tensor(shape: [2], scalars: [2, 0.5])
        let beta = Tensor(shape: [2], scalars: [-1, 3])
        let y = Variable.batchNormalized(Variable(x), scale: Variable(gamma), shift: Variable(beta),
                                         epsilon: Self.epsilon).output.value
        let moments = Self.channelMoments(y)
        #expect(abs(moments.mean[0] + 1) < 1e-5 && abs(moments.mean[1] - 3) < 1e-5,
                "\(moments.mean)")
        #expect(abs(moments.variance[0] - 4) < 1e-3 && abs(moments.variance[1] - 0.25) < 1e-4,
                "\(moments.variance)")
    }

    @Test(arguments: shapes)
    func trainingModeGradientsMatchFiniteDifferences(_ shape: [Int]) {
        let x = Fixture.uniform(shape, -1, 2, seed: 22)
        let (gamma, beta) = Self.parameters(channels: shape[1], seed: 23)
        expectGradient("BatchNorm training \(shape)", at: [x, gamma, beta]) { v in
            randomProjection(of: Variable.batchNormalized(v[0], scale: v[1], shift: v[2],
                                                          epsilon: Self.epsilon).output)
        }
    }

    static func runningStatistics(channels c: Int) -> (mean: Tensor, variance: Tensor) {
        (Fixture.uniform([c], -0.5, 0.5, seed: 24), Fixture.uniform([c], 0.5, 2, seed: 25))
    }

    /// Inference mode: y = γ·(x − μ)/√(σ² + ε) + β with the stored μ, σ², element by element.
    @Test(arguments: shapes)
    func inferenceModeMatchesFormula(_ shape: [Int]) {
        let c = shape[1], inner = shape.reduce(1, *) / (shape[0] * c)
        let x = Fixture.uniform(shape, -2, 2, seed: 26)
        let (gamma, beta) = Self.parameters(channels: c, seed: 27)
        let (mu, sigma2) = Self.runningStatistics(channels: c)
        for trainable in [false, true] {   // constant γ, β take the fused affine path
            let g = trainable ? Variable(leaf: gamma) : Variable(gamma)
            let b = trainable ? Variable(leaf: beta) : Variable(beta)
            let y = Variable.batchNormalized(Variable(x), scale: g, shift: b, runningMean: mu,
                                             runningVariance: sigma2, epsilon: Self.epsilon).value
            var worst: Float = 0
            for i in 0..<x.count {
                let ch = (i / inner) % c
                let expected = gamma[flat: ch] * (x[flat: i] - mu[flat: ch])
                    / (sigma2[flat: ch] + Self.epsilon).squareRoot() + beta[flat: ch]
                worst = max(worst, abs(y[flat: i] - expected))
            }
            #expect(worst < 1e-5, "max abs error \(worst) (trainable γ, β: \(trainable))")
        }
    }

    @Test(arguments: shapes)
    func inferenceModeGradientsMatchFiniteDifferences(_ shape: [Int]) {
        let x = Fixture.uniform(shape, -1, 2, seed: 28)
        let (gamma, beta) = Self.parameters(channels: shape[1], seed: 29)
        let (mu, sigma2) = Self.runningStatistics(channels: shape[1])
        expectGradient("BatchNorm inference \(shape)", at: [x, gamma, beta]) { v in
            randomProjection(of: Variable.batchNormalized(
                v[0], scale: v[1], shift: v[2], runningMean: mu, runningVariance: sigma2,
                epsilon: Self.epsilon))
        }
    }

    @Test func channelAffineAndChannelScaledMatchFiniteDifferences() {
        let x = Fixture.uniform([3, 4, 2, 2], -1, 1, seed: 30)
        let a = Fixture.uniform([4], -2, 2, seed: 31), b = Fixture.uniform([4], -1, 1, seed: 32)
        expectGradient("channelAffine", at: [x]) { v in
            randomProjection(of: v[0].channelAffine(scale: a, shift: b))
        }
        expectGradient("channelScaled", at: [x, a]) { v in
            randomProjection(of: v[0].channelScaled(by: v[1]))
        }
        // Hand value: channel 1 of [[1, 2]] scaled by 3 and shifted by −1.
        let y = Variable(Tensor(shape: [1, 2], scalars: [1, 2])).channelAffine(
            scale: Tensor(shape: [2], scalars: [0.5, 3]),
            shift: Tensor(shape: [2], scalars: [0, -1]))
        #expect(y.value.scalars == [0.5, 5])
    }

    /// Large maps take the parallel kernels (split over channels, or over rows for the affine
    /// map): output and all three gradients against the formula evaluated in Double.
    @Test func largeInputMatchesDoubleReference() {
        let shape = [9, 6, 32, 48], c = 6, inner = 1536, n = 9   // 82,944 elements: parallel; 9 rows: blocks and tail
        let x = Fixture.uniform(shape, -1, 3, seed: 33)
        let (gamma, beta) = Self.parameters(channels: c, seed: 34)
        let g = Fixture.uniform(shape, -1, 1, seed: 35)
        let xv = Variable(leaf: x), gv = Variable(leaf: gamma), bv = Variable(leaf: beta)
        let y = Variable.batchNormalized(xv, scale: gv, shift: bv, epsilon: Self.epsilon).output
        y.backward(seed: g)
        let grads = [xv.grad!, gv.grad!, bv.grad!]
        let moments = Self.channelMoments(x)
        let m = Double(n * inner)
        var worstY = 0.0, worstDx = 0.0
        for ch in 0..<c {
            let istd = 1 / (moments.variance[ch] + Double(Self.epsilon)).squareRoot()
            var sg = 0.0, sgh = 0.0
            for i in 0..<n { for j in 0..<inner {
                let k = (i * c + ch) * inner + j
                let h = (Double(x[flat: k]) - moments.mean[ch]) * istd
                sg += Double(g[flat: k]); sgh += Double(g[flat: k]) * h
                let expected = Double(gamma[flat: ch]) * h + Double(beta[flat: ch])
                worstY = max(worstY, abs(Double(y.value[flat: k]) - expected))
            }}
            #expect(abs(Double(grads[2][flat: ch]) - sg) < 1e-3, "∂β channel \(ch)")
            #expect(abs(Double(grads[1][flat: ch]) - sgh) < 1e-3, "∂γ channel \(ch)")
            for i in 0..<n { for j in 0..<inner {
                let k = (i * c + ch) * inner + j
                let h = (Double(x[flat: k]) - moments.mean[ch]) * istd
                let expected = Double(gamma[flat: ch]) * istd / m * (m * Double(g[flat: k]) - sg - h * sgh)
                worstDx = max(worstDx, abs(Double(grads[0][flat: k]) - expected))
            }}
        }
        #expect(worstY < 1e-5, "max |y − reference| \(worstY)")
        // The summation order is part of the contract (reference runs reproduce bit for bit):
        // one Float sum per (image, channel) row, the rows added in order in Double.
        let (_, mean, variance) = Variable.batchNormalized(Variable(x), scale: Variable(gamma),
                                                           shift: Variable(beta), epsilon: Self.epsilon)
        for ch in 0..<c {
            var s = 0.0, s2 = 0.0
            for i in 0..<n {
                var a: Float = 0
                for j in 0..<inner { a += x[flat: (i * c + ch) * inner + j] }
                s += Double(a)
            }
            let mu = Float(s / m)
            for i in 0..<n {
                var a: Float = 0
                for j in 0..<inner { let v = x[flat: (i * c + ch) * inner + j]; a += (v - mu) * (v - mu) }
                s2 += Double(a)
            }
            #expect(mean[flat: ch] == mu && variance[flat: ch] == Float(s2 / m), "channel \(ch)")
        }
        #expect(worstDx < 1e-5, "max |∂x − reference| \(worstDx)")
        // The affine map (inference BatchNorm) on the same large map, row-parallel.
        let a = Fixture.uniform([c], -2, 2, seed: 36), b = Fixture.uniform([c], -1, 1, seed: 37)
        let z = Variable(x).channelAffine(scale: a, shift: b).value
        var worstZ: Float = 0
        for k in 0..<x.count {
            let ch = (k / inner) % c
            worstZ = max(worstZ, abs(z[flat: k] - (x[flat: k] * a[flat: ch] + b[flat: ch])))
        }
        #expect(worstZ == 0, "affine map differs from x·a + b by \(worstZ)")
    }
}
