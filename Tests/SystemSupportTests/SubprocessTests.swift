import Foundation
import Testing

import SystemSupport

/// Subprocess: exit status and signals, captured, streamed and file output, environment,
/// working directory, standard input, timeouts and start failures.
@Suite struct SubprocessTests {
    private func shell(_ script: String) -> Subprocess {
        Subprocess(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", script])
    }

    @Test func capturesBothStreamsAndTheExitStatus() throws {
        var command = shell("echo out; echo err >&2; exit 3")
        command.standardOutput = .capture
        command.standardError = .capture
        let outcome = try command.run()
        #expect(outcome.termination == .exited(3))
        #expect(!outcome.termination.succeeded && outcome.termination.status == 3)
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "out\n")
        #expect(String(decoding: outcome.standardError, as: UTF8.self) == "err\n")
        #expect(!outcome.timedOut)
    }

    /// More output than a pipe buffer holds on both streams at once must not deadlock.
    @Test func capturesLargeOutputOnBothStreams() throws {
        var command = shell("head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2")
        command.standardOutput = .capture
        command.standardError = .capture
        let outcome = try command.run()
        #expect(outcome.termination.succeeded)
        #expect(outcome.standardOutput.count == 300_000 && outcome.standardError.count == 200_000)
    }

    /// Both streams streamed share one pipe: the chunks arrive in the order they were written.
    @Test func streamsStandardOutputAndErrorInOrder() throws {
        var command = shell("echo a; echo b >&2; echo c")
        command.standardOutput = .stream
        command.standardError = .stream
        var received = Data()
        let outcome = try command.run { received.append($0) }
        #expect(outcome.termination == .exited(0))
        #expect(String(decoding: received, as: UTF8.self) == "a\nb\nc\n")
        #expect(outcome.standardOutput.isEmpty && outcome.standardError.isEmpty)
    }

    @Test func reportsTheSignalThatKilledTheChild() throws {
        let outcome = try shell("kill -KILL $$").run()
        #expect(outcome.termination == .signalled(SIGKILL))
        #expect(outcome.termination.description == "signal \(SIGKILL)")
    }

    @Test func replacesTheEnvironmentAndSetsTheWorkingDirectory() throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath()
        let command = Subprocess(
            executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "env; pwd"],
            environment: ["ONLY": "this"], workingDirectory: directory,
            standardOutput: .capture)
        let lines = String(decoding: try command.run().standardOutput, as: UTF8.self)
            .split(separator: "\n").map(String.init)
        #expect(lines.contains("ONLY=this"))
        #expect(!lines.contains { $0.hasPrefix("HOME=") })
        #expect(lines.last == directory.path)
    }

    @Test func nullInputReadsAsEmpty() throws {
        var command = Subprocess(executable: URL(fileURLWithPath: "/bin/cat"))
        command.standardInput = .null
        command.standardOutput = .capture
        let outcome = try command.run()
        #expect(outcome.termination.succeeded && outcome.standardOutput.isEmpty)
    }

    @Test func writesToAnOpenFile() throws {
        let url = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("SubprocessTests-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        var command = shell("echo one; echo two >&2")
        command.standardOutput = .file(handle)
        command.standardError = .file(handle)
        let child = try command.start()
        try handle.close()
        #expect(child.wait().termination.succeeded)
        #expect(try String(contentsOf: url, encoding: .utf8) == "one\ntwo\n")
    }

    /// `exec sleep`: the timeout kills the child, reported as SIGKILL with `timedOut` set.
    @Test func aTimeoutKillsTheChild() throws {
        var command = shell("exec sleep 20")
        command.timeout = .milliseconds(200)
        let started = Date()
        let outcome = try command.run()
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(outcome.timedOut)
        #expect(outcome.termination == .signalled(SIGKILL))
    }

    /// Without `exec` the shell forks `sleep`, which inherits the captured pipes: the timeout
    /// must kill it too (the child's process group), or reading the pipes waits 20 s.
    @Test func aTimeoutKillsTheGrandchildrenHoldingThePipes() throws {
        var command = shell("sleep 20; echo done")
        command.standardOutput = .capture
        command.standardError = .capture
        command.timeout = .milliseconds(200)
        let started = Date()
        let outcome = try command.run()
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(outcome.timedOut && outcome.standardOutput.isEmpty)
    }

    @Test func aStartedChildCanBeKilledAndWaitedFor() throws {
        let child = try shell("exec sleep 20").start()
        #expect(child.isRunning && child.processIdentifier > 0)
        child.send(SIGKILL)
        let outcome = child.wait()
        #expect(outcome.termination == .signalled(SIGKILL) && !outcome.timedOut)
        #expect(!child.isRunning)
        #expect(child.wait() == outcome)
    }

    @Test func aMissingExecutableIsAStartError() {
        let command = Subprocess(executable: URL(fileURLWithPath: "/nonexistent/tool"))
        do {
            _ = try command.run()
            Issue.record("expected a StartError")
        } catch {
            #expect(error.executable == "/nonexistent/tool")
            #expect(error.description.hasPrefix("cannot start /nonexistent/tool: "))
        }
    }

    @Test func aProgramMissingFromPathExitsWith127() throws {
        let outcome = try Subprocess.onPath(
            ["no-such-program-\(UUID().uuidString)"], standardError: .capture
        ).run()
        #expect(outcome.termination == .exited(127))
    }
}
