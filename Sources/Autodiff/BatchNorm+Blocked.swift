import TensorCore

/// BatchNorm on channel-blocked maps: the graph op, forward and backward side by side; the
/// SIMD kernels are TensorCore's (`Tensor.blockedBatchNormForward`, `…Backward`).
extension Variable {
    /// Training-mode BatchNorm of a channel-blocked `[N, C, H, W]` map; same formulas and bits
    /// as the row-major kernel in `batchNormalized(_:scale:shift:epsilon:)`.
    static func blockedBatchNormalized(_ x: Variable, scale gamma: Variable, shift beta: Variable,
                                       epsilon: Float) -> (output: Variable, mean: Tensor, variance: Tensor) {
        let xv = x.value
        let c = xv.shape[1]
        let gammaS = gamma.value.scalars
        let (y, mean, variance, invStd) = Tensor.blockedBatchNormForward(
            xv, gamma: gammaS, beta: beta.value.scalars, epsilon: epsilon)
        let meanT = Tensor(shape: [c], scalars: mean), varianceT = Tensor(shape: [c], scalars: variance)
        let output = custom(y, inputs: [x, gamma, beta]) { g in
            let (dx, dgamma, dbeta) = Tensor.blockedBatchNormBackward(g, x: xv, mean: mean, invStd: invStd,
                                                                     gamma: gammaS)
            return [dx, Tensor(shape: [c], scalars: dgamma), Tensor(shape: [c], scalars: dbeta)]
        }
        return (output, meanT, varianceT)
    }
}
