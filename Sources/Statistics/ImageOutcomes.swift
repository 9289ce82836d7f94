// Which test images a classifier got right: the per-image record that a paired difference
// between two classifiers on the same images needs (Difference.swift).

import Foundation

/// Right or wrong on each of `count` test images, in the order of the evaluation set, packed
/// eight images to a byte. JSON: `{"count": 500, "packed": "<base64>"}`, about 1.4 characters
/// per 8 images, so a stage output or results.json can carry one per evaluation.
///
/// ```swift
/// let ann = ImageOutcomes([true, false, true])
/// ann.accuracy        // 0.666…
/// ann[1]              // false
/// ```
public struct ImageOutcomes: Codable, Equatable, Sendable {
    /// Images evaluated.
    public let count: Int
    /// Bit i of byte i / 8 (least significant first) is 1 when image i was classified right.
    public let packed: Data

    /// The outcomes of `correct.count` images, `correct[i]` for image i.
    public init(_ correct: [Bool]) {
        var bytes = [UInt8](repeating: 0, count: (correct.count + 7) / 8)
        for (i, right) in correct.enumerated() where right { bytes[i / 8] |= 1 << UInt8(i % 8) }
        count = correct.count
        packed = Data(bytes)
    }

    /// Whether image `index` was classified right.
    public subscript(index: Int) -> Bool {
        precondition(index >= 0 && index < count, "image \(index) of \(count)")
        return packed[packed.startIndex + index / 8] & (1 << UInt8(index % 8)) != 0
    }

    /// Every image's outcome, in order.
    public var correct: [Bool] { (0..<count).map { self[$0] } }

    /// Images classified right.
    public var correctCount: Int {
        packed.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// Fraction classified right (0 when no image was evaluated).
    public var accuracy: Double { count == 0 ? 0 : Double(correctCount) / Double(count) }

    /// The outcomes of several consecutive groups of images (batches), in order.
    public init(concatenating parts: [ImageOutcomes]) {
        self.init(parts.flatMap(\.correct))
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        count = try container.decode(Int.self, forKey: .count)
        packed = try container.decode(Data.self, forKey: .packed)
        guard count >= 0, packed.count == (count + 7) / 8 else {
            throw DecodingError.dataCorruptedError(
                forKey: .packed, in: container,
                debugDescription: "\(packed.count) bytes cannot hold exactly \(count) image outcomes")
        }
    }
}
