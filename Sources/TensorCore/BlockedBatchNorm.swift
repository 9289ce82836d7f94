/// BatchNorm on channel-blocked maps (`TensorLayout.channelBlocked16`, nChw16c): the 16
/// channels of a block are the 16 lanes of one vector, so each lane computes exactly what the
/// row-major kernel computes for its channel — per plane (n, c) a Float sum over the H·W
/// positions in order, planes added in order into a Double — and the results are the same bits
/// (tested against the row-major kernels in AutodiffTests/BlockedLayoutTests).
package typealias Lanes = SIMD16<Float>
package typealias DoubleLanes = SIMD16<Double>

/// The planes of one channel block of `[N, C/16, H·W, 16]`.
package struct BlockedChannelPlanes {
    package let base: UnsafeMutablePointer<Float>   // block b of image 0
    package let imageStride: Int                    // C·H·W floats
    package let images: Int
    package let positions: Int                      // H·W

    package init(base: UnsafeMutablePointer<Float>, imageStride: Int, images: Int, positions: Int) {
        self.base = base; self.imageStride = imageStride; self.images = images; self.positions = positions
    }

    @inlinable @inline(__always) package static func load(_ p: UnsafeMutablePointer<Float>) -> Lanes {
        UnsafeRawPointer(p).load(as: Lanes.self)
    }
    @inlinable @inline(__always) package static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
    }

    /// Per lane: Σ_images Double(Σ_positions term(x)), images in order.
    @inline(__always)
    package func sum(_ term: (Lanes) -> Lanes) -> DoubleLanes {
        var total = DoubleLanes(repeating: 0)
        for n in 0..<images {
            let plane = base + n * imageStride
            var acc = Lanes(repeating: 0)
            for p in 0..<positions { acc += term(Self.load(plane + p * 16)) }
            total += DoubleLanes(acc)
        }
        return total
    }

    /// Two sums over the same positions of this block and of `other` (same layout).
    @inline(__always)
    package func sums(paired other: UnsafeMutablePointer<Float>,
              _ term: (_ other: Lanes, _ x: Lanes) -> (Lanes, Lanes)) -> (DoubleLanes, DoubleLanes) {
        var first = DoubleLanes(repeating: 0), second = DoubleLanes(repeating: 0)
        let offset = other - base
        for n in 0..<images {
            let plane = base + n * imageStride
            var a = Lanes(repeating: 0), b = Lanes(repeating: 0)
            for p in 0..<positions {
                let x = plane + p * 16
                let t = term(Self.load(x + offset), Self.load(x))
                a += t.0; b += t.1
            }
            first += DoubleLanes(a); second += DoubleLanes(b)
        }
        return (first, second)
    }

    /// Applies `body(value)` to every vector of this block, writing into the same position of
    /// `output`.
    @inline(__always)
    package func map(into output: UnsafeMutablePointer<Float>, _ body: (Lanes) -> Lanes) {
        let offset = output - base
        for n in 0..<images {
            let plane = base + n * imageStride
            for p in 0..<positions {
                let x = plane + p * 16
                Self.store(body(Self.load(x)), x + offset)
            }
        }
    }
}

extension Tensor {
    /// Training-mode BatchNorm of a channel-blocked `[N, C, H, W]` map: the output, the batch
    /// mean and variance per channel, and 1/√(var + ε); same formulas and bits as the row-major
    /// kernel of Autodiff's `batchNormalized(_:scale:shift:epsilon:)`.
    package static func blockedBatchNormForward(_ x: Tensor, gamma: [Float], beta: [Float], epsilon: Float)
        -> (output: Tensor, mean: [Float], variance: [Float], invStd: [Float])
    {
        let xv = x
        precondition(xv.layout == .channelBlocked16)
        let (n, c, hw) = (xv.shape[0], xv.shape[1], xv.shape[2] * xv.shape[3])
        let blocks = c / 16
        let m = Float(n * hw)
        let gammaS = gamma, betaS = beta
        var mean = [Float](repeating: 0, count: c), variance = mean, invStd = mean
        var y = Tensor(uninitializedShape: xv.shape, layout: .channelBlocked16)
        xv.withUnsafeStorage { px, _ in
            y.withUnsafeMutableStorage { py, _ in
                mean.withUnsafeMutableBufferPointer { pm in
                    variance.withUnsafeMutableBufferPointer { pv in
                        invStd.withUnsafeMutableBufferPointer { pi in
                            let (X, Y) = (SendablePointer(px.baseAddress!), SendablePointer(py.baseAddress!))
                            let (M, V, I) = (SendablePointer(pm.baseAddress!), SendablePointer(pv.baseAddress!),
                                             SendablePointer(pi.baseAddress!))
                            parallelFor(blocks) { b in
                                let planes = BlockedChannelPlanes(base: X.base + b * hw * 16, imageStride: c * hw,
                                                                  images: n, positions: hw)
                                let mu = planes.sum { $0 } / Double(m)
                                let muF = Lanes(mu)
                                let varc = planes.sum { ($0 - muF) * ($0 - muF) } / Double(m)
                                var istdD = DoubleLanes()
                                for l in 0..<16 { istdD[l] = 1 / (varc[l] + Double(epsilon)).squareRoot() }
                                let istd = Lanes(istdD)
                                var gm = Lanes(), bt = Lanes()
                                for l in 0..<16 {
                                    let ch = b * 16 + l
                                    M.base[ch] = muF[l]; V.base[ch] = Float(varc[l]); I.base[ch] = istd[l]
                                    gm[l] = gammaS[ch]; bt[l] = betaS[ch]
                                }
                                planes.map(into: Y.base + b * hw * 16) { gm * (($0 - muF) * istd) + bt }
                            }
                        }
                    }
                }
            }
        }
        return (y, mean, variance, invStd)
    }

