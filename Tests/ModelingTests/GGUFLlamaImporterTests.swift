import Foundation
import XCTest
import Modeling
import TestSupport

/// The llama mapping against transformers' own GGUF loader (`from_pretrained(dir, gguf_file=...)`).
final class GGUFLlamaImporterTests: XCTestCase {
    func testConfigFromTinyLlamaMetadata() throws {
        let importer = try GGUFLlamaImporter(file: GGUFFile(path: GGUFFileTests.tinyLlama))
        let c = importer.config
        XCTAssertEqual([c.vocabSize, c.hiddenSize, c.intermediateSize, c.numHiddenLayers, c.numAttentionHeads, c.numKeyValueHeads, c.headDim, c.maxPositionEmbeddings],
                       [380, 64, 128, 2, 4, 2, 16, 256])
        XCTAssertEqual(c.ropeTheta, 50000)
        XCTAssertEqual(c.rmsNormEps, 1e-5)
        XCTAssertFalse(c.tieWordEmbeddings)
        XCTAssertEqual([c.bosTokenId, c.eosTokenId, c.padTokenId], [1, 2, 2])
        XCTAssertEqual(importer.plan.count, 1 + 2 * 9 + 2)
        XCTAssertEqual(importer.plan.first?.name, "model.embed_tokens.weight")
        XCTAssertEqual(importer.plan.last?.name, "lm_head.weight")
        XCTAssertEqual(importer.plan[1].name, "model.layers.0.self_attn.q_proj.weight")
        XCTAssertEqual(importer.plan[1].source.name, "blk.0.attn_q.weight")
        let embed = try importer.tensor(at: 0)
        XCTAssertEqual(embed.shape, [380, 64])
    }

    func testMissingMetadataAndForeignArchitecturesAreErrors() throws {
        // quant-types.gguf says llama but has none of the llama.* keys.
        XCTAssertThrowsError(try GGUFLlamaImporter(file: GGUFFile(path: GGUFFileTests.quantTypes))) { error in
            XCTAssertEqual(error as? GGUFError, .metadata(path: GGUFFileTests.quantTypes, key: "llama.embedding_length", detail: "missing"))
        }
        let foreign = GGUFBytes(metadata: [("general.architecture", .string("qwen2"))]).bytes
        XCTAssertThrowsError(try GGUFLlamaImporter(file: GGUFFile(bytes: foreign, path: "q.gguf"))) { error in
            XCTAssertEqual(error as? GGUFError, .unsupported(path: "q.gguf", detail: "general.architecture is 'qwen2'; only llama is imported"))
        }
    }

    /// transformers' state dict for `gguf_file`, one float32 file per tensor, and its names in order.
    private func transformersStateDict(_ path: String) throws -> (dir: TemporaryDirectory, names: [String]) {
        try PythonPeer.require("torch", "transformers", "gguf")
        let dir = try TemporaryDirectory("hf-gguf")
        let listed = try PythonPeer.run("""
        import os, sys, torch
        from transformers import AutoModelForCausalLM
        from transformers.utils import logging
        logging.disable_progress_bar()
        path, out = sys.argv[1], sys.argv[2]
        model = AutoModelForCausalLM.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path), dtype=torch.float32)
        for name, t in model.state_dict().items():
            if name == "lm_head.weight" and model.config.tie_word_embeddings:
                continue
            print(name)
            t.detach().contiguous().numpy().tofile(os.path.join(out, name + ".f32"))
        """, [path, dir.path])
        return (dir, listed.split(separator: "\n").map(String.init))
    }

    private func assertMatches(_ tensor: NamedTensor, _ dir: TemporaryDirectory, file: StaticString = #filePath, line: UInt = #line) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.file(tensor.name + ".f32")))
        let same = tensor.values.withUnsafeBytes { a in data.withUnsafeBytes { b in a.count == b.count && memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
        XCTAssertTrue(same, "\(tensor.name) differs from transformers' GGUF load", file: file, line: line)
    }

    /// Every tensor (names, shapes, Q/K row order, values) bit for bit as transformers loads it.
    func testTinyLlamaTensorsMatchTransformers() throws {
        let (dir, names) = try transformersStateDict(GGUFFileTests.tinyLlama)
        let (_, tensors) = try GGUFLlamaImporter(file: GGUFFile(path: GGUFFileTests.tinyLlama)).importAll()
        XCTAssertEqual(tensors.map(\.name), names)
        for t in tensors { try assertMatches(t, dir) }
    }

    /// The shipped SmolLM2's config and checkpoint layout (its values are checked end to end by
    /// GGUFImportCommandTests' logits against transformers).
    func testSmolLM2Config() throws {
        let importer = try GGUFLlamaImporter(file: GGUFFile(path: try PythonPeer.smolLM2GGUF()))
        let c = importer.config
        XCTAssertEqual([c.vocabSize, c.hiddenSize, c.intermediateSize, c.numHiddenLayers, c.numAttentionHeads, c.numKeyValueHeads, c.headDim, c.maxPositionEmbeddings],
                       [49152, 576, 1536, 30, 9, 3, 64, 8192])
        XCTAssertEqual(c.ropeTheta, 100000)
        XCTAssertEqual(c.rmsNormEps, 1e-5)
        XCTAssertTrue(c.tieWordEmbeddings)
        XCTAssertEqual([c.bosTokenId, c.eosTokenId, c.padTokenId], [1, 2, 2])
        XCTAssertEqual(importer.plan.count, 1 + 30 * 9 + 1)
        XCTAssertEqual(importer.plan.last?.name, "model.norm.weight")
    }
}
