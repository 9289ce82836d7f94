import Foundation

/// Small images (sample digits, attention maps, feature maps) laid out in a grid and written
/// as one PNG through libpng, without gnuplot.
///
/// Each tile is `tileHeight × tileWidth` values, row-major, row 0 at the top. Tiles fill the
/// grid row by row; each pixel becomes a `scale × scale` block (nearest neighbour) and tiles
/// are separated by `padding` pixels of gray `paddingShade` (mid-gray by default, which stands
/// out from black or white tile backgrounds and from the white centre of `.diverging`).
///
/// ```swift
/// let grid = ImageGrid(tiles: digits, tileWidth: 28, tileHeight: 28, columns: 8, scale: 3)
/// try grid.write(to: directory.appendingPathComponent("fig2-samples.png"))
/// ```
public struct ImageGrid: Sendable, Equatable {
    /// How tile values become pixel colours.
    public enum Coloring: Sendable, Equatable {
        /// One value per pixel in [0, 1] (clamped): 0 = black, 1 = white. Gray PNG.
        case grayscale
        /// Three interleaved values (r, g, b) per pixel in [0, 1] (clamped). RGB PNG.
        case rgb
        /// One value per pixel, mapped linearly from `range` onto the palette (the same
        /// colours as `HeatMap`). `nil` uses `palette.defaultRange(of:)` over ALL tiles, so
        /// tiles share one scale. For signed or unnormalised maps. RGB PNG.
        case palette(Palette, range: ClosedRange<Double>? = nil)
    }

    /// The tiles, each `tileHeight × tileWidth × channels` values (channels = 3 for `.rgb`).
    public var tiles: [[Float]]
    /// Width of one tile in source pixels.
    public var tileWidth: Int
    /// Height of one tile in source pixels.
    public var tileHeight: Int
    /// Tiles per grid row.
    public var columns: Int
    /// Value-to-colour mapping.
    public var coloring: Coloring
    /// Output pixels per source pixel along each axis (≥ 1).
    public var scale: Int
    /// Pixels between neighbouring tiles (not around the outside).
    public var padding: Int
    /// Gray level of the padding and of empty grid slots, 0 = black … 1 = white.
    public var paddingShade: Float

    /// Creates a grid. `columns` defaults to all tiles in one row.
    public init(
        tiles: [[Float]], tileWidth: Int, tileHeight: Int, columns: Int? = nil,
        coloring: Coloring = .grayscale, scale: Int = 1, padding: Int = 1,
        paddingShade: Float = 0.5
    ) {
        precondition(!tiles.isEmpty, "ImageGrid needs at least one tile")
        precondition(tileWidth > 0 && tileHeight > 0, "ImageGrid tiles must be non-empty")
        precondition(scale >= 1 && padding >= 0, "ImageGrid: scale ≥ 1 and padding ≥ 0")
        let channels = coloring == .rgb ? 3 : 1
        for (index, tile) in tiles.enumerated() {
            precondition(
                tile.count == tileWidth * tileHeight * channels,
                "ImageGrid tile \(index) has \(tile.count) values, expected "
                    + "\(tileHeight)x\(tileWidth)x\(channels)")
        }
        self.tiles = tiles
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
        self.columns = max(1, min(columns ?? tiles.count, tiles.count))
        self.coloring = coloring
        self.scale = scale
        self.padding = padding
        self.paddingShade = paddingShade
    }

    /// Number of grid rows.
    public var rows: Int { (tiles.count + columns - 1) / columns }

    /// The composed image: width = columns·tileWidth·scale + (columns − 1)·padding, likewise
    /// for height. O(output pixels).
    public func image() -> PNGImage {
        let format: PNGImage.Format = coloring == .grayscale ? .gray : .rgb
        let channels = format.channels
        let width = columns * tileWidth * scale + (columns - 1) * padding
        let height = rows * tileHeight * scale + (rows - 1) * padding
        var pixels = [UInt8](
            repeating: unitByte(paddingShade), count: width * height * channels)
        let color = colorFunction()
        for (index, tile) in tiles.enumerated() {
            let left = (index % columns) * (tileWidth * scale + padding)
            let top = (index / columns) * (tileHeight * scale + padding)
            for sourceRow in 0..<tileHeight {
                for sourceColumn in 0..<tileWidth {
                    let rgb = color(tile, sourceRow * tileWidth + sourceColumn)
                    for dy in 0..<scale {
                        let y = top + sourceRow * scale + dy
                        for dx in 0..<scale {
                            let offset = (y * width + left + sourceColumn * scale + dx) * channels
                            pixels[offset] = rgb.0
                            if channels == 3 {
                                pixels[offset + 1] = rgb.1
                                pixels[offset + 2] = rgb.2
                            }
                        }
                    }
                }
            }
        }
        return PNGImage(width: width, height: height, format: format, pixels: pixels)
    }

    /// Writes `image()` as a PNG, atomically.
    public func write(to url: URL) throws {
        try image().write(to: url)
    }

    /// Maps (tile, pixel index) to bytes; gray uses only the first.
    private func colorFunction() -> ([Float], Int) -> (UInt8, UInt8, UInt8) {
        switch coloring {
        case .grayscale:
            return { tile, i in
                let g = unitByte(tile[i])
                return (g, g, g)
            }
        case .rgb:
            return { tile, i in
                (unitByte(tile[3 * i]), unitByte(tile[3 * i + 1]), unitByte(tile[3 * i + 2]))
            }
        case .palette(let palette, let range):
            let range = range ?? palette.defaultRange(of: tiles.joined().lazy.map(Double.init))
            let span = range.upperBound - range.lowerBound
            return { tile, i in
                let c = palette.color(at: (Double(tile[i]) - range.lowerBound) / span)
                return (c.red, c.green, c.blue)
            }
        }
    }
}

/// [0, 1] → 0…255, clamped, rounded to nearest; NaN → 0.
func unitByte(_ value: Float) -> UInt8 {
    guard !value.isNaN else { return 0 }
    return UInt8((min(max(value, 0), 1) * 255).rounded())
}
