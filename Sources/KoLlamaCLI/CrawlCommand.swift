import ArgumentParser
import Corpus
import Crawling
import Foundation

/// `ko-llama crawl`: one polite, incremental crawl of one site into a corpus folder.
struct CrawlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crawl",
        abstract: "Crawl one site politely and incrementally into <corpus>/raw/*.warc.gz.",
        discussion: """
            Fetches robots.txt, then the site's lists and sitemaps (conditionally, every run), then \
            article pages not archived yet. New or changed 200 responses are written as WARC 1.1 \
            request/response pairs; state lives in <corpus>/crawl.sqlite. A run stopped by \
            --max-pages/--max-duration (or killed) resumes where it left off.

            URLs in state and in WARC-Target-URI stay on the site's own origin; with --origin, the \
            mirror URL a response came from is in KoLlama-Fetched-From. \

            WARC extra headers: KoLlama-Page-Kind (list, article, sitemap), KoLlama-Article-Template, \
            KoLlama-Robots-Rule (the robots.txt rule that decided the URL) and one KoLlama-Opt-Out per \
            signal found (x-robots-tag, tdm-reservation, tdm-policy headers; meta robots, \
            tdm-reservation, tdm-policy; rights notice matched by the site's rights.noticePatterns).

            Exit codes: 0 new pages archived; 3 the site answered and had nothing new; 1 failed: \
            nothing archived and the host was paused (robots.txt unreachable or answering 429/5xx, \
            a Retry-After over the site's limit), URLs were left failed after their retries, the run \
            was cut short by --max-duration or --max-pages before any page was answered, or the run \
            could not start; 4 another run holds <corpus>/crawl.lock (exited cleanly); \
            64 usage error.
            """
    )

    @Option(help: "A site name in the crawlers folder (xinhua-ko, people-ko) or a path to a site definition.")
    var site: String

    @Option(help: "The corpus folder (raw/, crawl.sqlite, crawl.lock).")
    var corpus: String

    @Option(help: "Replace the site's scheme, host and port (a mirror, or the local replica).")
    var origin: String?

    @Option(help: "Stop after this many page requests; the next run resumes.")
    var maxPages: Int?

    @Option(help: "End the run after this many seconds (waits and requests that would pass it are not made, or cut); the next run resumes.")
    var maxDuration: Double?

    @Option(help: "Seconds between requests to the host, replacing the site's (robots.txt Crawl-delay still wins when larger).")
    var delay: Double?

    @Option(help: "First retry backoff in seconds, replacing the site's (doubles per retry).")
    var backoff: Double?

    @Option(help: "Product token and version sent as the User-Agent (the token selects the robots.txt group).")
    var userAgent = "ko-llama/0.1"

    @Option(help: "How site operators reach you (URL or e-mail); sent in the User-Agent.")
    var contact = "https://github.com/ko-llama/ko-llama"

    @Option(help: "Folder of site definitions (default: ./crawlers, else the source checkout's).")
    var crawlersDir = SiteDefinition.defaultCrawlersDirectory

    @Option(help: "Rotate WARC files at this many megabytes.")
    var warcMegabytes = 100

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let maxPages, maxPages < 1 { throw ValidationError("--max-pages must be at least 1") }
        if let delay, delay < 0 { throw ValidationError("--delay must not be negative") }
        if warcMegabytes < 1 { throw ValidationError("--warc-megabytes must be at least 1") }
    }

    func run() throws {
        do {
            let definition = try SiteDefinition.load(site, crawlersDirectory: crawlersDir)
            var options = CrawlOptions(corpus: corpus)
            options.originOverride = origin
            options.maxPages = maxPages
            options.maxDuration = maxDuration
            options.delay = delay
            options.backoff = backoff
            options.userAgent = userAgent
            options.contact = contact
            options.warcMaxBytes = warcMegabytes * 1_000_000
            options.quiet = output.quiet
            switch try Crawler(site: definition, options: options).run().outcome {
            case .newPages: return
            case .nothingNew: throw ExitCode(3)
            case .failed: throw ExitCode.failure
            }
        } catch let error as CrawlError {
            FileHandle.standardError.write(Data("ko-llama crawl: \(error)\n".utf8))
            throw ExitCode(4)
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("ko-llama crawl: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
