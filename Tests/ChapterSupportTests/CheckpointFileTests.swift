import Datasets
import Foundation
import Testing

@testable import ChapterSupport

/// The checkpoint envelope detects every kind of damage and names the file.
@Suite struct CheckpointFileTests {
    let payload = Data("weights and thresholds".utf8)

    @Test func roundTripsAndHasTheDocumentedLayout() throws {
        let file = CheckpointFile.encode(payload, kind: .stageOutput)
        #expect(file.count == 24 + payload.count + 32)
        #expect(file.prefix(8) == Data("LLSNNCKP".utf8))
        #expect(Array(file[8..<12]) == [1, 0, 0, 0])  // format version 1, little-endian
        #expect(Array(file[12..<16]) == [1, 0, 0, 0])  // kind 1 = stage output
        #expect(Array(file[16..<24]) == [UInt8(payload.count), 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(file.suffix(32)) == SHA256.digest(of: payload))
        #expect(try CheckpointFile.decode(file, kind: .stageOutput) == payload)
        #expect(
            try CheckpointFile.decode(
                CheckpointFile.encode(Data(), kind: .stageOutput),
                kind: .stageOutput) == Data())
    }

    private func problem(decoding file: Data, kind: CheckpointFile.Kind = .stageOutput)
        -> CheckpointError.Problem?
    {
        do {
            _ = try CheckpointFile.decode(file, kind: kind)
            return nil
        } catch {
            return (error as? CheckpointError)?.problem
        }
    }

    @Test func detectsEachKindOfDamage() {
        let good = CheckpointFile.encode(payload, kind: .stageOutput)

        var badMagic = good
        badMagic[0] = UInt8(ascii: "X")
        #expect(problem(decoding: badMagic) == .badMagic)

        var newerVersion = good
        newerVersion[8] = 2
        #expect(problem(decoding: newerVersion) == .unsupportedVersion(found: 2, expected: 1))

        #expect(
            problem(decoding: good, kind: .trainingProgress)
                == .wrongKind(found: 1, expected: .trainingProgress))
        #expect(problem(decoding: good.dropLast()) == .truncated(bytes: good.count - 1))
        #expect(problem(decoding: good.prefix(30)) == .truncated(bytes: 30))
        #expect(problem(decoding: good.prefix(10)) == .truncated(bytes: 10))
        #expect(problem(decoding: good + Data([0])) == .trailingBytes(count: 1))

        var flipped = good
        flipped[24 + 3] ^= 0x01
        #expect(problem(decoding: flipped) == .checksumMismatch)
    }

    @Test func readErrorsNameTheFile() throws {
        let folder = try TestDirectory()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("ann-abc.ckpt")
        try CheckpointFile.write(payload, kind: .stageOutput, to: url)
        #expect(try CheckpointFile.read(from: url, kind: .stageOutput) == payload)

        var file = try Data(contentsOf: url)
        file[8] = 7
        try file.write(to: url)
        let error = #expect(throws: CheckpointError.self) {
            try CheckpointFile.read(from: url, kind: .stageOutput)
        }
        #expect(error?.url == url)
        #expect(error?.description.hasPrefix(url.path) == true)
        #expect(error?.description.contains("format version 7, this build reads version 1") == true)
    }
}
