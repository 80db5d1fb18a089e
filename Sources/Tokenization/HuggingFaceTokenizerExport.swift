import Corpus
import Foundation

/// Writes a Hugging Face LLaMA tokenizer folder for a SentencePiece BPE model, as transformers'
/// `LlamaConverter` builds it (legacy, i.e. sentencepiece's own behaviour): `tokenizer.json`
/// (BPE with the vocabulary, merges derived from the pieces ordered by score, byte fallback,
/// `Prepend("▁")` + `Replace(" ", "▁")` normalizer, the LLaMA decoder, a `<s> $A` template, or
/// transformers' `[bos] $A [eos]` one when `addBos` / `addEos` say otherwise),
/// `tokenizer_config.json` and `special_tokens_map.json`.
/// USER_DEFINED pieces, which sentencepiece cuts out of the normalized text and emits whole, are
/// isolated by a `Split` pre-tokenizer after the normalizer and emitted whole by BPE's
/// `ignore_merges` (as transformers' own SentencePiece conversion does). Added tokens would not
/// do: they are cut from the raw text, so `Prepend` would put a `▁` after each of them.
/// The config names `PreTrainedTokenizerFast`, which loads `tokenizer.json` as written; transformers
/// 5's `LlamaTokenizer` rebuilds its own Metaspace pipeline instead, which drops a space before text
/// that starts with one, so it would not encode like sentencepiece.
public enum HuggingFaceTokenizerExport {
    /// Writes the three files into `directory`; `path` names the model in errors.
    public static func write(model: SentencePieceModel, to directory: String, path: String = "<model>") throws {
        for (name, contents) in try files(model: model, path: path, addBos: true, addEos: false) {
            try AtomicFileWriter.write(contents, to: directory + "/" + name)
        }
    }

