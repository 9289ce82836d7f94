import Foundation

/// The pixel size a PNG file declares, read from its first chunk without decoding the image,
/// after checking that the file is a whole PNG: the signature, an `IHDR` chunk first and the
/// `IEND` chunk last. This is how a render is checked: gnuplot can exit 0 and still leave an
/// empty or truncated file.
///
/// ```swift
/// guard let header = PNGHeader(contentsOf: url), header.width == 900 else { … }
/// ```
public struct PNGHeader: Sendable, Equatable {
    /// Width in pixels (> 0).
    public var width: Int
    /// Height in pixels (> 0).
    public var height: Int

    /// The 8-byte PNG signature.
    static let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
    /// The last 12 bytes of every PNG: an empty `IEND` chunk and its CRC.
    static let end: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]

    /// Reads `url`; nil when it is missing, empty, truncated or not a PNG.
    public init?(contentsOf url: URL) {
        guard let data = try? Data(contentsOf: url) else { return nil }
        self.init(bytes: [UInt8](data))
    }

    /// Parses a whole PNG file's bytes; nil when they are not one.
    ///
    /// Layout: signature (8 bytes), then `IHDR`: length 13 (4), `IHDR` (4), width and height
    /// (4 each, big-endian), …; the file ends with `IEND`'s 12 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count >= 8 + 25 + 12,
              Array(bytes[0..<8]) == Self.signature,
              Array(bytes[12..<16]) == Array("IHDR".utf8),
              Array(bytes.suffix(12)) == Self.end
        else { return nil }
        func bigEndian(at offset: Int) -> Int {
            bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        width = bigEndian(at: 16)
        height = bigEndian(at: 20)
        guard width > 0, height > 0 else { return nil }
    }
}
