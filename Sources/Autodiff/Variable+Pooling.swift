import TensorCore

/// 2-D pooling over non-overlapping or strided windows of `[N, C, H, W]` (no padding).
extension Variable {
    /// Max pooling: y = max over each k×k window;  ∂L/∂x routes g to the arg-max (first one on ties).
    public func maxPooled(size k: Int, stride: Int? = nil) -> Variable {
        let s = stride ?? k
        let x = value
        precondition(x.rank == 4, "maxPooled needs [N,C,H,W], got \(x.shape)")
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        precondition(k <= h && k <= w && s > 0, "maxPooled: window \(k) stride \(s) on \(h)×\(w)")
        let (p, q) = ((h - k) / s + 1, (w - k) / s + 1)
        if x.layout == .channelBlocked16 {
            let pooling = BlockedPooling(shape: x.shape, window: k, stride: s)
            var argmax = [Int32](repeating: 0, count: x.shape[0] * x.shape[1] * p * q)
            let y = pooling.maxForward(x, argmax: &argmax)
            let inputShape = x.shape
            return Variable.custom(y, inputs: [self]) { g in
                [pooling.maxBackward(g, argmax: argmax, inputShape: inputShape)]
            }
        }
        var y = Tensor(uninitializedShape: [x.shape[0], x.shape[1], p, q])   // every window written
        var argmax = [Int32](repeating: 0, count: y.count)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                argmax.withUnsafeMutableBufferPointer { pa in
                    let src = SendablePointer(px.baseAddress!), dst = SendablePointer(py.baseAddress!)
                    let arg = SendablePointer(pa.baseAddress!)
                    parallelChunks(planes * p * q, granularity: p * q) { range in
                        for plane in range.lowerBound / (p * q) ..< range.upperBound / (p * q) {
                            let input = src.base + plane * h * w
                            for i in 0..<p { for j in 0..<q {
                                var best = -Float.infinity, bestIndex = 0
                                for r in 0..<k { for c in 0..<k {
                                    let index = (i * s + r) * w + j * s + c
                                    if input[index] > best { best = input[index]; bestIndex = index }
                                }}
                                let o = plane * p * q + i * q + j
                                dst.base[o] = best
                                arg.base[o] = Int32(plane * h * w + bestIndex)
                            }}
                        }
                    }
                }
            }
        }
        let inputShape = x.shape
        return Variable.custom(y, inputs: [self]) { g in
            var dx = Tensor(shape: inputShape)
            dx.withUnsafeMutableBufferPointer { pd in
                g.withUnsafeBufferPointer { pg in
                    argmax.withUnsafeBufferPointer { pa in
                        // Each window's argmax lies in its own plane: planes scatter independently.
                        let dst = SendablePointer(pd.baseAddress!), src = SendablePointer(pg.baseAddress!)
                        let arg = SendablePointer(pa.baseAddress!)
                        parallelChunks(pg.count, granularity: p * q) { range in
                            for o in range { dst.base[Int(arg.base[o])] += src.base[o] }
                        }
                    }
                }
            }
            return [dx]
        }
    }

    /// Average pooling: y = mean over each k×k window;  ∂L/∂x = g/k² spread over the window.
    public func averagePooled(size k: Int, stride: Int? = nil) -> Variable {
        let s = stride ?? k
        let x = value
        precondition(x.rank == 4, "averagePooled needs [N,C,H,W], got \(x.shape)")
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        precondition(k <= h && k <= w && s > 0, "averagePooled: window \(k) stride \(s) on \(h)×\(w)")
        let (p, q) = ((h - k) / s + 1, (w - k) / s + 1)
        let scale = 1 / Float(k * k)
        if x.layout == .channelBlocked16 {
            let pooling = BlockedPooling(shape: x.shape, window: k, stride: s)
            let inputShape = x.shape
            return Variable.custom(pooling.averageForward(x), inputs: [self]) { g in
                [pooling.averageBackward(g, inputShape: inputShape)]
            }
        }
        var y = Tensor(uninitializedShape: [x.shape[0], x.shape[1], p, q])   // every window written
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                let src = SendablePointer(px.baseAddress!), dst = SendablePointer(py.baseAddress!)
                parallelChunks(planes * h * w, granularity: h * w) { range in   // whole planes
                    for plane in range.lowerBound / (h * w) ..< range.upperBound / (h * w) {
                        let input = src.base + plane * h * w
                        for i in 0..<p { for j in 0..<q {
                            var sum: Float = 0
                            for r in 0..<k { for c in 0..<k { sum += input[(i * s + r) * w + j * s + c] } }
                            dst.base[plane * p * q + i * q + j] = sum * scale
                        }}
                    }
                }
            }
        }
        let inputShape = x.shape
        return Variable.custom(y, inputs: [self]) { g in
            var dx = Tensor(shape: inputShape)
            dx.withUnsafeMutableBufferPointer { pd in
                g.withUnsafeBufferPointer { pg in
                    let dst = SendablePointer(pd.baseAddress!), src = SendablePointer(pg.baseAddress!)
                    parallelChunks(planes * h * w, granularity: h * w) { range in   // whole planes
                        for plane in range.lowerBound / (h * w) ..< range.upperBound / (h * w) {
                            for i in 0..<p { for j in 0..<q {
                                let v = src.base[plane * p * q + i * q + j] * scale
                                for r in 0..<k { for c in 0..<k {
                                    dst.base[plane * h * w + (i * s + r) * w + j * s + c] += v
                                }}
                            }}
                        }
                    }
                }
            }
            return [dx]
        }
    }

    /// Global average pooling `[N, C, H, W]` → `[N, C]`: y[n,c] = mean of plane (n,c), for
    /// any H and W. Each plane is one row of `[N·C, H·W]` times a column of 1/(H·W).
    public func globalAveragePooled() -> Variable {
        precondition(value.rank == 4, "globalAveragePooled needs [N,C,H,W], got \(value.shape)")
        let (n, c, plane) = (value.shape[0], value.shape[1], value.shape[2] * value.shape[3])
        let averaging = Variable(Tensor(shape: [1, plane], repeating: 1 / Float(plane)))
        return Variable.linear(reshaped([n * c, plane]), weight: averaging).reshaped([n, c])
    }
}
