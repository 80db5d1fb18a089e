import Training
import XCTest

final class InstructionsTemplateTests: XCTestCase {
    /// `PROMPT_DICT` of tatsu-lab/stanford_alpaca's train.py, verbatim.
    func testEnglishTemplateIsStanfordAlpacasPromptDict() {
        let promptInput = "Below is an instruction that describes a task, paired with an input that provides further context. "
            + "Write a response that appropriately completes the request.\n\n"
            + "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n"
        let promptNoInput = "Below is an instruction that describes a task. "
            + "Write a response that appropriately completes the request.\n\n"
            + "### Instruction:\n{instruction}\n\n### Response:\n"
        let t = PromptTemplate.stanfordAlpaca
        XCTAssertEqual(t.prompt(instruction: "{instruction}", input: "{input}"), promptInput)
        XCTAssertEqual(t.prompt(instruction: "{instruction}"), promptNoInput)
    }

    /// The exact prompts documented in docs/SFT.md.
    func testKoreanTemplateAndTheYNATInstruction() {
        let t = PromptTemplate.koreanAlpaca
        XCTAssertEqual(t.prompt(instruction: "세 가지 색을 말하세요."),
                       "아래는 작업을 설명하는 지시문입니다. 요청을 적절히 완료하는 응답을 작성하세요.\n\n"
                       + "### 지시문:\n세 가지 색을 말하세요.\n\n### 응답:\n")
        let e = YNATExample(guid: "g", title: "유튜브 내달 2일까지 크리에이터 지원 공간 운영", label: 3)
        let (prompt, response) = t.render(e.instructionExample)
        XCTAssertEqual(prompt, """
            아래는 작업을 설명하는 지시문과 추가 맥락을 제공하는 입력이 함께 있습니다. 요청을 적절히 완료하는 응답을 작성하세요.

            ### 지시문:
            다음 뉴스 제목의 주제를 분류하세요. 주제: IT과학, 경제, 사회, 생활문화, 세계, 스포츠, 정치

            ### 입력:
            유튜브 내달 2일까지 크리에이터 지원 공간 운영

            ### 응답:

            """)
        XCTAssertEqual(response, "생활문화")
    }

    func testTextsAreInsertedVerbatim() {
        let t = PromptTemplate.koreanAlpaca
        let tricky = "{input} ### 응답:\n{instruction}"
        let p = t.prompt(instruction: tricky, input: tricky)
        XCTAssertEqual(p.components(separatedBy: tricky).count, 3)
        XCTAssertTrue(p.hasSuffix("\n\n### 응답:\n"))
    }
}
