// MD5 (RFC 1321), only to check the CIFAR archives against the MD5 sums their authors publish.
//
// MD5 is broken for adversarial collisions; here it guards against truncated or corrupted
// downloads from a fixed URL, which it still does well. Files we can hash ourselves are
// recorded with SHA-256 in `data/manifest.json`.

/// Incremental MD5: `update` with any number of byte chunks, then `finalize`.
///
/// Reference: R. Rivest, RFC 1321, "The MD5 Message-Digest Algorithm", 1992, §3. Tested
/// against the seven test-suite vectors of its appendix A.5.
struct MD5: Sendable {
    /// A, B, C, D: the running state (RFC 1321 §3.3).
    private var state: (UInt32, UInt32, UInt32, UInt32) = (
        0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476
    )
    /// The message cut into 64-byte blocks, and its length.
    private var input = HashBlockInput()

    init() {}

    /// Feeds more message bytes.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var input = self.input   // a local copy: `compress` mutates self while it is filled
        input.append(bytes) { compress($0, blocks: $1) }
        self.input = input
    }

    /// Feeds more message bytes.
    mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// Pads the message (a 1 bit, zeros, the 64-bit little-endian bit length) and returns the
    /// 16-byte digest (RFC 1321 §3.1–3.2, §3.5).
    mutating func finalize() -> [UInt8] {
        input.padding(bigEndianLength: false).withUnsafeBytes { update($0) }
        precondition(input.pending.isEmpty, "MD5 padding must end on a block boundary")
        let words = [state.0, state.1, state.2, state.3]
        return words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
    }

    /// The lowercase hexadecimal digest of `bytes`.
    static func hexDigest<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = MD5()
        hasher.update(bytes)
        return hexString(hasher.finalize())
    }

    /// Processes `blocks` consecutive 64-byte blocks starting at `data` (RFC 1321 §3.4).
    private mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        var (a0, b0, c0, d0) = state
        _md5Tables.withUnsafeBufferPointer { table in
            for block in 0..<blocks {
                let p = data + block * 64
                var a = a0
                var b = b0
                var c = c0
                var d = d0
                for i in 0..<64 {
                    // Rounds 1–4 differ in the auxiliary function and the word order g(i).
                    let f: UInt32
                    let g: Int
                    switch i >> 4 {
                    case 0:
                        f = (b & c) | (~b & d)
                        g = i
                    case 1:
                        f = (d & b) | (~d & c)
                        g = (5 * i + 1) & 15
                    case 2:
                        f = b ^ c ^ d
                        g = (3 * i + 5) & 15
                    default:
                        f = c ^ (b | ~d)
                        g = (7 * i) & 15
                    }
                    let word = UInt32(
                        littleEndian: p.loadUnaligned(fromByteOffset: 4 * g, as: UInt32.self))
                    let sum = a &+ f &+ table[i].sine &+ word
                    a = d
                    d = c
                    c = b
                    b = b &+ ((sum << table[i].shift) | (sum >> (32 - table[i].shift)))
                }
                a0 &+= a
                b0 &+= b
                c0 &+= c
                d0 &+= d
            }
        }
        state = (a0, b0, c0, d0)
    }
}

/// T[i] = ⌊2³² · |sin(i + 1)|⌋ and the per-round left-rotation amounts (RFC 1321 §3.4).
private let _md5Tables: [(sine: UInt32, shift: UInt32)] = {
    let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
    return (0..<64).map { i in
        (sine: UInt32(_md5Sine(i + 1)), shift: shifts[(i >> 4) * 4 + (i & 3)])
    }
}()

/// ⌊2³² · |sin(n)|⌋ computed in double precision; exact for n ≤ 64 (checked by the RFC vectors).
private func _md5Sine(_ n: Int) -> UInt64 {
    UInt64((abs(_sin(Double(n))) * 4_294_967_296.0).rounded(.down))
}

#if canImport(Glibc)
import Glibc
private func _sin(_ x: Double) -> Double { Glibc.sin(x) }
#elseif canImport(Darwin)
import Darwin
private func _sin(_ x: Double) -> Double { Darwin.sin(x) }
#endif
