// β_AT, the weight of the attention-transfer term, chosen on held-out training images.
//
// At the paper's β_AT = 1000 the attention term is a few percent of a quick student's loss, too
// little to move it; the paper's value was set for VGG16 on CIFAR-10, not for this network.
// Each candidate trains the same attention-guided student (same masks, initial weights and
// batches) and is scored on training images no student trains on; never on the test set.

import Statistics

/// The attention-transfer weight kept for the chapter's attention-guided students: the
/// candidate with the highest held-out accuracy, the first of equals (the paper's value is
/// tried first, so a larger weight has to beat it outright).
public struct BetaSelection: Codable, Equatable, Sendable {
    /// One candidate's attention-guided student at `density`.
    public struct Trial: Codable, Equatable, Sendable {
        public var beta: Float
        public var heldOutAccuracy: Double
        /// β_AT·L_AT over the whole loss in the student's last epoch: how much the term weighs.
        public var attentionShareOfLoss: Double

        public init(beta: Float, heldOutAccuracy: Double, attentionShareOfLoss: Double) {
            self.beta = beta
            self.heldOutAccuracy = heldOutAccuracy
            self.attentionShareOfLoss = attentionShareOfLoss
        }
    }

    /// The students' density the candidates were compared at.
    public var density: Double
    public var heldOutImages: Int
    public var trials: [Trial]
    /// Index into `trials`.
    public var chosen: Int

    public init(density: Double, heldOutImages: Int, trials: [Trial]) {
        precondition(!trials.isEmpty, "no β_AT candidate was tried")
        self.density = density
        self.heldOutImages = heldOutImages
        self.trials = trials
        chosen = indexOfFirstHighest(trials.map(\.heldOutAccuracy)) ?? 0
    }

    public var choice: Trial { trials[chosen] }

    /// β_AT·L_AT / L in the last epoch of a trace (0 when the student trained without it).
    public static func attentionShare(beta: Float, trace: TrainingTrace) -> Double {
        guard let total = trace.epochLosses.last, total > 0, let at = trace.epochAttentionLosses.last else { return 0 }
        return Double(beta) * at / total
    }
}
