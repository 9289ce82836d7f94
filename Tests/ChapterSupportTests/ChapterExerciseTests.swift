import ArgumentParser
@testable import ChapterSupport
import Foundation
import RunRecords
import Testing

/// A chapter's metrics as the demo exercises read them.
private struct DemoMetrics: Codable { var accuracy: Double }

/// Two exercises of a chapter named `classic` (one of the chapters that run `--exercise`):
/// the first compares accuracies, the second is sized for smoke.
private func demoExercises(readme: URL) -> ChapterExercises {
    ChapterExercises(chapter: "classic", readme: readme, [
        ChapterExercise(1, arguments: ["--reset", "zero"], question: "Does accuracy fall?",
                        metrics: DemoMetrics.self) { reference, run in
            var f = ExerciseFinding()
            let v = f.value("accuracy", "accuracy", reference: reference.accuracy, exercise: run.accuracy)
            f.check("falls", "accuracy falls", holds: v.exercise! < v.reference!)
            f.outcome = "accuracy \(ExerciseFinding.percent(v.exercise)) (plain run \(ExerciseFinding.percent(v.reference)))"
            return f
        },
        ChapterExercise(2, arguments: ["--seed", "7"], question: "A new seed?", profile: .smoke,
                        sizing: "a new seed retrains everything.", metrics: DemoMetrics.self) { _, _ in ExerciseFinding() },
    ])
}

private func record(_ accuracy: Double, seed: UInt64 = 42, profile: Profile = .quick, commit: String = "abc") throws -> RunRecord {
    RunRecord(chapter: "classic", profile: profile, seed: seed, threads: 1, commandLine: ["chapter-classic"],
              git: GitRevision(commit: commit, dirty: false), date: Date(timeIntervalSince1970: 1_000),
              build: .debug, config: .object([:]), metrics: try JSONValue(encoding: DemoMetrics(accuracy: accuracy)))
}

@Suite struct ChapterExerciseTests {
    /// `--exercise N` publishes beside the plain run's folder and never rewrites the README's
    /// results block; the plain folder stays the reference.
    @Test func anExerciseRunWritesBesideThePlainRun() throws {
        let options = try ChapterOptions.parse(["--exercise", "2"])
        #expect(options.outputDirectory(chapter: "classic").path.hasSuffix("figures/classic/quick-exercises/2"))
        #expect(options.referenceDirectory(chapter: "classic").path.hasSuffix("figures/classic/quick"))
        let custom = try ChapterOptions.parse(["--output", "/tmp/x", "--exercise", "1"])
        #expect(custom.outputDirectory(chapter: "classic").path == "/tmp/x-exercises/1")
        let context = try ChapterContext(chapter: "classic", options: options)
        #expect(context.exercise == 2 && !context.writesReferenceReadme)
        #expect(throws: (any Error).self) { try ChapterOptions.parse(["--exercise", "0"]) }
        // chapter-primer computes its exercises in every run: it refuses the option.
        #expect(throws: ChapterError.self) { try ChapterContext(chapter: "primer", options: options) }
    }

