@testable import SpikingNeurons
import Testing
import _TestSupport
import TensorCore
import NeuralNetworks
import Autodiff

// Chunked simulation must be an implementation detail: carrying membranes between chunks of
// time steps gives exactly the outputs of one pass over all T, and every simulate call starts
// from the initial membrane.

/// Two spiking layers with element-wise layers only (no GEMM, whose summation order could
/// depend on the batch size): LIF (reset to zero) → IF (u₀ = θ/2, amplitude θ).
func elementwiseNetwork() -> Sequential {
    Sequential([
        SpikingNeuron(threshold: 0.7, model: .leakyIntegrateAndFire(leak: 0.9, training: .fixed),
                      reset: .zero),
        SpikingNeuron(threshold: 0.5, initialMembrane: .halfThreshold, amplitude: .threshold),
    ])
}

/// Linear → IF → Linear → LIF: the shape of a real SNN.
func denseNetwork() -> Sequential {
    var rng = SeededGenerator(seed: 21)
    return Sequential([
        Linear(12, 16, using: &rng),
        SpikingNeuron(threshold: 1, initialMembrane: .halfThreshold),
        Linear(16, 5, using: &rng),
        SpikingNeuron(threshold: 0.8, model: .leakyIntegrateAndFire(leak: 0.95, training: .fixed),
                      amplitude: .threshold),
    ])
}

@Suite("Sequential.simulate: chunking and fresh state")
struct SimulationTests {
    @Test(arguments: [SpikeEncoding.direct, .poisson, .temporal(.linear), .hybrid(.linear)], [1, 3, 7])
    func chunkedSimulationIsBitIdentical(encoding: SpikeEncoding, chunk: Int) {
        let timesteps = 20
        var rng = SeededGenerator(seed: 5)
        for network in [elementwiseNetwork(), denseNetwork()] {
            let features = network.layers.first is Linear ? 12 : 9
            let images = Tensor.uniform(shape: [4, features], low: 0, high: 1, using: &rng)
            var rngWhole = SeededGenerator(seed: 77), rngChunked = SeededGenerator(seed: 77)
            let whole = network.simulate(images, timesteps: timesteps, encoding: encoding,
                                         chunk: timesteps, using: &rngWhole)
            let chunked = network.simulate(images, timesteps: timesteps, encoding: encoding,
                                           chunk: chunk, using: &rngChunked)
            #expect(whole.outputs.shape == [timesteps, 4, network.layers.first is Linear ? 5 : 9])
            #expect(whole.outputs.scalars.contains { $0 != 0 }, "network is silent")
            #expect(chunked.outputs == whole.outputs, "\(encoding), chunk \(chunk)")
            #expect(chunked.spikeStatistics == whole.spikeStatistics)
        }
    }

    /// Two simulations on the same network: the second starts again from u₀ (θ/2 here), so it
    /// repeats the first, and a short simulation is a prefix of a long one.
    @Test(arguments: [1, 3, 16])
    func freshSimulationStartsFromInitialMembrane(chunk: Int) {
        var rng = SeededGenerator(seed: 8)
        let network = denseNetwork()
        let images = Tensor.uniform(shape: [3, 12], low: 0, high: 1, using: &rng)
        let first = network.simulate(images, timesteps: 10, encoding: .direct, chunk: chunk, using: &rng)
        let second = network.simulate(images, timesteps: 10, encoding: .direct, chunk: chunk, using: &rng)
        #expect(first.outputs == second.outputs)
        let short = network.simulate(images, timesteps: 4, encoding: .direct, chunk: chunk, using: &rng)
        #expect(short.outputs.scalars == Array(first.outputs.scalars.prefix(short.outputs.count)))

        // And the first steps agree with a plain forward pass from u₀ (no carried state).
        var context = ForwardContext.inference
        context.timesteps = 4
        let encoded = SpikeEncoding.direct.encode(images, timesteps: 4, using: &rng)
        let plain = network.forward(Variable(encoded), context: &context).value
        #expect(plain.scalars == short.outputs.scalars)
    }

    /// A single IF neuron with u₀ = θ/2 and x = θ/2 fires at t = 1 of every fresh simulation;
    /// a leaked membrane (θ/2 + 3·θ/2 − 2θ = 0 after T = 3) would delay it to t = 2.
    @Test func halfThresholdNeuronFiresImmediatelyInEverySimulation() {
        let network = Sequential([SpikingNeuron(threshold: 1, initialMembrane: .halfThreshold)])
        let images = Tensor(shape: [1, 1], scalars: [0.5])
        var rng = SeededGenerator(seed: 0)
        for _ in 0..<3 {
            let run = network.simulate(images, timesteps: 3, encoding: .direct, chunk: 2, using: &rng)
            #expect(run.outputs.scalars == [1, 0, 1])
        }
    }
}

