import Foundation
import RunRecords
import Statistics
import Testing

@testable import Regeneration

/// A seed study re-tests every claim on the mean of its per-seed effects, with the standard
/// error over the seeds, and runs each seed into its own folder.
@Suite struct SeedStudyTests {
    static func record(seed: UInt64, effects: [String: (value: Double, se: Double)]) -> RunRecord {
        var record = RunRecord(
            chapter: "classic", profile: .smoke, seed: seed, threads: 2, commandLine: ["chapter-classic"],
            git: GitRevision(commit: "abc", dirty: false), date: Date(timeIntervalSince1970: 0),
            build: .debug, config: .object([:]), metrics: .object([:]))
        record.claims = effects.keys.sorted().map { id in
            ClaimTest(id: id, claim: "claim \(id)", source: "paper", effect: "acc(A) − acc(B)",
                      difference: Difference(mean: effects[id]!.value, standardError: effects[id]!.se,
                                             basis: .pairedImages(images: 500)),
                      seeds: 1)
        }
        return record
    }

    @Test func claimsAreTestedOnTheMeanOverSeeds() {
        // Per seed (points): a = +3, +5, +4 → mean 4, sd 1, s.e. 1/√3 ≈ 0.577: 6.9 s.e., beyond
        // Student's t₀.₉₇₅(2) = 4.30 → reproduced.
        // b = −1, +2, +1 → mean 0.667, sd 1.528, s.e. 0.882 → inconclusive, although seed 2 alone
        // (2 ± 0.5 points) would be reproduced. c appears in two runs only: left out.
        var records = [
            Self.record(seed: 42, effects: ["a": (0.03, 0.01), "b": (-0.01, 0.005), "c": (0.1, 0.01)]),
            Self.record(seed: 43, effects: ["a": (0.05, 0.01), "b": (0.02, 0.005), "c": (0.1, 0.01)]),
            Self.record(seed: 44, effects: ["a": (0.04, 0.01), "b": (0.01, 0.005)]),
        ]
        // A seed on which a network collapsed (kept by --allow-degenerate) is listed, not dropped.
        records[2].degenerate = [DegenerateNetwork(stage: "finetune", network: "naive T=2", rule: "chance-accuracy",
                                                   finding: "held-out accuracy 10.00 %", keptBecause: "--allow-degenerate")]
        let study = SeedStudy(chapter: "classic", profile: .smoke, records: records, runs: ["s42", "s43", "s44"])
        #expect(study.seeds == [42, 43, 44])
        #expect(study.rows.map(\.test.id) == ["a", "b"])
        #expect(study.notInEveryRun == ["c"])
        #expect(study.degenerate == ["seed 44: stage 'finetune' (naive T=2): held-out accuracy 10.00 %"])
        let a = study.rows[0].test, b = study.rows[1].test
        #expect(abs(a.value - 4) < 1e-9 && abs(a.standardError - 1 / 3.0.squareRoot()) < 1e-9)
        #expect(a.outcome == .reproduced && a.seeds == 3 && a.uncertainty == .seeds(count: 3))
        #expect(abs(b.value - 2.0 / 3) < 1e-9 && b.outcome == .inconclusive)
        #expect(study.rows[1].perSeedOutcomes == [.inconclusive, .reproduced, .inconclusive])   // ±0.5: ±1 is on the edge
        #expect(study.claims.allSatisfy { $0.followsRule })
        let block = study.readmeBlock(folder: "figures/classic/smoke-seed-study")
        #expect(block.contains("+4.00 ± 0.58 points"))
        #expect(block.contains("decides at 4.30 s.e."))
        #expect(block.contains("Rule for a claim over training seeds") && block.contains("2 degrees of freedom"))
        #expect(block.contains("- seed 44: stage 'finetune' (naive T=2)"))
    }

