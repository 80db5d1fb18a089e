/// Decodes one object of `pipeline.json` the way `CleaningPolicy` reads its file: keys left out
/// keep their defaults, and a key the object does not define is an error that names it with its
/// full path (`crawl.maxPage`), so a typo never silently falls back to a default.
struct ConfigSectionDecoder<Key: CodingKey & CaseIterable> {
    private let container: KeyedDecodingContainer<Key>

    init(_ decoder: Decoder, keys: Key.Type) throws {
        let present = try decoder.container(keyedBy: AnyConfigKey.self).allKeys.map(\.stringValue)
        let known = Set(Key.allCases.map(\.stringValue))
        if let unknown = present.filter({ !known.contains($0) }).sorted().first {
            let path = (decoder.codingPath.map(\.stringValue) + [unknown]).joined(separator: ".")
            throw PipelineConfigError.unknownKey(path: "", key: path, known: Key.allCases.map(\.stringValue))
        }
        container = try decoder.container(keyedBy: Key.self)
    }

    /// Replaces `value` with the file's, when the key is present.
    func take<T: Decodable>(_ key: Key, _ value: inout T) throws {
        if let v = try container.decodeIfPresent(T.self, forKey: key) { value = v }
    }
}

/// Any key of a JSON object, to list the keys a file holds.
private struct AnyConfigKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
