import Corpus
@testable import Crawling
import Foundation
import Glibc
import Replica
import TestSupport
import XCTest

/// The `ko-llama crawl` executable as a cron job sees it: exit codes, the lock, and a run
/// killed with SIGKILL mid-crawl that the next run resumes without duplicates.
final class CrawlCommandTests: XCTestCase {
    private func startServer(_ site: ReplicaSite) throws -> ReplicaServer {
        let server = try ReplicaServer(site: site, options: ReplicaCrawlTests.replicaOptions)
        try server.start()
        addTeardownBlock { server.stop() }
        return server
    }

    /// Starts `ko-llama crawl`; with `directory` it runs there and finds the site definitions by itself.
    private func launch(_ site: String, origin: String, corpus: String, delay: String = "0.001", from directory: String? = nil,
                        extra: [String] = []) throws -> Process {
        try MissingExecutable.check()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: koLlamaExecutable)
        p.arguments = ["crawl", "--site", site, "--corpus", corpus, "--origin", origin, "--delay", delay, "--backoff", "0.05", "--quiet"] + extra
        if let directory {
            p.currentDirectoryURL = URL(fileURLWithPath: directory)
        } else {
            p.arguments! += ["--crawlers-dir", repositoryRoot + "/crawlers"]
        }
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    private func exitCode(_ site: String = "people-ko", origin: String, corpus: String) throws -> Int32 {
        let p = try launch(site, origin: origin, corpus: corpus)
        p.waitUntilExit()
        return p.terminationStatus
    }

    private func exitCode(_ server: ReplicaServer, corpus: String) throws -> Int32 {
        try exitCode(server.site.rawValue, origin: server.origin, corpus: corpus)
    }

    func testExitCodesNewNothingNewAndLocked() throws {
        let server = try startServer(.people)
        let dir = try TemporaryDirectory("crawl-cli")
        XCTAssertEqual(try exitCode(server, corpus: dir.path), 0, "new pages archived")
        XCTAssertEqual(try exitCode(server, corpus: dir.path), 3, "nothing new")
        // The same site served from another port (URLs are kept canonical): still nothing new.
        let moved = try startServer(.people)
        XCTAssertNotEqual(moved.port, server.port)
        XCTAssertEqual(try exitCode(moved, corpus: dir.path), 3, "a mirror on a new port is the same site")
        let held = try XCTUnwrap(try CrawlLock(path: dir.path + "/crawl.lock"))
        XCTAssertEqual(try exitCode(server, corpus: dir.path), 4, "another run holds the lock")
        withExtendedLifetime(held) {}
    }

    func testARunThatReachesNothingExitsOneNotNothingNew() throws {
        // A port nobody listens on: robots.txt cannot be fetched, the host is paused.
        let unreachable = try TemporaryDirectory("crawl-cli-unreachable")
        XCTAssertEqual(try exitCode(origin: "http://127.0.0.1:1", corpus: unreachable.path), 1, "unreachable origin")
        // robots.txt answering 503: the host is paused before any page is asked for.
        let stub = try StubServer(["/robots.txt": [StubServer.status(503)]])
        let unavailable = try TemporaryDirectory("crawl-cli-robots-503")
        XCTAssertEqual(try exitCode(origin: stub.origin, corpus: unavailable.path), 1, "robots.txt 503")
        XCTAssertEqual(stub.targets, ["/robots.txt"])
    }

    /// Runs `ko-llama crawl` on a pseudo-terminal, as at a person's terminal (through util-linux
    /// `script`), and returns the lines printed there, live progress redraws included.
    private func terminalLines(_ server: ReplicaServer, corpus: String, _ extra: [String]) throws -> [String] {
        try MissingExecutable.check()
        let command = [koLlamaExecutable, "crawl", "--site", server.site.rawValue, "--corpus", corpus, "--origin", server.origin,
                       "--delay", "0.001", "--crawlers-dir", repositoryRoot + "/crawlers"] + extra
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["--quiet", "--return", "--command", command.map { "'\($0)'" }.joined(separator: " "), "/dev/null"]
        let output = Pipe()
        p.standardOutput = output
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        return text.split(separator: "\n").map { $0.trimmingCharacters(in: .newlines) }
    }

    func testQuietPrintsExactlyOneSummaryLineEvenOnATerminal() throws {
        let server = try startServer(.people)
        let quietDir = try TemporaryDirectory("crawl-quiet")
        let quiet = try terminalLines(server, corpus: quietDir.path, ["--quiet", "--max-pages", "4"])
        XCTAssertEqual(quiet.count, 1, "\(quiet)")
        XCTAssertTrue(quiet.first?.hasPrefix("crawl people-ko: 4 requests, ") == true, "\(quiet)")
        // Without --quiet the same terminal gets the live progress line first.
        let liveDir = try TemporaryDirectory("crawl-live")
        let live = try terminalLines(server, corpus: liveDir.path, ["--max-pages", "4"])
        XCTAssertTrue(live.first?.contains("\u{1B}[K") == true, "\(live)")
        XCTAssertEqual(live.last?.components(separatedBy: "\u{1B}[K").last?.hasPrefix("crawl people-ko: 4 requests, "), true, "\(live)")
    }

    func testSiteNamesResolveFromAnotherDirectory() throws {
        let server = try startServer(.people)
        let elsewhere = try TemporaryDirectory("crawl-cwd")
        let p = try launch("people-ko", origin: server.origin, corpus: elsewhere.file("corpus"), from: elsewhere.path,
                           extra: ["--max-pages", "2"])
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "crawlers/people-ko.json found without --crawlers-dir")
    }

    func testKilledRunResumesWithoutDuplicates() throws {
        let server = try startServer(.xinhua)
        let dir = try TemporaryDirectory("crawl-kill")
        let p = try launch(server.site.rawValue, origin: server.origin, corpus: dir.path, delay: "0.03")
        // Let it archive part of the site, then kill it without warning.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && server.requestLog.count < 25 { Thread.sleep(forTimeInterval: 0.02) }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        XCTAssertFalse(try FileSystem.files(under: dir.path + "/raw", suffixes: [".open"]).isEmpty, "killed with its WARC file open")

        var options = CrawlOptions(corpus: dir.path)
        options.originOverride = server.origin
        options.delay = 0.001
        options.backoff = 0.05
        let site = try SiteDefinition.load("xinhua-ko", crawlersDirectory: repositoryRoot + "/crawlers")
        let resumed = try Crawler(site: site, options: options).run()
        XCTAssertGreaterThan(resumed.archivedArticles, 0)

        XCTAssertTrue(try FileSystem.files(under: dir.path + "/raw", suffixes: [".open"]).isEmpty)
        let responses = try ReplicaCrawlTests.archivedResponses(dir.path)
        let articles = ReplicaCrawlTests.articlePaths(responses)
        XCTAssertEqual(articles, server.catalog.expectedArchivedPaths.sorted(), "every article once, none twice")
        let uris = responses.compactMap(\.targetURI)
        XCTAssertEqual(Set(uris).count, uris.count, "no response archived twice")
    }
}
