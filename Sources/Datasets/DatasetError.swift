import Foundation

/// Everything that can go wrong while finding, checking, reading or downloading a dataset.
///
/// Each case names the file involved and its `description` says what to do about it, so a
/// chapter can print the error as is:
///
///     do { train = try LabeledImages.load(.fashionMNIST, split: .train) }
///     catch { print(error); exit(1) }
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The dataset's files are not in any searched directory. `instructions` are the
    /// commands that obtain them (from `data/manifest.json`).
    case missingFiles(dataset: String, missing: [String], searched: [String], instructions: String)
    /// The file does not start with the expected IDX magic number (e.g. 0x00000803 for images).
    case badMagic(file: String, found: UInt32, expected: UInt32)
    /// The header declares shape `found` where the dataset needs `expected` (for example
    /// 28×28 images).
    case unexpectedShape(file: String, found: [Int], expected: [Int])
    /// The file (after decompression) ends before the size its header or format implies.
    case truncated(file: String, expectedBytes: Int, actualBytes: Int)
    /// The file holds more bytes than its header or format implies.
    case trailingBytes(file: String, expectedBytes: Int)
    /// A record-based file whose size is not a whole number of records.
    case partialRecord(file: String, bytes: Int, recordSize: Int)
    /// A file with the wrong number of records (e.g. a CIFAR batch that is not 10000 images).
    case recordCountMismatch(file: String, expected: Int, found: Int)
    /// An image file and its label file disagree on the number of examples.
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    /// A label outside `0..<classCount`.
    case labelOutOfRange(file: String, index: Int, label: Int, classCount: Int)
    /// The file's digest differs from the one recorded in the manifest.
    case checksumMismatch(file: String, algorithm: String, expected: String, found: String)
    /// The file could not be opened or decompressed; `reason` is the system's or zlib's message.
    case unreadable(file: String, reason: String)
    /// `data/manifest.json` is missing, malformed or lacks an entry.
    case manifestProblem(path: String, reason: String)
    /// A download or extraction failed; no partial file was left in the data directory.
    case downloadFailed(url: String, reason: String)

    /// What went wrong and what to do about it, in one or more lines.
    public var description: String {
        switch self {
        case .missingFiles(let dataset, let missing, let searched, let instructions):
            return """
                \(dataset) not found: missing \(missing.joined(separator: ", ")).
                Searched: \(searched.joined(separator: ", ")).
                \(instructions)
                """
        case .badMagic(let file, let found, let expected):
            return "\(file): not the expected IDX file (magic number \(hex(found)), expected "
                + "\(hex(expected))). \(replaceAdvice)"
        case .unexpectedShape(let file, let found, let expected):
            return "\(file): header declares shape \(found) but this dataset needs "
                + "[N] + \(expected.dropFirst()). \(replaceAdvice)"
        case .truncated(let file, let expectedBytes, let actualBytes):
            return "\(file): truncated, \(actualBytes) bytes (after decompression) where "
                + "\(expectedBytes) are expected. An interrupted copy or download? \(replaceAdvice)"
        case .trailingBytes(let file, let expectedBytes):
            return "\(file): longer than the \(expectedBytes) bytes its header implies. "
                + replaceAdvice
        case .partialRecord(let file, let bytes, let recordSize):
            return "\(file): \(bytes) bytes is not a whole number of \(recordSize)-byte records. "
                + replaceAdvice
        case .recordCountMismatch(let file, let expected, let found):
            return "\(file): \(found) records where \(expected) are expected. " + replaceAdvice
        case .countMismatch(let images, let imageCount, let labels, let labelCount):
            return "\(images) holds \(imageCount) images but \(labels) holds \(labelCount) labels; "
                + "the two files come from different splits or versions. " + replaceAdvice
        case .labelOutOfRange(let file, let index, let label, let classCount):
            return "\(file): label \(label) at index \(index) is outside 0..<\(classCount). "
                + replaceAdvice
        case .checksumMismatch(let file, let algorithm, let expected, let found):
            return """
                \(file): \(algorithm) is \(found) but data/manifest.json records \(expected). \
                The file is corrupt or a different version. \(replaceAdvice)
                """
        case .unreadable(let file, let reason):
            return "\(file): cannot be read (\(reason)). Check that it exists and is readable."
        case .manifestProblem(let path, let reason):
            return "\(path): \(reason). The manifest is part of the repository; restore it "
                + "with `git checkout data/manifest.json`."
        case .downloadFailed(let url, let reason):
            return "Download of \(url) failed: \(reason). No partial files were left in the "
                + "data directory; retry, or fetch and extract the archive by hand as "
                + "data/manifest.json describes."
        }
    }

    private var replaceAdvice: String {
        "Delete the file and obtain it again (see `obtain` in data/manifest.json)."
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
