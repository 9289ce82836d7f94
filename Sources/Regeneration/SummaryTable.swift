// The closing table of `regenerate`: one row per chapter, then the papers' claims.

import RunRecords
import Statistics

/// Formats the reports of a regeneration as the closing summary.
public enum SummaryTable {
    /// The table (chapter, status, wall time, PNGs written, how its claims came out, headline),
    /// the papers' claims for
    /// the headlines measured, and a last line naming the failed and skipped chapters:
    ///
    /// ```
    /// chapter  status           wall time  PNGs written (figures/<key>/quick)  headline (ours)
    /// ───────  ───────────────  ─────────  ──────────────────────────────────  ───────────────
    /// classic  ok               4 min 12 s                                  6  first T …: …
    /// rnl      FAILED (exit 3)  0.02 s                                      0  error: …
    ///
    /// paper values for these headlines (copied by hand, not measured):
    ///   classic: percentile thresholds reach the ANN in fewer steps than max-norm …
    /// FAILED: rnl (the other chapters ran and kept their figures)
    /// ```
    ///
    /// A failed chapter shows its last line of output (usually `error: …`) as its headline.
    public static func text(_ reports: [ChapterReport], profile: Profile) -> String {
        let rows = reports.map { report in
            [
                report.chapter.key, report.status.cell, formatDuration(report.seconds),
                String(report.figuresWritten), claimsCell(report.claimOutcomes),
                report.headline.map { "\($0.label): \($0.ours)" } ?? report.lastLine ?? "—",
            ]
        }
        var lines = [formatTable(
            headers: [
                "chapter", "status", "wall time",
                "PNGs written (figures/<key>/\(profile.rawValue))", "claims: reproduced / not / inconclusive",
                "headline (ours)",
            ],
            rows: rows)]
        let claims = reports.compactMap { report in
            report.headline.map { "  \(report.chapter.key): \($0.paperClaim)" }
        }
        if !claims.isEmpty {
            lines += ["", "paper values for these headlines (copied by hand, not measured):"]
                + claims
        }
        let failed = reports.filter(\.status.isFailure).map(\.chapter.key)
        let skipped = reports.filter {
            if case .skipped = $0.status { true } else { false }
        }.map(\.chapter.key)
        var last = failed.isEmpty
            ? "no chapter failed"
            : "FAILED: \(failed.joined(separator: ", ")) (the other chapters ran and kept "
                + "their figures)"
        if !skipped.isEmpty { last += "; skipped: \(skipped.joined(separator: ", "))" }
        return (lines + [last]).joined(separator: "\n")
    }

    /// `3 / 1 / 2` (reproduced / not reproduced / inconclusive), or `—` without claims.
    static func claimsCell(_ outcomes: [ClaimOutcome]?) -> String {
        guard let outcomes, !outcomes.isEmpty else { return "—" }
        return [ClaimOutcome.reproduced, .notReproduced, .inconclusive]
            .map { kind in String(outcomes.filter { $0 == kind }.count) }.joined(separator: " / ")
    }
}
