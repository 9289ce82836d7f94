import Foundation
import TensorCore

/// One IDX file (the MNIST / Fashion-MNIST format), gzip-compressed or not.
///
/// Layout (big-endian), from LeCun et al.'s MNIST page:
///
///     [0, 0, type, rank]   magic: type 0x08 = unsigned byte; 0x0803 images, 0x0801 labels
///     rank × UInt32        dimensions, outermost first (e.g. 60000, 28, 28)
///     ∏ dimensions bytes   the data, row-major
///
/// Only unsigned-byte files exist in Fashion-MNIST, so only those are accepted.
public struct IDXFile: Sendable {
    /// The magic number of an image file: unsigned bytes, rank 3 (`[N, rows, columns]`).
    public static let imageMagic: UInt32 = 0x0000_0803
    /// The magic number of a label file: unsigned bytes, rank 1 (`[N]`).
    public static let labelMagic: UInt32 = 0x0000_0801

    /// The file's path, for error messages.
    public let name: String
    /// The magic number from the header (`imageMagic` or `labelMagic`).
    public let magic: UInt32
    /// The dimensions from the header, outermost first.
    public let dimensions: [Int]
    /// The data after the header: ∏ dimensions bytes.
    public let payload: [UInt8]

    /// Reads and checks the file at `url`.
    ///
    /// - Parameter expectedMagic: `imageMagic` or `labelMagic`; anything else throws
    ///   `.badMagic`.
    /// - Throws: `DatasetError` `.unreadable`, `.badMagic`, `.truncated`, `.trailingBytes`.
    /// - Complexity: O(file size), dominated by zlib's inflate (~0.2 s for the 47 MB of
    ///   Fashion-MNIST training images on an idle core). Checksums are the loader's job
    ///   (`DatasetManifest.File.verify`).
    public static func read(contentsOf url: URL, expectedMagic: UInt32) throws -> IDXFile {
        let stream = try _ByteStream(url)
        let magicBytes = try stream.readExactly(4, expectedTotal: 4)
        let magic = magicBytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard magic == expectedMagic else {
            throw DatasetError.badMagic(file: stream.name, found: magic, expected: expectedMagic)
        }
        let rank = Int(magic & 0xFF)
        let headerSize = 4 + 4 * rank
        let dimensionBytes = try stream.readExactly(4 * rank, expectedTotal: headerSize)
        let dimensions = (0..<rank).map { axis in
            dimensionBytes[(4 * axis)..<(4 * axis + 4)].reduce(0) { $0 << 8 | Int($1) }
        }
        // ∏ dimensions, saturating: a corrupt header can declare up to 2⁹⁶ bytes.
        let payloadSize = dimensions.reduce(1) { product, extent in
            let (result, overflow) = product.multipliedReportingOverflow(by: extent)
            return overflow ? Int.max / 2 : min(result, Int.max / 2)
        }
        let total = headerSize + payloadSize

        // A header declaring more than the file can hold allocates only what it can hold.
        let possible = stream.maximumContentSize(storedSize: _fileSize(url) ?? 0) - headerSize
        var payload = [UInt8](repeating: 0, count: max(0, min(payloadSize, possible)))
        let count = try payload.withUnsafeMutableBytes { buffer in
            try stream.read(into: buffer, expectedTotal: total)
        }
        guard count == payloadSize else {
            throw DatasetError.truncated(
                file: stream.name, expectedBytes: total, actualBytes: headerSize + count)
        }
        try stream.expectEnd(expectedTotal: total)
        return IDXFile(name: stream.name, magic: magic, dimensions: dimensions, payload: payload)
    }

    /// The SHA-256 of the file's decompressed bytes (header and payload), as recorded in the
    /// manifest's `contentSHA256`. The header is rebuilt from `magic` and `dimensions`, which
    /// determine it exactly.
    ///
    /// - Complexity: O(file size), about as long as inflating the file.
    public func contentSHA256() -> String {
        var header: [UInt8] = []
        for word in [Int(magic)] + dimensions {
            header += (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * $0)) }
        }
        var hasher = SHA256()
        hasher.update(header)
        payload.withUnsafeBytes { hasher.update($0) }
        return hexString(hasher.finalize())
    }

    /// The payload as images `[N, 1, rows, columns]`, each byte b mapped to b / 255 ∈ [0, 1].
    ///
    /// - Precondition: the file is an image file (`dimensions.count == 3`).
    public func images() -> Tensor {
        precondition(dimensions.count == 3, "\(name) is not an image file: \(dimensions)")
        var tensor = Tensor(shape: [dimensions[0], 1, dimensions[1], dimensions[2]])
        guard !payload.isEmpty else { return tensor }
        payload.withUnsafeBufferPointer { bytes in
            tensor.withUnsafeMutableBufferPointer { pixels in
                _convertPixels(
                    from: bytes.baseAddress!, to: pixels.baseAddress!, count: bytes.count)
            }
        }
        return tensor
    }

    /// The payload as class labels, checked to lie in `0..<classCount`.
    ///
    /// - Throws: `.labelOutOfRange` naming the first bad label.
    public func labels(classCount: Int) throws -> [Int] {
        if let bad = payload.firstIndex(where: { Int($0) >= classCount }) {
            throw DatasetError.labelOutOfRange(
                file: name, index: bad, label: Int(payload[bad]),
                classCount: classCount)
        }
        return payload.map(Int.init)
    }
}

/// pixels[i] = bytes[i] / 255, split over the workers for large buffers.
func _convertPixels(
    from bytes: UnsafePointer<UInt8>, to pixels: UnsafeMutablePointer<Float>, count: Int
) {
    let source = SendablePointer(bytes)
    let destination = SendablePointer(pixels)
    parallelChunks(count, granularity: 4096) { range in
        for i in range { destination.base[i] = Float(source.base[i]) / 255 }
    }
}
