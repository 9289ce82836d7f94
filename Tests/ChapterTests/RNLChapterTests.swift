import ChapterSupport
import Foundation
import Testing

/// The part of chapter-rnl's results.json these checks read.
private struct RNLMetrics: Decodable {
    struct Method: Decodable {
        var method: String
        var accuracy: [Double]
        var annAccuracyOnSimulatedSubset: Double
        var fullTestAccuracy: [Double]
        var firingRates: [Double]
        var firstTimestepStayingWithinOnePoint: Int?
    }
    struct Fit: Decodable { var omegas: [Double]; var errors: [[Double]] }
    struct Checkpoint: Decodable { var validationAccuracy: Double; var selected: Bool; var p: Double }
    var rnlANNAccuracy: Double
    var simulatedImages: Int
    var fullTestImages: Int
    var fullTestTimesteps: Int
    var methods: [Method]
    var fitCurves: [Fit]
    var firstLayerBoundWorstRatio: Double
    var rilTrajectory: [Checkpoint]
    var rilReferenceValidationAccuracy: Double
}

/// The part of the resolved config these checks read.
private struct RNLConfig: Decodable { struct RIL: Decodable { var tolerance: Double }; var ril: RIL }

@Suite(.serialized) struct RNLChapterTests {
    @Test func smokeRunKeepsTheChapterInvariantsAndItsExercisesQuoteIt() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("chapter-rnl-\(UUID().uuidString)")
        let record = try runSmoke("rnl", arguments: ["--threads", "1"], output: output)
        let metrics = try record.metrics(as: RNLMetrics.self)
        let tolerance = try record.config(as: RNLConfig.self).ril.tolerance
        #expect(metrics.rnlANNAccuracy > 0.3)                                   // chance is 0.1
        #expect(metrics.methods.map(\.method) == ["maxNorm", "percentile", "rnl", "rnlRIL"])
        for method in metrics.methods {
            #expect(method.firingRates.allSatisfy { (0...1).contains($0) }, "\(method.method)")
            #expect(method.accuracy.last! >= method.accuracy.first!, "\(method.method)")
            // Δ = 10 points: smoke trains one epoch on 3k images and simulates 200 images,
            // T ≤ 64; measured gaps were 0.5–1.5 points.
            #expect(method.annAccuracyOnSimulatedSubset - method.accuracy.last! <= 0.10, "\(method.method)")
        }
        // The short simulation (every T ≤ 16 on other, more images) estimates the same curve:
        // at T = 16 the two agree within 4 s.e. of their difference.
        #expect(metrics.fullTestTimesteps == 16 && metrics.fullTestImages == 300)
        for method in metrics.methods {
            #expect(method.fullTestAccuracy.count == metrics.fullTestTimesteps, "\(method.method)")
            let (long, short) = (method.accuracy[15], method.fullTestAccuracy[15])
            let se = (long * (1 - long) / Double(metrics.simulatedImages)
                      + short * (1 - short) / Double(metrics.fullTestImages)).squareRoot()
            #expect(abs(long - short) <= 4 * max(se, 0.01), "\(method.method): \(long) vs \(short)")
        }
        // ε¹(t) ≤ Ω¹/t for the first hidden layer (constant input), and every fit curve decays.
        #expect(metrics.firstLayerBoundWorstRatio <= 1 + 1e-6)
        for fit in metrics.fitCurves {
            #expect(fit.omegas.allSatisfy { $0 >= 1 - 1e-6 })
            for curve in fit.errors { #expect(curve.last! < curve.first!) }
        }
        // Every kept RIL checkpoint respects the tolerance rule.
        for c in metrics.rilTrajectory where c.selected {
            #expect(c.validationAccuracy >= metrics.rilReferenceValidationAccuracy - tolerance - 1e-9)
        }
        // Each stage draws from its own random stream: with both ANNs now loaded from the cache,
        // the recomputed RIL and simulation see the same batches and give the same numbers.
        let again = try runSmoke("rnl", arguments: ["--threads", "1", "--rerun", "ril"], output: output)
            .metrics(as: RNLMetrics.self)
        #expect(again.rilTrajectory.map(\.p) == metrics.rilTrajectory.map(\.p))
        #expect(again.rilTrajectory.map(\.validationAccuracy) == metrics.rilTrajectory.map(\.validationAccuracy))
        #expect(again.methods.map(\.accuracy) == metrics.methods.map(\.accuracy))
        // The memory budget sizes the simulation's image groups and the buffer pool, never a
        // result: the smallest budget (64 MiB, many small groups) gives the same curves and rates.
        let small = try runSmoke("rnl", arguments: ["--threads", "1", "--rerun", "snn", "--memory-budget", "64"],
                                 output: output).metrics(as: RNLMetrics.self)
        #expect(small.methods.map(\.accuracy) == metrics.methods.map(\.accuracy))
        #expect(small.methods.map(\.firingRates) == metrics.methods.map(\.firingRates))
        // Its exercises, against this run (ExerciseTests.swift).
        try checkRNLExercises(plain: output)
    }
}
