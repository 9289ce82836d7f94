/// How one pixel becomes one spike time in steps first…T (1-based): the temporal part of the
/// hybrid and temporal codes (Datta, Kundu & Beerel 2021; chapters/hybrid/NOTES.md §2.2, every mapping [proposed]).
///
/// Each pixel spikes at most once. Mappings A and B read the raw intensity p ∈ [0, 1]; mapping C
/// reads the standardised value x and keeps its sign.
public enum TemporalMapping: String, Sendable, Codable, CaseIterable {
    /// Mapping A: linear time-to-first-spike, brighter is earlier:
    ///     t(q) = first + ⌊(T − first + 1)·(1 − q)⌋   for q ∈ (0, 1];  q = 0 never fires,
    /// with q = p. For the hybrid code (first = 2, T = 5): (0.75, 1] → 2, (0.5, 0.75] → 3, …
    /// (0, 0.25] → 5.
    case linear
    /// Mapping B: an integrate-and-fire input with θ_in = 1, spiking when the running sum of
    /// p reaches 1:  t(p) = first − 1 + ⌈1/p⌉, silent if that is beyond T.
    case integrateAndFire
    /// Mapping C: a signed code on the standardised value x. The spike time is mapping A's with
    /// q = |x| / m_c, m_c the largest |x| channel c can take (`EncoderInput.analogMaximum`), and
    /// the spike carries sign(x) ∈ {−1, +1}, so below-mean pixels keep their negative evidence.
    case signed

    /// The 1-based step at which magnitude `q` spikes, or nil (never within `first…timesteps`).
    /// `q` is p for mappings A and B, |x|/m_c for C; values above 1 count as 1.
    public func spikeStep(_ q: Float, first: Int, timesteps: Int) -> Int? {
        guard q > 0, first <= timesteps else { return nil }
        let q = Swift.min(q, 1)
        let t: Int
        switch self {
        case .linear, .signed:
            let slots = Float(timesteps - first + 1)
            t = Swift.min(first + Int((slots * (1 - q)).rounded(.down)), timesteps)
        case .integrateAndFire:
            t = first - 1 + Int((1 / q).rounded(.up))
        }
        return t <= timesteps ? t : nil
    }
}
