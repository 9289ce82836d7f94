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
    var annAccuracyOnFullTest: Double
    var annAccuracyOnSweep: Double
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
        #expect(m.annAccuracyOnFullTest > 0.3)                       // chance is 0.1
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
        // Conversion curves: one simulation reaches T_max, and energy grows with T (the spikes
        // counted through step T, plus the first layer's MACs at every step).
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
            #expect(m.annAccuracyOnSweep - last.accuracy <= 0.15)   // T_max: the sweep's images
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
        try classicReadsTheSameConversions(compare: m, cache: smokeCache(of: output))
    }

    /// chapter-classic run on compare's cache loads the three reset-by-subtraction conversions
    /// compare simulated (ChapterSupport's shared conversion stages) instead of simulating them,
    /// and reports the same curves: classic's long sweep at T > 16 and its full-test accuracy at
    /// T ≤ 16 are compare's points.
    private func classicReadsTheSameConversions(compare m: CompareMetrics, cache: URL) throws {
        let output = temporaryRunFolder("classic-on-compare-cache")
        let (record, log) = try runSmokeWithLog("classic", output: output, cache: cache)
        let loaded = log.stages.filter { $0.stage == "conversion-sweep" && $0.outcome == .loaded }
        #expect(loaded.count == 3, "max-norm and both percentiles with reset by subtraction come from compare's run")
        let classic = try record.metrics(as: ClassicConversions.self)
        let keys = ["max-norm": ClassicConversions.Rule.maxActivation,
                    "percentile-99.9": .percentile(99.9), "percentile-99.99": .percentile(99.99)]
        for (key, rule) in keys {
            let ours = try #require(m.methods.first { $0.key == key })
            let theirs = try #require(classic.methods.first { $0.method.rule == rule && $0.method.reset == "subtraction" })
            for p in ours.points {
                let expected = p.timesteps <= theirs.fullTestAccuracy.count
                    ? theirs.fullTestAccuracy[p.timesteps - 1] : theirs.accuracy[p.timesteps - 1]
                // The same correct-image count (classic multiplies by 1/images, compare divides).
                #expect(abs(p.accuracy - expected) < 1e-12, "\(key) at T = \(p.timesteps)")
            }
        }
    }
}

/// The part of chapter-classic's results.json the shared-conversion check reads.
private struct ClassicConversions: Decodable {
    enum Rule: Equatable { case maxActivation, percentile(Double), other }
    struct Method: Decodable {
        var rule: Rule
        var reset: String
        enum CodingKeys: String, CodingKey { case balancing, reset }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            reset = try c.decode(String.self, forKey: .reset)
            let balancing = try c.decode([String: [String: Double]].self, forKey: .balancing)
            if balancing["maxActivation"] != nil { rule = .maxActivation }
            else if let p = balancing["percentile"]?["_0"] { rule = .percentile(p) }
            else { rule = .other }
        }
    }
    struct Result: Decodable {
        var method: Method
        var accuracy: [Double]
        var fullTestAccuracy: [Double]
    }
    var methods: [Result]
}
