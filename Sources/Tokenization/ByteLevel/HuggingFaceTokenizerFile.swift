import Corpus
import Foundation

/// A Hugging Face `tokenizer.json` holding a byte-level BPE model (GPT-2, SmolLM, LLaMA-3 and
/// Qwen2 style), read and checked: the vocabulary, merges in rank order, added tokens, the
/// normalizer (none or NFC), the pre-tokenizer steps and the flags of the `BPE` model. What the
/// file holds beyond that (post-processor, decoder, truncation, padding) is kept as JSON text so a
/// tokenizer derived from this one (training, merging) can be written with the same pipeline.
/// Anything outside what `ByteLevelBPETokenizer` implements is a typed error naming the file and
/// the field, never a silent difference from `tokenizers`.
public struct HuggingFaceTokenizerFile: Sendable {
    /// Token strings by id, as tokenizer.json spells them (byte-level characters).
    public var vocabulary: [String]
    /// Merge rules, highest priority first.
    public var merges: [(left: String, right: String)]
    public var addedTokens: [AddedToken]
    /// Whether each id is in `model.vocab` (false for added tokens outside it).
    public var inModel: [Bool]
    public var normalizeNFC: Bool
    public var ignoreMerges: Bool
    let preTokenizer: PreTokenizerPipeline
    /// JSON text of the top-level fields a derived tokenizer.json copies unchanged.
    public var verbatim: [(key: String, json: String)]
    /// JSON text of the `model` fields other than `vocab` and `merges` (type, dropout, unk_token, flags).
    public var modelVerbatim: [(key: String, json: String)]

    /// Reads and checks `path`.
    public static func load(path: String) throws -> HuggingFaceTokenizerFile {
        let data: [UInt8]
        do { data = try FileSystem.readAll(path) } catch { throw TokenizationError.invalidModel(path: path, detail: "cannot read: \(error)") }
        return try parse(Data(data), path: path)
    }

    /// Parses tokenizer.json text; `path` names it in errors.
    public static func parse(_ data: Data, path: String) throws -> HuggingFaceTokenizerFile {
        func invalid(_ detail: String) -> TokenizationError { .invalidModel(path: path, detail: detail) }
        func unsupported(_ detail: String) -> TokenizationError { .unsupportedModel(path: path, detail: detail) }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw invalid("not JSON: \((error as NSError).userInfo["NSDebugDescription"] ?? error)")
        }
        guard let root = object as? [String: Any] else { throw invalid("the top level is not an object") }
        guard let model = root["model"] as? [String: Any] else { throw invalid("no \"model\" object") }
        guard let type = model["type"] as? String, type == "BPE" else {
            throw unsupported("model.type \(model["type"].map { "\($0)" } ?? "missing") (only BPE is implemented for tokenizer.json)")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let v = model[key], !(v is NSNull), (v as? String) != "" { throw unsupported("model.\(key) \(v)") }
        }
        if let v = model["dropout"], !(v is NSNull), (v as? Double) != 0 { throw unsupported("model.dropout \(v) (BPE dropout is random)") }
        if model["byte_fallback"] as? Bool == true { throw unsupported("model.byte_fallback true (a byte-level BPE has every byte already)") }
        let ignoreMerges = model["ignore_merges"] as? Bool ?? false

        guard let vocab = model["vocab"] as? [String: Any] else { throw invalid("model.vocab is not an object") }
        // Ids are dense, so none can reach the number of entries: a larger one is an error
        // before anything is allocated for it.
        let idLimit = vocab.count + ((root["added_tokens"] as? [Any])?.count ?? 0)
        var byId: [String?] = []
        var modelIds: [Int] = []
        modelIds.reserveCapacity(vocab.count)
        for (token, value) in vocab {
            guard let id = value as? Int, id >= 0, id < idLimit else {
                throw invalid("model.vocab[\(JSONString.literal(token))] is not an id in 0..<\(idLimit) (ids run from 0 without holes over \(idLimit) entries)")
            }
            if id >= byId.count { byId += [String?](repeating: nil, count: id + 1 - byId.count) }
            if byId[id] != nil { throw invalid("model.vocab has two tokens with id \(id)") }
            byId[id] = token
            modelIds.append(id)
        }

