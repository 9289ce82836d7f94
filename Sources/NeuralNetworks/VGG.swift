import TensorCore

/// VGG-style networks (Simonyan & Zisserman 2015) in the configurations the chapters use.
public enum VGG {
    /// One entry of a VGG feature configuration.
    public enum Item: Sendable, Codable, Equatable {
        /// 3×3 convolution with `channels` outputs (padding 1).
        case conv(Int)
        /// 2×2 pooling with stride 2.
        case pool
    }

    /// The layers in one line, e.g. `conv32-conv32-pool-conv64-conv64-pool-fc256`.
    public static func layerNames(_ features: [Item], classifier: [Int]) -> String {
        (features.map { item -> String in
            if case .conv(let channels) = item { return "conv\(channels)" } else { return "pool" }
        } + classifier.map { "fc\($0)" }).joined(separator: "-")
    }

    /// Where pooling sits relative to normalisation and activation.
    public enum PoolPlacement: Sendable, Codable, Equatable {
        /// conv → BN → activation → pool (the usual order; conversion papers use average pooling here).
        case afterActivation
        /// conv → pool → BN → activation (Hoyer's "pool before spike": pooling acts on real values).
        case beforeNormalization
    }

    /// Which pooling operator.
    public enum PoolKind: Sendable, Codable, Equatable { case max, average }

    /// The paper configurations (Simonyan & Zisserman 2015, Table 1) and the small quick-profile ones.
    public static let vgg11: [Item] = [.conv(64), .pool, .conv(128), .pool, .conv(256), .conv(256), .pool,
                                       .conv(512), .conv(512), .pool, .conv(512), .conv(512), .pool]
    public static let vgg16: [Item] = [.conv(64), .conv(64), .pool, .conv(128), .conv(128), .pool,
                                       .conv(256), .conv(256), .conv(256), .pool,
                                       .conv(512), .conv(512), .conv(512), .pool,
                                       .conv(512), .conv(512), .conv(512), .pool]
    /// "VGG-S": the small net of the CPU-scale plans in the chapters' NOTES.md (28×28 → 7×7).
    public static let small: [Item] = [.conv(32), .conv(32), .pool, .conv(64), .conv(64), .pool]

    /// Builds features + classifier.
    ///
    /// - `activation(channels, index)` makes the non-linearity after the index-th normalised
    ///   layer (ReLU, a clipped ReLU, a spike layer …); hidden classifier layers count too.
    /// - `classifier` lists hidden widths of the fully-connected head; the final layer maps to
    ///   `classes` and has no activation.
    public static func make(
        _ items: [Item], inputChannels: Int, inputSize: Int, classes: Int,
        classifier hidden: [Int] = [], batchNorm: Bool = true, bias: Bool = false,
        pool: PoolKind = .max, poolPlacement: PoolPlacement = .afterActivation,
        dropout: Float = 0, classifierBatchNorm: Bool = false,
        activation: (_ channels: Int, _ index: Int) -> any Layer = { _, _ in ReLU() },
        using rng: inout SeededGenerator
    ) -> Sequential {
        var layers: [any Layer] = []
        var channels = inputChannels, size = inputSize, index = 0
        func makePool() -> any Layer { pool == .max ? MaxPool(2) : AveragePool(2) }
        var i = 0
        while i < items.count {
            guard case .conv(let out) = items[i] else {
                // A pool not directly after a conv (placement .afterActivation).
                layers.append(makePool()); size /= 2; i += 1; continue
            }
            layers.append(Conv2D(channels, out, kernelSize: 3, stride: 1, padding: 1, bias: bias, using: &rng))
            channels = out
            let poolNext = i + 1 < items.count && items[i + 1] == .pool
            if poolNext && poolPlacement == .beforeNormalization { layers.append(makePool()); size /= 2 }
            if batchNorm { layers.append(BatchNorm(out)) }
            layers.append(activation(out, index)); index += 1
            if dropout > 0 { layers.append(Dropout(dropout)) }
            if poolNext && poolPlacement == .afterActivation { layers.append(makePool()); size /= 2 }
            i += poolNext ? 2 : 1
        }
        layers.append(Flatten())
        var features = channels * size * size
        for width in hidden {
            layers.append(Linear(features, width, bias: bias, using: &rng))
            if classifierBatchNorm { layers.append(BatchNorm(width)) }
            layers.append(activation(width, index)); index += 1
            if dropout > 0 { layers.append(Dropout(dropout)) }
            features = width
        }
        layers.append(Linear(features, classes, bias: bias, using: &rng))
        return Sequential(layers)
    }
}
