// bench: throughput of the package's kernels and training steps, reported as ratios against
// the dense sgemm peak measured in the same run (absolute numbers vary between machines and
// with other load; ratios measured together do not).
//
//   swift run -c release bench ann            ANN VGG-11 training step + per-layer conv GFLOP/s
//   swift run -c release bench ann --runs 9   more repetitions
//   swift run -c release bench snn            the peers' SNN workloads (see SNNBench.swift)
//   swift run bench fmnist                    train a small VGG on Fashion-MNIST: accuracy and time
import ArgumentParser
import Foundation
import NeuralNetworks
import RunRecords
import TensorCore

@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks of LowLatencySNN's training steps and kernels.",
        subcommands: [ANNBench.self, SNNBench.self, SimBench.self, FashionMNISTBench.self])
}

struct ANNBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ann", abstract: "VGG-11 ANN training step (batch 32, 3×32×32) and each conv layer's GFLOP/s.")

    /// What each option accepts, declared once: shown in --help, checked in validate().
    enum Rule {
        static let runs = OptionRule<Int>("--runs", 1...1_000)
        static let batch = OptionRule<Int>("--batch", 1...4_096)
    }

    @Option(help: Rule.runs.help("Timed repetitions after one warm-up (the median is reported)."))
    var runs = 5

    @Option(help: Rule.batch.help("Batch size."))
    var batch = 32

    @Option(help: "Pooling: max, or average (the layer order of torch-ann in Benchmarks/peers/snnbench.py).")
    var pool: VGG.PoolKind = .max

    @Option(help: "Where activations live between convolutions: blockedBetweenConvolutions (default) or rowMajor (every convolution reorders).")
    var activations: ActivationLayoutPolicy = .blockedBetweenConvolutions

    func validate() throws {
        try Rule.runs.check(runs)
        try Rule.batch.check(batch)
    }

    func run() {
        DNNLRuntime.$activationLayout.withValue(activations) { runWithPolicy() }
    }

    func runWithPolicy() {
        printMachine()
        print("activations: \(activations), pooling: \(pool)")
        let peak = measureSgemmPeak(runs: runs)
        print(String(format: "sgemm peak (2048³, OpenBLAS): %.1f GFLOP/s", peak))

        var rng = SeededGenerator(seed: 1)
        let model = VGG.make(VGG.vgg11, inputChannels: 3, inputSize: 32, classes: 10, pool: pool, using: &rng)
        var optimizer = SGD(learningRate: 0.01, momentum: 0.9)
        let images = Tensor.normal(shape: [batch, 3, 32, 32], using: &rng)
        let labels = (0..<batch).map { $0 % 10 }
        let stepTimes = timed(runs: runs) {
            _ = classificationStep(model, images: images, labels: labels, optimizer: &optimizer, rng: &rng)
        }
        let step = median(stepTimes)
        print(String(format: "VGG-11 train step, batch %d: %.1f images/s (median of %d, min %.1f, max %.1f)",
                     batch, Double(batch) / step, runs, Double(batch) / stepTimes.max()!, Double(batch) / stepTimes.min()!))

        print("\nconv layers (forward / backward-data / backward-weights), GFLOP/s and fraction of the sgemm peak:")
        print("layer                         fwd          bwd-data     bwd-weights")
        var size = 32, channels = 3
        for item in VGG.vgg11 {
            guard case .conv(let out) = item else { size /= 2; continue }
            let x = Tensor.normal(shape: [batch, channels, size, size], using: &rng)
            let w = Tensor.normal(shape: [out, channels, 3, 3], using: &rng)
            let g = ConvolutionGeometry(input: x.shape, weight: w.shape, stride: 1, padding: 1)
            let dy = Tensor.normal(shape: g.outputShape, using: &rng)
            let flops = 2 * Double(g.macs)
            let f = flops / median(timed(runs: runs) { _ = Tensor.convolution(x, w, stride: 1, padding: 1) }) / 1e9
            let d = flops / median(timed(runs: runs) { _ = Tensor.convolutionBackwardData(dy, w, geometry: g) }) / 1e9
            let k = flops / median(timed(runs: runs) { _ = Tensor.convolutionBackwardWeights(dy, x, geometry: g) }) / 1e9
            let name = "conv \(channels)→\(out) @\(size)×\(size)"
            print(name.padding(toLength: 28, withPad: " ", startingAt: 0)
                  + String(format: "%6.1f (%3.0f%%) %6.1f (%3.0f%%) %6.1f (%3.0f%%)",
                           f, 100 * f / peak, d, 100 * d / peak, k, 100 * k / peak))
            channels = out
        }
    }
}

func printMachine() {
    let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n").first { $0.hasPrefix("model name") }?
        .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown"
    print("CPU: \(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores")
    print("oneDNN \(DNNLRuntime.version), ISA: \(DNNLRuntime.effectiveISA)")
    let env = ProcessInfo.processInfo.environment
    print("OPENBLAS_CORETYPE=\(env["OPENBLAS_CORETYPE"] ?? "(unset)"), OMP_NUM_THREADS=\(env["OMP_NUM_THREADS"] ?? "(unset)")")
    #if DEBUG
    print("build: debug (core modules compiled with -O)")
    #else
    print("build: release")
    #endif
}

func measureSgemmPeak(runs: Int) -> Double {
    var rng = SeededGenerator(seed: 2)
    let a = Tensor.normal(shape: [2048, 2048], using: &rng), b = Tensor.normal(shape: [2048, 2048], using: &rng)
    let t = median(timed(runs: runs) { _ = Tensor.matmul(a, .none, b, .none) })
    return 2 * 2048 * 2048 * 2048 / t / 1e9
}

/// Wall-clock seconds of `runs` calls after one warm-up call.
func timed(runs: Int, _ body: () -> Void) -> [Double] {
    body()
    return (0..<runs).map { _ in
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

extension VGG.PoolKind: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument {
        case "max": self = .max
        case "average": self = .average
        default: return nil
        }
    }
}