        var addedTokens: [AddedToken] = []
        if let list = root["added_tokens"], !(list is NSNull) {
            guard let list = list as? [Any] else { throw invalid("added_tokens is not a list") }
            for (k, entry) in list.enumerated() {
                guard let e = entry as? [String: Any], let id = e["id"] as? Int, id >= 0, id < idLimit, let content = e["content"] as? String else {
                    throw invalid("added_tokens[\(k)] needs an id in 0..<\(idLimit) and a content string")
                }
                if content.isEmpty { throw invalid("added_tokens[\(k)] has an empty content") }
                func flag(_ key: String) -> Bool { e[key] as? Bool ?? false }
                addedTokens.append(AddedToken(id: Int32(id), content: content, singleWord: flag("single_word"), lstrip: flag("lstrip"),
                                              rstrip: flag("rstrip"), normalized: flag("normalized"), special: flag("special")))
                if id >= byId.count { byId += [String?](repeating: nil, count: id + 1 - byId.count) }
                if let existing = byId[id], existing != content {
                    throw invalid("added_tokens[\(k)] \(JSONString.literal(content)) has id \(id), which model.vocab gives to \(JSONString.literal(existing))")
                }
                byId[id] = content
            }
        }
        if let hole = byId.firstIndex(where: { $0 == nil }) { throw invalid("no token has id \(hole) (vocabulary of \(byId.count))") }
        let vocabulary = byId.map { $0! }
        var inModel = [Bool](repeating: false, count: vocabulary.count)
        for id in modelIds { inModel[id] = true }

        guard let mergeList = model["merges"] as? [Any] else { throw invalid("model.merges is not a list") }
        var merges: [(left: String, right: String)] = []
        merges.reserveCapacity(mergeList.count)
        for (k, m) in mergeList.enumerated() {
            if let pair = m as? [Any], pair.count == 2, let a = pair[0] as? String, let b = pair[1] as? String {
                merges.append((a, b))
            } else if let s = m as? String, let space = s.firstIndex(of: " "), !s[s.index(after: space)...].contains(" ") {
                merges.append((String(s[..<space]), String(s[s.index(after: space)...])))
            } else {
                throw invalid("model.merges[\(k)] is neither [\"a\", \"b\"] nor \"a b\"")
            }
        }

        var normalizeNFC = false
        switch root["normalizer"] {
        case nil, is NSNull: break
        case let n as [String: Any] where n["type"] as? String == "NFC": normalizeNFC = true
        case let n as [String: Any] where n["type"] as? String == "Sequence" && (n["normalizers"] as? [Any])?.isEmpty == true: break
        case let n?: throw unsupported("normalizer \(describe(n)) (none or NFC are implemented)")
        }

        var steps: [PreTokenizerPipeline.Step] = []
        var sawByteLevel = false
        func addStep(_ value: Any, _ field: String) throws {
            guard let p = value as? [String: Any], let type = p["type"] as? String else { throw invalid("\(field) is not a pre-tokenizer object") }
            if sawByteLevel { throw unsupported("\(field) \(type) after ByteLevel (ByteLevel must be the last pre-tokenizer)") }
            switch type {
            case "Sequence":
                guard let list = p["pretokenizers"] as? [Any] else { throw invalid("\(field).pretokenizers is not a list") }
                for (k, item) in list.enumerated() { try addStep(item, "\(field).pretokenizers[\(k)]") }
            case "ByteLevel":
                sawByteLevel = true
                let pattern = try SplitPattern(regex: SplitPattern.gpt2)
                let useRegex = p["use_regex"] as? Bool ?? true
                let addPrefixSpace = p["add_prefix_space"] as? Bool ?? true
                if useRegex || addPrefixSpace {
                    steps.append(.init(matcher: useRegex ? .pattern(pattern) : .literal([]), behavior: .isolated, invert: false, addPrefixSpace: addPrefixSpace))
                }
            case "Digits":
                steps.append(.init(matcher: .number, behavior: p["individual_digits"] as? Bool == true ? .isolated : .contiguous, invert: false))
            case "Split":
                guard let behaviorName = p["behavior"] as? String, let behavior = PreTokenizerPipeline.Behavior(rawValue: behaviorName) else {
                    throw invalid("\(field).behavior \(p["behavior"].map { "\($0)" } ?? "missing") is not a SplitDelimiterBehavior")
                }
                let pattern = p["pattern"] as? [String: Any]
                let matcher: PreTokenizerPipeline.Matcher
                if let regex = pattern?["Regex"] as? String {
                    do { matcher = .pattern(try SplitPattern(regex: regex)) } catch {
                        throw unsupported("\(field).pattern.Regex \(JSONString.literal(regex)): the alternative \(JSONString.literal(error.alternative)) is not one of the GPT-2 / LLaMA-3 / Qwen2 family patterns this scanner implements")
                    }
                } else if let literal = pattern?["String"] as? String {
                    matcher = .literal(Array(literal.utf8))
                } else {
                    throw invalid("\(field).pattern needs a Regex or a String")
                }
                steps.append(.init(matcher: matcher, behavior: behavior, invert: p["invert"] as? Bool ?? false))
            default:
                throw unsupported("\(field) type \(type) (Sequence, Split, Digits and ByteLevel are implemented)")
            }
        }
        guard let pre = root["pre_tokenizer"], !(pre is NSNull) else { throw unsupported("pre_tokenizer null: not a byte-level tokenizer (ByteLevel is required)") }
        try addStep(pre, "pre_tokenizer")
        guard sawByteLevel else { throw unsupported("pre_tokenizer has no ByteLevel step: not a byte-level tokenizer") }

