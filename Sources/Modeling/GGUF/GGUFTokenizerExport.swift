import Corpus

/// Writes the tokenizer a GGUF file describes as a Hugging Face tokenizer folder:
/// `tokenizer.json`, `tokenizer_config.json` and `special_tokens_map.json`.
/// Mirrors transformers' GGUF tokenizer conversion (`integrations/gguf/gguf_tokenizer_mapping.py`,
/// `byte_level_tokenizer` + `add_gguf_special_tokens` + `set_split_regex`) for
/// `tokenizer.ggml.model = gpt2`: a byte-level BPE whose tokens not already spelled in GPT-2's
/// byte alphabet are respelled through it, the file's merges, CONTROL tokens as special added
/// tokens, USER_DEFINED ones as plain added tokens, the `Split` regex `tokenizer.ggml.pre` names
/// (GPT-2's built-in ByteLevel regex for `gpt2`, `smollm` and files without one), and a BOS
/// template when `tokenizer.ggml.add_bos_token` says so.
/// (llama.cpp's `smollm` also splits digits one by one; SmolLM2's vocabulary has no token with a
/// digit beside anything else, so the ids are the same.) SentencePiece GGUFs
/// (`tokenizer.ggml.model = llama`) are read by `sentencePieceVocabulary(_:)` instead, which
/// Modeling cannot turn into a `tokenizer.model` itself (that is Tokenization's).
public enum GGUFTokenizerExport {
    /// Writes `files` (from `files(_:)`) into `directory`, which must exist.
    public static func write(_ files: [(name: String, contents: String)], to directory: String) throws {
        for (name, contents) in files {
            try AtomicFileWriter.write(Array(contents.utf8), to: directory + "/" + name)
        }
    }

    /// LLaMA-3's pre-tokenizer regex, and the `tokenizer.ggml.pre` names that use it.
    static let llama3Split = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let llama3Names: Set<String> = ["llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano", "dbrx", "smaug-bpe"]
    /// Qwen2's, which differs in splitting digits one by one.
    static let qwen2Split = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Names: Set<String> = ["qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez"]
    /// Names whose pre-tokenizer is GPT-2's own regex (ByteLevel with `use_regex`).
    static let gpt2Names: Set<String> = ["default", "gpt2", "gpt-2", "smollm"]

    /// GGUF token types (llama.cpp's `llama_token_type`).
    static let controlType = 3, userDefinedType = 4

    /// The three files' names and contents.
    public static func files(_ file: GGUFFile) throws -> [(name: String, contents: String)] {
        let path = file.path
        let model = try file.string("tokenizer.ggml.model")
        guard model == "gpt2" else {
            if model == "llama" {
                throw GGUFError.unsupported(path: path, detail: "tokenizer.ggml.model 'llama' is SentencePiece, not byte-level BPE: read it with sentencePieceVocabulary")
            }
            throw GGUFError.unsupported(path: path, detail: "tokenizer.ggml.model \(model.map { "'\($0)'" } ?? "missing"); only byte-level BPE (gpt2) and SentencePiece (llama) are converted")
        }
        guard let tokens = try file.stringArray("tokenizer.ggml.tokens") else {
            throw GGUFError.metadata(path: path, key: "tokenizer.ggml.tokens", detail: "missing")
        }
        guard let merges = try file.stringArray("tokenizer.ggml.merges") else {
            throw GGUFError.metadata(path: path, key: "tokenizer.ggml.merges", detail: "missing")
        }
        let types = try file.integerArray("tokenizer.ggml.token_type") ?? []
        guard types.isEmpty || types.count == tokens.count else {
            throw GGUFError.metadata(path: path, key: "tokenizer.ggml.token_type", detail: "\(types.count) types for \(tokens.count) tokens")
        }
        let q = JSONString.literal

        // The vocabulary in the byte alphabet; a later token respelled like an earlier one takes
        // its place, as in transformers' dict comprehension. Keys are UTF-8 bytes, never String
        // equality (which would merge canonically equivalent tokens).
        let alphabet = ByteAlphabet()
        let spelled = tokens.map(alphabet.spell)
        var idOf: [[UInt8]: Int] = [:]
        idOf.reserveCapacity(tokens.count)
        for (id, s) in spelled.enumerated() { idOf[Array(s.utf8)] = id }

        func token(_ key: String) throws -> String? {
            guard let id = try file.integer(key) else { return nil }
            guard tokens.indices.contains(id) else {
                throw GGUFError.metadata(path: path, key: key, detail: "id \(id) is outside the vocabulary (0..<\(tokens.count))")
            }
            return tokens[id]
        }
        let bos = try token("tokenizer.ggml.bos_token_id"), eos = try token("tokenizer.ggml.eos_token_id")
        let unk = try token("tokenizer.ggml.unknown_token_id"), pad = try token("tokenizer.ggml.padding_token_id")
        let addBos = try file.bool("tokenizer.ggml.add_bos_token") ?? false, addEos = try file.bool("tokenizer.ggml.add_eos_token") ?? false

        var added: [(id: Int, content: String, special: Bool)] = []
        var seen = Set<Int>()
        for (i, type) in types.enumerated() where type == controlType || type == userDefinedType {
            // A CONTROL token outside the byte alphabet is a llama.cpp mislabel that transformers
            // skips; a USER_DEFINED one must be in the vocabulary as it is spelled.
            if type == controlType && !alphabet.spells(tokens[i]) { continue }
            guard let id = idOf[Array(tokens[i].utf8)], seen.insert(id).inserted else { continue }
            added.append((id, tokens[i], type == controlType))
        }
        added.sort { $0.id < $1.id }

        var json = "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": ["
        json += added.map { t in
            "\n    {\"id\": \(t.id), \"content\": \(q(t.content)), \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": \(t.special)}"
        }.joined(separator: ",")
        json += "\n  ],\n  \"normalizer\": null,\n"
        json += "  \"pre_tokenizer\": \(try preTokenizer(file)),\n"
        // Every token's spelling is a key of idOf, so these lookups cannot fail.
        func withId(_ t: String?) -> (String, Int)? { t.map { ($0, idOf[Array(alphabet.spell($0).utf8)] ?? 0) } }
        json += "  \"post_processor\": \(postProcessor(bos: addBos ? withId(bos) : nil, eos: addEos ? withId(eos) : nil)),\n"
        json += "  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},\n"
        json += "  \"model\": {\"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, \"continuing_subword_prefix\": \"\", \"end_of_word_suffix\": \"\", \"fuse_unk\": false, \"byte_fallback\": false, \"ignore_merges\": false,\n"
        json += "    \"vocab\": {"
        var first = true
        for (id, s) in spelled.enumerated() where idOf[Array(s.utf8)] == id {
            json += (first ? "\n      " : ",\n      ") + q(s) + ": \(id)"
            first = false
        }
        json += "\n    },\n    \"merges\": ["
        for (i, merge) in merges.enumerated() {
            let parts = merge.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw GGUFError.metadata(path: path, key: "tokenizer.ggml.merges", detail: "merge \(i) '\(merge)' is not two tokens separated by one space")
            }
            json += (i == 0 ? "\n      [" : ",\n      [") + q(String(parts[0])) + ", " + q(String(parts[1])) + "]"
        }
        json += "\n    ]\n  }\n}\n"

