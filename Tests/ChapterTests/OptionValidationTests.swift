import Foundation
import Testing

/// Every chapter checks its own options before any work: a value outside an option's declared
/// range stops with ArgumentParser's message naming the flag and the allowed values, the usage
/// naming the chapter, exit status 64, and no output folder. (tools/faults/cases/options.sh
/// replays more cases against the same binaries.)
@Suite struct OptionValidationTests {
    @Test(arguments: [
        ("primer", ["--leak", "0"], "--leak must be a finite number in (0, 1] (got 0)"),
        ("primer", ["--target-spikes", "17"], "--target-spikes must be an integer in [0, 16] (got 17)"),
        ("classic", ["--max-timesteps", "0"], "--max-timesteps must be an integer in [2, 4096] (got 0)"),
        ("classic", ["--percentile", "150"], "--percentile must be a finite number in (0, 100] (got 150)"),
        ("rnl", ["--epochs", "0"], "--epochs must be an integer in [1, 10000] (got 0)"),
        ("rnl", ["--max-timesteps", "1000000000000"], "--max-timesteps must be an integer in [2, 4096]"),
        ("ultralow", ["--finetune-timesteps", "0"], "--finetune-timesteps must be one of 1, 2, 4 (got 0)"),
        ("ultralow", ["--train-limit", "0"], "--train-limit must be an integer ≥ 1 (got 0)"),
        ("hybrid", ["--arms", "Z"], "--arms must be one of A, B, C, D"),
        ("attention", ["--density", "2"], "--density must be a finite number in (0, 1] (got 2)"),
        ("hoyer", ["--surrogate-height", "5"], "--surrogate-height must be a finite number in (0, 2] (got 5)"),
        ("hoyer", ["--regularisation-weight", "nan"], "--regularisation-weight must be a finite number ≥ 0 (got nan)"),
        ("hoyer", ["--epochs", "0"], "--epochs must be an integer in [1, 10000] (got 0)"),
        ("compare", ["--density", "2"], "--density must be a finite number in (0, 1] (got 2)"),
        ("compare", ["--ann-epochs", "0"], "--ann-epochs must be an integer in [1, 10000] (got 0)"),
    ])
    func anOutOfRangeValueStopsBeforeAnyWork(key: String, arguments: [String], message: String) throws {
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("chapter-\(key)-rejected-\(UUID().uuidString)")
        let (status, text) = try runRejected(key, arguments: [
            "--profile", "smoke", "--output", output.path,
            "--cache", output.appendingPathComponent("cache").path,
        ] + arguments)
        #expect(status == 64, "chapter-\(key) \(arguments): exit status \(status)")
        #expect(text.contains(message), "\(text)")
        #expect(text.contains("Usage: chapter-\(key)"), "the usage names the chapter: \(text)")
        #expect(!text.contains("Fatal error"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: output.path), "chapter-\(key) created \(output.path)")
    }
}
