import Foundation
import Testing

@testable import ChapterSupport

/// Failures stop a chapter with one actionable line: diverged losses, missing files, bad options.
@Suite struct ChapterErrorTests {
    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteLossThrows(loss: Double) {
        #expect(throws: ChapterError.divergedLoss(epoch: 2, step: 119)) {
            try checkFinite(loss: loss, epoch: 2, step: 119)
        }
        #expect(throws: ChapterError.divergedLoss(epoch: 0, step: 0)) {
            try checkFinite(loss: Float(loss), epoch: 0, step: 0)
        }
    }

    @Test func finiteLossPasses() throws {
        try checkFinite(loss: Float(2.3), epoch: 0, step: 0)
        try checkFinite(loss: Double.greatestFiniteMagnitude, epoch: 0, step: 0)
    }

    @Test func messageIsOneBasedAndGivesAdvice() {
        let message = ChapterError.divergedLoss(epoch: 2, step: 119).description
        #expect(message.contains("epoch 3, step 120"))
        #expect(
            message.contains("Lower its learning rate") && message.contains("--help")
                && !message.contains("--learning-rate"))
    }

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
