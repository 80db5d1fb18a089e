import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A request head as parsed by `LoopbackHTTPServer`.
struct HTTPRequestHead: Sendable {
    var method: String
    /// Path plus query, as sent.
    var target: String
    var version: String
    var headers: [(String, String)]

    func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    var path: String { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target }
}

/// What to answer, and how to misbehave while answering.
struct HTTPResponsePlan: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    /// Seconds to wait before sending anything (a slow server).
    var delay: Double = 0
    /// Send only this many body bytes (with the full Content-Length), then close the connection.
    var truncateBodyAt: Int?
    /// Send the body with chunked transfer coding instead of a Content-Length.
    var chunked = false
}

/// Minimal HTTP/1.1 server over POSIX sockets on 127.0.0.1: one thread accepts, one thread per
/// connection serves requests in order (keep-alive, pipelining, HEAD), `stop()` closes the
/// listener and every open connection and waits for the threads. It mirrors what a news site's
/// front end does on the wire, nothing more (no TLS, no request bodies beyond discarding them).
final class LoopbackHTTPServer: @unchecked Sendable {
    typealias Handler = @Sendable (HTTPRequestHead) -> HTTPResponsePlan
    /// Called once per request just before the response goes out: request, status, body bytes sent.
    typealias Logger = @Sendable (HTTPRequestHead, Int, Int, Date) -> Void

    private let handler: Handler
    private let logger: Logger
    private let lock = NSLock()
    private var listenFD: Int32 = -1
    private var connections: Set<Int32> = []
    private var running = false
    private let threads = DispatchGroup()
    private var boundPort: UInt16
    /// The port asked for until `start()` binds, then the port bound (an ephemeral one for 0).
    var port: UInt16 {
        lock.lock()
        defer { lock.unlock() }
        return boundPort
    }

    /// Idle keep-alive connections are closed after this many seconds.
    static let idleTimeoutSeconds = 15

    init(port: UInt16, handler: @escaping Handler, logger: @escaping Logger) {
        boundPort = port
        self.handler = handler
        self.logger = logger
    }

    func start() throws {
        lock.lock()
        defer { lock.unlock() }
        guard !running else { return }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ReplicaServerError.socket(operation: "socket", errno: errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = boundPort.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            throw ReplicaServerError.socket(operation: "bind 127.0.0.1:\(boundPort)", errno: code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        boundPort = UInt16(bigEndian: actual.sin_port)
        listenFD = fd
        running = true
        spawn { [self] in acceptLoop(fd) }
    }

    func stop() {
        lock.lock()
        guard running else { lock.unlock(); return }
        running = false
        // shutdown() wakes the threads blocked in accept() and recv(); each closes its own fd.
        shutdown(listenFD, Int32(SHUT_RDWR))
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
        lock.unlock()
        threads.wait()
    }

    private func spawn(_ body: @escaping @Sendable () -> Void) {
        threads.enter()
        let thread = Thread { [threads] in
            body()
            threads.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                break
            }
            lock.lock()
            guard running else { lock.unlock(); close(client); break }
            connections.insert(client)
            lock.unlock()
            var timeout = timeval(tv_sec: Self.idleTimeoutSeconds, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            spawn { [self] in
                serve(client)
                lock.lock()
                connections.remove(client)
                lock.unlock()
                close(client)
            }
        }
        close(fd)
    }

    /// Serves requests on one connection until the client closes, asks to close, or misbehaves.
    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            // Read until a complete head is buffered.
            var headEnd: Int?
            while true {
                headEnd = Self.findHeadEnd(buffer)
                if headEnd != nil { break }
                if buffer.count > 64 * 1024 { _ = send(fd, Self.simple(400, close: true)); return }
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return }
                buffer.append(contentsOf: chunk[0..<n])
            }
            guard let end = headEnd, let head = Self.parseHead(buffer[0..<end]) else {
                _ = send(fd, Self.simple(400, close: true))
                return
            }
            buffer.removeFirst(end + 4)
            // Discard a request body, if any (GET/HEAD normally have none).
            if let length = head.header("Content-Length").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), length > 0 {
                while buffer.count < length {
                    let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    if n <= 0 { return }
                    buffer.append(contentsOf: chunk[0..<n])
                }
                buffer.removeFirst(length)
            }
            let arrival = Date()
            let connectionHeader = head.header("Connection")?.lowercased() ?? ""
            var keepAlive = head.version == "HTTP/1.1" ? !connectionHeader.contains("close") : connectionHeader.contains("keep-alive")

