extension Tensor {
    /// y[n, c, …] += b[c], in place, in either layout: a convolution's bias. The sums are
    /// x + b[c] exactly as the per-channel affine map with scale 1 forms them (x·1 is exact).
    public mutating func addChannelBias(_ b: [Float]) {
        precondition(rank >= 2 && b.count == shape[1], "bias has \(b.count) values for \(shape[1]) channels")
        let (n, c) = (shape[0], shape[1])
        let inner = count / Swift.max(n * c, 1)
        withUnsafeMutableStorage { p, layout in
            let P = SendablePointer(p.baseAddress!)
            b.withUnsafeBufferPointer { pb in
                let B = SendablePointer(pb.baseAddress!)
                if layout == .channelBlocked16 {
                    // [N][C/16][H·W][16]: one (image, block) plane per unit.
                    let blocks = c / 16
                    parallelChunks(n * blocks * inner * 16, granularity: inner * 16) { range in
                        for unit in range.lowerBound / (inner * 16) ..< range.upperBound / (inner * 16) {
                            let block = unit % blocks
                            var shift = Lanes()
                            for l in 0..<16 { shift[l] = B.base[block * 16 + l] }
                            let plane = P.base + unit * inner * 16
                            for q in 0..<inner {
                                let at = plane + q * 16
                                BlockedChannelPlanes.store(BlockedChannelPlanes.load(at) + shift, at)
                            }
                        }
                    }
                } else {
                    parallelChunks(n * c * inner, granularity: Swift.max(inner, 1)) { range in
                        for row in range.lowerBound / Swift.max(inner, 1) ..< range.upperBound / Swift.max(inner, 1) {
                            let shift = B.base[row % c], base = P.base + row * inner
                            for j in 0..<inner { base[j] += shift }
                        }
                    }
                }
            }
        }
    }
}
