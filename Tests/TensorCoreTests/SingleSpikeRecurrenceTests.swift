import Testing
import TensorCore

/// The single-spike recurrence's kernels against a per-neuron loop written from its equations
/// (h[t] = λ·u[t−1] + x[t] until the neuron fires at h ≥ θ, frozen afterwards), and the
/// inference kernel against the training one, bit for bit, in both storage layouts.
@Suite struct SingleSpikeRecurrenceTests {
    /// [T·N, C, H, W] inputs with C a multiple of 16, so the blocked layout can hold them.
    func input(timesteps: Int, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.uniform(shape: [timesteps * 3, 32, 5, 4], low: -0.4, high: 0.7, using: &rng)
    }

    @Test func forwardMatchesThePerNeuronLoop() {
        let (T, theta, leak): (Int, Float, Float) = (7, 1, 0.9)
        let x = input(timesteps: T, seed: 3)
        let trace = SingleSpikeRecurrence(threshold: theta, leak: leak).forward(x, timesteps: T)
        let (xs, s, h) = (x.scalars, trace.spikes.scalars, trace.membranes.scalars)
        let m = x.count / T
        var firing = 0
        for i in 0..<m {
            var u: Float = 0, fired = 0
            for t in 0..<T {
                let k = t * m + i
                if fired == 0 {
                    u = leak * u + xs[k]
                    #expect(s[k] == (u >= theta ? 1 : 0))
                    if u >= theta { fired = t + 1 }
                } else {
                    #expect(s[k] == 0)
                }
                #expect(h[k] == u)
            }
            #expect(Int(trace.fireStep[i]) == fired)
            if fired > 0 { firing += 1 }
        }
        #expect(firing > m / 10 && firing < m, "the inputs should make some neurons fire, not all")
    }

    @Test(arguments: [TensorLayout.rowMajor, .channelBlocked16])
    func inferenceEqualsForwardTimesAmplitude(layout: TensorLayout) {
        let (T, theta, leak): (Int, Float, Float) = (6, 0.8, 0.95)
        let x = input(timesteps: T, seed: 5)
        let recurrence = SingleSpikeRecurrence(threshold: theta, leak: leak)
        var expected = recurrence.forward(x, timesteps: T).spikes
        expected.scale(by: theta)
        let output = recurrence.infer(x.converted(to: layout), timesteps: T, amplitude: theta)
        #expect(output.layout == layout && output.shape == x.shape)
        #expect(output.scalars == expected.scalars)   // row-major view, bit for bit
        #expect(expected.scalars.contains(theta))
    }

    @Test(arguments: [TensorLayout.rowMajor, .channelBlocked16])
    func countsDoNotDependOnTheLayout(layout: TensorLayout) {
        let T = 4
        var x = input(timesteps: T, seed: 9)
        x = x.map { $0 > 0.5 ? 1 : 0 }
        let values = x.scalars, m = x.count / T
        var perNeuron = [Int](repeating: 0, count: m)
        for t in 0..<T { for i in 0..<m where values[t * m + i] != 0 { perNeuron[i] += 1 } }
        let stored = x.converted(to: layout)
        #expect(stored.nonZeroCount() == perNeuron.reduce(0, +))
        let counts = stored.nonZeroCountsOverSteps(T)
        #expect(counts.total == perNeuron.reduce(0, +) && counts.largest == perNeuron.max())
        #expect(counts.largest > 1)
    }
}
