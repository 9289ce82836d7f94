import Testing
import TensorCore
import _TestSupport

/// oneDNN convolution (forward, ∂x, ∂w) against the direct-loop references on geometries
/// that exercise odd sizes, non-square inputs, strides with padding, 1×1 kernels and many
/// channels.
@Suite("Convolution kernels against references")
struct ConvolutionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var n, c, h, w, k, r, s, stride, padding: Int
        var testDescription: String {
            "N\(n) C\(c) \(h)×\(w) K\(k) \(r)×\(s) stride \(stride) pad \(padding)"
        }
        var geometry: ConvolutionGeometry {
            ConvolutionGeometry(input: [n, c, h, w], weight: [k, c, r, s], stride: stride,
                                padding: padding)
        }
    }

    static let cases: [Case] = [
        Case(n: 1, c: 1, h: 5, w: 5, k: 1, r: 3, s: 3, stride: 1, padding: 1),
        Case(n: 2, c: 3, h: 7, w: 6, k: 4, r: 3, s: 3, stride: 1, padding: 1),
        Case(n: 3, c: 2, h: 9, w: 9, k: 5, r: 3, s: 3, stride: 2, padding: 1),
        Case(n: 2, c: 4, h: 8, w: 8, k: 3, r: 1, s: 1, stride: 1, padding: 0),
        Case(n: 2, c: 3, h: 11, w: 7, k: 2, r: 5, s: 5, stride: 2, padding: 2),
        Case(n: 1, c: 16, h: 6, w: 6, k: 8, r: 3, s: 3, stride: 1, padding: 0),
        // The last input row/column is never read (oneDNN sees a right padding of −1).
        Case(n: 2, c: 2, h: 8, w: 8, k: 3, r: 3, s: 3, stride: 2, padding: 0),
    ]

    /// max |fast − reference| / max |reference|: a norm-wise relative error, because single
    /// elements of a sum can cancel to near zero.
    static func relativeError(_ fast: Tensor, _ reference: Tensor) -> Float {
        maxAbsoluteDifference(fast, reference) / max(reference.scalars.map(abs).max() ?? 0, 1e-30)
    }

    static func inputs(_ c: Case) -> (x: Tensor, w: Tensor, dy: Tensor) {
        var rng = SeededGenerator(seed: UInt64(c.n * 7 + c.c * 131 + c.h * 17 + c.k * 3 + c.stride))
        let g = c.geometry
        return (Tensor.uniform(shape: g.inputShape, low: -1, high: 1, using: &rng),
                Tensor.uniform(shape: g.weightShape, low: -1, high: 1, using: &rng),
                Tensor.uniform(shape: g.outputShape, low: -1, high: 1, using: &rng))
    }

    @Test(arguments: cases)
    func forwardMatchesReference(_ c: Case) {
        let (x, w, _) = Self.inputs(c)
        let fast = Tensor.convolution(x, w, stride: c.stride, padding: c.padding)
        let reference = Tensor.convolutionReference(x, w, stride: c.stride, padding: c.padding)
        #expect(fast.shape == c.geometry.outputShape)
        let error = Self.relativeError(fast, reference)
        #expect(error < 1e-5, "relative error \(error)")
    }

    @Test(arguments: cases)
    func backwardDataMatchesReference(_ c: Case) {
        let (_, w, dy) = Self.inputs(c)
        let fast = Tensor.convolutionBackwardData(dy, w, geometry: c.geometry)
        let reference = Tensor.convolutionBackwardDataReference(dy, w, geometry: c.geometry)
        let error = Self.relativeError(fast, reference)
        #expect(error < 1e-5, "relative error \(error)")
    }

    @Test(arguments: cases)
    func backwardWeightsMatchesReference(_ c: Case) {
        let (x, _, dy) = Self.inputs(c)
        let fast = Tensor.convolutionBackwardWeights(dy, x, geometry: c.geometry)
        let reference = Tensor.convolutionBackwardWeightsReference(dy, x, geometry: c.geometry)
        let error = Self.relativeError(fast, reference)
        #expect(error < 1e-5, "relative error \(error)")
    }

    /// The two backward kernels are the adjoints of the forward map:
    /// ⟨conv(x, w), dy⟩ = ⟨x, ∂x(dy, w)⟩ = ⟨w, ∂w(dy, x)⟩.
    @Test(arguments: cases)
    func backwardKernelsAreAdjoints(_ c: Case) {
        let (x, w, dy) = Self.inputs(c)
        func dot(_ a: Tensor, _ b: Tensor) -> Double {
            zip(a.scalars, b.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        let forward = dot(Tensor.convolution(x, w, stride: c.stride, padding: c.padding), dy)
        let viaData = dot(x, Tensor.convolutionBackwardData(dy, w, geometry: c.geometry))
        let viaWeights = dot(w, Tensor.convolutionBackwardWeights(dy, x, geometry: c.geometry))
        let scale = max(abs(forward), 1)
        #expect(abs(forward - viaData) / scale < 1e-4, "⟨y,dy⟩ \(forward) vs ⟨x,dx⟩ \(viaData)")
        #expect(abs(forward - viaWeights) / scale < 1e-4,
                "⟨y,dy⟩ \(forward) vs ⟨w,dw⟩ \(viaWeights)")
    }

    /// oneDNN plans are created on first use and then run from whichever thread calls them.
    /// Many tasks, each with geometries no other test uses (so plans are created while other
    /// plans run), must all get the reference answer. With oneDNN's library-managed scratchpad
    /// this crashed or returned garbage: a primitive may not migrate between threads.
    @Test func concurrentCallersGetReferenceResults() async {
        let cases = (0..<8).map { i in
            Case(n: 2, c: 5, h: 10 + i, w: 9, k: 3, r: 3, s: 3, stride: 1 + i % 2, padding: i % 2)
        }
        let errors = await withTaskGroup(of: Float.self) { group in
            for _ in 0..<3 {
                for c in cases {
                    group.addTask {
                        let (x, w, dy) = Self.inputs(c)
                        let g = c.geometry
                        let (s, p) = (c.stride, c.padding)
                        let forward = Self.relativeError(
                            Tensor.convolution(x, w, stride: s, padding: p),
                            Tensor.convolutionReference(x, w, stride: s, padding: p))
                        let data = Self.relativeError(
                            Tensor.convolutionBackwardData(dy, w, geometry: g),
                            Tensor.convolutionBackwardDataReference(dy, w, geometry: g))
                        let weights = Self.relativeError(
                            Tensor.convolutionBackwardWeights(dy, x, geometry: g),
                            Tensor.convolutionBackwardWeightsReference(dy, x, geometry: g))
                        return max(forward, data, weights)
                    }
                }
            }
            return await group.reduce(into: [Float]()) { $0.append($1) }
        }
        #expect(errors.count == 24)
        #expect(errors.max()! < 1e-5, "worst relative error \(errors.max()!)")
    }

    /// The reference forward on a hand example: a 3×3 ones kernel with padding 1 on a 3×3
    /// image of ones counts the in-image neighbours of each pixel (4 at corners, 6 at edges,
    /// 9 in the centre).
    @Test func referenceCountsNeighbours() {
        let ones = Tensor(shape: [1, 1, 3, 3], repeating: 1)
        let expected: [Float] = [4, 6, 4, 6, 9, 6, 4, 6, 4]
        #expect(Tensor.convolutionReference(ones, ones, stride: 1, padding: 1).scalars == expected)
        #expect(Tensor.convolution(ones, ones, stride: 1, padding: 1).scalars == expected)
    }
}
