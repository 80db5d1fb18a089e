import Foundation

/// One request the replica received, with what it answered (for tests that check politeness).
public struct ReplicaRequest: Sendable {
    public var method: String
    /// Path plus query, as sent in the request line.
    public var target: String
    /// Header fields in the order received.
    public var headers: [(String, String)]
    public var status: Int
    public var bodyBytesSent: Int
    /// When the request arrived.
    public var time: Date

    /// The first value of a header field (case-insensitive name).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}
