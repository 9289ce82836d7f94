// The sanity gate's rule: a trained network whose loss exploded, or whose held-out accuracy
// is not significantly above chance, is not a result. The NaN guard (`checkFinite`) stops a
// run at the first non-finite loss; this rule catches the finite failures it lets through
// (chapter-rnl at --learning-rate 1e6 trained to a loss of 3.8e19 and 10–18 % accuracy).

import Foundation

/// What a training run leaves for the sanity gate: the untrained network's loss and every
/// epoch's mean loss and accuracy (`runEpochs` records it through `EpochCheckpoints`).
public struct TrainingRecord: Codable, Equatable, Sendable {
    /// The run's progress label (names the network in messages when a stage trains several).
    public var label: String?
    /// The loss of the very first step, before any update; nil when the run made no step.
    public var firstStepLoss: Double?
    /// Mean training loss and accuracy of every epoch.
    public var epochs: [EpochResult]

    public init(label: String?, firstStepLoss: Double?, epochs: [EpochResult]) {
        self.label = label
        self.firstStepLoss = firstStepLoss
        self.epochs = epochs
    }
}

/// Why a trained network is degenerate.
public enum Degeneracy: Equatable, Sendable, CustomStringConvertible {
    /// The last epoch's mean loss is above `bound` = growth × max(first step's loss, floor).
    case lossExploded(firstStepLoss: Double, lastEpochLoss: Double, bound: Double)
    /// Held-out accuracy at most `bound` = 1/classes + k binomial standard errors.
    case chanceAccuracy(accuracy: Double, images: Int, classes: Int, bound: Double)

    /// A short stable name: `loss-exploded` or `chance-accuracy`.
    public var rule: String {
        switch self {
        case .lossExploded: "loss-exploded"
        case .chanceAccuracy: "chance-accuracy"
        }
    }

    /// One sentence with the numbers, e.g. `the loss exploded: the last epoch's mean loss
    /// 3.8e+19 is above the bound 23.026 set by the first step's loss 2.303`.
    public var description: String {
        switch self {
        case .lossExploded(let first, let last, let bound):
            return "the loss exploded: the last epoch's mean loss \(format(last)) is above the bound "
                + "\(format(bound)) set by the first step's loss \(format(first))"
        case .chanceAccuracy(let accuracy, let images, let classes, let bound):
            return "held-out accuracy \(formatFixed(100 * accuracy, digits: 2)) % on \(images) images is "
                + "not significantly above chance (1/\(classes); it must exceed "
                + "\(formatFixed(100 * bound, digits: 2)) %)"
        }
    }

    private func format(_ value: Double) -> String {
        Swift.abs(value) >= 1e4 ? String(format: "%.2g", value) : formatFixed(value, digits: 3)
    }
}

/// The sanity gate's two tests on a trained network:
///
///     loss exploded:   L̄_last > g · max(L₀, L_floor)                    (g = 10, L_floor = 1)
///     chance accuracy: acc ≤ p₀ + k·√(p₀(1 − p₀)/n),  p₀ = 1/classes    (k = 3)
///
/// L₀ is the loss of the first step, i.e. of the untrained network on its first batch (ln C
/// for cross-entropy over C classes at initialisation, whatever the learning rate), and L̄_last
/// the mean loss of the last epoch: a run that wandered off and came back is judged by the
/// network it kept. The floor of 1 (nat) keeps a fine-tuning run that starts near zero loss
/// from being flagged for ordinary noise, so the bound is never below 10: a classifier whose
/// mean cross-entropy exceeds 10 nats gives the right class e⁻¹⁰ on average.
///
/// The chance test is one-sided at 3 binomial standard errors of chance on the n held-out
/// images: a network that learned nothing passes it by luck about once in 740 runs, and with
/// n = 500 and 10 classes it must reach 14.0 %, with n = 10000 10.9 %.
public struct DegeneracyRule: Sendable, Equatable {
    /// g: how far the last epoch's loss may rise above the first step's.
    public var lossGrowth: Double
    /// L_floor: the smallest first-step loss the growth is measured from.
    public var lossFloor: Double
    /// k: standard errors above chance the held-out accuracy must exceed.
    public var standardErrors: Double

    /// The rule the chapters use: g = 10, L_floor = 1, k = 3.
    public static let standard = DegeneracyRule(lossGrowth: 10, lossFloor: 1, standardErrors: 3)

    public init(lossGrowth: Double, lossFloor: Double, standardErrors: Double) {
        self.lossGrowth = lossGrowth
        self.lossFloor = lossFloor
        self.standardErrors = standardErrors
    }

    /// g · max(L₀, L_floor).
    public func lossBound(firstStepLoss: Double) -> Double {
        lossGrowth * Swift.max(firstStepLoss, lossFloor)
    }

    /// p₀ + k·√(p₀(1 − p₀)/n).
    public func chanceBound(images: Int, classes: Int) -> Double {
        let p = 1 / Double(classes)
        return p + standardErrors * (p * (1 - p) / Double(images)).squareRoot()
    }

    /// `.lossExploded` when the run's last epoch ended above the loss bound; nil for a sane
    /// run, or one that made no step.
    public func check(_ record: TrainingRecord) -> Degeneracy? {
        guard let first = record.firstStepLoss, let last = record.epochs.last?.loss else { return nil }
        let bound = lossBound(firstStepLoss: first)
        return last > bound || last.isNaN
            ? .lossExploded(firstStepLoss: first, lastEpochLoss: last, bound: bound) : nil
    }

    /// `.chanceAccuracy` when `accuracy` on `images` held-out images of `classes` classes is
    /// not significantly above 1/classes; nil otherwise.
    public func check(heldOutAccuracy accuracy: Double, images: Int, classes: Int) -> Degeneracy? {
        precondition(images > 0 && classes > 1, "the chance test needs images and at least two classes")
        let bound = chanceBound(images: images, classes: classes)
        return accuracy > bound
            ? nil : .chanceAccuracy(accuracy: accuracy, images: images, classes: classes, bound: bound)
    }
}
