import Testing

@testable import Training

/// Progress lines show the right rate and ETA, and log output stays short.
@Suite struct ProgressLineTests {
    /// A clock the test advances by hand.
    final class ManualClock {
        var seconds = 100.0
    }

    /// Runs `epochs × steps` updates of `batch` samples, each taking `stepSeconds`.
    private func simulate(
        style: ProgressLine.Style, epochs: Int, steps: Int, batch: Int, stepSeconds: Double
    ) -> [String] {
        let clock = ManualClock()
        let output = Transcript()
        let progress = ProgressLine(
            "ann", epochs: epochs, stepsPerEpoch: steps, style: style,
            now: { clock.seconds }, write: output.append)
        for epoch in 0..<epochs {
            for step in 0..<steps {
                clock.seconds += stepSeconds
                progress.update(epoch: epoch, step: step, loss: 0.5, accuracy: 0.75, samples: batch)
            }
        }
        return output.lines
    }

    @Test func periodicOutputShowsRateAndETA() {
        // 2 epochs × 100 steps of 64 images, 0.25 s each: 256 img/s, 50 s in total.
        let lines = simulate(
            style: .periodic(interval: 5), epochs: 2, steps: 100, batch: 64, stepSeconds: 0.25)
        #expect(
            lines.first
                == "ann  epoch 1/2  step 20/100  loss 0.5000  acc 75.0%  256 img/s  ETA 45s\n")
        // One line per 5 s (every 20 steps); the epoch ends coincide with that schedule here.
        #expect(lines.count == 10)
        #expect(
            lines[4] == "ann  epoch 1/2  step 100/100  loss 0.5000  acc 75.0%  256 img/s  ETA 25s\n"
        )
        #expect(
            lines.last
                == "ann  epoch 2/2  step 100/100  loss 0.5000  acc 75.0%  256 img/s  took 50s\n")
    }

    @Test func periodicOutputAlwaysEndsAnEpoch() {
        // 3 steps of 1 s per epoch with a 60 s interval: only the epoch ends are printed.
        let lines = simulate(
            style: .periodic(interval: 60), epochs: 2, steps: 3, batch: 10, stepSeconds: 1)
        #expect(
            lines == [
                "ann  epoch 1/2  step 3/3  loss 0.5000  acc 75.0%  10.0 img/s  ETA 3s\n",
                "ann  epoch 2/2  step 3/3  loss 0.5000  acc 75.0%  10.0 img/s  took 6s\n",
            ])
    }

    @Test func rewritingOutputRedrawsOneLine() {
        let lines = simulate(style: .rewriting, epochs: 1, steps: 4, batch: 8, stepSeconds: 0.5)
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { $0.hasPrefix("\r") })
        #expect(
            lines[0]
                == "\rann  epoch 1/1  step 1/4  loss 0.5000  acc 75.0%  16.0 img/s  ETA 2s\u{1B}[K")
        #expect(lines.last?.hasSuffix("took 2s\u{1B}[K\n") == true)
    }

    @Test func imagesPerSecondRestartsEachEpochAndETAUsesAllSteps() {
        let clock = ManualClock()
        let output = Transcript()
        let progress = ProgressLine(
            "snn", epochs: 3, stepsPerEpoch: 2, style: .periodic(interval: 1000),
            now: { clock.seconds }, write: output.append)
        // Epoch 1: two steps of 1 s with 100 images each (100 img/s).
        for step in 0..<2 {
            clock.seconds += 1
            progress.update(epoch: 0, step: step, loss: 1, samples: 100)
        }
        // Epoch 2: two steps of 4 s (25 img/s). Average 2.5 s/step over 4 steps, 2 remaining.
        for step in 0..<2 {
            clock.seconds += 4
            progress.update(epoch: 1, step: step, loss: 1, samples: 100)
        }
        #expect(
            output.lines == [
                "snn  epoch 1/3  step 2/2  loss 1.0000  100 img/s  ETA 4s\n",
                "snn  epoch 2/3  step 2/2  loss 1.0000  25.0 img/s  ETA 5s\n",
            ])
    }

    @Test func resumedRunEstimatesFromItsOwnSteps() {
        let clock = ManualClock()
        let output = Transcript()
        let progress = ProgressLine(
            "ann", epochs: 10, stepsPerEpoch: 10, style: .periodic(interval: 0),
            now: { clock.seconds }, write: output.append)
        clock.seconds += 2
        progress.update(epoch: 8, step: 0, loss: 0.1, samples: 1)
        // One step took 2 s; 19 steps remain.
        #expect(output.lines == ["ann  epoch 9/10  step 1/10  loss 0.1000  0.5 img/s  ETA 38s\n"])
    }

    @Test(arguments: [
        (0.4, "0s"), (42.0, "42s"), (59.6, "1m00s"), (125.0, "2m05s"),
        (3600.0, "1h00m"), (3720.0, "1h02m"), (39_590.0, "11h00m"),
    ])
    func durationsAreShort(seconds: Double, expected: String) {
        #expect(formatDuration(seconds) == expected)
    }
}

/// Collects the lines a `ProgressLine` writes.
final class Transcript {
    var lines: [String] = []
    func append(_ line: String) { lines.append(line) }
}
