// A JSON document held as a value, so that `results.json` can embed any chapter's config and
// metrics without ChapterSupport knowing their types.

import Foundation

/// Any JSON value: what `RunRecord` stores for a chapter's config and metrics.
///
/// Convert a chapter's own `Encodable` type in with `JSONValue(encoding:)` and back out with
/// `decode(_:)`. Integers are kept apart from other numbers so that counts round-trip exactly;
/// integers beyond `Int64` (e.g. a `UInt64` above 2⁶³) are held as `Double` and may lose
/// precision. Non-finite doubles are stored as the strings `"nan"`, `"inf"` and `"-inf"`
/// (see `JSONCoding`) and decode back to `Double` / `Float`.
public enum JSONValue: Codable, Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int64`.
    case integer(Int64)
    /// Any other number.
    case number(Double)
    /// A string.
    case string(String)
    /// An ordered list.
    case array([JSONValue])
    /// An object; key order is not significant (files are written with sorted keys).
    case object([String: JSONValue])

    /// Encodes `value` with `JSONCoding.compactEncoder()` and reads the result back as a
    /// `JSONValue`.
    public init(encoding value: some Encodable) throws {
        let data = try JSONCoding.compactEncoder().encode(value)
        self = try JSONCoding.decoder().decode(JSONValue.self, from: data)
    }

    /// Decodes this value into a chapter's own type, e.g.
    /// `try record.metrics.decode(Metrics.self)`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONCoding.decoder().decode(type, from: JSONCoding.compactEncoder().encode(self))
    }

    /// The member `key` of an object, or nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    /// Decodes any JSON value.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Encodes the value as the JSON it stands for.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
