/// SplitMix64: the one random-number generator of the package.
///
/// Every random choice (initialisation, shuffling, dropout, augmentation, Poisson spikes)
/// takes a generator `inout`, so a run is reproduced exactly by its seed. There is no global
/// generator. Reference: Steele, Lea & Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The generator of one named stream of a run (for example one cached pipeline stage):
    /// the run's seed mixed with a stable FNV-1a hash of `stream`. Unlike `split()`, it does
    /// not depend on how many numbers other code drew before, so a stage draws the same
    /// numbers whether the stages before it were computed or loaded from a cache.
    public init(seed: UInt64, stream: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        var mixer = SeededGenerator(seed: seed ^ hash)
        state = mixer.next()
    }

    /// SplitMix64's increment γ: the k-th draw after state s is `mix(s + k·γ)`.
    @usableFromInline static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// SplitMix64's output function.
    @usableFromInline @inline(__always) static func mix(_ state: UInt64) -> UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.mix(state)
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    @inlinable public mutating func nextUniform() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Writes `buffer.count` uniforms, exactly the values (and order) of that many
    /// `nextUniform()` calls, and advances the generator past them. The k-th draw depends only
    /// on the state and k (SplitMix64 is counter-based), so the buffer is filled in parallel
    /// chunks and the result does not depend on the number of workers.
    public mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>) {
        let start = state, count = buffer.count
        guard count > 0 else { return }
        let out = SendablePointer(buffer.baseAddress!)
        parallelChunks(count, granularity: 1024) { r in
            let z = out.base
            var s = start &+ UInt64(r.lowerBound) &* Self.increment
            for i in r {
                s &+= Self.increment
                z[i] = Float(Self.mix(s) >> 40) * 0x1p-24
            }
        }
        state = start &+ UInt64(count) &* Self.increment
    }

    /// A standard normal sample (Box–Muller).
    public mutating func nextNormal() -> Float {
        var u1 = nextUniform()
        while u1 <= 0 { u1 = nextUniform() }
        let u2 = nextUniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Float.pi * u2)
    }

    /// An independent generator derived from this one (for per-worker streams).
    public mutating func split() -> SeededGenerator { SeededGenerator(seed: next()) }
}

import Foundation
