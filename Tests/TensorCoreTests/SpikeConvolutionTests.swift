import Testing
import TensorCore
import _TestSupport

/// The spike-driven convolution kernels (forward and ∂w) against the direct-loop references,
/// their two builds against each other, and the rule that decides when they run.
@Suite("Spike-driven convolution")
struct SpikeConvolutionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var n, c, h, w, k, r, s, stride, padding: Int
        var density: Float
        var testDescription: String {
            "N\(n) C\(c) \(h)×\(w) K\(k) \(r)×\(s) stride \(stride) pad \(padding), \(Int(density * 100)) % spikes"
        }
        var geometry: ConvolutionGeometry {
            ConvolutionGeometry(input: [n, c, h, w], weight: [k, c, r, s], stride: stride, padding: padding)
        }
    }

    static let cases: [Case] = [
        Case(n: 2, c: 16, h: 6, w: 6, k: 32, r: 3, s: 3, stride: 1, padding: 1, density: 0.2),
        Case(n: 3, c: 32, h: 7, w: 5, k: 64, r: 3, s: 3, stride: 1, padding: 1, density: 0.05),
        Case(n: 2, c: 48, h: 9, w: 9, k: 32, r: 3, s: 3, stride: 2, padding: 1, density: 0.3),
        Case(n: 2, c: 16, h: 8, w: 8, k: 32, r: 1, s: 1, stride: 1, padding: 0, density: 0.5),
        Case(n: 1, c: 32, h: 11, w: 7, k: 32, r: 5, s: 5, stride: 2, padding: 2, density: 0.9),
        // The last input row/column is never read.
        Case(n: 2, c: 16, h: 8, w: 8, k: 64, r: 3, s: 3, stride: 2, padding: 0, density: 0.25),
        // 2×2 planes: most taps fall on the padding.
        Case(n: 4, c: 64, h: 2, w: 2, k: 32, r: 3, s: 3, stride: 1, padding: 1, density: 0.15),
    ]

    static func inputs(_ c: Case) -> (x: Tensor, w: Tensor, dy: Tensor) {
        var rng = SeededGenerator(seed: UInt64(c.n * 7 + c.c * 131 + c.h * 17 + c.k * 3 + c.stride + c.r))
        let g = c.geometry
        let density = c.density
        return (Tensor.uniform(shape: g.inputShape, using: &rng).map { $0 < density ? 1 : 0 },
                Tensor.uniform(shape: g.weightShape, low: -1, high: 1, using: &rng),
                Tensor.uniform(shape: g.outputShape, low: -1, high: 1, using: &rng))
    }

    static func relativeError(_ fast: Tensor, _ reference: Tensor) -> Float {
        maxAbsoluteDifference(fast, reference) / max(reference.scalars.map(abs).max() ?? 0, 1e-30)
    }

    static func bits(_ t: Tensor) -> [UInt32] { t.converted(to: .rowMajor).scalars.map(\.bitPattern) }

    @Test(arguments: cases)
    func forwardMatchesReference(_ c: Case) throws {
        let (x, w, _) = Self.inputs(c)
        let map = try #require(SpikeMap(x, geometry: c.geometry))
        let fast = Tensor.spikeConvolution(map, w)
        let reference = Tensor.convolutionReference(x, w, stride: c.stride, padding: c.padding)
        #expect(fast.layout == .channelBlocked16)
        let error = Self.relativeError(fast, reference)
        #expect(error < 1e-5, "relative error \(error)")
    }

    @Test(arguments: cases)
    func weightGradientMatchesReference(_ c: Case) throws {
        let (x, _, dy) = Self.inputs(c)
        let map = try #require(SpikeMap(x, geometry: c.geometry))
        let fast = Tensor.spikeConvolutionWeightGradient(dy, map)
        let reference = Tensor.convolutionBackwardWeightsReference(dy, x, geometry: c.geometry)
        let error = Self.relativeError(fast, reference)
        #expect(error < 1e-5, "relative error \(error)")
    }

    /// The AVX-512 build (where the CPU has it) and the portable one add the same rows in the
    /// same order: the same bits. Also independent of the input's and ∂y's layout.
    @Test(arguments: cases)
    func buildsAndLayoutsGiveTheSameBits(_ c: Case) throws {
        let (x, w, dy) = Self.inputs(c)
        let blockedX = x.converted(to: .channelBlocked16)
        let map = try #require(SpikeMap(x, geometry: c.geometry))
        let blockedMap = try #require(SpikeMap(blockedX, geometry: c.geometry))
        let forward = Self.bits(Tensor.spikeConvolution(map, w))
        #expect(Self.bits(Tensor.spikeConvolution(map, w, kernels: .portable)) == forward)
        // The masks read by either build: the same ones, so the same outputs.
        let portableMap = try #require(SpikeMap(x, geometry: c.geometry, kernels: .portable))
        #expect(portableMap.ones == map.ones)
        #expect(Self.bits(Tensor.spikeConvolution(portableMap, w)) == forward)
        #expect(Self.bits(Tensor.spikeConvolutionScattered(portableMap, w))
                == Self.bits(Tensor.spikeConvolutionScattered(map, w)))
        #expect(Self.bits(Tensor.spikeConvolution(blockedMap, w, layout: .rowMajor)) == forward)
        let gradient = Self.bits(Tensor.spikeConvolutionWeightGradient(dy, map))
        #expect(Self.bits(Tensor.spikeConvolutionWeightGradient(dy, map, kernels: .portable)) == gradient)
        if c.k % 16 == 0 {
            #expect(Self.bits(Tensor.spikeConvolutionWeightGradient(dy.converted(to: .channelBlocked16), blockedMap))
                    == gradient)
        }
    }

    /// The gather forward splits its output between workers by images when a layer has fewer
    /// 32-channel units than workers (K = 32), else by units; the scatter forward (inference)
    /// always by images: for both, one worker, two or three give the same bits.
    @Test(arguments: [cases[0], cases[1], cases[6], Case(n: 5, c: 32, h: 6, w: 6, k: 32, r: 3, s: 3,
                                                       stride: 1, padding: 1, density: 0.1)])
    func workerSplitGivesTheSameBits(_ c: Case) throws {
        let (x, w, _) = Self.inputs(c)
        let map = try #require(SpikeMap(x, geometry: c.geometry))
        let saved = ExecutionPolicy.current.workers
        defer { ExecutionPolicy.update { $0.workers = saved } }
        var gather: [[UInt32]] = [], scatter: [[UInt32]] = []
        for workers in [1, 2, 3] {
            ExecutionPolicy.update { $0.workers = workers }
            gather.append(Self.bits(Tensor.spikeConvolution(map, w)))
            scatter.append(Self.bits(Tensor.spikeConvolutionScattered(map, w)))
        }
        #expect(gather[1] == gather[0] && gather[2] == gather[0])
        #expect(scatter[1] == scatter[0] && scatter[2] == scatter[0])
    }

    @Test func mapCountsTheOnesAndRejectsOtherValues() throws {
        let c = Self.cases[1]
        var (x, _, _) = Self.inputs(c)
        let ones = x.scalars.filter { $0 == 1 }.count
        let map = try #require(SpikeMap(x, geometry: c.geometry))
        #expect(map.ones == ones)
        #expect(abs(map.density - Double(ones) / Double(x.count)) < 1e-12)
        // One non-binary value, past the leading values the quick filter looks at.
        x[flat: x.count - 1] = 0.5
        #expect(SpikeMap(x, geometry: c.geometry) == nil)
        #expect(SpikeMap.forConvolution(x, geometry: c.geometry, policy: .spikeDriven(maxDensity: 1)) == nil)
        x[flat: x.count - 1] = -1
        #expect(SpikeMap(x, geometry: c.geometry) == nil)
        // Both builds reject a value that is neither 0 nor the amplitude, NaN included.
        for bad: Float in [0.5, -1, .nan, .infinity] {
            x[flat: x.count - 1] = bad
            #expect(SpikeMap(x, geometry: c.geometry) == nil, "\(bad)")
            #expect(SpikeMap(x, geometry: c.geometry, kernels: .portable) == nil, "\(bad)")
        }
    }

    /// The policy, the channel counts and the density decide; a convolution the rule sends to
    /// oneDNN gives exactly oneDNN's bits.
    @Test func policyDecidesWhenTheKernelsRun() {
        let c = Self.cases[0]   // 20 % spikes, C 16, K 32
        let (x, w, _) = Self.inputs(c)
        let g = c.geometry
        #expect(SpikeMap.forConvolution(x, geometry: g, policy: .spikeDriven(maxDensity: 0.3)) != nil)
        #expect(SpikeMap.forConvolution(x, geometry: g, policy: .spikeDriven(maxDensity: 0.1)) == nil)
        #expect(SpikeMap.forConvolution(x, geometry: g, policy: .dense) == nil)
        let k16 = ConvolutionGeometry(input: g.inputShape, weight: [16, 16, 3, 3], stride: 1, padding: 1)
        #expect(SpikeMap.forConvolution(x, geometry: k16, policy: .spikeDriven(maxDensity: 1)) == nil)
        var rng = SeededGenerator(seed: 5)
        let c3 = Tensor.uniform(shape: [2, 3, 6, 6], using: &rng).map { $0 < 0.2 ? 1 : 0 }
        let g3 = ConvolutionGeometry(input: c3.shape, weight: [32, 3, 3, 3], stride: 1, padding: 1)
        #expect(SpikeMap.forConvolution(c3, geometry: g3, policy: .spikeDriven(maxDensity: 1)) == nil)

        let dense = SpikeConvolutionPolicy.$current.withValue(.dense) { Tensor.convolution(x, w, padding: 1) }
        let tooDense = SpikeConvolutionPolicy.$current.withValue(.spikeDriven(maxDensity: 0.1)) {
            Tensor.convolution(x, w, padding: 1)
        }
        #expect(Self.bits(tooDense) == Self.bits(dense))
        let spiking = SpikeConvolutionPolicy.$current.withValue(.spikeDriven(maxDensity: 0.3)) {
            Tensor.convolution(x, w, padding: 1)
        }
        #expect(Self.bits(spiking) == Self.bits(Tensor.spikeConvolutionScattered(SpikeMap(x, geometry: g)!, w)))
        #expect(Self.relativeError(spiking, dense) < 1e-5)
    }

    /// Spikes of one amplitude a (here 1/0.9, as after dropout with p = 0.1): the kernels add
    /// rows of a·w and scale ∂w by a, so both match the references on the scaled input.
    @Test(arguments: [cases[0], cases[2], cases[4]])
    func scaledSpikesMatchTheReference(_ c: Case) throws {
        let (binary, w, dy) = Self.inputs(c)
        let a: Float = 1 / 0.9
        let x = binary * a
        let map = try #require(SpikeMap.forConvolution(x, geometry: c.geometry, policy: .spikeDriven(maxDensity: 1)))
        #expect(map.amplitude == a)
        #expect(map.ones == binary.scalars.filter { $0 == 1 }.count)
        let forward = Self.relativeError(Tensor.spikeConvolution(map, w),
                                         Tensor.convolutionReference(x, w, stride: c.stride, padding: c.padding))
        #expect(forward < 1e-5, "forward relative error \(forward)")
        let gradient = Self.relativeError(Tensor.spikeConvolutionWeightGradient(dy, map),
                                          Tensor.convolutionBackwardWeightsReference(dy, x, geometry: c.geometry))
        #expect(gradient < 1e-5, "∂w relative error \(gradient)")
        // Amplitude 1 is the binary map: the same bits as before the amplitude existed.
        let one = try #require(SpikeMap(binary, geometry: c.geometry))
        #expect(one.amplitude == 1)
    }

    /// Two different non-zero values (one past the quick filter's window), a negative or an
    /// infinite amplitude: not spikes, so the convolution stays dense.
    @Test func mixedOrNegativeAmplitudesAreRejected() throws {
        let c = Self.cases[1]
        let (binary, _, _) = Self.inputs(c)
        let policy = SpikeConvolutionPolicy.spikeDriven(maxDensity: 1)
        var x = binary * 2
        #expect(SpikeMap.forConvolution(x, geometry: c.geometry, policy: policy)?.amplitude == 2)
        let last = try #require(x.scalars.lastIndex(of: 2))
        x[flat: last] = 3
        #expect(SpikeMap.forConvolution(x, geometry: c.geometry, policy: policy) == nil)
        #expect(SpikeMap(x, geometry: c.geometry, amplitude: 2) == nil)
        #expect(SpikeMap.forConvolution(binary * -1, geometry: c.geometry, policy: policy) == nil)
        #expect(SpikeMap.forConvolution(binary * Float.infinity, geometry: c.geometry, policy: policy) == nil)
    }
}
