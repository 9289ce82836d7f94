// The raw kernels of the single-spike recurrence (each neuron fires at most once per image and
// its membrane freezes after the spike): forward over all steps and BPTT backward. The science
// (the layer, the STDB surrogates) is hybrid's Method library; this file only runs the loops,
// over a time-major flat tensor [T·M].

/// A surrogate that may depend on the step t (1-based) as well as on z = h/θ − 1.
public protocol StepSurrogateFunction: Sendable {
    func callAsFunction(step t: Int, z: Float) -> Float
}

/// The forward pass's outputs: spikes s ∈ {0, 1}, the membrane trace h (its frozen value after
/// the spike) and the 1-based firing step per neuron (0 = silent).
public struct SingleSpikeTrace {
    public var spikes: Tensor
    public var membranes: Tensor
    public var fireStep: [Int32]

    public init(spikes: Tensor, membranes: Tensor, fireStep: [Int32]) {
        self.spikes = spikes
        self.membranes = membranes
        self.fireStep = fireStep
    }
}

/// One layer's constants:
///
///     h[t] = λ·u[t−1] + x[t]                    while F[t−1] = 0;  frozen after the spike
///     s[t] = H(h[t] − θ)·(1 − F[t−1]),   F[t] = F[t−1] + s[t]
public struct SingleSpikeRecurrence: Sendable {
    public var threshold: Float
    public var leak: Float

    public init(threshold: Float, leak: Float) {
        self.threshold = threshold
        self.leak = leak
    }

