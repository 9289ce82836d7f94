/// A matrix of values drawn as coloured cells, e.g. accuracy over (time steps × threshold
/// scale), an attention map or a weight matrix. Row 0 is drawn at the TOP, like a printed
/// matrix or an image (gnuplot's `matrix with image` would put it at the bottom).
///
/// ```swift
/// HeatMap(
///     title: "Accuracy (%)", values: grid, xLabel: "time steps T", yLabel: "threshold scale",
///     columnLabels: ["4", "8", "16"], rowLabels: ["0.8", "0.9", "1.0"],
///     valueLabel: "accuracy (%)")
/// ```
///
/// `.dat` layout: a plain matrix, one text line per row (row 0 first), columns separated by
/// spaces.
public struct HeatMap: Figure, Equatable {
    /// Title above the plot.
    public var title: String
    /// The matrix, `values[row][column]`; all rows have the same length. Non-finite cells
    /// (NaN, ±∞) are written as `NaN` and left blank (white).
    public var values: [[Double]]
    /// Label under the columns.
    public var xLabel: String
    /// Label beside the rows.
    public var yLabel: String
    /// One tic label per column; `nil` numbers the columns 0, 1, 2, ….
    public var columnLabels: [String]?
    /// One tic label per row (row 0 at the top); `nil` numbers the rows.
    public var rowLabels: [String]?
    /// Label of the colour bar: what the values are, with their unit.
    public var valueLabel: String
    /// Values mapped to the ends of the palette; `nil` uses `palette.defaultRange(of:)`
    /// ([min, max], or symmetric about 0 for `.diverging`).
    public var valueRange: ClosedRange<Double>?
    /// Colour map.
    public var palette: Palette
    /// PNG size.
    public var size: FigureSize

    /// Creates a heat map of a rows × columns matrix.
    public init(
        title: String, values: [[Double]], xLabel: String, yLabel: String,
        columnLabels: [String]? = nil, rowLabels: [String]? = nil, valueLabel: String,
        valueRange: ClosedRange<Double>? = nil, palette: Palette = .sequential,
        size: FigureSize = .square
    ) {
        precondition(!values.isEmpty && !values[0].isEmpty, "HeatMap needs at least one cell")
        precondition(
            values.allSatisfy { $0.count == values[0].count },
            "HeatMap rows must all have \(values[0].count) columns")
        if let columnLabels {
            precondition(
                columnLabels.count == values[0].count,
                "HeatMap: \(columnLabels.count) column labels for \(values[0].count) columns")
        }
        if let rowLabels {
            precondition(
                rowLabels.count == values.count,
                "HeatMap: \(rowLabels.count) row labels for \(values.count) rows")
        }
        self.title = title
        self.values = values
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.columnLabels = columnLabels
        self.rowLabels = rowLabels
        self.valueLabel = valueLabel
        self.valueRange = valueRange
        self.palette = palette
        self.size = size
    }

    /// Number of matrix rows.
    public var rowCount: Int { values.count }
    /// Number of matrix columns.
    public var columnCount: Int { values[0].count }

    public func gnuplotData() -> String {
        var header = [
            "matrix: \(rowCount) rows (\(yLabel); row 0 first, drawn at the top) x "
                + "\(columnCount) columns (\(xLabel))",
            "values: \(valueLabel)",
        ]
        if let rowLabels { header.append("row labels: " + rowLabels.joined(separator: ", ")) }
        if let columnLabels {
            header.append("column labels: " + columnLabels.joined(separator: ", "))
        }
        var text = header.map(_Gnuplot.comment).joined(separator: "\n") + "\n"
        for row in values {
            text += row.map(_Gnuplot.number).joined(separator: " ") + "\n"
        }
        return text
    }

    public func gnuplotCommands(dataFile: String) -> String {
        let range = valueRange ?? palette.defaultRange(of: values.joined())
        var lines = [
            "set title \(_Gnuplot.quoted(title))",
            "set xlabel \(_Gnuplot.quoted(xLabel))",
            "set ylabel \(_Gnuplot.quoted(yLabel))",
            "set cblabel \(_Gnuplot.quoted(valueLabel))",
            "unset grid",
            "set border 15 lw 1.2 lc rgb '#404040'",
            "set tics out nomirror",
            "set xrange [-0.5:\(_Gnuplot.number(Double(columnCount) - 0.5))]",
            "# reversed y range: row 0 of the matrix at the top",
            "set yrange [\(_Gnuplot.number(Double(rowCount) - 0.5)):-0.5]",
            "set cbrange [\(_Gnuplot.number(range.lowerBound)):"
                + "\(_Gnuplot.number(range.upperBound))]",
            palette.gnuplotCommand,
        ]
        if let columnLabels {
            lines.append("set xtics (" + ticList(columnLabels) + ")")
            if columnLabels.map(\.count).reduce(0, +) > 60 {
                lines.append("set xtics rotate by 45 right")
            }
        } else if columnCount <= 12 {
            lines.append("set xtics 1")  // every column index, no fractional tics
        }
        if let rowLabels {
            lines.append("set ytics (" + ticList(rowLabels) + ")")
        } else if rowCount <= 12 {
            lines.append("set ytics 1")
        }
        lines.append("unset key")
        lines.append("datafile = \(_Gnuplot.quoted(dataFile))")
        if rowCount >= 2 && columnCount >= 2 {
            lines.append("plot datafile matrix with image notitle")
        } else {
            // `with image` needs a grid of at least 2 x 2, so draw a single row or column as
            // one filled box per cell ($1 = column, $2 = row, $3 = value).
            lines.append(
                "plot datafile matrix using 1:2:($1-0.5):($1+0.5):($2-0.5):($2+0.5):3 "
                    + "with boxxyerror fs solid 1 noborder lc palette notitle")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func ticList(_ labels: [String]) -> String {
        labels.enumerated().map { "\(_Gnuplot.quoted($1)) \($0)" }.joined(separator: ", ")
    }
}
