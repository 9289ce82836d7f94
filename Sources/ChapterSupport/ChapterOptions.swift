// The command-line options every chapter shares, included with `@OptionGroup`.

import ArgumentParser
import Foundation
import RunRecords
import Datasets
import TensorCore

/// Options common to every `chapter-<key>` executable.
///
/// ```swift
/// struct Arguments: ParsableCommand {
///     // A command, not bare arguments, so that the usage banner names the chapter.
///     static let configuration = CommandConfiguration(commandName: "chapter-classic")
///     static let timesteps = OptionRule<Int>("--timesteps", 1...4096)
///     @OptionGroup var chapter: ChapterOptions
///     @Option(help: timesteps.help("Timesteps to evaluate.")) var timesteps: [Int] = [1, 2, 4]
///     func validate() throws { try Self.timesteps.check(timesteps) }
/// }
/// let arguments = Arguments.parseOrExit()  // parsed and validated; `run()` is never called
/// ```
///
/// Invalid values stop the program (exit status 64) with ArgumentParser's own message and
/// the usage, before any work, e.g.
/// `The value 'fast' is invalid for '--profile <profile>'.`
/// `Please provide one of 'smoke', 'quick' or 'paper'.`
/// `--threads must be an integer in [1, 256] (got 0).` (an `OptionRule`)
/// Environment variables never change these values (docs/conventions.md C5).
public struct ChapterOptions: ParsableArguments, Sendable {
    /// The run's scale: `smoke` (seconds), `quick` (minutes, default) or `paper` (hours).
    @Option(help: "Run scale: smoke = seconds, quick = minutes, paper = the paper's settings.")
    public var profile: Profile = .quick

    /// The dataset, or nil for the chapter's default at this profile.
    @Option(help: "Dataset (default: the chapter's choice for the profile).")
    public var dataset: DatasetID?

    /// The seed of every random generator in the run.
    @Option(help: "Seed for every random generator in the run.")
    public var seed: UInt64 = 42

    /// The output folder as typed, or nil for `figures/<chapter>/<profile>`;
    /// see `outputDirectory(chapter:)`.
    @Option(help: ArgumentHelp(
        "Folder for results.json, provenance.json and figures "
            + "(default: figures/<chapter>/<profile>).",
        valueName: "dir"))
    public var output: String?

    /// The root of the stage cache as typed; see `cacheDirectory`.
    @Option(help: ArgumentHelp("Root folder of the stage cache.", valueName: "dir"))
    public var cache: String = "data/cache"

    /// Recompute every cached stage instead of loading it.
    @Flag(help: "Recompute every cached stage.")
    public var fresh: Bool = false

    @Flag(help: "Download a missing CIFAR dataset into data/ (its checksum is verified before use).")
    public var download: Bool = false

    /// Keep a trained network the sanity gate flags (exploded loss, chance accuracy) instead
    /// of stopping; results.json lists it under `degenerate`.
    @Flag(help: "Keep networks whose loss exploded or whose accuracy is at chance (listed in results.json).")
    public var allowDegenerate: Bool = false

    /// Stages to recompute, each together with every stage that runs after it.
    @Option(help: ArgumentHelp(
        "Recompute this stage and every stage after it (repeatable).", valueName: "stage"))
    public var rerun: [String] = []

    /// Worker threads for BLAS and data loading; the chapter applies it to its back ends.
    @Option(help: OptionRule.threads.help("Worker threads (use 1 for bit-reproducible sums)."))
    public var threads: Int = 2

    /// MiB the computation may hold beyond its networks and data: the buffer pool's cache and
    /// the simulation's image groups (`ExecutionPolicy.memoryBudgetBytes`). Results do not
    /// depend on it; results.json records it beside `threads`.
    @Option(help: OptionRule.memoryBudget.help(
        "MiB for cached buffers and simulation chunks (results do not depend on it; default 1024)."))
    public var memoryBudget: Int = ExecutionPolicy.defaultMemoryBudgetBytes >> 20

    /// How convolutions run: oneDNN's blocked f32 kernels (default), plain NCHW f32, or bf16
    /// with f32 master weights (opt-in). A non-default choice keeps its own stage cache and
    /// output folder, so the f32 reference outputs are never mixed with it.
    @Option(help: ArgumentHelp(
        "Convolution kernels: blocked (f32, default), plain (f32) or bfloat16 "
            + "(bf16 operands, f32 accumulation and master weights).", valueName: "kind"))
    public var convolution: ConvolutionAlgorithm = .blocked

    /// `--executor local|slurm` and the Slurm job array's settings (`--slurm-partition`,
    /// `--slurm-time`, `--slurm-cpus-per-task`, `--slurm-memory`, `--sbatch-flag`,
    /// `--slurm-config`, `--submit-only`, `--dry-run`).
    @OptionGroup(title: "Where stage groups run")
    public var executor: ExecutorOptions