/// The simulation's fast path — the constant first convolution computed once for all steps,
/// neurons firing on their input's storage layout and counting their own spikes — against the
/// plainest reference: one forward pass over all T steps folded into the batch, spikes counted
/// from the outputs.
@Suite("Sequential.simulate against a plain forward pass")
struct SimulationFastPathTests {
    func convolutionalNetwork(reset: ResetMode) -> Sequential {
        var rng = SeededGenerator(seed: 31)
        return Sequential([
            Conv2D(1, 16, kernelSize: 3, stride: 1, padding: 1, bias: true, using: &rng),
            SpikingNeuron(threshold: 0.6, reset: reset, amplitude: .threshold),
            AveragePool(2),
            Conv2D(16, 32, kernelSize: 3, stride: 1, padding: 1, bias: false, using: &rng),
            SpikingNeuron(threshold: 0.5, reset: reset, amplitude: .threshold),
            Flatten(),
            Linear(32 * 4 * 4, 5, using: &rng),
        ])
    }

    /// With every convolution dense (the same kernels in both runs), the fast path changes no bit.
    @Test(arguments: [ResetMode.subtraction, .zero], [4, 7])
    func sameOutputsAndSpikeCounts(reset: ResetMode, chunk: Int) {
        SpikeConvolutionPolicy.$current.withValue(.dense) { sameOutputsAndSpikeCountsWithDenseConvolutions(reset: reset, chunk: chunk) }
    }

    func sameOutputsAndSpikeCountsWithDenseConvolutions(reset: ResetMode, chunk: Int) {
        let network = convolutionalNetwork(reset: reset)
        var rng = SeededGenerator(seed: 9)
        let (n, timesteps) = (6, 12)
        let images = Tensor.uniform(shape: [n, 1, 8, 8], low: 0, high: 1, using: &rng)

        var context = ForwardContext.inference
        context.timesteps = timesteps
        var h = Variable(SpikeEncoding.direct.encode(images, timesteps: timesteps, using: &rng))
        var referenceCounts: [Double] = []
        for layer in network.layers {
            h = layer.forward(h, context: &context)
            if layer is any SpikingLayer { referenceCounts.append(Double(h.value.scalars.filter { $0 != 0 }.count)) }
        }
        let run = network.simulate(images, timesteps: timesteps, encoding: .direct, chunk: chunk, using: &rng)

        #expect(referenceCounts.allSatisfy { $0 > 0 }, "a layer is silent: the test would check nothing")
        // The read-out layer's GEMM sees chunk·n rows here and T·n rows in the reference. OpenBLAS's
        // AVX-512 kernels (core types SkylakeX, Cooperlake, …) give a row other last bits in a
        // call with another number of rows; its AVX2 kernels do not (docs/conventions.md C9).
        // So the read-out agrees to rounding, and every spike exactly.
        expectEqualToRounding(run.outputs.scalars, h.value.scalars, "reset \(reset), chunk \(chunk)")
        #expect(run.spikeStatistics.map { $0.spikesPerImage * Double(n) } == referenceCounts)
        // The layer after each neuron layer receives exactly the spikes it emitted.
        #expect(run.inputSpikesPerImage[2] * Double(n) == referenceCounts[0])
        #expect(run.inputSpikesPerImage[5] * Double(n) == referenceCounts[1])
    }

    /// With the spike-driven kernels (the pool and the convolution after it fused into one, the
    /// scatter form on spikes), the sums run in another order: the read-out agrees with the
    /// all-dense simulation to rounding, and so do the predictions at every T.
    @Test(arguments: [ResetMode.subtraction, .zero])
    func spikeDrivenKernelsAgreeWithDenseOnes(reset: ResetMode) {
        var rngNet = SeededGenerator(seed: 77)
        let network = Sequential([
            Conv2D(1, 32, kernelSize: 3, stride: 1, padding: 1, bias: true, using: &rngNet),
            SpikingNeuron(threshold: 0.6, reset: reset, amplitude: .threshold),
            Conv2D(32, 32, kernelSize: 3, stride: 1, padding: 1, bias: true, using: &rngNet),
            SpikingNeuron(threshold: 0.8, reset: reset, amplitude: .threshold),
            AveragePool(2),
            Conv2D(32, 32, kernelSize: 3, stride: 1, padding: 1, bias: false, using: &rngNet),
            SpikingNeuron(threshold: 0.7, reset: reset, amplitude: .threshold),
            Flatten(),
            Linear(32 * 4 * 4, 10, using: &rngNet),
        ])
        var rng = SeededGenerator(seed: 5)
        let images = Tensor.uniform(shape: [20, 1, 8, 8], low: 0, high: 1, using: &rng)
        func run(_ policy: SpikeConvolutionPolicy) -> Simulation {
            var rngRun = SeededGenerator(seed: 1)
            return SpikeConvolutionPolicy.$current.withValue(policy) {
                network.simulate(images, timesteps: 24, encoding: .direct, chunk: 8, using: &rngRun)
            }
        }
        let dense = run(.dense), spikeDriven = run(.measuredDefault)
        #expect(dense.spikeStatistics.allSatisfy { $0.spikesPerImage > 0 }, "a layer is silent: the test would check nothing")
        // Below the policy's density limit, so the spike-driven kernels do run.
        #expect(dense.spikeStatistics.allSatisfy { $0.firingRate < 0.3 }, "\(dense.spikeStatistics.map(\.firingRate))")
        // The pool and the convolution after it do fuse on this network's spikes (the sums are
        // reordered; the read-out is of spikes, so it keeps its bits unless a spike flips).
        let spikes = Tensor.uniform(shape: [2, 32, 8, 8], using: &rng).map { $0 < 0.1 ? 0.8 : 0 }
        #expect(network.pooledSpikeConvolution(at: 4, spikes) != nil)
        let scale = dense.outputs.scalars.map(abs).max() ?? 1
        let difference = maxAbsoluteDifference(spikeDriven.outputs, dense.outputs) / scale
        #expect(difference < 1e-4, "read-out differs by \(difference) of its largest value")
        let labels = (0..<20).map { $0 % 10 }
        let (a, b) = (dense.correctImagesByTimestep(labels: labels), spikeDriven.correctImagesByTimestep(labels: labels))
        #expect(zip(a, b).allSatisfy { $0 == $1 })
    }

