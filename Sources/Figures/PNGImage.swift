import CPNG
import Foundation
import SystemSupport

/// An 8-bit grayscale or RGB image that can be written to and read from a PNG file through
/// libpng's simplified API (`png_image_*`: no `setjmp`, errors come back as text).
///
/// Pixels are row-major with row 0 at the top; RGB pixels are interleaved (r, g, b).
public struct PNGImage: Sendable, Equatable {
    /// Channel layout of a pixel.
    public enum Format: Sendable, Equatable {
        /// One byte per pixel, 0 = black, 255 = white.
        case gray
        /// Three bytes per pixel: red, green, blue.
        case rgb

        /// Bytes per pixel.
        public var channels: Int { self == .gray ? 1 : 3 }

        /// The libpng format constant. `PNG_FORMAT_GRAY` imports as Int32 but
        /// `PNG_FORMAT_RGB` (0x02U) as UInt32, so each is converted on its own.
        var libpngFormat: UInt32 {
            switch self {
            case .gray: UInt32(PNG_FORMAT_GRAY)
            case .rgb: UInt32(PNG_FORMAT_RGB)
            }
        }
    }

    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Gray or RGB.
    public var format: Format
    /// `height × width × format.channels` bytes, row 0 first.
    public var pixels: [UInt8]

    /// An image from raw pixels; `pixels.count` must equal `width × height × channels`.
    public init(width: Int, height: Int, format: Format, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "PNGImage must be non-empty, got \(width)x\(height)")
        precondition(
            pixels.count == width * height * format.channels,
            "PNGImage \(width)x\(height) \(format) needs \(width * height * format.channels) "
                + "bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
    }

    /// Reads a PNG file, converting it to 8-bit gray (if it has no colour) or 8-bit RGB.
    /// Alpha, if present, is composited away by libpng.
    public init(contentsOf url: URL) throws {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, url.path) != 0 else {
            throw FigureError.png("\(url.path): \(Self.message(of: image))")
        }
        let format: Format = image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0 ? .rgb : .gray
        image.format = format.libpngFormat
        let (width, height) = (Int(image.width), Int(image.height))
        var pixels = [UInt8](repeating: 0, count: width * height * format.channels)
        let ok = pixels.withUnsafeMutableBytes { buffer in
            png_image_finish_read(
                &image, nil, buffer.baseAddress, Int32(width * format.channels), nil)
        }
        guard ok != 0 else {
            let message = Self.message(of: image)
            png_image_free(&image)
            throw FigureError.png("\(url.path): \(message)")
        }
        self.init(width: width, height: height, format: format, pixels: pixels)
    }

    /// Writes the image as a PNG file, atomically (temporary file in the same directory, fsync,
    /// rename). Creates the parent directory if needed.
    public func write(to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true)
        } catch {
            throw FigureError.io("cannot create \(directory.path): \(error)")
        }
        let temporary = AtomicFile.temporaryURL(for: url)
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = format.libpngFormat
        let ok = pixels.withUnsafeBytes { buffer in
            png_image_write_to_file(
                &image, temporary.path, 0, buffer.baseAddress, Int32(width * format.channels),
                nil)
        }
        guard ok != 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw FigureError.png("\(url.path): \(Self.message(of: image))")
        }
        try AtomicFile.commit(temporary, to: url)
    }

    /// libpng's error text from `png_image.message` (a fixed-size C char array).
    private static func message(of image: png_image) -> String {
        withUnsafeBytes(of: image.message) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
