import Foundation
import TensorCore

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
        if x.value.layout == .channelBlocked16 {
            return blockedBatchNormalized(x, scale: gamma, shift: beta, epsilon: epsilon)
        }
        let xv = x.value
        let n = xv.shape[0], c = xv.shape[1], inner = xv.count / Swift.max(n * c, 1)
        let m = Float(n * inner)
        // Per channel: statistics in Double, then x̂ and y. Channels are independent, so they
        // are split over the workers; each channel is summed in the same order either way.
        // x̂ is not stored: the backward recomputes it from x, μ and 1/σ (the same bits).
        var mean = Tensor(shape: [c]), variance = Tensor(shape: [c]), invStd = Tensor(shape: [c])
        var y = Tensor(uninitializedShape: xv.shape)   // every element written below
        let gammaT = gamma.value, betaT = beta.value
        xv.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                mean.withUnsafeMutableBufferPointer { pm in
                    variance.withUnsafeMutableBufferPointer { pv in
                        invStd.withUnsafeMutableBufferPointer { pi in
                            gammaT.withUnsafeBufferPointer { pgm in
                                betaT.withUnsafeBufferPointer { pbt in
                                    let (X, Y) = (SendablePointer(px.baseAddress!), SendablePointer(py.baseAddress!))
                                    let (M, V, I) = (SendablePointer(pm.baseAddress!), SendablePointer(pv.baseAddress!),
                                                     SendablePointer(pi.baseAddress!))
                                    let (G, B) = (SendablePointer(pgm.baseAddress!), SendablePointer(pbt.baseAddress!))
                                    forEachChannel(c, elements: xv.count) { ch in
                                        let rows = ChannelRows(base: X.base + ch * inner, stride: c * inner,
                                                               count: n, length: inner)
                                        let mu = rows.sum { $0 } / Double(m)
                                        let muF = Float(mu)
                                        let varc = rows.sum { ($0 - muF) * ($0 - muF) } / Double(m)
                                        M.base[ch] = muF
                                        V.base[ch] = Float(varc)
                                        let istd = Float(1 / (varc + Double(epsilon)).squareRoot())
                                        I.base[ch] = istd
                                        let gm = G.base[ch], bt = B.base[ch]
                                        for i in 0..<n {
                                            let base = (i * c + ch) * inner
                                            for j in 0..<inner {
                                                let h = (X.base[base + j] - muF) * istd
                                                Y.base[base + j] = gm * h + bt
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let output = custom(y, inputs: [x, gamma, beta]) { [mean, invStd] g in
            var dx = Tensor(uninitializedShape: xv.shape)   // every element written below
            var dgamma = Tensor(shape: [c]), dbeta = Tensor(shape: [c])
            g.withUnsafeBufferPointer { pg in
                xv.withUnsafeBufferPointer { px in
                    dx.withUnsafeMutableBufferPointer { pd in
                        dgamma.withUnsafeMutableBufferPointer { pdg in
                            dbeta.withUnsafeMutableBufferPointer { pdb in
                                mean.withUnsafeBufferPointer { pm in
                                    invStd.withUnsafeBufferPointer { pi in
                                        gammaT.withUnsafeBufferPointer { pgm in
                                            let (Gr, X, D) = (SendablePointer(pg.baseAddress!), SendablePointer(px.baseAddress!),
                                                              SendablePointer(pd.baseAddress!))
                                            let (DG, DB) = (SendablePointer(pdg.baseAddress!), SendablePointer(pdb.baseAddress!))
                                            let (M, I, Gm) = (SendablePointer(pm.baseAddress!), SendablePointer(pi.baseAddress!),
                                                              SendablePointer(pgm.baseAddress!))
                                            forEachChannel(c, elements: xv.count) { ch in
                                                let muF = M.base[ch], istd = I.base[ch]
                                                let (sg, sgh) = ChannelRows(
                                                    base: X.base + ch * inner, stride: c * inner, count: n, length: inner
                                                ).sums(paired: Gr.base + ch * inner) { g, x in (g, g * ((x - muF) * istd)) }
                                                DB.base[ch] = Float(sg); DG.base[ch] = Float(sgh)
                                                let k = Gm.base[ch] * istd / m
                                                let sgF = Float(sg), sghF = Float(sgh)
                                                for i in 0..<n {
                                                    let base = (i * c + ch) * inner
                                                    for j in 0..<inner {
                                                        let h = (X.base[base + j] - muF) * istd
                                                        D.base[base + j] = k * (m * Gr.base[base + j] - sgF - h * sghF)
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return [dx, dgamma, dbeta]
        }
        return (output, mean, variance)
    }

    /// Runs `body(channel)` for every channel, split over the workers when the tensor is large
    /// enough to pay for the dispatch.
    private static func forEachChannel(_ c: Int, elements: Int, _ body: @Sendable (Int) -> Void) {
        if elements < 2 * Parallelism.minimumElementsPerWorker {
            for ch in 0..<c { body(ch) }
        } else {
            parallelFor(c, body)
        }
    }

    /// Per-channel affine map y = a[c]·x + b[c] with constant a, b (BatchNorm in inference
    /// mode after folding its running statistics);  ∂L/∂x = a[c]·g.
    public func channelAffine(scale a: Tensor, shift b: Tensor) -> Variable {
        let xv = value
        let n = xv.shape[0], c = xv.shape[1], inner = xv.count / Swift.max(n * c, 1)
        func apply(_ t: Tensor, withShift: Bool) -> Tensor {
            var out = t
            if out.layout == .channelBlocked16 {
                Tensor.blockedChannelAffine(&out, scale: a.scalars,
                                     shift: withShift ? b.scalars : [Float](repeating: 0, count: c))
                return out
            }
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { p in
                        let (A, B, P) = (SendablePointer(pa.baseAddress!), SendablePointer(pb.baseAddress!),
                                         SendablePointer(p.baseAddress!))
                        // Whole (n, c) rows per worker.
                        parallelChunks(n * c * inner, granularity: Swift.max(inner, 1)) { range in
                            for row in (range.lowerBound / Swift.max(inner, 1))..<(range.upperBound / Swift.max(inner, 1)) {
                                let ch = row % c, base = row * inner
                                let s = A.base[ch], t0 = withShift ? B.base[ch] : 0
                                for j in 0..<inner { P.base[base + j] = P.base[base + j] * s + t0 }
                            }
                        }
                    }
                }
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
        let shift = Tensor(shape: [c], scalars: (0..<c).map { -runningMean[flat: $0] * invStd[flat: $0] })
        if !gamma.requiresGrad && !beta.requiresGrad {
            let xhat = x.channelAffine(scale: invStd, shift: shift)
            return xhat.channelAffine(scale: gamma.value, shift: beta.value)
        }
        // The value of xhat.channelScaled(by: γ).addingChannelBias(β), in one pass over the map:
        //     x̂ = x·a + b,  y = (x̂·γ + 0) + β      (a = 1/√(σ²+ε), b = −μ·a)
        // The gradients come from that same composition, rebuilt on demand (x̂ is not stored).
        let y = Variable.fusedInferenceNormalization(x.value, a: invStd.scalars, b: shift.scalars,
                                                     gamma: gamma.value.scalars, beta: beta.value.scalars)
        return custom(y, inputs: [x, gamma, beta]) { g in
            let (xr, gr, br) = (Variable(leaf: x.value), Variable(leaf: gamma.value), Variable(leaf: beta.value))
            let composed = xr.channelAffine(scale: invStd, shift: shift).channelScaled(by: gr).addingChannelBias(br)
            composed.backward(seed: g)
            return [x.requiresGrad ? xr.grad : nil, gr.grad, br.grad]
        }
    }

    /// y = (x·a[c] + b[c])·γ[c] + 0 + β[c] per element, with exactly those roundings, in one
    /// pass (either layout; the output keeps x's).
    static func fusedInferenceNormalization(_ x: Tensor, a: [Float], b: [Float],
                                            gamma: [Float], beta: [Float]) -> Tensor {
        let n = x.shape[0], c = x.shape[1], inner = x.count / Swift.max(n * c, 1)
        var y = Tensor(uninitializedShape: x.shape, layout: x.layout)
        x.withUnsafeStorage { px, layout in
            y.withUnsafeMutableStorage { py, _ in
                let (X, Y) = (SendablePointer(px.baseAddress!), SendablePointer(py.baseAddress!))
                switch layout {
                case .rowMajor:
                    parallelChunks(n * c * inner, granularity: Swift.max(inner, 1)) { range in
                        for row in (range.lowerBound / Swift.max(inner, 1))..<(range.upperBound / Swift.max(inner, 1)) {
                            let ch = row % c, base = row * inner
                            let (s, t, gm, bt) = (a[ch], b[ch], gamma[ch], beta[ch])
                            for j in 0..<inner { Y.base[base + j] = ((X.base[base + j] * s + t) * gm + 0) + bt }
                        }
                    }
                case .channelBlocked16:
                    let (blocks, hw) = (c / 16, inner)
                    parallelChunks(n * blocks * hw * 16, granularity: hw * 16) { range in
                        for unit in range.lowerBound / (hw * 16) ..< range.upperBound / (hw * 16) {
                            let block = unit % blocks
                            var s = Lanes(), t = Lanes(), gm = Lanes(), bt = Lanes()
                            for l in 0..<16 {
                                let ch = block * 16 + l
                                s[l] = a[ch]; t[l] = b[ch]; gm[l] = gamma[ch]; bt[l] = beta[ch]
                            }
                            let zero = Lanes(repeating: 0)
                            for q in 0..<hw {
                                let at = unit * hw * 16 + q * 16
                                let v = BlockedChannelPlanes.load(X.base + at)
                                BlockedChannelPlanes.store(((v * s + t) * gm + zero) + bt, Y.base + at)
                            }
                        }
                    }
                }
            }
        }
        return y
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

/// The rows of one channel in `[N, C, inner]`: row i starts at `base + i·stride`.
///
/// Sums over a channel are Float sums per row, added row by row into a Double. Each row's
/// Float sum is one dependency chain (an add waits ~4 cycles for the previous one), so rows are
/// summed eight at a time, interleaved: the same additions in the same order per row, hence the
/// same bits, but eight chains in flight.
struct ChannelRows {
    let base: UnsafeMutablePointer<Float>
    let stride: Int, count: Int, length: Int

    /// Σ_rows Double(Σ_j term(row[j])), rows added in order.
    @inline(__always)
    func sum(_ term: (Float) -> Float) -> Double {
        var total = 0.0
        var i = 0
        while i + 8 <= count {
            let r = base + i * stride, s = stride
            var a0: Float = 0, a1: Float = 0, a2: Float = 0, a3: Float = 0
            var a4: Float = 0, a5: Float = 0, a6: Float = 0, a7: Float = 0
            for j in 0..<length {
                a0 += term(r[j]); a1 += term(r[s + j]); a2 += term(r[2 * s + j]); a3 += term(r[3 * s + j])
                a4 += term(r[4 * s + j]); a5 += term(r[5 * s + j]); a6 += term(r[6 * s + j]); a7 += term(r[7 * s + j])
            }
            total += Double(a0); total += Double(a1); total += Double(a2); total += Double(a3)
            total += Double(a4); total += Double(a5); total += Double(a6); total += Double(a7)
            i += 8
        }
        while i < count {
            let r = base + i * stride
            var a: Float = 0
            for j in 0..<length { a += term(r[j]) }
            total += Double(a)
            i += 1
        }
        return total
    }

    /// Two sums at once over this channel's rows and the same positions of `other`:
    /// (Σ_rows Double(Σ_j t(o, x).0), Σ_rows Double(Σ_j t(o, x).1)), rows in order.
    @inline(__always)
    func sums(paired other: UnsafeMutablePointer<Float>,
              _ term: (_ other: Float, _ x: Float) -> (Float, Float)) -> (Double, Double) {
        var first = 0.0, second = 0.0
        var i = 0
        while i + 4 <= count {
            let r = base + i * stride, o = other + i * stride, s = stride
            var a0: Float = 0, a1: Float = 0, a2: Float = 0, a3: Float = 0
            var b0: Float = 0, b1: Float = 0, b2: Float = 0, b3: Float = 0
            for j in 0..<length {
                let t0 = term(o[j], r[j]), t1 = term(o[s + j], r[s + j])
                let t2 = term(o[2 * s + j], r[2 * s + j]), t3 = term(o[3 * s + j], r[3 * s + j])
                a0 += t0.0; b0 += t0.1; a1 += t1.0; b1 += t1.1
                a2 += t2.0; b2 += t2.1; a3 += t3.0; b3 += t3.1
            }
            first += Double(a0); second += Double(b0); first += Double(a1); second += Double(b1)
            first += Double(a2); second += Double(b2); first += Double(a3); second += Double(b3)
            i += 4
        }
        while i < count {
            let r = base + i * stride, o = other + i * stride
            var a: Float = 0, b: Float = 0
            for j in 0..<length { let t = term(o[j], r[j]); a += t.0; b += t.1 }
            first += Double(a); second += Double(b)
            i += 1
        }
        return (first, second)
    }
}
