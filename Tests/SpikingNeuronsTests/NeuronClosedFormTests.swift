import Foundation
import SpikingNeurons
import Testing
import _TestSupport
import TensorCore

// Neuron dynamics against closed forms (docs/conventions.md C7 item 5).
//
// Inputs are x = θ·f for fractions f of three kinds:
// - dyadic (k/16): every sum in the Float32 recurrence is exact, so the closed form holds even
//   at ties (T·f an integer) and the ≥ in the spike condition is tested exactly;
// - decimal (k/10): not representable; T·f is never within 0.2 of an integer for T ∈ {1, 7,
//   64, 256} except at the exact values 1/2 and 1;
// - seeded random fractions, skipped only where T·f is within 1e-3 of an integer (a Float32
//   rounding error of ~T·ulp(θ) could tip the floor there).

struct InputFraction: CustomStringConvertible {
    var value: Double
    var exact: Bool
    var description: String { "\(value)\(exact ? " (exact)" : "")" }
}

let thresholds: [Float] = [0.5, 1, 2]
let sweepTimesteps = [1, 7, 64, 256]

func inputFractions() -> [InputFraction] {
    var fractions = (0...16).map { InputFraction(value: Double($0) / 16, exact: true) }
    fractions += (1...9).map { InputFraction(value: Double($0) / 10, exact: false) }
    var rng = SeededGenerator(seed: 7)
    fractions += (0..<40).map { _ in InputFraction(value: Double(rng.nextUniform()), exact: false) }
    return fractions
}

/// Constant input x = θ·f into one IF layer (one neuron per fraction) for T steps.
func integrateAndFireCounts(threshold: Float, timesteps: Int, fractions: [InputFraction],
                            reset: ResetMode, initialMembrane: InitialMembrane) -> [Int] {
    let neuron = SpikingNeuron(threshold: threshold, reset: reset, initialMembrane: initialMembrane)
    let x = fractions.map { threshold * Float($0.value) }
    let output = runNeuron(neuron, constantInput(x, timesteps: timesteps), timesteps: timesteps).output
    return spikeCounts(output, timesteps: timesteps)
}

@Suite("IF/LIF dynamics against closed forms")
struct NeuronClosedFormTests {
    /// IF, reset by subtraction, u₀ = 0: n = ⌊T·x/θ⌋, hence 0 ≤ x/θ − n/T < 1/T.
    @Test(arguments: thresholds, sweepTimesteps)
    func subtractionFromZeroFiresFloorOfCharge(threshold: Float, timesteps: Int) {
        let fractions = inputFractions()
        let counts = integrateAndFireCounts(threshold: threshold, timesteps: timesteps,
                                            fractions: fractions, reset: .subtraction,
                                            initialMembrane: .zero)
        var checked = 0
        for (f, n) in zip(fractions, counts) {
            let charge = Double(timesteps) * f.value
            guard f.exact || !isNearInteger(charge) else { continue }
            checked += 1
            #expect(n == Int(charge.rounded(.down)), "x/θ = \(f), T = \(timesteps)")
            let rateError = f.value - Double(n) / Double(timesteps)
            #expect(rateError >= 0 && rateError < 1 / Double(timesteps), "x/θ = \(f)")
        }
        #expect(checked >= 50)
    }

    /// IF, reset by subtraction, u₀ = θ/2: n = ⌊T·x/θ + 1/2⌋, so |x/θ − n/T| ≤ 1/(2T).
    @Test(arguments: thresholds, sweepTimesteps)
    func subtractionFromHalfThresholdRoundsCharge(threshold: Float, timesteps: Int) {
        let fractions = inputFractions()
        let counts = integrateAndFireCounts(threshold: threshold, timesteps: timesteps,
                                            fractions: fractions, reset: .subtraction,
                                            initialMembrane: .halfThreshold)
        var checked = 0
        for (f, n) in zip(fractions, counts) {
            let charge = Double(timesteps) * f.value + 0.5
            guard f.exact || !isNearInteger(charge) else { continue }
            checked += 1
            #expect(n == Int(charge.rounded(.down)), "x/θ = \(f), T = \(timesteps)")
            let rateError = Swift.abs(f.value - Double(n) / Double(timesteps))
            #expect(rateError <= 1 / (2 * Double(timesteps)), "x/θ = \(f)")
        }
        #expect(checked >= 50)
    }

