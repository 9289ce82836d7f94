import TensorCore

/// One epoch of a dataset in mini-batches: `(images: [B, C, H, W], labels: [B])`.
///
/// Batch k holds the examples `order[k·B ..< (k+1)·B]`. Each batch is assembled on demand:
/// the selected images are copied (cropped and mirrored if `augmentation` says so) straight
/// into the batch tensor, then normalised in place (`MiniBatchesTests` checks that 128
/// Fashion-MNIST-sized images take under 1 ms).
/// A `MiniBatches` value is deterministic: iterating it twice, or asking for `batch(at:)`
/// in any order, gives the same batches, because batch k's augmentation draws from its own
/// generator derived from the seed and k.
///
///     var rng = SeededGenerator(seed: 7)
///     for epoch in 0..<epochs {
///         for (images, labels) in train.shuffledBatches(
///             size: 128, augmentation: .standard, normalization: norm, using: &rng) { … }
///     }
public struct MiniBatches: RandomAccessCollection, Sendable {
    /// What happens to the last batch when N is not a multiple of the batch size.
    public enum PartialBatch: Sendable {
        /// Keep it (smaller than the others): every example is seen once per epoch.
        case keep
        /// Drop it: every batch has exactly `batchSize` examples.
        case drop
    }

    /// One batch: images `[B, C, H, W]` and their labels.
    public typealias Element = (images: Tensor, labels: [Int])

    /// The examples being batched.
    public let data: LabeledImages
    /// B, the number of examples per (full) batch.
    public let batchSize: Int
    /// The order in which examples are visited: a permutation of `0..<data.count`.
    public let order: [Int]
    /// Whether a final smaller batch is kept.
    public let partialBatch: PartialBatch
    /// The random transformation applied to each image.
    public let augmentation: Augmentation
    /// The standardisation applied after augmentation, if any.
    public let normalization: Normalization?
    /// Seed of the per-batch augmentation generators.
    private let augmentationSeed: UInt64

    /// Batches of `data` visited in `order`.
    ///
    /// - Precondition: `batchSize > 0`; `order` holds valid indices.
    public init(
        _ data: LabeledImages, batchSize: Int, order: [Int], partialBatch: PartialBatch = .keep,
        augmentation: Augmentation = .none, normalization: Normalization? = nil,
        augmentationSeed: UInt64 = 0
    ) {
        precondition(batchSize > 0, "batch size must be positive, got \(batchSize)")
        precondition(
            order.allSatisfy { (0..<data.count).contains($0) }, "order holds an invalid index")
        self.data = data
        self.batchSize = batchSize
        self.order = order
        self.partialBatch = partialBatch
        self.augmentation = augmentation
        self.normalization = normalization
        self.augmentationSeed = augmentationSeed
    }

    /// Index of the first batch (0).
    public var startIndex: Int { 0 }

    /// The number of batches: ⌈n / B⌉ when keeping the partial batch, ⌊n / B⌋ when dropping it.
    public var endIndex: Int {
        switch partialBatch {
        case .keep: (order.count + batchSize - 1) / batchSize
        case .drop: order.count / batchSize
        }
    }

    /// The positions in `data` of batch `index`'s examples.
    public func indices(ofBatch index: Int) -> ArraySlice<Int> {
        precondition(index >= 0 && index < endIndex, "batch \(index) out of 0..<\(endIndex)")
        return order[(index * batchSize)..<Swift.min(order.count, (index + 1) * batchSize)]
    }

    /// Batch `index`, assembled now.
    public subscript(index: Int) -> Element { batch(at: index) }

    /// Batch `index`: the images gathered, augmented and normalised; labels alongside.
    ///
    /// - Complexity: O(B·C·H·W).
    public func batch(at index: Int) -> Element {
        let members = indices(ofBatch: index)
        let shape = data.imageShape
        let size = data.imageSize
        var generator = SeededGenerator(
            seed: augmentationSeed ^ (UInt64(index) &* 0xD605_BBB5_8C8A_BBF5))
        let placements = augmentation.placements(count: members.count, using: &generator)
        var images = Tensor(shape: [members.count] + shape)
        data.images.withUnsafeBufferPointer { source in
            images.withUnsafeMutableBufferPointer { destination in
                for (row, example) in members.enumerated() {
                    let from = source.baseAddress! + example * size
                    let to = destination.baseAddress! + row * size
                    if augmentation == .none {
                        to.update(from: from, count: size)
                    } else {
                        _place(
                            from, into: to, channels: shape[0], height: shape[1], width: shape[2],
                            padding: augmentation.padding, placement: placements[row])
                    }
                }
                normalization?.applyInPlace(
                    destination.baseAddress!, images: members.count, plane: shape[1] * shape[2])
            }
        }
        return (images: images, labels: members.map { data.labels[$0] })
    }
}

extension LabeledImages {
    /// Batches in file order with no augmentation (evaluation). Keeps the last, smaller batch
    /// unless told otherwise, so every example is evaluated exactly once.
    public func batches(
        size: Int, partialBatch: MiniBatches.PartialBatch = .keep,
        normalization: Normalization? = nil
    ) -> MiniBatches {
        MiniBatches(
            self, batchSize: size, order: Array(0..<count), partialBatch: partialBatch,
            normalization: normalization)
    }

    /// One training epoch: a fresh seeded permutation (Fisher–Yates) and, if asked,
    /// per-image random augmentation before normalisation.
    ///
    /// Draws the permutation and one 64-bit augmentation seed from `rng`, so successive calls
    /// with the same generator give successive, different epochs, reproducibly.
    public func shuffledBatches(
        size: Int, partialBatch: MiniBatches.PartialBatch = .keep,
        augmentation: Augmentation = .none, normalization: Normalization? = nil,
        using rng: inout SeededGenerator
    ) -> MiniBatches {
        let order = seededPermutation(count: count, using: &rng)
        return MiniBatches(
            self, batchSize: size, order: order, partialBatch: partialBatch,
            augmentation: augmentation, normalization: normalization, augmentationSeed: rng.next())
    }
}
