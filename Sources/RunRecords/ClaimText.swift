// How claims and accuracies read in README blocks and on the console: the same text from the
// same record, so a README block never says more than results.json holds.

import Foundation
import Statistics

/// `86.80 ± 1.51`: an accuracy (fraction) in percent with its binomial standard error on
/// `images` images.
public func percentWithError(_ accuracy: Double, images: Int, digits: Int = 2) -> String {
    let se = binomialStandardError(accuracy: accuracy, images: images)
    return String(format: "%.\(digits)f ± %.\(digits)f", 100 * accuracy, 100 * se)
}

extension ClaimTest {
    /// `+3.40 ± 0.95 points, single seed` (or `…, 5 seeds`; `+1.20 (no s.e.), single seed` for
    /// a count whose spread was not estimated).
    public var valueText: String {
        let unitText = unit == .points ? " points" : ""
        let seedText = seeds == 1 ? "single seed" : "\(seeds) seeds"
        if case .notEstimated = uncertainty {
            return String(format: "%+.2f", value) + unitText + " (no s.e.), " + seedText
        }
        return String(format: "%+.2f ± %.2f", value, standardError) + unitText + ", " + seedText
    }

    /// One line for the console: `reproduced  subtraction-beats-zero-reset: +3.40 ± 0.95 points, single seed`.
    public var consoleLine: String {
        outcome.phrase.padding(toLength: 15, withPad: " ", startingAt: 0) + "\(id): \(valueText)"
    }
}

/// The markdown of a README claims block: one row per claim, with the outcome, the paper's
/// claim and its source, what was measured, effect ± s.e. (and "single seed" when there was
/// one), and how the s.e. was obtained; then the rule.
public func claimsMarkdown(_ claims: [ClaimTest]) -> [String] {
    guard !claims.isEmpty else { return ["No claim of the paper could be tested in this run."] }
    func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
    var lines = [
        "| outcome | the paper's claim (source) | measured effect (positive = as claimed) | effect ± s.e. | uncertainty |",
        "|---|---|---|---|---|",
    ]
    for c in claims {
        lines.append("| **\(c.outcome.phrase)** | \(cell(c.claim)) (\(cell(c.source))) | \(cell(c.effect)) "
                     + "| \(cell(c.valueText)) | \(cell(c.uncertainty.phrase)) |")
    }
    let trailer = " The claim column is the paper's, in the project's words; every number in the other"
        + " columns comes from this run's results.json."
    let seedRules = Set(claims.compactMap { claim -> String? in
        if case .seeds = claim.uncertainty { return ClaimTest.rule(for: claim.uncertainty) } else { return nil }
    }).sorted()
    if seedRules.isEmpty {
        lines += ["", "Rule, the same for every claim (`ClaimTest` in Sources/Statistics): \(ClaimTest.rule)." + trailer]
        return lines
    }
    lines.append("")
    if claims.contains(where: { if case .seeds = $0.uncertainty { false } else { true } }) {
        lines.append("Rule for a claim over test images (`ClaimTest` in Sources/Statistics): \(ClaimTest.rule).")
    }
    for seedRule in seedRules {
        lines.append("Rule for a claim over training seeds (`ClaimTest` in Sources/Statistics): \(seedRule).")
    }
    lines[lines.count - 1] += trailer
    return lines
}