    /// Reset to zero: one spike every p = ⌈θ/x⌉ steps, n = ⌊T/p⌋ ≤ ⌊T·x/θ⌋.
    @Test(arguments: thresholds, sweepTimesteps)
    func zeroResetFiresOncePerPeriodAndNeverMoreThanSubtraction(threshold: Float,
                                                                timesteps: Int) {
        let fractions = inputFractions()
        let zero = integrateAndFireCounts(threshold: threshold, timesteps: timesteps,
                                          fractions: fractions, reset: .zero,
                                          initialMembrane: .zero)
        let subtraction = integrateAndFireCounts(threshold: threshold, timesteps: timesteps,
                                                 fractions: fractions, reset: .subtraction,
                                                 initialMembrane: .zero)
        for (i, f) in fractions.enumerated() {
            #expect(zero[i] <= subtraction[i], "x/θ = \(f), T = \(timesteps)")
            guard f.value > 0 else {
                #expect(zero[i] == 0)
                continue
            }
            let ratio = 1 / f.value
            guard f.exact || !isNearInteger(ratio, tolerance: 1e-4) else { continue }
            let period = Int(ratio.rounded(.up))
            #expect(zero[i] == timesteps / period, "x/θ = \(f), period \(period)")
        }
    }

    /// Whenever θ/x is not an integer, reset to zero loses x·p − θ > 0 of charge per spike,
    /// so from T ≥ 1/(x/θ − 1/p) on it fires strictly fewer spikes than subtraction.
    @Test(arguments: thresholds)
    func zeroResetFiresStrictlyFewerWhenPeriodIsNotInteger(threshold: Float) {
        let fractions = (1...15).map { InputFraction(value: Double($0) / 16, exact: true) }
            + [3, 4, 6, 7, 8, 9].map { InputFraction(value: Double($0) / 10, exact: false) }
        for f in fractions where !isNearInteger(1 / f.value, tolerance: 1e-4) {
            let period = (1 / f.value).rounded(.up)
            let timesteps = Int((1 / (f.value - 1 / period)).rounded(.up)) + 1
            let zero = integrateAndFireCounts(threshold: threshold, timesteps: timesteps,
                                              fractions: [f], reset: .zero, initialMembrane: .zero)
            let subtraction = integrateAndFireCounts(
                threshold: threshold, timesteps: timesteps, fractions: [f], reset: .subtraction,
                initialMembrane: .zero)
            #expect(zero[0] < subtraction[0], "x/θ = \(f), T = \(timesteps)")
        }
    }

