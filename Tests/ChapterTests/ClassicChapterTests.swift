import ChapterSupport
import Statistics
import RunRecords
import Foundation
import Testing

/// The part of chapter-classic's results.json these checks read.
private struct ClassicMetrics: Decodable {
    struct Method: Decodable {
        var name: String
        var accuracy: [Double]
        var fullTestAccuracy: [Double]
        var firstTimestepStayingWithinOnePoint: Int?
        var firingRates: [Double]
        var energyRatioFloat32: [Double]
        var method: Kind
        struct Kind: Decodable { var reset: String; var balancing: [String: [String: Double]]? }
    }
    var annAccuracy: Double
    var annAccuracyOnSimulatedSubset: Double
    var fullTestImages: Int
    var fullTestTimesteps: Int
    var simulatedImages: Int
    var methods: [Method]
}

/// The folder holding the built executables: the one containing the test bundle.
func productsDirectory() -> URL? {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    for _ in 0..<4 {
        url = url.deletingLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("chapter-classic").path) { return url }
    }
    return nil
}

/// Runs `chapter-<key> --profile smoke` into `output` (a new temporary folder by default, its
/// stage cache beside it: the output folder is replaced as a whole) with any extra
/// `arguments`, and returns its results.json, read from `published` (default `output`; an
/// `--exercise N` run publishes into `<output>-exercises/N`).
func runSmoke(_ key: String, arguments: [String] = [], output: URL? = nil, published: URL? = nil) throws -> RunRecord {
    try runSmokeWithLog(key, arguments: arguments, output: output, published: published).record
}

/// The stage cache `runSmoke` gives a run writing to `output`.
func smokeCache(of output: URL) -> URL { URL(fileURLWithPath: output.path + "-cache") }

/// `runSmoke`, also returning the run's run-log.json (stage timings and outcomes).
func runSmokeWithLog(
    _ key: String, arguments: [String] = [], output: URL? = nil, published: URL? = nil, cache: URL? = nil
) throws -> (record: RunRecord, log: RunLog) {
    guard let products = productsDirectory() else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey:
            "chapter-\(key) not built next to the test bundle; run `swift build` first"])
    }
    let output = output
        ?? FileManager.default.temporaryDirectory.appendingPathComponent("chapter-\(key)-\(UUID().uuidString)")
    let process = Process()
    process.executableURL = products.appendingPathComponent("chapter-\(key)")
    process.arguments = ["--profile", "smoke", "--output", output.path,
                         "--cache", (cache ?? smokeCache(of: output)).path] + arguments
    process.currentDirectoryURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let folder = published ?? output
    let record = try RunRecord.load(from: folder.appendingPathComponent(RunRecord.fileName))
    expectSummaryNamesEveryFigure(record, in: folder)
    // An exercise may remove what a claim compares (classic `--reset zero` has no subtraction arm).
    expectClaimsFollowTheRule(record, required: !arguments.contains("--arms") && !arguments.contains("--exercise"))
    return (record, try RunLog.load(from: folder.appendingPathComponent(RunLog.fileName)))
}

/// Runs `chapter-<key>` with arguments it must reject; returns its exit status and stderr.
func runRejected(_ key: String, arguments: [String]) throws -> (status: Int32, message: String) {
    guard let products = productsDirectory() else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey:
            "chapter-\(key) not built next to the test bundle; run `swift build` first"])
    }
    let process = Process()
    process.executableURL = products.appendingPathComponent("chapter-\(key)")
    process.arguments = arguments
    let errors = Pipe()
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    try process.run()
    let data = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite(.serialized) struct ClassicChapterTests {
    @Test func smokeRunKeepsTheChapterInvariantsAndItsExercisesQuoteIt() throws {
        let output = temporaryRunFolder("classic")
        let record = try runSmoke("classic", output: output)
        let metrics = try record.metrics(as: ClassicMetrics.self)
        #expect(metrics.annAccuracy > 0.3)                       // chance is 0.1
        #expect(Set(record.claims?.map(\.id) ?? []) == [
            "percentile-99.9-reaches-the-ann-before-max-norm", "percentile-99.99-reaches-the-ann-before-max-norm",
            "percentile-99.9-beats-max-norm-at-T16", "percentile-99.99-beats-max-norm-at-T16",
            "subtraction-beats-reset-to-zero", "subtraction-beats-reset-to-zero-with-percentile-99.9"])
        // Two simulations: the long sweep and every T ≤ 16 on more images (smoke: 1,000 of 200).
        #expect(metrics.fullTestTimesteps == 16 && metrics.fullTestImages == 1_000 && metrics.simulatedImages == 200)
        let band = metrics.annAccuracyOnSimulatedSubset - 0.01
        for method in metrics.methods {
            // "Stays within": from T₁ on every accuracy is in the band, and T₁ − 1 is not.
            if let first = method.firstTimestepStayingWithinOnePoint {
                #expect(method.accuracy[(first - 1)...].allSatisfy { $0 >= band }, "\(method.name)")
                #expect(first == 1 || method.accuracy[first - 2] < band, "\(method.name)")
            } else {
                #expect(method.accuracy.last! < band, "\(method.name)")
            }
            #expect(method.fullTestAccuracy.count == metrics.fullTestTimesteps, "\(method.name)")
            #expect(method.firingRates.allSatisfy { (0...1).contains($0) }, "\(method.name)")
            #expect(method.energyRatioFloat32.allSatisfy { $0 > 0 })
            if method.method.reset == "subtraction" {
                #expect(method.accuracy.last! >= method.accuracy.first!, "\(method.name)")
            }
            if method.name.hasPrefix("percentile"), method.method.reset == "subtraction" {
                // Δ = 8 points: smoke trains on 3k images for one epoch and simulates 200
                // images for T ≤ 64; one image is 0.5 point, measured gap was 2–3 points.
                #expect(metrics.annAccuracyOnSimulatedSubset - method.accuracy.last! <= 0.08, "\(method.name)")
            }
        }
        // Its exercises, against this run (ExerciseTests.swift).
        try checkClassicExercises(plain: output)
    }
}
