import ArgumentParser
import Datasets
import Foundation
import RunRecords
import TensorCore
import Testing

@testable import ChapterSupport

/// The shared options parse, default, validate and resolve as documented.
@Suite struct ChapterOptionsTests {
    @Test func defaults() throws {
        let options = try ChapterOptions.parse([])
        #expect(options.profile == .quick && options.seed == 42 && options.threads == 2)
        #expect(
            options.dataset == nil && options.output == nil && !options.fresh
                && options.rerun.isEmpty)
        #expect(options.cacheDirectory.path.hasSuffix("/data/cache"))
        let output = options.outputDirectory(chapter: "classic")
        #expect(output.path == FileManager.default.currentDirectoryPath + "/figures/classic/quick")
    }

    @Test func parsesEveryOption() throws {
        let options = try ChapterOptions.parse([
            "--profile", "smoke", "--seed", "7", "--dataset", "fashion-mnist", "--output",
            "/tmp/out",
            "--cache", "/tmp/cache", "--fresh", "--rerun", "ann", "--rerun", "snn", "--threads",
            "1",
        ])
        #expect(options.profile == .smoke && options.seed == 7 && options.threads == 1)
        #expect(options.dataset == .fashionMNIST && options.dataset?.classCount == 10)
        #expect(options.outputDirectory(chapter: "classic").path == "/tmp/out")
        #expect(options.cacheDirectory.path == "/tmp/cache")
        #expect(options.fresh && options.rerun == ["ann", "snn"])
        #expect(try ChapterOptions.parse(["--dataset", "cifar100"]).dataset == .cifar100)
    }

    @Test(arguments: [
        (["--profile", "fast"], "'fast' is invalid for '--profile <profile>'"),
        (["--seed", "-1"], "--seed"),
        (["--seed", "seven"], "'seven' is invalid for '--seed <seed>'"),
        (["--dataset", "mnist"], "'mnist' is invalid for '--dataset <dataset>'"),
        (["--threads", "0"], "--threads must be an integer in [1, 256] (got 0)"),
        (["--threads", "257"], "--threads must be an integer in [1, 256] (got 257)"),
        (["--cache", ""], "--cache needs a folder name"),
        (["--rerun", ""], "--rerun needs a stage name"),
        (["--epochs", "3"], "Unknown option '--epochs'"),
    ])
    func rejectsBadValuesWithAClearMessage(arguments: [String], message: String) {
        do {
            _ = try ChapterOptions.parse(arguments)
            Issue.record("\(arguments) should not parse")
        } catch {
            let text = ChapterOptions.message(for: error)
            #expect(text.contains(message), "\(text)")
        }
    }

    @Test func invalidProfileMessageListsTheChoices() {
        #expect(throws: (any Error).self) { try ChapterOptions.parse(["--profile", "fast"]) }
        do {
            _ = try ChapterOptions.parse(["--profile", "fast"])
        } catch {
            let text = ChapterOptions.message(for: error)
            #expect(text.contains("smoke") && text.contains("quick") && text.contains("paper"))
        }
    }

    @Test func contextResolvesThePolicyAndRejectsUnknownStages() throws {
        let stages = ["data", "ann", "snn"]
        func context(_ arguments: [String]) throws -> ChapterContext {
            try ChapterContext(
                chapter: "classic", options: ChapterOptions.parse(arguments), stages: stages)
        }
        #expect(try context([]).recompute == .reuse)
        #expect(try context(["--fresh", "--rerun", "ann"]).recompute == .everything)
        #expect(try context(["--rerun", "ann"]).recompute == .from(["ann"]))
        let smoke = try context(["--profile", "smoke", "--seed", "3"])
        #expect(smoke.resultsURL.path.hasSuffix("figures/classic/smoke/results.json"))
        #expect(smoke.makeStageCache().directory.path.hasSuffix("data/cache/classic/smoke"))
        #expect(smoke.makeStageCache().seed == 3)

        #expect(
            throws: ChapterError.invalidConfiguration(
                "--rerun train: chapter-classic has no stage 'train'; "
                    + "its stages are data, ann, snn.")
        ) {
            try context(["--rerun", "train"])
        }
    }

    /// A non-default `--convolution` gets its own cache and figures folders and never rewrites
    /// the README's reference table; the default keeps the plain profile folders.
    @Test func convolutionChoiceSeparatesCacheAndOutputs() throws {
        let reference = try ChapterContext(chapter: "hoyer", options: ChapterOptions.parse([]))
        #expect(reference.convolution == .blocked && reference.writesReferenceReadme)
        #expect(reference.makeStageCache().directory.path.hasSuffix("data/cache/hoyer/quick"))
        let plain = try ChapterContext(
            chapter: "hoyer", options: ChapterOptions.parse(["--convolution", "plain"]))
        #expect(plain.convolution == .plain && !plain.writesReferenceReadme)
        #expect(plain.outputDirectory.path.hasSuffix("figures/hoyer/quick-plain"))
        let cache = plain.makeStageCache()
        #expect(cache.directory.path.hasSuffix("data/cache/hoyer/quick-plain"))
        #expect(cache.rebuildCommand(for: "ann")
            == "swift run chapter-hoyer --profile quick --convolution plain --rerun ann")
        let custom = try ChapterContext(
            chapter: "hoyer", options: ChapterOptions.parse(["--output", "/tmp/x"]))
        #expect(!custom.writesReferenceReadme)
        let smoke = try ChapterContext(
            chapter: "hoyer", options: ChapterOptions.parse(["--profile", "smoke"]))
        #expect(!smoke.writesReferenceReadme)
        do {
            _ = try ChapterOptions.parse(["--convolution", "fp16"])
            Issue.record("--convolution fp16 should not parse")
        } catch {
            let text = ChapterOptions.message(for: error)
            #expect(text.contains("'fp16' is invalid for '--convolution <kind>'"), "\(text)")
        }
    }

    /// `--convolution bfloat16` parses where oneDNN has bf16 kernels and is refused up front,
    /// naming the flag and the CPU's instruction set, where it has none.
    @Test func bfloat16IsRefusedWhereTheCPUHasNoKernels() {
        do {
            let options = try ChapterOptions.parse(["--convolution", "bfloat16"])
            #expect(DNNLRuntime.supports(.bfloat16) && options.convolution == .bfloat16)
        } catch {
            let text = ChapterOptions.message(for: error)
            #expect(!DNNLRuntime.supports(.bfloat16))
            #expect(text.contains("--convolution bfloat16") && text.contains(DNNLRuntime.effectiveISA), "\(text)")
        }
    }

    @Test func profilesAndDatasetsHaveStableNames() throws {
        #expect(Profile.allCases.map(\.rawValue) == ["smoke", "quick", "paper"])
        #expect(DatasetID.allCases.map(\.rawValue) == ["fashion-mnist", "cifar10", "cifar100"])
        #expect(DatasetID.allCases.map(\.title) == ["Fashion-MNIST", "CIFAR-10", "CIFAR-100"])
        #expect(try ChapterOptions.parse(["--dataset", "cifar100"]).dataset == .cifar100)
    }
}
