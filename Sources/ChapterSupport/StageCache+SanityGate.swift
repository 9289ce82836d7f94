// The sanity gate: a trained network whose loss exploded or whose held-out accuracy is at
// chance stops the run, unless the user keeps it with --allow-degenerate. The rule is
// Training's `DegeneracyRule`; this file decides what happens and what the user reads.

import RunRecords
import Training

extension StageCache {
    /// The held-out half of the sanity gate: call it once a trained network's accuracy on
    /// held-out images is known (the chapter measures it anyway).
    ///
    /// When `accuracy` on `images` images of `classes` classes is not significantly above
    /// chance (`DegeneracyRule.check(heldOutAccuracy:images:classes:)`), the run stops with
    /// `ChapterError.degenerateNetwork`, naming the stage and what to do, unless
    /// `--allow-degenerate` was given. At the smoke profile, whose networks train for seconds
    /// and may legitimately stay at chance (chapter-hoyer's fixed-threshold SNN, ultralow's naive
    /// fine-tune), the chance test warns instead of stopping; the loss test stops at every
    /// profile. A kept network is listed in results.json under `degenerate`.
    ///
    /// - Parameters:
    ///   - key: the key of the stage that trained the network.
    ///   - network: which network of the stage, when it trains several (e.g. `arm C`).
    public func requireAboveChance(
        _ key: StageKey, network: String? = nil, accuracy: Double, images: Int, classes: Int
    ) throws {
        guard let finding = degeneracyRule.check(heldOutAccuracy: accuracy, images: images, classes: classes)
        else { return }
        try gate(finding, stage: key.stage, network: network)
    }

    /// The loss half of the sanity gate, run on every computed or loaded stage with the
    /// records of its training runs.
    func checkTraining(_ records: [TrainingRecord], of key: StageKey) throws {
        for record in records {
            if let finding = degeneracyRule.check(record) {
                try gate(finding, stage: key.stage, network: record.label == key.stage ? nil : record.label)
            }
        }
    }

    /// Stops the run on `finding`, or keeps the network with a warning and a results.json entry.
    private func gate(_ finding: Degeneracy, stage: String, network: String?) throws {
        let name = "stage '\(stage)'" + (network.map { " (\($0))" } ?? "")
        let keptBecause: String
        if allowDegenerate {
            keptBecause = "--allow-degenerate"
        } else if profile == .smoke, case .chanceAccuracy = finding {
            keptBecause = "smoke profile"
        } else {
            throw ChapterError.degenerateNetwork(
                "\(name) trained a degenerate network: \(finding). "
                    + "Its checkpoint is kept, so a rerun reaches this point without retraining. "
                    + advice(for: finding, stage: stage))
        }
        note("warning: \(name) trained a degenerate network: \(finding); kept (\(keptBecause)), "
             + "results.json lists it under \"degenerate\".")
        facts.addDegenerate(DegenerateNetwork(stage: stage, network: network, rule: finding.rule,
                                              finding: finding.description, keptBecause: keptBecause))
    }

    private func advice(for finding: Degeneracy, stage: String) -> String {
        let cause: String
        switch finding {
        case .lossExploded:
            cause = "Lower the learning rate (`--help` lists the chapter's options; otherwise "
                + "chapters/\(chapter)/Config.swift) or undo the option that made training unstable"
        case .chanceAccuracy:
            cause = "Check that the dataset files are the real ones (results.json's `data` lists "
                + "their SHA-256), train longer or undo the option that broke training"
        }
        return cause + ", and run again (a changed option or dataset file retrains the stage by "
            + "itself; --rerun \(stage) retrains it as it is); or add --allow-degenerate to keep this "
            + "network (results.json then lists it under \"degenerate\")."
    }
}
