// regenerate: reruns every chapter (or the ones named) at one profile, in course order, and
// refreshes the figure index. Each chapter reuses its own cached stages (StageCache), so a
// second run only redoes what changed.
//
//     swift run regenerate                        # every chapter, quick profile
//     swift run regenerate --profile smoke --chapter classic
//     swift run regenerate --chapter rnl --chapter hoyer --fresh --seed 7
//     swift run regenerate --seed-replicates 3    # and every chapter's seed study
//     swift run regenerate --executor slurm       # hoyer's stage groups as a Slurm job array
//
// With `--executor slurm` the chapters still run one after another from this machine (the
// login node): chapter-hoyer submits its stage groups as one job array and waits for it, so
// `compare`, which reads the chapters before it, starts only after they are published. No
// `sbatch --dependency` chains are needed for that order; the chapters without stage groups
// run here. A seed study (`--seed-replicates K`) of such a chapter submits every seed's array
// first (`--submit-only`) and then waits for each, so the seeds' networks train side by side
// on the cluster. `--cache DIR` puts the stage cache on a file system every node sees.
//
// Each chapter is built (`swift build --product chapter-<key>`, same configuration as this
// tool; see `ProductBuilder`) and run as a child process whose output is streamed with a
// `<key> │ ` prefix. A failing chapter is named and the others still run; the closing table
// lists status, wall time, PNGs written and the headline of every chapter.
//
// Exit status: 0 when no chapter failed (skipped ones do not count), 1 otherwise, 64 for bad
// options. `render-figures` stays the no-training path: it re-renders committed figures.

import ArgumentParser
import RunRecords
import Foundation
import Regeneration

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct Regenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regenerate",
        abstract: "Run every chapter at one profile in course order and rewrite figures/README.md.",
        discussion: "Chapters, in order: "
            + ChapterCatalog.courseOrder.map(\.key).joined(separator: ", ") + ".")

    @Option(help: "Profile every chapter runs at.")
    var profile: Profile = .quick

    @Option(help: ArgumentHelp(
        "Run only this chapter (repeatable); chapters still run in course order.",
        valueName: "key"))
    var chapter: [String] = []

    @Option(help: "Seed passed to every chapter (default: each chapter's own).")
    var seed: UInt64?

    @Option(help: OptionRule.threads.help(
        "Worker threads passed to every chapter (default: each chapter's own)."))
    var threads: Int?

    @Flag(help: "Recompute every cached stage of every chapter.")
    var fresh: Bool = false

    @Option(help: OptionRule.memoryBudget.help(
        "MiB for cached buffers and simulation chunks, passed to every chapter (default: theirs, 1024)."))
    var memoryBudget: Int?

    @Option(help: ArgumentHelp(
        "Root folder of the stage cache, passed to every chapter (default: theirs, data/cache); "
            + "with --executor slurm, a folder every node sees.",
        valueName: "dir"))
    var cache: String?

    @Option(help: ArgumentHelp(
        "Also run each chapter at K training seeds (the run's seed and the K − 1 after it) into "
            + "figures/<key>/<profile>-seed-study/ and test every claim over them (2…20).",
        valueName: "K"))
    var seedReplicates: Int?

    static let seedReplicatesRule = OptionRule<Int>("--seed-replicates", 2...20)

    @Flag(help: ArgumentHelp(
        "Run no chapter: rebuild each selected chapter's seed study (seed-study.json and its "
            + "README block) from the seed runs already in figures/<key>/<profile>-seed-study/, "
            + "e.g. after a change of the claims' rule."))
    var seedStudiesFromRuns: Bool = false

    @Option(help: ArgumentHelp(
        "Where chapters with stage groups run them: local or slurm (one sbatch --array job per "
            + "chapter, waited for before the next chapter; other chapters run here).",
        valueName: "executor"))
    var executor: Executor = .local

    func validate() throws {
        try Self.seedReplicatesRule.check(seedReplicates)
        if seedStudiesFromRuns && (seedReplicates != nil || fresh) {
            throw ValidationError("--seed-studies-from-runs runs no chapter: it cannot be combined with "
                                  + "--seed-replicates or --fresh")
        }
        _ = try selectedChapters()
        try OptionRule.threads.check(threads)
        try OptionRule.memoryBudget.check(memoryBudget)
        if let cache, cache.isEmpty { throw ValidationError("--cache needs a folder name.") }
    }

    private func selectedChapters() throws -> [Chapter] {
        do {
            return try ChapterCatalog.select(chapter)
        } catch let error as RegenerationError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path)
        else { throw RegenerationError.notPackageRoot(root.path) }

        let destination: OutputPrefixer.Destination =
            isatty(STDOUT_FILENO) != 0 ? .terminal : .log
        let builder = ProductBuilder(
            packageRoot: root, configuration: .current,
            scratchPath: ProductBuilder.scratchPath(
                containing: Bundle.main.executableURL
                    ?? URL(fileURLWithPath: CommandLine.arguments[0]),
                configuration: .current),
            destination: destination, write: writeToStandardOutput)
        let arguments = ChapterArguments(
            profile: profile, seed: seed, threads: threads, fresh: fresh, memoryBudget: memoryBudget,
            executor: executor, cache: cache)
        let chapters = try selectedChapters()
        if seedStudiesFromRuns {
            let study = SeedStudyRunner(
                chapters: chapters, seeds: [], arguments: arguments, packageRoot: root, destination: destination,
                prepare: { _ in .skipped("--seed-studies-from-runs runs no chapter") }, write: writeToStandardOutput)
            let outcome = study.aggregateExistingRuns()
            print(outcome.summary)
            if outcome.failed { throw ExitCode.failure }
            return
        }
        let binDirectory = try builder.binDirectory()
        print("regenerate: \(chapters.map(\.key).joined(separator: ", ")) at --profile "
              + "\(profile.rawValue) (\(BuildConfiguration.current.rawValue) build, binaries in "
              + "\(binDirectory.path))")

        let runner = ChapterRunner(
            chapters: chapters, arguments: arguments, packageRoot: root,
            destination: destination,
            prepare: { builder.prepare($0, binDirectory: binDirectory) },
            write: writeToStandardOutput)
        let reports = runner.run()

        var failed = reports.contains(where: \.status.isFailure)
        if let k = seedReplicates {
            let study = SeedStudyRunner(
                chapters: chapters, seeds: (0..<UInt64(k)).map { (seed ?? 42) + $0 }, arguments: arguments,
                packageRoot: root, destination: destination,
                prepare: { builder.prepare($0, binDirectory: binDirectory) }, write: writeToStandardOutput)
            let outcome = study.run()
            print("\n" + outcome.summary)
            failed = failed || outcome.failed
        }

        print("\n" + SummaryTable.text(reports, profile: profile))
        let index = try FigureIndex.write(figuresRoot: root.appendingPathComponent("figures"))
        print("rewrote \(index.path) (committed profiles only; smoke runs are not indexed)")
        if failed { throw ExitCode.failure }
    }
}

/// Writes bytes to standard output at once (children's `\r` lines must not wait in a buffer).
func writeToStandardOutput(_ data: Data) {
    guard !data.isEmpty else { return }
    fflush(nil)
    FileHandle.standardOutput.write(data)
}

Regenerate.main()