    /// LIF: u[t] = λ·u[t−1] + x[t], spike at u ≥ θ, then reset, checked step by step against
    /// a scalar loop (spikes exactly; membranes read after every step via carried state).
    @Test(arguments: [ResetMode.subtraction, .zero],
          [InitialMembrane.zero, .halfThreshold])
    func leakyRecurrenceMatchesScalarLoop(reset: ResetMode, initialMembrane: InitialMembrane) {
        let (timesteps, m, theta, lambda): (Int, Int, Float, Float) = (40, 64, 1, 0.9)
        var rng = SeededGenerator(seed: 11)
        let x = Tensor.uniform(shape: [timesteps, m], low: -0.3, high: 0.9, using: &rng)
        let neuron = SpikingNeuron(
            threshold: theta, model: .leakyIntegrateAndFire(leak: lambda, training: .fixed),
            reset: reset, initialMembrane: initialMembrane)

        // Scalar reference of the equation.
        var u = [Float](repeating: initialMembrane == .zero ? 0 : theta / 2, count: m)
        var expectedSpikes: [Float] = [], expectedMembranes: [[Float]] = []
        for t in 0..<timesteps {
            for i in 0..<m {
                let h = lambda * u[i] + x[flat: t * m + i]
                let s: Float = h >= theta ? 1 : 0
                expectedSpikes.append(s)
                u[i] = reset == .subtraction ? h - theta * s : h * (1 - s)
            }
            expectedMembranes.append(u)
        }
        #expect(expectedSpikes.contains(1) && expectedSpikes.contains(0))

        // Fused over all T at once.
        let fused = runNeuron(neuron, x, timesteps: timesteps)
        #expect(fused.output.scalars == expectedSpikes)
        #expect(maxAbsoluteDifference(fused.finalMembrane,
                                      Tensor(shape: [m], scalars: expectedMembranes.last!)) <= 1e-6)

        // One step at a time, carrying the membrane: u[t] after every step.
        var state: NeuronState? = nil
        for t in 0..<timesteps {
            let row = Tensor(shape: [1, m], scalars: Array(x.scalars[t * m..<(t + 1) * m]))
            let s = neuron.simulate(row, timesteps: 1, state: &state)
            #expect(s.scalars == Array(expectedSpikes[t * m..<(t + 1) * m]), "step \(t)")
            // The carried membrane has the shape of one step of the input ([1, m]).
            let membrane = state!.membrane
            #expect(membrane.shape == [1, m])
            #expect(maxAbsoluteDifference(membrane.reshaped([m]), Tensor(shape: [m], scalars: expectedMembranes[t]))
                    <= 1e-6, "step \(t)")
        }
    }

    /// LIF with a constant sub-threshold input: u[t] = x·(1 − λᵗ)/(1 − λ) (geometric series),
    /// and the first spike comes at the first t where that reaches θ.
    @Test(arguments: [Float(0.5), 0.8, 0.95])
    func leakyConstantInputFollowsGeometricSeries(leak: Float) {
        let theta: Float = 1, timesteps = 60
        let asymptote = Double(theta) * (1 - Double(leak))   // x below this never fires
        let fractions: [Double] = [0.1, 0.5, 0.9, 1.1, 1.5, 3, 8]
        let x = fractions.map { Float($0 * asymptote) }
        let neuron = SpikingNeuron(threshold: theta,
                                   model: .leakyIntegrateAndFire(leak: leak, training: .fixed))
        let (output, final) = runNeuron(neuron, constantInput(x, timesteps: timesteps),
                                        timesteps: timesteps)
        for (i, xi) in x.enumerated() {
            let series = { (t: Int) in Double(xi) * (1 - pow(Double(leak), Double(t))) / (1 - Double(leak)) }
            let firstSpike = (0..<timesteps).first { output[flat: $0 * x.count + i] != 0 }
            if let expected = (1...timesteps).first(where: { series($0) >= Double(theta) }) {
                #expect(firstSpike == expected - 1, "x = \(xi), λ = \(leak)")
            } else {
                #expect(firstSpike == nil, "x = \(xi), λ = \(leak)")
                #expect(Swift.abs(Double(final[flat: i]) - series(timesteps)) <= 1e-5)
            }
        }
    }

    /// Amplitude `.threshold` outputs exactly θ·s, where s is the unit-amplitude spike train.
    @Test(arguments: [Float(0.5), 1, 1.7, 2])
    func thresholdAmplitudeScalesSpikes(threshold: Float) {
        var rng = SeededGenerator(seed: 3)
        let x = Tensor.uniform(shape: [12 * 4, 10], low: 0, high: threshold, using: &rng)
        let unit = SpikingNeuron(threshold: threshold, model: .leakyIntegrateAndFire(leak: 0.95, training: .fixed))
        let scaled = SpikingNeuron(threshold: threshold, model: .leakyIntegrateAndFire(leak: 0.95, training: .fixed),
                                   amplitude: .threshold)
        let s = runNeuron(unit, x, timesteps: 12).output
        let o = runNeuron(scaled, x, timesteps: 12).output
        #expect(s.scalars.contains(1))
        #expect(o == s * threshold)
    }
}
