import SpikingNeurons
import Testing
import _TestSupport
import TensorCore
import NeuralNetworks
import Autodiff

// Small helpers shared by the neuron tests: run one layer over T folded time steps, read
// spike counts per neuron, and decide whether a real number is too close to an integer for a
// Float32 simulation to settle which side of a floor it lands on.

/// Runs `neuron` on `input` `[T·N, …]` for `timesteps` steps from its initial membrane
/// (no carried state) and returns the output and the final membrane u[T] `[N·…]`.
func runNeuron(_ neuron: SpikingNeuron, _ input: Tensor, timesteps: Int)
    -> (output: Tensor, finalMembrane: Tensor)
{
    var state: NeuronState? = nil
    let y = neuron.simulate(input, timesteps: timesteps, state: &state)
    // The training forward pass runs the same recurrence: the same spikes, bit for bit.
    var context = ForwardContext.inference
    context.timesteps = timesteps
    #expect(neuron.forward(Variable(input), context: &context).value.scalars == y.scalars)
    let membrane = state!.membrane   // shaped like one step of the input, row-major here
    return (y, membrane.reshaped([membrane.count]))
}

/// `[T, M]` input whose row t is `values` (a constant current into M neurons).
func constantInput(_ values: [Float], timesteps: Int) -> Tensor {
    Tensor(shape: [timesteps, values.count],
           scalars: (0..<timesteps).flatMap { _ in values })
}

/// Spikes per neuron, summed over the T rows of an output `[T, M]` (values 0 or `amplitude`).
func spikeCounts(_ output: Tensor, timesteps: Int, amplitude: Float = 1) -> [Int] {
    let m = output.count / timesteps
    return (0..<m).map { i in
        (0..<timesteps).reduce(0) { total, t in
            let v = output[flat: t * m + i]
            precondition(v == 0 || v == amplitude, "output \(v) is neither 0 nor \(amplitude)")
            return total + (v == 0 ? 0 : 1)
        }
    }
}

/// Whether v lies within `tolerance` of an integer: there a Float32 recurrence may land on
/// either side of the floor, so closed forms are only asserted on values away from ties
/// (exact, dyadic inputs are asserted everywhere, ties included).
func isNearInteger(_ v: Double, tolerance: Double = 1e-3) -> Bool {
    Swift.abs(v - v.rounded()) < tolerance
}

/// max|a − b| / max(max|b|, floor): one relative discrepancy for a whole tensor, so that
/// elements whose gradient is (nearly) zero do not dominate.
func relativeDiscrepancy(_ a: Tensor, _ b: Tensor, floor: Float = 1e-6) -> Float {
    let scale = Swift.max(b.scalars.map { Swift.abs($0) }.max() ?? 0, floor)
    return maxAbsoluteDifference(a, b) / scale
}

/// |a − b| / max(|a|, |b|, floor) for scalars.
func relativeDiscrepancy(_ a: Float, _ b: Float, floor: Float = 1e-6) -> Float {
    Swift.abs(a - b) / Swift.max(Swift.abs(a), Swift.abs(b), floor)
}
