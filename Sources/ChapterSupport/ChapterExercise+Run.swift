// One run of `chapter-<key> --exercise N`: the plain run's results.json read before any work,
// the outcome written beside the exercise's own results.json, and the README's generated
// `exercises` block rewritten from every outcome at the profiles the README shows.

import Foundation
import RunRecords
import SystemSupport

/// What `ChapterExercises.prepare(_:)` returns: for an exercise run, the exercise and the plain
/// run's record; for a plain run, nothing but the means to refresh the README block.
public struct ExerciseRun: Sendable {
    public let exercises: ChapterExercises
    public let context: ChapterContext
    /// The exercise this run is, or nil for a plain run.
    public let exercise: ChapterExercise?
    /// The plain run's results.json (read in `prepare`), nil for a plain run.
    public let reference: RunRecord?

    /// Compares this run with the plain one and writes `exercise.json` beside its results.json
    /// (call after `RunOutput.publish`); then rewrites the README's `exercises` block when this
    /// run writes the chapter's committed outputs: a plain reference run, or an exercise run at
    /// the profile its README entry shows, into the default folder with the default kernels.
    /// A plain run rewrites the block too, since a new reference can leave outcomes stale.
    ///
    /// - Returns: the outcome of an exercise run, nil for a plain run.
    @discardableResult
    public func finish(_ record: RunRecord) throws -> ExerciseOutcome? {
        guard let exercise, let reference else {
            if context.writesReferenceReadme { try writeReadmeBlock() }
            return nil
        }
        let finding = try exercise.rule(reference, record)
        let outcome = ExerciseOutcome(
            chapter: exercises.chapter, number: exercise.number, profile: context.profile,
            seed: context.seed, arguments: exercise.arguments, question: exercise.question,
            command: exercises.command(exercise, profile: context.profile),
            referenceResults: displayPath(
                context.referenceDirectory.appendingPathComponent(RunRecord.fileName)),
            referenceCommit: reference.git.commit, referenceDate: reference.date,
            outcome: finding.outcome, values: finding.values, checks: finding.checks)
        let url = context.outputDirectory.appendingPathComponent(ExerciseOutcome.fileName)
        try atomicWrite(try JSONCoding.prettyEncoder().encode(outcome) + Data("\n".utf8), to: url)
        print("\nExercise \(exercise.number) (\(exercise.arguments.joined(separator: " "))), "
              + "against \(outcome.referenceResults):\n\(outcome.outcome)")
        for check in outcome.checks {
            print("  " + check.verdict.padding(toLength: 13, withPad: " ", startingAt: 0) + " " + check.statement)
        }
        print("wrote \(displayPath(url))")
        if context.profile == exercise.profile, !context.hasCustomOutput,
           context.convolution == .blocked {
            try writeReadmeBlock()
        }
        return outcome
    }

    /// Rewrites the README's `exercises` block from the outcomes in the default folders.
    func writeReadmeBlock() throws {
        try replaceGeneratedBlock("exercises", in: exercises.readme,
                                  with: exercises.readmeBlock(root: absoluteDirectory(".")))
        print("updated the exercises block in \(displayPath(exercises.readme))")
    }
}