    /// The folder to write every SNN the chapter evaluates into, one NIR file each (HDF5;
    /// docs/nir.md), or nil for none. results.json lists the files under `nirFiles`.
    @Option(help: ArgumentHelp(
        "Write each SNN the chapter evaluates as a NIR graph file into this folder (docs/nir.md).",
        valueName: "dir"))
    public var exportNir: String?

    /// Run exercise N of the chapter's README (`ChapterExercises`): the chapter with that
    /// exercise's options, into `<output>-exercises/N/`, compared with the plain run's
    /// results.json in `<output>` (default `figures/<chapter>/<profile>`).
    @Option(help: ArgumentHelp(
        "Run exercise N of the chapter's README against the plain run's results (which must exist); "
            + "writes <output>-exercises/N/.", valueName: "N"))
    public var exercise: Int?

    /// Set only by a parent run that trains in worker processes (`StageCache.computeInWorkers`):
    /// compute this one job's stages, report their timings and stop. Hidden from `--help`.
    @Option(help: .hidden)
    public var worker: String?

    /// Creates the defaults (`--profile quick --seed 42 --threads 2`).
    public init() {}

    /// These options as arguments that parse back to the same values, without the ones that
    /// only concern this process (`--fresh`, `--rerun`, `--threads`, `--memory-budget`, `--worker`,
    /// `--executor` and its Slurm settings). The cache is given as an absolute path, so a
    /// worker finds it from any working directory (a Slurm task on another node).
    public var sharedArguments: [String] {
        var arguments = ["--profile", profile.rawValue, "--seed", "\(seed)",
                         "--cache", cacheDirectory.path,
                         "--convolution", convolution.rawValue]
        if let dataset { arguments += ["--dataset", dataset.rawValue] }
        if let output { arguments += ["--output", output] }
        if download { arguments.append("--download") }
        if allowDegenerate { arguments.append("--allow-degenerate") }
        return arguments
    }

    /// Rejects values ArgumentParser's types allow but the chapters cannot use.
    public func validate() throws {
        try OptionRule.threads.check(threads)
        try OptionRule.memoryBudget.check(memoryBudget)
        if let empty = rerun.first(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--rerun needs a stage name (got '\(empty)').")
        }
        if output?.isEmpty == true {
            throw ValidationError("--output needs a folder name.")
        }
        if let exercise, exercise < 1 {
            throw ValidationError("--exercise must be a number from 1 (got \(exercise)).")
        }
        if cache.isEmpty {
            throw ValidationError("--cache needs a folder name.")
        }
        if let exportNir {
            var isDirectory: ObjCBool = false
            if exportNir.isEmpty {
                throw ValidationError("--export-nir needs a folder name.")
            } else if FileManager.default.fileExists(atPath: exportNir, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw ValidationError("--export-nir \(exportNir): a file of that name exists; give a folder.")
            }
        }
        if !DNNLRuntime.supports(convolution) {
            throw ValidationError("--convolution \(convolution.rawValue): oneDNN has no \(convolution.rawValue) "
                + "convolution kernels on this CPU (instruction set \(DNNLRuntime.effectiveISA)); "
                + "use --convolution blocked.")
        }
    }

    /// The output folder: `--output` if given, else `figures/<chapter>/<profile>`; relative
    /// paths are resolved against the current directory. With `--exercise N`, the folder
    /// `<that folder>-exercises/N` beside it.
    public func outputDirectory(chapter: String) -> URL {
        let reference = referenceDirectory(chapter: chapter)
        guard let exercise else { return reference }
        return absoluteDirectory(reference.path + "-exercises/\(exercise)")
    }

    /// The plain run's folder: `--output` if given, else `figures/<chapter>/<profile>`
    /// (the output folder itself, unless `--exercise` is given).
    public func referenceDirectory(chapter: String) -> URL {
        absoluteDirectory(output ?? "figures/\(chapter)/\(profileFolder)")
    }

    /// `quick`, or `quick-bfloat16` etc. when `--convolution` is not the default: the folder
    /// name under `figures/<chapter>/` and `data/cache/<chapter>/`.
    public var profileFolder: String {
        convolution == .blocked ? profile.rawValue : "\(profile.rawValue)-\(convolution.rawValue)"
    }

    /// The `--export-nir` folder as an absolute URL, or nil when the option is not given.
    public var nirExportDirectory: URL? {
        exportNir.map(absoluteDirectory)
    }

    /// The root of the stage cache (`--cache`, default `data/cache`), as an absolute URL.
    public var cacheDirectory: URL {
        absoluteDirectory(cache)
    }
}

/// `path` as an absolute directory URL, relative paths taken from the current directory.
func absoluteDirectory(_ path: String) -> URL {
    URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
}

extension ConvolutionAlgorithm: ExpressibleByArgument {}
