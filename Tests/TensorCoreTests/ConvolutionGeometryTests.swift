import Testing
import TensorCore

/// The output-size formula P = ⌊(H + 2·pad − R) / stride⌋ + 1 against a direct count of the
/// window positions that fit inside the padded input.
@Suite("Convolution geometry")
struct ConvolutionGeometryTests {
    /// Number of p ≥ 0 with p·stride + extent ≤ size + 2·padding (the window fits).
    static func countWindows(size: Int, extent: Int, stride: Int, padding: Int) -> Int {
        var p = 0
        while p * stride + extent <= size + 2 * padding { p += 1 }
        return p
    }

    @Test(arguments: [1, 2, 3], [0, 1, 2])
    func outputSizeMatchesWindowCount(stride: Int, padding: Int) {
        let fits = { (size: Int, r: Int) in r <= size + 2 * padding }
        for h in 1...12 { for w in [1, 5, 8] { for r in [1, 3, 5] where fits(h, r) && fits(w, r) {
            let g = ConvolutionGeometry(input: [2, 3, h, w], weight: [4, 3, r, r],
                                        stride: stride, padding: padding)
            let p = Self.countWindows(size: h, extent: r, stride: stride, padding: padding)
            let q = Self.countWindows(size: w, extent: r, stride: stride, padding: padding)
            #expect(g.outHeight == p, "H \(h) R \(r)")
            #expect(g.outWidth == q, "W \(w) R \(r)")
            #expect(g.outputShape == [2, 4, p, q])
            #expect(g.macs == 2 * 4 * p * q * 3 * r * r)
        }}}
    }

    @Test func handExamples() {
        // CIFAR stem: 32×32, 3×3, pad 1 keeps the size; stride 2 halves it.
        func stem(stride: Int) -> [Int] {
            ConvolutionGeometry(input: [1, 3, 32, 32], weight: [64, 3, 3, 3], stride: stride,
                                padding: 1).outputShape
        }
        #expect(stem(stride: 1) == [1, 64, 32, 32])
        #expect(stem(stride: 2) == [1, 64, 16, 16])
        // LeNet: 28×28, 5×5, no pad → 24×24; MACs = 6·24·24·1·25.
        let lenet = ConvolutionGeometry(input: [1, 1, 28, 28], weight: [6, 1, 5, 5], stride: 1,
                                        padding: 0)
        #expect(lenet.outputShape == [1, 6, 24, 24])
        #expect(lenet.macs == 86_400)
        #expect(lenet.inputShape == [1, 1, 28, 28] && lenet.weightShape == [6, 1, 5, 5])
    }
}
