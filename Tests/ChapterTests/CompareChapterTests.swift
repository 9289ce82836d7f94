import ChapterSupport
import Foundation
import Testing

/// The part of chapter-compare's results.json these checks read.
private struct CompareMetrics: Decodable {
    struct Point: Decodable {
        var timesteps: Int
        var accuracy: Double
        var spikesPerNeuron: Double
        var energyRatioFloat32: Double
        var energyRatioInt32: Double
    }
    struct Method: Decodable {
        var key: String
        var cumulativeReadout: Bool
        var points: [Point]
    }
    struct FrontPoint: Decodable {
        var energyRatioFloat32: Double
        var accuracy: Double
    }
    var annAccuracyOnSimulated: Double
    var maxTimesteps: Int
    var methods: [Method]
    var paretoFront: [FrontPoint]
}

@Suite(.serialized) struct CompareChapterTests {
    @Test func smokeRunKeepsTheChapterInvariantsAndItsExercisesQuoteIt() throws {
        let output = temporaryRunFolder("compare")
        // With --export-nir: the three conversions, RNL, Hoyer's T = 1 network and the attention
        // SNN, in the order the chapter runs them (ultralow starts at θ/2 and hybrid's neurons
        // fire once: neither has a NIR form; tools/nir/validate reads the files with nir).
        let nir = FileManager.default.temporaryDirectory.appendingPathComponent("compare-nir-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: nir) }
        let record = try runSmoke("compare", arguments: ["--export-nir", nir.path], output: output)
        let files = ["max-norm", "percentile-99.9", "percentile-99.99", "rnl", "hoyer", "attention"]
            .map { "compare-\($0).nir" }
        #expect(record.nirFiles == files)
        for file in files {
            #expect(FileManager.default.fileExists(atPath: nir.appendingPathComponent(file).path), "\(file)")
        }
        let m = try record.metrics(as: CompareMetrics.self)
        #expect(m.annAccuracyOnSimulated > 0.3)                       // chance is 0.1
        let keys = Set(m.methods.map(\.key))
        for key in ["max-norm", "percentile-99.9", "percentile-99.99", "rnl", "ultralow-fitted",
                    "ultralow-finetuned", "hybrid", "hoyer", "attention"] {
            #expect(keys.contains(key), "missing method \(key)")
        }
        for method in m.methods {
            #expect(!method.points.isEmpty, "\(method.key)")
            for p in method.points {
                #expect((0...1).contains(p.accuracy), "\(method.key) T=\(p.timesteps)")
                #expect(p.spikesPerNeuron >= 0, "\(method.key) T=\(p.timesteps)")
                #expect(p.energyRatioFloat32 > 0 && p.energyRatioInt32 > 0, "\(method.key) T=\(p.timesteps)")
            }
            // T strictly increasing, within 1…T_max.
            let ts = method.points.map(\.timesteps)
            #expect(ts == ts.sorted() && Set(ts).count == ts.count && ts.allSatisfy { (1...m.maxTimesteps).contains($0) })
        }
        // Hoyer is a T = 1 method: exactly one point, at T = 1.
        #expect(m.methods.first { $0.key == "hoyer" }?.points.map(\.timesteps) == [1])
        // Conversion curves: one simulation reaches T_max, and energy grows with T (constant-rate
        // ledger: ratio(T) = MACs₁·T·E_MAC + ACs·T/T_max, linear in T).
        for method in m.methods where method.cumulativeReadout {
            #expect(method.points.last?.timesteps == m.maxTimesteps, "\(method.key)")
            let e = method.points.map(\.energyRatioFloat32)
            #expect(zip(e, e.dropFirst()).allSatisfy { $0 < $1 }, "\(method.key)")
        }
        // Max-norm with reset by subtraction: better at T_max than at T = 1, and within Δ of the
        // ANN at T_max. Δ = 15 points: smoke trains one epoch on 2k images, simulates 200 images
        // to T = 64 only, and max-norm is the slowest method by design.
        if let maxNorm = m.methods.first(where: { $0.key == "max-norm" }),
           let first = maxNorm.points.first, let last = maxNorm.points.last {
            #expect(last.accuracy >= first.accuracy)
            #expect(m.annAccuracyOnSimulated - last.accuracy <= 0.15)
        }
        // The Pareto front: sorted by energy with strictly rising accuracy, and no measured point
        // has lower-or-equal energy and higher accuracy than a front point.
        let front = m.paretoFront
        #expect(!front.isEmpty)
        #expect(zip(front, front.dropFirst()).allSatisfy {
            $0.energyRatioFloat32 <= $1.energyRatioFloat32 && $0.accuracy < $1.accuracy })
        let all = m.methods.flatMap(\.points)
        for f in front {
            #expect(f.accuracy > 0.1)                                  // chance points are excluded
            #expect(!all.contains { $0.energyRatioFloat32 <= f.energyRatioFloat32 && $0.accuracy > f.accuracy })
        }
        // Its exercises, against this run (ExerciseTests.swift).
        try checkCompareExercises(plain: output)
    }
}
