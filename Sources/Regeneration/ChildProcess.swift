// Runs one command as a child process and streams its combined output through a prefixer.

import Foundation
import SystemSupport

/// A program and its arguments.
public struct Command: Sendable, Equatable, CustomStringConvertible {
    /// The executable to start.
    public var executable: URL
    /// Its arguments.
    public var arguments: [String]

    /// Creates a command.
    public init(executable: URL, arguments: [String] = []) {
        self.executable = executable
        self.arguments = arguments
    }

    /// `/usr/bin/env <arguments>`: runs a program found on `PATH` (e.g. `swift`).
    public static func onPath(_ arguments: [String]) -> Command {
        Command(executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: arguments)
    }

    /// The command line, space-separated (for messages only).
    public var description: String {
        ([executable.path] + arguments).joined(separator: " ")
    }
}

/// How a child process ended.
public enum Termination: Sendable, Equatable {
    /// It exited with this status.
    case exited(Int32)
    /// A signal killed it.
    case signalled(Int32)
    /// It could not be started (missing file, not executable, …).
    case notStarted(String)
}

extension Command {
    /// Runs the command in `directory` with standard input closed, and passes its standard
    /// output and standard error (one pipe, so their order is kept) through `prefixer` to
    /// `write` as they arrive. Returns when the child has exited.
    public func run(
        in directory: URL, prefixer: inout OutputPrefixer, write: (Data) -> Void
    ) -> Termination {
        let child = Subprocess(
            executable: executable, arguments: arguments, workingDirectory: directory,
            standardInput: .null, standardOutput: .stream, standardError: .stream)
        let outcome: Subprocess.Outcome
        do {
            outcome = try child.run { chunk in write(prefixer.feed(chunk)) }
        } catch {
            return .notStarted("\(executable.path): \(error.underlying.localizedDescription)")
        }
        write(prefixer.finish())
        switch outcome.termination {
        case .exited(let status): return .exited(status)
        case .signalled(let signal): return .signalled(signal)
        }
    }
}
