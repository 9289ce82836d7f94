import Foundation
import SystemSupport

/// What happened when a `.gp` script was handed to gnuplot.
public enum RenderOutcome: Sendable, Equatable {
    /// gnuplot exited successfully and a whole PNG of the requested size is in place.
    case rendered
    /// No gnuplot executable was found; `.dat` and `.gp` are still written.
    case gnuplotMissing
    /// The render failed: an input was missing, gnuplot failed or hung, or its PNG was not
    /// whole or not the requested size. Carries one message naming the script.
    case failed(String)
}

/// The gnuplot executable and how to run one script with it.
///
/// Each script runs in its own directory (so its relative `.dat` path resolves) as one
/// `gnuplot` process (~0.1 s). A render is checked before and after:
/// - every data file the script names (`'<id>.dat'`, and its `# Data:` line) must exist and
///   be non-empty, or gnuplot is not started (it would draw empty axes and exit 0);
/// - gnuplot must exit 0 within `timeout` (a hanging gnuplot is killed);
/// - it must leave a whole PNG of the size the script's `set terminal … size W,H` asks for.
///
/// The PNG is first written under a temporary name (the script's `pngfile` variable is set
/// with `-e`) and renamed into place only when every check passes, so a failed render never
/// replaces a good PNG and never leaves a truncated one.
public struct Gnuplot: Sendable {
    /// The environment variable that sets the default `timeout` in seconds.
    public static let timeoutVariable = "LLSNN_GNUPLOT_TIMEOUT"
    /// The timeout without `LLSNN_GNUPLOT_TIMEOUT`: one figure renders in well under a second.
    public static let defaultTimeout: Duration = .seconds(60)

    /// The executable, or `nil` if none was found.
    public let executable: URL?
    /// How long one script may run before gnuplot is killed and the render fails.
    public var timeout: Duration

    /// Looks `gnuplot` up on `PATH`.
    public init(timeout: Duration = Gnuplot.environmentTimeout()) {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        executable = path.split(separator: ":").lazy
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("gnuplot") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        self.timeout = timeout
    }

    /// Uses the executable at `path` (tests point this at a missing file to simulate a machine
    /// without gnuplot, or at a script that misbehaves).
    public init(path: String, timeout: Duration = Gnuplot.environmentTimeout()) {
        executable = FileManager.default.isExecutableFile(atPath: path)
            ? URL(fileURLWithPath: path) : nil
        self.timeout = timeout
    }

    /// `LLSNN_GNUPLOT_TIMEOUT` seconds when it holds a positive number, else 60 s.
    public static func environmentTimeout() -> Duration {
        guard let text = ProcessInfo.processInfo.environment[timeoutVariable],
              let seconds = Double(text), seconds.isFinite, seconds > 0
        else { return defaultTimeout }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    /// Whether an executable was found.
    public var isAvailable: Bool { executable != nil }

    /// Runs `script` (a `.gp` file) with the script's directory as working directory, producing
    /// `<name>.png` beside it. Prints the one-per-process missing-gnuplot warning if needed.
    /// A `.failed` outcome names the script and says what went wrong; the PNG that was there
    /// before (if any) is left as it was.
    public func render(script: URL) -> RenderOutcome {
        guard let executable else {
            _MissingGnuplotWarning.emitOnce()
            return .gnuplotMissing
        }
        let name = script.lastPathComponent
        let directory = script.deletingLastPathComponent()
        guard let text = try? String(contentsOf: script, encoding: .utf8) else {
            return .failed("cannot read \(script.path)")
        }
        for input in _Gnuplot.dataFiles(in: text) {
            let url = directory.appendingPathComponent(input)
            let size = (try? url.resourceValues(forKeys: [.fileSizeKey]))?.fileSize
            guard let size else { return .failed("\(name) plots \(input), which is missing") }
            guard size > 0 else { return .failed("\(name) plots \(input), which is empty") }
        }
        let image = script.deletingPathExtension().appendingPathExtension("png")
        let temporary = AtomicFile.temporaryURL(for: image)
        defer { try? FileManager.default.removeItem(at: temporary) }

        let gnuplot = Subprocess(
            executable: executable,
            arguments: [
                "-e", "pngfile = \(_Gnuplot.quoted(temporary.lastPathComponent))", name,
            ],
            workingDirectory: directory, standardInput: .null,
            standardOutput: .discard, standardError: .capture, timeout: timeout)
        let outcome: Subprocess.Outcome
        do {
            outcome = try gnuplot.run()
        } catch {
            return .failed("cannot start \(executable.path): \(error.underlying)")
        }
        let errorText = String(decoding: outcome.standardError, as: UTF8.self)
        if outcome.timedOut {
            return .failed(
                "gnuplot did not finish \(name) within \(timeout) and was killed "
                    + "(\(Self.timeoutVariable) sets the limit in seconds)")
        }
        guard outcome.termination.succeeded else {
            return .failed(
                "gnuplot stopped with \(outcome.termination) on \(name): \(errorText)")
        }
        guard let header = PNGHeader(contentsOf: temporary) else {
            return .failed(
                "gnuplot exited 0 on \(name) but wrote no whole PNG (missing, empty or "
                    + "truncated; does the script `set output pngfile`?) \(errorText)")
        }
        if let size = _Gnuplot.terminalSize(in: text),
           size != FigureSize(width: header.width, height: header.height) {
            return .failed(
                "gnuplot wrote a \(header.width)×\(header.height) PNG for \(name), which "
                    + "asks for \(size.width)×\(size.height)")
        }
        do {
            try AtomicFile.commit(temporary, to: image)
        } catch {
            return .failed("\(error)")
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
