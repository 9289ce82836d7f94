import Foundation
import SystemSupport

/// What happened when a `.gp` script was handed to gnuplot.
public enum RenderOutcome: Sendable, Equatable {
    /// gnuplot exited successfully and the PNG is in place.
    case rendered
    /// No gnuplot executable was found; `.dat` and `.gp` are still written.
    case gnuplotMissing
    /// gnuplot ran and failed; carries its exit status and stderr.
    case failed(String)
}

/// The gnuplot executable and how to run one script with it.
///
/// Each script runs in its own directory (so its relative `.dat` path resolves) as one
/// `gnuplot` process (~0.1 s). The PNG is first written under a temporary name (the script's
/// `pngfile` variable is set with `-e`) and renamed into place only on success, so a failed
/// run never leaves a truncated PNG.
public struct Gnuplot: Sendable {
    /// The executable, or `nil` if none was found.
    public let executable: URL?

    /// Looks `gnuplot` up on `PATH`.
    public init() {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        executable = path.split(separator: ":").lazy
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("gnuplot") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Uses the executable at `path` (tests point this at a missing file to simulate a machine
    /// without gnuplot).
    public init(path: String) {
        executable = FileManager.default.isExecutableFile(atPath: path)
            ? URL(fileURLWithPath: path) : nil
    }

    /// Whether an executable was found.
    public var isAvailable: Bool { executable != nil }

    /// Runs `script` (a `.gp` file) with the script's directory as working directory, producing
    /// `<name>.png` beside it. Prints the one-per-process missing-gnuplot warning if needed.
    public func render(script: URL) -> RenderOutcome {
        guard let executable else {
            _MissingGnuplotWarning.emitOnce()
            return .gnuplotMissing
        }
        let directory = script.deletingLastPathComponent()
        let image = script.deletingPathExtension().appendingPathExtension("png")
        let temporary = AtomicFile.temporaryURL(for: image)
        defer { try? FileManager.default.removeItem(at: temporary) }

        let gnuplot = Subprocess(
            executable: executable,
            arguments: [
                "-e", "pngfile = \(_Gnuplot.quoted(temporary.lastPathComponent))",
                script.lastPathComponent,
            ],
            workingDirectory: directory, standardInput: .null,
            standardOutput: .discard, standardError: .capture)
        let outcome: Subprocess.Outcome
        do {
            outcome = try gnuplot.run()
        } catch {
            return .failed("cannot start \(executable.path): \(error.underlying)")
        }
        let errorText = String(decoding: outcome.standardError, as: UTF8.self)
        guard outcome.termination.succeeded else {
            return .failed(
                "gnuplot exited with status \(outcome.termination.status) on "
                    + "\(script.lastPathComponent): \(errorText)")
        }
        if FileManager.default.fileExists(atPath: temporary.path) {
            do {
                try AtomicFile.commit(temporary, to: image)
            } catch {
                return .failed("\(error)")
            }
        } else if !FileManager.default.fileExists(atPath: image.path) {
            // A hand-written script may choose its own output name; ours always honour pngfile.
            return .failed("gnuplot wrote no \(image.lastPathComponent): \(errorText)")
        }
        return .rendered
    }
}

/// Prints the missing-gnuplot warning at most once per process.
enum _MissingGnuplotWarning {
    static let message =
        "gnuplot not found: wrote .dat/.gp only; install it with `apt-get install gnuplot-nox` "
        + "and run `swift run render-figures`"

    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var printed = false
    }
    private static let state = State()

    static func emitOnce() {
        state.lock.lock()
        defer { state.lock.unlock() }
        guard !state.printed else { return }
        state.printed = true
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
