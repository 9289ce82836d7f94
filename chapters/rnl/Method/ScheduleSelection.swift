// How long the RNL ANN trains, chosen on held-out training images (never the test set).
//
// An RNL network divides each layer by its running maximum, so at a short schedule it learns
// more slowly than the same backbone with ReLU (the quick profile's two epochs leave it about
// five points behind). The paper's claim is about conversion, not about a weaker ANN: the RNL
// ANN gets the training it needs to come within `tolerance` of the ReLU ANN, and the chapter
// records what was tried.

import Statistics

/// The RNL ANN's training length: the fewest epochs, in the order tried, whose held-out
/// accuracy reaches the ReLU ANN's minus `tolerance`; when none does, the most accurate (the
/// first of equals). Trials stop at the first that reaches the target (`reachesTarget`).
public struct ScheduleSelection: Codable, Equatable, Sendable {
    /// One candidate: trained for `epochs` (from scratch, the profile's schedule stretched to
    /// that length) and scored on the held-out images.
    public struct Trial: Codable, Equatable, Sendable {
        public var epochs: Int
        public var heldOutAccuracy: Double

        public init(epochs: Int, heldOutAccuracy: Double) {
            self.epochs = epochs
            self.heldOutAccuracy = heldOutAccuracy
        }
    }

    /// Held-out training images every trial and the reference were scored on.
    public var heldOutImages: Int
    /// The ReLU ANN's accuracy on the same images.
    public var referenceAccuracy: Double
    /// The gap allowed below the reference, as a fraction (0.01 = 1 point).
    public var tolerance: Double
    /// The candidates tried, in order.
    public var trials: [Trial]
    /// Index into `trials`.
    public var chosen: Int
    /// Whether the chosen trial reaches the target (false: none did; the best was kept).
    public var reachedTarget: Bool

    public init(heldOutImages: Int, referenceAccuracy: Double, tolerance: Double, trials: [Trial]) {
        precondition(!trials.isEmpty, "no RNL schedule was tried")
        self.heldOutImages = heldOutImages
        self.referenceAccuracy = referenceAccuracy
        self.tolerance = tolerance
        self.trials = trials
        let target = referenceAccuracy - tolerance
        if let first = trials.firstIndex(where: { $0.heldOutAccuracy >= target }) {
            chosen = first
            reachedTarget = true
        } else {
            chosen = indexOfFirstHighest(trials.map(\.heldOutAccuracy)) ?? 0
            reachedTarget = false
        }
    }

    /// Whether a trial with this held-out accuracy ends the search.
    public static func reachesTarget(_ heldOutAccuracy: Double, reference: Double, tolerance: Double) -> Bool {
        heldOutAccuracy >= reference - tolerance
    }

    public var choice: Trial { trials[chosen] }
}
