#!/usr/bin/env python3
"""Writes the small GGUF fixtures under Tests/Fixtures/gguf/ with gguf-py's GGUFWriter.

- quant-types.gguf (patched to GGUF v2, alignment 64): one tensor per ggml type the importer reads
  (F32 with inf/NaN/-0/subnormals, every F16 and BF16 bit pattern, Q8_0/Q4_0/Q4_1 from
  gguf.quants.quantize, Q4_K/Q6_K as random blocks with finite fp16 scales since gguf-py cannot
  quantize those), a 3-D tensor, a Q5_0 tensor (a type the importer does not dequantize), and
  metadata of every value type including nested arrays.
- tiny-llama.gguf (v3): a 2-layer LLaMA (hidden 64, 4 heads, 2 KV heads, ffn 128, untied output)
  with a byte-level BPE tokenizer (`llama-bpe` pre-tokenizer, BOS added, a chat template).
- tokenizer-qwen2.gguf, tokenizer-gpt2.gguf: the same vocabulary with the `qwen2` and `gpt2`
  pre-tokenizers and no tensors, for the tokenizer conversion.

`--sentencepiece MODEL OUT` writes the tiny LLaMA with the SentencePiece vocabulary of MODEL
(`tokenizer.ggml.model = llama`, pieces, scores and types as llama.cpp's convert_hf_to_gguf
`_create_vocab_sentencepiece` stores them) to OUT instead; the tests build it at run time from
mistral_common's tokenizer.model.v1, whose 32,000 pieces would make too big a fixture.

The tests compare the Swift reader against gguf-py's dequantize on these same bytes, so the
values need only be deterministic, not meaningful. Usage: python3 scripts/make-gguf-fixtures.py [--sentencepiece MODEL OUT]
"""
import os
import struct
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q, GGUFValueType as V, TokenType

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "gguf")


