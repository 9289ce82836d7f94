/// Average pooling followed by a convolution, on spikes, as one spike-driven convolution.
///
/// A P×P average pool (stride P) followed by a stride-1 convolution with kernel R×S and padding
/// `pad` is one convolution of the un-pooled map: kernel R·P × S·P, stride P, padding pad·P,
/// with weights w'[k, c, r', s'] = w[k, c, r'/P, s'/P] / P². Its input is the spikes themselves
/// (0 or a), so it runs spike-driven — work ∝ spikes × fan-out — where the pooled map (values
/// 0, a/P², 2a/P², …) is not binary and would need the dense kernel. Each spike still meets
/// R·S output pixels per output channel: the fan-out of the pooled convolution.
///
/// The same function as pooling then convolving, summed in another order: results agree to
/// rounding (tested against the two layers).
extension Tensor {
    /// `conv(avgpool_P(x), w)` for spikes x `[N, C, H, W]` (H and W multiples of P), or nil when
    /// `policy` would not run the composite convolution spike-driven (x not spikes, too dense,
    /// channels not in blocks of 16/32) — then pool and convolve as two layers.
    public static func pooledSpikeConvolution(_ x: Tensor, pool p: Int, _ w: Tensor, padding: Int,
                                              layout: TensorLayout, bias: [Float]? = nil,
                                              policy: SpikeConvolutionPolicy = .current) -> Tensor? {
        guard x.rank == 4, w.rank == 4, p >= 2, x.shape[2] % p == 0, x.shape[3] % p == 0,
              x.shape[1] == w.shape[1] else { return nil }
        let composite = compositePoolingWeights(w, pool: p)
        let g = ConvolutionGeometry(input: x.shape, weight: composite.shape, stride: p, padding: padding * p)
        guard let spikes = SpikeMap.forConvolution(x, geometry: g, policy: policy, lookingPastZeros: true) else { return nil }
        return spikeConvolutionScattered(spikes, composite, layout: layout, bias: bias)
    }

    /// w' `[K, C, R·P, S·P]` with w'[k, c, r', s'] = w[k, c, r'/P, s'/P] / P² (P a power of 2
    /// makes the division exact).
    static func compositePoolingWeights(_ w: Tensor, pool p: Int) -> Tensor {
        let (k, c, r, s) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let (rp, sp) = (r * p, s * p)
        let scale = 1 / Float(p * p)
        var out = Tensor(uninitializedShape: [k, c, rp, sp])
        w.converted(to: .rowMajor).withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for plane in 0..<k * c {
                    for i in 0..<rp { for j in 0..<sp {
                        dst[(plane * rp + i) * sp + j] = src[(plane * r + i / p) * s + j / p] * scale
                    } }
                }
            }
        }
        return out
    }
}
