// The values one command-line option accepts, declared once beside the option: a range with
// open or closed ends (finite numbers only), or a list of allowed values. The same declaration
// writes the range into the option's help and, called from `validate()`, rejects any other
// value with ArgumentParser's ValidationError, so a bad value stops the program before any
// work, with the usage text and exit status 64:
//
//     Error: --percentile must be a finite number in (0, 100] (got 150).
//     Usage: chapter-classic [--profile <profile>] … [--percentile <percentile> ...] …
//
// It lives here, beside Profile, because every tool's command line uses it: the chapters and
// bench (through ChapterSupport) and regenerate, which links no numerics.

import ArgumentParser

/// A type whose values an `OptionRule` can check: integers, floating-point numbers, names.
public protocol OptionValue: Comparable, Sendable, CustomStringConvertible {
    /// How a rule names the type in its requirement: "an integer", "a finite number".
    static var kind: String { get }
    /// False for values no range admits: NaN and ±∞.
    var isAdmissible: Bool { get }
    /// The value as a message shows it: `2`, `0.5`, `nan` (whole numbers without `.0`).
    var optionText: String { get }
}

extension OptionValue {
    public var optionText: String { description }
}

extension OptionValue where Self: BinaryInteger {
    public static var kind: String { "an integer" }
    public var isAdmissible: Bool { true }
}

extension OptionValue where Self: BinaryFloatingPoint {
    public static var kind: String { "a finite number" }
    public var isAdmissible: Bool { isFinite }
    public var optionText: String {
        isFinite && rounded() == self && abs(self) < 1e15 ? "\(Int64(self))" : description
    }
}

extension Int: OptionValue {}
extension UInt64: OptionValue {}
extension Double: OptionValue {}
extension Float: OptionValue {}
extension String: OptionValue {
    public static var kind: String { "a name" }
    public var isAdmissible: Bool { true }
}

/// An interval of option values, each end included, excluded or absent:
/// `[1, 4096]`, `(0, 2]`, `≥ 1`, `> 0`.
public struct OptionRange<Value: OptionValue>: Sendable, CustomStringConvertible {
    /// One end of the interval.
    public enum End: Sendable {
        case included(Value)
        case excluded(Value)
        case unbounded
    }
    public var lower: End
    public var upper: End

    public init(lower: End, upper: End) {
        self.lower = lower
        self.upper = upper
    }

    /// `a…b`, both ends included.
    public init(_ range: ClosedRange<Value>) {
        self.init(lower: .included(range.lowerBound), upper: .included(range.upperBound))
    }

    /// `a…`, no upper end.
    public init(_ range: PartialRangeFrom<Value>) {
        self.init(lower: .included(range.lowerBound), upper: .unbounded)
    }

    /// `(lower, upper]`, or `> lower` when `upper` is nil.
    public init(above lower: Value, through upper: Value? = nil) {
        self.init(lower: .excluded(lower), upper: upper.map(End.included) ?? .unbounded)
    }

    /// Whether `value` is admissible (finite) and lies between the ends.
    public func contains(_ value: Value) -> Bool {
        guard value.isAdmissible else { return false }
        switch lower {
        case .included(let bound) where value < bound: return false
        case .excluded(let bound) where value <= bound: return false
        default: break
        }
        switch upper {
        case .included(let bound) where value > bound: return false
        case .excluded(let bound) where value >= bound: return false
        default: return true
        }
    }

    /// `in [1, 4096]`, `in (0, 2]`, `≥ 1`, `> 0`, `≤ 1`, or empty when both ends are absent.
    public var description: String {
        switch (lower, upper) {
        case (.unbounded, .unbounded): return ""
        case (.included(let a), .unbounded): return "≥ \(a.optionText)"
        case (.excluded(let a), .unbounded): return "> \(a.optionText)"
        case (.unbounded, .included(let b)): return "≤ \(b.optionText)"
        case (.unbounded, .excluded(let b)): return "< \(b.optionText)"
        default:
            let open: String, low: Value, close: String, high: Value
            switch lower {
            case .included(let a): (open, low) = ("[", a)
            case .excluded(let a): (open, low) = ("(", a)
            case .unbounded: preconditionFailure("handled above")
            }
            switch upper {
            case .included(let b): (close, high) = ("]", b)
            case .excluded(let b): (close, high) = (")", b)
            case .unbounded: preconditionFailure("handled above")
            }
            return "in \(open)\(low.optionText), \(high.optionText)\(close)"
        }
    }
}

