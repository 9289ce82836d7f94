// `bench snn`: the peers' SNN workloads (Benchmarks/peers/snnbench.py), layer for layer.
//
//   swift run -c release --scratch-path .build-speed bench snn --workload vgg-train
//   swift run -c release --scratch-path .build-speed bench snn --workload all --profile
//
// W1 vgg-train    VGG-11 (CIFAR), conv-BN-LIF, avgpool, 3×32×32, T = 4, batch 32, training step
// W2 vgg-infer    same net, IF neurons, reset by subtraction, inference, T = 8, batch 64
// W3 fmnist-train conv32-BN-LIF-avgpool-conv64-BN-LIF-avgpool-fc, 1×28×28, T = 8, batch 128
//
// The peers' LIF (snnbench.py: SpikingJelly LIFNode(tau=2, decay_input=False), snnTorch
// Leaky(beta=0.5), torch-ref) is h = 0.5·u + x in all three, i.e. our
// `.leakyIntegrateAndFire(leak: 0.5)` exactly; θ = 1, ATan(α = 2), reset not detached.
// Loss: CE of the mean output over T; SGD lr 0.01, momentum 0.9. Conv without bias, fc with.
import ArgumentParser
import ChapterSupport
import Foundation
import RunRecords
import SpikingNeurons

#if canImport(Glibc)
import Glibc
import TensorCore
import NeuralNetworks
import Autodiff
#endif

struct SNNWorkload {
    let name: String
    let items: [VGG.Item]
    let inputChannels: Int, inputSize: Int
    let batch: Int, timesteps: Int
    let leaky: Bool, reset: ResetMode
    let train: Bool
    let itersPerRun: Int

    static let all: [SNNWorkload] = [
        SNNWorkload(name: "vgg-train", items: VGG.vgg11, inputChannels: 3, inputSize: 32, batch: 32, timesteps: 4,
                    leaky: true, reset: .zero, train: true, itersPerRun: 2),
        SNNWorkload(name: "vgg-infer", items: VGG.vgg11, inputChannels: 3, inputSize: 32, batch: 64, timesteps: 8,
                    leaky: false, reset: .subtraction, train: false, itersPerRun: 2),
        SNNWorkload(name: "fmnist-train", items: [.conv(32), .pool, .conv(64), .pool], inputChannels: 1,
                    inputSize: 28, batch: 128, timesteps: 8, leaky: true, reset: .zero, train: true, itersPerRun: 3),
    ]

    /// conv MACs per image per time step (the FLOP convention of Benchmarks/peers/README.md).
    var convMACsPerImageStep: Int {
        var size = inputSize, channels = inputChannels, macs = 0
        for item in items {
            switch item {
            case .conv(let k): macs += k * channels * 9 * size * size; channels = k
            case .pool: size /= 2
            }
        }
        return macs
    }

    /// Forward FLOPs per step ×3 when training (forward + backward data + backward weights).
    var flopsPerStep: Double {
        2 * Double(convMACsPerImageStep) * Double(timesteps * batch) * (train ? 3 : 1)
    }

    func makeNetwork(using rng: inout SeededGenerator) -> Sequential {
        var layers: [any Layer] = []
        var channels = inputChannels, size = inputSize
        for item in items {
            switch item {
            case .conv(let k):
                layers.append(Conv2D(channels, k, kernelSize: 3, stride: 1, padding: 1, bias: false, using: &rng))
                layers.append(BatchNorm(k))
                layers.append(SpikingNeuron(
                    threshold: 1, model: leaky ? .leakyIntegrateAndFire(leak: 0.5, training: .fixed) : .integrateAndFire,
                    reset: reset, surrogate: .atan(alpha: 2)))
                channels = k
            case .pool:
                layers.append(AveragePool(2)); size /= 2
            }
        }
        layers.append(Flatten())
        layers.append(Linear(channels * size * size, 10, bias: true, using: &rng))
        return Sequential(layers)
    }
}

/// Mean over the T time steps of `[T·N, K]` → `[N, K]`.
func timeMean(_ y: Variable, timesteps: Int) -> Variable {
    let rows = y.shape[0] / timesteps, k = y.shape[1]
    var out = Tensor(shape: [rows, k])
    y.value.withUnsafeBufferPointer { p in
        out.withUnsafeMutableBufferPointer { o in
            for t in 0..<timesteps { for i in 0..<rows * k { o[i] += p[t * rows * k + i] } }
            for i in 0..<rows * k { o[i] /= Float(timesteps) }
        }
    }
    let shape = y.shape
    return Variable.custom(out, inputs: [y]) { g in
        var d = Tensor(shape: shape)
        g.withUnsafeBufferPointer { pg in
            d.withUnsafeMutableBufferPointer { pd in
                for t in 0..<timesteps { for i in 0..<rows * k { pd[t * rows * k + i] = pg[i] / Float(timesteps) } }
            }
        }
        return [d]
    }
}

