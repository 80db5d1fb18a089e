import XCTest
import Modeling

final class LlamaConfigPresetTests: XCTestCase {
    func testPresetsHaveTheBenchmarkShapes() throws {
        let tiny = try XCTUnwrap(LlamaConfig.preset("tiny", vocabSize: 32000))
        XCTAssertEqual([tiny.hiddenSize, tiny.numHiddenLayers, tiny.numAttentionHeads, tiny.intermediateSize], [256, 4, 4, 688])
        let small = try XCTUnwrap(LlamaConfig.preset("small", vocabSize: 49152))
        XCTAssertEqual([small.hiddenSize, small.numHiddenLayers, small.keyValueWidth, small.headDim], [576, 30, 192, 64])
        XCTAssertNil(LlamaConfig.preset("huge", vocabSize: 1))
    }
}