/// The declaration of what one option accepts: its flag, its range or allowed values, and
/// optionally why. Declare it once, use it for the help text and in `validate()`:
///
/// ```swift
/// struct Arguments: ParsableCommand {
///     static let maxTimesteps = OptionRule<Int>("--max-timesteps", 2...4096)
///     @Option(help: maxTimesteps.help("Largest T simulated.")) var maxTimesteps: Int?
///     func validate() throws { try Self.maxTimesteps.check(maxTimesteps) }
/// }
/// ```
///
/// A rejected value throws `ValidationError("--max-timesteps must be an integer in
/// [2, 4096] (got 0).")`; ArgumentParser prints it with the usage and exits with status 64.
/// Repeatable options (`check(_:)` on an array) also reject a value given twice.
public struct OptionRule<Value: OptionValue>: Sendable {
    /// What the option accepts.
    public enum Allowed: Sendable {
        case range(OptionRange<Value>)
        case oneOf([Value])
    }

    /// The flag as typed, e.g. `--max-timesteps`.
    public let flag: String
    public let allowed: Allowed
    /// Why the bounds are what they are; appended to the error message.
    public let reason: String?

    public init(_ flag: String, _ allowed: Allowed, reason: String? = nil) {
        precondition(flag.hasPrefix("--"), "an option rule names its flag with '--' (got '\(flag)')")
        self.flag = flag
        self.allowed = allowed
        self.reason = reason
    }

    /// Values in `range`, both ends included.
    public init(_ flag: String, _ range: ClosedRange<Value>, reason: String? = nil) {
        self.init(flag, .range(OptionRange(range)), reason: reason)
    }

    /// Values from `range.lowerBound` up.
    public init(_ flag: String, _ range: PartialRangeFrom<Value>, reason: String? = nil) {
        self.init(flag, .range(OptionRange(range)), reason: reason)
    }

    /// Values in `(lower, upper]`, or above `lower` when `upper` is nil.
    public init(_ flag: String, above lower: Value, through upper: Value? = nil, reason: String? = nil) {
        self.init(flag, .range(OptionRange(above: lower, through: upper)), reason: reason)
    }

    /// Exactly the values listed, in that order in messages.
    public init(_ flag: String, oneOf values: [Value], reason: String? = nil) {
        precondition(!values.isEmpty, "\(flag) allows no value at all")
        self.init(flag, .oneOf(values), reason: reason)
    }

    /// What a value must be: "an integer in [2, 4096]", "a finite number > 0", "one of A, B".
    public var requirement: String {
        switch allowed {
        case .range(let range):
            let bounds = range.description
            return bounds.isEmpty ? Value.kind : "\(Value.kind) \(bounds)"
        case .oneOf(let values):
            return "one of " + values.map(\.optionText).joined(separator: ", ")
        }
    }

    /// Whether `value` is allowed.
    public func allows(_ value: Value) -> Bool {
        switch allowed {
        case .range(let range): range.contains(value)
        case .oneOf(let values): values.contains(value)
        }
    }

    /// Passes nil (the option was not given) and allowed values; throws otherwise.
    public func check(_ value: Value?) throws {
        guard let value, !allows(value) else { return }
        throw ValidationError(
            "\(flag) must be \(requirement) (got \(value.optionText))" + (reason.map { "; \($0)" } ?? "") + ".")
    }

    /// Checks every value of a repeatable option, and that none is given twice.
    public func check(_ values: [Value]) throws {
        for (index, value) in values.enumerated() {
            try check(value)
            if values[..<index].contains(value) {
                throw ValidationError("\(flag) \(value.optionText) is given twice; give each value once.")
            }
        }
    }

    /// `abstract` followed by the allowed values, as ArgumentParser shows an enum's:
    /// "Largest T simulated. (range: an integer in [2, 4096])".
    public func help(_ abstract: String, valueName: String? = nil) -> ArgumentHelp {
        let allowedText: String
        switch allowed {
        case .range: allowedText = "range: \(requirement)"
        case .oneOf(let values): allowedText = "values: " + values.map(\.optionText).joined(separator: ", ")
        }
        return ArgumentHelp("\(abstract) (\(allowedText))", valueName: valueName)
    }
}

extension OptionRule where Value == Int {
    /// `--threads`: worker threads for BLAS, oneDNN and data loading (chapters, regenerate).
    public static var threads: OptionRule<Int> { OptionRule("--threads", 1...256) }

    /// `--memory-budget`: MiB the computation may hold beyond networks and data (chapters).
    public static var memoryBudget: OptionRule<Int> { OptionRule("--memory-budget", 64...1_048_576) }
}
