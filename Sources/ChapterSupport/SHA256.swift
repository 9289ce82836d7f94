// SHA-256 (NIST FIPS 180-4), written out so that ChapterSupport needs no crypto package.
//
// It names cached stages (a hash of their inputs) and checks checkpoint payloads. The
// compression loop is written so that even a debug (-Onone) build hashes about 30 MB/s on one
// core (about 130 MB/s with -O), so checking a checkpoint of tens of MB takes a second or two.

import Foundation

/// Incremental SHA-256: feed bytes with `update(_:)`, then call `finalize()` once.
///
/// Reference: NIST FIPS 180-4, "Secure Hash Standard", §6.2. Tested against the FIPS
/// example vectors (empty string, "abc", the 448-bit message and one million "a").
///
/// ```swift
/// SHA256.hex(of: Data("abc".utf8))
/// // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// ```
public struct SHA256: Sendable {
    /// H0…H7, the running hash value (initial values from FIPS 180-4 §5.3.3).
    private var state: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
        0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    /// Bytes of an incomplete 64-byte block waiting for more input.
    private var pending: [UInt8] = []
    /// Message length so far, in bytes.
    private var byteCount: UInt64 = 0

    /// Creates a hasher for an empty message.
    public init() {}

    /// Feeds more message bytes. Complexity: O(`bytes.count`).
    public mutating func update(_ bytes: Data) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Feeds more message bytes straight from memory, without copying whole blocks.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        byteCount &+= UInt64(remaining)
        if !pending.isEmpty {
            let take = min(64 - pending.count, remaining)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            base += take
            remaining -= take
            guard pending.count == 64 else { return }
            let block = pending
            block.withUnsafeBytes { compress($0.baseAddress!, blocks: 1) }
            pending.removeAll(keepingCapacity: true)
        }
        let blocks = remaining / 64
        if blocks > 0 { compress(base, blocks: blocks) }
        let tail = remaining - blocks * 64
        if tail > 0 {
            let rest = UnsafeRawBufferPointer(start: base + blocks * 64, count: tail)
            pending.append(contentsOf: rest)
        }
    }

    /// Pads the message (a 1 bit, zeros, the 64-bit big-endian bit length, FIPS 180-4 §5.1.1)
    /// and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        let bitLength = byteCount &* 8
        var tail = pending + [0x80]
        tail += [UInt8](repeating: 0, count: (56 - tail.count % 64 + 64) % 64)
        tail += (0..<8).map { UInt8(truncatingIfNeeded: bitLength >> (56 - 8 * UInt64($0))) }
        tail.withUnsafeBytes { compress($0.baseAddress!, blocks: tail.count / 64) }
        pending = []
        return state.flatMap { word in
            (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * $0)) }
        }
    }

    /// The 32-byte digest of `data`.
    public static func digest(of data: Data) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data)
        return hasher.finalize()
    }

    /// The digest of `data` as 64 lowercase hexadecimal characters.
    public static func hex(of data: Data) -> String {
        digest(of: data).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// Runs the compression function over `blocks` consecutive 64-byte blocks (FIPS 180-4 §6.2.2).
    ///
    /// Written for unoptimised (debug) builds too, where ChapterSupport is compiled with
    /// `-Onone`: only concrete-type integer operators (`&+`, `&>>`, `^`, which the compiler
    /// inlines even then), raw pointers and `while` loops appear, never generic shifts, array
    /// subscripts or range iterators. This makes debug hashing about 9× faster than the
    /// textbook form with `>>` and array subscripts.
    private mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        let w = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
        defer { w.deallocate() }
        sha256RoundConstants.withUnsafeBufferPointer { constants in
            let k = constants.baseAddress!
            var (h0, h1, h2, h3) = (state[0], state[1], state[2], state[3])
            var (h4, h5, h6, h7) = (state[4], state[5], state[6], state[7])
            var block = 0
            while block < blocks {
                let p = data + block &* 64
                block &+= 1
                // Message schedule: W[t] = σ1(W[t−2]) + W[t−7] + σ0(W[t−15]) + W[t−16].
                var t = 0
                while t < 16 {
                    let word = p.loadUnaligned(fromByteOffset: t &* 4, as: UInt32.self)
                    w[t] = UInt32(bigEndian: word)
                    t &+= 1
                }
                while t < 64 {
                    let x = w[t &- 15], y = w[t &- 2]
                    let s0 = (x &>> 7 | x &<< 25) ^ (x &>> 18 | x &<< 14) ^ (x &>> 3)
                    let s1 = (y &>> 17 | y &<< 15) ^ (y &>> 19 | y &<< 13) ^ (y &>> 10)
                    w[t] = s1 &+ w[t &- 7] &+ s0 &+ w[t &- 16]
                    t &+= 1
                }
                var (a, b, c, d, e, f, g, h) = (h0, h1, h2, h3, h4, h5, h6, h7)
                t = 0
                while t < 64 {
                    let bigS1 = (e &>> 6 | e &<< 26) ^ (e &>> 11 | e &<< 21) ^ (e &>> 25 | e &<< 7)
                    let choose = (e & f) ^ (~e & g)
                    let t1 = h &+ bigS1 &+ choose &+ k[t] &+ w[t]
                    let bigS0 = (a &>> 2 | a &<< 30) ^ (a &>> 13 | a &<< 19) ^ (a &>> 22 | a &<< 10)
                    let majority = (a & b) ^ (a & c) ^ (b & c)
                    (h, g, f, e) = (g, f, e, d &+ t1)
                    (d, c, b, a) = (c, b, a, t1 &+ bigS0 &+ majority)
                    t &+= 1
                }
                h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
                h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
            }
            state = [h0, h1, h2, h3, h4, h5, h6, h7]
        }
    }
}

extension String {
    /// The string padded on the left with zeros to at least `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}

/// K0…K63: the first 32 bits of the fractional parts of the cube roots of the first 64 primes
/// (FIPS 180-4 §4.2.2).
private let sha256RoundConstants: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1,
    0x923f_82a4, 0xab1c_5ed5, 0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3,
    0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174, 0xe49b_69c1, 0xefbe_4786,
    0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147,
    0x06ca_6351, 0x1429_2967, 0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13,
    0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85, 0xa2bf_e8a1, 0xa81a_664b,
    0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a,
    0x5b9c_ca4f, 0x682e_6ff3, 0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208,
    0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
]
