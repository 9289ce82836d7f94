// A chapter's exercises as code: the options each one changes, the question it asks, and the
// rule that turns the plain run's results.json and the exercise run's into the outcome the
// README shows. No expected outcome is typed by hand (docs/conventions.md C1.4).

import ArgumentParser
import Foundation
import RunRecords

/// A number an exercise's outcome quotes, in the plain (reference) run and in the exercise's
/// run: `nil` where that run has no such number (a method the run did not simulate, a T it
/// never reached).
public struct ExerciseValue: Codable, Equatable, Sendable {
    /// A stable name tests look the value up by, e.g. `max-norm-zero.accuracy.T256`.
    public var key: String
    /// What it is, in words, with its unit.
    public var label: String
    public var reference: Double?
    public var exercise: Double?

    public init(key: String, label: String, reference: Double?, exercise: Double?) {
        self.key = key
        self.label = label
        self.reference = reference
        self.exercise = exercise
    }
}

/// One statement an exercise's outcome makes, and whether this pair of runs bears it out.
public struct ExerciseCheck: Codable, Equatable, Sendable {
    /// A stable name tests look the check up by.
    public var key: String
    public var statement: String
    public var holds: Bool

    public init(key: String, statement: String, holds: Bool) {
        self.key = key
        self.statement = statement
        self.holds = holds
    }

    /// `holds` or `does not hold`.
    public var verdict: String { holds ? "holds" : "does not hold" }
}

/// What an exercise's rule found: the sentence with the measured numbers, the numbers
/// themselves and the checks it states.
public struct ExerciseFinding: Equatable, Sendable {
    public var outcome: String = ""
    public var values: [ExerciseValue] = []
    public var checks: [ExerciseCheck] = []

    public init() {}

    /// Records a quoted number and returns it unchanged, so the rule can use it in its sentence.
    @discardableResult
    public mutating func value(_ key: String, _ label: String, reference: Double?, exercise: Double?)
        -> (reference: Double?, exercise: Double?) {
        values.append(ExerciseValue(key: key, label: label, reference: reference, exercise: exercise))
        return (reference, exercise)
    }

    /// Records a check and returns whether it holds.
    @discardableResult
    public mutating func check(_ key: String, _ statement: String, holds: Bool) -> Bool {
        checks.append(ExerciseCheck(key: key, statement: statement, holds: holds))
        return holds
    }
}

extension ExerciseFinding {
    /// `93.5 %` for an accuracy 0.935, `–` for none.
    public static func percent(_ fraction: Double?, digits: Int = 1) -> String {
        fraction.map { String(format: "%.\(digits)f %%", 100 * $0) } ?? "–"
    }

    /// `+1.2 points` for a difference of accuracies 0.012.
    public static func points(_ difference: Double, digits: Int = 1) -> String {
        String(format: "%+.\(digits)f points", 100 * difference)
    }

    /// `from T = 51`, or `at no T ≤ 256` for a curve that never gets there: "stays within
    /// 1 point \(F.from(t, max: T))".
    public static func from(_ t: Int?, max: Int) -> String {
        t.map { "from T = \($0)" } ?? "at no T ≤ \(max)"
    }
}

/// One exercise of a chapter: `chapter-<key> --exercise N` runs the chapter with `arguments`
/// added and compares its results.json with the plain run's at the same profile.
public struct ChapterExercise: Sendable {
    public var number: Int
    /// The chapter options the exercise changes, e.g. `["--reset", "zero"]`.
    public var arguments: [String]
    /// The question, in the lesson's words (no expected numbers: the rule produces those).
    public var question: String
    /// The profile whose outcome the README shows: quick, or smoke where a quick run would
    /// retrain for long (`sizing` says why).
    public var profile: Profile
    /// Why the exercise is sized for `profile` when that is not quick; nil otherwise.
    public var sizing: String?
    /// The rule: reference run's record, exercise run's record → the outcome.
    public var rule: @Sendable (RunRecord, RunRecord) throws -> ExerciseFinding

    /// An exercise whose rule reads both runs' metrics as the chapter's `Metrics` type.
    public init<Metrics: Decodable>(
        _ number: Int, arguments: [String], question: String, profile: Profile = .quick,
        sizing: String? = nil, metrics: Metrics.Type,
        rule: @escaping @Sendable (_ reference: Metrics, _ exercise: Metrics) -> ExerciseFinding
    ) {
        self.init(number, arguments: arguments, question: question, profile: profile, sizing: sizing) {
            reference, exercise in
            rule(try reference.metrics(as: Metrics.self), try exercise.metrics(as: Metrics.self))
        }
    }

    /// An exercise whose rule also reads both runs' resolved configs (a setting the metrics
    /// do not repeat, such as a loss weight).
    public init<Metrics: Decodable, Config: Decodable>(
        _ number: Int, arguments: [String], question: String, profile: Profile = .quick,
        sizing: String? = nil, metrics: Metrics.Type, config: Config.Type,
        rule: @escaping @Sendable (_ reference: (metrics: Metrics, config: Config),
                                   _ exercise: (metrics: Metrics, config: Config)) -> ExerciseFinding
    ) {
        self.init(number, arguments: arguments, question: question, profile: profile, sizing: sizing) {
            reference, exercise in
            rule((try reference.metrics(as: Metrics.self), try reference.config(as: Config.self)),
                 (try exercise.metrics(as: Metrics.self), try exercise.config(as: Config.self)))
        }
    }