            var plan: HTTPResponsePlan
            if head.method == "GET" || head.method == "HEAD" {
                plan = handler(head)
            } else {
                plan = HTTPResponsePlan(status: 405, headers: [("Allow", "GET, HEAD"), ("Content-Type", "text/plain; charset=utf-8")],
                                        body: Array("405 Method Not Allowed\n".utf8))
            }
            if plan.truncateBodyAt != nil { keepAlive = false }
            if plan.delay > 0 { Thread.sleep(forTimeInterval: plan.delay) }

            var head2 = "HTTP/1.1 \(plan.status) \(Self.reason(plan.status))\r\n"
            head2 += "Date: \(CivilTime.now.httpDate)\r\nServer: ko-llama-replica\r\n"
            for (name, value) in plan.headers { head2 += "\(name): \(value)\r\n" }
            // 304 carries no body and no Content-Length of its own body (RFC 9110 8.6).
            let chunked = plan.chunked && plan.status != 304
            if chunked {
                head2 += "Transfer-Encoding: chunked\r\n"
            } else if plan.status != 304 {
                head2 += "Content-Length: \(plan.body.count)\r\n"
            }
            head2 += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
            var bytes = Array(head2.utf8)
            var sentBody = 0
            if head.method != "HEAD" && plan.status != 304 {
                sentBody = min(plan.truncateBodyAt ?? plan.body.count, plan.body.count)
                bytes += chunked ? Self.chunks(plan.body[0..<sentBody]) : Array(plan.body[0..<sentBody])
            }
            // Logged before the bytes go out, so a client that has its answer always finds it in the log.
            logger(head, plan.status, sentBody, arrival)
            if !send(fd, bytes) || !keepAlive { return }
        }
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// `body` in chunked transfer coding (chunks of up to 4 KiB, then the last, empty chunk).
    private static func chunks(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var start = body.startIndex
        while start < body.endIndex {
            let end = min(start + 4096, body.endIndex)
            out += Array("\(String(end - start, radix: 16))\r\n".utf8) + body[start..<end] + [13, 10]
            start = end
        }
        return out + Array("0\r\n\r\n".utf8)
    }

    private static func findHeadEnd(_ buffer: [UInt8]) -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    private static func parseHead(_ bytes: ArraySlice<UInt8>) -> HTTPRequestHead? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        var lines = text.components(separatedBy: "\r\n")
        let parts = lines.removeFirst().split(separator: " ")
        guard parts.count == 3, parts[1].hasPrefix("/"), parts[2].hasPrefix("HTTP/1.") else { return nil }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return HTTPRequestHead(method: String(parts[0]), target: String(parts[1]), version: String(parts[2]), headers: headers)
    }

    private static func simple(_ status: Int, close: Bool) -> [UInt8] {
        let body = "\(status) \(reason(status))\n"
        return Array("HTTP/1.1 \(status) \(reason(status))\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 301: return "Moved Permanently"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 410: return "Gone"
        case 429: return "Too Many Requests"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}

/// Errors starting the replica server.
public enum ReplicaServerError: Error, Sendable, CustomStringConvertible {
    case socket(operation: String, errno: Int32)

    public var description: String {
        switch self {
        case let .socket(operation, code): return "replica server: \(operation) failed: \(String(cString: strerror(code)))"
        }
    }
}
