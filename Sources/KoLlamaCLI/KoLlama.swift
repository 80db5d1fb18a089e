import ArgumentParser

/// The `ko-llama` command: one subcommand per pipeline stage (see ARCHITECTURE.md).
@main
struct KoLlama: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ko-llama",
        abstract: "Teach a LLaMA-family model Korean, corpus first.",
        subcommands: [
            ReplicaCommand.self,
            CrawlCommand.self,
            ExtractCommand.self,
            CleanCommand.self,
            TokenizerCommand.self,
            PackCommand.self,
            ModelCommand.self,
            PretrainCommand.self,
            SFTCommand.self,
            EvalCommand.self,
            GenerateCommand.self,
            ExportCommand.self,
            BaselineCommand.self,
            StudyCommand.self,
            RefreshCommand.self,
            PipelineCommand.self,
            Bench.self,
        ]
    )
}
