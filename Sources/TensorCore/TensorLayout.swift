/// The order in which a `Tensor`'s elements are stored.
///
/// Between two oneDNN convolutions an activation can stay in the layout oneDNN's f32 kernels
/// compute in, so the convolutions need no reorder on either side (docs/backend-notes.md §4.1:
/// the reorders were 28 % of oneDNN's time in the VGG-11 SNN step). The layers in between
/// (BatchNorm, pooling, neurons, element-wise maps) handle that layout; any other code sees
/// row-major elements, converted on access (`Tensor.withUnsafeBufferPointer`).
public enum TensorLayout: Sendable, Hashable, Codable {
    /// Row-major over the shape: `[N, C, H, W]` is NCHW.
    case rowMajor
    /// oneDNN's `nChw16c` (`aBcd16b`) for `[N, C, H, W]` with C a multiple of 16: channels in
    /// blocks of 16, the block's 16 channels innermost. Element (n, c, h, w) sits at
    ///
    ///     ((n·C/16 + c/16)·H·W + h·W + w)·16 + c mod 16
    ///
    /// Each image stays contiguous, so a `[T·N, …]` tensor still splits into T contiguous steps.
    case channelBlocked16

    /// Channels per block.
    public static let blockSize = 16

    /// Where the element with row-major index `index` of a tensor of `shape` is stored.
    @inlinable
    public func storageIndex(ofRowMajor index: Int, shape: [Int]) -> Int {
        switch self {
        case .rowMajor: return index
        case .channelBlocked16:
            let (c, hw) = (shape[1], shape[2] * shape[3])
            let (n, channel, p) = (index / (c * hw), (index / hw) % c, index % hw)
            return ((n * (c / 16) + channel / 16) * hw + p) * 16 + channel % 16
        }
    }

    /// Whether a tensor of `shape` can be stored in this layout.
    public func holds(_ shape: [Int]) -> Bool {
        switch self {
        case .rowMajor: true
        case .channelBlocked16: shape.count == 4 && shape[1] > 0 && shape[1] % Self.blockSize == 0
        }
    }
}

extension Tensor {
    /// The same values stored in `layout` (self when it already is).
    public func converted(to target: TensorLayout) -> Tensor {
        if target == layout { return self }
        precondition(target.holds(shape), "\(target) cannot hold a tensor of shape \(shape)")
        var out = Tensor(uninitializedShape: shape, layout: target)
        let (n, c, hw) = (shape[0], shape[1], shape[2] * shape[3])
        let blocks = c / TensorLayout.blockSize
        let toBlocked = target == .channelBlocked16
        withUnsafeStorage { src, _ in
            out.withUnsafeMutableStorage { dst, _ in
                let (S, D) = (SendablePointer(src.baseAddress!), SendablePointer(dst.baseAddress!))
                // One (image, channel block) per unit: a 16 × H·W transpose.
                parallelChunks(n * blocks * 16 * hw, granularity: 16 * hw) { range in
                    for unit in range.lowerBound / (16 * hw) ..< range.upperBound / (16 * hw) {
                        let image = unit / blocks, block = unit % blocks
                        let blocked = unit * 16 * hw                         // this unit in nChw16c
                        let rowMajor = (image * c + block * 16) * hw         // its first plane in NCHW
                        for l in 0..<16 {
                            if toBlocked {
                                let plane = S.base + rowMajor + l * hw
                                for p in 0..<hw { D.base[blocked + p * 16 + l] = plane[p] }
                            } else {
                                let plane = D.base + rowMajor + l * hw
                                for p in 0..<hw { plane[p] = S.base[blocked + p * 16 + l] }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
