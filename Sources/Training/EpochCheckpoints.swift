// Resumable training: what `runEpochs` saves after every epoch, and where it reads it back
// after a crash, so that a resumed run ends with the same bits as one that never stopped.

import Foundation
import NeuralNetworks
import TensorCore

/// One training run (one `runEpochs` call) after its `epochsDone`-th epoch: everything the loop
/// needs to continue as if it had never stopped.
///
/// The loop's own state is the epoch and global step counters, the generator and the epoch
/// means so far; `state` is the caller's (network weights and buffers, optimiser moments,
/// anything its `afterEpoch` keeps), from the `saveState` closure given to `runEpochs`.
public struct EpochCheckpoint: Equatable, Sendable {
    /// The run's progress label (checked on resume: another run's progress is not restored).
    public var label: String?
    /// The run's length (checked on resume).
    public var epochs: Int
    public var stepsPerEpoch: Int
    /// Finished epochs; the resumed run starts at this zero-based epoch.
    public var epochsDone: Int
    /// Finished steps in all (the schedule's position).
    public var stepsDone: Int
    /// `SeededGenerator.state` after the epoch (and after `afterEpoch`'s draws).
    public var generator: UInt64
    /// The loss of the very first step (the untrained network), for the sanity gate.
    public var firstStepLoss: Double?
    /// Mean loss and accuracy of every finished epoch.
    public var results: [EpochResult]
    /// The caller's state, opaque here.
    public var state: Data

    public init(label: String?, epochs: Int, stepsPerEpoch: Int, epochsDone: Int, stepsDone: Int,
                generator: UInt64, firstStepLoss: Double?, results: [EpochResult], state: Data) {
        self.label = label
        self.epochs = epochs
        self.stepsPerEpoch = stepsPerEpoch
        self.epochsDone = epochsDone
        self.stepsDone = stepsDone
        self.generator = generator
        self.firstStepLoss = firstStepLoss
        self.results = results
        self.state = state
    }
}

/// The epoch checkpoints of one pipeline stage, which may train several networks one after
/// the other: the n-th `runEpochs` call of the stage is run n (zero-based), and every run's
/// latest checkpoint is kept, so a stage killed while training its second network resumes
/// with the first one restored as it finished.
///
/// ```swift
/// let checkpoints = try EpochCheckpoints(stage: "ann", saved: progressFile.contents,
///                                        persist: { try progressFile.replace(with: $0) })
/// try trainSupervised(network, ..., rng: &rng, checkpoints: checkpoints)
/// checkpoints.records   // each run's first-step loss and epoch means, for the sanity gate
/// ```
///
/// The chapters get one from the stage cache (`StageProgress.checkpoints`), which keeps the
/// bytes in the stage's progress file; tests keep them in memory (`payload`).
public final class EpochCheckpoints {
    /// The stage's name, used in the resume message.
    public let stage: String
    /// What every run of this stage left for the sanity gate, in run order (a run resumed
    /// after it had finished counts too).
    public private(set) var records: [TrainingRecord] = []

    private var saved: [Int: EpochCheckpoint]
    private var runsStarted = 0
    private let persist: (Data) throws -> Void
    private let log: (String) -> Void

    /// Checkpoints of `stage`, resuming from `saved` (bytes an earlier `persist` received).
    ///
    /// - Parameters:
    ///   - persist: receives the encoded checkpoints of every run after every epoch; it must
    ///     replace what it stored before atomically (a crash keeps the last finished epoch).
    ///   - log: receives the one-line resume messages.
    /// - Throws: `EpochCheckpointError.malformed` when `saved` is not what `persist` received.
    public init(stage: String, saved: Data? = nil, persist: @escaping (Data) throws -> Void = { _ in },
                log: @escaping (String) -> Void = { print($0) }) throws {
        self.stage = stage
        self.saved = try saved.map(Self.decode) ?? [:]
        self.persist = persist
        self.log = log
    }

    /// The encoded checkpoints, as `persist` last received them.
    public var payload: Data {
        get throws { try Self.encode(saved) }
    }

    /// Whether any run has saved progress (a stage started before and was interrupted).
    public var isEmpty: Bool { saved.isEmpty }

    // MARK: - Used by runEpochs

    /// Starts the next run of the stage: its index, and its checkpoint if one was saved for a
    /// run of the same label and length (otherwise the run starts over, with a note).
    func startRun(label: String?, length: TrainingLength) -> (run: Int, resume: EpochCheckpoint?) {
        let run = runsStarted
        runsStarted += 1
        guard let checkpoint = saved[run] else { return (run, nil) }
        guard checkpoint.label == label, checkpoint.epochs == length.epochs,
              checkpoint.stepsPerEpoch == length.stepsPerEpoch,
              checkpoint.epochsDone <= length.epochs else {
            log("warning: the saved progress of \(stage) (run \(run + 1)) belongs to another "
                + "training run; starting it over")
            saved[run] = nil
            return (run, nil)
        }
        let name = label.map { $0 == stage ? stage : "\(stage) (\($0))" } ?? stage
        if checkpoint.epochsDone == length.epochs {
            log("resuming \(name): finished before the interruption "
                + "(\(length.epochs)/\(length.epochs) epochs), restored")
        } else {
            log("resuming \(name) at epoch \(checkpoint.epochsDone + 1)/\(length.epochs)")
        }
        return (run, checkpoint)
    }