extension ChapterExercises {
    /// Call in section 0, right after creating the context: with `--exercise N`, reads the
    /// plain run's results.json now, so that a missing or mismatched reference stops the run
    /// before any work.
    ///
    /// - Throws: `ChapterError.invalidConfiguration` when the plain run's results.json is
    ///   missing, unreadable, or from another chapter, profile or seed; the message gives the
    ///   command that writes it.
    public func prepare(_ context: ChapterContext) throws -> ExerciseRun {
        guard let number = context.exercise else {
            return ExerciseRun(exercises: self, context: context, exercise: nil, reference: nil)
        }
        let exercise = try self.exercise(number)
        let url = context.referenceDirectory.appendingPathComponent(RunRecord.fileName)
        let setsSeed = exercise.arguments.contains("--seed")
        let defaultSeed = (try? ChapterOptions.parse([]))?.seed
        let plain = "swift run chapter-\(chapter)"
            + (context.profile == .quick ? "" : " --profile \(context.profile.rawValue)")
            + (context.convolution == .blocked
                ? "" : " --convolution \(context.convolution.rawValue)")
            + (setsSeed || context.seed == defaultSeed ? "" : " --seed \(context.seed)")
            + (context.hasCustomOutput
                ? " --output \(displayPath(context.referenceDirectory))" : "")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ChapterError.invalidConfiguration(
                "--exercise \(number) compares its run with the plain run's results, "
                    + "\(displayPath(url)), which does not exist: run `\(plain)` first, then this "
                    + "command again.")
        }
        let reference: RunRecord
        do {
            reference = try RunRecord.load(from: url)
        } catch {
            throw ChapterError.invalidConfiguration(
                "--exercise \(number): cannot read the plain run's results \(displayPath(url)) "
                    + "(\(error)); run `\(plain)` again.")
        }
        let mismatch: String? =
            reference.chapter != chapter ? "is chapter-\(reference.chapter)'s"
            : reference.profile != context.profile
                ? "is from the \(reference.profile.rawValue) profile"
            : !setsSeed && reference.seed != context.seed
                ? "was run with seed \(reference.seed), this run with \(context.seed)"
            : nil
        if let mismatch {
            throw ChapterError.invalidConfiguration(
                "--exercise \(number): the plain run's results \(displayPath(url)) \(mismatch); "
                    + "run `\(plain)` first.")
        }
        print("exercise \(number): \(exercise.arguments.joined(separator: " ")) at the "
              + "\(context.profile.rawValue) profile, compared with \(displayPath(url)) "
              + "(commit \(reference.git.commit.prefix(12)))")
        return ExerciseRun(exercises: self, context: context, exercise: exercise, reference: reference)
    }

    /// The command of `exercise` at `profile`.
    func command(_ exercise: ChapterExercise, profile: Profile) -> String {
        "swift run chapter-\(chapter)" + (profile == .quick ? "" : " --profile \(profile.rawValue)")
            + " --exercise \(exercise.number)"
    }

    /// The default folder of exercise `number`'s run at `profile`, relative to the package root.
    public func folder(_ number: Int, profile: Profile) -> String {
        "figures/\(chapter)/\(profile.rawValue)-exercises/\(number)"
    }

    /// The README's `exercises` block: every exercise with its command, and the outcome found
    /// in its default folder under `root` at the profile it is sized for, or "not run yet".
    /// An outcome whose plain run has since changed (another commit or date in that folder's
    /// results.json) is shown as stale.
    public func readmeBlock(root: URL) -> String {
        var lines = [
            "",
            "Generated by `chapter-\(chapter) --exercise N` (each outcome compares that run's "
                + "results.json with the plain run's at the same profile and seed; rule: "
                + "`\(chapter)Exercises` in chapters/\(chapter)/Exercises.swift). Run the plain chapter "
                + "at the exercise's profile first, then its command; the run goes to "
                + "`figures/\(chapter)/<profile>-exercises/N/` (its results.json, provenance.json and "
                + "exercise.json are committed, its figures stay on your machine).",
            "",
        ]
        var ran: [String] = [], notRun: [String] = []
        var plainRuns: [Profile: RunRecord?] = [:]   // each profile's plain run, read once
        for exercise in list {
            let folder = folder(exercise.number, profile: exercise.profile)
            let profile = exercise.profile.rawValue
            lines.append("\(exercise.number). `\(command(exercise))` — runs with "
                         + "`\(exercise.arguments.joined(separator: " "))` at the \(profile) profile. "
                         + exercise.question)
            if let sizing = exercise.sizing { lines += ["", "   Sized for \(profile): \(sizing)"] }
            lines.append("")
            guard let outcome = try? ExerciseOutcome.load(
                from: root.appendingPathComponent("\(folder)/\(ExerciseOutcome.fileName)")) else {
                lines += ["   *Not run yet at the \(profile) profile.*", ""]
                notRun.append("\(exercise.number)")
                continue
            }
            ran.append("\(exercise.number) at \(profile)")
            if plainRuns[exercise.profile] == nil {
                plainRuns[exercise.profile] = try? RunRecord.load(from: root.appendingPathComponent(
                    "figures/\(chapter)/\(profile)/\(RunRecord.fileName)"))
            }
            if let current = plainRuns[exercise.profile] ?? nil, current.git.commit != outcome.referenceCommit
                || current.date != outcome.referenceDate {
                lines += ["   *Stale*: the plain run in `figures/\(chapter)/\(profile)/` has changed since "
                          + "this outcome was computed (against commit "
                          + "\(outcome.referenceCommit.prefix(12))); rerun the command.", ""]
            }
            lines += ["   Outcome (\(profile), `\(folder)/\(ExerciseOutcome.fileName)`): "
                      + outcome.outcome, ""]
            lines += outcome.checks.map {
                "   - \($0.holds ? "holds" : "**does not hold**"): \($0.statement)"
            }
            lines.append("")
        }
        lines.append("Run so far: " + (ran.isEmpty ? "none" : ran.joined(separator: ", "))
                     + (notRun.isEmpty ? "." : "; not run yet: " + notRun.joined(separator: ", ") + "."))
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
