// A one-line training progress report: epoch, step, loss, accuracy, images/s and ETA.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reports progress of a training loop on one line.
///
/// ```swift
/// let progress = ProgressLine("ann", epochs: config.epochs, stepsPerEpoch: batches.count)
/// for epoch in 0..<config.epochs {
///     for (step, batch) in batches.enumerated() {
///         ...
///         progress.update(epoch: epoch, step: step, loss: runningLoss,
///                         accuracy: runningAccuracy, samples: batch.count)
///     }
/// }
/// ```
/// prints `ann  epoch 3/10  step 120/469  loss 0.4123  acc 85.3%  1234 img/s  ETA 2m05s`.
///
/// - On a terminal (`isatty`), the line is redrawn in place with `\r` (at most 10 times a
///   second) and kept at the end of each epoch.
/// - Otherwise (CI logs, pipes) a line is printed at most every `interval` seconds and at the
///   end of each epoch, so logs stay short.
///
/// `epoch` and `step` are zero-based, as in `for epoch in 0..<epochs`, and shown one-based.
/// images/s counts samples since the epoch began; ETA extrapolates the average time per step
/// since the first update (a resumed run starts counting where it resumed). Time comes from
/// an injectable clock so tests control it.
public final class ProgressLine {
    /// How lines reach the output.
    public enum Style: Sendable, Equatable {
        /// Redraw one line with `\r` (interactive terminals).
        case rewriting
        /// Append a line at most every `interval` seconds and at each epoch's end (logs).
        case periodic(interval: Double)

        /// `.rewriting` when standard output is a terminal, else `.periodic(interval: 5)`.
        public static var automatic: Style {
            isatty(STDOUT_FILENO) != 0 ? .rewriting : .periodic(interval: 5)
        }
    }

    /// The name shown first on the line (usually the stage).
    public let label: String
    /// Epochs in the whole loop.
    public let epochs: Int
    /// Steps (batches) per epoch.
    public let stepsPerEpoch: Int
    /// Terminal or log output.
    public let style: Style

    private let now: () -> Double
    private let write: (String) -> Void
    private var epochStart: Double
    private var epochSamples = 0
    private var currentEpoch: Int?
    private var lastStepTime: Double?
    private var firstStepIndex: Int?
    private let start: Double
    private var lastOutput: Double

    /// Creates a reporter; its clock starts now.
    ///
    /// - Parameters:
    ///   - label: shown at the start of each line.
    ///   - epochs: total epochs (≥ 1).
    ///   - stepsPerEpoch: steps per epoch (≥ 1).
    ///   - style: defaults to `.automatic`.
    ///   - now: a clock in seconds; defaults to a monotonic clock.
    ///   - write: receives text to print, with its own `\r` / `\n`; defaults to stdout.
    public init(
        _ label: String, epochs: Int, stepsPerEpoch: Int, style: Style = .automatic,
        now: @escaping () -> Double = ProgressLine.monotonicClock(),
        write: @escaping (String) -> Void = ProgressLine.writeToStandardOutput
    ) {
        precondition(epochs >= 1 && stepsPerEpoch >= 1,
                     "ProgressLine needs at least one epoch and one step")
        self.label = label
        self.epochs = epochs
        self.stepsPerEpoch = stepsPerEpoch
        self.style = style
        self.now = now
        self.write = write
        start = now()
        epochStart = start
        lastOutput = start
    }

    /// Records that step `step` of epoch `epoch` has finished and prints if it is time.
    ///
    /// - Parameters:
    ///   - epoch: zero-based epoch index.
    ///   - step: zero-based step index within the epoch.
    ///   - loss: the loss to show (typically the running mean over the epoch).
    ///   - accuracy: a fraction in [0, 1] to show as a percentage, or nil.
    ///   - samples: samples processed in this step (the batch size).
    public func update(epoch: Int, step: Int, loss: Double, accuracy: Double? = nil, samples: Int) {
        let time = now()
        if epoch != currentEpoch {
            if currentEpoch != nil { epochStart = lastStepTime ?? epochStart }
            currentEpoch = epoch
            epochSamples = 0
        }
        epochSamples += samples
        lastStepTime = time
        let stepIndex = epoch * stepsPerEpoch + step
        if firstStepIndex == nil { firstStepIndex = stepIndex }

        let line = format(epoch: epoch, step: step, loss: loss, accuracy: accuracy, time: time)
        let endOfEpoch = step + 1 == stepsPerEpoch
        switch style {
        case .rewriting:
            if endOfEpoch {
                write("\r\(line)\u{1B}[K\n")
                lastOutput = time
            } else if time - lastOutput >= 0.1 {
                write("\r\(line)\u{1B}[K")
                lastOutput = time
            }
        case .periodic(let interval):
            if endOfEpoch || time - lastOutput >= interval {
                write(line + "\n")
                lastOutput = time
            }
        }
    }

    /// The text of the line for a step that finished at `time`.
    func format(epoch: Int, step: Int, loss: Double, accuracy: Double?, time: Double) -> String {
        var fields = [
            label,
            "epoch \(epoch + 1)/\(epochs)",
            "step \(step + 1)/\(stepsPerEpoch)",
            "loss \(formatFixed(loss, digits: 4))",
        ]
        if let accuracy { fields.append("acc \(formatFixed(100 * accuracy, digits: 1))%") }
        let epochSeconds = time - epochStart
        if epochSeconds > 0 {
            let rate = Double(epochSamples) / epochSeconds
            fields.append("\(formatFixed(rate, digits: rate < 100 ? 1 : 0)) img/s")
        }
        let stepIndex = epoch * stepsPerEpoch + step
        let done = stepIndex + 1 - (firstStepIndex ?? stepIndex)
        let remaining = epochs * stepsPerEpoch - (stepIndex + 1)
        if remaining <= 0 {
            fields.append("took \(formatDuration(time - start))")
        } else if done > 0, time > start {
            let secondsPerStep = (time - start) / Double(done)
            fields.append("ETA \(formatDuration(secondsPerStep * Double(remaining)))")
        }
        return fields.joined(separator: "  ")
    }

    /// A monotonic clock in seconds, starting at zero when called.
    public static func monotonicClock() -> () -> Double {
        let origin = ContinuousClock.now
        return { secondsSince(origin) }
    }

    /// Prints `text` without a newline and flushes standard output, so `\r` redraws at once.
    public static func writeToStandardOutput(_ text: String) {
        print(text, terminator: "")
        fflush(nil)
    }
}

/// `42s`, `2m05s` or `1h02m`: a duration short enough for a progress line.
func formatDuration(_ seconds: Double) -> String {
    let whole = max(0, Int(seconds.rounded()))
    if whole < 60 { return "\(whole)s" }
    if whole < 3600 { return "\(whole / 60)m\(twoDigits(whole % 60))s" }
    let minutes = (whole + 30) / 60
    return "\(minutes / 60)h\(twoDigits(minutes % 60))m"
}
