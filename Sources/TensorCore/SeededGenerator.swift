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

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    @inlinable public mutating func nextUniform() -> Float {
        Float(next() >> 40) * 0x1p-24
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
