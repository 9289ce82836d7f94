/// Small maps (attention maps, feature maps) in a labelled grid on one shared colour scale,
/// drawn by gnuplot with a colour bar: each grid row and column is named, so a reader knows
/// which network and which image a tile shows and what its colours mean (`ImageGrid` writes
/// the bare pixels instead).
///
/// ```swift
/// ImagePanels(
///     title: "Attention maps", tiles: maps, tileWidth: 28, tileHeight: 28,
///     rowLabels: ["meta-model", "student with AT"], columnLabels: ["image 1", "image 2"],
///     valueLabel: "attention (normalised)")
/// ```
///
/// `.dat` layout: one index block per tile (grid row by grid row), each a plain matrix with
/// row 0 of the tile first.
public struct ImagePanels: Figure, Equatable {
    /// Title above the grid.
    public var title: String
    /// The tiles, each `tileHeight × tileWidth` values row-major (row 0 at the top), filling
    /// the grid row by row. Non-finite values are written as `NaN`.
    public var tiles: [[Double]]
    /// Width of one tile in values.
    public var tileWidth: Int
    /// Height of one tile in values.
    public var tileHeight: Int
    /// One name per grid row, shown left of the row (e.g. the network).
    public var rowLabels: [String]
    /// One name per grid column, shown under it (e.g. the input image).
    public var columnLabels: [String]
    /// Label of the colour bar: what the values are, with their unit.
    public var valueLabel: String
    /// Values mapped to the ends of the palette, the same for every tile; `nil` uses
    /// `palette.defaultRange(of:)` over all tiles.
    public var valueRange: ClosedRange<Double>?
    /// Colour map.
    public var palette: Palette
    /// PNG size.
    public var size: FigureSize

    /// Creates a grid of `rowLabels.count` × `columnLabels.count` tiles.
    public init(
        title: String, tiles: [[Double]], tileWidth: Int, tileHeight: Int,
        rowLabels: [String], columnLabels: [String], valueLabel: String,
        valueRange: ClosedRange<Double>? = nil, palette: Palette = .sequential,
        size: FigureSize = FigureSize(width: 900, height: 700)
    ) {
        precondition(tileWidth > 0 && tileHeight > 0, "ImagePanels tiles must be non-empty")
        precondition(
            tiles.count == rowLabels.count * columnLabels.count,
            "ImagePanels: \(tiles.count) tiles for \(rowLabels.count) rows x "
                + "\(columnLabels.count) columns")
        for (index, tile) in tiles.enumerated() {
            precondition(
                tile.count == tileWidth * tileHeight,
                "ImagePanels tile \(index) has \(tile.count) values, expected "
                    + "\(tileHeight)x\(tileWidth)")
        }
        self.title = title
        self.tiles = tiles
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.valueLabel = valueLabel
        self.valueRange = valueRange
        self.palette = palette
        self.size = size
    }

    /// Empty columns (rows) between neighbouring tiles, in tile values.
    private var gap: Int { max(1, min(tileWidth, tileHeight) / 8) }

    public func gnuplotData() -> String {
        var text = [
            "\(tiles.count) tiles of \(tileHeight) rows x \(tileWidth) columns, one index block "
                + "each, grid row by grid row (\(columnLabels.count) per row)",
            "values: \(valueLabel)",
            "grid rows: " + rowLabels.joined(separator: ", "),
            "grid columns: " + columnLabels.joined(separator: ", "),
        ].map(_Gnuplot.comment).joined(separator: "\n") + "\n"
        text += tiles.enumerated().map { index, tile in
            var rows = [_Gnuplot.comment(
                "index \(index): \(rowLabels[index / columnLabels.count]), "
                    + columnLabels[index % columnLabels.count])]
            for r in 0..<tileHeight {
                rows.append(tile[(r * tileWidth)..<((r + 1) * tileWidth)]
                    .map(_Gnuplot.number).joined(separator: " "))
            }
            return rows.joined(separator: "\n") + "\n"
        }.joined(separator: "\n\n")
        return text
    }

    public func gnuplotCommands(dataFile: String) -> String {
        let range = valueRange ?? palette.defaultRange(of: tiles.joined())
        let stepX = tileWidth + gap, stepY = tileHeight + gap
        let width = columnLabels.count * stepX - gap, height = rowLabels.count * stepY - gap
        func center(_ index: Int, step: Int, size: Int) -> String {
            _Gnuplot.number(Double(index * step) + Double(size - 1) / 2)
        }
        var lines = [
            "set title \(_Gnuplot.quoted(title))",
            "set cblabel \(_Gnuplot.quoted(valueLabel))",
            "unset grid",
            "unset border",
            "set size ratio -1",
            "set xrange [-0.5:\(_Gnuplot.number(Double(width) - 0.5))]",
            "# reversed y range: row 0 of every tile at its top, grid row 0 at the top",
            "set yrange [\(_Gnuplot.number(Double(height) - 0.5)):-0.5]",
            "set cbrange [\(_Gnuplot.number(range.lowerBound)):"
                + "\(_Gnuplot.number(range.upperBound))]",
            palette.gnuplotCommand,
            "set tics scale 0",
            "set xtics (" + columnLabels.enumerated().map {
                "\(_Gnuplot.quoted($1)) \(center($0, step: stepX, size: tileWidth))"
            }.joined(separator: ", ") + ")",
            "set ytics (" + rowLabels.enumerated().map {
                "\(_Gnuplot.quoted($1)) \(center($0, step: stepY, size: tileHeight))"
            }.joined(separator: ", ") + ")",
            "unset key",
            "datafile = \(_Gnuplot.quoted(dataFile))",
        ]
        let elements = tiles.indices.map { index -> String in
            let x = (index % columnLabels.count) * stepX, y = (index / columnLabels.count) * stepY
            return "datafile index \(index) matrix using ($1+\(x)):($2+\(y)):3 "
                + "with image notitle"
        }
        lines.append(_Gnuplot.plot(elements))
        return lines.joined(separator: "\n") + "\n"
    }
}
