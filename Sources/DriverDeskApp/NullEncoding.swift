/// Views print every key, `null` included (`"driver": null`), so scripts can rely on a key being there.
/// Synthesised `Encodable` conformances in this module call this instead of skipping nil values.
extension KeyedEncodingContainer {
    public mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}
