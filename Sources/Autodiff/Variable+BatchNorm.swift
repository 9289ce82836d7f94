import Foundation

/// Batch normalisation over the channels (dimension 1) of `[N, C, …]` or `[N, C]`.
extension Variable {
    /// Training-mode BatchNorm with batch statistics (biased variance):
    ///
    ///     x̂ = (x − μ_B) / √(σ²_B + ε),   y = γ·x̂ + β
    ///     ∂L/∂x = γ/(m·√(σ²+ε)) · (m·g − Σg − x̂·Σ(g·x̂))     (m = elements per channel)
    ///
    /// Returns the output and the batch mean and variance (for the running statistics).
    public static func batchNormalized(_ x: Variable, scale gamma: Variable, shift beta: Variable,
                                       epsilon: Float) -> (output: Variable, mean: Tensor, variance: Tensor) {
        let xv = x.value
        let n = xv.shape[0], c = xv.shape[1], inner = xv.count / Swift.max(n * c, 1)
        let m = Float(n * inner)
        var mean = Tensor(shape: [c]), variance = Tensor(shape: [c]), invStd = [Float](repeating: 0, count: c)
        var xhat = Tensor(shape: xv.shape), y = Tensor(shape: xv.shape)
        let gammaS = gamma.value.scalars, betaS = beta.value.scalars
        xv.withUnsafeBufferPointer { px in
            xhat.withUnsafeMutableBufferPointer { ph in
                y.withUnsafeMutableBufferPointer { py in
                    for ch in 0..<c {
                        var s = 0.0, s2 = 0.0
                        for i in 0..<n {
                            let row = UnsafeBufferPointer(rebasing: px[(i * c + ch) * inner..<(i * c + ch + 1) * inner])
                            var a: Float = 0
                            for v in row { a += v }
                            s += Double(a)
                        }
                        let mu = s / Double(m)
                        for i in 0..<n {
                            let row = UnsafeBufferPointer(rebasing: px[(i * c + ch) * inner..<(i * c + ch + 1) * inner])
                            var a: Float = 0
                            let muF = Float(mu)
                            for v in row { a += (v - muF) * (v - muF) }
                            s2 += Double(a)
                        }
                        let varc = s2 / Double(m)
                        mean[flat: ch] = Float(mu)
                        variance[flat: ch] = Float(varc)
                        let istd = Float(1 / (varc + Double(epsilon)).squareRoot())
                        invStd[ch] = istd
                        let muF = Float(mu), gm = gammaS[ch], bt = betaS[ch]
                        for i in 0..<n {
                            let base = (i * c + ch) * inner
                            for j in 0..<inner {
                                let h = (px[base + j] - muF) * istd
                                ph[base + j] = h
                                py[base + j] = gm * h + bt
                            }
                        }
                    }
                }
            }
        }
        let output = custom(y, inputs: [x, gamma, beta]) { g in
            var dx = Tensor(shape: xv.shape)
            var dgamma = [Float](repeating: 0, count: c), dbeta = [Float](repeating: 0, count: c)
            g.withUnsafeBufferPointer { pg in
                xhat.withUnsafeBufferPointer { ph in
                    dx.withUnsafeMutableBufferPointer { pd in
                        for ch in 0..<c {
                            var sg = 0.0, sgh = 0.0
                            for i in 0..<n {
                                let base = (i * c + ch) * inner
                                var a: Float = 0, b: Float = 0
                                for j in 0..<inner { a += pg[base + j]; b += pg[base + j] * ph[base + j] }
                                sg += Double(a); sgh += Double(b)
                            }
                            dbeta[ch] = Float(sg); dgamma[ch] = Float(sgh)
                            let k = gammaS[ch] * invStd[ch] / m
                            let sgF = Float(sg), sghF = Float(sgh)
                            for i in 0..<n {
                                let base = (i * c + ch) * inner
                                for j in 0..<inner {
                                    pd[base + j] = k * (m * pg[base + j] - sgF - ph[base + j] * sghF)
                                }
                            }
                        }
                    }
                }
            }
            return [dx, Tensor(shape: [c], scalars: dgamma), Tensor(shape: [c], scalars: dbeta)]
        }
        return (output, mean, variance)
    }

    /// Per-channel affine map y = a[c]·x + b[c] with constant a, b (BatchNorm in inference
    /// mode after folding its running statistics);  ∂L/∂x = a[c]·g.
    public func channelAffine(scale a: Tensor, shift b: Tensor) -> Variable {
        let xv = value
        let n = xv.shape[0], c = xv.shape[1], inner = xv.count / Swift.max(n * c, 1)
        func apply(_ t: Tensor, withShift: Bool) -> Tensor {
            var out = t
            let aS = a.scalars, bS = b.scalars
            out.withUnsafeMutableBufferPointer { p in
                for i in 0..<n { for ch in 0..<c {
                    let base = (i * c + ch) * inner
                    let s = aS[ch], t0 = withShift ? bS[ch] : 0
                    for j in 0..<inner { p[base + j] = p[base + j] * s + t0 }
                }}
            }
            return out
        }
        return Variable.custom(apply(xv, withShift: true), inputs: [self]) { g in [apply(g, withShift: false)] }
    }

    /// Inference-mode BatchNorm with trainable γ, β and fixed running statistics:
    /// y = γ·(x − μ)/√(σ²+ε) + β.
    public static func batchNormalized(_ x: Variable, scale gamma: Variable, shift beta: Variable,
                                       runningMean: Tensor, runningVariance: Tensor,
                                       epsilon: Float) -> Variable {
        let c = runningMean.count
        let invStd = runningVariance.map { 1 / ($0 + epsilon).squareRoot() }
        let xhat = x.channelAffine(scale: invStd, shift: Tensor(shape: [c], scalars: (0..<c).map {
            -runningMean[flat: $0] * invStd[flat: $0]
        }))
        if !gamma.requiresGrad && !beta.requiresGrad {
            return xhat.channelAffine(scale: gamma.value, shift: beta.value)
        }
        return xhat.channelScaled(by: gamma).addingChannelBias(beta)
    }

    /// y[n,c,…] = x[n,c,…]·s[c] with a differentiable per-channel s.
    public func channelScaled(by s: Variable) -> Variable {
        let xv = value
        let n = xv.shape[0], c = xv.shape[1], inner = xv.count / Swift.max(n * c, 1)
        let y = channelAffine(scale: s.value, shift: Tensor(shape: [c])).value
        return Variable.custom(y, inputs: [self, s]) { g in
            var dx = g, ds = [Double](repeating: 0, count: c)
            let sS = s.value.scalars
            dx.withUnsafeMutableBufferPointer { pd in
                xv.withUnsafeBufferPointer { px in
                    for i in 0..<n { for ch in 0..<c {
                        let base = (i * c + ch) * inner
                        var acc: Float = 0
                        for j in 0..<inner { acc += pd[base + j] * px[base + j]; pd[base + j] *= sS[ch] }
                        ds[ch] += Double(acc)
                    }}
                }
            }
            return [dx, Tensor(shape: [c], scalars: ds.map(Float.init))]
        }
    }
}
