import Foundation
import TensorCore
import Testing

@testable import Datasets

/// The CIFAR-10/100 record reader on the committed fixtures and on damaged copies.
@Suite struct CIFARFileTests {
    @Test func readsCIFAR10FixtureExactly() throws {
        let train = try CIFARFile(
            contentsOf: Fixtures.url("cifar-10-batches-bin/data_batch_1.bin"), dataset: .cifar10,
            expectedRecords: 3)
        #expect(train.images == Fixtures.expectedImages(count: 3, channels: 3, size: 32))
        #expect(train.labels == Fixtures.cifar10TrainLabels)
        #expect(train.coarseLabels.isEmpty)
        let test = try CIFARFile(
            contentsOf: Fixtures.url("cifar-10-batches-bin/test_batch.bin"), dataset: .cifar10)
        #expect(test.images == Fixtures.expectedImages(count: 2, channels: 3, size: 32))
        #expect(test.labels == Fixtures.cifar10TestLabels)
    }

    /// Channel planes are red, green, blue in that order: pixel (c, y, x) of image i sits at
    /// byte 1 + c·1024 + y·32 + x of record i.
    @Test func planesAreInRGBOrder() throws {
        let file = try CIFARFile(
            contentsOf: Fixtures.url("cifar-10-batches-bin/test_batch.bin"), dataset: .cifar10)
        for (c, y, x) in [(0, 0, 0), (1, 5, 7), (2, 31, 31)] {
            #expect(file.images[1, c, y, x] == Float(Fixtures.pixel(1, c, y, x)) / 255)
        }
    }

    @Test func readsCIFAR100FineAndCoarseLabels() throws {
        let train = try CIFARFile(
            contentsOf: Fixtures.url("cifar-100-binary/train.bin"), dataset: .cifar100,
            expectedRecords: 3)
        #expect(train.images == Fixtures.expectedImages(count: 3, channels: 3, size: 32))
        #expect(train.labels == Fixtures.cifar100TrainFine)
        #expect(train.coarseLabels == Fixtures.cifar100TrainCoarse)
        let test = try CIFARFile(
            contentsOf: Fixtures.url("cifar-100-binary/test.bin"), dataset: .cifar100)
        #expect(test.labels == Fixtures.cifar100TestFine)
        #expect(test.coarseLabels == Fixtures.cifar100TestCoarse)
    }

    @Test func sizeNotAMultipleOfTheRecordIsRejected() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let whole = try bytes(of: Fixtures.url("cifar-10-batches-bin/data_batch_1.bin"))
        let url = try scratch.write(Array(whole.dropLast(100)), to: "data_batch_1.bin")
        let error = #expect(throws: DatasetError.self) {
            try CIFARFile(contentsOf: url, dataset: .cifar10)
        }
        #expect(error == .partialRecord(file: url.path, bytes: 3 * 3073 - 100, recordSize: 3073))
        #expect(error?.description.contains("3073-byte records") == true)
    }

    /// A CIFAR-100 file read as CIFAR-10 is caught by its size: 3 × 3074 is no multiple of 3073.
    @Test func cifar100FileReadAsCIFAR10IsRejected() {
        let error = #expect(throws: DatasetError.self) {
            try CIFARFile(contentsOf: Fixtures.url("cifar-100-binary/train.bin"), dataset: .cifar10)
        }
        guard case .partialRecord? = error else {
            Issue.record("expected partialRecord, got \(String(describing: error))")
            return
        }
    }

    @Test func wrongRecordCountIsRejected() {
        let url = Fixtures.url("cifar-10-batches-bin/data_batch_1.bin")
        let error = #expect(throws: DatasetError.self) {
            try CIFARFile(contentsOf: url, dataset: .cifar10, expectedRecords: 10_000)
        }
        #expect(error == .recordCountMismatch(file: url.path, expected: 10_000, found: 3))
    }

    @Test func labelOutOfRangeIsRejected() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        var records = try bytes(of: Fixtures.url("cifar-10-batches-bin/test_batch.bin"))
        records[3073] = 10  // second record's label
        let url = try scratch.write(records, to: "test_batch.bin")
        let error = #expect(throws: DatasetError.self) {
            try CIFARFile(contentsOf: url, dataset: .cifar10)
        }
        #expect(error == .labelOutOfRange(file: url.path, index: 1, label: 10, classCount: 10))
    }
}
