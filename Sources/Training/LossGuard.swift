// Stop at the first non-finite loss instead of training on garbage for hours.

/// Why training stopped.
public enum TrainingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The loss became NaN or infinite at this zero-based epoch and step.
    case divergedLoss(epoch: Int, step: Int)

    /// The message, with advice.
    public var description: String {
        switch self {
        case .divergedLoss(let epoch, let step):
            return "the loss diverged (NaN or infinite) at epoch \(epoch + 1), step \(step + 1). "
                + "The stage that diverged saved no output. Lower its learning rate "
                + "(`--help` lists the chapter's options; otherwise the learning rate in "
                + "chapters/<key>/Config.swift), or undo the option that made the network "
                + "degenerate (for example a density so low that a layer keeps no weight)."
        }
    }
}

/// Throws `TrainingError.divergedLoss` when `loss` is NaN or infinite.
///
/// Call it once per step, right after computing the loss; the check costs one comparison.
///
/// - Parameters:
///   - loss: the step's loss.
///   - epoch: zero-based epoch index (shown one-based).
///   - step: zero-based step index within the epoch (shown one-based).
public func checkFinite<Loss: BinaryFloatingPoint>(loss: Loss, epoch: Int, step: Int) throws {
    guard loss.isFinite else { throw TrainingError.divergedLoss(epoch: epoch, step: step) }
}
