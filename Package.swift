// swift-tools-version:6.0
// LowLatencySNN: runnable chapters that reproduce low-latency spiking-neural-network papers.
import PackageDescription

/// Hot loops (element-wise kernels, neuron updates, pooling, BatchNorm, optimisers) live in these
/// targets. `-O` on a root-package target wins over the `-Onone` of a debug build, so `swift run`
/// and `swift test` stay within a small factor of `-c release` (see docs/backend-notes.md §0).
let optimised: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "LowLatencySNN",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "render-figures", targets: ["render-figures"]),
        .executable(name: "regenerate", targets: ["regenerate"]),
        .executable(name: "bench", targets: ["bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - Core library (bottom-up)

        // Atomic file replacement (temporary file, fsync, rename) and child processes (Subprocess);
        // Foundation only, so every target below can use them
        .target(name: "SystemSupport"),
        .testTarget(name: "SystemSupportTests", dependencies: ["SystemSupport"]),

        // Binomial and paired standard errors, ImageOutcomes, "stays within", ClaimTest: the
        // statistics behind every generated verdict (Foundation only)
        .target(name: "Statistics"),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics"]),

        // Tensor (copy-on-write Float32 storage), SeededGenerator, BLAS/oneDNN kernels + naive references
        .target(name: "TensorCore", dependencies: ["COpenBLAS", "CDNNL", "CSpikeKernels"], swiftSettings: optimised),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "_TestSupport"]),

        // Variable, reverse-mode graph, differentiable ops with their backward beside them
        .target(name: "Autodiff", dependencies: ["TensorCore"], swiftSettings: optimised),
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "_TestSupport"]),

        // Layer, Linear, Conv2D, BatchNorm, pooling, losses, SGD/Adam, schedules, safetensors
        .target(name: "NeuralNetworks", dependencies: ["Autodiff"], swiftSettings: optimised),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "_TestSupport"]),

        // IF/LIF neurons, ResetMode, SurrogateGradient, SpikeEncoder, spike monitors
        .target(name: "SpikingNeurons", dependencies: ["NeuralNetworks"], swiftSettings: optimised),
        .testTarget(name: "SpikingNeuronsTests", dependencies: ["SpikingNeurons", "_TestSupport"]),

        // BatchNorm folding, threshold balancing, ANN -> SNN mapping, cumulative readout
        .target(name: "SNNConversion", dependencies: ["SpikingNeurons", "Statistics"], swiftSettings: optimised),
        .testTarget(name: "SNNConversionTests", dependencies: ["SNNConversion", "_TestSupport"]),

        // Fashion-MNIST (IDX), CIFAR-10/100 readers, manifest + SHA-256 (libcrypto), batching, augmentation
        .target(name: "Datasets", dependencies: ["TensorCore", "CZlib", "CCrypto", "SystemSupport"],
                swiftSettings: optimised),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "_TestSupport"]),

        // The one training loop (epochs, batches, schedule, progress line, divergence guard);
        // a chapter supplies its batches and its step
        .target(name: "Training", dependencies: ["Datasets", "NeuralNetworks"], swiftSettings: optimised),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "_TestSupport"]),

        // MAC / AC counts per layer, 45 nm energy constants with their citation
        .target(name: "EnergyEstimation", dependencies: ["NeuralNetworks", "SpikingNeurons"]),
        .testTarget(name: "EnergyEstimationTests", dependencies: ["EnergyEstimation", "_TestSupport"]),

        // gnuplot writer: series -> .dat + self-contained .gp -> .png; libpng image grids
        .target(name: "Figures", dependencies: ["CPNG", "SystemSupport"]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures"], resources: [.copy("Snapshots")]),

        // results.json and provenance.json (RunRecord), the run's machine, revision and build,
        // profiles, option rules (OptionRule), JSON: what render-figures and regenerate read, with no
        // oneDNN or OpenBLAS
        .target(name: "RunRecords", dependencies: [
            "SystemSupport", "Statistics", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The chapter harness: ChapterOptions, ChapterContext, StageCache, worker processes
        // (stage keys and checkpoints hash with Datasets' SHA-256)
        .target(name: "ChapterSupport", dependencies: [
            "RunRecords", "Statistics", "Figures", "TensorCore", "Datasets", "NeuralNetworks", "Training",
            "SystemSupport", "NIRInterchange", "SNNConversion", "SpikingNeurons",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: optimised),
        .testTarget(name: "ChapterSupportTests", dependencies: [
            "ChapterSupport", "RunRecords", "Statistics", "Datasets", "SystemSupport", "Training",
        ]),

        // NIR (Neuromorphic Intermediate Representation) graphs: the node subset, HDF5 files
        // through libhdf5, export from and import into the project's spiking networks
        .target(name: "NIRInterchange", dependencies: ["CHDF5", "SpikingNeurons", "NeuralNetworks"]),
        .testTarget(name: "NIRInterchangeTests", dependencies: ["NIRInterchange", "_TestSupport"]),

        // MARK: - Implementation details

        // Spike-driven convolution kernels (C, one clone per x86 vector ISA); wrapped by TensorCore.
        .target(name: "CSpikeKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Debian's serial libhdf5 (NIR files); pkg-config adds its include and library folders
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
        // approximate tensor equality, finite-difference gradient check, fixtures
        .target(name: "_TestSupport", dependencies: ["Autodiff"]),

        // MARK: - Tools

        .executableTarget(name: "render-figures", dependencies: [
            "Figures", "RunRecords", "Regeneration",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Runs every chapter in course order as a subprocess; see Sources/Regeneration.
        .executableTarget(name: "regenerate", dependencies: [
            "Regeneration", "RunRecords",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Chapter order and selection, child processes, summary table, figures/README.md
        .target(name: "Regeneration", dependencies: ["RunRecords", "Statistics", "SystemSupport"]),
        .testTarget(name: "RegenerationTests", dependencies: ["Regeneration", "RunRecords", "Statistics"]),
        // Exports a network to NIR, evaluates a NIR file on Fashion-MNIST (accuracy, spike
        // rates, energy ledger).
        .executableTarget(name: "nir", dependencies: [
            "NIRInterchange", "NeuralNetworks", "SpikingNeurons", "Datasets", "EnergyEstimation",
            "TensorCore", "RunRecords",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "bench", dependencies: [
            "NeuralNetworks", "SpikingNeurons", "Datasets", "ChapterSupport", "Training",
            "SNNConversion", "EnergyEstimation",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: optimised),
    ]
)

// MARK: - Chapters: one executable per paper, sources in chapters/<key>/

/// Each chapter is an executable `chapter-<key>`. A chapter whose paper-specific math needs
/// unit tests keeps it in `chapters/<key>/Method/`, a library target `<Method>` tested by
/// `Tests/<Method>Tests/` (tests cannot import executables); the lesson stays in main.swift.
/// Method libraries hold the science: they depend on the core modules and `Training`, never
/// on the chapter harness (ChapterSupport).
let chapters: [(key: String, method: String?, uses: [Target.Dependency])] = [
    // Chapter 0: the neuron, rate coding, the resets, surrogate gradients; no paper, no dataset.
    ("primer", "PrimerMethod", ["SpikingNeurons"]),
    ("classic", nil, ["SNNConversion", "Datasets", "EnergyEstimation"]),
    ("hoyer", "HoyerMethod", ["SpikingNeurons", "Datasets", "EnergyEstimation"]),
    ("ultralow", "UltralowMethod", ["SNNConversion", "Datasets", "EnergyEstimation"]),
    ("rnl", "RNLMethod", ["SNNConversion", "Datasets", "EnergyEstimation"]),
    ("hybrid", "HybridMethod", ["SNNConversion", "Datasets", "EnergyEstimation"]),
    ("attention", "AttentionMethod", ["SNNConversion", "Datasets", "EnergyEstimation"]),
    // Compares every method above on one backbone. It imports the other chapters' *Method
    // libraries* (the papers' math and training loops), never their executables or lessons.
    ("compare", nil, ["SNNConversion", "Datasets", "EnergyEstimation", "RNLMethod",
                      "UltralowMethod", "HybridMethod", "HoyerMethod", "AttentionMethod"]),
]
/// Modules a Method library's tests use beyond the library itself: HoyerMethodTests writes the
/// Hoyer network as NIR and runs it back (docs/nir.md §4).
let methodTestUses: [String: [Target.Dependency]] = ["HoyerMethod": ["NIRInterchange"]]
for chapter in chapters {
    var dependencies = chapter.uses + [
        "Statistics", "Training", "RunRecords", "ChapterSupport", "Figures",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]
    if let method = chapter.method {
        package.targets.append(.target(
            name: method, dependencies: chapter.uses + ["Training", "Statistics"],
            path: "chapters/\(chapter.key)/Method",
            swiftSettings: optimised))
        package.targets.append(.testTarget(
            name: "\(method)Tests",
            dependencies: [.target(name: method), "_TestSupport"] + methodTestUses[method, default: []]))
        dependencies.append(.target(name: method))
    }
    package.targets.append(.executableTarget(
        name: "chapter-\(chapter.key)",
        dependencies: dependencies,
        path: "chapters/\(chapter.key)",
        exclude: ["README.md", "NOTES.md"] + (chapter.method == nil ? [] : ["Method"])))
}

// The layering the README draws: every module's imports against its allowed list.
package.targets.append(.testTarget(name: "LayeringTests"))

// Runs every chapter binary with --profile smoke and checks the invariants in its results.json.
package.targets.append(.testTarget(
    name: "ChapterTests", dependencies: ["ChapterSupport", "RunRecords", "Statistics"]))

// No README, main.swift header or figure caption carries a result number outside a generated
// block (the paper's own numbers, marked as the paper's, are allowed).
package.targets.append(.testTarget(name: "ProseNumberTests"))
