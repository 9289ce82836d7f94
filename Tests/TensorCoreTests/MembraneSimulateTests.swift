import Testing
import TensorCore
import _TestSupport

/// The membrane recurrence's kernels: the training forward against the recurrence written out
/// one neuron and step at a time, and the inference kernel (C, 16 lanes wide) against the
/// training forward — the same spikes, the same membranes, bit for bit, for IF and LIF, both
/// resets, a constant input, and membranes carried over between calls.
@Suite("Membrane recurrence kernels")
struct MembraneSimulateTests {
    static func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }
    static func bits(_ a: [Float]) -> [UInt32] { a.map(\.bitPattern) }

    /// h = λ·u + x; s = (h ≥ θ); u = h − s·(k·θ + (1 − k)·h), one neuron and step at a time.
    static func reference(_ x: [Float], m: Int, timesteps: Int, initial: [Float], theta: Float, leak: Float,
                          reset: MembraneReset) -> (spikes: [Float], pre: [Float], u: [Float]) {
        let keepCharge: Float = reset == .subtractThreshold ? 1 : 0
        var u = initial, spikes = [Float](repeating: 0, count: x.count), pre = spikes
        for t in 0..<timesteps {
            for i in 0..<m {
                let h = leak * u[i] + x[t * m + i]
                let s: Float = h >= theta ? 1 : 0
                pre[t * m + i] = h
                spikes[t * m + i] = s
                u[i] = h - s * (keepCharge * theta + (1 - keepCharge) * h)
            }
        }
        return (spikes, pre, u)
    }

    @Test(arguments: [MembraneReset.subtractThreshold, .toZero], [Float(1), 0.9])
    func forwardIsTheRecurrenceBitForBit(reset: MembraneReset, leak: Float) {
        var rng = SeededGenerator(seed: leak == 1 ? 13 : 14)
        let (m, timesteps) = (Parallelism.minimumElementsPerWorker + 21, 7)
        let x = Tensor.uniform(shape: [timesteps * m], low: -0.4, high: 0.9, using: &rng)
        let initial = Tensor.uniform(shape: [m], low: -0.5, high: 0.5, using: &rng)
        let expected = Self.reference(x.scalars, m: m, timesteps: timesteps, initial: initial.scalars, theta: 0.7,
                                      leak: leak, reset: reset)
        let recurrence = MembraneRecurrence(threshold: 0.7, leak: leak, reset: reset)
        let traced = recurrence.forward(x, timesteps: timesteps, initial: initial, keepTrace: true)
        #expect(Self.bits(traced.spikes) == Self.bits(expected.spikes))
        #expect(Self.bits(traced.preResetMembranes) == Self.bits(expected.pre))
        #expect(Self.bits(traced.finalMembrane) == Self.bits(expected.u))
        let untraced = recurrence.forward(x, timesteps: timesteps, initial: initial, keepTrace: false)
        #expect(Self.bits(untraced.spikes) == Self.bits(expected.spikes))
        #expect(Self.bits(untraced.finalMembrane) == Self.bits(expected.u))
        #expect(expected.spikes.contains(1) && expected.spikes.contains(0), "the test would check nothing")
    }

    @Test(arguments: [MembraneReset.subtractThreshold, .toZero], [Float(1), 0.9])
    func simulateIsTheForwardBitForBit(reset: MembraneReset, leak: Float) {
        var rng = SeededGenerator(seed: leak == 1 ? 3 : 4)
        let (m, timesteps) = (Parallelism.minimumElementsPerWorker + 37, 9)   // two workers, a ragged end
        let x = Tensor.uniform(shape: [timesteps * m], low: -0.4, high: 0.9, using: &rng)
        let initial = Tensor.uniform(shape: [m], low: -0.5, high: 0.5, using: &rng)
        let recurrence = MembraneRecurrence(threshold: 0.7, leak: leak, reset: reset)
        let trace = recurrence.forward(x, timesteps: timesteps, initial: initial, keepTrace: false)

        let a: Float = 0.7   // spikes carry θ
        var membrane = initial, counts = Tensor(shape: [m])
        // In two calls of 4 and 5 steps: the membranes carry over.
        let first = Tensor(shape: [4 * m], scalars: Array(x.scalars[0..<4 * m]))
        let second = Tensor(shape: [5 * m], scalars: Array(x.scalars[4 * m..<9 * m]))
        let (o1, s1) = recurrence.simulate(first, timesteps: 4, membrane: &membrane, spikeCounts: &counts, spikeValue: a)
        let (o2, s2) = recurrence.simulate(second, timesteps: 5, membrane: &membrane, spikeCounts: &counts, spikeValue: a)
        #expect(Self.bits(Tensor(shape: [timesteps * m], scalars: o1.scalars + o2.scalars))
                == Self.bits(trace.spikes.map { $0 * a }))
        #expect(Self.bits(membrane) == Self.bits(trace.finalMembrane))
        let spikes = trace.spikes.scalars
        let perNeuron = (0..<m).map { i in (0..<timesteps).reduce(Float(0)) { $0 + spikes[$1 * m + i] } }
        #expect(counts.scalars == perNeuron)
        #expect(s1 + s2 == (0..<timesteps).map { t in (0..<m).filter { spikes[t * m + $0] != 0 }.count })
        #expect(spikes.contains(1) && spikes.contains(0), "the test would check nothing")
    }

    @Test(arguments: [MembraneReset.subtractThreshold, .toZero])
    func constantInputIsTheRepeatedInput(reset: MembraneReset) {
        var rng = SeededGenerator(seed: 8)
        let (m, timesteps) = (1_000, 6)
        let step = Tensor.uniform(shape: [m], low: -0.2, high: 0.8, using: &rng)
        let repeated = Tensor(shape: [timesteps * m], scalars: Array(repeating: step.scalars, count: timesteps).flatMap { $0 })
        let recurrence = MembraneRecurrence(threshold: 0.5, leak: 1, reset: reset)
        var (u1, c1) = (Tensor(shape: [m]), Tensor(shape: [m]))
        var (u2, c2) = (Tensor(shape: [m]), Tensor(shape: [m]))
        let constant = recurrence.simulate(step, timesteps: timesteps, membrane: &u1, spikeCounts: &c1, spikeValue: 1,
                                           constantInput: true)
        let full = recurrence.simulate(repeated, timesteps: timesteps, membrane: &u2, spikeCounts: &c2, spikeValue: 1)
        #expect(Self.bits(constant.output) == Self.bits(full.output))
        #expect(Self.bits(u1) == Self.bits(u2) && constant.spikesPerStep == full.spikesPerStep)
        #expect(constant.spikesPerStep.reduce(0, +) > 0)
    }
}
