import Testing
import Foundation
import NeuralNetworks

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
