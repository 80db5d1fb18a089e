import Foundation

/// A JSON manifest that carries its format version (`clean/manifest.json`, pipeline stage
/// manifests): decoded with one rule, so an unreadable file or another version is always a
/// `CorpusError.invalidManifest` naming the path.
public protocol VersionedManifest: Decodable {
    static var currentFormat: Int { get }
    var format: Int { get }
}

extension VersionedManifest {
    /// Reads and decodes `path`, rejecting a format other than `currentFormat`.
    public static func decodeManifest(path: String) throws -> Self {
        let bytes = try FileSystem.readAll(path)
        let m: Self
        do {
            m = try JSONDecoder().decode(Self.self, from: Data(bytes))
        } catch {
            throw CorpusError.invalidManifest(path: path, detail: "\(error)")
        }
        guard m.format == currentFormat else {
            throw CorpusError.invalidManifest(path: path, detail: "format \(m.format), expected \(currentFormat)")
        }
        return m
    }
}
