import Foundation
import Testing

@testable import Figures

/// Image grids and spike rasters written through libpng must decode to exactly the pixels
/// that were written.
@Suite struct ImageGridTests {
    @Test(arguments: [PNGImage.Format.gray, .rgb])
    func pngRoundTripIsExact(format: PNGImage.Format) throws {
        let (width, height) = (7, 5)
        let pixels = (0..<width * height * format.channels).map { UInt8(($0 * 37) % 256) }
        let image = PNGImage(width: width, height: height, format: format, pixels: pixels)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("roundtrip.png")
        try image.write(to: url)
        #expect(try PNGImage(contentsOf: url) == image)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path)
            == ["roundtrip.png"])
    }

    @Test func readingAMissingFileThrowsLibpngMessage() {
        #expect(throws: FigureError.self) {
            try PNGImage(contentsOf: URL(fileURLWithPath: "/nonexistent/x.png"))
        }
    }

    /// Two 2×2 gray tiles, scale 2, padding 1: each value becomes a 2×2 block, a white
    /// 1-pixel column separates the tiles, values are clamped to [0, 1].
    @Test func grayGridLayoutScaleAndPadding() throws {
        let grid = ImageGrid(
            tiles: [[0, 1, 0.5, -3], [2, 0.2, 0.4, 0.6]], tileWidth: 2, tileHeight: 2,
            columns: 2, scale: 2, padding: 1, paddingShade: 1)
        let image = grid.image()
        #expect(image.width == 2 * 2 * 2 + 1 && image.height == 2 * 2)
        #expect(image.format == .gray)
        let b: UInt8 = 128  // 0.5 · 255 rounded
        let rows: [[UInt8]] = [
            [0, 0, 255, 255, 255, 255, 255, 51, 51],
            [0, 0, 255, 255, 255, 255, 255, 51, 51],
            [b, b, 0, 0, 255, 102, 102, 153, 153],
            [b, b, 0, 0, 255, 102, 102, 153, 153],
        ]
        #expect(image.pixels == rows.flatMap { $0 })
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("grid.png")
        try grid.write(to: url)
        #expect(try PNGImage(contentsOf: url) == image)
    }

    /// A third tile in a 2-column grid starts a second row; padding and the empty slot are
    /// mid-gray (128) by default.
    @Test func gridWrapsIntoRows() {
        let grid = ImageGrid(
            tiles: [[0], [0], [0]], tileWidth: 1, tileHeight: 1, columns: 2, padding: 2)
        let image = grid.image()
        #expect(image.width == 4 && image.height == 4)
        #expect(image.pixels[0] == 0 && image.pixels[1] == 128 && image.pixels[3] == 0)
        #expect(image.pixels[3 * 4 + 0] == 0 && image.pixels[3 * 4 + 3] == 128)
    }

    /// The palette colouring uses the same stops as gnuplot heat maps: with the diverging
    /// palette and no range, −m is the first stop, 0 is white-ish, +m the last stop.
    @Test func paletteColoringMatchesPaletteStops() {
        let grid = ImageGrid(
            tiles: [[-2, 0, 2]], tileWidth: 3, tileHeight: 1, coloring: .palette(.diverging))
        let image = grid.image()
        #expect(image.format == .rgb)
        let stops = Palette.diverging.stops
        #expect(Array(image.pixels[0..<3]) == [stops[0].red, stops[0].green, stops[0].blue])
        #expect(Array(image.pixels[3..<6]) == [stops[2].red, stops[2].green, stops[2].blue])
        #expect(Array(image.pixels[6..<9]) == [stops[4].red, stops[4].green, stops[4].blue])
    }

    @Test func paletteInterpolatesLinearlyBetweenStops() {
        let mid = Palette.sequential.color(at: 0.125)  // halfway between stops 0 and 1
        let (a, b) = (Palette.sequential.stops[0], Palette.sequential.stops[1])
        #expect(Int(mid.red) == (Int(a.red) + Int(b.red) + 1) / 2)
        #expect(Int(mid.blue) == (Int(a.blue) + Int(b.blue) + 1) / 2)
        #expect(Palette.sequential.color(at: 7) == Palette.sequential.color(at: 1))
    }

    @Test func rgbTilesKeepChannelOrder() {
        let grid = ImageGrid(
            tiles: [[1, 0, 0, 0, 1, 0]], tileWidth: 2, tileHeight: 1, coloring: .rgb)
        #expect(grid.image().pixels == [255, 0, 0, 0, 255, 0])
    }

    /// Neuron 0 is the top band, time runs left to right, a spike is black.
    @Test func spikeRasterCellsMatchSpikes() throws {
        let raster = SpikeRaster(
            spikes: [[true, false, false], [false, false, true]], cellWidth: 2, cellHeight: 1)
        let image = raster.image()
        #expect(image.width == 6 && image.height == 2)
        #expect(image.pixels == [0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 0, 0])
        let flat = SpikeRaster(
            spikes: [1, 0, 0, 0, 0, 1] as [Float], neurons: 2, timesteps: 3, cellWidth: 2,
            cellHeight: 1)
        #expect(flat.image() == image)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("raster.png")
        try raster.write(to: url)
        #expect(try PNGImage(contentsOf: url) == image)
    }
}

/// Images for the preview test: a digit-like gray grid, a palette grid, a raster.
enum SampleImages {
    static let digits = ImageGrid(
        tiles: (0..<12).map { k in
            (0..<28 * 28).map { (i: Int) -> Float in
                let y = Double(i / 28) - 13.5
                let x = Double(i % 28) - 13.5
                let radius: Double = (x * x + y * y).squareRoot()
                let ring: Double = 4 + Double(k % 6)
                return Float(max(0, 1 - abs(radius - ring) / 2))
            }
        }, tileWidth: 28, tileHeight: 28, columns: 6, scale: 2, padding: 2)

    static let attention = ImageGrid(
        tiles: (0..<4).map { k in
            (0..<16 * 16).map { (i: Int) -> Float in
                Float(i % 16 - 8 + k) * Float(i / 16 - 4) / 40
            }
        }, tileWidth: 16, tileHeight: 16, columns: 4, coloring: .palette(.diverging), scale: 6,
        padding: 2)

    static let raster = SpikeRaster(
        spikes: (0..<40).map { (n: Int) -> [Bool] in
            (0..<64).map { (t: Int) -> Bool in (t * (n % 7 + 1) + n) % 9 == 0 }
        })
}
