import CSpikeKernels

// The raw kernels of the integrate-and-fire membrane recurrence: forward over all steps, BPTT
// backward with ∂θ and ∂λ, and the input-only backward. The science (what θ, λ, the reset and the
// surrogate mean; the layer that owns them) is `SpikingNeurons.SpikingNeuron`; this file only
// runs the loops, over a time-major flat tensor [T·M] (step t is the contiguous block t·M..<(t+1)·M).

/// How the membrane is reset after a spike, as the kernel sees it.
public enum MembraneReset: Sendable, Equatable {
    /// u = h − θ·s: the charge above θ is kept.
    case subtractThreshold
    /// u = h·(1 − s).
    case toZero
}

/// A surrogate pseudo-derivative f(z) at normalised distance z = h/θ − 1, as a concrete type so
/// each kernel below is specialised (and vectorised) per surrogate.
public protocol SurrogateFunction: Sendable {
    func callAsFunction(_ z: Float) -> Float
}

/// The forward pass's outputs: spikes s ∈ {0, 1}, the pre-reset membranes h (kept for BPTT,
/// empty when not asked for) and the final membrane u[T].
public struct MembraneTrace {
    public var spikes: Tensor                // s [T·M]
    public var preResetMembranes: Tensor     // h [T·M] or [0]
    public var finalMembrane: Tensor         // u[T] [M]

    public init(spikes: Tensor, preResetMembranes: Tensor, finalMembrane: Tensor) {
        self.spikes = spikes
        self.preResetMembranes = preResetMembranes
        self.finalMembrane = finalMembrane
    }
}

/// One layer's recurrence constants, per layer scalars:
///
///     h[t] = λ·u[t−1] + x[t]
///     s[t] = H(h[t] − θ)
///     u[t] = h[t] − θ·s[t]  (subtractThreshold)   or   h[t]·(1 − s[t])  (toZero)
public struct MembraneRecurrence: Sendable {
    public var threshold: Float
    public var leak: Float
    public var reset: MembraneReset

    public init(threshold: Float, leak: Float, reset: MembraneReset) {
        self.threshold = threshold
        self.leak = leak
        self.reset = reset
    }

