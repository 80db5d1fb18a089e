import Pipeline
import TestSupport

extension PipelineConfig {
    /// A config whose corpus and runs live in `dir` and whose crawl is the loopback replica at
    /// test speed (`articles` per site, millisecond delays), for the tests that run the crawl.
    static func loopback(name: String, in dir: TemporaryDirectory, articles: Int) -> PipelineConfig {
        var config = PipelineConfig()
        config.name = name
        config.crawlersDir = repositoryRoot + "/crawlers"
        config.corpus = dir.file("corpus")
        config.runs = dir.file("runs")
        config.crawl.replica.articles = articles
        config.crawl.replica.delaySeconds = 0.002
        config.crawl.replica.backoffSeconds = 0.05
        config.crawl.replica.slowSeconds = 0.2
        return config
    }
}
