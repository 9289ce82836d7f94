import TensorCore
import Testing

@testable import Datasets

/// Crop and flip on hand-made images: identities, exact shifts and mirror images.
@Suite struct AugmentationTests {
    /// A 2-channel 5×6 image whose pixel (c, y, x) is 100c + 10y + x + 1 (never 0, so the
    /// zero padding is recognisable).
    private let image: Tensor = {
        var scalars: [Float] = []
        for c in 0..<2 {
            for y in 0..<5 { for x in 0..<6 { scalars.append(Float(100 * c + 10 * y + x + 1)) } }
        }
        return Tensor(shape: [1, 2, 5, 6], scalars: scalars)
    }()

    @Test func centredCropWithoutFlipIsIdentity() {
        let out = Augmentation.apply(
            [.init(top: 4, left: 4, flipped: false)], padding: 4, to: image)
        #expect(out == image)
    }

    @Test func flippingTwiceIsIdentity() {
        let flip = Augmentation.Placement(top: 4, left: 4, flipped: true)
        let once = Augmentation.apply([flip], padding: 4, to: image)
        #expect(once != image)
        #expect(Augmentation.apply([flip], padding: 4, to: once) == image)
    }

    @Test func flipMirrorsEachRow() {
        let out = Augmentation.apply([.init(top: 0, left: 0, flipped: true)], padding: 0, to: image)
        for c in 0..<2 {
            for y in 0..<5 { for x in 0..<6 { #expect(out[0, c, y, x] == image[0, c, y, 5 - x]) } }
        }
    }

    /// top = 1, left = 6 with padding 4: the window moves 3 rows up and 2 columns right, so
    /// out(y, x) = in(y − 3, x + 2), zero where that falls outside.
    @Test func cropShiftsAndZeroPads() {
        let out = Augmentation.apply(
            [.init(top: 1, left: 6, flipped: false)], padding: 4, to: image)
        for c in 0..<2 {
            for y in 0..<5 {
                for x in 0..<6 {
                    let sy = y - 3
                    let sx = x + 2
                    let expected: Float =
                        (0..<5).contains(sy) && (0..<6).contains(sx) ? image[0, c, sy, sx] : 0
                    #expect(out[0, c, y, x] == expected)
                }
            }
        }
    }

    /// Crop then flip: out(y, x) = in(y + top − p, (W − 1 − x) + left − p).
    @Test func cropThenFlipComposes() {
        let out = Augmentation.apply([.init(top: 5, left: 2, flipped: true)], padding: 4, to: image)
        for y in 0..<5 {
            for x in 0..<6 {
                let sy = y + 1
                let sx = 5 - x - 2
                let expected: Float =
                    (0..<5).contains(sy) && (0..<6).contains(sx) ? image[0, 1, sy, sx] : 0
                #expect(out[0, 1, y, x] == expected)
            }
        }
    }

    @Test func windowEntirelyInThePaddingIsBlack() {
        let out = Augmentation.apply(
            [.init(top: 0, left: 12, flipped: false)], padding: 6, to: image)
        #expect(out.scalars.allSatisfy { $0 == 0 })
    }

    @Test func randomPlacementsStayInRangeAndFlipAboutHalf() {
        var rng = SeededGenerator(seed: 21)
        let placements = Augmentation.standard.placements(count: 4000, using: &rng)
        #expect(placements.allSatisfy { (0...8).contains($0.top) && (0...8).contains($0.left) })
        #expect(Set(placements.map(\.top)) == Set(0...8))
        let flips = placements.filter(\.flipped).count
        #expect(abs(flips - 2000) < 150)  // binomial σ ≈ 32
        #expect(
            Augmentation.randomCrop(padding: 4).placements(count: 100, using: &rng).allSatisfy {
                !$0.flipped
            })
        #expect(
            Augmentation.horizontalFlip.placements(count: 100, using: &rng)
                .allSatisfy { $0.top == 0 && $0.left == 0 })
    }

    @Test func noneLeavesImagesAlone() {
        var rng = SeededGenerator(seed: 1)
        #expect(Augmentation.none.apply(to: image, using: &rng) == image)
    }

    /// Every image of a batch gets its own placement: one image repeated 64 times comes
    /// out in more than one way.
    @Test func eachImageIsAugmentedIndependently() {
        var batch = Tensor(shape: [64, 2, 5, 6])
        batch.withUnsafeMutableBufferPointer { p in
            image.withUnsafeBufferPointer { one in
                for i in 0..<64 { for j in 0..<60 { p[i * 60 + j] = one[j] } }
            }
        }
        var rng = SeededGenerator(seed: 6)
        let out = Augmentation.standard.apply(to: batch, using: &rng)
        let distinct = Set((0..<64).map { i in (0..<60).map { out[flat: i * 60 + $0] } })
        #expect(distinct.count > 10)
    }
}
