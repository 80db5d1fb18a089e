import Corpus
import Foundation
import Modeling
import TestSupport
import XCTest

/// `ko-llama generate` end to end: text in, text out, equal to `tokenizers` + transformers'
/// greedy `generate` on a random model with the byte-level fixture tokenizer (600 tokens).
final class GenerateCommandTests: XCTestCase {
    static let tokenizer = repositoryRoot + "/Tests/Fixtures/tokenizer/llama3-style-tokenizer.json"

    func testGreedyTextEqualsTransformers() throws {
        try PythonPeer.require("torch", "transformers", "tokenizers")
        let dir = try TemporaryDirectory()
        // <|begin_of_text|> is 0 and <|end_of_text|> 1 in the fixture tokenizer.
        let config = LlamaConfig(vocabSize: 600, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4,
                                 numKeyValueHeads: 2, maxPositionEmbeddings: 64, initializerRange: 0.2, bosTokenId: 0, eosTokenId: 1)
        try HFModelFolder.write(config: config, tensors: ModelInitializer.initialize(config: config, seed: 3), to: dir.file("model"))
        let prompts = ["Hello world, this is", "The quick brown fox"]
        var texts: [String] = []
        for prompt in prompts {
            let run = try KoLlamaExecutable.output(["generate", "--model", dir.file("model"), "--tokenizer", Self.tokenizer,
                                                    "--prompt", prompt, "--max-tokens", "12", "--quiet"])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertTrue(run.stderr.contains("tokens/s"), run.stderr)
            texts.append(run.stdout)
        }
        let want = try PythonPeer.run(#"""
            import sys, json, torch
            from tokenizers import Tokenizer
            from transformers import LlamaForCausalLM
            tok = Tokenizer.from_file(sys.argv[2])
            model = LlamaForCausalLM.from_pretrained(sys.argv[1], attn_implementation="eager").eval()
            out = []
            for prompt in json.loads(sys.argv[3]):
                x = torch.tensor([tok.encode(prompt, add_special_tokens=False).ids])
                with torch.no_grad():
                    y = model.generate(input_ids=x, attention_mask=torch.ones_like(x), do_sample=False, max_new_tokens=12, eos_token_id=1, pad_token_id=1)
                out.append(tok.decode(y[0, x.shape[1]:].tolist(), skip_special_tokens=True) + "\n")
            print(json.dumps(out))
            """#, [dir.file("model"), Self.tokenizer, String(decoding: try JSONEncoder().encode(prompts), as: UTF8.self)])
        XCTAssertEqual(texts, try JSONDecoder().decode([String].self, from: Data(want.utf8)))
        XCTAssertFalse(texts.allSatisfy { $0 == "\n" }, "the model generates some text")
    }

    func testATokenizerLargerThanTheModelIsAnError() throws {
        let dir = try TemporaryDirectory()
        let config = LlamaConfig(vocabSize: 500, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2,
                                 numKeyValueHeads: 2, maxPositionEmbeddings: 64)
        try HFModelFolder.write(config: config, tensors: ModelInitializer.initialize(config: config, seed: 3), to: dir.file("model"))
        let run = try KoLlamaExecutable.run(["generate", "--model", dir.file("model"), "--tokenizer", Self.tokenizer, "--prompt", "Hi"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("600 tokens, more than the 500 rows"), run.stderr)
    }
}
