import ChapterSupport
import Foundation
import RunRecords
import Testing

/// One exercise run at smoke: its outcome (exercise.json) and the two records it compares.
struct SmokeExercise {
    var outcome: ExerciseOutcome
    var reference: RunRecord
    var run: RunRecord

    /// Both runs' metrics in the test's own type.
    func metrics<M: Decodable>(as type: M.Type) throws -> (reference: M, run: M) {
        (try reference.metrics(as: type), try run.metrics(as: type))
    }

    /// The outcome quotes `key` with these two numbers (nil: the run has none), up to
    /// rounding of arithmetic done in a different order.
    func expectValue(_ key: String, reference: Double?, exercise: Double?,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        guard let value = outcome.value(key) else {
            Issue.record(Comment(rawValue: "exercise \(outcome.number): no value \(key) (has \(outcome.values.map(\.key)))"),
                         sourceLocation: sourceLocation)
            return
        }
        for (name, quoted, computed) in [("reference", value.reference, reference), ("exercise", value.exercise, exercise)] {
            switch (quoted, computed) {
            case (nil, nil): break
            case let (q?, c?):
                #expect(abs(q - c) <= 1e-12 * max(1, abs(c)), "exercise \(outcome.number) \(key) \(name): \(q) vs \(c)",
                        sourceLocation: sourceLocation)
            default:
                let text = "exercise \(outcome.number) \(key) \(name): \(String(describing: quoted)) vs \(String(describing: computed))"
                Issue.record(Comment(rawValue: text), sourceLocation: sourceLocation)
            }
        }
    }

    /// The outcome states the check `key`, and its verdict is `holds` (computed by the test).
    func expectCheck(_ key: String, holds: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let check = outcome.check(key) else {
            Issue.record(Comment(rawValue: "exercise \(outcome.number): no check \(key) (has \(outcome.checks.map(\.key)))"),
                         sourceLocation: sourceLocation)
            return
        }
        #expect(check.holds == holds, "exercise \(outcome.number): \(check.statement)", sourceLocation: sourceLocation)
    }
}

/// Runs `chapter-<key> --profile smoke --exercise N` against the plain smoke run in `plain`
/// (written by `runSmoke(key, output: plain)`, its stage cache beside it), and checks what
/// every outcome must satisfy: it names the exercise, the profile, the plain run it compared
/// with (commit and date of that results.json), the options it ran, and the numbers and checks
/// it states appear in the README's form (a non-empty sentence, unique keys).
func runSmokeExercise(_ key: String, _ number: Int, plain: URL, arguments: [String] = []) throws -> SmokeExercise {
    let record = try runSmoke(key, arguments: ["--exercise", "\(number)"] + arguments, output: plain,
                              published: URL(fileURLWithPath: plain.path + "-exercises/\(number)"))
    let folder = URL(fileURLWithPath: plain.path + "-exercises/\(number)")
    let outcome = try ExerciseOutcome.load(from: folder.appendingPathComponent(ExerciseOutcome.fileName))
    let reference = try RunRecord.load(from: plain.appendingPathComponent(RunRecord.fileName))
    #expect(outcome.chapter == key && outcome.number == number && outcome.profile == .smoke)
    #expect(outcome.referenceResults == plain.appendingPathComponent(RunRecord.fileName).path)
    #expect(outcome.referenceCommit == reference.git.commit && outcome.referenceDate == reference.date)
    #expect(record.commandLine.contains("--exercise"))
    #expect(record.seed == reference.seed || outcome.arguments.contains("--seed"))
    #expect(!outcome.outcome.isEmpty && !outcome.checks.isEmpty && !outcome.values.isEmpty)
    #expect(Set(outcome.values.map(\.key)).count == outcome.values.count, "duplicate value keys")
    #expect(Set(outcome.checks.map(\.key)).count == outcome.checks.count, "duplicate check keys")
    // The exercise's options reached the run: its config differs from the plain run's.
    #expect(record.config != reference.config || outcome.arguments.contains("--seed"))
    return SmokeExercise(outcome: outcome, reference: reference, run: record)
}

/// A fresh folder for a plain smoke run whose exercises run beside it.
func temporaryRunFolder(_ key: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("chapter-\(key)-exercises-\(UUID().uuidString)")
}