    /// Runs all `timesteps` from u(0) = 0 over `x` `[T·M]`.
    public func forward(_ x: Tensor, timesteps: Int) -> SingleSpikeTrace {
        let m = x.count / timesteps
        let (theta, leak) = (threshold, self.leak)
        var spikes = Tensor(shape: [x.count]), trace = Tensor(uninitializedShape: [x.count])
        var fire = [Int32](repeating: 0, count: m)
        var state = [Float](repeating: 0, count: m)
        x.withUnsafeBufferPointer { px in
            spikes.withUnsafeMutableBufferPointer { ps in
                trace.withUnsafeMutableBufferPointer { ph in
                    fire.withUnsafeMutableBufferPointer { pf in
                        state.withUnsafeMutableBufferPointer { pu in
                            let (X, S, H) = (SendablePointer(px.baseAddress!), SendablePointer(ps.baseAddress!),
                                             SendablePointer(ph.baseAddress!))
                            let (F, U) = (SendablePointer(pf.baseAddress!), SendablePointer(pu.baseAddress!))
                            // Step by step over each chunk of neurons (streaming reads), with the
                            // per-neuron arithmetic of the recurrence above.
                            parallelChunks(m, granularity: 64) { range in
                                for t in 0..<timesteps {
                                    let base = t * m
                                    for i in range {
                                        var u = U.base[i]
                                        if F.base[i] == 0 {
                                            u = leak * u + X.base[base + i]
                                            U.base[i] = u
                                            if u >= theta { S.base[base + i] = 1; F.base[i] = Int32(t + 1) }
                                        }
                                        H.base[base + i] = u
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return SingleSpikeTrace(spikes: spikes, membranes: trace, fireStep: fire)
    }

    /// Inference: the spikes of `forward`, each carrying `amplitude` (o = a·s), without the
    /// membrane trace and the firing steps that only BPTT needs. `x` `[T·N, …]` is read and the
    /// output written in x's storage layout and shape (each step is a contiguous block of M
    /// values in either layout, and position i of every step is the same neuron). Same bits as
    /// `forward` followed by a scale by `amplitude`.
    public func infer(_ x: Tensor, timesteps: Int, amplitude: Float) -> Tensor {
        let m = x.count / timesteps
        precondition(m * timesteps == x.count, "single-spike layer: \(x.count) values are not \(timesteps) steps")
        let (theta, leak) = (threshold, self.leak)
        var output = Tensor(uninitializedShape: x.shape, layout: x.layout)   // every element written below
        var state = [Float](repeating: 0, count: m)
        var fired = [Bool](repeating: false, count: m)
        x.withUnsafeStorage { px, _ in
            output.withUnsafeMutableStorage { po, _ in
                state.withUnsafeMutableBufferPointer { pu in
                    fired.withUnsafeMutableBufferPointer { pf in
                        let (X, O) = (SendablePointer(px.baseAddress!), SendablePointer(po.baseAddress!))
                        let (U, F) = (SendablePointer(pu.baseAddress!), SendablePointer(pf.baseAddress!))
                        parallelChunks(m, granularity: 64) { range in
                            // Tiles of neurons whose state stays in cache across the T steps.
                            for tile in stride(from: range.lowerBound, to: range.upperBound, by: 2048) {
                                let end = Swift.min(tile + 2048, range.upperBound)
                                for t in 0..<timesteps {
                                    let (input, out) = (X.base + t * m, O.base + t * m)
                                    for i in tile..<end {
                                        var emitted: Float = 0
                                        if !F.base[i] {
                                            let h = leak * U.base[i] + input[i]
                                            U.base[i] = h
                                            if h >= theta { F.base[i] = true; emitted = amplitude }
                                        }
                                        out[i] = emitted
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// BPTT for spikes of value a (o = a·s; a = θ when `spikeCarriesThreshold`). With
    /// g[t] = ∂L/∂o[t], f the surrogate, z = h/θ − 1, ∂s/∂h ≈ f/θ and ∂s/∂θ ≈ −f·h/θ²:
    ///
    ///     t > t_f (already fired):  nothing                      (mask; frozen membrane)
    ///     t ≤ t_f or silent:        δs = a·g[t]
    ///                               δh[t] = λ·δh[t+1] + δs·f(t, z)/θ,    δx[t] = δh[t]
    ///                               δθ += −δs·f(t, z)·h[t]/θ²  (+ g[t]·s[t] if a = θ)
    ///                               δλ += δh[t]·h[t−1]          (h[0] = 0)
    ///
    /// δθ and δλ are summed (in Double per neuron chunk) only when `parameterGradients`.
    @inlinable
    public func backward<F: StepSurrogateFunction>(
        _ g: Tensor, membranes: Tensor, fireStep: [Int32], timesteps: Int, spikeCarriesThreshold: Bool,
        surrogate: F, parameterGradients trained: Bool
    ) -> (input: Tensor, threshold: Float, leak: Float) {
        let m = fireStep.count
        let (theta, leak) = (threshold, self.leak)
        let a: Float = spikeCarriesThreshold ? theta : 1
        var dx = Tensor(shape: [g.count])
        let chunks = Swift.max(1, Swift.min(Parallelism.workers, m / 64))
        var partialTheta = [Double](repeating: 0, count: chunks), partialLeak = partialTheta
        g.withUnsafeBufferPointer { pg in
            membranes.withUnsafeBufferPointer { ph in
                dx.withUnsafeMutableBufferPointer { pd in
                    fireStep.withUnsafeBufferPointer { pf in
                        partialTheta.withUnsafeMutableBufferPointer { pt in
                            partialLeak.withUnsafeMutableBufferPointer { pl in
                                let (G, H, D) = (SendablePointer(pg.baseAddress!), SendablePointer(ph.baseAddress!),
                                                 SendablePointer(pd.baseAddress!))
                                let F = SendablePointer(pf.baseAddress!)
                                let (PT, PL) = (SendablePointer(pt.baseAddress!), SendablePointer(pl.baseAddress!))
                                let work: @Sendable (Int) -> Void = { c in
                                    var dTheta = 0.0, dLeak = 0.0
                                    for i in (m * c / chunks)..<(m * (c + 1) / chunks) {
                                        let fired = F.base[i]
                                        let last = fired == 0 ? timesteps : Int(fired)
                                        var carry: Float = 0
                                        for t in stride(from: last, through: 1, by: -1) {
                                            let k = (t - 1) * m + i
                                            let h = H.base[k]
                                            let f = surrogate(step: t, z: h / theta - 1)
                                            let ds = a * G.base[k]
                                            let dh = carry + ds * f / theta
                                            D.base[k] = dh
                                            carry = leak * dh
                                            guard trained else { continue }
                                            dTheta -= Double(ds * f * h / (theta * theta))
                                            if spikeCarriesThreshold && t == Int(fired) { dTheta += Double(G.base[k]) }
                                            if t > 1 { dLeak += Double(dh * H.base[k - m]) }
                                        }
                                    }
                                    PT.base[c] = dTheta
                                    PL.base[c] = dLeak
                                }
                                WorkerTeam.run(chunks, work)
                            }
                        }
                    }
                }
            }
        }
        return (dx, Float(partialTheta.reduce(0, +)), Float(partialLeak.reduce(0, +)))
    }
}