    @Test func eachSeedRunsIntoItsOwnFolderAndOnlyItsRecordsAreKept() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // A fake chapter writing a results.json for the seed it was given and a figure beside it.
        let script = """
            echo "$@" >> arguments.txt
            out=""; seed=""; while [ $# -gt 0 ]; do case "$1" in --output) out="$2"; shift;; --seed) seed="$2"; shift;; esac; shift; done
            mkdir -p "$out" && touch "$out/fig.png" && sed "s/\\"seed\\" : 42/\\"seed\\" : $seed/" fixture.json > "$out/results.json"
            """
        let fixture = Self.record(seed: 42, effects: ["a": (0.03, 0.01)])
        try folder.write(String(decoding: try JSONCoding.prettyEncoder().encode(fixture), as: UTF8.self),
                         to: "fixture.json")
        let runner = SeedStudyRunner(
            chapters: try ChapterCatalog.select(["classic"]), seeds: [42, 7],
            arguments: ChapterArguments(profile: .smoke), packageRoot: folder.url, destination: .log,
            prepare: { _ in .ready(Command(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", script, "sh"])) },
            write: { _ in })
        let outcome = runner.run()
        #expect(!outcome.failed)
        let study = try JSONCoding.decoder().decode(
            SeedStudy.self,
            from: Data(contentsOf: folder.url.appendingPathComponent("figures/classic/smoke-seed-study/seed-study.json")))
        #expect(study.seeds == [42, 7])
        #expect(study.runs == ["figures/classic/smoke-seed-study/seed-42", "figures/classic/smoke-seed-study/seed-7"])
        let kept = try FileManager.default.contentsOfDirectory(
            atPath: folder.url.appendingPathComponent("figures/classic/smoke-seed-study/seed-7").path)
        #expect(kept == ["results.json"])
        #expect(try String(contentsOf: folder.url.appendingPathComponent("arguments.txt"), encoding: .utf8)
            == "--profile smoke --seed 42 --allow-degenerate --output figures/classic/smoke-seed-study/seed-42\n"
            + "--profile smoke --seed 7 --allow-degenerate --output figures/classic/smoke-seed-study/seed-7\n")
    }

    /// With `--executor slurm`, a chapter with stage groups is first run at every seed with
    /// `--submit-only` (all seeds' arrays queued at once), then at every seed to wait and build;
    /// a chapter without stage groups runs once per seed, here.
    @Test func slurmSeedStudiesSubmitEverySeedBeforeWaitingForAny() throws {
        for (key, slurm) in [("hoyer", true), ("classic", false)] {
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            // A fake chapter: a --submit-only run writes nothing (it would return after sbatch).
            let script = """
                echo "$@" >> arguments.txt
                out=""; seed=""; submit=""; while [ $# -gt 0 ]; do case "$1" in --output) out="$2"; shift;; --seed) seed="$2"; shift;; --submit-only) submit=1;; esac; shift; done
                [ -n "$submit" ] && exit 0
                mkdir -p "$out" && sed "s/\"seed\" : 42/\"seed\" : $seed/" fixture.json > "$out/results.json"
                """
            let fixture = Self.record(seed: 42, effects: ["a": (0.03, 0.01)])
            try folder.write(String(decoding: try JSONCoding.prettyEncoder().encode(fixture), as: UTF8.self),
                             to: "fixture.json")
            let runner = SeedStudyRunner(
                chapters: try ChapterCatalog.select([key]), seeds: [42, 43],
                arguments: ChapterArguments(profile: .smoke, executor: .slurm), packageRoot: folder.url,
                destination: .log,
                prepare: { _ in .ready(Command(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", script, "sh"])) },
                write: { _ in })
            #expect(!runner.run().failed)
            let calls = try String(contentsOf: folder.url.appendingPathComponent("arguments.txt"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            let run = { (seed: Int, extra: String) in
                "--profile smoke --seed \(seed) --allow-degenerate\(extra) --output figures/\(key)/smoke-seed-study/seed-\(seed)"
            }
            if slurm {
                #expect(calls == [run(42, " --executor slurm --submit-only"), run(43, " --executor slurm --submit-only"),
                                  run(42, " --executor slurm"), run(43, " --executor slurm")])
            } else {
                #expect(calls == [run(42, ""), run(43, "")])
            }
            #expect(FileManager.default.fileExists(
                atPath: folder.url.appendingPathComponent("figures/\(key)/smoke-seed-study/seed-study.json").path))
        }
    }

    /// `regenerate --seed-studies-from-runs`: the study is rebuilt from the runs in the folder
    /// (in seed order), with no chapter run; a folder with fewer than two runs gets none.
    @Test func aStudyIsRebuiltFromTheRunsInItsFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for seed: UInt64 in [44, 42, 43] {
            let record = Self.record(seed: seed, effects: ["a": (0.03 + 0.01 * Double(seed - 42), 0.01)])
            try folder.write(String(decoding: try JSONCoding.prettyEncoder().encode(record), as: UTF8.self),
                             to: "figures/classic/smoke-seed-study/seed-\(seed)/results.json")
        }
        let runner = SeedStudyRunner(
            chapters: try ChapterCatalog.select(["classic", "rnl"]), seeds: [], arguments: ChapterArguments(profile: .smoke),
            packageRoot: folder.url, destination: .log, prepare: { _ in .skipped("no runs") }, write: { _ in })
        let outcome = runner.aggregateExistingRuns()
        #expect(!outcome.failed)
        #expect(outcome.summary.contains("rnl: no study"))
        let study = try JSONCoding.decoder().decode(
            SeedStudy.self,
            from: Data(contentsOf: folder.url.appendingPathComponent("figures/classic/smoke-seed-study/seed-study.json")))
        #expect(study.seeds == [42, 43, 44])
        #expect(abs(study.rows[0].test.value - 4) < 1e-9 && study.rows[0].test.outcome == .reproduced)
        #expect(study.matchesSingleRun == nil)   // no single run in figures/classic/smoke/

        // The chapter's single run at seed 42: the study's seed-42 run holds its result, then not.
        func studyAgainst(singleEffect: Double) throws -> SeedStudy {
            let single = Self.record(seed: 42, effects: ["a": (singleEffect, 0.01)])
            try folder.write(String(decoding: try JSONCoding.prettyEncoder().encode(single), as: UTF8.self),
                             to: "figures/classic/smoke/results.json")
            _ = runner.aggregateExistingRuns()
            return try JSONCoding.decoder().decode(
                SeedStudy.self,
                from: Data(contentsOf: folder.url.appendingPathComponent("figures/classic/smoke-seed-study/seed-study.json")))
        }
        let matching = try studyAgainst(singleEffect: 0.03)
        #expect(matching.matchesSingleRun == true)
        #expect(!matching.readmeBlock(folder: "f").contains("Not the run above"))
        let stale = try studyAgainst(singleEffect: 0.05)
        #expect(stale.matchesSingleRun == false)
        #expect(stale.readmeBlock(folder: "f").contains("**Not the run above.**"))
    }
}
