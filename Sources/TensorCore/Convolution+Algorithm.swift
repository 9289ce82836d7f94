/// The convolution entry points with an explicit `ConvolutionAlgorithm` instead of the
/// process-wide `ExecutionPolicy.current.convolution` (tests compare the algorithms side by side
/// without touching the global; benchmarks time them interleaved).
extension Tensor {
    /// Forward convolution with the given algorithm (see `convolution(_:_:stride:padding:)`).
    public static func convolution(_ x: Tensor, _ w: Tensor, stride: Int = 1, padding: Int = 0,
                                   algorithm: ConvolutionAlgorithm) -> Tensor {
        let g = ConvolutionGeometry(input: x.shape, weight: w.shape, stride: stride, padding: padding)
        let plan = DNNLConvolution.plan(for: g, algorithm: algorithm)
        var y = Tensor(uninitializedShape: g.outputShape, layout: plan.outputLayout)
        plan.forward(x, w, into: &y)
        return y
    }

    /// ∂L/∂x with the given algorithm.
    public static func convolutionBackwardData(_ dy: Tensor, _ w: Tensor, geometry g: ConvolutionGeometry,
                                               algorithm: ConvolutionAlgorithm,
                                               inputLayout: TensorLayout = .rowMajor) -> Tensor {
        precondition(dy.shape == g.outputShape, "dy \(dy.shape) does not match \(g.outputShape)")
        var dx = Tensor(uninitializedShape: g.inputShape, layout: inputLayout)
        DNNLConvolution.plan(for: g, algorithm: algorithm).backwardData(dy, w, into: &dx)
        return dx
    }

    /// ∂L/∂w with the given algorithm.
    public static func convolutionBackwardWeights(_ dy: Tensor, _ x: Tensor, geometry g: ConvolutionGeometry,
                                                  algorithm: ConvolutionAlgorithm) -> Tensor {
        precondition(dy.shape == g.outputShape, "dy \(dy.shape) does not match \(g.outputShape)")
        var dw = Tensor(uninitializedShape: g.weightShape)
        DNNLConvolution.plan(for: g, algorithm: algorithm).backwardWeights(dy, x, into: &dw)
        return dw
    }
}

/// Where convolutions store their outputs (`DNNLRuntime.activationLayout`).
public enum ActivationLayoutPolicy: String, Sendable, CaseIterable, Codable {
    /// Every activation row-major (NCHW): each blocked convolution reorders its operands.
    case rowMajor
    /// Outputs of blocked convolutions stay in oneDNN's channel-blocked layout (nChw16c)
    /// when their channels are a multiple of 16; the layers up to the next convolution keep it.
    case blockedBetweenConvolutions
}