/// Wall-clock per-layer profile: forward time of each layer, and backward time measured
/// between identity markers placed around it in the graph.
final class LayerProfile {
    var forward: [String: Double] = [:]
    var backward: [String: Double] = [:]
    /// Fraction of 1s at the output of each spiking layer, in order.
    var firingRates: [Double] = []
    private var lastMark: UInt64 = 0
    func kind(_ layer: any Layer) -> String { String(describing: type(of: layer)) }

    func run(_ net: Sequential, _ x: Variable, context: inout ForwardContext) -> Variable {
        var h = x
        for layer in net.layers {
            let name = kind(layer)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let y = layer.forward(marker(h, closes: nil), context: &context)
            forward[name, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            if layer is any SpikingLayer { firingRates.append(Double(y.value.mean())) }
            h = marker(y, closes: name)
        }
        return h
    }

    /// Identity; in the backward pass, the marker after layer L fires before L's backward and
    /// the one before L fires after it.
    private func marker(_ v: Variable, closes name: String?) -> Variable {
        guard v.requiresGrad else { return v }
        return Variable.custom(v.value, inputs: [v]) { [self] g in
            let now = DispatchTime.now().uptimeNanoseconds
            if name == nil, lastMark > 0, let open = openName {
                backward[open, default: 0] += Double(now - lastMark) / 1e9
            }
            if let name { openName = name }
            lastMark = DispatchTime.now().uptimeNanoseconds
            return [g]
        }
    }
    private var openName: String?
}

struct SNNBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snn",
        abstract: "The peers' SNN workloads (W1 vgg-train, W2 vgg-infer, W3 fmnist-train): images/s, peak RSS, fraction of the GEMM bound.")

    /// What each option accepts, declared once: shown in --help, checked in validate().
    enum Rule {
        static let workload = OptionRule<String>("--workload", oneOf: SNNWorkload.all.map(\.name) + ["all"])
        static let runs = OptionRule<Int>("--runs", 1...1_000)
        static let warmup = OptionRule<Int>("--warmup", 0...1_000)
        static let iters = OptionRule<Int>("--iters", 1...100_000)
        static let spikeDensity = OptionRule<Double>("--spike-density", 0...1)
    }

    @Option(help: Rule.workload.help("The peers' workload, or all."))
    var workload = "all"
    @Option(help: Rule.runs.help("Timed runs after warm-up (median reported)."))
    var runs = 5
    @Option(help: Rule.warmup.help("Untimed warm-up steps (at least one runs)."))
    var warmup = 2
    @Option(help: Rule.iters.help("Steps per timed run (default: the peers' per workload)."))
    var iters: Int?
    @Flag(help: "Print a per-layer-type forward/backward time profile (one extra step).")
    var profile = false
    @Flag(help: "Print one JSON object per workload (for Benchmarks/compare-peers.sh).")
    var json = false
    @Flag(help: "Time each conv layer of the workload (fwd / bwd-data / bwd-weights) under every convolution algorithm, interleaved.")
    var layers = false
    @Option(help: Rule.spikeDensity.help("Fraction of 1s in the spike inputs of --layers."))
    var spikeDensity = 0.2
    @Option(help: "Convolution algorithm: plain (NCHW), blocked (oneDNN layout, f32) or bfloat16 (opt-in precision).")
    var conv: ConvolutionAlgorithm = .blocked
    @Option(help: "Convolutions of spikes: spikeDriven (default: when at most 30 % are 1) or dense (oneDNN only).")
    var spikes: SpikeConvolutionChoice = .spikeDriven
    @Option(help: "Where activations live between convolutions: blockedBetweenConvolutions (default) or rowMajor (every convolution reorders).")
    var activations: ActivationLayoutPolicy = .blockedBetweenConvolutions

    func validate() throws {
        try Rule.workload.check(workload)
        try Rule.runs.check(runs)
        try Rule.warmup.check(warmup)
        try Rule.iters.check(iters)
        try Rule.spikeDensity.check(spikeDensity)
        guard DNNLRuntime.supports(conv) else {
            throw ValidationError("--conv \(conv.rawValue): oneDNN has no such kernels on this CPU (\(DNNLRuntime.effectiveISA))")
        }
    }

    func run() throws {
        try DNNLRuntime.$activationLayout.withValue(activations) {
            try SpikeConvolutionPolicy.$current.withValue(spikes.policy) { try runWithPolicy() }
        }
    }

    func runWithPolicy() throws {
        let algorithm = conv
        ExecutionPolicy.update { $0.convolution = algorithm }
        printMachine()
        print("convolutions: \(algorithm), activations: \(activations), spike inputs: \(SpikeConvolutionPolicy.current)"
              + " (spike kernels: \(SpikeMap.kernelBuild))")
        let peak = measureSgemmPeak(runs: 5)
        print(String(format: "sgemm peak (2048³, OpenBLAS, 2 threads): %.1f GFLOP/s", peak))
        let chosen = workload == "all" ? SNNWorkload.all : SNNWorkload.all.filter { $0.name == workload }
        for w in chosen {
            if layers { timeLayers(w, peak: peak) } else { runWorkload(w, peak: peak) }
        }
    }

    func timeLayers(_ w: SNNWorkload, peak: Double) {
        var rng = SeededGenerator(seed: 3)
        var size = w.inputSize, channels = w.inputChannels
        let rows = w.timesteps * w.batch
        print("\n\(w.name): conv layers at batch T·N = \(rows), ms per call (median of \(runs)), fwd / bwd-data / bwd-weights")
        for item in w.items {
            guard case .conv(let out) = item else { size /= 2; continue }
            // Binary spikes at `--spike-density` except for the image layer.
            let density = Float(spikeDensity)
            let x = (channels == w.inputChannels
                ? Tensor.uniform(shape: [rows, channels, size, size], using: &rng)
                : Tensor.uniform(shape: [rows, channels, size, size], using: &rng).map { $0 < density ? 1 : 0 })
                .converted(to: channels % 16 == 0 ? .channelBlocked16 : .rowMajor)
            let wt = Tensor.normal(shape: [out, channels, 3, 3], std: 0.05, using: &rng)
            let g = ConvolutionGeometry(input: x.shape, weight: wt.shape, stride: 1, padding: 1)
            let dy = Tensor.normal(shape: g.outputShape, std: 0.01, using: &rng)
            var line = "conv \(channels)→\(out) @\(size)".padding(toLength: 18, withPad: " ", startingAt: 0)
            var results: [ConvolutionAlgorithm: [[Double]]] = [:]
            var spike: [[Double]] = []
            for _ in 0..<runs {
                for a in ConvolutionAlgorithm.allCases.filter(DNNLRuntime.supports) { SpikeConvolutionPolicy.$current.withValue(.dense) {
                    ExecutionPolicy.update { $0.convolution = a }
                    let f = timed(runs: 1) { _ = Tensor.convolution(x, wt, stride: 1, padding: 1) }[0]
                    let d = w.train ? timed(runs: 1) { _ = Tensor.convolutionBackwardData(dy, wt, geometry: g) }[0] : 0
                    let k = w.train ? timed(runs: 1) { _ = Tensor.convolutionBackwardWeights(dy, x, geometry: g) }[0] : 0
                    results[a, default: []].append([f, d, k])
                }}
                if let map = SpikeMap.forConvolution(x, geometry: g, policy: .spikeDriven(maxDensity: 1)) {
                    let f = timed(runs: 1) { _ = Tensor.spikeConvolution(SpikeMap(x, geometry: g)!, wt) }[0]
                    let k = w.train ? timed(runs: 1) { _ = Tensor.spikeConvolutionWeightGradient(dy, map) }[0] : 0
                    let m = timed(runs: 1) { _ = SpikeMap(x, geometry: g) }[0]
                    spike.append([f, k, m])
                }
            }
            for a in ConvolutionAlgorithm.allCases {
                guard let r = results[a] else {   // not on this CPU (bf16 without AVX512-BF16/AMX)
                    line += " \(a.rawValue.prefix(5)) –"
                    continue
                }
                let m = (0..<3).map { i in 1e3 * median(r.map { $0[i] }) }
                line += String(format: " %@ %6.1f/%6.1f/%6.1f", String(a.rawValue.prefix(5)), m[0], m[1], m[2])
            }
            if !spike.isEmpty {
                line += String(format: " spike %6.1f/%6.1f (fwd incl. masks / bwd-weights; masks %.1f)",
                               1e3 * median(spike.map { $0[0] }), 1e3 * median(spike.map { $0[1] }),
                               1e3 * median(spike.map { $0[2] }))
            }
            print(line)
            channels = out
        }
        ExecutionPolicy.update { $0.convolution = conv }
    }

    func runWorkload(_ w: SNNWorkload, peak: Double) {
        var rng = SeededGenerator(seed: 0)
        let net = w.makeNetwork(using: &rng)
        var optimizer = SGD(learningRate: 0.01, momentum: 0.9)
        let image = Tensor.uniform(shape: [w.batch, w.inputChannels, w.inputSize, w.inputSize], using: &rng)
        // x repeated over T, time-major [T·N, C, H, W] (the peers' x.unsqueeze(0).expand(T, …)).
        var input = Tensor(shape: [w.timesteps * w.batch, w.inputChannels, w.inputSize, w.inputSize])
        image.withUnsafeBufferPointer { src in
            input.withUnsafeMutableBufferPointer { dst in
                for t in 0..<w.timesteps {
                    _ = UnsafeMutableBufferPointer(rebasing: dst[t * src.count..<(t + 1) * src.count]).update(fromContentsOf: src)
                }
            }
        }
        let labels = (0..<w.batch).map { _ in Int.random(in: 0..<10, using: &rng) }
        var lastValue: Float = 0
        let profiler: LayerProfile? = nil

        func step(_ prof: LayerProfile? = profiler) {
            var context = ForwardContext(phase: w.train ? .training : .inference, rng: rng.split())
            context.timesteps = w.timesteps
            let out: Variable
            if let prof { out = prof.run(net, Variable(input), context: &context) }
            else { out = net.forward(Variable(input), context: &context) }
            let mean = timeMean(out, timesteps: w.timesteps)
            if w.train {
                let loss = Variable.softmaxCrossEntropy(logits: mean, labels: labels)
                loss.backward()
                optimizer.step(net.parameters)
                lastValue = loss.value.scalar
            } else {
                lastValue = mean.value.mean()
            }
        }

        for _ in 0..<max(1, warmup) { step() }
        let iters = self.iters ?? w.itersPerRun
        let poolBefore = BufferPool.statistics
        var perStep: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<iters { step() }
            perStep.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(iters))
        }
        let med = median(perStep)
        let imagesPerS = Double(w.batch) / med
        let gflops = w.flopsPerStep / med / 1e9
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMiB = Double(usage.ru_maxrss) / 1024
        print(String(format: "\n%@: %.1f images/s (median of %d runs × %d steps; min %.1f, max %.1f), %.1f ms/step",
                     w.name, imagesPerS, runs, iters, Double(w.batch) / perStep.max()!,
                     Double(w.batch) / perStep.min()!, 1e3 * med))
        print(String(format: "  %.1f GFLOP/step → %.1f GFLOP/s = %.0f%% of the sgemm peak; dense bound %.1f images/s; peak RSS %.0f MiB; final value %.4f",
                     w.flopsPerStep / 1e9, gflops, 100 * gflops / peak,
                     Double(w.batch) * peak * 1e9 / w.flopsPerStep, peakMiB, lastValue))
        let pool = BufferPool.statistics
        print("  buffer pool in the timed steps: \(pool.hits - poolBefore.hits) reused, "
              + "\(pool.misses - poolBefore.misses) new large buffers; most live at once "
              + "\(BufferPool.footprint.peakInUse >> 20) MiB, cached now \(BufferPool.footprint.cached >> 20) MiB")
        if profile {
            let prof = LayerProfile()
            let t0 = DispatchTime.now().uptimeNanoseconds
            step(prof)
            let total = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            print(String(format: "  profile of one step (%.1f ms):", 1e3 * total))
            for name in prof.forward.keys.sorted(by: { prof.forward[$0]! + (prof.backward[$0] ?? 0) > prof.forward[$1]! + (prof.backward[$1] ?? 0) }) {
                print(String(format: "    %-16@ forward %7.1f ms   backward %7.1f ms", name as NSString,
                             1e3 * prof.forward[name]!, 1e3 * (prof.backward[name] ?? 0)))
            }
            print("  firing rate per spiking layer: " + prof.firingRates.map { String(format: "%.3f", $0) }.joined(separator: " "))
        }
        if json {
            let record: [String: Any] = [
                "lib": "ours-\(DNNLRuntime.convolutionAlgorithm.rawValue)" + (spikes == .dense ? "-dense" : ""), "workload": w.name, "batch": w.batch, "T": w.timesteps,
                "images_per_s": ["median": imagesPerS, "min": Double(w.batch) / perStep.max()!,
                                 "max": Double(w.batch) / perStep.min()!],
                "ms_per_step": perStep.map { 1e3 * $0 }, "peak_rss_mib": peakMiB,
                "gflop_per_step": w.flopsPerStep / 1e9, "sgemm_peak_gflops": peak,
                "fraction_of_gemm_peak": gflops / peak, "final_value": Double(lastValue),
                "isa": DNNLRuntime.effectiveISA,
            ]
            let data = try! JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

extension ActivationLayoutPolicy: ExpressibleByArgument {}

enum SpikeConvolutionChoice: String, ExpressibleByArgument {
    case spikeDriven, dense
    var policy: SpikeConvolutionPolicy { self == .dense ? .dense : .measuredDefault }
}
