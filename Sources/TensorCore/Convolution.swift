/// 2-D convolution (cross-correlation, as in every deep-learning library) and its two
/// gradients, computed by oneDNN. Naive references for each are in `Convolution+Reference`.
///
///     y[n,k,p,q] = Σ_c Σ_r Σ_s w[k,c,r,s] · x[n, c, p·stride + r − pad, q·stride + s − pad]
extension Tensor {
    /// Forward convolution, `x [N,C,H,W]`, `w [K,C,R,S]` → `[N,K,P,Q]`. Spike-driven when x is
    /// spikes and `SpikeConvolutionPolicy.current` says so: in scatter form, the inference
    /// kernel (`SpikeConvolution+Scatter.swift`); training's `Variable.convolution` gathers.
    /// `bias` (one value per output channel, optional) is added as `addChannelBias` adds it.
    public static func convolution(_ x: Tensor, _ w: Tensor, stride: Int = 1, padding: Int = 0,
                                   bias: [Float]? = nil) -> Tensor {
        let g = ConvolutionGeometry(input: x.shape, weight: w.shape, stride: stride, padding: padding)
        let plan = DNNLConvolution.plan(for: g)
        if let spikes = SpikeMap.forConvolution(x, geometry: g, lookingPastZeros: true) {
            return spikeConvolutionScattered(spikes, w, layout: plan.outputLayout, bias: bias)
        }
        var y = Tensor(uninitializedShape: g.outputShape, layout: plan.outputLayout)
        plan.forward(x, w, into: &y)
        if let bias { y.addChannelBias(bias) }
        return y
    }

    /// Where `convolution` stores an output of geometry `g` under the current algorithm and
    /// activation-layout policy.
    public static func convolutionOutputLayout(for g: ConvolutionGeometry) -> TensorLayout {
        DNNLConvolution.plan(for: g).outputLayout
    }

    /// The forward convolution for training: also returns x as oneDNN reordered it, when the
    /// ∂w pass can read that copy instead of reordering x again (nil otherwise). Pass it to
    /// `convolutionBackward`. Costs one buffer of x's size until the backward pass.
    public static func convolutionKeepingInput(_ x: Tensor, _ w: Tensor, stride: Int = 1, padding: Int = 0,
                                               algorithm: ConvolutionAlgorithm = ExecutionPolicy.current.convolution)
        -> (output: Tensor, inputCopy: ConvolutionInputCopy?) {
        let g = ConvolutionGeometry(input: x.shape, weight: w.shape, stride: stride, padding: padding)
        let plan = DNNLConvolution.plan(for: g, algorithm: algorithm)
        var y = Tensor(uninitializedShape: g.outputShape, layout: plan.outputLayout)
        let copy = plan.forwardKeepingInput(x, w, into: &y)
        return (y, copy)
    }

    /// ∂L/∂x from ∂L/∂y: the transposed convolution of `dy` with `w`, stored in `inputLayout`
    /// (x's layout).
    public static func convolutionBackwardData(_ dy: Tensor, _ w: Tensor, geometry g: ConvolutionGeometry,
                                               inputLayout: TensorLayout = .rowMajor) -> Tensor {
        precondition(dy.shape == g.outputShape, "dy \(dy.shape) does not match \(g.outputShape)")
        var dx = Tensor(uninitializedShape: g.inputShape, layout: inputLayout)
        DNNLConvolution.plan(for: g).backwardData(dy, w, into: &dx)
        return dx
    }

    /// ∂L/∂w from ∂L/∂y and the forward input x.
    public static func convolutionBackwardWeights(_ dy: Tensor, _ x: Tensor,
                                                  geometry g: ConvolutionGeometry) -> Tensor {
        precondition(dy.shape == g.outputShape, "dy \(dy.shape) does not match \(g.outputShape)")
        var dw = Tensor(uninitializedShape: g.weightShape)
        DNNLConvolution.plan(for: g).backwardWeights(dy, x, into: &dw)
        return dw
    }

    /// ∂L/∂x (when `input` is true, stored like x) and ∂L/∂w together: the same values as the two calls
    /// above, with ∂y reordered for oneDNN once, and x not at all when `inputCopy` (from
    /// `convolutionKeepingInput` with the same geometry and algorithm) is given.
    public static func convolutionBackward(_ dy: Tensor, _ x: Tensor, _ w: Tensor, geometry g: ConvolutionGeometry,
                                           input: Bool, inputCopy: ConvolutionInputCopy? = nil,
                                           algorithm: ConvolutionAlgorithm = ExecutionPolicy.current.convolution)
        -> (input: Tensor?, weight: Tensor) {
        precondition(dy.shape == g.outputShape, "dy \(dy.shape) does not match \(g.outputShape)")
        var dx: Tensor? = input ? Tensor(uninitializedShape: g.inputShape, layout: x.layout) : nil
        var dw = Tensor(uninitializedShape: g.weightShape)
        DNNLConvolution.plan(for: g, algorithm: algorithm).backward(dy, x, w, inputCopy: inputCopy,
                                                                    dataInto: &dx, weightsInto: &dw)
        return (dx, dw)
    }
}
