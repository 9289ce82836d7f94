import ArgumentParser
import ChapterSupport
import RunRecords
import Testing

/// An option rule admits exactly its declared values, and its message names the flag, the
/// allowed values and the value given; through `validate()` ArgumentParser turns it into the
/// usage and exit status 64.
@Suite struct OptionRuleTests {
    // MARK: - Ranges

    @Test(arguments: [
        (0.0, false), (1e-9, true), (1.0, true), (2.0, true), (2.0000001, false),
        (-1.0, false), (Double.nan, false), (Double.infinity, false),
    ])
    func halfOpenRangeAdmitsItsInteriorAndItsClosedEndOnly(value: Double, admitted: Bool) {
        let range = OptionRange<Double>(above: 0, through: 2)
        #expect(range.contains(value) == admitted, "\(value)")
    }

    @Test func closedRangeAdmitsBothEnds() {
        let range = OptionRange<Int>(2...4096)
        #expect(!range.contains(1) && range.contains(2) && range.contains(4096) && !range.contains(4097))
        #expect(!range.contains(Int.min) && !range.contains(Int.max))
    }

    /// An unbounded end still rejects NaN and ±∞: every floating-point rule means finite.
    @Test func unboundedRangesStillRejectNonFiniteValues() {
        let nonNegative = OptionRange<Float>(0...)
        #expect(nonNegative.contains(0) && nonNegative.contains(1e30))
        #expect(!nonNegative.contains(.infinity) && !nonNegative.contains(.nan) && !nonNegative.contains(-0.5))
        let positive = OptionRange<Float>(above: 0)
        #expect(!positive.contains(0) && positive.contains(.leastNonzeroMagnitude))
        #expect(!positive.contains(.infinity))
        let any = OptionRange<Double>(lower: .unbounded, upper: .unbounded)
        #expect(any.contains(-1e300) && !any.contains(-.infinity) && !any.contains(.nan))
    }

    @Test func excludedUpperEnd() {
        let range = OptionRange<Double>(lower: .included(0), upper: .excluded(1))
        #expect(range.contains(0) && range.contains(0.999) && !range.contains(1))
        #expect(range.description == "in [0, 1)")
    }

    @Test(arguments: [
        (OptionRange<Double>(0...100), "in [0, 100]"),
        (OptionRange<Double>(above: 0, through: 2), "in (0, 2]"),
        (OptionRange<Double>(above: 0), "> 0"),
        (OptionRange<Double>(1...), "≥ 1"),
        (OptionRange<Double>(lower: .unbounded, upper: .included(0.5)), "≤ 0.5"),
        (OptionRange<Double>(lower: .unbounded, upper: .excluded(3)), "< 3"),
        (OptionRange<Double>(lower: .unbounded, upper: .unbounded), ""),
    ])
    func rangesReadAsIntervals(range: OptionRange<Double>, text: String) {
        #expect(range.description == text)
    }

    // MARK: - Messages

    @Test(arguments: [
        (150.0, "--percentile must be a finite number in (0, 100] (got 150)."),
        (Double.nan, "--percentile must be a finite number in (0, 100] (got nan)."),
        (0.0, "--percentile must be a finite number in (0, 100] (got 0)."),
        (-0.5, "--percentile must be a finite number in (0, 100] (got -0.5)."),
        (Double.infinity, "--percentile must be a finite number in (0, 100] (got inf)."),
    ])
    func aRejectedValueNamesTheFlagTheRangeAndTheValue(value: Double, message: String) {
        #expect(rejection(OptionRule.percentile(), value) == message)
    }

    @Test func allowedValuesAndAMissingOptionPass() throws {
        try OptionRule.percentile().check(99.99)
        try OptionRule.percentile().check(100)
        try OptionRule.percentile().check(nil as Double?)
        try OptionRule.percentile().check([99.9, 99.99])
        try OptionRule.percentile().check([Double]())
    }

