import CCurl
import Foundation

/// One HTTP exchange as it happened on the wire: the request we sent and the response bytes
/// as received (status line, headers, body; never content-decoded). libcurl always removes
/// chunked framing, so the head's framing headers are rewritten to describe the stored body
/// (see `HTTPFetcher.storedHead`).
public struct HTTPExchange: Sendable {
    public var url: String
    /// The request head we sent (request line + headers + blank line), for the WARC request record.
    public var requestHead: [UInt8]
    /// Response head (status line + headers + blank line) as received, framing headers aside.
    public var responseHead: [UInt8]
    public var body: [UInt8]
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var remoteIP: String?
    public var duration: Double

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

/// A transfer that did not produce a complete response.
public struct FetchError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Worth retrying: timeouts, resets, truncated bodies (curl 18), low-speed aborts.
        case transient
        /// Not worth retrying this run: bad URL, body over the size limit.
        case permanent
    }
    public var url: String
    public var kind: Kind
    public var curlCode: Int
    public var detail: String
    public var description: String { "\(url): \(detail) (curl \(curlCode))" }
}

/// HTTP/1.1 over libcurl with the controls a polite archiving crawler needs: one easy handle per
/// host (keep-alive), no redirect following and no content decoding in curl, raw headers kept,
/// connect/total timeouts, a low-speed abort and a body size cap. Not thread-safe: one per worker.
public final class HTTPFetcher {
    public struct Settings: Sendable {
        public var userAgent: String
        public var connectTimeout: Double = 10
        public var totalTimeout: Double = 60
        /// Abort when slower than `lowSpeedBytes` per second for `lowSpeedSeconds`.
        public var lowSpeedBytes = 100
        public var lowSpeedSeconds = 20
        public var maxBodyBytes = 16 << 20
        public init(userAgent: String) { self.userAgent = userAgent }
    }

    public let settings: Settings
    private var handles: [String: UnsafeMutableRawPointer] = [:]

    private static let globalInit: Bool = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK }()

    public init(settings: Settings) {
        self.settings = settings
        _ = HTTPFetcher.globalInit
    }

    deinit {
        for handle in handles.values { curl_easy_cleanup(handle) }
    }

    /// GETs `url` with `extraHeaders` (e.g. conditional ones), taking at most `timeout` seconds
    /// (and never more than the settings allow). Throws `FetchError` when no complete response
    /// arrived; any complete response (including 4xx/5xx) is returned.
    public func get(_ url: String, extraHeaders: [(String, String)] = [], timeout: Double = .infinity) throws -> HTTPExchange {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw FetchError(url: url, kind: .permanent, curlCode: 3, detail: "not an absolute URL")
        }
        let hostHeader = components.port.map { "\(host):\($0)" } ?? host
        let handleKey = "\(components.scheme ?? "http")://\(hostHeader)"
        let handle: UnsafeMutableRawPointer
        if let h = handles[handleKey] {
            handle = h
            curl_easy_reset(handle)
        } else {
            guard let h = curl_easy_init() else { throw FetchError(url: url, kind: .transient, curlCode: 2, detail: "curl_easy_init failed") }
            handles[handleKey] = h
            handle = h
        }
        let target = SiteScope.pathAndQuery(url)
        var requestHeaders: [(String, String)] = [
            ("Host", hostHeader), ("User-Agent", settings.userAgent), ("Accept", "*/*"),
            ("Accept-Encoding", "identity"),
        ]
        requestHeaders += extraHeaders
        var requestHead = "GET \(target) HTTP/1.1\r\n"
        for (n, v) in requestHeaders { requestHead += "\(n): \(v)\r\n" }
        requestHead += "\r\n"

        var list: UnsafeMutablePointer<curl_slist>?
        for (n, v) in requestHeaders where n != "User-Agent" { list = curl_slist_append(list, "\(n): \(v)") }
        defer { curl_slist_free_all(list) }

        let sink = ResponseSink(maxBodyBytes: settings.maxBodyBytes)
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }

        _ = kl_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = kl_curl_setopt_string(handle, CURLOPT_USERAGENT, settings.userAgent)
        _ = kl_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        _ = kl_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = kl_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = kl_curl_setopt_long(handle, CURLOPT_HTTP_CONTENT_DECODING, 0)
        _ = kl_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        // Whole milliseconds rounded up (a cut never comes before `timeout`), at least 1: curl reads 0 as "none".
        let total = max(1, Int((min(settings.totalTimeout, timeout) * 1000).rounded(.up)))
        _ = kl_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(Int(settings.connectTimeout * 1000), total))
        _ = kl_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, total)
        _ = kl_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, settings.lowSpeedBytes)
        _ = kl_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, settings.lowSpeedSeconds)
        _ = kl_curl_setopt_long(handle, CURLOPT_MAXFILESIZE, settings.maxBodyBytes)
        _ = kl_curl_setopt_long(handle, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTP | CURLPROTO_HTTPS))
        _ = kl_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION, responseBodyCallback)
        _ = kl_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque())
        _ = kl_curl_setopt_write(handle, CURLOPT_HEADERFUNCTION, responseHeaderCallback)
        _ = kl_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context.toOpaque())

        let started = Date()
        let code = curl_easy_perform(handle)
        let duration = Date().timeIntervalSince(started)
        if code != CURLE_OK {
            let message = String(cString: curl_easy_strerror(code))
            let permanent = sink.overflow || code == CURLE_FILESIZE_EXCEEDED || code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL
            throw FetchError(url: url, kind: permanent ? .permanent : .transient, curlCode: Int(code.rawValue),
                             detail: sink.overflow ? "body larger than \(settings.maxBodyBytes) bytes" : message)
        }
        var status = 0
        _ = kl_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var ipPointer: UnsafeMutablePointer<CChar>?
        _ = kl_curl_getinfo_string(handle, CURLINFO_PRIMARY_IP, &ipPointer)
        let ip = ipPointer.map { String(cString: $0) }
        let head = HTTPFetcher.storedHead(sink.head, status: status, bodyLength: sink.body.count)
        let headText = String(decoding: head, as: UTF8.self)
        var headers: [(name: String, value: String)] = []
        for line in headText.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return HTTPExchange(url: url, requestHead: Array(requestHead.utf8), responseHead: head, body: sink.body,
                            status: status, headers: headers, remoteIP: ip?.isEmpty == false ? ip : nil, duration: duration)
    }
}

