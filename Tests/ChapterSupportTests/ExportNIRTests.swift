import Datasets
import Foundation
import NeuralNetworks
import NIRInterchange
import RunRecords
import SpikingNeurons
import TensorCore
import Testing

@testable import ChapterSupport

/// `--export-nir DIR`: the file a chapter writes, what results.json lists, and the chapters that
/// refuse the option.
@Suite struct ExportNIRTests {
    @Test func exportWritesAReadableFileAndListsIt() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let options = try ChapterOptions.parse(["--export-nir", folder.url.path, "--profile", "smoke"])
        let context = try ChapterContext(chapter: "classic", options: options)
        var rng = SeededGenerator(seed: 3)
        let snn = Sequential([Flatten(), Linear(4, 3, using: &rng),
                              SpikingNeuron(threshold: 0.5, reset: .subtraction, amplitude: .threshold),
                              Linear(3, 2, using: &rng)])
        let url = try context.exportNIR(snn, name: "max-norm, reset by subtraction", inputShape: [1, 2, 2],
                                        normalization: Normalization(mean: [0.25], std: [0.5]))
        #expect(url?.lastPathComponent == "classic-max-norm-reset-by-subtraction.nir")
        let graph = try NIRGraph(contentsOf: try #require(url))
        #expect(graph.metadata["input_mean"] == "0.25" && graph.metadata["input_std"] == "0.5")
        #expect(try graph.importedNetwork().network.layers.compactMap { $0 as? SpikingNeuron }.map(\.reset) == [.subtraction])
        let record = try RunRecord(context: context, config: ["k": 1], metrics: ["m": 2])
        #expect(record.nirFiles == ["classic-max-norm-reset-by-subtraction.nir"])
        // Without the option nothing is written and results.json has no list.
        let plain = try ChapterContext(chapter: "classic", options: try ChapterOptions.parse([]))
        #expect(try plain.exportNIR(snn, name: "x", inputShape: [1, 2, 2], normalization: nil) == nil)
        #expect(try RunRecord(context: plain, config: ["k": 1], metrics: ["m": 2]).nirFiles == nil)
    }

    @Test func chaptersThatWriteNoNIRRefuseTheOption() throws {
        let options = try ChapterOptions.parse(["--export-nir", "/tmp/unused-nir-folder"])
        #expect(throws: ChapterError.self) { try ChapterContext(chapter: "hybrid", options: options) }
        #expect(throws: Never.self) { try ChapterContext(chapter: "hoyer", options: options) }
        #expect(throws: Never.self) { try ChapterContext(chapter: "attention", options: options) }
    }

    @Test func anExistingFileIsNotAFolder() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let file = folder.url.appendingPathComponent("f")
        try Data().write(to: file)
        #expect(throws: (any Error).self) { try ChapterOptions.parse(["--export-nir", file.path]) }
        #expect(throws: (any Error).self) { try ChapterOptions.parse(["--export-nir", ""]) }
    }
}
