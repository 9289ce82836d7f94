// The option rules several chapters share, declared once so that `--max-timesteps` or
// `--epochs` accept the same values in every chapter (see OptionRule in RunRecords). A rule
// only one chapter uses is declared in that chapter's Arguments.

import RunRecords

extension OptionRule where Value == Int {
    /// `--max-timesteps` (classic, rnl, compare): T_max of the one simulation that gives every
    /// T ≤ T_max. At least 2, so the accuracy-vs-T figures have an axis; at most 4096, since
    /// the read-out keeps T outputs per image in memory.
    public static var maxTimesteps: OptionRule<Int> {
        OptionRule("--max-timesteps", 2...4096,
                   reason: "an accuracy-vs-T curve needs two T, and the run keeps T outputs per image")
    }

    /// `--epochs` and its variants (`--ann-epochs`, `--finetune-epochs`): passes over the
    /// training images, 1 to 10,000 (the papers use at most 400).
    public static func epochs(_ flag: String = "--epochs") -> OptionRule<Int> {
        OptionRule(flag, 1...10_000)
    }

    /// `--train-limit`: training images (a class-balanced subset); a limit above the training
    /// set's size uses all of it.
    public static func trainLimit(atLeast minimum: Int = 1, reason: String? = nil) -> OptionRule<Int> {
        OptionRule("--train-limit", minimum..., reason: reason)
    }
}

extension OptionRule where Value == Double {
    /// `--percentile` (classic, compare) and `--clip-percentile`: the p-th percentile of a
    /// layer's non-zero activations, p in (0, 100] (100 is the maximum).
    public static func percentile(_ flag: String = "--percentile") -> OptionRule<Double> {
        OptionRule(flag, above: 0, through: 100)
    }

    /// `--density` (attention, compare): the fraction of weights a sparse network keeps.
    public static var density: OptionRule<Double> {
        OptionRule("--density", above: 0, through: 1)
    }
}

extension OptionRule where Value == Float {
    /// A learning rate: a finite number > 0.
    public static func learningRate(_ flag: String = "--learning-rate") -> OptionRule<Float> {
        OptionRule(flag, above: 0)
    }

    /// A loss weight or weight decay: a finite number ≥ 0 (0 turns the term off).
    public static func weight(_ flag: String) -> OptionRule<Float> {
        OptionRule(flag, 0...)
    }
}
