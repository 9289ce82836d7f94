/// The one visual theme every `.gp` file inlines: colours, line widths, grid, border, key.
///
/// Series colours are the Okabe–Ito colour-blind-safe set (yellow left out: too pale on white),
/// each with its own point type so lines stay distinguishable in grey print.
public enum Theme {
    /// Series colours in order; series i uses line style i + 1 (cycling after 8).
    public static let seriesColors = [
        "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#7f7f7f",
    ]

    /// Point types matching `seriesColors` (filled circle, square, triangle, diamond, …).
    static let pointTypes = [7, 5, 9, 13, 11, 6, 4, 8]

    /// Line style of the first reference line (horizontal references, vertical markers).
    /// (Style 100 is the grid.)
    static let firstReferenceStyle = 11
    /// Number of distinct reference line styles.
    static let referenceStyleCount = 4

    /// The theme as gnuplot commands, placed after `set terminal` / `set output`.
    static let gnuplot: String = {
        var lines = [
            "# ---- shared theme (Sources/Figures/Theme.swift) ----",
            "set encoding utf8",
            "set border 3 lw 1.2 lc rgb '#404040'",
            "set tics nomirror out scale 0.75",
            "# grid: a line style, since `set grid ... dt solid` stays dotted (linetype 0)",
            "set style line 100 lc rgb '#e3e3e3' lw 1 dt solid",
            "set grid xtics ytics back ls 100",
            "set title font ',13'",
            "# key: line sample first, then left-aligned text",
            "set key opaque box lc rgb '#d0d0d0' Left reverse samplen 2.5 spacing 1.15 width 1",
            "set style fill solid 0.85 border lc rgb '#404040'",
        ]
        for (i, color) in seriesColors.enumerated() {
            lines.append(
                "set style line \(i + 1) lc rgb '\(color)' lw 2 pt \(pointTypes[i]) ps 1.1")
        }
        let references = [
            ("#262626", 2), ("#7f7f7f", 4), ("#8c2d04", 3), ("#08519c", 5),
        ]
        for (i, (color, dash)) in references.enumerated() {
            lines.append(
                "set style line \(firstReferenceStyle + i) lc rgb '\(color)' lw 1.5 dt \(dash)")
        }
        lines.append(Palette.sequential.gnuplotCommand)
        lines.append("# ---- end of theme ----")
        return lines.joined(separator: "\n") + "\n"
    }()
}
