// Running a child process: the one place the package touches `Foundation.Process`.

import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A program to run as a child process, and where its standard streams go.
///
/// `run` starts it, collects or streams its output, and returns how it ended; `start` returns
/// a `RunningSubprocess` for callers that keep several children going at once.
///
/// ```swift
/// let git = Subprocess.onPath(["git", "rev-parse", "HEAD"], standardOutput: .capture)
/// let outcome = try git.run()
/// // outcome.termination == .exited(0), outcome.standardOutput == the commit + "\n"
/// ```
public struct Subprocess: Sendable {
    /// What the child reads on standard input.
    public enum Input: Sendable {
        /// The parent's standard input.
        case inherit
        /// `/dev/null` (immediate end of file).
        case null
    }

    /// Where one of the child's output streams goes.
    public enum Output: Sendable {
        /// The parent's stream.
        case inherit
        /// `/dev/null`.
        case discard
        /// Collected into `Outcome.standardOutput` / `.standardError`.
        case capture
        /// Passed to `run`'s `onOutput` in chunks as they arrive. When standard output and
        /// standard error both stream, they share one pipe, so their order is kept.
        case stream
        /// Written to an open file (the caller closes its handle after `start`).
        case file(FileHandle)
    }

    /// How a child process ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It exited with this status.
        case exited(Int32)
        /// A signal killed it.
        case signalled(Int32)

        /// The exit status or the signal number (`Process.terminationStatus`).
        public var status: Int32 {
            switch self {
            case .exited(let status), .signalled(let status): status
            }
        }

        /// Whether it exited with status 0.
        public var succeeded: Bool { self == .exited(0) }

        /// `exit status N` or `signal N`.
        public var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signalled(let signal): "signal \(signal)"
            }
        }
    }

    /// A finished run: how the child ended and what was captured.
    public struct Outcome: Sendable, Equatable {
        public var termination: Termination
        /// Standard output if it was `.capture`d, else empty.
        public var standardOutput: Data
        /// Standard error if it was `.capture`d, else empty.
        public var standardError: Data
        /// Whether `timeout` expired and the child was killed (`termination` is then
        /// `.signalled(SIGKILL)`, unless it exited on its own just in time).
        public var timedOut: Bool
    }

    /// The child could not be started (missing file, not executable, bad working directory…).
    public struct StartError: Error, CustomStringConvertible {
        /// The executable's path.
        public var executable: String
        /// `Process.run`'s error.
        public var underlying: any Error

        /// `cannot start <path>: <reason>`.
        public var description: String { "cannot start \(executable): \(underlying)" }
    }

    /// The executable to start.
    public var executable: URL
    /// Its arguments.
    public var arguments: [String]
    /// The child's whole environment; nil inherits the parent's.
    public var environment: [String: String]?
    /// The child's working directory; nil inherits the parent's.
    public var workingDirectory: URL?
    public var standardInput: Input
    public var standardOutput: Output
    public var standardError: Output
    /// Kill the child (SIGKILL) if it still runs this long after it started; nil waits forever.
    /// The child's whole process group is killed (Foundation starts every child as the leader
    /// of its own group), so a grandchild such as the `sleep` of a shell script cannot keep
    /// the captured pipes open and `run` returns soon after the deadline.
    public var timeout: Duration?

    /// A child process description; every stream is inherited unless given.
    public init(
        executable: URL, arguments: [String] = [], environment: [String: String]? = nil,
        workingDirectory: URL? = nil, standardInput: Input = .inherit,
        standardOutput: Output = .inherit, standardError: Output = .inherit,
        timeout: Duration? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.timeout = timeout
    }

    /// `/usr/bin/env <arguments>`: runs a program found on `PATH`; a missing program exits
    /// with status 127 (env's convention).
    public static func onPath(
        _ arguments: [String], environment: [String: String]? = nil,
        workingDirectory: URL? = nil, standardInput: Input = .inherit,
        standardOutput: Output = .inherit, standardError: Output = .inherit,
        timeout: Duration? = nil
    ) -> Subprocess {
        Subprocess(
            executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: arguments,
            environment: environment, workingDirectory: workingDirectory,
            standardInput: standardInput, standardOutput: standardOutput,
            standardError: standardError, timeout: timeout)
    }

    /// Runs the child to the end: captured output is collected, streamed output goes to
    /// `onOutput` (on the calling thread) as it arrives. Returns once the child has exited and
    /// its output pipes are closed (a grandchild holding them open keeps this waiting).
    public func run(onOutput: (Data) -> Void = { _ in }) throws(StartError) -> Outcome {
        try start().wait(onOutput: onOutput)
    }

    /// Starts the child and returns at once.
    public func start() throws(StartError) -> RunningSubprocess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        if case .null = standardInput { process.standardInput = FileHandle.nullDevice }

        var pipes = RunningSubprocess.Pipes()
        func connect(_ output: Output, isError: Bool) -> Any? {
            switch output {
            case .inherit: return nil
            case .discard: return FileHandle.nullDevice
            case .file(let handle): return handle
            case .capture:
                let pipe = Pipe()
                if isError { pipes.capturedError = pipe } else { pipes.capturedOutput = pipe }
                return pipe
            case .stream:
                if pipes.streamed == nil { pipes.streamed = Pipe() }
                return pipes.streamed
            }
        }
        if let target = connect(standardOutput, isError: false) { process.standardOutput = target }
        if let target = connect(standardError, isError: true) { process.standardError = target }

        do {
            try process.run()
        } catch {
            throw StartError(executable: executable.path, underlying: error)
        }
        let running = RunningSubprocess(process, pipes: pipes)
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            let interval = Double(seconds) + Double(attoseconds) * 1e-18
            DispatchQueue.global().asyncAfter(deadline: .now() + interval) {
                running.expire()
            }
        }
        return running
    }
}