    /// ∂x, ∂γ and ∂β of `blockedBatchNormForward` for the output gradient `g`.
    package static func blockedBatchNormBackward(_ g: Tensor, x xv: Tensor, mean: [Float], invStd: [Float],
                                                 gamma gammaS: [Float]) -> (dx: Tensor, dgamma: [Float], dbeta: [Float]) {
        let (n, c, hw) = (xv.shape[0], xv.shape[1], xv.shape[2] * xv.shape[3])
        let blocks = c / 16
        let m = Float(n * hw)
        let g = g.converted(to: .channelBlocked16)
        var dx = Tensor(uninitializedShape: xv.shape, layout: .channelBlocked16)
        var dgamma = [Float](repeating: 0, count: c), dbeta = dgamma
        g.withUnsafeStorage { pg, _ in
            xv.withUnsafeStorage { px, _ in
                dx.withUnsafeMutableStorage { pd, _ in
                    dgamma.withUnsafeMutableBufferPointer { pdg in
                        dbeta.withUnsafeMutableBufferPointer { pdb in
                            let (Gr, X, D) = (SendablePointer(pg.baseAddress!), SendablePointer(px.baseAddress!),
                                              SendablePointer(pd.baseAddress!))
                            let (DG, DB) = (SendablePointer(pdg.baseAddress!), SendablePointer(pdb.baseAddress!))
                            parallelFor(blocks) { b in
                                var muF = Lanes(), istd = Lanes(), k = Lanes()
                                for l in 0..<16 {
                                    let ch = b * 16 + l
                                    muF[l] = mean[ch]; istd[l] = invStd[ch]
                                    k[l] = gammaS[ch] * invStd[ch] / m
                                }
                                let offset = b * hw * 16
                                let planes = BlockedChannelPlanes(base: X.base + offset, imageStride: c * hw,
                                                                  images: n, positions: hw)
                                let (sg, sgh) = planes.sums(paired: Gr.base + offset) { g, x in
                                    (g, g * ((x - muF) * istd))
                                }
                                let sgF = Lanes(sg), sghF = Lanes(sgh)
                                for l in 0..<16 { DB.base[b * 16 + l] = sgF[l]; DG.base[b * 16 + l] = sghF[l] }
                                let mL = Lanes(repeating: m)
                                let gradientOffset = Gr.base - X.base
                                for image in 0..<n {
                                    let plane = X.base + offset + image * c * hw
                                    for p in 0..<hw {
                                        let at = plane + p * 16
                                        let xL = BlockedChannelPlanes.load(at)
                                        let gL = BlockedChannelPlanes.load(at + gradientOffset)
                                        let h = (xL - muF) * istd
                                        BlockedChannelPlanes.store(k * (mL * gL - sgF - h * sghF),
                                                                   D.base + (at - X.base))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dx, dgamma, dbeta)
    }

    /// y = a[c]·x + b[c] on a channel-blocked map, in place in `t`'s storage (same bits as the
    /// row-major `channelAffine`).
    package static func blockedChannelAffine(_ t: inout Tensor, scale a: [Float], shift b: [Float]) {
        let (n, c, hw) = (t.shape[0], t.shape[1], t.shape[2] * t.shape[3])
        let blocks = c / 16
        t.withUnsafeMutableStorage { p, layout in
            precondition(layout == .channelBlocked16)
            let P = SendablePointer(p.baseAddress!)
            parallelChunks(n * blocks * hw * 16, granularity: hw * 16) { range in
                for unit in range.lowerBound / (hw * 16) ..< range.upperBound / (hw * 16) {
                    let block = unit % blocks
                    var s = Lanes(), shift = Lanes()
                    for l in 0..<16 { s[l] = a[block * 16 + l]; shift[l] = b[block * 16 + l] }
                    let plane = P.base + unit * hw * 16
                    for q in 0..<hw {
                        let at = plane + q * 16
                        BlockedChannelPlanes.store(BlockedChannelPlanes.load(at) * s + shift, at)
                    }
                }
            }
        }
    }
}