def bytes_to_unicode():
    """GPT-2's printable spelling of each byte."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


TRAIN_TEXT = (
    "The quick brown fox jumps over the lazy dog. Hello world, hello there! "
    "It's the model's turn; they're done and we'll see. 12345 67 8.\n"
    "안녕하세요. 한국어 문장을 토큰으로 나눕니다. 서울은 한국의 수도입니다. 안녕 세상!\n"
)


def train_merges(text, count):
    """A plain byte-level BPE over GPT-2-style words (highest count, then first seen)."""
    spell = bytes_to_unicode()
    import re
    words = re.findall(r" ?[A-Za-z]+| ?[0-9]+| ?[\uac00-\ud7a3]+| ?[^\sA-Za-z0-9\uac00-\ud7a3]+|\s+", text)
    seqs = [[spell[b] for b in w.encode("utf-8")] for w in words]
    merges = []
    for _ in range(count):
        counts, first = {}, {}
        for s in seqs:
            for a, b in zip(s, s[1:]):
                counts[(a, b)] = counts.get((a, b), 0) + 1
                first.setdefault((a, b), len(first))
        if not counts:
            break
        best = max(counts, key=lambda p: (counts[p], -first[p]))
        merges.append(best)
        for s in seqs:
            i = 0
            while i < len(s) - 1:
                if (s[i], s[i + 1]) == best:
                    s[i:i + 2] = [s[i] + s[i + 1]]
                else:
                    i += 1
    return merges


def tokenizer_vocab():
    spell = bytes_to_unicode()
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    alphabet = [spell[b] for b in range(256)]
    merges = train_merges(TRAIN_TEXT, 120)
    merged = []
    for a, b in merges:
        if a + b not in merged:
            merged.append(a + b)
    tokens = specials + alphabet + merged + ["<think>"]
    types = [TokenType.CONTROL] * len(specials) + [TokenType.NORMAL] * (len(alphabet) + len(merged)) + [TokenType.USER_DEFINED]
    return tokens, [int(t) for t in types], [f"{a} {b}" for a, b in merges]


CHAT_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def add_tokenizer(w, pre, add_bos):
    tokens, types, merges = tokenizer_vocab()
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre(pre)
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_unk_token_id(0)
    w.add_pad_token_id(2)
    w.add_add_bos_token(add_bos)
    w.add_chat_template(CHAT_TEMPLATE)
    return len(tokens)


def random_blocks(rng, rows, cols, block_elems, block_bytes, scale_offsets):
    """Random bytes in whole blocks, with every fp16 scale field a small finite value."""
    n_blocks = rows * cols // block_elems
    blocks = rng.integers(0, 256, size=(n_blocks, block_bytes), dtype=np.uint8)
    for off in scale_offsets:
        scales = (rng.standard_normal(n_blocks) * 0.01).astype(np.float16)
        blocks[:, off:off + 2] = scales.view(np.uint8).reshape(n_blocks, 2)
    return blocks.reshape(rows, cols // block_elems * block_bytes)


def write_quant_types(path):
    rng = np.random.default_rng(12)
    w = gguf.GGUFWriter(path, "llama")
    w.add_custom_alignment(64)
    # One value of every metadata type.
    w.add_uint8("test.u8", 200)
    w.add_key_value("test.i8", -100, V.INT8)
    w.add_uint16("test.u16", 60000)
    w.add_key_value("test.i16", -30000, V.INT16)
    w.add_uint32("test.u32", 4000000000)
    w.add_key_value("test.i32", -2000000000, V.INT32)
    w.add_float32("test.f32", 0.15625)
    w.add_bool("test.bool", True)
    w.add_string("test.string", "한국어 text")
    w.add_uint64("test.u64", 2**63 + 5)
    w.add_key_value("test.i64", -(2**62), V.INT64)
    w.add_float64("test.f64", 1e-300)
    w.add_key_value("test.array.u8", [1, 2, 255], V.ARRAY, sub_type=V.UINT8)
    w.add_key_value("test.array.f32", [0.5, -1.25], V.ARRAY, sub_type=V.FLOAT32)
    w.add_array("test.array.strings", ["a", "", "안녕"])
    w.add_key_value("test.array.nested", [[1, 2], [3]], V.ARRAY)
    w.add_key_value("test.array.deep", [[["x", "y"]], [["z"]]], V.ARRAY)
    # Tensors. F32 with the awkward values; F16 and BF16 with every bit pattern.
    specials = np.array([0.0, -0.0, 1.0, -2.5, np.inf, -np.inf, np.nan, 1e-45, 3.4e38, -1e-40], dtype=np.float32)
    f32 = np.concatenate([specials, rng.standard_normal(22).astype(np.float32)]).reshape(4, 8)
    w.add_tensor("f32", f32)
    w.add_tensor("f16", np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16).reshape(256, 256))
    bf16 = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.uint8).reshape(256, 512)
    w.add_tensor("bf16", bf16, raw_dtype=Q.BF16)
    dense = (rng.standard_normal((5, 96)) * 0.3).astype(np.float32)
    for name, qtype in (("q8_0", Q.Q8_0), ("q4_0", Q.Q4_0), ("q4_1", Q.Q4_1), ("q5_0", Q.Q5_0)):
        w.add_tensor(name, gguf.quants.quantize(dense, qtype), raw_dtype=qtype)
    w.add_tensor("q4_k", random_blocks(rng, 3, 512, 256, 144, [0, 2]), raw_dtype=Q.Q4_K)
    w.add_tensor("q6_k", random_blocks(rng, 3, 512, 256, 210, [208]), raw_dtype=Q.Q6_K)
    w.add_tensor("three.d", rng.standard_normal((2, 3, 4)).astype(np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    # GGUF v2 differs from v3 only in lacking big-endian files: same bytes, version 2.
    with open(path, "r+b") as f:
        f.seek(4)
        f.write(struct.pack("<I", 2))


def add_sentencepiece_tokenizer(w, model_path):
    """llama.cpp's `_create_vocab_sentencepiece` for a tokenizer.model without added tokens."""
    import sentencepiece
    sp = sentencepiece.SentencePieceProcessor(model_file=model_path)
    tokens, scores, types = [], [], []
    for i in range(sp.vocab_size()):
        kind = TokenType.NORMAL
        if sp.is_unknown(i):
            kind = TokenType.UNKNOWN
        elif sp.is_control(i):
            kind = TokenType.CONTROL
        elif sp.is_unused(i):
            kind = TokenType.UNUSED
        elif sp.is_byte(i):
            kind = TokenType.BYTE
        tokens.append(sp.id_to_piece(i))
        scores.append(sp.get_score(i))
        types.append(int(kind))
    w.add_tokenizer_model("llama")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_bos_token_id(sp.bos_id())
    w.add_eos_token_id(sp.eos_id())
    w.add_unk_token_id(sp.unk_id())
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    return len(tokens)


