import TensorCore

/// Activation functions.
extension Variable {
    /// ReLU: y = max(x, 0);  ∂y/∂x = [x > 0]
    public func relu() -> Variable {
        Variable.custom(value.relu(), inputs: [self]) { g in
            [Tensor.zipMap(g, self.value) { $1 > 0 ? $0 : 0 }]
        }
    }

    /// Clamp to constant bounds: y = min(max(x, low), high);  ∂y/∂x = [low < x < high]
    public func clamped(to low: Float, _ high: Float) -> Variable {
        Variable.custom(value.clamped(to: low, high), inputs: [self]) { g in
            [Tensor.zipMap(g, self.value) { ($1 > low && $1 < high) ? $0 : 0 }]
        }
    }

    /// Clipped ReLU with a trainable upper bound μ (PACT, Choi et al. 2018):
    ///
    ///     y = clip(x, 0, μ);   ∂y/∂x = [0 < x < μ];   ∂y/∂μ = [x ≥ μ]
    ///
    /// `clip` holds one element (per layer) or one per channel of `[N, C, …]`.
    public func clippedReLU(clip: Variable) -> Variable {
        let x = value, mu = clip.value
        let n = x.shape[0], channels = x.rank >= 2 ? x.shape[1] : 1
        let inner = x.count / Swift.max(n * channels, 1)
        let perChannel = mu.count > 1
        precondition(!perChannel || mu.count == channels, "clip has \(mu.count) values for \(channels) channels")
        var y = Tensor(shape: x.shape)
        let muScalars = mu.scalars
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                for i in 0..<x.count {
                    let m = muScalars[perChannel ? (i / inner) % channels : 0]
                    py[i] = Swift.min(Swift.max(px[i], 0), m)
                }
            }
        }
        return Variable.custom(y, inputs: [self, clip]) { g in
            var dx = Tensor(shape: x.shape)
            var dmu = [Double](repeating: 0, count: mu.count)
            g.withUnsafeBufferPointer { pg in
                x.withUnsafeBufferPointer { px in
                    dx.withUnsafeMutableBufferPointer { pd in
                        for i in 0..<x.count {
                            let c = perChannel ? (i / inner) % channels : 0
                            let m = muScalars[c]
                            if px[i] >= m { dmu[c] += Double(pg[i]) } else if px[i] > 0 { pd[i] = pg[i] }
                        }
                    }
                }
            }
            return [dx, Tensor(shape: mu.shape, scalars: dmu.map(Float.init))]
        }
    }

    /// Inverted dropout: zero each element with probability p and scale the rest by 1/(1−p).
    /// The mask is drawn from `rng`, so a run is reproducible.
    public func dropout(probability p: Float, using rng: inout SeededGenerator) -> Variable {
        guard p > 0 else { return self }
        let keep = 1 / (1 - p)
        var uniforms = Tensor(shape: value.shape)
        uniforms.withUnsafeMutableBufferPointer { rng.fillUniform($0) }   // parallel, same draws as a serial loop
        let mask = uniforms.map { $0 < p ? 0 : keep }
        return Variable.custom(value * mask, inputs: [self]) { g in [g * mask] }
    }
}