extension HTTPFetcher {
    /// The response head to store with `bodyLength` bytes of body. libcurl undoes chunked transfer
    /// coding whatever we ask (content coding we do turn off), so a stored `Transfer-Encoding:
    /// chunked` would describe framing the stored body no longer has, and readers (warcio, our
    /// extractor) would try to dechunk it. As Common Crawl's WARC writers (Nutch, StormCrawler)
    /// do when the transport decoding was undone, the original header is kept under a renamed
    /// name, `X-Crawler-Transfer-Encoding`, a `Content-Length` that does not match the stored
    /// body likewise becomes `X-Crawler-Content-Length`, and a `Content-Length` of the stored
    /// body is added. Every other byte of the head stays as received; bodiless answers (1xx,
    /// 204, 304, whose Content-Length describes another representation) are left alone.
    static func storedHead(_ head: [UInt8], status: Int, bodyLength: Int) -> [UInt8] {
        if status < 200 || status == 204 || status == 304 { return head }
        let crlf: [UInt8] = [13, 10]
        var lines = head.split(separator: 10, omittingEmptySubsequences: false).map { line in
            line.last == 13 ? Array(line.dropLast()) : Array(line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        func name(_ line: [UInt8]) -> String? {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            return String(decoding: line[..<colon], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        }
        func value(_ line: [UInt8]) -> String {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return "" }
            return String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
        var renamed = false, lengthMatches = false
        for i in lines.indices.dropFirst() {
            switch name(lines[i]) {
            case "transfer-encoding"?:
                lines[i] = Array("X-Crawler-".utf8) + lines[i]
                renamed = true
            case "content-length"?:
                if Int(value(lines[i])) == bodyLength {
                    lengthMatches = true
                } else {
                    lines[i] = Array("X-Crawler-".utf8) + lines[i]
                    renamed = true
                }
            default:
                break
            }
        }
        guard renamed else { return head }
        if !lengthMatches { lines.append(Array("Content-Length: \(bodyLength)".utf8)) }
        return lines.flatMap { $0 + crlf } + crlf
    }
}

/// Collects one response's raw head and body from curl's callbacks.
private final class ResponseSink {
    var head: [UInt8] = []
    var body: [UInt8] = []
    var overflow = false
    let maxBodyBytes: Int
    init(maxBodyBytes: Int) { self.maxBodyBytes = maxBodyBytes }
}

private func responseHeaderCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let n = size * count
    let bytes = UnsafeRawBufferPointer(start: data, count: n)
    // A new status line (after a 1xx interim response) starts the head over.
    if bytes.starts(with: Array("HTTP/".utf8)) { sink.head.removeAll(keepingCapacity: true) }
    sink.head.append(contentsOf: bytes)
    return n
}

private func responseBodyCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let n = size * count
    if sink.body.count + n > sink.maxBodyBytes {
        sink.overflow = true
        return 0
    }
    sink.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n))
    return n
}