        let decoder = root["decoder"] as? [String: Any]
        guard decoder?["type"] as? String == "ByteLevel" else {
            throw unsupported("decoder \(root["decoder"].map(describe) ?? "missing") (ByteLevel is required)")
        }

        var verbatim: [(key: String, json: String)] = []
        for key in ["truncation", "padding", "normalizer", "pre_tokenizer", "post_processor", "decoder"] {
            verbatim.append((key, try json(root[key] ?? NSNull(), path: path)))
        }
        var modelVerbatim: [(key: String, json: String)] = [("type", "\"BPE\"")]
        for key in model.keys.sorted() where !["type", "vocab", "merges"].contains(key) {
            modelVerbatim.append((key, try json(model[key]!, path: path)))
        }
        return HuggingFaceTokenizerFile(vocabulary: vocabulary, merges: merges, addedTokens: addedTokens, inModel: inModel, normalizeNFC: normalizeNFC,
                                        ignoreMerges: ignoreMerges, preTokenizer: PreTokenizerPipeline(steps: steps), verbatim: verbatim,
                                        modelVerbatim: modelVerbatim)
    }

    /// The file as tokenizer.json text, in the layout `tokenizers` saves (`version`, the
    /// verbatim fields, `added_tokens`, then `model` with `vocab` in id order and `merges` as
    /// pairs): what a tokenizer derived from this one (trained, merged) is written as, after
    /// `vocabulary`, `inModel`, `merges` or `addedTokens` were changed.
    public func json() -> String {
        var out = "{\n  \"version\": \"1.0\""
        for (key, value) in verbatim where key == "truncation" || key == "padding" { out += ",\n  \(JSONString.literal(key)): \(value)" }
        out += ",\n  \"added_tokens\": ["
        out += addedTokens.sorted { $0.id < $1.id }.map { t in
            "\n    {\"id\": \(t.id), \"content\": \(JSONString.literal(t.content)), \"single_word\": \(t.singleWord), \"lstrip\": \(t.lstrip), "
                + "\"rstrip\": \(t.rstrip), \"normalized\": \(t.normalized), \"special\": \(t.special)}"
        }.joined(separator: ",")
        out += addedTokens.isEmpty ? "]" : "\n  ]"
        for (key, value) in verbatim where key != "truncation" && key != "padding" { out += ",\n  \(JSONString.literal(key)): \(value)" }
        out += ",\n  \"model\": {"
        out += modelVerbatim.map { "\n    \(JSONString.literal($0.key)): \($0.json)," }.joined()
        out += "\n    \"vocab\": {"
        var first = true
        for (id, token) in vocabulary.enumerated() where inModel[id] {
            out += (first ? "\n      " : ",\n      ") + JSONString.literal(token) + ": \(id)"
            first = false
        }
        out += "\n    },\n    \"merges\": ["
        out += merges.map { "\n      [\(JSONString.literal($0.left)), \(JSONString.literal($0.right))]" }.joined(separator: ",")
        out += "\n    ]\n  }\n}\n"
        return out
    }

    /// The normalizer and the pre-tokenizer on `text` (valid UTF-8), leaving the pieces in
    /// `scratch.bytes` / `scratch.bounds`; added tokens are not looked for (the `tokenizers`
    /// trainer counts words this way). `normalized` is a buffer for the NFC form.
    func preTokenize(_ text: UnsafeBufferPointer<UInt8>, normalized: inout [UInt8], scratch: inout PreTokenizerPipeline.Scratch) {
        guard normalizeNFC else {
            preTokenizer.run(text, scratch: &scratch)
            return
        }
        normalized = Self.nfc(text)
        normalized.withUnsafeBufferPointer { preTokenizer.run($0, scratch: &scratch) }
    }

    /// `text` (valid UTF-8) in NFC.
    static func nfc(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let string = String(decoding: text, as: UTF8.self)
        return ICU.isNormalized(string, .nfc) ? Array(text) : Array(((try? ICU.normalize(string, .nfc)) ?? string).utf8)
    }

    private static func describe(_ value: Any) -> String {
        (value as? [String: Any])?["type"].map { "type \($0)" } ?? "\(value)"
    }

    static func json(_ value: Any, path: String) throws -> String {
        do {
            let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw TokenizationError.invalidModel(path: path, detail: "cannot re-serialize a field: \(error)")
        }
    }
}
