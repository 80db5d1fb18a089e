import Foundation
import Replica
import TestSupport
import XCTest

/// HTTP/1.1 behaviour of the replica server: keep-alive, HEAD, validators and 304s, the
/// request log, clean stop.
final class ReplicaHTTPTests: ReplicaTestCase {
    func testKeepAliveHeadAndConditionalRequests() throws {
        let server = try startServer(.people)
        let client = RawHTTPClient(port: server.port)
        let path = server.catalog.articles[0].path
        let full = try client.request("GET", path)
        XCTAssertEqual(full.status, 200)
        XCTAssertTrue(client.isConnected, "keep-alive")
        let etag = try XCTUnwrap(full.header("ETag"))
        XCTAssertTrue(etag.hasPrefix("\"") && !etag.hasPrefix("W/"), "strong ETag")
        let lastModified = try XCTUnwrap(full.header("Last-Modified"))
        XCTAssertTrue(lastModified.hasSuffix(" GMT"))
        XCTAssertNotNil(full.header("Date"))
        XCTAssertEqual(Int(full.header("Content-Length")!), full.body.count)

        let head = try client.request("HEAD", path)
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(head.body.isEmpty)
        XCTAssertEqual(head.header("Content-Length"), full.header("Content-Length"))
        XCTAssertEqual(head.header("ETag"), etag)

        let byTag = try client.request("GET", path, headers: [("If-None-Match", etag)])
        XCTAssertEqual(byTag.status, 304)
        XCTAssertTrue(byTag.body.isEmpty)
        XCTAssertEqual(byTag.header("ETag"), etag)
        XCTAssertEqual(try client.request("GET", path, headers: [("If-Modified-Since", lastModified)]).status, 304)
        XCTAssertEqual(try client.request("GET", path, headers: [("If-None-Match", "\"other\"")]).status, 200)
        XCTAssertEqual(try client.request("GET", path, headers: [("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")]).status, 200)
        XCTAssertEqual(try client.request("GET", "/", headers: [("If-None-Match", try client.request("GET", "/").header("ETag")!)]).status, 304)
        XCTAssertTrue(client.isConnected, "one connection served every request")

        // A list page changes (and with it its ETag) when articles are published.
        let listTag = try client.request("GET", "/").header("ETag")!
        server.publish(count: 1)
        XCTAssertEqual(try client.request("GET", "/", headers: [("If-None-Match", listTag)]).status, 200)
    }

    func testValidatorsSurviveARestartOnAnotherPort() throws {
        let first = try startServer(.xinhua)
        let paths = ["/", "/robots.txt", "/sitemap.xml", "/politics/index.html", first.catalog.articles[0].path,
                     try XCTUnwrap(first.catalog.page(.cp949)).path]
        let tags = try paths.map { try XCTUnwrap(RawHTTPClient(port: first.port).request("GET", $0).header("ETag")) }
        let second = try startServer(.xinhua) // while the first still runs, so on another port
        XCTAssertNotEqual(first.port, second.port)
        let client = RawHTTPClient(port: second.port)
        for (path, tag) in zip(paths, tags) {
            XCTAssertEqual(try client.request("GET", path, headers: [("If-None-Match", tag)]).status, 304, path)
        }
    }

    func testPipelinedAndConcurrentClients() throws {
        let server = try startServer(.xinhua)
        let paths = server.catalog.articles.prefix(4).map(\.path)
        let responses = try RawHTTPClient(port: server.port).pipeline(["/robots.txt"] + paths)
        XCTAssertEqual(responses.map(\.status), Array(repeating: 200, count: 5))
        XCTAssertTrue(responses[0].text.hasPrefix("# robots.txt"))
        for (response, path) in zip(responses.dropFirst(), paths) {
            XCTAssertTrue(response.text.contains("<link rel=\"canonical\" href=\"\(server.origin)\(path)\">"), path)
        }

        // One thread per connection: clients held open at once are all served.
        let clients = (0..<8).map { _ in RawHTTPClient(port: server.port) }
        for client in clients { XCTAssertEqual(try client.request("HEAD", "/").status, 200) }
        let statuses = StatusList()
        DispatchQueue.concurrentPerform(iterations: clients.count) { i in
            statuses.append((try? clients[i].request("GET", paths[i % paths.count]).status) ?? 0)
        }
        XCTAssertEqual(statuses.values, Array(repeating: 200, count: clients.count))
    }

    func testRequestLogRecordsEveryRequest() throws {
        let server = try startServer(.xinhua)
        let client = RawHTTPClient(port: server.port)
        _ = try client.request("GET", "/robots.txt")
        _ = try client.request("HEAD", "/")
        _ = try client.request("GET", "/no/such/page.html")
        _ = try client.request("POST", "/")
        let log = server.requestLog
        XCTAssertEqual(log.map(\.method), ["GET", "HEAD", "GET", "POST"])
        XCTAssertEqual(log.map(\.target), ["/robots.txt", "/", "/no/such/page.html", "/"])
        XCTAssertEqual(log.map(\.status), [200, 200, 404, 405])
        XCTAssertGreaterThan(log[0].bodyBytesSent, 0)
        XCTAssertEqual(log[1].bodyBytesSent, 0)
        XCTAssertEqual(log[0].header("User-Agent"), "ko-llama-tests")
        XCTAssertTrue(log.allSatisfy { abs($0.time.timeIntervalSinceNow) < 60 })
        server.clearRequestLog()
        XCTAssertTrue(server.requestLog.isEmpty)
    }

    func testStopClosesOpenConnectionsAndFreesThePort() throws {
        let server = try startServer(.people)
        let client = RawHTTPClient(port: server.port)
        XCTAssertEqual(try client.request("GET", "/").status, 200)
        XCTAssertTrue(client.isConnected)
        server.stop()
        XCTAssertThrowsError(try client.request("GET", "/"), "the kept-alive connection was closed")
        let again = try ReplicaServer(site: .people, port: server.port, options: ReplicaOptions(corpusFile: Self.corpusFile))
        try again.start()
        XCTAssertEqual(again.port, server.port)
        XCTAssertEqual(try RawHTTPClient(port: again.port).request("GET", "/robots.txt").status, 200)
        again.stop()
    }
}

/// Statuses collected from concurrent clients.
private final class StatusList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Int] = []
    func append(_ status: Int) { lock.lock(); list.append(status); lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return list }
}
