/// Max and average pooling on channel-blocked maps (`TensorLayout.channelBlocked16`): the 16
/// channels of a block are the lanes of one vector and every lane does what the row-major
/// kernel does for its plane, in the same order (same bits; AutodiffTests/BlockedLayoutTests). The graph ops in
/// Autodiff/Variable+Pooling.swift call it for blocked inputs.
/// The output stays channel-blocked.
package struct BlockedPooling {
    package let images: Int, blocks: Int
    package let height: Int, width: Int, window: Int, stride: Int
    package var outHeight: Int { (height - window) / stride + 1 }
    package var outWidth: Int { (width - window) / stride + 1 }
    /// (image, channel block) units, each a contiguous [H·W, 16] (input) / [P·Q, 16] (output).
    package var units: Int { images * blocks }

    package init(shape: [Int], window: Int, stride: Int) {
        images = shape[0]; blocks = shape[1] / 16
        height = shape[2]; width = shape[3]
        self.window = window; self.stride = stride
    }

    /// Runs `body(unit)` for every unit, whole units per worker (`unitSize` floats each).
    private func forEachUnit(unitSize: Int, _ body: @Sendable (Int) -> Void) {
        parallelChunks(units * unitSize, granularity: unitSize) { range in
            for unit in range.lowerBound / unitSize ..< range.upperBound / unitSize { body(unit) }
        }
    }

    /// y = max over each window; `argmax[o]` = the storage index of the first maximum per lane.
    package func maxForward(_ x: Tensor, argmax: inout [Int32]) -> Tensor {
        var y = Tensor(uninitializedShape: [images, blocks * 16, outHeight, outWidth], layout: .channelBlocked16)
        let (h, w, p, q, k, s) = (height, width, outHeight, outWidth, window, stride)
        x.withUnsafeStorage { px, _ in
            y.withUnsafeMutableStorage { py, _ in
                argmax.withUnsafeMutableBufferPointer { pa in
                    let (X, Y, A) = (SendablePointer(px.baseAddress!), SendablePointer(py.baseAddress!),
                                     SendablePointer(pa.baseAddress!))
                    forEachUnit(unitSize: p * q * 16) { unit in
                        let input = unit * h * w * 16
                        for i in 0..<p { for j in 0..<q {
                            var best = Lanes(repeating: -.infinity)
                            var bestIndex = SIMD16<Int32>(repeating: 0)
                            for r in 0..<k { for c in 0..<k {
                                let at = input + ((i * s + r) * w + j * s + c) * 16
                                let v = BlockedChannelPlanes.load(X.base + at)
                                let better = v .> best
                                best.replace(with: v, where: better)
                                bestIndex.replace(with: SIMD16<Int32>(repeating: Int32(at)) &+ laneOffsets,
                                                  where: better)
                            }}
                            let o = (unit * p * q + i * q + j) * 16
                            BlockedChannelPlanes.store(best, Y.base + o)
                            UnsafeMutableRawPointer(A.base + o).storeBytes(of: bestIndex, as: SIMD16<Int32>.self)
                        }}
                    }
                }
            }
        }
        return y
    }

    /// ∂x: each output's gradient added at its arg-max (storage indices of a blocked ∂x).
    package func maxBackward(_ g: Tensor, argmax: [Int32], inputShape: [Int]) -> Tensor {
        var dx = blockedZeros(inputShape)
        let g = g.converted(to: .channelBlocked16)
        let per = outHeight * outWidth * 16
        dx.withUnsafeMutableStorage { pd, _ in
            g.withUnsafeStorage { pg, _ in
                argmax.withUnsafeBufferPointer { pa in
                    let (D, G) = (SendablePointer(pd.baseAddress!), SendablePointer(pg.baseAddress!))
                    let A = SendablePointer(pa.baseAddress!)
                    // Each unit's arg-maxes lie in its own unit of ∂x: units scatter independently.
                    parallelChunks(pg.count, granularity: per) { range in
                        for o in range { D.base[Int(A.base[o])] += G.base[o] }
                    }
                }
            }
        }
        return dx
    }

    /// y = mean over each window (summed in the window's row-major order, then scaled).
    package func averageForward(_ x: Tensor) -> Tensor {
        var y = Tensor(uninitializedShape: [images, blocks * 16, outHeight, outWidth], layout: .channelBlocked16)
        let (h, w, p, q, k, s) = (height, width, outHeight, outWidth, window, stride)
        let scale = Lanes(repeating: 1 / Float(k * k))
        x.withUnsafeStorage { px, _ in
            y.withUnsafeMutableStorage { py, _ in
                let (X, Y) = (SendablePointer(px.baseAddress!), SendablePointer(py.baseAddress!))
                forEachUnit(unitSize: h * w * 16) { unit in
                    let input = X.base + unit * h * w * 16
                    for i in 0..<p { for j in 0..<q {
                        var sum = Lanes(repeating: 0)
                        for r in 0..<k { for c in 0..<k {
                            sum += BlockedChannelPlanes.load(input + ((i * s + r) * w + j * s + c) * 16)
                        }}
                        BlockedChannelPlanes.store(sum * scale, Y.base + (unit * p * q + i * q + j) * 16)
                    }}
                }
            }
        }
        return y
    }

    /// ∂x = g/k² spread over each window.
    package func averageBackward(_ g: Tensor, inputShape: [Int]) -> Tensor {
        var dx = blockedZeros(inputShape)
        let g = g.converted(to: .channelBlocked16)
        let (h, w, p, q, k, s) = (height, width, outHeight, outWidth, window, stride)
        let scale = Lanes(repeating: 1 / Float(k * k))
        dx.withUnsafeMutableStorage { pd, _ in
            g.withUnsafeStorage { pg, _ in
                let (D, G) = (SendablePointer(pd.baseAddress!), SendablePointer(pg.baseAddress!))
                forEachUnit(unitSize: h * w * 16) { unit in
                    let output = D.base + unit * h * w * 16
                    for i in 0..<p { for j in 0..<q {
                        let v = BlockedChannelPlanes.load(G.base + (unit * p * q + i * q + j) * 16) * scale
                        for r in 0..<k { for c in 0..<k {
                            let at = output + ((i * s + r) * w + j * s + c) * 16
                            BlockedChannelPlanes.store(BlockedChannelPlanes.load(at) + v, at)
                        }}
                    }}
                }
            }
        }
        return dx
    }
}

/// A channel-blocked tensor of zeros.
private func blockedZeros(_ shape: [Int]) -> Tensor {
    var t = Tensor(uninitializedShape: shape, layout: .channelBlocked16)
    t.withUnsafeMutableStorage { p, _ in p.initialize(repeating: 0) }
    return t
}

private let laneOffsets = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
