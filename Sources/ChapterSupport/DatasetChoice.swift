// The datasets a chapter can be pointed at with `--dataset`.

import ArgumentParser

/// A dataset named on the command line (`--dataset fashion-mnist|cifar10|cifar100`).
///
/// This only names the dataset; loading, hashing and normalising it is the `Datasets` module's
/// job. A chapter that leaves `--dataset` unset uses its profile's default.
public enum DatasetChoice: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    /// Fashion-MNIST: 28×28 greyscale, 10 classes, 60 000 training / 10 000 test images.
    case fashionMNIST = "fashion-mnist"
    /// CIFAR-10: 32×32 colour, 10 classes, 50 000 training / 10 000 test images.
    case cifar10
    /// CIFAR-100: 32×32 colour, 100 classes, 50 000 training / 10 000 test images.
    case cifar100

    /// The number of classes, which sets chance accuracy (1 / `classCount`).
    public var classCount: Int {
        switch self {
        case .fashionMNIST, .cifar10: 10
        case .cifar100: 100
        }
    }

    /// The name as papers print it: `Fashion-MNIST`, `CIFAR-10`, `CIFAR-100`.
    public var displayName: String {
        switch self {
        case .fashionMNIST: "Fashion-MNIST"
        case .cifar10: "CIFAR-10"
        case .cifar100: "CIFAR-100"
        }
    }
}