        let specials: [(String, String?)] = [("bos_token", bos), ("eos_token", eos), ("pad_token", pad), ("unk_token", unk)]
        var config: [(String, String)] = [("add_bos_token", "\(addBos)"), ("add_eos_token", "\(addEos)")]
        config += specials.compactMap { k, v in v.map { (k, q($0)) } }
        if let template = try file.string("tokenizer.chat_template") { config.append(("chat_template", q(template))) }
        config.append(("clean_up_tokenization_spaces", "false"))
        if let context = try file.integer("llama.context_length") { config.append(("model_max_length", "\(context)")) }
        config.append(("tokenizer_class", q("PreTrainedTokenizerFast")))
        config.sort { $0.0 < $1.0 }
        let map = specials.compactMap { k, v in v.map { "  \(q(k)): \(q($0))" } }.joined(separator: ",\n")
        return [
            ("tokenizer.json", json),
            ("tokenizer_config.json", "{\n" + config.map { "  \(q($0.0)): \($0.1)" }.joined(separator: ",\n") + "\n}\n"),
            ("special_tokens_map.json", "{\n" + map + "\n}\n"),
        ]
    }

    /// The SentencePiece vocabulary of a `tokenizer.ggml.model = llama` file, checked: tokens,
    /// scores and token types of one length, special ids inside the vocabulary. Reads the keys
    /// transformers' `get_gguf_tokenizer` reads (`integrations/gguf/gguf_tokenizer_mapping.py`),
    /// with its SentencePiece default of adding BOS, and llama.cpp's of prefixing a space.
    public static func sentencePieceVocabulary(_ file: GGUFFile) throws -> GGUFSentencePieceVocabulary {
        let path = file.path
        let model = try file.string("tokenizer.ggml.model")
        guard model == "llama" else {
            throw GGUFError.unsupported(path: path, detail: "tokenizer.ggml.model \(model.map { "'\($0)'" } ?? "missing") is not SentencePiece (llama)")
        }
        func array<T>(_ key: String, _ read: (String) throws -> [T]?) throws -> [T] {
            guard let values = try read(key) else { throw GGUFError.metadata(path: path, key: key, detail: "missing") }
            return values
        }
        let tokens = try array("tokenizer.ggml.tokens", file.stringArray)
        let scores = try array("tokenizer.ggml.scores", file.floatArray)
        let types = try array("tokenizer.ggml.token_type", file.integerArray)
        for (key, count) in [("tokenizer.ggml.scores", scores.count), ("tokenizer.ggml.token_type", types.count)] where count != tokens.count {
            throw GGUFError.metadata(path: path, key: key, detail: "\(count) values for \(tokens.count) tokens")
        }
        func id(_ key: String) throws -> Int? {
            guard let id = try file.integer(key) else { return nil }
            guard tokens.indices.contains(id) else {
                throw GGUFError.metadata(path: path, key: key, detail: "id \(id) is outside the vocabulary (0..<\(tokens.count))")
            }
            return id
        }
        return GGUFSentencePieceVocabulary(
            tokens: tokens, scores: scores, types: types,
            bosId: try id("tokenizer.ggml.bos_token_id"), eosId: try id("tokenizer.ggml.eos_token_id"),
            unkId: try id("tokenizer.ggml.unknown_token_id"), padId: try id("tokenizer.ggml.padding_token_id"),
            addBos: try file.bool("tokenizer.ggml.add_bos_token") ?? true, addEos: try file.bool("tokenizer.ggml.add_eos_token") ?? false,
            addSpacePrefix: try file.bool("tokenizer.ggml.add_space_prefix") ?? true
        )
    }

    /// The pre-tokenizer `tokenizer.ggml.pre` names, as JSON.
    static func preTokenizer(_ file: GGUFFile) throws -> String {
        let pre = try file.string("tokenizer.ggml.pre") ?? "default"
        let regex: String
        if gpt2Names.contains(pre) {
            return "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true}"
        } else if llama3Names.contains(pre) {
            regex = llama3Split
        } else if qwen2Names.contains(pre) {
            regex = qwen2Split
        } else {
            let known = (gpt2Names.union(llama3Names).union(qwen2Names)).sorted().joined(separator: ", ")
            throw GGUFError.unsupported(path: file.path, detail: "tokenizer.ggml.pre '\(pre)' (known: \(known))")
        }
        return "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": \(JSONString.literal(regex))}, \"behavior\": \"Isolated\", \"invert\": false}, "
            + "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": false}]}"
    }

    /// transformers' `update_post_processor` template: `[bos] $A [eos]`, and for pairs
    /// `[bos] $A [eos] [bos] $B [eos]`.
    static func postProcessor(bos: (String, Int)?, eos: (String, Int)?) -> String {
        let q = JSONString.literal
        func special(_ t: (String, Int)?, _ typeId: Int) -> [String] {
            t.map { ["{\"SpecialToken\": {\"id\": \(q($0.0)), \"type_id\": \(typeId)}}"] } ?? []
        }
        func sequence(_ name: String, _ typeId: Int) -> String { "{\"Sequence\": {\"id\": \"\(name)\", \"type_id\": \(typeId)}}" }
        let single = special(bos, 0) + [sequence("A", 0)] + special(eos, 0)
        let pair = single + special(bos, 1) + [sequence("B", 1)] + special(eos, 1)
        var tokens: [String] = []
        for t in [bos, eos].compactMap({ $0 }) where !tokens.contains(where: { $0.hasPrefix(q(t.0) + ":") }) {
            tokens.append("\(q(t.0)): {\"id\": \(q(t.0)), \"ids\": [\(t.1)], \"tokens\": [\(q(t.0))]}")
        }
        return "{\"type\": \"TemplateProcessing\", \"single\": [\(single.joined(separator: ", "))], \"pair\": [\(pair.joined(separator: ", "))], \"special_tokens\": {\(tokens.joined(separator: ", "))}}"
    }
}

