/// How a static image becomes the input of T time steps, `[N, …]` → `[T·N, …]` (time-major).
public enum SpikeEncoding: Sendable, Codable, Equatable {
    /// Direct (analog) input: the same real-valued image at every step; the first layer
    /// integrates it as a current (Rathi & Roy, DIET-SNN).
    case direct
    /// Rate code: at each step pixel i spikes with probability clamp(xᵢ, 0, 1) (Diehl 2015).
    case poisson
    /// Time-to-first-spike: one spike per pixel at step ⌊(1 − x)·T⌋ (brighter fires earlier);
    /// x ≤ 0 never fires.
    case timeToFirstSpike
    /// Hybrid (Datta, Kundu & Beerel 2021): the analog image at step 1, then a
    /// time-to-first-spike code of the same pixels over steps 2…T.
    case hybrid

    /// Encodes `images` (values in [0, 1] for the spiking codes; any real values for direct).
    public func encode(_ images: Tensor, timesteps: Int, using rng: inout SeededGenerator) -> Tensor {
        encode(images, steps: 0..<timesteps, of: timesteps, using: &rng)
    }

    /// Encodes only `steps` of a T-step code (for chunked simulation).
    public func encode(_ images: Tensor, steps: Range<Int>, of timesteps: Int,
                       using rng: inout SeededGenerator) -> Tensor {
        let n = images.count
        var out = Tensor(shape: [steps.count * images.shape[0]] + images.shape.dropFirst())
        images.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                for (k, t) in steps.enumerated() {
                    let dst = po.baseAddress! + k * n
                    switch self {
                    case .direct:
                        dst.update(from: px.baseAddress!, count: n)
                    case .poisson:
                        for i in 0..<n { dst[i] = rng.nextUniform() < px[i] ? 1 : 0 }
                    case .timeToFirstSpike:
                        for i in 0..<n { dst[i] = SpikeEncoding.firstSpikeStep(px[i], steps: timesteps) == t ? 1 : 0 }
                    case .hybrid:
                        if t == 0 {
                            dst.update(from: px.baseAddress!, count: n)
                        } else {
                            for i in 0..<n {
                                dst[i] = SpikeEncoding.firstSpikeStep(px[i], steps: timesteps - 1) == t - 1 ? 1 : 0
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The step in 0..<steps at which a pixel of intensity x fires, or nil if it never does:
    /// t = min(⌊(1 − x)·steps⌋, steps − 1) for x > 0.
    public static func firstSpikeStep(_ x: Float, steps: Int) -> Int? {
        guard x > 0, steps > 0 else { return nil }
        return Swift.min(Int((1 - Swift.min(x, 1)) * Float(steps)), steps - 1)
    }
}
