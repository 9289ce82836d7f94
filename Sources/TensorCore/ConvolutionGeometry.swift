/// The shape arithmetic of a 2-D convolution with square stride and zero padding.
///
/// Input `[N, C, H, W]`, weight `[K, C, R, S]`, output `[N, K, P, Q]` with
/// `P = (H + 2·padding − R) / stride + 1` and `Q = (W + 2·padding − S) / stride + 1`.
public struct ConvolutionGeometry: Hashable, Sendable, Codable {
    public var batch, inChannels, height, width: Int
    public var outChannels, kernelHeight, kernelWidth: Int
    public var stride, padding: Int

    public init(input: [Int], weight: [Int], stride: Int, padding: Int) {
        precondition(input.count == 4 && weight.count == 4,
                     "convolution needs input [N,C,H,W] and weight [K,C,R,S], got \(input), \(weight)")
        precondition(input[1] == weight[1],
                     "convolution input has \(input[1]) channels but the weight expects \(weight[1])")
        (batch, inChannels, height, width) = (input[0], input[1], input[2], input[3])
        (outChannels, kernelHeight, kernelWidth) = (weight[0], weight[2], weight[3])
        (self.stride, self.padding) = (stride, padding)
        precondition(outHeight > 0 && outWidth > 0, "convolution output would be empty: \(self)")
    }

    public var outHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    public var inputShape: [Int] { [batch, inChannels, height, width] }
    public var weightShape: [Int] { [outChannels, inChannels, kernelHeight, kernelWidth] }
    public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    /// Multiply-accumulates of one forward pass: N·K·P·Q·C·R·S.
    public var macs: Int { batch * outChannels * outHeight * outWidth * inChannels * kernelHeight * kernelWidth }
}
