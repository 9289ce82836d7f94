// Stop at the first non-finite loss instead of training on garbage for hours.

/// Throws `ChapterError.divergedLoss` when `loss` is NaN or infinite.
///
/// Call it once per step, right after computing the loss; the check costs one comparison.
///
/// - Parameters:
///   - loss: the step's loss.
///   - epoch: zero-based epoch index (shown one-based).
///   - step: zero-based step index within the epoch (shown one-based).
public func checkFinite<Loss: BinaryFloatingPoint>(loss: Loss, epoch: Int, step: Int) throws {
    guard loss.isFinite else { throw ChapterError.divergedLoss(epoch: epoch, step: step) }
}
