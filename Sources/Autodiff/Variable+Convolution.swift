import TensorCore

/// Convolution and per-channel bias.
extension Variable {
    /// 2-D convolution (oneDNN), x [N,C,H,W], w [K,C,R,S] → [N,K,P,Q]:
    ///
    ///     y[n,k,p,q] = Σ_{c,r,s} w[k,c,r,s] · x[n, c, p·stride+r−pad, q·stride+s−pad]
    ///     ∂L/∂x = convᵀ(g, w),  ∂L/∂w = Σₙ g ⋆ x
    ///
    /// When x is spikes and `SpikeConvolutionPolicy.current` allows, y and ∂w are spike-driven
    /// (only the 1s of x are visited) and ∂x stays with oneDNN.
    public static func convolution(_ x: Variable, weight w: Variable,
                                   stride: Int = 1, padding: Int = 0) -> Variable {
        let g = ConvolutionGeometry(input: x.shape, weight: w.shape, stride: stride, padding: padding)
        if w.requiresGrad, let spikes = SpikeMap.forConvolution(x.value, geometry: g) {
            let y = Tensor.spikeConvolution(spikes, w.value, layout: Tensor.convolutionOutputLayout(for: g))
            return custom(y, inputs: [x, w]) { dy in
                [x.requiresGrad ? Tensor.convolutionBackwardData(dy, w.value, geometry: g,
                                                                 inputLayout: x.value.layout) : nil,
                 Tensor.spikeConvolutionWeightGradient(dy, spikes)]
            }
        }
        guard w.requiresGrad else {
            let y = Tensor.convolution(x.value, w.value, stride: stride, padding: padding)
            return custom(y, inputs: [x, w]) { dy in
                [x.requiresGrad ? Tensor.convolutionBackwardData(dy, w.value, geometry: g,
                                                                 inputLayout: x.value.layout) : nil, nil]
            }
        }
        // Training: the forward's reordered x is kept for the ∂w pass (one reorder fewer).
        let (y, inputCopy) = Tensor.convolutionKeepingInput(x.value, w.value, stride: stride, padding: padding)
        return custom(y, inputs: [x, w]) { dy in
            let (dx, dw) = Tensor.convolutionBackward(dy, x.value, w.value, geometry: g, input: x.requiresGrad,
                                                      inputCopy: inputCopy)
            return [dx, dw]
        }
    }

    /// Adds b[c] to every element of channel c of `[N, C, …]`;  ∂L/∂b[c] = Σ over channel c.
    public func addingChannelBias(_ b: Variable) -> Variable {
        let c = value.shape[1]
        precondition(b.value.count == c, "bias has \(b.value.count) values for \(c) channels")
        var y = value   // a copy: this variable keeps its value for the graph
        y.addChannelBias(b.value.scalars)
        return Variable.custom(y, inputs: [self, b]) { g in [g, g.sumPerChannel()] }
    }
}
