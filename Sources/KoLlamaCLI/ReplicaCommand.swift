import ArgumentParser
import Corpus
import Dispatch
import Foundation
import Replica

/// `ko-llama replica`: the local stand-ins for the news sites that tests and the demo crawl.
struct ReplicaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replica",
        abstract: "Local replicas of the crawled news sites, served on 127.0.0.1.",
        subcommands: [Serve.self]
    )

    /// `ko-llama replica serve --site <site> --port <port>`: serves one site until SIGINT/SIGTERM.
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve one replica site on 127.0.0.1 until interrupted.",
            discussion: "Failure modes (redirects, 404/410, 429/503 once, a slow, a truncated and a chunked page, CP949, opt-out headers) are on unless --no-failure-modes."
        )

        @Option(help: "Site to serve: \(ReplicaSite.allCases.map(\.rawValue).joined(separator: " or ")), or the path of its definition.")
        var site: String

        @Option(help: "Port on 127.0.0.1 (0 picks a free one).")
        var port: UInt16 = 0

        @Option(help: "Articles published at start.")
        var articles = 40

        @Option(help: "Publish one more article every this many seconds (0: never).")
        var publishEvery = 0.0

        @Option(help: "Crawl-delay announced in robots.txt, in seconds.")
        var crawlDelay = 1.0

        @Option(help: "Seconds the slow page stalls.")
        var slowSeconds = 2.0

        @Flag(help: "Serve every page plainly (no failure modes).")
        var noFailureModes = false

        @Option(help: "The replica's article texts (default: crawlers/replica/articles.jsonl.gz under ./crawlers, else the source checkout's).")
        var corpusFile = ReplicaCorpus.defaultPath

        /// The site `--site` names: a replica site's name, or the path of a site definition whose
        /// `name` is one (as `<site>` reads everywhere, see ARCHITECTURE.md).
        private func replicaSite() throws -> ReplicaSite {
            let isPath = site.hasSuffix(".json") || site.contains("/")
            let name = isPath ? try SiteDefinition.load(site).name : site
            guard let replica = ReplicaSite(rawValue: name) else {
                throw ValidationError("--site must be one of \(ReplicaSite.allCases.map(\.rawValue).joined(separator: ", ")) (or the path of their definition)")
            }
            return replica
        }

        func validate() throws {
            do {
                _ = try replicaSite()
            } catch let error as SiteDefinitionError {
                throw ValidationError("--site: \(error)")
            }
            guard articles >= 0, crawlDelay >= 0, slowSeconds >= 0, publishEvery >= 0 else {
                throw ValidationError("--articles, --crawl-delay, --slow-seconds and --publish-every must not be negative")
            }
        }

        func run() throws {
            let options = ReplicaOptions(initialArticles: articles, crawlDelay: crawlDelay, slowResponseSeconds: slowSeconds,
                                         failureModes: !noFailureModes, corpusFile: corpusFile)
            // Signals are caught before the banner, so a script may stop us as soon as it reads it.
            let stopped = DispatchSemaphore(value: 0)
            var sources: [DispatchSourceSignal] = []
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { stopped.signal() }
                source.resume()
                sources.append(source)
            }
            let replica = try replicaSite()
            let server = try ReplicaServer(site: replica, port: port, options: options)
            try server.start()
            // Written unbuffered so a script reading our output sees the origin at once.
            let banner = "replica \(replica.rawValue): \(server.catalog.articles.count) of \(server.availableArticles) articles at \(server.origin) (Ctrl-C stops)\n"
            FileHandle.standardOutput.write(Data(banner.utf8))

            let publisher = publishEvery > 0 ? DispatchSource.makeTimerSource(queue: .global()) : nil
            if let publisher {
                publisher.schedule(deadline: .now() + publishEvery, repeating: publishEvery)
                publisher.setEventHandler { server.publish(count: 1) }
                publisher.resume()
            }
            withExtendedLifetime(sources) { stopped.wait() }
            publisher?.cancel()
            server.stop()
            let log = server.requestLog
            print("replica \(replica.rawValue): stopped after \(log.count) requests, \(server.catalog.articles.count) articles published")
        }
    }
}
