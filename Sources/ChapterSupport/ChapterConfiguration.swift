// The preset pattern every chapter's Config follows (docs/conventions.md C5): `paper` with its sources,
// `quick` and `smoke` derived from it by explicit modifications, one picked per profile.

import RunRecords

/// A chapter's `Config`: three presets, `preset(_:)` to pick one and `modified(_:)` to derive
/// one from another.
///
/// ```swift
/// struct Config: ChapterConfiguration {
///     static let paper = Config(...)                        // every value with its source
///     static let quick = paper.modified { $0.ann.epochs = 2 }
///     static let smoke = quick.modified { $0.data.trainLimit = 2_000 }
/// }
/// let config = Config.preset(context.profile).modified { $0.ann.epochs = 5 }
/// ```
public protocol ChapterConfiguration: Codable, Equatable, Sendable {
    /// The paper's settings, each value with its source (table, section, authors' code).
    static var paper: Self { get }
    /// Minutes on two cores: the paper's qualitative claim at a small scale.
    static var quick: Self { get }
    /// Seconds: plumbing and coarse invariants for ChapterTests.
    static var smoke: Self { get }
}

extension ChapterConfiguration {
    /// The preset of `profile`.
    public static func preset(_ profile: Profile) -> Self {
        switch profile {
        case .smoke: smoke
        case .quick: quick
        case .paper: paper
        }
    }

    /// A copy with `change` applied: `paper.modified { $0.ann.epochs = 2 }`.
    public func modified(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }
}
