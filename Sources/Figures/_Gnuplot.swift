import Foundation

/// Text helpers shared by every figure: number formatting and string quoting for `.dat` and `.gp`.
///
/// Formatting is fixed (`%.6g`, POSIX locale), so the same input always gives the same bytes.
enum _Gnuplot {
    /// `%.6g`; NaN and ±infinity become `NaN`, which gnuplot skips; −0 becomes `0`.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "NaN" }
        if value == 0 { return "0" }
        return String(format: "%.6g", value)
    }

    /// A single-quoted gnuplot string literal (`'` doubled). Backslashes stay literal.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// A double-quoted string for a data file column (gnuplot has no escape there, so `"` → `'`).
    static func dataString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "'") + "\""
    }

    /// A comment line (newlines in `text` are flattened so the comment stays one line).
    static func comment(_ text: String) -> String {
        "# " + text.replacingOccurrences(of: "\n", with: " ")
    }

    /// The theme line style of series `index` (cycles through the 8 series styles).
    static func seriesStyle(_ index: Int) -> Int { index % Theme.seriesColors.count + 1 }

    /// `ls N` for series `index`; from the ninth series on, the colours repeat dashed with open
    /// markers (`ls N dt 2 pt P`) so that every series stays distinguishable.
    static func seriesStyleSpec(_ index: Int) -> String {
        let cycle = index / Theme.seriesColors.count
        guard cycle > 0 else { return "ls \(seriesStyle(index))" }
        let openMarkers = [12, 10, 6, 4, 8, 1, 2, 3]
        return "ls \(seriesStyle(index)) dt \(cycle + 1) pt \(openMarkers[index % openMarkers.count])"
    }

    /// The theme line style of reference line `index` (cycles through the 4 reference styles).
    static func referenceStyle(_ index: Int) -> Int {
        Theme.firstReferenceStyle + index % Theme.referenceStyleCount
    }

    /// Joins plot elements into one `plot` command with continuation lines.
    static func plot(_ elements: [String]) -> String {
        guard !elements.isEmpty else { return "plot NaN notitle" }
        return "plot " + elements.joined(separator: ", \\\n     ")
    }

    /// Horizontal reference lines as constant functions: clipped to the plot, included in
    /// y autoscaling, listed in the key.
    static func horizontalLines(_ lines: [ReferenceLine]) -> [String] {
        lines.enumerated().map { index, line in
            "\(number(line.value)) with lines ls \(referenceStyle(index)) "
                + "title \(quoted(line.label))"
        }
    }

    /// Index blocks for several series: each block starts with a comment naming the series,
    /// blocks are separated by two blank lines (gnuplot's `index`). An empty series is written
    /// as one `NaN` row so block numbering stays intact.
    static func indexBlocks(_ series: [Series]) -> String {
        series.enumerated().map { index, s in
            var rows = [comment("index \(index): \(s.label)")]
            if s.x.isEmpty {
                rows.append(s.yError == nil ? "NaN NaN" : "NaN NaN NaN")
            }
            for i in s.x.indices {
                var row = number(s.x[i]) + " " + number(s.y[i])
                if let e = s.yError { row += " " + number(e[i]) }
                rows.append(row)
            }
            return rows.joined(separator: "\n") + "\n"
        }.joined(separator: "\n\n")
    }

    /// The data files a script reads: every quoted `….dat` name, and the names on its
    /// `# Data:` comment line (both written by `FigureWriter`), in order of appearance.
    static func dataFiles(in script: String) -> [String] {
        var names: [String] = []
        for line in script.split(separator: "\n") {
            if line.hasPrefix("# Data: ") {
                names += line.dropFirst("# Data: ".count).split(separator: ",")
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                continue
            }
            guard !line.hasPrefix("#") else { continue }
            for quote in ["'", "\""] {
                let parts = line.components(separatedBy: quote)
                // Odd-numbered parts are inside quotes.
                names += stride(from: 1, to: parts.count - 1, by: 2).map { parts[$0] }
                    .filter { $0.hasSuffix(".dat") }
            }
        }
        var seen = Set<String>()
        return names.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// The `W,H` of the script's `set terminal … size W,H` line, or nil.
    static func terminalSize(in script: String) -> FigureSize? {
        for line in script.split(separator: "\n") where line.hasPrefix("set terminal ") {
            let words = line.split(separator: " ")
            guard let index = words.firstIndex(of: "size"), index + 1 < words.count else {
                continue
            }
            let numbers = words[index + 1].split(separator: ",").compactMap { Int($0) }
            if numbers.count == 2, numbers[0] > 0, numbers[1] > 0 {
                return FigureSize(width: numbers[0], height: numbers[1])
            }
        }
        return nil
    }

    /// The header of an x–y plot's data: x, y, and the error column when any series has one.
    static func xyColumnHeader(x: Axis, y: Axis, series: [Series]) -> String {
        var columns = [x.label, y.label]
        if series.contains(where: { $0.yError != nil }) {
            columns.append("± error of \(y.label) (only in blocks with error bars)")
        }
        return columnHeader(columns)
    }

    /// Header lines naming each column with its unit.
    static func columnHeader(_ columns: [String]) -> String {
        columns.enumerated().map { comment("column \($0 + 1): \($1)") }.joined(separator: "\n")
            + "\n"
    }
}
