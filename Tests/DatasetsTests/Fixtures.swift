import Foundation
import TensorCore

@testable import Datasets

/// The committed fixtures of `data/fixtures/` (written by `make-fixtures.py`) and helpers to
/// make damaged copies of them in a scratch directory.
enum Fixtures {
    /// `data/fixtures/`, found from this file's path so the tests run from any directory.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("data/fixtures")

    /// The package's real `data/` directory.
    static let dataDirectory = directory.deletingLastPathComponent()

    /// A fixture file.
    static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    /// The fixture manifest (`data/fixtures/manifest.json`).
    static func manifest() throws -> DatasetManifest {
        try DatasetManifest(contentsOf: url("manifest.json"))
    }

    /// The formula of `make-fixtures.py`: pixel(i, c, y, x) = (37i + 101c + 7y + 3x) mod 256.
    static func pixel(_ i: Int, _ c: Int, _ y: Int, _ x: Int) -> UInt8 {
        UInt8((37 * i + 101 * c + 7 * y + 3 * x) % 256)
    }

    /// The images the fixture files must decode to: `[count, channels, size, size]`, byte/255.
    static func expectedImages(count: Int, channels: Int, size: Int) -> Tensor {
        var scalars: [Float] = []
        for i in 0..<count {
            for c in 0..<channels {
                for y in 0..<size {
                    for x in 0..<size { scalars.append(Float(pixel(i, c, y, x)) / 255) }
                }
            }
        }
        return Tensor(shape: [count, channels, size, size], scalars: scalars)
    }

    /// Labels written by `make-fixtures.py`.
    static let fashionTrainLabels = [9, 0, 4], fashionTestLabels = [3, 7]
    static let cifar10TrainLabels = [6, 9, 0], cifar10TestLabels = [3, 8]
    static let cifar100TrainFine = [99, 30, 4], cifar100TrainCoarse = [19, 4, 0]
    static let cifar100TestFine = [42, 3], cifar100TestCoarse = [11, 7]
}

/// A fresh empty directory under the system's temporary directory, removed by `remove()`.
struct ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("DatasetsTests-\(ProcessInfo.processInfo.globallyUniqueString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A copy of the whole fixture directory (manifest included) inside this directory.
    func copyOfFixtures() throws -> URL {
        let copy = url.appendingPathComponent("fixtures")
        try FileManager.default.copyItem(at: Fixtures.directory, to: copy)
        return copy
    }

    /// Writes `bytes` to `relative` and returns its URL.
    @discardableResult
    func write(_ bytes: [UInt8], to relative: String) throws -> URL {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
        return file
    }

    /// The names of the entries in `relative` (hidden ones included), sorted.
    func contents(of relative: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(
            atPath: url.appendingPathComponent(relative).path
        )
        .sorted()
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The bytes of a file.
func bytes(of url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

/// gzip-compresses `data` with the system's `gzip -n` (no name or time stamp).
func gzipped(_ data: [UInt8]) throws -> [UInt8] {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let file = try scratch.write(data, to: "data")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-n", file.path]
    try process.run()
    process.waitUntilExit()
    return try bytes(of: file.appendingPathExtension("gz"))
}

/// A small synthetic set: image i is filled with the value i (so a batch reveals which
/// examples it holds), label i mod classes.
func numberedImages(count: Int, channels: Int = 1, size: Int = 4, classes: Int = 3) -> LabeledImages
{
    let plane = channels * size * size
    let scalars = (0..<count).flatMap { i in [Float](repeating: Float(i), count: plane) }
    return LabeledImages(
        images: Tensor(shape: [count, channels, size, size], scalars: scalars),
        labels: (0..<count).map { $0 % classes },
        classNames: (0..<classes).map { "class \($0)" })
}
