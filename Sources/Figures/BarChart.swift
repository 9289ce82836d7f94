import Foundation

/// Bars for a few named categories, one bar per group in each category, e.g. accuracy of
/// several methods (groups) on several networks (categories), or energy per layer.
///
/// ```swift
/// BarChart(
///     title: "Energy per inference", categories: ["VGG-16", "ResNet-20"],
///     groups: [.init(label: "ANN", values: [1.0, 0.8]), .init(label: "SNN", values: [0.2, 0.1])],
///     y: Axis("energy (mJ)", scale: .log))
/// ```
///
/// Readability rules applied for you:
/// - on a linear y axis without a fixed range the bars start at 0 (gnuplot's autoscale would
///   start the axis near the smallest bar and shrink it to a sliver);
/// - category names too long to stand side by side are rotated (`categoryLabelAngle`).
///
/// `.dat` layout: one row per category: quoted category name, then one column per group.
public struct BarChart: Figure, Equatable {
    /// How the bars of one category are arranged.
    public enum Layout: Sendable, Equatable {
        /// Side by side.
        case grouped
        /// On top of each other (values add up).
        case stacked
    }

    /// One bar per category for one labelled group (e.g. one method).
    public struct Group: Sendable, Equatable {
        /// Key entry.
        public var label: String
        /// One value per category, in the y axis unit.
        public var values: [Double]

        /// Creates a group.
        public init(label: String, values: [Double]) {
            self.label = label
            self.values = values
        }
    }

    /// Title above the plot.
    public var title: String
    /// Names along the x axis, one per cluster of bars.
    public var categories: [String]
    /// The bars; every group has `categories.count` values.
    public var groups: [Group]
    /// Label under the category names (may be empty).
    public var xLabel: String
    /// Vertical axis (label, linear or log, optional range).
    public var y: Axis
    /// Side by side or stacked.
    public var layout: Layout
    /// Labelled horizontal lines at fixed y values (e.g. a baseline).
    public var referenceLines: [ReferenceLine]
    /// Key placement.
    public var key: KeyPosition
    /// PNG size.
    public var size: FigureSize

    /// Creates a bar chart; every group must have one value per category.
    public init(
        title: String, categories: [String], groups: [Group], xLabel: String = "", y: Axis,
        layout: Layout = .grouped, referenceLines: [ReferenceLine] = [],
        key: KeyPosition = .topRight, size: FigureSize = .standard
    ) {
        for group in groups {
            precondition(
                group.values.count == categories.count,
                "BarChart group '\(group.label)' has \(group.values.count) values "
                    + "for \(categories.count) categories")
        }
        self.title = title
        self.categories = categories
        self.groups = groups
        self.xLabel = xLabel
        self.y = y
        self.layout = layout
        self.referenceLines = referenceLines
        self.key = key
        self.size = size
    }

    public func gnuplotData() -> String {
        let columns =
            [xLabel.isEmpty ? "category" : xLabel]
            + groups.map { "\(y.label): \($0.label)" }
        var text = _Gnuplot.columnHeader(columns)
        for (row, category) in categories.enumerated() {
            let values = groups.map { _Gnuplot.number($0.values[row]) }
            text += ([_Gnuplot.dataString(category)] + values).joined(separator: " ") + "\n"
        }
        return text
    }

    public func gnuplotCommands(dataFile: String) -> String {
        var lines = ["set title \(_Gnuplot.quoted(title))"]
        lines.append("set xlabel \(_Gnuplot.quoted(xLabel))")
        lines += y.commands("y")
        if y.scale != .linear, y.range == nil, let bottom = logAxisBottom() {
            // Bars start at the bottom of a log axis: put it one decade (or octave) below
            // the smallest bar so that bar stays visible.
            lines.append("set yrange [\(_Gnuplot.number(bottom)):*]")
        } else if y.scale == .linear, y.range == nil {
            // A bar's length is its value: the axis must include 0.
            let values = groups.flatMap(\.values).filter(\.isFinite)
                + referenceLines.map(\.value)
            if values.allSatisfy({ $0 >= 0 }) {
                lines.append("set yrange [0:*]")
            } else if values.allSatisfy({ $0 <= 0 }) {
                lines.append("set yrange [*:0]")
            }
        }
        lines.append("set style data histograms")
        switch layout {
        case .grouped: lines.append("set style histogram clustered gap 1")
        case .stacked: lines.append("set style histogram rowstacked")
        }
        lines.append("set boxwidth 0.8 relative")
        lines.append("set xtics scale 0")
        let angle = categoryLabelAngle(
            categories, plotWidth: Double(size.width) - reservedWidth())
        var bottomLines = xLabel.isEmpty ? 1.5 : 2.5
        if let angle {
            lines.append("set xtics rotate by \(angle) right")
            // The rotated names hang below the axis: their height in text lines.
            let longest = Double(categories.map(printedLength).max() ?? 0) * characterWidth
            bottomLines += longest * sin(Double(angle) * .pi / 180) / 17
        }
        lines.append("set grid noxtics")
        lines += key.commands(
            entries: groups.map(\.label) + referenceLines.map(\.label), size: size,
            bottomLines: bottomLines)
        lines.append("datafile = \(_Gnuplot.quoted(dataFile))")
        let bars = groups.enumerated().map { index, group in
            let xtic = index == 0 ? ":xtic(1)" : ""
            return "datafile using \(index + 2)\(xtic) ls \(_Gnuplot.seriesStyle(index)) "
                + "title \(_Gnuplot.quoted(group.label))"
        }
        lines.append(_Gnuplot.plot(bars + _Gnuplot.horizontalLines(referenceLines)))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Pixels of the image width not available to the bars: the y axis with its label and
    /// tic labels, the right margin, and a key placed to the right of the plot.
    private func reservedWidth() -> Double {
        var reserved = 110.0
        if key == .outsideRight {
            let longest = Double((groups.map(\.label) + referenceLines.map(\.label))
                .map(printedLength).max() ?? 0)
            reserved += (longest + 6) * characterWidth
        }
        return reserved
    }

    /// The power of the log base just below the smallest positive value, or nil if none.
    private func logAxisBottom() -> Double? {
        let base: Double = y.scale == .log2 ? 2 : 10
        let positive = groups.flatMap(\.values).filter { $0 > 0 && $0.isFinite }
        guard let smallest = positive.min() else { return nil }
        let exponent = (log(smallest) / log(base) - 1e-9).rounded(.down)
        return pow(base, exponent)
    }
}

/// How far to rotate the names under a bar chart's categories so that neighbours do not
/// print over each other, or nil when they fit upright.
///
/// gnuplot spreads n categories over n + 1 units of x (a unit of margin shared by the two
/// ends), so each gets `plotWidth / (n + 1)` pixels. A name fits upright when its estimated
/// width (`characterWidth` per printed character) leaves at least one character of space to
/// the next. Rotated by 30°, the
/// gap between neighbouring names is slot·sin 30°, which must hold a line of text (≈ 14 px);
/// narrower slots get names rotated by 90°.
///
/// - Returns: 30, 90 or nil.
func categoryLabelAngle(_ categories: [String], plotWidth: Double) -> Int? {
    guard !categories.isEmpty else { return nil }
    let slot = plotWidth / Double(categories.count + 1)
    let longest = Double(categories.map(printedLength).max() ?? 0) * characterWidth
    if longest + characterWidth <= slot { return nil }
    return slot * 0.5 >= 14 ? 30 : 90
}
