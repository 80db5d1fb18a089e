import Corpus

/// KLUE-YNAT (Yonhap news headline topic classification, KLUE v1.1): the seven topics in KLUE's
/// label order (the integer labels of the Hugging Face `klue/ynat` set and of
/// ../shared/data/ynat index this list) and the task phrased as an instruction.
public enum YNAT {
    public static let topics = ["IT과학", "경제", "사회", "생활문화", "세계", "스포츠", "정치"]

    /// The instruction of the YNAT task in the Korean Alpaca template; the headline is its input.
    public static let instruction = "다음 뉴스 제목의 주제를 분류하세요. 주제: " + topics.joined(separator: ", ")

    /// The label of a topic name (compared in NFC), or nil for a name that is not a topic.
    public static func label(ofTopic name: String) -> Int? {
        if let k = topics.firstIndex(of: name) { return k }
        guard !ICU.isNormalized(name, .nfc), let nfc = try? ICU.normalize(name, .nfc) else { return nil }
        return topics.firstIndex(of: nfc)
    }
}

/// One YNAT headline with its topic.
public struct YNATExample: Sendable, Hashable, Codable {
    public var guid: String
    public var title: String
    /// Index into `YNAT.topics` (0-6).
    public var label: Int

    /// `label` must be in `0..<YNAT.topics.count`.
    public init(guid: String, title: String, label: Int) {
        precondition(YNAT.topics.indices.contains(label), "YNAT label \(label) out of range")
        self.guid = guid
        self.title = title
        self.label = label
    }

    public var labelName: String { YNAT.topics[label] }

    /// The headline as an Alpaca example: the YNAT instruction, the title as input, the topic as output.
    public var instructionExample: AlpacaExample {
        AlpacaExample(instruction: YNAT.instruction, input: title, output: labelName)
    }

    /// Reads YNAT in its published forms: KLUE's official JSON (`ynat-v1.1_train.json`,
    /// `ynat-v1.1_dev.json`: an array of objects with `guid`, `title`, `label` as a topic name,
    /// `url`, `date`, ...) or JSON Lines with the same fields, `label` given as a topic name or as
    /// an integer, optionally with `label_name` (the `datasets` export). Gzip is read through;
    /// other fields are ignored.
    ///
    /// Per-record problems (not a JSON object, missing or mistyped field, empty title, unknown
    /// topic name, integer label outside 0-6, `label` and `label_name` disagreeing, a guid seen
    /// before) throw `InstructionDataError` naming the file and line, or with `skipInvalid` are
    /// counted in `skipped` and left out (of duplicates, the first is kept). A broken file
    /// (malformed array, oversized record, no valid record) always throws.
    public static func load(_ path: String, skipInvalid: Bool = false) throws -> LoadedExamples<YNATExample> {
        var firstLine: [String: Int] = [:]
        return try InstructionData.load(path, skipInvalid: skipInvalid) { record in
            let guid = try record.text("guid")
            let title = try record.text("title")
            let label = try record.ynatLabel()
            if let line = firstLine[guid] {
                throw InstructionDataError.duplicateGUID(record.position, guid: guid, firstLine: line)
            }
            firstLine[guid] = record.position.line ?? 0
            return YNATExample(guid: guid, title: title, label: label)
        }
    }
}

extension JSONRecord {
    /// `label` as a topic name or an integer, checked against `label_name` when that is present.
    fileprivate func ynatLabel() throws -> Int {
        let label: Int
        let spelled: String
        switch try value("label") {
        case let .string(name):
            guard let k = YNAT.label(ofTopic: name) else { throw InstructionDataError.unknownLabel(position, label: name) }
            label = k
            spelled = name
        case let .number(x):
            guard x.rounded() == x, abs(x) < 1e15 else {
                throw InstructionDataError.wrongType(position, field: "label", expected: "an integer or a topic name")
            }
            guard YNAT.topics.indices.contains(Int(x)) else {
                throw InstructionDataError.labelOutOfRange(position, label: Int(x), classCount: YNAT.topics.count)
            }
            label = Int(x)
            spelled = String(Int(x))
        default:
            throw InstructionDataError.wrongType(position, field: "label", expected: "an integer or a topic name")
        }
        if let name = try optionalString("label_name"), YNAT.label(ofTopic: name) != label {
            throw InstructionDataError.labelMismatch(position, label: spelled, labelName: name)
        }
        return label
    }
}
