import Testing
import TensorCore
import _TestSupport

/// The blocked-layout and bfloat16 oneDNN convolutions against the direct-loop references
/// (forward, ∂x, ∂w), on real-valued inputs and on binary spike inputs (the SNN case). The
/// algorithm is passed explicitly, so the process-wide default is never changed here.
@Suite("Convolution algorithms (plain, blocked, bfloat16) against references")
struct ConvolutionAlgorithmTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var n, c, h, w, k, stride, padding: Int
        var spikes: Bool
        var testDescription: String {
            "N\(n) C\(c) \(h)×\(w) K\(k) stride \(stride) pad \(padding)\(spikes ? " spikes" : "")"
        }
        var geometry: ConvolutionGeometry {
            ConvolutionGeometry(input: [n, c, h, w], weight: [k, c, 3, 3], stride: stride, padding: padding)
        }
    }

    static let cases: [Case] = [
        Case(n: 2, c: 3, h: 9, w: 7, k: 5, stride: 1, padding: 1, spikes: false),      // image layer, odd sizes
        Case(n: 4, c: 16, h: 8, w: 8, k: 32, stride: 1, padding: 1, spikes: true),      // blocked, bf16 ∂w
        Case(n: 3, c: 32, h: 4, w: 4, k: 16, stride: 1, padding: 1, spikes: true),      // small plane: f32 ∂w
        Case(n: 2, c: 20, h: 6, w: 6, k: 24, stride: 2, padding: 1, spikes: false),     // channels not ×16
    ]

    /// Norm-wise relative error max|fast − ref| / max|ref|.
    static func relativeError(_ fast: Tensor, _ reference: Tensor) -> Float {
        maxAbsoluteDifference(fast, reference) / max(reference.scalars.map(abs).max() ?? 0, 1e-30)
    }

    /// f32 algorithms agree with the references to rounding; bf16 rounds every operand to an
    /// 8-bit mantissa (relative 2⁻⁹) and accumulates in f32, so allow 1 %.
    static func tolerance(_ a: ConvolutionAlgorithm) -> Float { a == .bfloat16 ? 1e-2 : 1e-5 }

    @Test(arguments: cases, [ConvolutionAlgorithm.plain, .blocked])
    func agreesWithReference(_ c: Case, _ algorithm: ConvolutionAlgorithm) {
        check(c, algorithm)
    }

    /// bf16 runs only where oneDNN has bf16 kernels (AVX-512 or AMX); elsewhere it is skipped
    /// and shows as skipped, and the chapters refuse `--convolution bfloat16` up front.
    @Test(.enabled(if: DNNLRuntime.supports(.bfloat16), "oneDNN has no bf16 convolution on this CPU"),
          arguments: cases)
    func bfloat16AgreesWithReference(_ c: Case) {
        check(c, .bfloat16)
    }

    private func check(_ c: Case, _ algorithm: ConvolutionAlgorithm) {
        var rng = SeededGenerator(seed: UInt64(c.n * 31 + c.c * 7 + c.h + c.k * 3))
        let g = c.geometry
        var x = Tensor.uniform(shape: g.inputShape, low: -1, high: 1, using: &rng)
        if c.spikes { x = x.map { $0 > 0.6 ? 1 : 0 } }   // ~20 % firing
        let w = Tensor.uniform(shape: g.weightShape, low: -1, high: 1, using: &rng)
        let dy = Tensor.uniform(shape: g.outputShape, low: -1, high: 1, using: &rng)

        let y = Tensor.convolution(x, w, stride: c.stride, padding: c.padding, algorithm: algorithm)
        let dx = Tensor.convolutionBackwardData(dy, w, geometry: g, algorithm: algorithm)
        let dw = Tensor.convolutionBackwardWeights(dy, x, geometry: g, algorithm: algorithm)
        let yRef = Tensor.convolutionReference(x, w, stride: c.stride, padding: c.padding)
        let dxRef = Tensor.convolutionBackwardDataReference(dy, w, geometry: g)
        let dwRef = Tensor.convolutionBackwardWeightsReference(dy, x, geometry: g)
        #expect(y.shape == g.outputShape && dx.shape == g.inputShape && dw.shape == g.weightShape)
        let tol = Self.tolerance(algorithm)
        let (ey, ex, ew) = (Self.relativeError(y, yRef), Self.relativeError(dx, dxRef), Self.relativeError(dw, dwRef))
        #expect(ey < tol, "forward relative error \(ey)")
        #expect(ex < tol, "backward-data relative error \(ex)")
        #expect(ew < tol, "backward-weights relative error \(ew)")
        // bf16 really rounds (the test would not notice a silent fall-back to f32 otherwise).
        if algorithm == .bfloat16 && !c.spikes { #expect(ey > 1e-6, "bf16 forward is suspiciously exact: \(ey)") }
        // The combined backward (∂y reordered once, shared by both primitives) is the two
        // separate calls bit for bit; without ∂x it is the ∂w call alone.
        let both = Tensor.convolutionBackward(dy, x, w, geometry: g, input: true, algorithm: algorithm)
        #expect(both.input == dx && both.weight == dw)
        let weightOnly = Tensor.convolutionBackward(dy, x, w, geometry: g, input: false, algorithm: algorithm)
        #expect(weightOnly.input == nil && weightOnly.weight == dw)
        // Training forward keeping its reordered x; the backward reads that copy for ∂w.
        let (yKept, copy) = Tensor.convolutionKeepingInput(x, w, stride: c.stride, padding: c.padding,
                                                           algorithm: algorithm)
        #expect(yKept == y)
        if algorithm == .blocked && c.c >= 16 { #expect(copy != nil, "blocked f32 keeps x for ∂w") }
        if algorithm == .plain { #expect(copy == nil, "plain has no reorder to keep") }
        // Another input through the same plan overwrites the shared staging buffers meanwhile.
        _ = Tensor.convolution(x.map { 1 - $0 }, w, stride: c.stride, padding: c.padding, algorithm: algorithm)
        for input in [true, false] {
            let fromCopy = Tensor.convolutionBackward(dy, x, w, geometry: g, input: input, inputCopy: copy,
                                                      algorithm: algorithm)
            #expect(fromCopy.weight == dw && fromCopy.input == (input ? dx : nil))
        }
    }

    /// Calling the algorithms interleaved on one geometry (shared staging buffers, separate
    /// cached plans) gives each algorithm's own answer every time.
    @Test func interleavedCallsAreIndependent() {
        var rng = SeededGenerator(seed: 5)
        let x = Tensor.uniform(shape: [2, 16, 8, 8], low: -1, high: 1, using: &rng)
        let w = Tensor.uniform(shape: [16, 16, 3, 3], low: -1, high: 1, using: &rng)
        let algorithms = ConvolutionAlgorithm.allCases.filter(DNNLRuntime.supports)
        let first = algorithms.map { Tensor.convolution(x, w, stride: 1, padding: 1, algorithm: $0) }
        let second = algorithms.reversed().map {
            Tensor.convolution(x, w, stride: 1, padding: 1, algorithm: $0)
        }.reversed()
        for (a, b) in zip(first, second) { #expect(a == b) }
    }
}