    /// The memberwise form both public initialisers go through.
    private init(_ number: Int, arguments: [String], question: String, profile: Profile,
                 sizing: String?, rule: @escaping @Sendable (RunRecord, RunRecord) throws -> ExerciseFinding) {
        self.number = number
        self.arguments = arguments
        self.question = question
        self.profile = profile
        self.sizing = sizing
        self.rule = rule
    }
}

/// What `chapter-<key> --exercise N` wrote beside its results.json: `exercise.json`.
public struct ExerciseOutcome: Codable, Equatable, Sendable {
    public static let fileName = "exercise.json"

    public var chapter: String
    public var number: Int
    public var profile: Profile
    public var seed: UInt64
    public var arguments: [String]
    public var question: String
    /// The command that reproduces it (after the plain run).
    public var command: String
    /// The plain run's results.json, as the run was given it (relative to the package root for
    /// the default folders), and which run produced it: the outcome is stale once it changes.
    public var referenceResults: String
    public var referenceCommit: String
    public var referenceDate: Date
    public var outcome: String
    public var values: [ExerciseValue]
    public var checks: [ExerciseCheck]

    /// Reads an exercise.json.
    public static func load(from url: URL) throws -> ExerciseOutcome {
        try JSONCoding.decoder().decode(ExerciseOutcome.self, from: Data(contentsOf: url))
    }

    /// The value quoted under `key`, if any.
    public func value(_ key: String) -> ExerciseValue? { values.first { $0.key == key } }

    /// The check stated under `key`, if any.
    public func check(_ key: String) -> ExerciseCheck? { checks.first { $0.key == key } }
}

/// The exercises of one chapter, in README order.
///
/// ```swift
/// // chapters/classic/Exercises.swift
/// let classicExercises = ChapterExercises(
///     chapter: "classic", readme: chapterReadme(beside: #filePath), [
///         ChapterExercise(1, arguments: ["--reset", "zero"], question: "…",
///                         metrics: Metrics.self) { reference, run in … },
///     ])
/// // chapters/classic/main.swift
/// let arguments = Arguments.parseOrExit(exercises: classicExercises, options: \.chapter)
/// runChapter {
///     let context = try ChapterContext(chapter: "classic", options: arguments.chapter)
///     let exercise = try classicExercises.prepare(context)   // reads the plain run's results now
///     …
///     let record = …; try output.publish(record, timings: cache)
///     try exercise.finish(record)            // exercise.json, and the README's exercises block
/// }
/// ```
public struct ChapterExercises: Sendable {
    public var chapter: String
    public var readme: URL
    public var list: [ChapterExercise]

    public init(chapter: String, readme: URL, _ list: [ChapterExercise]) {
        precondition(list.map(\.number) == Array(stride(from: 1, through: list.count, by: 1)),
                     "exercises are numbered 1, 2, … in order")
        self.chapter = chapter
        self.readme = readme
        self.list = list
    }

    /// `swift run chapter-<key> [--profile smoke] --exercise N`.
    public func command(_ exercise: ChapterExercise) -> String {
        command(exercise, profile: exercise.profile)
    }

    /// Exercise `number`, or the error that names the chapter's range.
    public func exercise(_ number: Int) throws -> ChapterExercise {
        guard let exercise = list.first(where: { $0.number == number }) else {
            throw ValidationError(
                "--exercise \(number): chapter-\(chapter) has "
                    + (list.isEmpty ? "no exercises" : "exercises 1–\(list.count)")
                    + " (README.md, Exercises).")
        }
        return exercise
    }

    /// The options `command line + exercise N's arguments` parse to, or the error explaining
    /// why `--exercise N` cannot be combined with what was typed. With `--exercise` the run is
    /// the exercise's: only the shared options (profile, seed, output, cache, threads, …) may be
    /// added, never one of the chapter's own options, and never one the exercise sets itself.
    func arguments(for number: Int, typed: [String]) throws -> [String] {
        let exercise = try exercise(number)
        do {
            _ = try ChapterOptions.parse(typed)
        } catch {
            let own = exercise.arguments.joined(separator: " ")
            throw ValidationError(
                "--exercise \(number) runs exercise \(number)'s own options (\(own)) against the plain "
                    + "run; add only the shared options (--profile, --seed, --output, --cache, "
                    + "--threads, …), not the chapter's own (\(ChapterOptions.message(for: error))).")
        }
        let flags = exercise.arguments.filter { $0.hasPrefix("--") }
        if let clash = flags.first(where: typed.contains) {
            throw ValidationError("--exercise \(number) sets \(clash) itself; leave \(clash) out.")
        }
        return typed + exercise.arguments
    }
}

extension ParsableCommand {
    /// Parses the command line like `parseOrExit()`; with `--exercise N` it checks N against
    /// `exercises` and parses again with exercise N's arguments added, so that everything after
    /// this line runs the exercise. A bad N, or a chapter option typed beside `--exercise`,
    /// stops the program with the message and the usage (exit status 64) before any work.
    public static func parseOrExit(
        exercises: ChapterExercises, options: KeyPath<Self, ChapterOptions>
    ) -> Self {
        let typed = Array(CommandLine.arguments.dropFirst())
        let parsed = parseOrExit(typed)
        guard let number = parsed[keyPath: options].exercise else { return parsed }
        do {
            return parseOrExit(try exercises.arguments(for: number, typed: typed))
        } catch {
            exit(withError: error)
        }
    }
}
