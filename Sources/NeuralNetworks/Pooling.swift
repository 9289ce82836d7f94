import Autodiff

/// Max pooling over k×k windows with stride k (or the given stride).
public final class MaxPool: Layer {
    public let size: Int, stride: Int
    public init(_ size: Int = 2, stride: Int? = nil) { self.size = size; self.stride = stride ?? size }
    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        x.maxPooled(size: size, stride: stride)
    }
    public var summary: String { "MaxPool(\(size)×\(size), stride \(stride))" }
}

/// Average pooling over k×k windows with stride k (or the given stride). Linear, so it maps
/// spikes to rates exactly and is the pooling of choice for conversion.
public final class AveragePool: Layer {
    public let size: Int, stride: Int
    public init(_ size: Int = 2, stride: Int? = nil) { self.size = size; self.stride = stride ?? size }
    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        x.averagePooled(size: size, stride: stride)
    }
    public var summary: String { "AveragePool(\(size)×\(size), stride \(stride))" }
}

/// Global average pooling `[N, C, H, W]` → `[N, C]`.
public final class GlobalAveragePool: Layer {
    public init() {}
    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable { x.globalAveragePooled() }
    public var summary: String { "GlobalAveragePool" }
}
