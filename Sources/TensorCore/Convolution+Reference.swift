/// Direct-loop convolutions: the definitions the oneDNN kernels are tested against.
/// O(N·K·P·Q·C·R·S) scalar work each; tests only.
extension Tensor {
    public static func convolutionReference(_ x: Tensor, _ w: Tensor, stride: Int, padding: Int) -> Tensor {
        let g = ConvolutionGeometry(input: x.shape, weight: w.shape, stride: stride, padding: padding)
        var y = Tensor(shape: g.outputShape)
        forEachTap(g) { n, k, p, q, c, r, s, ih, iw in
            y[n, k, p, q] += w[k, c, r, s] * x[n, c, ih, iw]
        }
        return y
    }

    public static func convolutionBackwardDataReference(_ dy: Tensor, _ w: Tensor,
                                                        geometry g: ConvolutionGeometry) -> Tensor {
        var dx = Tensor(shape: g.inputShape)
        forEachTap(g) { n, k, p, q, c, r, s, ih, iw in
            dx[n, c, ih, iw] += w[k, c, r, s] * dy[n, k, p, q]
        }
        return dx
    }

    public static func convolutionBackwardWeightsReference(_ dy: Tensor, _ x: Tensor,
                                                           geometry g: ConvolutionGeometry) -> Tensor {
        var dw = Tensor(shape: g.weightShape)
        forEachTap(g) { n, k, p, q, c, r, s, ih, iw in
            dw[k, c, r, s] += x[n, c, ih, iw] * dy[n, k, p, q]
        }
        return dw
    }

    /// Calls `body` once for every (output position, weight tap) pair that reads an input
    /// pixel inside the image (taps on the zero padding contribute nothing).
    private static func forEachTap(_ g: ConvolutionGeometry,
                                   _ body: (Int, Int, Int, Int, Int, Int, Int, Int, Int) -> Void) {
        for n in 0..<g.batch { for k in 0..<g.outChannels {
            for p in 0..<g.outHeight { for q in 0..<g.outWidth {
                for c in 0..<g.inChannels { for r in 0..<g.kernelHeight { for s in 0..<g.kernelWidth {
                    let ih = p * g.stride + r - g.padding, iw = q * g.stride + s - g.padding
                    if ih >= 0 && ih < g.height && iw >= 0 && iw < g.width {
                        body(n, k, p, q, c, r, s, ih, iw)
                    }
                }}}
            }}
        }}
    }
}
