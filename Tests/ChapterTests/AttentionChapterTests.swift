import ChapterSupport
import Foundation
import Testing

/// The part of chapter-attention's results.json these checks read.
private struct AttentionMetrics: Decodable {
    struct Trace: Decodable { var nonZeroAfterRewiring: [Int]; var budget: Int; var epochLosses: [Double] }
    struct Student: Decodable {
        var arm: String; var density: Double; var annAccuracy: Double
        var compressionRatio: Double; var layerDensities: [Double]; var trace: Trace
    }
    struct Channel: Decodable { var maxShrinkError: Double; var compressionRatio: Double; var macsRatio: Double }
    struct SNN: Decodable {
        var name: String; var density: Double?; var accuracy: Double
        var spikesPerNeuron: [Double]; var accumulates: Double; var leaks: [Double]
    }
    struct Energy: Decodable { var model: String; var relativeToDenseANN: Double }
    struct IsoParameterANN: Decodable { var weights: Int; var targetWeights: Int; var widthFactor: Double; var annAccuracy: Double }
    var metaAccuracy: Double
    var timesteps: Int
    var students: [Student]
    var channels: [Channel]
    var snns: [SNN]
    var energy: [Energy]
    var isoParameterANN: IsoParameterANN
}

@Suite(.serialized) struct AttentionChapterTests {
    @Test func smokeRunKeepsTheChapterInvariantsAndItsExercisesQuoteIt() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("chapter-attention-\(UUID().uuidString)")
        // One thread: sums in a fixed order, so two runs can be compared bit for bit below.
        let m = try runSmoke("attention", arguments: ["--threads", "1"], output: output)
            .metrics(as: AttentionMetrics.self)
        #expect(m.metaAccuracy > 0.3)                                          // chance is 0.1
        #expect(Set(m.students.map(\.arm)) == ["sparseMomentumAT", "sparseMomentum", "oneShot"])
        for s in m.students {
            // The global budget is exact after every prune/regrow, and CR = 1/d within rounding.
            #expect(s.trace.nonZeroAfterRewiring.allSatisfy { $0 == s.trace.budget }, "\(s.arm) \(s.density)")
            #expect(abs(s.compressionRatio * s.density - 1) < 0.05, "\(s.arm) \(s.density)")
            #expect(s.layerDensities.allSatisfy { (0...1).contains($0) })
        }
        for c in m.channels {
            #expect(c.maxShrinkError < 1e-3)           // shrinking does not change the function
            #expect(c.compressionRatio > 1 && c.macsRatio > 1)
        }
        let dense = try #require(m.snns.first { $0.name == "dense" })
        #expect(dense.accuracy > 0.2)
        for snn in m.snns {
            #expect(snn.spikesPerNeuron.allSatisfy { $0 >= 0 && $0 <= Double(m.timesteps) }, "\(snn.name)")
            #expect(snn.leaks.allSatisfy { $0 <= 1 })
        }
        // Accumulates over non-zero synapses fall with density.
        let sparse = m.snns.filter { $0.density != nil }.sorted { $0.density! > $1.density! }
        for (a, b) in zip(sparse, sparse.dropFirst()) { #expect(b.accumulates < a.accumulates, "\(a.name) → \(b.name)") }
        #expect(m.energy.first?.model == "dense ANN" && m.energy.count >= 5)
        // The iso-parameter dense ANN: narrower (one width factor), about as many weights as the
        // sparse student at the energy density (the smoke net's widths are small: rounding
        // moves the count by up to ~15 %), and in the energy table. (At smoke it has a few
        // channels and stays near chance after 2 epochs; the quick run's is well above.)
        let iso = m.isoParameterANN
        #expect(iso.widthFactor > 0 && iso.widthFactor < 1)
        #expect(abs(Double(iso.weights - iso.targetWeights)) / Double(iso.targetWeights) < 0.2, "\(iso.weights) vs \(iso.targetWeights)")
        #expect((0...1).contains(iso.annAccuracy))
        let isoEnergy = try #require(m.energy.first { $0.model == "dense ANN, as many weights" })
        #expect(isoEnergy.relativeToDenseANN > 0 && isoEnergy.relativeToDenseANN < 1)

        // Each stage draws from its own random stream: with the meta-model now loaded from the
        // cache, the recomputed students see exactly the same batches and masks as before.
        let again = try runSmoke("attention", arguments: ["--threads", "1", "--rerun", "students"], output: output)
            .metrics(as: AttentionMetrics.self)
        #expect(again.students.map(\.trace.epochLosses) == m.students.map(\.trace.epochLosses))
        #expect(again.students.map(\.annAccuracy) == m.students.map(\.annAccuracy))
        #expect(again.snns.map(\.accuracy) == m.snns.map(\.accuracy))
        // Its exercises, against this run (ExerciseTests.swift).
        try checkAttentionExercises(plain: output)
    }
}
