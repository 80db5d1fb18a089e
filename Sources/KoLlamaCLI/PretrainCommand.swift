import ArgumentParser
import Corpus
import Foundation
import Modeling
import Packing
import Tokenization
import Training

/// `ko-llama pretrain`: continued pretraining with LoRA on packed shards (`--data`, what `pack`
/// writes) or on `clean/` JSONL encoded on the fly (`--corpus`), with the embedding rows of
/// `--train-embeddings` trainable; writes RUN/adapter (PEFT), RUN/metrics.jsonl, checkpoints.
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Continue pretraining a LLaMA with LoRA (+ trainable embeddings) on a corpus.",
        discussion: """
            AdamW (decoupled decay), linear warmup over --warmup-ratio of the steps then cosine decay, \
            gradient clipping, gradient accumulation with the loss averaged over every predicted token \
            of the step. Validation loss and perplexity on the valid split every --eval-every steps and \
            after the last. RUN/checkpoints/step-N holds what --resume needs to continue bit for bit. \
            NaN or inf in the loss or gradients stops the run (exit 1) and leaves the checkpoints as they were.
            """
    )

    @OptionGroup var model: ModelArguments
    @Option(help: "Packed data prefix: reads PREFIX_train.bin/.idx and PREFIX_valid.bin/.idx (ko-llama pack).")
    var data: String?
    @Option(help: "Corpus directory: streams clean/train and clean/valid, encoding on the fly.")
    var corpus: String?
    @Option(help: "Run directory (adapter, metrics.jsonl, checkpoints).")
    var out: String
    @Option(help: "Blocks: concatenate (documents joined, cut every --seq-len) or document-aligned (padding, never across documents).")
    var packing = PackingMode.concatenate
    @Option(help: "With --train-embeddings new-rows: first new row (default: base_vocab_size of the model's resize.json).")
    var baseVocabSize: Int?
    @OptionGroup var training: TrainingArguments
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (data == nil) != (corpus == nil) else { throw ValidationError("give exactly one of --data and --corpus") }
        guard (training.steps == nil) != (training.epochs == nil) else { throw ValidationError("give exactly one of --steps and --epochs") }
        if corpus != nil, training.epochs != nil { throw ValidationError("--epochs needs --data (a streamed corpus has no known length); use --steps") }
    }

    func run() throws {
        let loaded = try model.load(training: training, baseVocabularySize: baseVocabSize)
        let tokenizer = loaded.tokenizer
        let pad = tokenizer.padId ?? tokenizer.eosId ?? 0
        let source: TrainingBatchSource
        var validation: [TrainingBatch] = []
        var blocksPerEpoch: Int?
        if let data {
            let stream = try BlockStream(dataset: try IndexedDataset(prefix: data + "_train"),
                                         options: StreamOptions(seqLen: training.seqLen, batchSize: training.batch, seed: training.seed,
                                                                mode: packing, padID: pad))
            source = stream
            blocksPerEpoch = stream.blocksPerEpoch
            if FileSystem.exists(data + "_valid.idx") {
                let valid = try IndexedDataset(prefix: data + "_valid")
                if valid.tokenCount >= training.seqLen {
                    let options = StreamOptions(seqLen: training.seqLen, batchSize: 1, seed: 0, mode: packing, shuffle: false, padID: pad)
                    let stream = try BlockStream(dataset: valid, options: options)
                    validation = (0..<min(stream.blocksPerEpoch, training.evalBatches * training.batch)).map { _ in stream.nextBatch() }
                }
            }
        } else if let corpus {
            let options = DocumentStreamOptions(seqLen: training.seqLen, batchSize: training.batch, seed: training.seed,
                                                addBOS: model.bos == .yes, mode: packing, padID: pad)
            source = try DocumentStream(corpus: corpus, split: "train", processor: tokenizer, options: options)
            if (try? CorpusSplit(corpus: corpus, name: "valid").exists) == true {
                var validOptions = options
                validOptions.batchSize = 1
                validOptions.shuffleBufferBlocks = 0
                let stream = try DocumentStream(corpus: corpus, split: "valid", processor: tokenizer, options: validOptions)
                validation = try (0..<(training.evalBatches * training.batch)).map { _ in try stream.nextBatch() }
            }
        } else {
            throw ValidationError("give --data or --corpus")
        }
        let steps = try training.resolvedSteps(blocksPerEpoch: blocksPerEpoch)
        let options = try loaded.options(steps: steps)
        let trainer = Trainer(model: loaded.model, options: options, source: source, validation: validation, runDirectory: out) { dir in
            try loaded.model.writeAdapter(to: dir, baseModelNameOrPath: model.model)
        }
        let progress = ProgressReporter(label: "pretrain", total: steps, quiet: output.quiet)
        let summary = try trainer.train(resume: training.resume, progress: progress)
        progress.finish(summary: summary.line(run: out))
    }
}