    /// Stores run `run`'s checkpoint and persists all of them.
    func save(_ checkpoint: EpochCheckpoint, run: Int) throws {
        saved[run] = checkpoint
        try persist(try payload)
    }

    /// Records a finished run for the sanity gate.
    func finish(_ record: TrainingRecord) {
        records.append(record)
    }

    // MARK: - Encoding
    //
    // The payload is a list of length-prefixed byte strings (`_LengthPrefixed`): for each run,
    // a JSON header (`_Header`, every field but `state`) then the state bytes.

    private struct _Header: Codable {
        var run: Int
        var label: String?
        var epochs: Int
        var stepsPerEpoch: Int
        var epochsDone: Int
        var stepsDone: Int
        /// Hexadecimal, so no JSON reader rounds it through a Double.
        var generator: String
        var firstStepLoss: Double?
        var results: [EpochResult]
    }

    static func encode(_ saved: [Int: EpochCheckpoint]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let parts = try saved.keys.sorted().flatMap { run -> [Data] in
            let c = saved[run]!
            let header = _Header(run: run, label: c.label, epochs: c.epochs, stepsPerEpoch: c.stepsPerEpoch,
                                 epochsDone: c.epochsDone, stepsDone: c.stepsDone,
                                 generator: String(c.generator, radix: 16), firstStepLoss: c.firstStepLoss,
                                 results: c.results)
            return [try encoder.encode(header), c.state]
        }
        return _LengthPrefixed.pack(parts)
    }

    static func decode(_ payload: Data) throws -> [Int: EpochCheckpoint] {
        let parts = try _LengthPrefixed.unpack(payload)
        guard parts.count % 2 == 0 else { throw EpochCheckpointError.malformed("odd number of parts") }
        var saved: [Int: EpochCheckpoint] = [:]
        for i in stride(from: 0, to: parts.count, by: 2) {
            let h: _Header
            do { h = try JSONDecoder().decode(_Header.self, from: parts[i]) } catch {
                throw EpochCheckpointError.malformed("header \(i / 2): \(error)")
            }
            guard let generator = UInt64(h.generator, radix: 16) else {
                throw EpochCheckpointError.malformed("generator state '\(h.generator)'")
            }
            saved[h.run] = EpochCheckpoint(
                label: h.label, epochs: h.epochs, stepsPerEpoch: h.stepsPerEpoch, epochsDone: h.epochsDone,
                stepsDone: h.stepsDone, generator: generator, firstStepLoss: h.firstStepLoss,
                results: h.results, state: parts[i + 1])
        }
        return saved
    }
}

/// Saved training progress that cannot be read back.
public enum EpochCheckpointError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The bytes are not what `EpochCheckpoints` or `TrainingSnapshot` wrote.
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let why): "not a training checkpoint written by this build: \(why)"
        }
    }
}

/// The usual state of a training run: a network's weights, buffers and masks
/// (`NetworkState`), its optimiser's moments, and optional extra bytes (what the caller's
/// `afterEpoch` accumulates, e.g. a trace).
///
/// ```swift
/// try runEpochs(label, length, rng: &rng, checkpoints: checkpoints,
///               saveState: { try TrainingSnapshot.encode(network, optimizer: adam) },
///               restoreState: { try TrainingSnapshot.restore($0, into: network, optimizer: &adam) },
///               batches: ..., step: ...)
/// ```
public enum TrainingSnapshot {
    /// The state of `network` and `optimizer` (over `network.parameters`), then `extra`.
    public static func encode(_ network: any Layer, optimizer: some Optimizer, extra: Data = Data()) throws -> Data {
        _LengthPrefixed.pack([
            try NetworkState.encode(network),
            try Safetensors.encode(optimizer.stateTensors(of: network.parameters)),
            extra,
        ])
    }

    /// Restores what `encode` saved into `network` (same architecture) and `optimizer`.
    ///
    /// - Returns: the `extra` bytes.
    @discardableResult
    public static func restore(_ data: Data, into network: any Layer, optimizer: inout some Optimizer) throws -> Data {
        let parts = try _LengthPrefixed.unpack(data)
        guard parts.count == 3 else {
            throw EpochCheckpointError.malformed("a training snapshot has 3 parts, found \(parts.count)")
        }
        try NetworkState.decode(parts[0], into: network)
        try optimizer.restoreState(Safetensors.decode(parts[1]), of: network.parameters)
        return parts[2]
    }
}

/// Byte strings, each preceded by its length as a little-endian UInt64.
enum _LengthPrefixed {
    static func pack(_ parts: [Data]) -> Data {
        var data = Data(capacity: parts.reduce(0) { $0 + 8 + $1.count })
        for part in parts {
            withUnsafeBytes(of: UInt64(part.count).littleEndian) { data.append(contentsOf: $0) }
            data.append(part)
        }
        return data
    }

    static func unpack(_ data: Data) throws -> [Data] {
        let bytes = [UInt8](data)
        var parts: [Data] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 8 else { throw EpochCheckpointError.malformed("truncated length") }
            let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
            offset += 8
            guard length <= UInt64(bytes.count - offset) else {
                throw EpochCheckpointError.malformed("a part of \(length) bytes runs past the end")
            }
            parts.append(Data(bytes[offset..<(offset + Int(length))]))
            offset += Int(length)
        }
        return parts
    }
}
