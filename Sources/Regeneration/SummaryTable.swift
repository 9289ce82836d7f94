// The closing table of `regenerate`: one row per chapter.

import ChapterSupport

/// Formats the reports of a regeneration as the closing summary.
public enum SummaryTable {
    /// The table (chapter, status, wall time, figures, headline) and a last line naming the
    /// failed chapters, if any:
    ///
    /// ```
    /// chapter  status          wall time  PNGs written  headline (ours; paper copied by hand)
    /// ───────  ──────────────  ─────────  ────────────  ─────────────────────────────────────
    /// classic  ok              4 min 12 s             6  T within 1 point …: T = 24 (…)
    /// rnl      FAILED (exit 3)    0.02 s              0  error: …
    /// ```
    public static func text(_ reports: [ChapterReport], profile: Profile) -> String {
        let rows = reports.map { report in
            [
                report.chapter.key, report.status.cell, formatDuration(report.seconds),
                String(report.figuresWritten), report.headline ?? "—",
            ]
        }
        var text = formatTable(
            headers: [
                "chapter", "status", "wall time",
                "PNGs written (figures/<key>/\(profile.rawValue))",
                "headline (ours; paper copied by hand)",
            ],
            rows: rows)
        let failed = reports.filter(\.status.isFailure).map(\.chapter.key)
        let skipped = reports.filter {
            if case .skipped = $0.status { true } else { false }
        }.map(\.chapter.key)
        text += "\n"
        if failed.isEmpty {
            text += "every chapter that ran succeeded"
        } else {
            text += "FAILED: \(failed.joined(separator: ", ")) (the other chapters ran and kept "
                + "their figures)"
        }
        if !skipped.isEmpty { text += "; skipped: \(skipped.joined(separator: ", "))" }
        return text
    }
}