def llama_permute(weights, n_head, n_head_kv):
    """llama.cpp's convert_hf_to_gguf `LlamaModel.permute`: HF rows to its rotary layout."""
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return (weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:])
            .swapaxes(1, 2).reshape(weights.shape))


def write_tiny_llama(path, add_vocab=lambda w: add_tokenizer(w, "llama-bpe", True)):
    rng = np.random.default_rng(34)
    hidden, heads, kv_heads, ffn, layers = 64, 4, 2, 128, 2
    head_dim = hidden // heads
    w = gguf.GGUFWriter(path, "llama")
    w.add_name("tiny-llama")
    w.add_block_count(layers)
    w.add_context_length(256)
    w.add_embedding_length(hidden)
    w.add_feed_forward_length(ffn)
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    w.add_rope_freq_base(50000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(head_dim)
    vocab = add_vocab(w)

    def mat(rows, cols, scale=0.08):
        return (rng.standard_normal((rows, cols)) * scale).astype(np.float32)

    def quant(name, values, qtype):
        if qtype == Q.F32:
            w.add_tensor(name, values)
        elif qtype == Q.F16:
            w.add_tensor(name, values.astype(np.float16))
        else:
            w.add_tensor(name, gguf.quants.quantize(values, qtype), raw_dtype=qtype)

    quant("token_embd.weight", mat(vocab, hidden, 0.5), Q.Q8_0)
    kinds = [(Q.Q4_0, Q.Q4_1, Q.Q8_0, Q.F16, Q.BF16, Q.Q4_1, Q.Q8_0),
             (Q.Q4_1, Q.Q8_0, Q.Q4_0, Q.BF16, Q.F16, Q.Q8_0, Q.F32)]
    for i in range(layers):
        q, k, v, o, gate, up, down = kinds[i]
        quant(f"blk.{i}.attn_norm.weight", (1 + 0.1 * rng.standard_normal(hidden)).astype(np.float32), Q.F32)
        quant(f"blk.{i}.attn_q.weight", llama_permute(mat(hidden, hidden), heads, heads), q)
        quant(f"blk.{i}.attn_k.weight", llama_permute(mat(kv_heads * head_dim, hidden), heads, kv_heads), k)
        quant(f"blk.{i}.attn_v.weight", mat(kv_heads * head_dim, hidden), v)
        quant(f"blk.{i}.attn_output.weight", mat(hidden, hidden), o)
        quant(f"blk.{i}.ffn_norm.weight", (1 + 0.1 * rng.standard_normal(hidden)).astype(np.float32), Q.F32)
        quant(f"blk.{i}.ffn_gate.weight", mat(ffn, hidden), gate)
        quant(f"blk.{i}.ffn_up.weight", mat(ffn, hidden), up)
        quant(f"blk.{i}.ffn_down.weight", mat(hidden, ffn), down)
    quant("output_norm.weight", (1 + 0.1 * rng.standard_normal(hidden)).astype(np.float32), Q.F32)
    quant("output.weight", mat(vocab, hidden, 0.2), Q.Q4_1)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def write_tokenizer_only(path, pre):
    w = gguf.GGUFWriter(path, "llama")
    add_tokenizer(w, pre, False)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def main():
    os.makedirs(OUT, exist_ok=True)
    write_quant_types(os.path.join(OUT, "quant-types.gguf"))
    write_tiny_llama(os.path.join(OUT, "tiny-llama.gguf"))
    write_tokenizer_only(os.path.join(OUT, "tokenizer-qwen2.gguf"), "qwen2")
    write_tokenizer_only(os.path.join(OUT, "tokenizer-gpt2.gguf"), "gpt2")
    for name in sorted(os.listdir(OUT)):
        print(f"{name}: {os.path.getsize(os.path.join(OUT, name))} bytes", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--sentencepiece":
        write_tiny_llama(sys.argv[3], lambda w: add_sentencepiece_tokenizer(w, sys.argv[2]))
    elif len(sys.argv) == 1:
        main()
    else:
        sys.exit(__doc__)
