import Foundation
import Testing

import Statistics

@Suite struct ImageOutcomesTests {
    @Test func packsEightImagesPerByteAndReadsThemBack() {
        let correct = [true, false, false, true, true, false, true, true, false, true]
        let o = ImageOutcomes(correct)
        #expect(o.count == 10 && o.packed.count == 2)
        #expect(o.correct == correct)
        #expect(o.correctCount == 6 && abs(o.accuracy - 0.6) < 1e-12)
        // bits 0, 3, 4, 6, 7 of the first byte: 1 + 8 + 16 + 64 + 128 = 217; bit 1 of the second.
        #expect(Array(o.packed) == [217, 2])
        #expect(ImageOutcomes(concatenating: [ImageOutcomes(Array(correct[..<3])),
                                              ImageOutcomes(Array(correct[3...]))]) == o)
    }

    @Test func roundTripsThroughJSONAndRefusesAMismatchedLength() throws {
        let o = ImageOutcomes((0..<37).map { $0 % 3 == 0 })
        let data = try JSONEncoder().encode(o)
        #expect(try JSONDecoder().decode(ImageOutcomes.self, from: data) == o)
        let wrong = Data(#"{"count": 37, "packed": "AAA="}"#.utf8)     // 2 bytes for 37 images
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ImageOutcomes.self, from: wrong) }
    }

    @Test func emptyEvaluationHasZeroAccuracy() {
        #expect(ImageOutcomes([]).accuracy == 0 && ImageOutcomes([]).packed.isEmpty)
    }
}
