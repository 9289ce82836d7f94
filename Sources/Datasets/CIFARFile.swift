import Foundation
import TensorCore

/// One CIFAR binary file ("binary version" of CIFAR-10 / CIFAR-100).
///
/// The file is a run of fixed-size records, one per image, with no header:
///
///     CIFAR-10:  [label]               + 3072 pixel bytes   (3073 bytes)
///     CIFAR-100: [coarse label, fine]  + 3072 pixel bytes   (3074 bytes)
///
/// The 3072 pixel bytes are three 32×32 planes, red, green, blue, each row-major: already
/// the `[C, H, W]` layout of one image, so decoding is a byte → Float conversion per record.
/// Reference: the "Binary version" section of https://www.cs.toronto.edu/~kriz/cifar.html.
public struct CIFARFile: Sendable {
    /// The file's path, for error messages.
    public let name: String
    /// Images `[N, 3, 32, 32]`, each byte b mapped to b / 255 ∈ [0, 1].
    public let images: Tensor
    /// The labels used for classification: CIFAR-10's label, or CIFAR-100's fine label.
    public let labels: [Int]
    /// CIFAR-100's coarse (superclass) labels in `0..<20`; empty for CIFAR-10.
    public let coarseLabels: [Int]

    /// Pixel bytes per record: 3 channels × 32 × 32.
    public static let pixelBytes = 3 * 32 * 32

    /// Reads and checks the file at `url`.
    ///
    /// - Parameters:
    ///   - dataset: `.cifar10` (1 label byte per record) or `.cifar100` (coarse + fine).
    ///   - expectedRecords: if given, the file must hold exactly this many records (10000
    ///     per CIFAR-10 batch, 50000 in CIFAR-100's `train.bin`).
    /// - Throws: `DatasetError` `.unreadable`, `.partialRecord` (size not a multiple of the
    ///   record size), `.recordCountMismatch`, `.truncated`, `.labelOutOfRange`.
    /// - Complexity: O(file size), one pass to read and one to convert. Checksums are the loader's
    ///   job (`DatasetManifest.File.verify`).
    public init(contentsOf url: URL, dataset: DatasetID, expectedRecords: Int? = nil) throws {
        guard case .cifarRecords(let labelBytes) = dataset.format else {
            preconditionFailure("\(dataset.title) is not stored as CIFAR records")
        }
        name = url.path
        let recordSize = labelBytes + Self.pixelBytes
        guard let size = _fileSize(url) else {
            throw DatasetError.unreadable(file: url.path, reason: "no such file")
        }
        guard size % recordSize == 0 else {
            throw DatasetError.partialRecord(file: url.path, bytes: size, recordSize: recordSize)
        }
        let count = size / recordSize
        if let expectedRecords, count != expectedRecords {
            throw DatasetError.recordCountMismatch(
                file: url.path, expected: expectedRecords, found: count)
        }

        var bytes = [UInt8](repeating: 0, count: size)
        let stream = try _ByteStream(url)
        let got = try bytes.withUnsafeMutableBytes { buffer in
            try stream.read(into: buffer, expectedTotal: size)
        }
        guard got == size else {  // the file shrank between stat and read
            throw DatasetError.truncated(file: url.path, expectedBytes: size, actualBytes: got)
        }

        // Labels: the last label byte of each record is the one we classify by (CIFAR-10's
        // only label, CIFAR-100's fine label); CIFAR-100's first byte is the coarse label.
        let classCount = dataset.classCount
        var labels = [Int](repeating: 0, count: count)
        var coarse = [Int](repeating: 0, count: labelBytes == 2 ? count : 0)
        for record in 0..<count {
            let offset = record * recordSize
            let label = Int(bytes[offset + labelBytes - 1])
            guard label < classCount else {
                throw DatasetError.labelOutOfRange(
                    file: url.path, index: record, label: label, classCount: classCount)
            }
            labels[record] = label
            if labelBytes == 2 {
                coarse[record] = Int(bytes[offset])
                guard coarse[record] < 20 else {
                    throw DatasetError.labelOutOfRange(
                        file: url.path + " (coarse label)", index: record, label: coarse[record],
                        classCount: 20)
                }
            }
        }

        var images = Tensor(shape: [count] + dataset.imageShape)
        if count > 0 {
            let parts = min(count, 2 * Parallelism.workers)
            bytes.withUnsafeBufferPointer { source in
                images.withUnsafeMutableBufferPointer { pixels in
                    let from = SendablePointer(source.baseAddress!)
                    let to = SendablePointer(pixels.baseAddress!)
                    parallelFor(parts) { part in
                        for record in (count * part / parts)..<(count * (part + 1) / parts) {
                            _convertPixels(
                                from: from.base + record * recordSize + labelBytes,
                                to: to.base + record * Self.pixelBytes, count: Self.pixelBytes)
                        }
                    }
                }
            }
        }
        self.images = images
        self.labels = labels
        self.coarseLabels = coarse
    }
}
