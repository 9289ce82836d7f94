import ChapterSupport
import RunRecords
import Foundation
import Testing

/// The part of chapter-hoyer's results.json these checks read.
private struct HoyerMetrics: Decodable {
    struct Variant: Decodable {
        var key: String
        var accuracy: Double
        var spikeRates: [Double]
        var meanSpikeRate: Double?
        var nonBinaryFraction: Double?
        var nearThresholdFraction: Double?
        var energy: Energy
        struct Energy: Decodable { var ratioToANN: Double }
    }
    struct NoiseCurve: Decodable {
        var key: String
        var relativeStd: [Double]
        var accuracy: [Double]
    }
    var chanceAccuracy: Double
    var annAccuracy: Double
    var variants: [Variant]
    var regulariserSweep: [SweepPoint]
    var noiseRobustness: [NoiseCurve]
    var replication: Replication?
    struct Replication: Decodable {
        struct Spread: Decodable {
            var mean, standardDeviation, standardError, minimum, maximum: Double
        }
        struct Row: Decodable {
            var key: String
            var accuracy, differenceToANN: [Double]
            var accuracySpread, differenceToANNSpread: Spread
        }
        var trainingSeeds: [UInt64]
        var rows: [Row]
    }
    struct SweepPoint: Decodable { var regularisationWeight: Double; var meanSpikeRate: Double }

    func variant(_ key: String) -> Variant? { variants.first { $0.key == key } }
}

@Suite(.serialized) struct HoyerChapterTests {
    @Test func smokeRunKeepsTheChapterInvariants() throws {
        let (record, log) = try runSmokeWithLog("hoyer", arguments: ["--seed-replicates", "1"])
        let metrics = try record.metrics(as: HoyerMetrics.self)
        #expect(log.stages.contains { $0.stage == "hoyer-sum-reg" })
        // Smoke trains a 3-conv net on 1k images for one epoch: the ANN is clearly above
        // chance (0.1) but far from converged (measured ≈ 0.35).
        #expect(metrics.annAccuracy > metrics.chanceAccuracy + 0.1)
        let spiking = metrics.variants.filter { $0.key != "ann" }
        #expect(spiking.count == 4)
        for v in spiking {
            #expect(v.nonBinaryFraction == 0, "\(v.key): spike outputs must be exactly 0 or 1")
            #expect(v.spikeRates.allSatisfy { (0...1).contains($0) }, "\(v.key)")
            #expect((0...1).contains(v.nearThresholdFraction ?? -1), "\(v.key)")
            // At T = 1 only the first layer multiplies: the SNN spends less than the ANN.
            #expect(v.energy.ratioToANN > 0 && v.energy.ratioToANN < 1, "\(v.key)")
        }
        // The regulariser does not raise the spike rate. Slack 0.05: after one smoke epoch
        // the two runs differ by < 0.01 (same seed, same batches).
        let plain = try #require(metrics.variant("hoyer-sum")?.meanSpikeRate)
        let regularised = try #require(metrics.variant("hoyer-sum-reg")?.meanSpikeRate)
        #expect(regularised <= plain + 0.05)
        // Noise curves start at the clean accuracy of their subset and stay in [0, 1].
        for curve in metrics.noiseRobustness {
            #expect(curve.relativeStd.first == 0 && curve.accuracy.count == curve.relativeStd.count)
            #expect(curve.accuracy.allSatisfy { (0...1).contains($0) }, "\(curve.key)")
        }
        let lambdas = metrics.regulariserSweep.map(\.regularisationWeight)
        #expect(lambdas.first == 0 && lambdas == lambdas.sorted())
        try expectConsistentReplication(metrics, record: record, log: log)
    }

    /// With --threads 2 the networks train in two worker processes of one thread each; the
    /// results must be exactly those of one process on one thread. The parallel run also
    /// writes its SNNs as NIR (`--export-nir`), which must not change a number either.
    @Test func workerProcessesComputeExactlyWhatOneThreadComputes() throws {
        let nir = FileManager.default.temporaryDirectory.appendingPathComponent("hoyer-nir-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: nir) }
        let (parallel, parallelLog) = try runSmokeWithLog(
            "hoyer", arguments: ["--threads", "2", "--export-nir", nir.path])
        let (serial, serialLog) = try runSmokeWithLog("hoyer", arguments: ["--threads", "1"])
        #expect(parallel.metrics == serial.metrics)
        // One T = 1 file per SNN variant (the ANN has ReLUs, not spikes), listed in results.json.
        let files = ["hoyer-fixed.nir", "hoyer-hoyer-sum.nir", "hoyer-hoyer-sum-reg.nir",
                     "hoyer-hoyer-cw-reg.nir", "hoyer-sweep-x10.0.nir"]
        #expect(parallel.nirFiles == files && serial.nirFiles == nil)
        for file in files {
            #expect(FileManager.default.fileExists(atPath: nir.appendingPathComponent(file).path), "\(file)")
        }
        // Every network of the parallel run was computed (by a worker), each stage reported once.
        let names = parallelLog.stages.map(\.stage)
        #expect(Set(names).count == names.count)
        #expect(serialLog.stages.filter { $0.stage != "figures" }.map(\.stage).sorted()
                == parallelLog.stages.filter { $0.stage != "figures" }.map(\.stage).sorted())
        #expect(parallelLog.stages.allSatisfy { $0.outcome == .computed })
    }

    @Test func anOutOfRangeReplicateCountIsRejected() throws {
        let (status, message) = try runRejected("hoyer", arguments: ["--seed-replicates", "21"])
        #expect(status == 64)
        #expect(message.contains("--seed-replicates must be an integer in [0, 20] (got 21)"), "\(message)")
    }

    /// `--seed-replicates 1`: the run's own seed is column 0 (the main results, unchanged),
    /// the extra seed really retrains, and every summary follows from the per-seed values.
    private func expectConsistentReplication(
        _ metrics: HoyerMetrics, record: RunRecord, log: RunLog
    ) throws {
        let replication = try #require(metrics.replication)
        #expect(replication.trainingSeeds.count == 2 && replication.trainingSeeds[0] == record.seed)
        #expect(replication.rows.map(\.key) == metrics.variants.map(\.key))
        #expect(log.stages.contains { $0.stage == "hoyer-sum-r1" && $0.outcome == .computed })
        let ann = try #require(replication.rows.first)
        for row in replication.rows {
            #expect(row.accuracy[0] == metrics.variant(row.key)?.accuracy, "\(row.key)")
            #expect(row.differenceToANN == zip(row.accuracy, ann.accuracy).map { $0 - $1 })
            let spread = row.accuracySpread
            let mean = row.accuracy.reduce(0, +) / 2
            let sd = abs(row.accuracy[0] - row.accuracy[1]) / 2.0.squareRoot()
            #expect(abs(spread.mean - mean) < 1e-12 && abs(spread.standardDeviation - sd) < 1e-12)
            #expect(abs(spread.standardError - sd / 2.0.squareRoot()) < 1e-12)
            #expect(spread.minimum == row.accuracy.min() && spread.maximum == row.accuracy.max())
        }
        // A new seed gives new weights and batches: some variant's accuracy changes.
        #expect(replication.rows.contains { $0.accuracy[1] != $0.accuracy[0] })
    }
}
