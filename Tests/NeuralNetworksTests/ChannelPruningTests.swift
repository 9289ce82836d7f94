import NeuralNetworks
import Testing
import _TestSupport
import TensorCore
import Autodiff

@Suite struct ChannelPruningTests {
    @Test func masksKeepTheTopScoredChannelsPerLayer() {
        let masks = channelMasks(scores: [[3, 1, 2, 0], [0, 5, 1, 4, 2, 3]], keptFraction: 0.5)
        #expect(masks == [[true, false, true, false], [false, true, false, true, false, true]])
        // ⌈0.25·4⌉ = 1, raised to the minimum of 2.
        #expect(channelMasks(scores: [[3, 1, 2, 0]], keptFraction: 0.25, minimum: 2) == [[true, false, true, false]])
    }

    @Test func applyingMasksZeroesDroppedFiltersAndTheirReaders() {
        var rng = SeededGenerator(seed: 5)
        let net = tinySparseNet(&rng)
        let masks: ChannelMasks = [[true, false, true, false], [true, true, false, false, true, false]]
        applyChannelMasks(masks, to: net, inputShape: [1, 8, 8])
        let images = Tensor.normal(shape: [3, 1, 8, 8], using: &rng)
        var context = ForwardContext.inference
        let outputs = net.forwardCollecting(Variable(images), context: &context)
        // Output channels 1 and 3 of the first conv are exactly zero for any input.
        let first = outputs[0].value                               // [3, 4, 8, 8]
        for n in 0..<3 { for c in [1, 3] { for q in 0..<64 { #expect(first[flat: (n * 4 + c) * 64 + q] == 0) } } }
        // The second conv reads no dropped input channel: its weights there are 0.
        let w2 = weightParameters(of: net)[1].value                // [6, 4, 3, 3]
        for k in 0..<6 { for e in 0..<9 { #expect(w2[flat: (k * 4 + 1) * 9 + e] == 0) } }
        // The first linear layer reads 2×2 features per channel; dropped channels' blocks are 0.
        let w3 = weightParameters(of: net)[2].value                // [8, 24]
        for r in 0..<8 { for c in [2, 3, 5] { for q in 0..<4 { #expect(w3[flat: r * 24 + c * 4 + q] == 0) } } }
        #expect(w3.scalars.filter { $0 != 0 }.count == 8 * 12)
    }

    @Test func shrinkingKeepsTheMaskedFunctionWithFewerParameters() {
        var rng = SeededGenerator(seed: 6)
        let net = tinySparseNet(&rng)
        // Score channels by filter norm (any saliency works for the mechanics).
        let scores = weightParameters(of: net).prefix(2).map { p -> [Double] in
            let k = p.value.shape[0], inner = p.value.count / k
            return (0..<k).map { c in (0..<inner).reduce(0.0) { $0 + Double(p.value[flat: c * inner + $1] * p.value[flat: c * inner + $1]) } }
        }
        let masks = channelMasks(scores: Array(scores), keptFraction: 0.5, minimum: 2)
        #expect(masks.map { $0.filter { $0 }.count } == [2, 3])
        applyChannelMasks(masks, to: net, inputShape: [1, 8, 8])
        let small = shrinkChannels(net, channels: masks, inputShape: [1, 8, 8])
        let images = Tensor.normal(shape: [5, 1, 8, 8], using: &rng)
        #expect(maxAbsoluteDifference(net(images), small(images)) < 1e-5)
        // conv 1→2 (18) + conv 2→3 (54) + linear 12→8 (96) + linear 8→3 (24).
        #expect(small.parameterCount == 18 + 54 + 96 + 24)
        #expect(net.parameterCount == 36 + 216 + 192 + 24)
    }
}
