import TensorCore

/// A labelled image-classification set: images `[N, C, H, W]` and one class label per image.
///
/// Pixels are Float32 in [0, 1] as read (byte / 255); `Normalization` maps them to zero mean
/// and unit variance per channel when a chapter asks for it. `LabeledImages` is a value:
/// `shuffled(using:)`, `selecting(_:)` and the subsets return new values and leave this one
/// untouched (the tensor is copy-on-write, so unchanged values share storage).
///
///     var rng = SeededGenerator(seed: 42)
///     let train = try LabeledImages.load(.fashionMNIST, split: .train)
///     let small = train.stratifiedSubset(limit: 5_000, using: &rng)  // 500 per class
public struct LabeledImages: Sendable {
    /// The images, `[N, C, H, W]`, Float32.
    public private(set) var images: Tensor
    /// The class of each image, in `0..<classCount`.
    public private(set) var labels: [Int]
    /// The class names, indexed by label.
    public let classNames: [String]
    /// The dataset the images come from, or nil for generated data.
    public let dataset: DatasetID?

    /// Wraps images and labels after checking that they fit together.
    ///
    /// - Precondition: `images` has rank 4, one image per label, and every label lies in
    ///   `0..<classNames.count`.
    public init(images: Tensor, labels: [Int], classNames: [String], dataset: DatasetID? = nil) {
        precondition(images.rank == 4, "images must be [N, C, H, W], got \(images.shape)")
        precondition(
            images.shape[0] == labels.count,
            "\(images.shape[0]) images but \(labels.count) labels")
        precondition(
            labels.allSatisfy { (0..<classNames.count).contains($0) },
            "a label lies outside 0..<\(classNames.count)")
        self.images = images
        self.labels = labels
        self.classNames = classNames
        self.dataset = dataset
    }

    /// Wraps images and labels of a known dataset (class names from `dataset`).
    public init(images: Tensor, labels: [Int], dataset: DatasetID) {
        self.init(images: images, labels: labels, classNames: dataset.classNames, dataset: dataset)
    }

    /// The number of examples, N.
    public var count: Int { labels.count }

    /// The number of classes.
    public var classCount: Int { classNames.count }

    /// The shape of one image, `[C, H, W]`.
    public var imageShape: [Int] { Array(images.shape.dropFirst()) }

    /// Floats per image, C·H·W.
    public var imageSize: Int { imageShape.reduce(1, *) }

    /// How many examples each class has, indexed by label.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// The examples at `indices`, in that order (repeats allowed).
    ///
    /// - Complexity: O(indices.count · C·H·W), one memcpy per image.
    public func selecting(_ indices: [Int]) -> LabeledImages {
        let size = imageSize
        var picked = Tensor(shape: [indices.count] + imageShape)
        images.withUnsafeBufferPointer { source in
            picked.withUnsafeMutableBufferPointer { destination in
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < count, "index \(index) out of 0..<\(count)")
                    (destination.baseAddress! + row * size)
                        .update(from: source.baseAddress! + index * size, count: size)
                }
            }
        }
        return LabeledImages(
            images: picked, labels: indices.map { labels[$0] }, classNames: classNames,
            dataset: dataset)
    }

    /// The same examples in a seeded random order (Fisher–Yates; see `seededPermutation`).
    public func shuffled(using rng: inout SeededGenerator) -> LabeledImages {
        selecting(seededPermutation(count: count, using: &rng))
    }

    /// The first `limit` examples in file order (all of them when `limit ≥ count`).
    ///
    /// No randomness. The files are in no particular class order (CIFAR's batches are in
    /// random order), so a prefix is roughly balanced: the first 6000 Fashion-MNIST training
    /// images hold between 560 and 643 of each class (checked by `FashionMNISTTests`). Use
    /// `stratifiedSubset(limit:using:)` for exact balance.
    public func subset(limit: Int) -> LabeledImages {
        precondition(limit >= 0, "negative limit \(limit)")
        return limit >= count ? self : selecting(Array(0..<limit))
    }

    /// A seeded, class-balanced pick of `limit` examples, returned in file order.
    ///
    /// Each class k gets ⌊limit / K⌋ examples, plus one for the first `limit mod K` classes,
    /// drawn uniformly without replacement with `rng`. If a class has too few examples, the
    /// shortfall is filled from the other classes' unpicked examples in seeded order, so
    /// exactly `min(limit, count)` examples come back. A nil `limit` (a config's "all") or
    /// one ≥ `count` returns every example and draws nothing from `rng`.
    public func stratifiedSubset(limit: Int?, using rng: inout SeededGenerator) -> LabeledImages {
        guard let limit, limit < count else { return self }
        return selecting(stratifiedIndices(limit: limit, using: &rng))
    }

    /// The indices `stratifiedSubset(limit:using:)` picks, ascending, with the same draws from
    /// `rng` (so a chapter can also name the examples it left out, e.g. to hold some back).
    /// A nil `limit` or one ≥ `count` gives `0..<count` and draws nothing.
    public func stratifiedIndices(limit: Int?, using rng: inout SeededGenerator) -> [Int] {
        Self.stratifiedIndices(labels: labels, classCount: classCount, limit: limit, using: &rng)
    }

    /// The examples whose index is not in `used`, ascending: what a held-out set is drawn from
    /// when `used` are the training images.
    public func indices(excluding used: [Int]) -> [Int] {
        let taken = Set(used)
        return (0..<count).filter { !taken.contains($0) }
    }

    /// A class-balanced pick of `limit` of the examples `candidates` (indices into this set,
    /// ascending), drawn as `stratifiedIndices(limit:using:)` draws; indices into this set,
    /// ascending. For held-out images: `stratifiedIndices(among: indices(excluding: train), …)`.
    public func stratifiedIndices(among candidates: [Int], limit: Int, using rng: inout SeededGenerator) -> [Int] {
        Self.stratifiedIndices(labels: candidates.map { labels[$0] }, classCount: classCount, limit: limit,
                               using: &rng).map { candidates[$0] }
    }

    /// `stratifiedIndices(limit:using:)` of examples with these `labels` (each in
    /// `0..<classCount`), without the images: positions in `labels`, ascending.
    public static func stratifiedIndices(labels: [Int], classCount: Int, limit: Int?,
                                         using rng: inout SeededGenerator) -> [Int] {
        let count = labels.count
        guard let limit else { return Array(0..<count) }
        precondition(limit >= 0, "negative limit \(limit)")
        guard limit < count else { return Array(0..<count) }
        var byClass = [[Int]](repeating: [], count: classCount)
        for (index, label) in labels.enumerated() { byClass[label].append(index) }
        var picked: [Int] = []
        var leftovers: [Int] = []
        for label in 0..<classCount {
            var members = byClass[label]
            members.fisherYatesShuffle(using: &rng)
            let quota = limit / classCount + (label < limit % classCount ? 1 : 0)
            picked += members.prefix(quota)
            leftovers += members.dropFirst(quota)
        }
        if picked.count < limit {
            leftovers.fisherYatesShuffle(using: &rng)
            picked += leftovers.prefix(limit - picked.count)
        }
        return picked.sorted()
    }
}

extension LabeledImages: CustomStringConvertible {
    /// One line: dataset, count, image shape and classes, e.g.
    /// `Fashion-MNIST: 60000 images [1, 28, 28], 10 classes`.
    public var description: String {
        "\(dataset?.title ?? "images"): \(count) images \(imageShape), \(classCount) classes"
    }
}
