/// Axis, key and size settings shared by the figure specs.
///
/// All text (titles, axis labels, series labels) is gnuplot *enhanced text*: `V_{th}` is a
/// subscript, `10^{-3}` a superscript, Unicode (θ, β, ±) is written as is. Write `\_` for a
/// literal underscore.

/// One axis of a plot: its label (name and unit), its scale and an optional fixed range.
///
/// ```swift
/// Axis("time steps T", scale: .log2)
/// Axis("accuracy (%)", range: 0...100)
/// ```
public struct Axis: Sendable, Equatable {
    /// How values map to positions along the axis.
    public enum Scale: Sendable, Equatable {
        /// Equal distances for equal differences.
        case linear
        /// Equal distances for equal ratios, tics at powers of 10. Values ≤ 0 are not drawn.
        case log
        /// Equal distances for equal ratios, tics at powers of 2 (time steps 1, 2, 4, …, 256).
        case log2
    }

    /// Axis label including the unit, e.g. `"accuracy (%)"`.
    public var label: String
    /// Linear or logarithmic.
    public var scale: Scale
    /// Fixed axis range; `nil` lets gnuplot choose from the data.
    public var range: ClosedRange<Double>?

    /// Creates an axis with a label, a scale (default linear) and an optional fixed range.
    public init(_ label: String, scale: Scale = .linear, range: ClosedRange<Double>? = nil) {
        self.label = label
        self.scale = scale
        self.range = range
    }

    /// gnuplot commands for this axis; `name` is `"x"` or `"y"`.
    func commands(_ name: String) -> [String] {
        var lines = ["set \(name)label \(_Gnuplot.quoted(label))"]
        switch scale {
        case .linear: break
        case .log: lines.append("set logscale \(name) 10")
        case .log2: lines.append("set logscale \(name) 2")
        }
        if let range {
            lines.append(
                "set \(name)range [\(_Gnuplot.number(range.lowerBound)):"
                    + "\(_Gnuplot.number(range.upperBound))]")
        }
        return lines
    }
}

/// Where the key (legend) goes.
public enum KeyPosition: Sendable, Equatable {
    /// Inside the plot area, top left corner.
    case topLeft
    /// Inside the plot area, top right corner.
    case topRight
    /// Inside the plot area, bottom left corner.
    case bottomLeft
    /// Inside the plot area, bottom right corner.
    case bottomRight
    /// To the right of the plot area, outside it.
    case outsideRight
    /// Below the plot area, under the x axis label, entries side by side in as many columns
    /// as fit the width. Never covers data, so it suits plots whose corners are all in use.
    case below
    /// No key.
    case hidden

    /// The gnuplot commands that place the key with these entries (their labels) on a PNG of
    /// `size`; `bottomLines` is how many text lines the x axis takes below the plot (tic
    /// labels, axis label; more when the tic labels are rotated).
    ///
    /// gnuplot's own `set key below` leaves too little room under the x axis label with the
    /// theme's font, so the key box covers the label: `.below` instead reserves an explicit
    /// bottom margin (`keyBelowLayout`) and pins the key to the bottom edge of the image.
    func commands(entries: [String], size: FigureSize, bottomLines: Double = 2.5) -> [String] {
        switch self {
        case .topLeft: return ["set key inside top left"]
        case .topRight: return ["set key inside top right"]
        case .bottomLeft: return ["set key inside bottom left"]
        case .bottomRight: return ["set key inside bottom right"]
        case .outsideRight: return ["set key outside right top"]
        case .hidden: return ["unset key"]
        case .below:
            let layout = keyBelowLayout(entries: entries, width: size.width)
            // In character heights (≈ 17 px with the theme's font): the axis text, the key's
            // offset from the edge and box padding, and its rows (spacing 1.15).
            let margin = bottomLines + 1.8 + Double(layout.rows) * 1.15
            return [
                "# key under the x axis label (\(layout.rows) row(s)), with the margin it needs",
                "set bmargin \(_Gnuplot.number(margin.rounded(.up)))",
                "set key at screen 0.5, character 0.6 center bottom vertical "
                    + "maxrows \(layout.rows)",
            ]
        }
    }
}

/// Width of one character of the theme's 11 pt DejaVu Sans in pixels, an estimate for laying
/// out text (measured 7.5–7.9 on rendered labels with spaces and digits; rounded up).
let characterWidth = 8.0

/// The characters of enhanced text that print: `v_{th}` counts 3, not 6 (the markup `_{`, `^{`,
/// `}` and escaping backslashes take no room; subscripts count as full characters).
func printedLength(_ text: String) -> Int {
    text.replacingOccurrences(of: "_{", with: "").replacingOccurrences(of: "^{", with: "")
        .filter { $0 != "}" && $0 != "\\" }.count
}

/// How many key entries fit side by side under a plot `width` pixels wide, and in how many
/// rows they then go. Each entry takes its label plus the line sample and gaps (≈ 7
/// characters); an estimate narrower than gnuplot's own would give columns it cannot fit.
func keyBelowLayout(entries: [String], width: Int) -> (columns: Int, rows: Int) {
    guard !entries.isEmpty else { return (1, 0) }
    let longest = Double(entries.map(printedLength).max() ?? 0)
    let entryWidth = (longest + 7) * characterWidth
    let columns = max(1, min(entries.count, Int(Double(width - 110) / entryWidth)))
    return (columns, (entries.count + columns - 1) / columns)
}

/// Pixel size of a rendered PNG.
public struct FigureSize: Sendable, Equatable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int

    /// Creates a size in pixels.
    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "FigureSize must be positive, got \(width)x\(height)")
        self.width = width
        self.height = height
    }

    /// 900 × 540, the default for line plots, bar charts and histograms.
    public static let standard = FigureSize(width: 900, height: 540)
    /// 640 × 600, the default for scatter plots and heat maps.
    public static let square = FigureSize(width: 640, height: 600)
}

/// A labelled constant line drawn across a plot, e.g. the ANN accuracy in an accuracy-vs-T plot
/// (horizontal) or a firing threshold in a histogram of membrane potentials (vertical).
///
/// Each line gets a dashed style from the theme and an entry in the key.
public struct ReferenceLine: Sendable, Equatable {
    /// Key entry, e.g. `"ANN 91.2%"` or `"θ = 1"`.
    public var label: String
    /// Position of the line in data coordinates.
    public var value: Double

    /// Creates a labelled reference line at `value`.
    public init(_ label: String, at value: Double) {
        self.label = label
        self.value = value
    }
}