/// A started child process: poll it, signal it, wait for it.
public final class RunningSubprocess: @unchecked Sendable {
    /// The parent's ends of the pipes `Subprocess.start` made.
    struct Pipes {
        var capturedOutput: Pipe?
        var capturedError: Pipe?
        var streamed: Pipe?
    }

    private let process: Process
    private let pipes: Pipes
    /// Guards `finished` and `timedOut` against the timeout's thread.
    private let lock = NSLock()
    private var finished: Subprocess.Outcome?
    private var timedOut = false

    init(_ process: Process, pipes: Pipes) {
        self.process = process
        self.pipes = pipes
    }

    /// The child's process id.
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { process.isRunning }

    /// Sends `signal` to the child if it still runs.
    public func send(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        guard finished == nil, process.isRunning else { return }
        kill(process.processIdentifier, signal)
    }

    /// Reads what `Subprocess.start` piped (captured streams on background threads, the
    /// streamed one on this thread through `onOutput`), waits for the child to exit and
    /// returns how it ended. Calling it again returns the same outcome.
    public func wait(onOutput: (Data) -> Void = { _ in }) -> Subprocess.Outcome {
        if let finished = lock.withLock({ finished }) { return finished }
        let collected = _Collected()
        let readers = DispatchGroup()
        if let pipe = pipes.capturedOutput {
            DispatchQueue.global().async(group: readers) {
                collected.set(output: pipe.fileHandleForReading.readDataToEndOfFile())
            }
        }
        if let pipe = pipes.capturedError {
            DispatchQueue.global().async(group: readers) {
                collected.set(error: pipe.fileHandleForReading.readDataToEndOfFile())
            }
        }
        if let pipe = pipes.streamed {
            // Process closes the parent's copy of the write end after starting the child, so
            // reading sees end of file once the child (and any grandchild) has closed it.
            let reader = pipe.fileHandleForReading
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                onOutput(chunk)
            }
        }
        readers.wait()
        process.waitUntilExit()
        let termination: Subprocess.Termination =
            process.terminationReason == .uncaughtSignal
            ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
        return lock.withLock {
            let outcome = Subprocess.Outcome(
                termination: termination, standardOutput: collected.output,
                standardError: collected.error, timedOut: timedOut)
            finished = outcome
            return outcome
        }
    }

    /// The timeout expired: kill the child and its process group if it has not finished.
    fileprivate func expire() {
        lock.lock()
        defer { lock.unlock() }
        guard finished == nil, process.isRunning else { return }
        timedOut = true
        let child = process.processIdentifier
        // Only a group the child leads is ours to kill (Foundation's `Process` makes every
        // child a group leader; the check keeps a change there from killing our own group).
        kill(getpgid(child) == child ? -child : child, SIGKILL)
    }
}

/// Captured output handed from the reader threads to `wait` (ordered by `DispatchGroup.wait`).
private final class _Collected: @unchecked Sendable {
    private(set) var output = Data()
    private(set) var error = Data()
    func set(output: Data) { self.output = output }
    func set(error: Data) { self.error = error }
}
