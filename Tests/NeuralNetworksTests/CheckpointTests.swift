import Testing
import Foundation
import NeuralNetworks
import TensorCore
import Autodiff

@Suite struct CheckpointTests {
    @Test func safetensorsRoundTripIsBitExact() throws {
        var rng = SeededGenerator(seed: 5)
        let model = VGG.make(VGG.small, inputChannels: 1, inputSize: 28, classes: 10, classifier: [16], using: &rng)
        // Make BatchNorm statistics non-trivial.
        var context = ForwardContext(phase: .training)
        _ = model.forward(Variable(Tensor.normal(shape: [4, 1, 28, 28], using: &rng)), context: &context)
        let data = try NetworkState.encode(model, metadata: ["note": "test"])
        var other = SeededGenerator(seed: 77)
        let copy = VGG.make(VGG.small, inputChannels: 1, inputSize: 28, classes: 10, classifier: [16], using: &other)
        try NetworkState.decode(data, into: copy)
        let a = NetworkState.tensors(of: model), b = NetworkState.tensors(of: copy)
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) { #expect(x.name == y.name && x.tensor == y.tensor) }
        let input = Tensor.normal(shape: [2, 1, 28, 28], using: &rng)
        #expect(model(input) == copy(input))
    }

    @Test func masksSurviveACheckpointRoundTrip() throws {
        var rng = SeededGenerator(seed: 6)
        let model = tinySparseNet(&rng)
        let sparse = SparseMomentum(weights: weightParameters(of: model), density: 0.3, using: &rng)
        var sgd = SGD(learningRate: 0.05, weightDecay: 1e-2)
        let images = Tensor.normal(shape: [6, 1, 8, 8], using: &rng)
        let labels = [0, 1, 2, 0, 1, 2]
        _ = classificationStep(model, images: images, labels: labels, optimizer: &sgd, rng: &rng)
        sparse.pruneAndRegrow(rate: 0.3, momentum: sgd)
        _ = classificationStep(model, images: images, labels: labels, optimizer: &sgd, rng: &rng)
        let data = try NetworkState.encode(model)
        // Decode into a dense network with different values.
        var other = SeededGenerator(seed: 78)
        let copy = tinySparseNet(&other)
        try NetworkState.decode(data, into: copy)
        for (p, q) in zip(weightParameters(of: model), weightParameters(of: copy)) {
            let mask = try #require(q.mask, "the checkpoint must carry the mask")
            #expect(mask == p.mask)
            #expect(q.value == p.value)
            #expect(mask.scalars.indices.allSatisfy { mask[flat: $0] != 0 || q.value[flat: $0] == 0 })
        }
        // The restored masks are live: training the copy keeps its masked weights at exactly 0.
        var sgd2 = SGD(learningRate: 0.05, weightDecay: 1e-2)
        _ = classificationStep(copy, images: images, labels: labels, optimizer: &sgd2, rng: &rng)
        for q in weightParameters(of: copy) {
            #expect(q.mask!.scalars.indices.allSatisfy { q.mask![flat: $0] != 0 || q.value[flat: $0] == 0 })
        }
        // A dense checkpoint restores a dense network: stale masks are cleared.
        let dense = try NetworkState.encode(tinySparseNet(&other))
        try NetworkState.decode(dense, into: copy)
        #expect(weightParameters(of: copy).allSatisfy { $0.mask == nil })
    }

    @Test func safetensorsHeaderIsReadableByOtherTools() throws {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let data = try Safetensors.encode([("w", t)])
        let length = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        #expect(length % 8 == 0)
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any]
        let entry = header?["w"] as? [String: Any]
        #expect(entry?["dtype"] as? String == "F32")
        #expect(entry?["shape"] as? [Int] == [2, 3])
        #expect(entry?["data_offsets"] as? [Int] == [0, 24])
        #expect(data.count == 8 + length + 24)
    }

    @Test func corruptFilesAreRejected() {
        #expect(throws: Safetensors.Error.self) { try Safetensors.decode(Data([1, 2, 3])) }
        var bad = Data()
        withUnsafeBytes(of: UInt64(1000).littleEndian) { bad.append(contentsOf: $0) }
        bad.append(contentsOf: [UInt8](repeating: 0x20, count: 16))
        #expect(throws: Safetensors.Error.self) { try Safetensors.decode(bad) }
    }
}