/// A SentencePiece vocabulary as a GGUF file stores it (`tokenizer.ggml.*`): one token, score
/// and llama.cpp token type (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte)
/// per id, the special ids, and whether BOS / EOS are added and a space is prefixed.
public struct GGUFSentencePieceVocabulary: Sendable, Equatable {
    public var tokens: [String]
    public var scores: [Float]
    public var types: [Int]
    public var bosId: Int?, eosId: Int?, unkId: Int?, padId: Int?
    public var addBos: Bool, addEos: Bool, addSpacePrefix: Bool
}

/// GPT-2's `bytes_to_unicode`: each byte as a printable code point (printable Latin-1 bytes as
/// themselves, the rest from U+0100 on).
struct ByteAlphabet {
    let scalars: [Unicode.Scalar]
    let members: Set<UInt32>

    init() {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b) {
                table[b] = UInt32(b)
            } else {
                table[b] = next
                next += 1
            }
        }
        scalars = table.map { Unicode.Scalar($0)! }
        members = Set(table)
    }

    /// Whether every scalar of `s` is one of the 256 byte spellings.
    func spells(_ s: String) -> Bool { s.unicodeScalars.allSatisfy { members.contains($0.value) } }

    /// `s` itself when already in the alphabet, else its UTF-8 bytes spelled in it.
    func spell(_ s: String) -> String {
        if spells(s) { return s }
        var out = String.UnicodeScalarView()
        for b in s.utf8 { out.append(scalars[Int(b)]) }
        return String(out)
    }
}
