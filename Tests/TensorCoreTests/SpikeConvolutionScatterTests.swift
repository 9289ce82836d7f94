import Testing
import TensorCore
import _TestSupport

/// The inference kernels: the scatter form of the spike-driven convolution, the average pool
/// and convolution run as one spike-driven convolution, the in-place bias, and the amplitude
/// rule that looks past a quiet start.
@Suite("Spike-driven convolution for inference")
struct SpikeConvolutionScatterTests {
    typealias Case = SpikeConvolutionTests.Case

    @Test(arguments: SpikeConvolutionTests.cases)
    func scatterMatchesReferenceAndGather(_ c: Case) throws {
        let (x, w, _) = SpikeConvolutionTests.inputs(c)
        let map = try #require(SpikeMap(x, geometry: c.geometry))
        let scattered = Tensor.spikeConvolutionScattered(map, w)
        #expect(scattered.layout == .channelBlocked16)
        let reference = Tensor.convolutionReference(x, w, stride: c.stride, padding: c.padding)
        let error = SpikeConvolutionTests.relativeError(scattered, reference)
        #expect(error < 1e-5, "relative error \(error)")
        let gather = SpikeConvolutionTests.relativeError(scattered, Tensor.spikeConvolution(map, w))
        #expect(gather < 1e-5, "against the gather kernel: \(gather)")
        #expect(SpikeConvolutionTests.bits(Tensor.spikeConvolutionScattered(map, w, layout: .rowMajor))
                == SpikeConvolutionTests.bits(scattered))
        // The bias added in the kernel is the bias added by a separate pass, bit for bit.
        let bias = (0..<c.geometry.outChannels).map { Float($0) * 0.37 - 3.1 }
        var separate = scattered
        separate.addChannelBias(bias)
        #expect(SpikeConvolutionTests.bits(Tensor.spikeConvolutionScattered(map, w, bias: bias))
                == SpikeConvolutionTests.bits(separate))
    }

    /// avgpool_P then a stride-1 convolution, by direct loops.
    static func pooledReference(_ x: Tensor, pool p: Int, _ w: Tensor, padding: Int) -> Tensor {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var pooled = Tensor(shape: [n, c, h / p, wd / p])
        for i in 0..<n { for ch in 0..<c { for r in 0..<h / p { for s in 0..<wd / p {
            var sum: Float = 0
            for a in 0..<p { for b in 0..<p { sum += x[i, ch, r * p + a, s * p + b] } }
            pooled[i, ch, r, s] = sum / Float(p * p)
        } } } }
        return Tensor.convolutionReference(pooled, w, stride: 1, padding: padding)
    }

    @Test(arguments: [(16, 32, 8, 8, 3, 1, 0.2), (32, 64, 6, 10, 3, 1, 0.05), (16, 32, 8, 8, 3, 0, 0.3),
                      (16, 32, 4, 4, 1, 0, 0.25)] as [(Int, Int, Int, Int, Int, Int, Double)])
    func poolThenConvolutionIsOneSpikeDrivenConvolution(_ shape: (Int, Int, Int, Int, Int, Int, Double)) throws {
        let (c, k, h, w, kernel, padding, density) = shape
        var rng = SeededGenerator(seed: UInt64(c + k + h * 3 + w * 5 + kernel + padding))
        let theta: Float = 7.25   // spikes that carry θ
        let x = Tensor.uniform(shape: [3, c, h, w], using: &rng).map { $0 < Float(density) ? theta : 0 }
        let weight = Tensor.uniform(shape: [k, c, kernel, kernel], low: -1, high: 1, using: &rng)
        let fused = try #require(Tensor.pooledSpikeConvolution(x, pool: 2, weight, padding: padding, layout: .rowMajor,
                                                               policy: .spikeDriven(maxDensity: 1)))
        let reference = Self.pooledReference(x, pool: 2, weight, padding: padding)
        #expect(fused.shape == reference.shape)
        let error = SpikeConvolutionTests.relativeError(fused, reference)
        #expect(error < 1e-5, "relative error \(error)")
    }

    @Test func poolThenConvolutionFallsBackWhenItCannotFuse() {
        var rng = SeededGenerator(seed: 3)
        let weight = Tensor.uniform(shape: [32, 16, 3, 3], low: -1, high: 1, using: &rng)
        let spikes = Tensor.uniform(shape: [2, 16, 8, 8], using: &rng).map { $0 < 0.2 ? 1 : 0 }
        let analog = Tensor.uniform(shape: [2, 16, 8, 8], using: &rng)
        let odd = Tensor.uniform(shape: [2, 16, 7, 8], using: &rng).map { $0 < 0.2 ? 1 : 0 }
        let policy = SpikeConvolutionPolicy.spikeDriven(maxDensity: 1)
        #expect(Tensor.pooledSpikeConvolution(analog, pool: 2, weight, padding: 1, layout: .rowMajor, policy: policy) == nil)
        #expect(Tensor.pooledSpikeConvolution(odd, pool: 2, weight, padding: 1, layout: .rowMajor, policy: policy) == nil)
        #expect(Tensor.pooledSpikeConvolution(spikes, pool: 2, weight, padding: 1, layout: .rowMajor, policy: .dense) == nil)
        #expect(Tensor.pooledSpikeConvolution(spikes, pool: 2, weight, padding: 1, layout: .rowMajor, policy: policy) != nil)
    }

    /// A simulation's first steps are often silent: all-zero leading values. Inference looks
    /// past them for the amplitude; training keeps the first-values rule.
    @Test func quietStartStillRunsSpikeDriven() throws {
        var rng = SeededGenerator(seed: 8)
        let g = ConvolutionGeometry(input: [4, 16, 16, 16], weight: [32, 16, 3, 3], stride: 1, padding: 1)
        var x = Tensor.uniform(shape: g.inputShape, using: &rng).map { $0 < 0.1 ? 6.5 : 0 }
        for i in 0..<(2 * 16 * 16 * 16) { x[flat: i] = 0 }   // the first two images silent: 8192 zeros
        let policy = SpikeConvolutionPolicy.spikeDriven(maxDensity: 0.3)
        let map = try #require(SpikeMap.forConvolution(x, geometry: g, policy: policy, lookingPastZeros: true))
        #expect(map.amplitude == 6.5)
        #expect(SpikeMap.forConvolution(x, geometry: g, policy: policy) == nil)
        let silent = Tensor(shape: g.inputShape)
        #expect(SpikeMap.forConvolution(silent, geometry: g, policy: policy, lookingPastZeros: true)?.amplitude == 1)
    }

    /// x + b[c] in place, either layout: the same bits as adding element by element.
    @Test(arguments: [TensorLayout.rowMajor, .channelBlocked16])
    func channelBiasInPlace(_ layout: TensorLayout) {
        var rng = SeededGenerator(seed: 12)
        let x = Tensor.uniform(shape: [3, 32, 5, 7], low: -2, high: 2, using: &rng)
        let b = Tensor.uniform(shape: [32], low: -1, high: 1, using: &rng).scalars
        var y = x.converted(to: layout)
        y.addChannelBias(b)
        var expected = x
        for i in 0..<3 { for c in 0..<32 { for p in 0..<5 { for q in 0..<7 { expected[i, c, p, q] = x[i, c, p, q] + b[c] } } } }
        #expect(SpikeConvolutionTests.bits(y) == SpikeConvolutionTests.bits(expected))
    }
}
