import Foundation
import RunRecords
import Testing

@testable import ChapterSupport

/// `@ExplicitNull` writes nil as `null` and reads a missing key, `null` or a value.
@Suite struct ExplicitNullTests {
    struct Row: Codable, Equatable {
        var name: String
        @ExplicitNull var first: Int?
    }

    @Test func nilIsWrittenAsNullAndAValueAsItself() throws {
        let encoder = JSONCoding.compactEncoder()
        #expect(String(decoding: try encoder.encode(Row(name: "a", first: nil)), as: UTF8.self)
                    == #"{"first":null,"name":"a"}"#)
        #expect(String(decoding: try encoder.encode(Row(name: "a", first: 3)), as: UTF8.self)
                    == #"{"first":3,"name":"a"}"#)
    }

    @Test(arguments: [#"{"name":"a"}"#, #"{"name":"a","first":null}"#, #"{"name":"a","first":3}"#])
    func missingNullAndValueDecode(json: String) throws {
        let row = try JSONCoding.decoder().decode(Row.self, from: Data(json.utf8))
        #expect(row == Row(name: "a", first: json.contains("3") ? 3 : nil))
    }
}
