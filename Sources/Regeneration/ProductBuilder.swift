// Builds chapter executables with SwiftPM in the configuration `regenerate` itself was built in.

import RunRecords
import Foundation

/// Builds `chapter-<key>` products and finds their binaries.
///
/// `swift run regenerate` builds only regenerate and its own dependencies, not the chapters:
/// executables cannot depend on executables. So before running a chapter, regenerate runs
///
///     swift build -c <configuration> [--scratch-path <scratch>] --product chapter-<key>
///
/// with the configuration it was itself compiled in (`BuildConfiguration.current`, as recorded
/// in every results.json) and the scratch path its own binary lives under (when it sits in
/// `<scratch>/<triple>/<configuration>/`, SwiftPM's layout), then runs the binary from
/// `swift build --show-bin-path` with the same flags. An up-to-date product builds in about a
/// second; a chapter whose sources changed is recompiled, so a run never uses a stale binary.
/// A key that is not a product of the package (SwiftPM: `no product named …`) is reported as
/// skipped; any other build error fails that chapter only.
public struct ProductBuilder {
    /// The package root (where Package.swift is).
    public var packageRoot: URL
    /// Debug or release.
    public var configuration: BuildConfiguration
    /// The build folder to use, or nil for SwiftPM's default (`.build`).
    public var scratchPath: URL?
    /// Receives `swift build`'s output (prefixed `<key> build │ `).
    public var write: (Data) -> Void
    /// Terminal or log output.
    public var destination: OutputPrefixer.Destination

    /// Creates a builder.
    public init(
        packageRoot: URL, configuration: BuildConfiguration, scratchPath: URL?,
        destination: OutputPrefixer.Destination, write: @escaping (Data) -> Void
    ) {
        self.packageRoot = packageRoot
        self.configuration = configuration
        self.scratchPath = scratchPath
        self.destination = destination
        self.write = write
    }

    /// The scratch path of a SwiftPM build whose products include `executable`, or nil when
    /// `executable` does not sit in `<scratch>/<triple>/<configuration>/`.
    public static func scratchPath(
        containing executable: URL, configuration: BuildConfiguration
    ) -> URL? {
        let binDirectory = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        guard binDirectory.lastPathComponent == configuration.rawValue else { return nil }
        return binDirectory.deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `-c <configuration>` and `--scratch-path <path>` when one is set.
    var buildFlags: [String] {
        ["-c", configuration.rawValue] + (scratchPath.map { ["--scratch-path", $0.path] } ?? [])
    }

    /// The folder SwiftPM puts products in for these flags (`swift build --show-bin-path`).
    ///
    /// - Throws: `RegenerationError.binPathUnavailable` when swift cannot be run or fails.
    public func binDirectory() throws -> URL {
        var prefixer = OutputPrefixer(prefix: "", destination: .log)
        var output = Data()
        let termination = Command.onPath(["swift", "build", "--show-bin-path"] + buildFlags)
            .run(in: packageRoot, prefixer: &prefixer) { output += $0 }
        let text = String(decoding: output, as: UTF8.self)
        guard termination == .exited(0),
            let path = text.split(separator: "\n").last(where: { $0.hasPrefix("/") })
        else {
            throw RegenerationError.binPathUnavailable(
                prefixer.lastLine ?? "swift build --show-bin-path ended with \(termination)")
        }
        return URL(fileURLWithPath: String(path), isDirectory: true)
    }

    /// Builds `chapter`'s product and returns the command that runs it (in `binDirectory`).
    public func prepare(_ chapter: Chapter, binDirectory: URL) -> Preparation {
        let prefix = "\(chapter.key) build │ "
        var prefixer = OutputPrefixer(prefix: prefix, destination: destination)
        var transcript = Data()
        let termination = Command.onPath(
            ["swift", "build"] + buildFlags + ["--product", chapter.executableName]
        ).run(in: packageRoot, prefixer: &prefixer) { chunk in
            transcript += chunk
            write(chunk)
        }
        switch termination {
        case .exited(0):
            let binary = binDirectory.appendingPathComponent(chapter.executableName)
            guard FileManager.default.isExecutableFile(atPath: binary.path) else {
                return .failed(.launch("\(binary.path) missing after a successful build"))
            }
            return .ready(Command(executable: binary))
        case .exited(let code):
            if String(decoding: transcript, as: UTF8.self).contains("no product named") {
                return .skipped("not in Package.swift")
            }
            return .failed(.build(exitCode: code))
        case .signalled(let signal):
            return .failed(.signal(signal))
        case .notStarted(let reason):
            return .failed(.launch("swift build: \(reason)"))
        }
    }
}