    /// Runs all `timesteps` from the membranes `initial` [M]. Every neuron is independent, so
    /// the neurons are split over the workers and each runs its steps in order.
    public func forward(_ x: Tensor, timesteps: Int, initial: Tensor, keepTrace: Bool) -> MembraneTrace {
        let m = initial.count
        precondition(x.count == timesteps * m,
                     "membrane recurrence: input has \(x.count) values, expected \(timesteps) steps × \(m) neurons")
        let (theta, leak) = (threshold, self.leak)
        // Every step of every neuron is written below: no fill pass.
        var spikes = Tensor(uninitializedShape: [timesteps * m])
        var pre = Tensor(uninitializedShape: keepTrace ? [timesteps * m] : [0])
        var u = initial
        // Reset as arithmetic so both modes stay branch-free and vectorisable:
        // subtraction u = h − θ·s;  zero u = h − h·s.
        let keepCharge: Float = reset == .subtractThreshold ? 1 : 0
        x.withUnsafeBufferPointer { px in
            spikes.withUnsafeMutableBufferPointer { ps in
                pre.withUnsafeMutableBufferPointer { ph in
                    u.withUnsafeMutableBufferPointer { pu in
                        let (xs, ss, us) = (SendablePointer(px.baseAddress!), SendablePointer(ps.baseAddress!),
                                            SendablePointer(pu.baseAddress!))
                        let hs: SendablePointer<Float>? = keepTrace ? SendablePointer(ph.baseAddress!) : nil
                        parallelChunks(m, granularity: 16) { range in
                            let lo = range.lowerBound, n = range.count
                            let u = us.base + lo
                            for t in 0..<timesteps {
                                let x = xs.base + t * m + lo, s = ss.base + t * m + lo
                                if let hs {
                                    let trace = hs.base + t * m + lo
                                    for i in 0..<n {
                                        let h = leak * u[i] + x[i]
                                        let spike: Float = h >= theta ? 1 : 0
                                        trace[i] = h
                                        s[i] = spike
                                        u[i] = h - spike * (keepCharge * theta + (1 - keepCharge) * h)
                                    }
                                } else {
                                    for i in 0..<n {
                                        let h = leak * u[i] + x[i]
                                        let spike: Float = h >= theta ? 1 : 0
                                        s[i] = spike
                                        u[i] = h - spike * (keepCharge * theta + (1 - keepCharge) * h)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return MembraneTrace(spikes: spikes, preResetMembranes: pre, finalMembrane: u)
    }

    /// Inference in one pass over memory per step: charge, fire, reset, write the output a·s
    /// and add the spike to the neuron's count and to the step's count. `membrane` u and
    /// `spikeCounts` (both [M], in the storage order of `x`'s steps) carry over between calls;
    /// returns the output [T·M] and the spikes of all M neurons at each of the T steps (integers,
    /// summed per worker and then over workers: exact, whatever the split).
    /// The arithmetic is `forward`'s, so spikes and membranes are the same bits.
    ///
    /// `constantInput`: x is one step [M], the same current at every step (a direct-coded image
    /// through the layers before the first spiking one), read in place instead of repeated.
    public func simulate(_ x: Tensor, timesteps: Int, membrane: inout Tensor, spikeCounts: inout Tensor,
                         spikeValue a: Float, constantInput: Bool = false) -> (output: Tensor, spikesPerStep: [Int]) {
        let m = membrane.count
        precondition(x.count == (constantInput ? 1 : timesteps) * m && spikeCounts.count == m,
                     "membrane recurrence: input has \(x.count) values, expected \(constantInput ? 1 : timesteps) steps × \(m) neurons")
        let inputStride = constantInput ? 0 : m
        let (theta, leak) = (threshold, self.leak)
        let keepCharge: Float = reset == .subtractThreshold ? 1 : 0
        var output = Tensor(uninitializedShape: [timesteps * m])   // every element written below
        // parallelChunks' split (granularity 16), with each worker's step counts kept apart.
        let workers = parallelChunkWorkers(m, granularity: 16)
        var partial = [Int64](repeating: 0, count: workers * timesteps)
        x.withUnsafeBufferPointer { px in
            output.withUnsafeMutableBufferPointer { po in
                membrane.withUnsafeMutableBufferPointer { pu in
                    spikeCounts.withUnsafeMutableBufferPointer { pc in
                        partial.withUnsafeMutableBufferPointer { pp in
                            let (xs, os) = (SendablePointer(px.baseAddress!), SendablePointer(po.baseAddress!))
                            let (us, cs) = (SendablePointer(pu.baseAddress!), SendablePointer(pc.baseAddress!))
                            let ps = SendablePointer(pp.baseAddress!)
                            parallelChunks(m, granularity: 16, workerCount: workers) { w, range in
                                // h = λ·u + x; s = (h ≥ θ); o = s·a; count += s; u = h − s·(k·θ + (1 − k)·h),
                                // in C so that it runs 16 lanes wide (the same arithmetic as `forward`).
                                let lo = range.lowerBound
                                snn_membrane_simulate(xs.base + lo, Int64(inputStride), us.base + lo, cs.base + lo,
                                                      os.base + lo, Int64(m), Int64(range.count), Int32(timesteps),
                                                      theta, leak, keepCharge, a, ps.base + w * timesteps)
                            }
                        }
                    }
                }
            }
        }
        var spikesPerStep = [Int](repeating: 0, count: timesteps)
        for w in 0..<workers {
            for t in 0..<timesteps { spikesPerStep[t] += Int(partial[w * timesteps + t]) }
        }
        return (output, spikesPerStep)
    }

    /// BPTT through the recurrence, from the last step to the first. With δu the gradient
    /// arriving at u[t] from step t+1 (δu = λ·δh[t+1]), f the surrogate and a the value a spike
    /// carries (output o = a·s):
    ///
    ///     δs = a·g[t] + δu·∂u/∂s          ∂u/∂s = −θ (subtraction) | −h (zero) | 0 (reset detached)
    ///     δh = δu·∂u/∂h + δs·f(z)/θ       ∂u/∂h = 1 (subtraction) | 1 − s (zero);  z = h/θ − 1
    ///     δx[t] = δh;   δθ += −δs·f(z)·h/θ² − δu·s (subtraction) + g[t]·s (when a = θ)
    ///     δλ += δh·u[t−1]
    ///
    /// `initialIsHalfThreshold`: u(0) = θ/2 depends on θ, adding δu(0)/2 to δθ. δθ and δλ are
    /// summed in Double per worker, then over workers in order.
    @inlinable
    public func backward<F: SurrogateFunction>(
        _ g: Tensor, trace: MembraneTrace, timesteps: Int, initial u0: Tensor, spikeCarriesThreshold: Bool,
        resetGradientDetached detached: Bool, initialIsHalfThreshold: Bool, surrogate: F
    ) -> (input: Tensor, threshold: Float, leak: Float) {
        let m = u0.count
        let (theta, leak) = (threshold, self.leak)
        let spikes = trace.spikes, preResetMembranes = trace.preResetMembranes
        var dx = Tensor(uninitializedShape: [timesteps * m])   // every element written below
        let a: Float = spikeCarriesThreshold ? theta : 1
        let subtract = reset == .subtractThreshold
        let workers = Swift.max(1, Swift.min(Parallelism.workers, m / 4096))
        var partialTheta = [Double](repeating: 0, count: workers), partialLeak = partialTheta
        g.withUnsafeBufferPointer { pg in
            spikes.withUnsafeBufferPointer { ps in
                preResetMembranes.withUnsafeBufferPointer { ph in
                    u0.withUnsafeBufferPointer { p0 in
                        dx.withUnsafeMutableBufferPointer { pd in
                            partialTheta.withUnsafeMutableBufferPointer { pt in
                                partialLeak.withUnsafeMutableBufferPointer { pl in
                                    let (G, S, H, U0, D) = (SendablePointer(pg.baseAddress!), SendablePointer(ps.baseAddress!),
                                                            SendablePointer(ph.baseAddress!), SendablePointer(p0.baseAddress!),
                                                            SendablePointer(pd.baseAddress!))
                                    let (PT, PL) = (SendablePointer(pt.baseAddress!), SendablePointer(pl.baseAddress!))
                                    let work: @Sendable (Int) -> Void = { w in
                                        let lo = m * w / workers, hi = m * (w + 1) / workers
                                        var dTheta = 0.0, dLeak = 0.0
                                        var du = [Float](repeating: 0, count: hi - lo)
                                        for t in stride(from: timesteps - 1, through: 0, by: -1) {
                                            let base = t * m
                                            var tTheta: Float = 0, tLeak: Float = 0
                                            for j in 0..<(hi - lo) {
                                                let i = base + lo + j
                                                let h = H.base[i], s = S.base[i], dU = du[j]
                                                let dUdS: Float = detached ? 0 : (subtract ? -theta : -h)
                                                let dUdH: Float = subtract ? 1 : 1 - s
                                                let dS = a * G.base[i] + dU * dUdS
                                                let f = surrogate(h / theta - 1)
                                                let dH = dU * dUdH + dS * f / theta
                                                D.base[i] = dH
                                                tTheta += -dS * f * h / (theta * theta)
                                                // ∂u/∂θ = −s: explicit, so kept when only the spike is detached.
                                                if subtract { tTheta -= dU * s }
                                                if spikeCarriesThreshold { tTheta += G.base[i] * s }
                                                let uPrev: Float
                                                if t > 0 {
                                                    let hp = H.base[i - m], sp = S.base[i - m]
                                                    uPrev = subtract ? hp - theta * sp : hp * (1 - sp)
                                                } else {
                                                    uPrev = U0.base[lo + j]
                                                }
                                                tLeak += dH * uPrev
                                                du[j] = leak * dH
                                            }
                                            dTheta += Double(tTheta); dLeak += Double(tLeak)
                                        }
                                        if initialIsHalfThreshold {
                                            // u(0) = θ/2 depends on θ: ∂u(0)/∂θ = 1/2.
                                            for j in 0..<(hi - lo) { dTheta += Double(du[j] / leak * 0.5 * leak) }
                                        }
                                        PT.base[w] = dTheta
                                        PL.base[w] = dLeak
                                    }
                                    WorkerTeam.run(workers, work)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dx, Float(partialTheta.reduce(0, +)), Float(partialLeak.reduce(0, +)))
    }

    /// ∂L/∂x only, when neither θ nor λ is trained: the recurrence of `backward` (which stays the
    /// reference) with the reset mode folded into constants so the loop is branch-free, and no
    /// δθ/δλ sums (which also read u[t−1] from the trace).
    ///
    ///     δs = a·g[t] + δu·(cθ + cH·h)     (cθ, cH) = (−θ, 0) subtraction | (0, −1) zero | (0, 0) detached
    ///     δh = δu·(1 − kS·s) + δs·f(h/θ − 1)/θ          kS = 0 subtraction | 1 zero
    ///     δx[t] = δh;   δu ← λ·δh
    @inlinable
    public func inputGradient<F: SurrogateFunction>(
        _ g: Tensor, trace: MembraneTrace, timesteps: Int, neurons m: Int, spikeCarriesThreshold: Bool,
        resetGradientDetached detached: Bool, surrogate f: F
    ) -> Tensor {
        let (theta, leak) = (threshold, self.leak)
        let spikes = trace.spikes, preResetMembranes = trace.preResetMembranes
        var dx = Tensor(uninitializedShape: [timesteps * m])   // every element written below
        let a: Float = spikeCarriesThreshold ? theta : 1
        let subtract = reset == .subtractThreshold
        let cTheta: Float = detached || !subtract ? 0 : -theta
        let cH: Float = detached || subtract ? 0 : -1
        let kS: Float = subtract ? 0 : 1
        let invTheta = 1 / theta
        g.withUnsafeBufferPointer { pg in
            spikes.withUnsafeBufferPointer { ps in
                preResetMembranes.withUnsafeBufferPointer { ph in
                    dx.withUnsafeMutableBufferPointer { pd in
                        let (G, S, H, D) = (SendablePointer(pg.baseAddress!), SendablePointer(ps.baseAddress!),
                                            SendablePointer(ph.baseAddress!), SendablePointer(pd.baseAddress!))
                        parallelChunks(m, granularity: 16) { range in
                            let lo = range.lowerBound, n = range.count
                            let du = UnsafeMutablePointer<Float>.allocate(capacity: n)
                            du.initialize(repeating: 0, count: n)
                            defer { du.deallocate() }
                            for t in stride(from: timesteps - 1, through: 0, by: -1) {
                                let base = t * m + lo
                                let gt = G.base + base, st = S.base + base, ht = H.base + base, dt = D.base + base
                                for j in 0..<n {
                                    let h = ht[j], s = st[j], dU = du[j]
                                    let dS = a * gt[j] + dU * (cTheta + cH * h)
                                    let dH = dU * (1 - kS * s) + dS * f(h * invTheta - 1) * invTheta
                                    dt[j] = dH
                                    du[j] = leak * dH
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}
