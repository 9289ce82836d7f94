// Runs one command as a child process and streams its combined output through a prefixer.

import Foundation

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
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            return .notStarted("\(executable.path): \(error.localizedDescription)")
        }
        // Process closes the parent's copy of the write end after starting the child, so
        // reading sees end of file once the child (and any grandchild) has closed it.
        let reader = pipe.fileHandleForReading
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            write(prefixer.feed(chunk))
        }
        write(prefixer.finish())
        process.waitUntilExit()
        switch process.terminationReason {
        case .exit: return .exited(process.terminationStatus)
        case .uncaughtSignal: return .signalled(process.terminationStatus)
        @unknown default: return .exited(process.terminationStatus)
        }
    }
}
