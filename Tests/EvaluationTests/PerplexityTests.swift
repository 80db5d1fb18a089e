import Evaluation
import Foundation
import Modeling
import TestSupport
import XCTest

/// Perplexity against transformers + PEFT on the golden fixture model: documents of several
/// lengths, windows cut at --seq-len, no context across windows or documents.
final class PerplexityTests: XCTestCase {
    func testMatchesTransformersWindowByWindow() throws {
        try PythonPeer.require("torch", "transformers", "peft")
        let dir = repositoryRoot + "/Tests/Fixtures/model/mha-untied"
        let model = try LlamaModel(weights: LlamaWeights(folder: HFModelFolder(path: dir + "/model")), adapter: dir + "/adapter")
        var rng = SystemRandomNumberGenerator()
        let lengths = [1, 2, 7, 20, 33, 50]
        let documents = lengths.map { n in (0..<n).map { _ in Int32.random(in: 0..<96, using: &rng) } }
        let seqLen = 16
        let result = try Perplexity.evaluate(model: model, documents: documents, seqLen: seqLen, batch: 3)
        // 1-token windows predict nothing: 0 + 1 + 6 + (15 + 3) + (15 + 15 + 0) + (15 + 15 + 15 + 1)
        XCTAssertEqual(result.tokens, 1 + 6 + 18 + 30 + 46)
        let script = """
        import json, sys, torch
        from transformers import LlamaForCausalLM
        from peft import PeftModel
        d, docs, T = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
        m = PeftModel.from_pretrained(LlamaForCausalLM.from_pretrained(d + "/model", attn_implementation="eager"), d + "/adapter").eval()
        nll, n = 0.0, 0
        with torch.no_grad():
            for doc in docs:
                for s in range(0, len(doc), T):
                    w = doc[s:s + T]
                    if len(w) < 2: continue
                    ids = torch.tensor([w])
                    out = m(input_ids=ids, labels=ids)
                    nll += out.loss.item() * (len(w) - 1); n += len(w) - 1
        print(json.dumps({"tokens": n, "nll": nll / n}))
        """
        let out = try PythonPeer.run(script, [dir, String(decoding: try JSONEncoder().encode(documents), as: UTF8.self), String(seqLen)])
        let reference = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        XCTAssertEqual(reference["tokens"] as? Int, result.tokens)
        XCTAssertEqual(result.nll, reference["nll"] as! Double, accuracy: 1e-5)
        XCTAssertEqual(result.ppl, exp(result.nll), accuracy: 1e-9)
    }
}
