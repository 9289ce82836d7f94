import Foundation
import Testing

@testable import ChapterSupport

/// Failures stop a chapter with one actionable line: missing files, bad options.
@Suite struct ChapterErrorTests {
    @Test func errorsPrintAsOneLine() {
        #expect(
            errorMessage(for: ChapterError.datasetMissing("data/fashion-mnist not found"))
                == "error: dataset missing: data/fashion-mnist not found")
        let checkpoint = CheckpointError(url: nil, problem: .checksumMismatch)
        #expect(
            errorMessage(for: checkpoint)
                == "error: checkpoint: SHA-256 checksum mismatch: the payload is damaged")
        let missing = CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: "/data/x.bin"])
        #expect(errorMessage(for: missing).hasPrefix("error: /data/x.bin: "))
        #expect(
            errorMessage(for: ChapterError.invalidConfiguration("--timesteps must be positive"))
                == "error: invalid configuration: --timesteps must be positive")
    }
}
