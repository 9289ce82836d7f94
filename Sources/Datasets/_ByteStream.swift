import CZlib
import Foundation

/// A file read through zlib's `gzread`, which decompresses gzip files and passes any other
/// file through unchanged ("transparent" mode). So one reader accepts both
/// `train-images-idx3-ubyte.gz` and an un-gzipped `train-images-idx3-ubyte`.
final class _ByteStream {
    /// The file's path, for error messages.
    let name: String
    private let file: gzFile
    /// Decompressed bytes delivered so far.
    private(set) var position = 0

    /// Opens `url` for reading.
    init(_ url: URL) throws {
        name = url.path
        guard let handle = gzopen(url.path, "rb") else {
            throw DatasetError.unreadable(file: url.path, reason: String(cString: strerror(errno)))
        }
        file = handle
        gzbuffer(file, 1 << 18)  // 256 KiB input buffer: fewer read(2) calls
    }

    deinit { gzclose_r(file) }

    /// Whether the file is gzip-compressed (zlib knows only after the first read).
    var isCompressed: Bool { gzdirect(file) == 0 }

    /// An upper bound on the bytes this file can decompress to: deflate expands at most
    /// 1032 : 1, and an uncompressed file holds exactly its size. Lets a reader reject a
    /// corrupt header that declares terabytes before allocating anything.
    func maximumContentSize(storedSize: Int) -> Int {
        isCompressed ? storedSize * 1032 : storedSize
    }

    /// Fills `buffer` from the stream and returns how many bytes it got: fewer than
    /// `buffer.count` only at the end of the data. A damaged gzip stream throws; a gzip
    /// stream cut short throws `.truncated` (with `expectedBytes` as known to the caller).
    func read(into buffer: UnsafeMutableRawBufferPointer, expectedTotal: Int) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let request = UInt32(min(buffer.count - filled, 1 << 30))
            let got = gzread(file, buffer.baseAddress! + filled, request)
            if got < 0 || (got == 0 && gzeof(file) == 0) { try throwZlibError(expectedTotal) }
            if got == 0 { break }
            filled += Int(got)
            position += Int(got)
        }
        // zlib reports a gzip stream that ends mid-way only through gzerror after a short read.
        if filled < buffer.count { try throwZlibError(expectedTotal, onlyIfError: true) }
        return filled
    }

    /// Reads exactly `count` bytes or throws `.truncated`.
    func readExactly(_ count: Int, expectedTotal: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try bytes.withUnsafeMutableBytes { buffer in
            try read(into: buffer, expectedTotal: expectedTotal)
        }
        if got < count {
            throw DatasetError.truncated(
                file: name, expectedBytes: expectedTotal, actualBytes: position)
        }
        return bytes
    }

    /// Throws `.trailingBytes` unless the stream has ended.
    func expectEnd(expectedTotal: Int) throws {
        var probe: UInt8 = 0
        let got = try withUnsafeMutableBytes(of: &probe) { buffer in
            try read(into: buffer, expectedTotal: expectedTotal)
        }
        if got > 0 { throw DatasetError.trailingBytes(file: name, expectedBytes: expectedTotal) }
    }

    private func throwZlibError(_ expectedTotal: Int, onlyIfError: Bool = false) throws {
        var code: Int32 = 0
        let message = gzerror(file, &code).map { String(cString: $0) } ?? "unknown zlib error"
        if code == Z_OK && onlyIfError { return }
        if code == Z_BUF_ERROR || code == Z_OK {
            // "unexpected end of file": the compressed stream stops before its end marker.
            throw DatasetError.truncated(
                file: name, expectedBytes: expectedTotal, actualBytes: position)
        }
        throw DatasetError.unreadable(file: name, reason: "zlib: \(message)")
    }
}

/// The size of the file at `url` in bytes, or nil when it does not exist.
func _fileSize(_ url: URL) -> Int? {
    var info = stat()
    guard stat(url.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    return Int(info.st_size)
}
