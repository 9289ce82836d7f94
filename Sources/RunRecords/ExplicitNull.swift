// Optional metrics that results.json spells out as `null` instead of leaving the key out, so a
// reader (and ChapterTests) can tell "never reached" from "not recorded".

/// An optional stored property that encodes `nil` as an explicit JSON `null`.
///
/// Synthesised `Codable` leaves a nil optional's key out of the JSON; with this wrapper the key
/// is always there:
///
/// ```swift
/// struct MethodResult: Codable {
///     /// Smallest T within 1 point of the ANN; null if never.
///     @ExplicitNull var firstTimestepStayingWithinOnePoint: Int?
/// }
/// // {"firstTimestepStayingWithinOnePoint": null}
/// ```
///
/// Decoding accepts the key missing, `null`, or a value.
@propertyWrapper
public struct ExplicitNull<Value: Codable & Equatable & Sendable>: Codable, Equatable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value = wrappedValue {
            try container.encode(value)
        } else {
            try container.encodeNil()
        }
    }
}

extension KeyedDecodingContainer {
    /// A missing key decodes as nil (synthesised `init(from:)` calls this overload).
    public func decode<Value>(
        _ type: ExplicitNull<Value>.Type, forKey key: Key
    ) throws -> ExplicitNull<Value> {
        try decodeIfPresent(type, forKey: key) ?? ExplicitNull(wrappedValue: nil)
    }
}
