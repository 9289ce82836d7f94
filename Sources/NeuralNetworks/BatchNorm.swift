import Autodiff
import TensorCore

/// Batch normalisation over dimension 1 of `[N, C, H, W]` or `[N, C]` (Ioffe & Szegedy 2015):
///
///     training:  y = γ·(x − μ_B)/√(σ²_B + ε) + β,   μ ← (1−m)·μ + m·μ_B,  σ² ← (1−m)·σ² + m·σ²_B·n/(n−1)
///     inference: y = γ·(x − μ)/√(σ² + ε) + β
public final class BatchNorm: Layer {
    public let scale: Parameter          // γ [C]
    public let shift: Parameter          // β [C]
    public private(set) var runningMean: Tensor       // μ [C]
    public private(set) var runningVariance: Tensor   // σ² [C]
    public let momentum: Float
    public let epsilon: Float

    public init(_ channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        scale = Parameter(Tensor(shape: [channels], repeating: 1), name: "bn.scale", role: .normScale)
        shift = Parameter(Tensor(shape: [channels]), name: "bn.shift", role: .normShift)
        runningMean = Tensor(shape: [channels])
        runningVariance = Tensor(shape: [channels], repeating: 1)
        self.momentum = momentum
        self.epsilon = epsilon
    }

    /// A layer with given statistics and affine parameters (for loading and tests).
    public init(scale: Tensor, shift: Tensor, runningMean: Tensor, runningVariance: Tensor,
                momentum: Float = 0.1, epsilon: Float = 1e-5) {
        self.scale = Parameter(scale, name: "bn.scale", role: .normScale)
        self.shift = Parameter(shift, name: "bn.shift", role: .normShift)
        self.runningMean = runningMean
        self.runningVariance = runningVariance
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var channels: Int { scale.value.count }

    public func forward(_ x: Variable, context: inout ForwardContext) -> Variable {
        switch context.phase {
        case .training:
            let (y, mean, variance) = Variable.batchNormalized(
                x, scale: scale.variable, shift: shift.variable, epsilon: epsilon)
            let n = Float(x.value.count / channels)
            let unbiased = variance * (n / Swift.max(n - 1, 1))
            runningMean = runningMean * (1 - momentum) + mean * momentum
            runningVariance = runningVariance * (1 - momentum) + unbiased * momentum
            return y
        case .inference:
            return Variable.batchNormalized(x, scale: scale.variable, shift: shift.variable,
                                            runningMean: runningMean, runningVariance: runningVariance,
                                            epsilon: epsilon)
        }
    }

    // MARK: Folding into the weight layer before it (inference)

    /// a_c = γ_c/√(σ²_c + ε): at inference y_c = a_c·(x_c − μ_c) + β_c, one affine map per
    /// channel, which the Conv2D or Linear before this layer can absorb (`foldedWeights`,
    /// `foldedBias`). a_c < 0 reverses the order of channel c.
    public var foldingFactors: [Float] {
        let gamma = scale.value.scalars, variance = runningVariance.scalars
        return (0..<channels).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
    }

    /// W_c ← a_c·W_c for the weights `w` (`[K, …]`, row c feeding channel c) of the layer
    /// before this one.
    public func foldedWeights(_ w: Tensor) -> Tensor {
        precondition(w.shape[0] == channels, "BatchNorm(\(channels)) after a layer with \(w.shape[0]) outputs")
        let factor = foldingFactors
        var folded = w
        let row = w.count / channels
        folded.withUnsafeMutableBufferPointer { p in
            for c in 0..<channels { for i in 0..<row { p[c * row + i] *= factor[c] } }
        }
        return folded
    }

    /// b_c ← (b_c − μ_c)·a_c + β_c for the bias `b` of the layer before this one (nil: none,
    /// i.e. zero).
    public func foldedBias(_ b: Tensor?) -> Tensor {
        let factor = foldingFactors, mean = runningMean.scalars, beta = shift.value.scalars
        let old = b?.scalars ?? [Float](repeating: 0, count: channels)
        return Tensor(shape: [channels],
                      scalars: (0..<channels).map { (old[$0] - mean[$0]) * factor[$0] + beta[$0] })
    }

    /// Replaces the running statistics (checkpoint loading).
    public func setRunningStatistics(mean: Tensor, variance: Tensor) {
        precondition(mean.count == channels && variance.count == channels, "statistics size mismatch")
        runningMean = mean
        runningVariance = variance
    }

    public var parameters: [Parameter] { [scale, shift] }
    public var buffers: [Tensor] { [runningMean, runningVariance] }
    public func loadBuffers(_ values: [Tensor]) { setRunningStatistics(mean: values[0], variance: values[1]) }
    public var summary: String { "BatchNorm(\(channels))" }
}
