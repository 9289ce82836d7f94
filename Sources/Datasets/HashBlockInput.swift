// The message handling that MD5 and SHA-256 share: both cut the message into 64-byte blocks and
// end it with the same padding (RFC 1321 §3.1–3.2, FIPS 180-4 §5.1.1); only the byte order of
// the length field and the compression function differ.

/// Buffers message bytes into whole 64-byte blocks for a hash's compression function, and
/// builds the closing padding.
struct HashBlockInput: Sendable {
    /// Bytes of an incomplete block waiting for more input (fewer than 64).
    private(set) var pending: [UInt8] = []
    /// Message length so far, in bytes.
    private(set) var length: UInt64 = 0

    init() { pending.reserveCapacity(64) }

    /// Feeds `bytes`; every completed run of whole blocks goes to `compress(start, blockCount)`.
    mutating func append(_ bytes: UnsafeRawBufferPointer,
                         compress: (UnsafeRawPointer, Int) -> Void) {
        guard var base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        length &+= UInt64(remaining)
        if !pending.isEmpty {
            let take = min(64 - pending.count, remaining)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            base += take
            remaining -= take
            if pending.count < 64 { return }
            pending.withUnsafeBytes { compress($0.baseAddress!, 1) }
            pending.removeAll(keepingCapacity: true)
        }
        let blocks = remaining / 64
        if blocks > 0 { compress(base, blocks) }
        let tail = remaining - blocks * 64
        if tail > 0 {
            pending.append(
                contentsOf: UnsafeRawBufferPointer(start: base + blocks * 64, count: tail))
        }
    }

    /// The padding that completes the message: a 1 bit, zeros up to 56 mod 64 bytes, then the
    /// message length in bits as 64 bits, little-endian (MD5) or big-endian (SHA-256).
    func padding(bigEndianLength: Bool) -> [UInt8] {
        let bitLength = length &* 8
        var padding: [UInt8] = [0x80]
        let used = (pending.count + 1) % 64
        padding += [UInt8](repeating: 0, count: used <= 56 ? 56 - used : 120 - used)
        let shifts = bigEndianLength ? Array(stride(from: 56, through: 0, by: -8))
                                     : Array(stride(from: 0, through: 56, by: 8))
        for shift in shifts {
            padding.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        return padding
    }
}
