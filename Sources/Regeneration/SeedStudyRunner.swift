// Runs each chapter at several training seeds and writes its seed study (`SeedStudy`).

import Foundation
import RunRecords
import SystemSupport

/// For every chapter, one run per seed into `figures/<key>/<profile>-seed-study/seed-<s>/`,
/// then `seed-study.json` beside them and the chapter README's `seed-study` block (when the
/// README has its markers). Each run reuses its cached stages, so the run at the default seed
/// after a plain `regenerate` costs only its figures. Only results.json and provenance.json of
/// each seed's run are kept (its figures are the same kind as the quick run's; rerun
/// `chapter-<key> --seed s` to see them). The runs pass `--allow-degenerate`: a network that
/// collapses at one seed is recorded (results.json `degenerate`, and the study lists it)
/// instead of stopping the study.
public struct SeedStudyRunner {
    public var chapters: [Chapter]
    public var seeds: [UInt64]
    /// The options of the plain runs; the seed is replaced per run.
    public var arguments: ChapterArguments
    public var packageRoot: URL
    public var destination: OutputPrefixer.Destination
    public var prepare: (Chapter) -> Preparation
    public var write: (Data) -> Void

    public init(chapters: [Chapter], seeds: [UInt64], arguments: ChapterArguments, packageRoot: URL,
                destination: OutputPrefixer.Destination, prepare: @escaping (Chapter) -> Preparation,
                write: @escaping (Data) -> Void) {
        self.chapters = chapters
        self.seeds = seeds
        self.arguments = arguments
        self.packageRoot = packageRoot
        self.destination = destination
        self.prepare = prepare
        self.write = write
    }

    /// The study folder of `chapter`, relative to the package root.
    public func folder(of chapter: Chapter) -> String {
        "figures/\(chapter.key)/\(arguments.profile.rawValue)-seed-study"
    }

    /// Runs every chapter's seeds; a chapter with a failed seed gets no study (named in the summary).
    ///
    /// A chapter whose stage groups go to Slurm (`--executor slurm`) first runs every seed with
    /// `--submit-only`, so that all seeds' arrays are queued side by side (each seed keeps its
    /// submission in its own worker folder), then runs each seed again, which waits for its
    /// array and builds the results from the cache.
    public func run() -> (summary: String, failed: Bool) {
        var lines = ["Seed studies (seeds \(seeds.map(String.init).joined(separator: ", "))):"]
        var failed = false
        for chapter in chapters {
            let folder = folder(of: chapter)
            func seedRun(_ seed: UInt64, submitOnly: Bool) -> (run: String, report: ChapterReport) {
                var seeded = arguments
                seeded.seed = seed
                seeded.allowDegenerate = true
                seeded.submitOnly = submitOnly
                let run = "\(folder)/seed-\(seed)"
                var runner = ChapterRunner(chapters: [chapter], arguments: seeded, packageRoot: packageRoot,
                                           destination: destination, prepare: prepare, write: write)
                runner.outputFolder = { _ in run }
                return (run, runner.run()[0])
            }
            if arguments.submitsToSlurm(chapter) && seeds.count > 1 {
                for seed in seeds {
                    // A failed submission shows again, with its message, in the run below.
                    _ = seedRun(seed, submitOnly: true)
                }
            }
            var records: [RunRecord] = []
            var runs: [String] = []
            for seed in seeds {
                let (run, report) = seedRun(seed, submitOnly: false)
                guard !report.status.isFailure,
                      let record = try? RunRecord.load(from: packageRoot.appendingPathComponent("\(run)/\(RunRecord.fileName)"))
                else { break }
                keepOnlyRecords(in: packageRoot.appendingPathComponent(run))
                records.append(record)
                runs.append(run)
            }
            guard records.count == seeds.count else {
                lines.append("  \(chapter.key): FAILED at seed \(seeds[records.count]); no study written")
                failed = true
                continue
            }
            let (written, ok) = writeStudy(of: chapter, records: records, runs: runs)
            lines += written
            failed = failed || !ok
        }
        return (lines.joined(separator: "\n"), failed)
    }

    /// Rebuilds every chapter's study from the seed runs already in its folder (after a change
    /// of the claims' rule, say), running no chapter: `regenerate --seed-studies-from-runs`.
    public func aggregateExistingRuns() -> (summary: String, failed: Bool) {
        var lines = ["Seed studies rebuilt from the runs in their folders:"]
        var failed = false
        for chapter in chapters {
            let folder = folder(of: chapter)
            let directory = packageRoot.appendingPathComponent(folder)
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
                .filter { $0.hasPrefix("seed-") }
            let runs = names.compactMap { name in UInt64(name.dropFirst("seed-".count)).map { ($0, "\(folder)/\(name)") } }
                .sorted { $0.0 < $1.0 }
            let records = runs.compactMap { _, run in
                try? RunRecord.load(from: packageRoot.appendingPathComponent("\(run)/\(RunRecord.fileName)"))
            }
            guard records.count == runs.count, records.count >= 2 else {
                lines.append("  \(chapter.key): no study (\(records.count) readable seed runs of \(runs.count) in \(folder)/; "
                             + "a study needs at least two)")
                continue
            }
            let (written, ok) = writeStudy(of: chapter, records: records, runs: runs.map(\.1))
            lines += written
            failed = failed || !ok
        }
        return (lines.joined(separator: "\n"), failed)
    }

    /// Writes `seed-study.json` from the runs' records and, at a committed profile, the README's
    /// `seed-study` block; returns the summary lines and whether it worked.
    private func writeStudy(of chapter: Chapter, records: [RunRecord], runs: [String]) -> (lines: [String], ok: Bool) {
        let folder = folder(of: chapter)
        var study = SeedStudy(chapter: chapter.key, profile: arguments.profile, records: records, runs: runs)
        // The chapter's committed single run, and the study's run at its seed.
        if let single = try? RunRecord.load(from: packageRoot.appendingPathComponent(
                "figures/\(chapter.key)/\(arguments.profile.rawValue)/\(RunRecord.fileName)")),
           let twin = records.first(where: { $0.seed == single.seed }) {
            study.matchesSingleRun = twin.hasSameResult(as: single)
        }
        do {
            let url = packageRoot.appendingPathComponent("\(folder)/\(SeedStudy.fileName)")
            try atomicWriteJSON(study, to: url)
            let readme = packageRoot.appendingPathComponent("chapters/\(chapter.key)/README.md")
            let updated = arguments.profile == .smoke ? false
                : try replaceGeneratedReadmeBlock("seed-study", in: readme, with: study.readmeBlock(folder: folder))
            let outcomes = study.rows.map { "\($0.test.id) \($0.test.outcome.phrase)" }
            return (["  \(chapter.key): \(study.rows.count) claims over \(records.count) seeds → \(folder)/"
                     + (updated ? " (README block rewritten)" : "")] + outcomes.map { "      " + $0 }, true)
        } catch {
            return (["  \(chapter.key): could not write the study: \(error)"], false)
        }
    }

    /// Removes everything but results.json and provenance.json from a seed's run folder.
    private func keepOnlyRecords(in directory: URL) {
        let keep: Set<String> = [RunRecord.fileName, "provenance.json"]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where !keep.contains(name) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}

/// Writes `value` as pretty, key-sorted JSON, atomically.
func atomicWriteJSON(_ value: some Encodable, to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try atomicWrite(try JSONCoding.prettyEncoder().encode(value), to: url)
}
