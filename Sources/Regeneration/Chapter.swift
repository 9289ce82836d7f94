// The chapters `regenerate` knows, in the one order they are read and run.

/// A chapter of the course: the executable `chapter-<key>` and its outputs in
/// `figures/<key>/<profile>/`.
public struct Chapter: Sendable, Hashable, CustomStringConvertible {
    /// The chapter key, e.g. `classic`.
    public let key: String

    /// Creates the chapter with key `key`.
    public init(_ key: String) {
        self.key = key
    }

    /// The executable product, `chapter-<key>`.
    public var executableName: String { "chapter-\(key)" }

    /// The key.
    public var description: String { key }
}

/// The course order, which is also the dependency order: `compare` reads the results of the
/// chapters before it, so it runs last. Chapters are numbered from 0 (`firstNumber`): the
/// primer, which reproduces no paper, is chapter 0 and classic chapter 1.
///
/// This table must name every chapter of Package.swift's `chapters` list (a test checks it);
/// adding a chapter is one line there and one line here. A key listed here but not yet a
/// product of the package (as `compare` was while it was written on another branch) is
/// reported as skipped by `regenerate`, and the other chapters still run.
public enum ChapterCatalog {
    /// Every chapter, in course order.
    public static let courseOrder: [Chapter] = [
        "primer", "classic", "rnl", "ultralow", "hybrid", "attention", "hoyer", "compare",
    ].map(Chapter.init)

    /// The number of the first chapter of `courseOrder` (the primer is chapter 0).
    public static let firstNumber = 0

    /// The chapters whose independent stage groups (`StageCache.computeStageGroups`) can run
    /// as a Slurm job array; `regenerate --executor slurm` passes `--executor slurm` to them
    /// only, and runs the others on this machine.
    public static let withStageGroups: Set<String> = ["hoyer", "hybrid"]

    /// The chapters named by `keys`, in course order (the order typed does not matter and
    /// repeated keys count once); every chapter when `keys` is empty.
    ///
    /// - Throws: `RegenerationError.unknownChapter` naming the first unknown key and the
    ///   known ones.
    public static func select(_ keys: [String], from chapters: [Chapter] = courseOrder)
        throws -> [Chapter]
    {
        if let unknown = keys.first(where: { key in !chapters.contains { $0.key == key } }) {
            throw RegenerationError.unknownChapter(unknown, known: chapters.map(\.key))
        }
        return keys.isEmpty ? chapters : chapters.filter { keys.contains($0.key) }
    }
}
