import ArgumentParser
import Foundation
import SystemSupport
import Testing

@testable import ChapterSupport

/// The Slurm executor without a cluster: the array script runs the right worker for each task
/// index (executed here with bash), Slurm's outputs parse, and bad settings stop the parse.
/// The runs on a real one-node cluster are in tools/slurm/run-tests.sh.
@Suite struct SlurmArrayTests {
    private let tasks = [
        SlurmTask(index: 0, group: "ann", arguments: ["--worker", "ann"]),
        SlurmTask(index: 1, group: "hoyer-sum", arguments: ["a b", "it's", "--worker", "hoyer-sum"]),
    ]

    private func script(flags: [String] = [], executable: String = "/usr/bin/printf") -> String {
        slurmArrayScript(
            tasks: tasks, jobName: "llsnn-hoyer-smoke", executable: URL(fileURLWithPath: executable),
            workingDirectory: URL(fileURLWithPath: "/shared/work"),
            logDirectory: URL(fileURLWithPath: "/shared/cache/hoyer/smoke/workers"),
            cpusPerTask: 2, flags: flags)
    }

    /// Runs the script with bash as array task `index` would run.
    private func runTask(_ index: Int, script text: String) throws -> Subprocess.Outcome {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("array.sbatch")
        try Data(text.utf8).write(to: url)
        return try Subprocess(
            executable: URL(fileURLWithPath: "/bin/bash"), arguments: [url.path],
            environment: ["SLURM_ARRAY_TASK_ID": "\(index)", "SLURM_ARRAY_JOB_ID": "17",
                          "PATH": "/usr/bin:/bin"],
            standardOutput: .capture, standardError: .capture).run()
    }

