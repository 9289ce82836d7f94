import TensorCore

/// Random training-time image transformations, chosen by case and drawn from a seeded
/// generator.
///
/// The standard CIFAR recipe (He et al. 2016, §4.2) is `.randomCropAndFlip(padding: 4)`:
/// pad each 32×32 image with 4 zero pixels on every side, cut a random 32×32 window out of the
/// 40×40 result, and mirror it left–right with probability ½. Zero is black in pixel space,
/// so augmentation runs before `Normalization` (as torchvision's `RandomCrop` before
/// `Normalize` does). Every image in a batch gets its own window and coin flip.
public enum Augmentation: Equatable, Sendable, Codable {
    /// No change (evaluation, or training without augmentation).
    case none
    /// A random `H×W` window of the image zero-padded by `padding` pixels on each side.
    case randomCrop(padding: Int)
    /// Mirror left–right with probability ½.
    case horizontalFlip
    /// A random crop followed by a random horizontal flip.
    case randomCropAndFlip(padding: Int)

    /// The standard CIFAR augmentation: 4-pixel zero padding, random crop, random flip.
    public static let standard = Augmentation.randomCropAndFlip(padding: 4)

    /// Where one output image is cut from its padded source and whether it is mirrored.
    ///
    /// With padding p, output pixel (y, x) of an H×W image is
    /// `source[y + top − p][x′ + left − p]`, where x′ = W − 1 − x if `flipped` else x, and
    /// zero outside the source. `top = left = p` without flip is the identity.
    public struct Placement: Equatable, Sendable {
        /// Row of the window's top edge in the padded image, in `0...2p`.
        public var top: Int
        /// Column of the window's left edge in the padded image, in `0...2p`.
        public var left: Int
        /// Whether the window is mirrored left–right.
        public var flipped: Bool

        /// A placement from its parts.
        public init(top: Int, left: Int, flipped: Bool) {
            self.top = top
            self.left = left
            self.flipped = flipped
        }
    }

    /// The zero padding p on each side (0 for `.none` and `.horizontalFlip`).
    public var padding: Int {
        switch self {
        case .none, .horizontalFlip: 0
        case .randomCrop(let padding), .randomCropAndFlip(let padding): padding
        }
    }

    /// Draws one placement per image: top and left uniform in `0...2p` (if cropping), then a
    /// fair coin (if flipping), image by image.
    public func placements(count: Int, using rng: inout SeededGenerator) -> [Placement] {
        let p = padding
        return (0..<count).map { _ in
            switch self {
            case .none:
                return Placement(top: 0, left: 0, flipped: false)
            case .horizontalFlip:
                return Placement(top: 0, left: 0, flipped: rng.next() >> 63 == 1)
            case .randomCrop:
                let top = Int(_uniformIndex(below: UInt64(2 * p + 1), using: &rng))
                let left = Int(_uniformIndex(below: UInt64(2 * p + 1), using: &rng))
                return Placement(top: top, left: left, flipped: false)
            case .randomCropAndFlip:
                let top = Int(_uniformIndex(below: UInt64(2 * p + 1), using: &rng))
                let left = Int(_uniformIndex(below: UInt64(2 * p + 1), using: &rng))
                return Placement(top: top, left: left, flipped: rng.next() >> 63 == 1)
            }
        }
    }

    /// A randomly augmented copy of `images` `[N, C, H, W]`.
    public func apply(to images: Tensor, using rng: inout SeededGenerator) -> Tensor {
        if self == .none { return images }
        return Augmentation.apply(
            placements(count: images.shape[0], using: &rng), padding: padding, to: images)
    }

    /// `images` `[N, C, H, W]` with image i cut and mirrored as `placements[i]` says
    /// (the deterministic half of augmentation; tests use it with hand-picked placements).
    public static func apply(_ placements: [Placement], padding: Int, to images: Tensor) -> Tensor {
        precondition(images.rank == 4, "expected [N, C, H, W], got \(images.shape)")
        precondition(placements.count == images.shape[0], "one placement per image")
        let channels = images.shape[1]
        let height = images.shape[2]
        let width = images.shape[3]
        var result = Tensor(shape: images.shape)
        images.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { destination in
                let size = channels * height * width
                for (i, placement) in placements.enumerated() {
                    _place(
                        source.baseAddress! + i * size, into: destination.baseAddress! + i * size,
                        channels: channels, height: height, width: width,
                        padding: padding, placement: placement)
                }
            }
        }
        return result
    }
}

/// Writes one `[C, H, W]` image from `source` to `destination` cut and mirrored per
/// `placement` (see `Augmentation.Placement`), filling uncovered pixels with zero.
///
/// Rows are either copied whole (`update(from:)`, i.e. memcpy) or reversed; only the
/// columns that fall inside the source are touched, the rest are zeroed.
func _place(
    _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>,
    channels: Int, height: Int, width: Int, padding p: Int, placement: Augmentation.Placement
) {
    let dy = placement.top - p
    let dx = placement.left - p
    // Output columns x whose source column x′ + dx lies in [0, W), where x′ is x or W−1−x.
    let lo = max(0, -dx)
    let hi = min(width, width - dx)  // range of x′
    let firstX = placement.flipped ? width - hi : lo
    let lastX = placement.flipped ? width - lo : hi  // exclusive
    for c in 0..<channels {
        for y in 0..<height {
            let out = destination + (c * height + y) * width
            let sy = y + dy
            guard sy >= 0, sy < height, firstX < lastX else {
                out.update(repeating: 0, count: width)
                continue
            }
            let row = source + (c * height + sy) * width
            if firstX > 0 { out.update(repeating: 0, count: firstX) }
            if lastX < width { (out + lastX).update(repeating: 0, count: width - lastX) }
            if placement.flipped {
                // out[x] = row[W − 1 − x + dx]
                let base = row + (width - 1 + dx)
                for x in firstX..<lastX { out[x] = base[-x] }
            } else {
                (out + firstX).update(from: row + firstX + dx, count: lastX - firstX)
            }
        }
    }
}
