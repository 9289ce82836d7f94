import TensorCore

/// The two views of an image batch the input codes read, `[N, C, …]` each: raw intensities
/// p ∈ [0, 1] for the rate and temporal codes, and the analog (standardised) values x that
/// the analog steps feed and the signed temporal code reads.
public struct EncoderInput {
    public var raw: Tensor
    public var analog: Tensor
    /// m_c, the largest |x| channel c can take: one value per channel (dimension 1), or one
    /// value for all. Only the signed mapping reads it.
    public var analogMaximum: [Float]

    /// - Precondition: `raw` and `analog` have one shape; `analogMaximum` holds one positive
    ///   value per channel or a single one.
    public init(raw: Tensor, analog: Tensor, analogMaximum: [Float]) {
        precondition(raw.shape == analog.shape, "raw \(raw.shape) vs analog \(analog.shape)")
        precondition(analogMaximum.count == 1 || (raw.rank >= 2 && analogMaximum.count == raw.shape[1]),
                     "\(analogMaximum.count) channel maxima for input \(raw.shape)")
        precondition(analogMaximum.allSatisfy { $0 > 0 }, "channel maxima must be positive: \(analogMaximum)")
        self.raw = raw
        self.analog = analog
        self.analogMaximum = analogMaximum
    }

    /// Images that are already in [0, 1] and are fed as they are: raw = analog, m = 1.
    public init(images: Tensor) {
        self.init(raw: images, analog: images, analogMaximum: [1])
    }
}

/// How a static image becomes the input of T time steps, `[N, …]` → `[T·N, …]` (time-major).
public enum SpikeEncoding: Sendable, Codable, Equatable {
    /// Direct (analog) input: the same real-valued image x at every step; the first layer
    /// integrates it as a current (Rathi & Roy, DIET-SNN).
    case direct
    /// Rate code: at each step pixel i spikes with probability clamp(pᵢ, 0, 1) (Diehl 2015).
    case poisson
    /// Hybrid (Datta, Kundu & Beerel 2021): the analog image x at step 1, then one spike per
    /// pixel at `mapping.spikeStep(…, first: 2, …)` over steps 2…T.
    case hybrid(TemporalMapping)
    /// Temporal code alone, no analog step: one spike per pixel over steps 1…T
    /// (`.temporal(.linear)` is time-to-first-spike: step ⌊(1 − p)·T⌋ + 1, capped at T).
    case temporal(TemporalMapping)

    /// Steps on which the first layer receives the analog image (and performs MACs).
    public func analogSteps(timesteps: Int) -> Int {
        switch self {
        case .direct: timesteps
        case .hybrid: 1
        case .poisson, .temporal: 0
        }
    }

    public var title: String {
        switch self {
        case .direct: "direct"
        case .poisson: "Poisson"
        case .hybrid(let m): "hybrid (\(m.rawValue))"
        case .temporal(let m): "temporal (\(m.rawValue))"
        }
    }

    /// Encodes `images` used both as raw intensities and as the analog input (values in
    /// [0, 1] for the spiking codes; any real values for direct).
    public func encode(_ images: Tensor, timesteps: Int, using rng: inout SeededGenerator) -> Tensor {
        encode(EncoderInput(images: images), steps: 0..<timesteps, of: timesteps, using: &rng)
    }

    /// Encodes only `steps` (0-based) of a T-step code of `images` (for chunked simulation).
    public func encode(_ images: Tensor, steps: Range<Int>, of timesteps: Int,
                       using rng: inout SeededGenerator) -> Tensor {
        encode(EncoderInput(images: images), steps: steps, of: timesteps, using: &rng)
    }

    /// Encodes a batch with separate raw and analog views over all T steps.
    public func encode(_ input: EncoderInput, timesteps: Int, using rng: inout SeededGenerator) -> Tensor {
        encode(input, steps: 0..<timesteps, of: timesteps, using: &rng)
    }

    /// Encodes steps `steps` (0-based) of a T-step code. Poisson draws are consumed time-major,
    /// so chunks drawn in order from one generator equal the full code.
    public func encode(_ input: EncoderInput, steps: Range<Int>, of timesteps: Int,
                       using rng: inout SeededGenerator) -> Tensor {
        let n = input.raw.count
        let shape = input.raw.shape
        let plane = shape.count > 2 ? shape[2...].reduce(1, *) : 1
        let channels = shape.count > 1 ? shape[1] : 1
        let maxima = input.analogMaximum
        var out = Tensor(shape: [steps.count * shape[0]] + shape.dropFirst())
        input.raw.withUnsafeBufferPointer { pr in
            input.analog.withUnsafeBufferPointer { px in
                out.withUnsafeMutableBufferPointer { po in
                    for (k, step) in steps.enumerated() {
                        let t = step + 1                                  // 1-based step
                        let dst = po.baseAddress! + k * n
                        // The temporal part: spikes at `mapping`'s step from `first` on.
                        func temporal(_ mapping: TemporalMapping, first: Int) {
                            if mapping == .signed {
                                for i in 0..<n {
                                    let m = maxima.count == 1 ? maxima[0] : maxima[(i / plane) % channels]
                                    let x = px[i]
                                    dst[i] = mapping.spikeStep(Swift.abs(x) / m, first: first, timesteps: timesteps) == t
                                        ? (x > 0 ? 1 : -1) : 0
                                }
                            } else {
                                for i in 0..<n {
                                    dst[i] = mapping.spikeStep(pr[i], first: first, timesteps: timesteps) == t ? 1 : 0
                                }
                            }
                        }
                        switch self {
                        case .direct:
                            dst.update(from: px.baseAddress!, count: n)
                        case .poisson:
                            // The same draws as n serial nextUniform() calls, drawn in parallel.
                            rng.fillUniform(UnsafeMutableBufferPointer(start: dst, count: n))
                            for i in 0..<n { dst[i] = dst[i] < pr[i] ? 1 : 0 }
                        case .hybrid(let mapping):
                            if t == 1 { dst.update(from: px.baseAddress!, count: n) } else { temporal(mapping, first: 2) }
                        case .temporal(let mapping):
                            temporal(mapping, first: 1)
                        }
                    }
                }
            }
        }
        return out
    }
}
