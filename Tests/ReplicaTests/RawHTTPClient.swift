import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A deliberately small HTTP/1.1 client over a raw socket, so the replica's wire behaviour
/// (keep-alive, HEAD, 304, truncation, exact bytes) is checked without libcurl or URLSession.
/// One instance is used by one thread at a time.
final class RawHTTPClient: @unchecked Sendable {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        /// The connection closed before Content-Length bytes arrived.
        var truncated: Bool
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    private let port: UInt16
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    init(port: UInt16) { self.port = port }
    deinit { disconnect() }

    /// True while the previous response left the connection open.
    var isConnected: Bool { fd >= 0 }

    private func connectIfNeeded() throws {
        if fd >= 0 { return }
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { disconnect(); throw Failure(description: "connect to port \(port) failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        buffer = []
    }

    func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    /// Sends one request on the (possibly reused) connection and reads the response.
    func request(_ method: String = "GET", _ target: String, headers: [(String, String)] = []) throws -> Response {
        try connectIfNeeded()
        try send(Self.head(method, target, headers, port: port))
        return try readResponse(method: method)
    }

    /// Sends several GET requests in one write (HTTP/1.1 pipelining), then reads the responses in order.
    func pipeline(_ targets: [String]) throws -> [Response] {
        try connectIfNeeded()
        try send(targets.map { Self.head("GET", $0, [], port: port) }.joined())
        return try targets.map { _ in try readResponse(method: "GET") }
    }

    private static func head(_ method: String, _ target: String, _ headers: [(String, String)], port: UInt16) -> String {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUser-Agent: ko-llama-tests\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        return head + "\r\n"
    }

    private func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { disconnect(); throw Failure(description: "send failed") }
    }

    private func readResponse(method: String) throws -> Response {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = findHeadEnd()
            if headEnd == nil, !readMore() { disconnect(); throw Failure(description: "connection closed before the response head") }
        }
        let headText = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure(description: "bad status line \(headText)") }
        let responseHeaders = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = Response(status: status, headers: responseHeaders, body: [], truncated: false)
        if method != "HEAD", status != 304, response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.body = try readChunks()
            return response
        }
        let length = method == "HEAD" || status == 304 ? 0 : Int(response.header("Content-Length") ?? "0") ?? 0
        while buffer.count < length {
            if !readMore() { response.truncated = true; break }
        }
        let take = min(length, buffer.count)
        response.body = Array(buffer[0..<take])
        buffer.removeFirst(take)
        if response.truncated || response.header("Connection")?.lowercased() == "close" { disconnect() }
        return response
    }

    /// A chunked body, framing removed (chunk extensions and trailers are not expected).
    private func readChunks() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine()
            guard let size = Int(String(decoding: line, as: UTF8.self), radix: 16) else {
                disconnect()
                throw Failure(description: "bad chunk size line \(String(decoding: line, as: UTF8.self))")
            }
            if size == 0 {
                _ = try readLine()
                return body
            }
            while buffer.count < size + 2 {
                if !readMore() { disconnect(); throw Failure(description: "connection closed inside a chunk") }
            }
            body += buffer[0..<size]
            buffer.removeFirst(size + 2)
        }
    }

    private func readLine() throws -> [UInt8] {
        while true {
            if let lf = buffer.firstIndex(of: 10), lf > 0, buffer[lf - 1] == 13 {
                let line = Array(buffer[0..<(lf - 1)])
                buffer.removeFirst(lf + 1)
                return line
            }
            if !readMore() { disconnect(); throw Failure(description: "connection closed inside chunk framing") }
        }
    }

    private func readMore() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }
}
