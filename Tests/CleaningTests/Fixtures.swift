import Cleaning
import Corpus
import Foundation

/// Crafted Korean inputs for the cleaning tests.
enum Fixtures {
    /// A short news-like article (about 600 characters, five paragraphs).
    static let article = """
    서울시는 올해 겨울 한파에 대비해 취약계층 지원 대책을 마련했다고 25일 밝혔다. 시는 쪽방촌과 고시원 거주자를 대상으로 난방비와 방한용품을 지원한다.

    이번 대책에는 모두 120억 원의 예산이 투입된다. 시는 각 자치구와 협력해 지원 대상자를 직접 찾아가 필요한 물품을 전달할 계획이다.

    특히 올해는 홀몸 어르신의 안부를 확인하는 전화 서비스를 확대한다. 담당 공무원이 매일 오전 안부 전화를 걸고, 연락이 닿지 않으면 현장을 방문한다.

    시 관계자는 기온이 크게 떨어지는 날에는 거리 노숙인 보호를 위한 순찰도 강화하겠다며 시민들의 관심을 당부했다.

    한편 기상청은 다음 주부터 전국적으로 기온이 영하로 떨어지고 일부 지역에는 눈이 내릴 것으로 내다봤다.
    """

    /// A different article on another topic.
    static let otherArticle = """
    국내 연구진이 리튬 이온 배터리의 수명을 두 배 가까이 늘리는 새로운 전극 소재를 개발했다. 연구팀은 실리콘 음극의 부피 팽창 문제를 해결하는 코팅 기술을 제시했다.

    실험 결과 새 소재를 적용한 전지는 천 번 넘게 충전과 방전을 반복한 뒤에도 초기 용량의 구십 퍼센트 이상을 유지했다. 기존 소재보다 훨씬 안정적인 성능이다.

    연구 책임자는 전기차와 휴대용 기기의 배터리 교체 주기를 크게 줄일 수 있을 것이라며 상용화를 위한 후속 연구를 이어가겠다고 말했다.

    이번 연구 성과는 국제 학술지에 게재되었으며 관련 특허 출원도 마쳤다고 연구팀은 전했다.
    """

    /// `article` with a few words changed.
    static let editedArticle = article
        .replacingOccurrences(of: "120억 원", with: "130억 원")
        .replacingOccurrences(of: "매일 오전", with: "매일 오후")
        .replacingOccurrences(of: "당부했다", with: "요청했다")

    /// Deterministic pseudo-Korean text: `words` eojeol of 2-4 random syllables, in paragraphs.
    static func randomArticle(seed: UInt64, words: Int = 120) -> String {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        var text = ""
        for w in 0..<words {
            let length = 2 + Int(next() % 3)
            for _ in 0..<length { text.unicodeScalars.append(Unicode.Scalar(0xAC00 + UInt32(next() % 11172))!) }
            text += w % 30 == 29 ? ".\n\n" : (w % 10 == 9 ? ". " : " ")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func document(_ id: String, _ text: String, source: String = "xinhua-ko", created: String? = "2024-01-01",
                         metadata: [String: JSONValue] = [:]) -> Document {
        Document(id: id, text: text, source: source, url: "http://example.test/\(id)", created: created,
                 added: "2024-06-01T00:00:00Z", metadata: metadata)
    }

    static func writeShard(_ path: String, _ documents: [Document]) throws {
        let w = try DocumentShardWriter(path: path)
        for d in documents { try w.write(d) }
        try w.finish()
    }

    /// Every document of a clean directory, by split.
    static func readSplits(_ cleanDirectory: String) throws -> [Split: [Document]] {
        var out: [Split: [Document]] = [:]
        for split in Split.allCases where FileSystem.isDirectory("\(cleanDirectory)/\(split.rawValue)") {
            for path in try FileSystem.files(under: "\(cleanDirectory)/\(split.rawValue)", suffixes: [".jsonl.gz"]) {
                let r = try DocumentShardReader(path: path)
                while let d = try r.next() { out[split, default: []].append(d) }
            }
        }
        return out
    }
}
