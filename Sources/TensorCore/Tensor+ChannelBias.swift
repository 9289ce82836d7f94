extension Tensor {
    /// y[n, c, …] += b[c], in place, in either layout: a convolution's bias. The sums are
    /// x + b[c] exactly as the per-channel affine map with scale 1 forms them (x·1 is exact);
    /// a channel-blocked map goes through that map's kernel (`blockedChannelAffine`).
    public mutating func addChannelBias(_ b: [Float]) {
        precondition(rank >= 2 && b.count == shape[1], "bias has \(b.count) values for \(shape[1]) channels")
        let (n, c) = (shape[0], shape[1])
        if layout == .channelBlocked16 {
            Tensor.blockedChannelAffine(&self, scale: [Float](repeating: 1, count: c), shift: b)
            return
        }
        let inner = Swift.max(count / Swift.max(n * c, 1), 1)
        withUnsafeMutableStorage { p, _ in
            let P = SendablePointer(p.baseAddress!)
            b.withUnsafeBufferPointer { pb in
                let B = SendablePointer(pb.baseAddress!)
                parallelChunks(n * c * inner, granularity: inner) { range in   // whole (n, c) rows
                    for row in range.lowerBound / inner ..< range.upperBound / inner {
                        let shift = B.base[row % c], base = P.base + row * inner
                        for j in 0..<inner { base[j] += shift }
                    }
                }
            }
        }
    }
}
