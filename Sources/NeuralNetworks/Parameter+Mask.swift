// The sparsity mask of a parameter: which entries exist. Optimisers call `applyMask()` after
// every step, so a masked entry stays exactly zero however the update moved it.

import Autodiff
import TensorCore

extension Parameter {
    /// value ← value ⊙ mask (no-op when dense).
    public func applyMask() {
        guard let mask else { return }
        precondition(mask.shape == value.shape, "mask \(mask.shape) for parameter \(value.shape)")
        value = value * mask
    }

    /// Entries the mask keeps (every entry when dense). O(count).
    public var activeCount: Int {
        guard let mask else { return value.count }
        return mask.withUnsafeBufferPointer { $0.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
    }

    /// Non-zero entries of the value. O(count).
    public var nonZeroCount: Int {
        value.withUnsafeBufferPointer { $0.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
    }
}
