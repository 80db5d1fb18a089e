import Foundation
import TestSupport
import XCTest

/// `ko-llama replica serve` as a user runs it: prints its origin, serves, stops on SIGTERM.
final class ReplicaCommandTests: ReplicaTestCase {
    func testServePrintsTheOriginServesAndStopsOnSIGTERM() throws {
        try MissingExecutable.check()
        // `<site>` is a name or the path of a site definition.
        for site in ["people-ko", repositoryRoot + "/crawlers/people-ko.json"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: koLlamaExecutable)
            process.arguments = ["replica", "serve", "--site", site, "--port", "0", "--articles", "25",
                                 "--crawl-delay", "0.5", "--corpus-file", Self.corpusFile]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            defer { if process.isRunning { process.terminate() } }

            let reader = output.fileHandleForReading
            var banner = ""
            while !banner.contains("\n") {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                banner += String(decoding: chunk, as: UTF8.self)
            }
            XCTAssertTrue(banner.hasPrefix("replica people-ko: 25 of 200 articles at http://127.0.0.1:"), "\(site): \(banner)")
            let origin = try XCTUnwrap(banner.split(separator: " ").first { $0.hasPrefix("http://") }.map(String.init))
            let port = try XCTUnwrap(UInt16(origin.split(separator: ":").last!))
            let robots = try RawHTTPClient(port: port).request("GET", "/robots.txt")
            XCTAssertEqual(robots.status, 200)
            XCTAssertTrue(robots.text.contains("Crawl-delay: 0.5\n"))

            process.terminate() // SIGTERM
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0)
            let rest = String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertTrue(rest.contains("stopped after 1 requests"), rest)
        }
    }

    func testUnknownSiteAndMissingCorpusFail() throws {
        for (arguments, message) in [(["--site", "nowhere"], "--site must be one of"),
                                     (["--site", "/nonexistent/site.json"], "/nonexistent/site.json: no such site definition"),
                                     (["--site", "xinhua-ko", "--corpus-file", "/nonexistent/a.jsonl.gz"], "replica corpus not found")] {
            let run = try KoLlamaExecutable.run(["replica", "serve"] + arguments)
            XCTAssertNotEqual(run.status, 0)
            XCTAssertTrue(run.stderr.contains(message), run.stderr)
        }
    }
}