    /// Before any work: a number out of range, a chapter option typed beside `--exercise`, or an
    /// option the exercise sets itself is refused with a message naming it.
    @Test func theCommandLineIsCheckedBeforeAnyWork() throws {
        let exercises = demoExercises(readme: URL(fileURLWithPath: "/nonexistent"))
        #expect(try exercises.arguments(for: 1, typed: ["--profile", "smoke", "--exercise", "1"])
            == ["--profile", "smoke", "--exercise", "1", "--reset", "zero"])
        func message(_ number: Int, _ typed: [String]) -> String {
            do { _ = try exercises.arguments(for: number, typed: typed); return "" } catch { return "\(error)" }
        }
        #expect(message(3, ["--exercise", "3"]).contains("exercises 1–2"))
        #expect(message(1, ["--exercise", "1", "--percentile", "99"]).contains("not the chapter's own"))
        #expect(message(2, ["--exercise", "2", "--seed", "3"]).contains("sets --seed itself"))
    }

    /// The plain run's results.json is read before any work: missing, or from another seed,
    /// it stops the run with the command that writes it; present, the outcome compares the two
    /// runs and lands in exercise.json beside the exercise's results.
    @Test func theOutcomeComparesTheTwoRuns() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let plain = folder.url.appendingPathComponent("plain")
        let exercises = demoExercises(readme: folder.url.appendingPathComponent("README.md"))
        let context = try ChapterContext(chapter: "classic", options: ChapterOptions.parse(
            ["--output", plain.path, "--cache", folder.url.appendingPathComponent("cache").path, "--exercise", "1"]))
        #expect { try exercises.prepare(context) } throws: { "\($0)".contains("run `swift run chapter-classic --output") }

        try FileManager.default.createDirectory(at: plain, withIntermediateDirectories: true)
        try record(0.9, seed: 5).write(to: plain)
        #expect { try exercises.prepare(context) } throws: { "\($0)".contains("seed 5, this run with 42") }

        try record(0.9).write(to: plain)
        let run = try exercises.prepare(context)
        try FileManager.default.createDirectory(at: context.outputDirectory, withIntermediateDirectories: true)
        let outcome = try #require(try run.finish(record(0.8)))
        #expect(outcome.values == [ExerciseValue(key: "accuracy", label: "accuracy", reference: 0.9, exercise: 0.8)])
        #expect(outcome.checks.map(\.holds) == [true] && outcome.outcome == "accuracy 80.0 % (plain run 90.0 %)")
        #expect(outcome.referenceCommit == "abc" && outcome.arguments == ["--reset", "zero"])
        let written = try ExerciseOutcome.load(from: context.outputDirectory.appendingPathComponent(ExerciseOutcome.fileName))
        #expect(written == outcome)
    }

    /// The README block lists every exercise with its command; an outcome in its folder is
    /// quoted with its checks, a missing one says "not run yet", and one whose plain run has
    /// changed since is marked stale.
    @Test func theReadmeBlockQuotesEveryOutcomeFound() throws {
        let root = try TestDirectory()
        defer { root.remove() }
        let exercises = demoExercises(readme: root.url.appendingPathComponent("README.md"))
        var block = exercises.readmeBlock(root: root.url)
        #expect(block.contains("1. `swift run chapter-classic --exercise 1` — runs with `--reset zero` at the quick profile."))
        #expect(block.contains("`swift run chapter-classic --profile smoke --exercise 2`"))
        #expect(block.contains("Sized for smoke: a new seed retrains everything."))
        #expect(block.components(separatedBy: "*Not run yet").count == 3)

        let folder = root.url.appendingPathComponent(exercises.folder(1, profile: .quick))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let outcome = ExerciseOutcome(
            chapter: "classic", number: 1, profile: .quick, seed: 42, arguments: ["--reset", "zero"],
            question: "Does accuracy fall?", command: "swift run chapter-classic --exercise 1",
            referenceResults: "figures/classic/quick/results.json", referenceCommit: "abc",
            referenceDate: Date(timeIntervalSince1970: 1_000), outcome: "accuracy 80.0 % (plain run 90.0 %)",
            values: [], checks: [ExerciseCheck(key: "falls", statement: "accuracy falls", holds: false)])
        try JSONCoding.prettyEncoder().encode(outcome).write(to: folder.appendingPathComponent(ExerciseOutcome.fileName))
        block = exercises.readmeBlock(root: root.url)
        #expect(block.contains("Outcome (quick, `figures/classic/quick-exercises/1/exercise.json`): accuracy 80.0 % (plain run 90.0 %)"))
        #expect(block.contains("- **does not hold**: accuracy falls"))
        #expect(!block.contains("Stale") && block.contains("Run so far: 1 at quick; not run yet: 2."))

        let plain = root.url.appendingPathComponent("figures/classic/quick")
        try FileManager.default.createDirectory(at: plain, withIntermediateDirectories: true)
        try record(0.9, commit: "def").write(to: plain)
        #expect(exercises.readmeBlock(root: root.url).contains("*Stale*"))
        try record(0.9, commit: "abc").write(to: plain)
        #expect(!exercises.readmeBlock(root: root.url).contains("*Stale*"))
    }
}
