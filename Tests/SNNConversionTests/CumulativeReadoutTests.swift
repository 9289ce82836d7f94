import SNNConversion
import Testing
import TensorCore

/// One simulation of T_max steps gives the same read-out at every T as a separate simulation
/// of T steps (the prefix property of docs/conversion-notes.md §0.9), bit for bit when the chunking is the same.
@Suite struct CumulativeReadoutTests {
    @Test(arguments: [1, 5, 17])
    func prefixOfOneSimulationEqualsASeparateSimulation(t: Int) throws {
        let ann = seededMLP(seed: 31)
        var rng = SeededGenerator(seed: 32)
        let x = seededInputs(50, seed: 33)
        let thresholds = try balanceThresholds(of: ann, on: [x], using: .percentile(99.9), using: &rng)
        let snn = try convert(ann, thresholds: thresholds, reset: .subtraction)
        let labels = (0..<50).map { $0 % 10 }
        // chunk 1: every step is the same [N, …] forward pass in both runs, so the sums agree exactly.
        let long = snn.simulate(x, timesteps: 32, encoding: .direct, chunk: 1, using: &rng)
        let short = snn.simulate(x, timesteps: t, encoding: .direct, chunk: 1, using: &rng)
        let k = 10 * 50
        let longCumulative = long.cumulativeOutputs().scalars, shortCumulative = short.cumulativeOutputs().scalars
        #expect(Array(longCumulative[(t - 1) * k..<t * k]) == Array(shortCumulative[(t - 1) * k..<t * k]))
        #expect(long.correctByTimestep(labels: labels)[t - 1] == short.correctByTimestep(labels: labels)[t - 1])
        let evaluation = accuracyByTimestep(of: snn, on: [(images: x, labels: labels)], timesteps: 32, chunk: 1,
                                            using: &rng)
        #expect(evaluation.accuracy[t - 1] == Double(short.correctByTimestep(labels: labels)[t - 1]) / 50)
    }
}
