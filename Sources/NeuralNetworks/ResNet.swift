import Autodiff
import TensorCore

/// A residual block: y = body(x) + shortcut(x), then an optional activation (He et al. 2016).
public final class Residual: Layer {
    public let body: Sequential
    public let shortcut: Sequential      // empty = identity
    public let activation: (any Layer)?

    public init(body: Sequential, shortcut: Sequential, activation: (any Layer)?) {
        self.body = body
        self.shortcut = shortcut
        self.activation = activation
    }

    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        let main = body.forward(x, context: &context)
        let skip = shortcut.layers.isEmpty ? x : shortcut.forward(x, context: &context)
        let sum = main + skip
        return activation.map { $0.forward(sum, context: &context) } ?? sum
    }

    public var children: [any Layer] { [body, shortcut] + (activation.map { [$0] } ?? []) }
    public var parameters: [Parameter] { children.flatMap(\.parameters) }
    public var summary: String { "Residual(body: \(body.layers.count) layers, shortcut: \(shortcut.layers.isEmpty ? "identity" : "projection"))" }
}

/// CIFAR-style ResNets (He et al. 2016): 3×3 stem, stages of basic blocks, global average pool.
public enum ResNet {
    /// ResNet-20: 3 stages × 3 blocks, widths 16/32/64 (He et al. 2016, §4.2).
    public static func resnet20(inputChannels: Int, classes: Int,
                                activation: @escaping (Int, Int) -> any Layer = { _, _ in ReLU() },
                                using rng: inout SeededGenerator) -> Sequential {
        make(widths: [16, 32, 64], blocks: [3, 3, 3], inputChannels: inputChannels, classes: classes,
             activation: activation, using: &rng)
    }

    /// ResNet-18 for 32×32 inputs: 4 stages × 2 blocks, widths 64…512, 3×3 stem without max pool.
    public static func resnet18(inputChannels: Int, classes: Int,
                                activation: @escaping (Int, Int) -> any Layer = { _, _ in ReLU() },
                                using rng: inout SeededGenerator) -> Sequential {
        make(widths: [64, 128, 256, 512], blocks: [2, 2, 2, 2], inputChannels: inputChannels, classes: classes,
             activation: activation, using: &rng)
    }

    static func make(widths: [Int], blocks: [Int], inputChannels: Int, classes: Int,
                     activation: (Int, Int) -> any Layer, using rng: inout SeededGenerator) -> Sequential {
        var index = 0
        func act(_ c: Int) -> any Layer { defer { index += 1 }; return activation(c, index) }
        var layers: [any Layer] = [Conv2D(inputChannels, widths[0], using: &rng), BatchNorm(widths[0]), act(widths[0])]
        var channels = widths[0]
        for (stage, (width, count)) in zip(widths, blocks).enumerated() {
            for block in 0..<count {
                let stride = stage > 0 && block == 0 ? 2 : 1
                let body = Sequential([
                    Conv2D(channels, width, stride: stride, using: &rng), BatchNorm(width), act(width),
                    Conv2D(width, width, using: &rng), BatchNorm(width),
                ])
                let shortcut = stride != 1 || channels != width
                    ? Sequential([Conv2D(channels, width, kernelSize: 1, stride: stride, padding: 0, using: &rng),
                                  BatchNorm(width)])
                    : Sequential([])
                layers.append(Residual(body: body, shortcut: shortcut, activation: act(width)))
                channels = width
            }
        }
        layers += [GlobalAveragePool(), Linear(channels, classes, using: &rng)]
        return Sequential(layers)
    }
}