    @Test func theHeaderAsksForOneTaskPerGroupWithItsLogAndFolder() {
        let lines = script(flags: ["--partition=long", "--time=1:00:00"]).split(separator: "\n")
        let directives = lines.filter { $0.hasPrefix("#SBATCH ") }.map { String($0.dropFirst(8)) }
        #expect(directives == [
            "--job-name=llsnn-hoyer-smoke", "--array=0-1", "--ntasks=1", "--cpus-per-task=2",
            "--chdir=/shared/work", "--output=/shared/cache/hoyer/smoke/workers/slurm-%A_%a.log",
            "--partition=long", "--time=1:00:00",
        ])
        #expect(script() == script(), "the same groups give the same script, byte for byte")
    }

    @Test func eachTaskExecsTheBinaryWithItsOwnGroupsArgumentsVerbatim() throws {
        // printf's format is the first argument: "--worker" here, so use a format-free check
        // by giving printf a format through the arguments of task 1.
        let text = script().replacingOccurrences(
            of: "arguments=('a b'", with: "arguments=('%s|' 'a b'")
        let outcome = try runTask(1, script: text)
        #expect(outcome.termination == .exited(0))
        let output = String(decoding: outcome.standardOutput, as: UTF8.self)
        #expect(output == "hoyer-sum: array task 17_1 on \(hostName())\na b|it's|--worker|hoyer-sum|")
    }

    @Test func anIndexWithoutAGroupFailsWithAMessage() throws {
        let outcome = try runTask(5, script: script())
        #expect(outcome.termination == .exited(2))
        #expect(String(decoding: outcome.standardError, as: UTF8.self)
            .contains("no stage group for array task 5"))
    }

    @Test func squeueSacctAndScontrolOutputsParse() {
        #expect(SlurmClient.parseQueue("17|2|PENDING|Resources\n17|0|RUNNING|None\nbad line\n") == [
            QueuedTask(index: 2, state: "PENDING", reason: "Resources"),
            QueuedTask(index: 0, state: "RUNNING", reason: "None"),
        ])
        #expect(SlurmClient.parseSacct("CANCELLED by 0|0:15|None\n")
                == TaskEnding(state: "CANCELLED by 0", exitCode: "0:15", reason: "None", source: "sacct"))
        #expect(SlurmClient.parseSacct("") == nil)
        // A line of `scontrol show job -o` (Slurm 22.05), shortened.
        let line = "JobId=21 ArrayJobId=17 ArrayTaskId=3 JobName=a.sh JobState=FAILED "
            + "Reason=NonZeroExitCode Dependency=(null) ExitCode=3:0 RunTime=00:00:04"
        let ending = SlurmClient.parseScontrol(line)
        #expect(ending == TaskEnding(state: "FAILED", exitCode: "3:0", reason: "NonZeroExitCode",
                                     source: "scontrol"))
        #expect(ending?.description == "FAILED, exit code 3:0, reason NonZeroExitCode (scontrol)")
        #expect(SlurmClient.parseScontrol("slurm_load_jobs error: Invalid job id specified") == nil)
    }

    @Test func shellQuotingSurvivesQuotesAndSpaces() {
        #expect(shellQuoted("it's a b") == #"'it'\''s a b'"#)
    }

    @Test(arguments: [
        (["--submit-only"], "--submit-only needs --executor slurm"),
        (["--dry-run"], "--dry-run needs --executor slurm"),
        (["--slurm-partition", "long"], "--slurm-partition needs --executor slurm"),
        (["--executor", "slurm", "--dry-run", "--submit-only"], "exclude each other"),
        (["--executor", "slurm", "--dry-run", "--slurm-time", "1h"], "--slurm-time must be a Slurm time limit"),
        (["--executor", "slurm", "--dry-run", "--slurm-memory", "0"], "--slurm-memory must be"),
        (["--executor", "slurm", "--dry-run", "--slurm-partition", "a b"], "--slurm-partition must be"),
        (["--executor", "slurm", "--dry-run", "--sbatch-flag=--output=x"], "--output is set by the chapter"),
        (["--executor", "slurm", "--dry-run", "--sbatch-flag", "account"], "is not one sbatch flag"),
        (["--executor", "slurm", "--dry-run", "--slurm-cpus-per-task", "0"], "--slurm-cpus-per-task must be"),
        (["--executor", "slurm", "--dry-run", "--slurm-config", "/nonexistent/x"], "cannot read the file"),
        (["--executor", "cloud"], "'cloud' is invalid for '--executor <executor>'"),
    ])
    func badSlurmSettingsStopTheParse(arguments: [String], message: String) {
        do {
            _ = try ChapterOptions.parse(arguments)
            Issue.record("\(arguments) should not parse")
        } catch {
            let text = ChapterOptions.message(for: error)
            #expect(text.contains(message), "\(text)")
        }
    }

    @Test func goodTimeLimitsAndTheConfigFileGiveTheFlagsInOrder() throws {
        for time in ["30", "30:00", "1:00:00", "2-0", "2-12:00", "2-12:00:00", "UNLIMITED"] {
            #expect(SlurmRule.isTimeLimit(time), "\(time)")
        }
        let folder = try TestDirectory()
        defer { folder.remove() }
        let file = folder.url.appendingPathComponent("slurm.flags")
        try Data("# lab defaults\n--account=lab\n\n--qos=long  # a comment\n".utf8).write(to: file)
        let options = try ChapterOptions.parse([
            "--executor", "slurm", "--dry-run", "--slurm-config", file.path,
            "--slurm-partition", "gpu", "--slurm-time", "2:00:00", "--slurm-memory", "8G",
            "--sbatch-flag=--constraint=avx2",
        ])
        #expect(try options.executor.sbatchFlags() == [
            "--account=lab", "--qos=long", "--partition=gpu", "--time=2:00:00", "--mem=8G",
            "--constraint=avx2",
        ])
        // Workers are started without the executor options: a task never submits again.
        #expect(!options.sharedArguments.contains("--executor"))
    }
}

private func hostName() -> String {
    let outcome = try? Subprocess.onPath(["hostname", "-s"], standardOutput: .capture).run()
    return String(decoding: outcome?.standardOutput ?? Data(), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
}
