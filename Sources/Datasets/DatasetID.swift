/// The image-classification datasets this package reads.
///
/// The raw value is the dataset's key in `data/manifest.json`, and also its name for the
/// chapters' `--dataset` option (`fashion-mnist`, `cifar10`, `cifar100`).
public enum DatasetID: String, CaseIterable, Codable, Sendable {
    /// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 28×28 grey Zalando article images,
    /// 10 classes, 60000 train / 10000 test, gzip'd IDX files.
    case fashionMNIST = "fashion-mnist"
    /// CIFAR-10 (Krizhevsky 2009): 32×32 colour images, 10 classes, 50000 train (five
    /// batches) / 10000 test, binary records of 1 label byte + 3072 pixel bytes.
    case cifar10
    /// CIFAR-100 (Krizhevsky 2009): 32×32 colour images, 100 fine classes in 20 superclasses,
    /// 50000 train / 10000 test, binary records of coarse + fine label bytes + 3072 pixel bytes.
    case cifar100

    /// The name used in papers and printed output ("CIFAR-10").
    public var title: String {
        switch self {
        case .fashionMNIST: "Fashion-MNIST"
        case .cifar10: "CIFAR-10"
        case .cifar100: "CIFAR-100"
        }
    }

    /// The shape of one image, `[channels, height, width]`.
    public var imageShape: [Int] {
        switch self {
        case .fashionMNIST: [1, 28, 28]
        case .cifar10, .cifar100: [3, 32, 32]
        }
    }

    /// The number of classes; labels lie in `0..<classCount`.
    public var classCount: Int { classNames.count }

    /// The class names, indexed by label. For CIFAR-100 these are the 100 fine labels in the
    /// order of `fine_label_names.txt` (alphabetical).
    public var classNames: [String] {
        switch self {
        case .fashionMNIST:
            [
                "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
            ]
        case .cifar10:
            [
                "airplane", "automobile", "bird", "cat", "deer",
                "dog", "frog", "horse", "ship", "truck",
            ]
        case .cifar100:
            _cifar100FineLabels
        }
    }

    /// How the dataset's files are laid out on disk.
    var format: _FileFormat {
        switch self {
        case .fashionMNIST: .idx
        case .cifar10: .cifarRecords(labelBytes: 1)
        case .cifar100: .cifarRecords(labelBytes: 2)
        }
    }
}

/// Which part of a dataset: the training set or the held-out test set.
public enum DatasetSplit: String, CaseIterable, Codable, Sendable {
    /// The training set (Fashion-MNIST 60000, CIFAR 50000 images).
    case train
    /// The test set (10000 images for all three datasets).
    case test
}

/// The two on-disk formats.
enum _FileFormat: Equatable {
    /// A pair of IDX files per split: images (0x0803) and labels (0x0801).
    case idx
    /// Fixed-size records: `labelBytes` label bytes, then 3 × 1024 pixel bytes (R, G, B planes,
    /// each 32 rows of 32). With two label bytes (CIFAR-100) the first is the coarse label,
    /// the second the fine label.
    case cifarRecords(labelBytes: Int)
}

/// CIFAR-100's fine labels, index = label (from `fine_label_names.txt` in the archive).
private let _cifar100FineLabels = [
    "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle",
    "bottle", "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle",
    "caterpillar", "cattle", "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch",
    "crab", "crocodile", "cup", "dinosaur", "dolphin", "elephant", "flatfish", "forest", "fox",
    "girl", "hamster", "house", "kangaroo", "keyboard", "lamp", "lawn_mower", "leopard", "lion",
    "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain", "mouse", "mushroom",
    "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
    "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road",
    "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake",
    "spider", "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone",
    "television", "tiger", "tractor", "train", "trout", "tulip", "turtle", "wardrobe", "whale",
    "willow_tree", "wolf", "woman", "worm",
]