    @Test func theReasonFollowsTheRequirement() {
        #expect(rejection(OptionRule.maxTimesteps, 1_000_000_000_000)
                == "--max-timesteps must be an integer in [2, 4096] (got 1000000000000); "
                + "an accuracy-vs-T curve needs two T, and the run keeps T outputs per image.")
    }

    @Test func aListOfAllowedValuesIsNamedInOrder() {
        let arms = OptionRule<String>("--arms", oneOf: ["A", "B", "C", "C-V2"])
        #expect(rejection(arms, "Z") == "--arms must be one of A, B, C, C-V2 (got Z).")
        #expect(arms.allows("C-V2") && !arms.allows("c"))
        let timesteps = OptionRule<Int>("--finetune-timesteps", oneOf: [1, 2, 4], reason: "the fitted T")
        #expect(rejection(timesteps, 3) == "--finetune-timesteps must be one of 1, 2, 4 (got 3); the fitted T.")
    }

    @Test func aRepeatableOptionChecksEveryValueAndRejectsRepeats() {
        let rule = OptionRule.percentile()
        #expect(rejection(rule, [99.9, 150]) == "--percentile must be a finite number in (0, 100] (got 150).")
        #expect(rejection(rule, [99.9, 99, 99.9]) == "--percentile 99.9 is given twice; give each value once.")
    }

    @Test func wholeFloatsPrintWithoutAFractionAndOthersAsTyped() {
        #expect(Float(2).optionText == "2" && Float(0.5).optionText == "0.5")
        #expect(Double(1e20).optionText == "1e+20" && (-Double.infinity).optionText == "-inf")
        #expect(Float.nan.optionText == "nan" && 42.optionText == "42")
    }

    // MARK: - Help

    @Test func helpAppendsTheRangeAsArgumentParserAppendsAnEnumsValues() {
        #expect(OptionRule.maxTimesteps.help("Largest T simulated.").abstract
                == "Largest T simulated. (range: an integer in [2, 4096])")
        #expect(OptionRule<String>("--workload", oneOf: ["a", "all"]).help("Workload.").abstract
                == "Workload. (values: a, all)")
        #expect(OptionRule<Float>.learningRate().help("η₀.").abstract == "η₀. (range: a finite number > 0)")
    }

    // MARK: - The rules several chapters share

    @Test func sharedRulesDeclareTheDocumentedRanges() {
        #expect(OptionRule.maxTimesteps.requirement == "an integer in [2, 4096]")
        #expect(OptionRule.epochs().requirement == "an integer in [1, 10000]")
        #expect(OptionRule.epochs("--ann-epochs").flag == "--ann-epochs")
        #expect(OptionRule.trainLimit().requirement == "an integer ≥ 1")
        #expect(OptionRule.trainLimit(atLeast: 64).requirement == "an integer ≥ 64")
        #expect(OptionRule.percentile().requirement == "a finite number in (0, 100]")
        #expect(OptionRule.percentile("--clip-percentile").flag == "--clip-percentile")
        #expect(OptionRule.density.requirement == "a finite number in (0, 1]")
        #expect(OptionRule.learningRate().requirement == "a finite number > 0")
        #expect(OptionRule<Float>.weight("--beta").requirement == "a finite number ≥ 0")
        #expect(OptionRule.threads.requirement == "an integer in [1, 256]")
    }

    // MARK: - Through ArgumentParser

    /// A command shaped like a chapter's Arguments: its usage names it, and a rule's error
    /// is a validation failure (exit status 64) whose text names the flag.
    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "chapter-sample")
        enum Rule {
            static let maxTimesteps = OptionRule.maxTimesteps
            static let height = OptionRule<Float>("--surrogate-height", above: 0, through: 2)
        }
        @OptionGroup var chapter: ChapterOptions
        @Option(help: Rule.maxTimesteps.help("Largest T.")) var maxTimesteps: Int?
        @Option(help: Rule.height.help("∂o/∂z.")) var surrogateHeight: Float?
        func validate() throws {
            try Rule.maxTimesteps.check(maxTimesteps)
            try Rule.height.check(surrogateHeight)
        }
    }

    @Test(arguments: [
        (["--max-timesteps", "0"], "--max-timesteps must be an integer in [2, 4096] (got 0)"),
        (["--surrogate-height", "5"], "--surrogate-height must be a finite number in (0, 2] (got 5)"),
        (["--surrogate-height", "nan"], "--surrogate-height must be a finite number in (0, 2] (got nan)"),
        (["--threads", "0"], "--threads must be an integer in [1, 256] (got 0)"),
    ])
    func aBadValueIsAValidationFailureWithTheUsage(arguments: [String], message: String) {
        do {
            _ = try Sample.parse(arguments)
            Issue.record("\(arguments) should not parse")
        } catch {
            #expect(Sample.exitCode(for: error) == .validationFailure)
            #expect(Sample.exitCode(for: error).rawValue == 64)
            #expect(Sample.message(for: error).contains(message), "\(Sample.message(for: error))")
            #expect(Sample.fullMessage(for: error).contains("Usage: chapter-sample"))
        }
    }

    @Test func goodValuesParse() throws {
        let sample = try Sample.parse(["--max-timesteps", "4096", "--surrogate-height", "2"])
        #expect(sample.maxTimesteps == 4096 && sample.surrogateHeight == 2)
        #expect(Sample.helpMessage().contains("USAGE: chapter-sample"))
        #expect(Sample.helpMessage().contains("(range: an integer in [2, 4096])"))
    }

    // MARK: - Helpers

    private func rejection<Value>(_ rule: OptionRule<Value>, _ value: Value) -> String? {
        do { try rule.check(value) } catch { return "\(error)" }
        return nil
    }

    private func rejection<Value>(_ rule: OptionRule<Value>, _ values: [Value]) -> String? {
        do { try rule.check(values) } catch { return "\(error)" }
        return nil
    }
}