    /// Images run in groups that fit the working set: any grouping gives the same outputs,
    /// statistics and input spike counts as one group of all images.
    @Test(arguments: [SpikeEncoding.direct, .hybrid(.linear)])
    func groupingChangesNothing(encoding: SpikeEncoding) {
        let network = convolutionalNetwork(reset: .subtraction)
        var rng = SeededGenerator(seed: 4)
        let images = Tensor.uniform(shape: [7, 1, 8, 8], low: 0, high: 1, using: &rng)
        let saved = ExecutionPolicy.current.memoryBudgetBytes
        defer { ExecutionPolicy.update { $0.memoryBudgetBytes = saved } }
        var runs: [Simulation] = []
        // One image step's largest activation: 16·8·8 floats = 4 KiB, 20 KiB for a chunk of 5 steps.
        for (bytes, group) in [(1 << 30, 7), (64 << 10, 3), (1, 1)] {   // one group, groups of 3 (3, 3, 1), of 1
            ExecutionPolicy.update { $0.memoryBudgetBytes = bytes * 16 }   // a working set of `bytes`
            #expect(network.imagesPerGroup(images, steps: 5, workingSetBytes: bytes) == group)
            var rngRun = SeededGenerator(seed: 1)
            runs.append(network.simulate(images, timesteps: 11, encoding: encoding, chunk: 5, using: &rngRun))
        }
        #expect(runs[0].outputs.scalars.contains { $0 != 0 })
        for run in runs.dropFirst() {
            // The read-out to rounding (OpenBLAS's AVX-512 kernels, see above), spikes exactly.
            #expect(run.outputs.shape == runs[0].outputs.shape)
            expectEqualToRounding(run.outputs.scalars, runs[0].outputs.scalars, "grouping")
            #expect(run.spikeStatistics == runs[0].spikeStatistics)
            #expect(run.inputSpikesPerImage == runs[0].inputSpikesPerImage)
        }
    }
}

/// The first spiking layer of a direct-coded simulation reads its constant input in place:
/// the same bits, membranes and counts as the input repeated for every step.
@Suite("Constant input current")
struct ConstantInputTests {
    @Test(arguments: [ResetMode.subtraction, .zero], [TensorLayout.rowMajor, .channelBlocked16])
    func constantInputEqualsRepeatedInput(reset: ResetMode, layout: TensorLayout) {
        var rng = SeededGenerator(seed: 21)
        let x = Tensor.uniform(shape: [3, 16, 4, 4], low: -0.2, high: 0.9, using: &rng).converted(to: layout)
        let neuron = SpikingNeuron(threshold: 0.7, model: .leakyIntegrateAndFire(leak: 0.9, training: .fixed), reset: reset,
                                   amplitude: .threshold)
        var (constantState, repeatedState): (NeuronState?, NeuronState?) = (nil, nil)
        for steps in [3, 5] {   // two chunks: the state carries over
            let constant = neuron.simulate(constant: x, timesteps: steps, state: &constantState)
            let repeated = neuron.simulate(x.repeatedAlongBatch(steps), timesteps: steps, state: &repeatedState)
            #expect(constant.shape == [3 * steps, 16, 4, 4] && constant.layout == layout)
            #expect(constant == repeated)
            #expect(constant.scalars.contains { $0 != 0 } && constant.scalars.contains { $0 == 0 })
            #expect(constantState?.membrane == repeatedState?.membrane)
            #expect(constantState?.spikeCounts == repeatedState?.spikeCounts)
            #expect(constantState?.lastChunkSpikesPerStep == repeatedState?.lastChunkSpikesPerStep)
        }
    }
}

/// Equal bit for bit with OpenBLAS's AVX2 kernels; with its AVX-512 kernels a GEMM row's last
/// bits depend on how many rows the call has, so: within 4 ulp of the largest value.
func expectEqualToRounding(_ a: [Float], _ b: [Float], _ comment: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "\(comment)", sourceLocation: sourceLocation)
    let scale = max(b.map(abs).max() ?? 1, 1e-30)
    let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= 4 * scale.ulp, "\(comment): largest difference \(worst) at scale \(scale)",
            sourceLocation: sourceLocation)
}
