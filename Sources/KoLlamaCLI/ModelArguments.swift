import ArgumentParser
import Corpus
import Foundation
import Modeling
import Packing
import Tokenization
import Training

/// The base model, optional adapter, tokenizer and cores every model command takes.
struct ModelArguments: ParsableArguments {
    @Option(help: "Base model: a Hugging Face LLaMA folder (config.json + *.safetensors), e.g. from model import or model resize.")
    var model: String
    @Option(help: "PEFT LoRA adapter on the base (its LoRA settings and trainable embeddings are used).")
    var adapter: String?
    @Option(help: "Tokenizer: a .model, a tokenizer.json, or a folder holding one.")
    var tokenizer: String
    @Option(help: "Prepend BOS: auto (sft: SentencePiece tokenizers do, byte-level BPE ones do not; pretrain and eval ppl: as the data was packed, i.e. no), yes or no.")
    var bos = BOSChoice.auto
    @Option(help: "Cores to use.")
    var threads = 2

    enum BOSChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, yes, no
    }

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func loadWeights() throws -> LlamaWeights {
        try LlamaWeights(folder: HFModelFolder(path: model))
    }

    /// The tokenizer and its instruction encoder; its ids must fit the model's vocabulary.
    func encoder(for config: LlamaConfig, maxLength: Int) throws -> InstructionEncoder {
        let tok = try loadTokenizer(fitting: config)
        do {
            return try InstructionEncoder(tokenizer: tok, maxLength: maxLength, addsBOS: bos == .auto ? nil : bos == .yes)
        } catch {
            throw CommandFailure(description: "\(tokenizer): \(error)")
        }
    }

    /// The base with `adapter` loaded (LoRA dropout is off outside training), or the bare base.
    func inferenceModel(_ weights: LlamaWeights) throws -> LlamaModel {
        if let adapter { return try LlamaModel(weights: weights, adapter: adapter, threads: threads) }
        return LlamaModel(weights: weights, lora: LoRASettings(targets: []), embeddings: .none, threads: threads)
    }

    /// These options as flags, `adapter` replaced (nil drops it).
    func flags(adapter: String?) -> [String] {
        ["--model", model] + (adapter.map { ["--adapter", $0] } ?? []) + ["--tokenizer", tokenizer]
            + (bos == .auto ? [] : ["--bos", bos.rawValue]) + ["--threads", String(threads)]
    }

    /// A model ready to train or evaluate, with its tokenizer.
    struct Loaded {
        let model: LlamaModel
        let tokenizer: any TextTokenizer
        let training: TrainingArguments

        /// The run settings, with the LoRA settings and trainable embeddings the model really has.
        func options(steps: Int) throws -> TrainingOptions {
            var o = try training.options(steps: steps)
            o.lora = model.lora
            o.embeddings = model.embeddings
            return o
        }
    }

    func loadTokenizer(fitting config: LlamaConfig) throws -> any TextTokenizer {
        let t = try TokenizerLoader.load(path: tokenizer)
        guard t.vocabularySize <= config.vocabSize else {
            throw CommandFailure(description: "\(tokenizer) has \(t.vocabularySize) pieces but \(model) only \(config.vocabSize) embedding rows: "
                                 + "run `ko-llama model resize --model \(model) --tokenizer \(tokenizer) --out DIR` first")
        }
        return t
    }

    /// Loads weights, tokenizer and (with --adapter) the adapter; without one, a fresh LoRA
    /// model with the settings of `training`.
    func load(training: TrainingArguments, baseVocabularySize: Int? = nil) throws -> Loaded {
        let weights = try loadWeights()
        let tokenizer = try loadTokenizer(fitting: weights.config)
        let llama: LlamaModel
        if let adapter {
            llama = try LlamaModel(weights: weights, adapter: adapter, threads: threads)
        } else {
            let options = try training.options(steps: 1)
            var firstNewRow = weights.config.vocabSize
            if options.embeddings == .newRows {
                guard let row = try baseVocabularySize ?? ResizeRecord.load(folder: model)?.baseVocabSize else {
                    throw ValidationError("--train-embeddings new-rows needs --base-vocab-size or a model written by model resize (resize.json)")
                }
                firstNewRow = row
            }
            llama = LlamaModel(weights: weights, lora: options.lora, embeddings: options.embeddings, baseVocabularySize: firstNewRow,
                               seed: training.seed, threads: threads)
        }
        return Loaded(model: llama, tokenizer: tokenizer, training: training)
    }
}

extension PackingMode: ExpressibleByArgument {}

extension TrainingArguments {
    /// --steps, or --epochs over `blocksPerEpoch` blocks (rounded up to whole steps).
    func resolvedSteps(blocksPerEpoch: Int?) throws -> Int {
        if let steps { return steps }
        guard let epochs, let blocks = blocksPerEpoch else { throw ValidationError("give --steps") }
        return max(1, Int((epochs * Double(blocks) / Double(batch * gradAccum)).rounded(.up)))
    }
}

extension TrainingSummary {
    /// The one line a run prints at the end.
    func line(run: String) -> String {
        var s = "\(run): \(steps) steps"
        if let resumedFrom { s += " (resumed from step \(resumedFrom))" }
        s += String(format: ", last loss %.4f", lastLoss)
        if let validLoss, let validPerplexity { s += String(format: ", valid loss %.4f ppl %.2f", validLoss, validPerplexity) }
        s += String(format: ", %.0f tokens/s, %@", tokensPerSecond, ProgressReporter.formatDuration(seconds))
        return s
    }
}
