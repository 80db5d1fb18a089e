import ArgumentParser

/// Output options every long-running command shares.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "No live progress line (cron); a one-line summary is still printed.")
    var quiet = false
}

/// Options that split a corpus stage across an array job (Slurm, Kubernetes indexed jobs).
struct ShardOptions: ParsableArguments {
    @Option(help: "This worker's index in an array job.")
    var shardIndex = 0

    @Option(help: "Number of workers in the array job.")
    var shardCount = 1

    func validate() throws {
        guard shardCount >= 1, (0..<shardCount).contains(shardIndex) else {
            throw ValidationError("--shard-index must be in 0..<--shard-count")
        }
    }
}
