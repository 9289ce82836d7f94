// Input encoders of chapter-hybrid (Datta, Kundu & Beerel 2021, digest §2.2).
//
// TODO(api): SpikingNeurons.SpikeEncoding.hybrid feeds the SAME tensor to the analog step and
// to the temporal code. The paper's analog step wants the mean/std-normalised image while the
// temporal code needs raw intensities p ∈ [0, 1]; this enum takes both.

import SpikingNeurons

/// How a raw intensity p ∈ [0, 1] becomes one spike time in steps first…T (1-based).
public enum TemporalMapping: String, Sendable, Codable, CaseIterable {
    /// Mapping A [proposed, digest §2.2]: linear time-to-first-spike, brighter is earlier:
    ///     t(p) = first + ⌊(T − first + 1)·(1 − p)⌋   for p ∈ (0, 1];  p = 0 never fires.
    /// For the hybrid code (first = 2, T = 5): (0.75, 1] → 2, (0.5, 0.75] → 3, … (0, 0.25] → 5.
    case linear
    /// Mapping B [proposed]: integrate-and-fire input with θ_in = 1, spike when the running
    /// sum of p reaches 1:  t(p) = first − 1 + ⌈1/p⌉, silent if that is beyond T.
    case integrateAndFire

    /// The 1-based step at which intensity `p` spikes, or nil (never within `first…timesteps`).
    public func spikeStep(_ p: Float, first: Int, timesteps: Int) -> Int? {
        guard p > 0, first <= timesteps else { return nil }
        let q = Swift.min(p, 1)
        let t: Int
        switch self {
        case .linear:
            let slots = Float(timesteps - first + 1)
            t = Swift.min(first + Int((slots * (1 - q)).rounded(.down)), timesteps)
        case .integrateAndFire:
            t = first - 1 + Int((1 / q).rounded(.up))
        }
        return t <= timesteps ? t : nil
    }
}

/// How a static image enters the SNN over T steps: `[N, C, H, W]` → `[T·N, C, H, W]`
/// (time-major, as `SpikingNeuron` and `SingleSpikeNeuron` expect).
public enum InputEncoding: Sendable, Codable, Equatable {
    /// The normalised analog image at every step (DIET-SNN; first layer does MACs every step).
    case direct
    /// Rate code: pixel spikes with probability p at every step.
    case poisson
    /// The paper's code: the normalised analog image at step 1, then one spike per pixel at
    /// `mapping.spikeStep(p, first: 2, …)` over steps 2…T.
    case hybrid(TemporalMapping)
    /// Pure temporal code, no analog step: one spike per pixel over steps 1…T (arm D).
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

    /// Encodes a batch. `raw` holds intensities in [0, 1], `normalised` the same images after
    /// mean/std standardisation (same shape).
    public func encode(raw: Tensor, normalised: Tensor, timesteps: Int,
                       using rng: inout SeededGenerator) -> Tensor {
        precondition(raw.shape == normalised.shape, "raw \(raw.shape) vs normalised \(normalised.shape)")
        let n = raw.count
        var out = Tensor(shape: [timesteps * raw.shape[0]] + raw.shape.dropFirst())
        raw.withUnsafeBufferPointer { pr in
            normalised.withUnsafeBufferPointer { px in
                out.withUnsafeMutableBufferPointer { po in
                    for t in 1...timesteps {
                        let dst = po.baseAddress! + (t - 1) * n
                        switch self {
                        case .direct:
                            dst.update(from: px.baseAddress!, count: n)
                        case .poisson:
                            for i in 0..<n { dst[i] = rng.nextUniform() < pr[i] ? 1 : 0 }
                        case .hybrid(let mapping):
                            if t == 1 {
                                dst.update(from: px.baseAddress!, count: n)
                            } else {
                                for i in 0..<n {
                                    dst[i] = mapping.spikeStep(pr[i], first: 2, timesteps: timesteps) == t ? 1 : 0
                                }
                            }
                        case .temporal(let mapping):
                            for i in 0..<n {
                                dst[i] = mapping.spikeStep(pr[i], first: 1, timesteps: timesteps) == t ? 1 : 0
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