    /// The three files' names and contents, or an error when the model cannot be expressed;
    /// `addBos` / `addEos`: whether encoding adds the model's BOS / EOS (LLaMA: true / false).
    public static func files(model: SentencePieceModel, path: String, addBos: Bool, addEos: Bool) throws -> [(name: String, contents: String)] {
        let spec = model.proto.normalizerSpec
        guard spec.precompiledCharsmap.isEmpty, !spec.removeExtraWhitespaces, spec.escapeWhitespaces,
              !model.proto.trainerSpec.treatWhitespaceAsSuffix else {
            throw TokenizationError.unsupportedModel(path: path, detail: "Hugging Face export needs an identity normalizer without remove_extra_whitespaces (as LLaMA and Mistral have)")
        }
        let processor = try SentencePieceProcessor(model: model, path: path)
        let pieces = model.pieces
        let trainer = model.proto.trainerSpec
        func token(_ id: Int32?, _ fallback: String) -> String { id.map { processor.piece(Int($0)) } ?? fallback }
        let unk = processor.piece(Int(processor.unknownId))
        let bos = token(processor.bosId, trainer.bosPiece)
        let eos = token(processor.eosId, trainer.eosPiece)
        let q = JSONString.literal

        var json = "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": ["
        let special = pieces.indices.filter { pieces[$0].type == .control || pieces[$0].type == .unknown }
        json += special.map { i in
            "\n    {\"id\": \(i), \"content\": \(q(pieces[i].piece)), \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}"
        }.joined(separator: ",")
        json += "\n  ],\n"
        json += "  \"normalizer\": {\"type\": \"Sequence\", \"normalizers\": ["
        json += spec.addDummyPrefix ? "{\"type\": \"Prepend\", \"prepend\": \"▁\"}, " : ""
        json += "{\"type\": \"Replace\", \"pattern\": {\"String\": \" \"}, \"content\": \"▁\"}]},\n"
        // Longest first, so the regex takes the longest symbol at each position like spm's matcher.
        let userDefined = pieces.filter { $0.type == .userDefined }.map(\.piece)
            .sorted { $0.utf8.count != $1.utf8.count ? $0.utf8.count > $1.utf8.count : $0.utf8.lexicographicallyPrecedes($1.utf8) }
        if userDefined.isEmpty {
            json += "  \"pre_tokenizer\": null,\n"
        } else {
            let pattern = userDefined.map(regexEscaped).joined(separator: "|")
            json += "  \"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \(q(pattern))}, \"behavior\": \"Isolated\", \"invert\": false},\n"
        }
        let added = [addBos ? processor.bosId.map { (bos, $0) } : nil, addEos ? processor.eosId.map { (eos, $0) } : nil]
        if added.contains(where: { $0 != nil }) {
            func sequence(_ name: String, _ typeId: Int) -> [String] {
                let special = added.map { $0.map { "{\"SpecialToken\": {\"id\": \(q($0.0)), \"type_id\": \(typeId)}}" } }
                return [special[0], "{\"Sequence\": {\"id\": \"\(name)\", \"type_id\": \(typeId)}}", special[1]].compactMap { $0 }
            }
            let tokens = added.compactMap { $0 }.map { "\(q($0.0)): {\"id\": \(q($0.0)), \"ids\": [\($0.1)], \"tokens\": [\(q($0.0))]}" }
            json += "  \"post_processor\": {\"type\": \"TemplateProcessing\", "
            json += "\"single\": [\(sequence("A", 0).joined(separator: ", "))], "
            json += "\"pair\": [\((sequence("A", 0) + sequence("B", 1)).joined(separator: ", "))], "
            json += "\"special_tokens\": {\(Array(Set(tokens)).sorted().joined(separator: ", "))}},\n"
        } else {
            json += "  \"post_processor\": null,\n"
        }
        json += "  \"decoder\": {\"type\": \"Sequence\", \"decoders\": [{\"type\": \"Replace\", \"pattern\": {\"String\": \"▁\"}, \"content\": \" \"}, {\"type\": \"ByteFallback\"}, {\"type\": \"Fuse\"}"
        json += spec.addDummyPrefix ? ", {\"type\": \"Strip\", \"content\": \" \", \"start\": 1, \"stop\": 0}]},\n" : "]},\n"
        json += "  \"model\": {\"type\": \"BPE\", \"dropout\": null, \"unk_token\": \(q(unk)), \"continuing_subword_prefix\": null, \"end_of_word_suffix\": null, \"fuse_unk\": true, \"byte_fallback\": \(trainer.byteFallback), \"ignore_merges\": \(!userDefined.isEmpty),\n    \"vocab\": {"
        json += pieces.indices.map { "\(q(pieces[$0].piece)): \($0)" }.joined(separator: ", ")
        json += "},\n    \"merges\": [\n"
        json += merges(processor: processor, pieces: pieces).map { "      [\(q($0.0)), \(q($0.1))]" }.joined(separator: ",\n")
        json += "\n    ]\n  }\n}\n"

        let config = """
        {
          "tokenizer_class": "PreTrainedTokenizerFast",
          "add_bos_token": \(addBos),
          "add_eos_token": \(addEos),
          "legacy": true,
          "add_prefix_space": \(spec.addDummyPrefix),
          "bos_token": \(q(bos)),
          "eos_token": \(q(eos)),
          "unk_token": \(q(unk)),
          "pad_token": null,
          "clean_up_tokenization_spaces": false,
          "model_max_length": 1000000000000000019884624838656,
          "sp_model_kwargs": {}
        }

        """
        let specialTokensMap = "{\n  \"bos_token\": \(q(bos)),\n  \"eos_token\": \(q(eos)),\n  \"unk_token\": \(q(unk))\n}\n"
        return [("tokenizer.json", json), ("tokenizer_config.json", config), ("special_tokens_map.json", specialTokensMap)]
    }

    /// `text` as a literal in a tokenizers (Oniguruma) regex: the characters Python's `re.escape`
    /// escapes get a backslash.
    static func regexEscaped(_ text: String) -> String {
        var out = ""
        for c in text {
            if "\\.^$|?*+()[]{}-&~#".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Merge rules equivalent to the pieces, as transformers' `generate_merges` derives them: for
    /// every piece BPE can form, each split into two vocabulary pieces, ordered by the piece's
    /// score (highest first, then id), and within a piece by the ids of the halves.
    static func merges(processor: SentencePieceProcessor, pieces: [Sentencepiece_ModelProto.SentencePiece]) -> [(String, String)] {
        var entries: [(score: Float, id: Int, left: Int32, right: Int32)] = []
        for (id, p) in pieces.enumerated() where p.type == .normal || p.type == .userDefined {
            let bytes = Array(p.piece.utf8)
            var cut = 0
            var local: [(Int32, Int32)] = []
            while true {
                cut += bytes.withUnsafeBufferPointer { UTF8Scanner.characterLength($0.baseAddress! + cut, $0.count - cut) }
                if cut >= bytes.count { break }
                let l = processor.table.id(bytes[..<cut]), r = processor.table.id(bytes[cut...])
                if l >= 0 && r >= 0 { local.append((l, r)) }
            }
            local.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            for (l, r) in local { entries.append((p.score, id, l, r)) }
        }
        // A stable order: score descending, then piece id, then the halves' ids (already sorted).
        let order = entries.indices.sorted { a, b in
            entries[a].score != entries[b].score ? entries[a].score > entries[b].score : a < b
        }
        return order.map { (processor.piece(Int(entries[$0].left)), processor.piece(Int(entries[$0].right))) }
    }
}
