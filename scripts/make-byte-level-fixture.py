#!/usr/bin/env python3
"""Writes Tests/Fixtures/tokenizer/llama3-style-tokenizer.json: a small byte-level BPE in the
LLaMA-3 layout (the LLaMA-3 Split regex, ByteLevel without its own regex, ignore_merges,
<|begin_of_text|> / <|end_of_text|> special tokens), trained by the `tokenizers` package on
committed text (english.txt, chinese-mixed.txt and the first 60 lines of kowiki-train.txt), so
the byte-level encoder has a parity fixture that needs no download.

Usage: python3 scripts/make-byte-level-fixture.py  (needs `pip install tokenizers`)
"""
import os
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests/Fixtures/tokenizer")
LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"


def main():
    lines = []
    for name in ["english.txt", "chinese-mixed.txt"]:
        with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
            lines += f.read().split("\n")
    with open(os.path.join(FIXTURES, "kowiki-train.txt"), encoding="utf-8") as f:
        lines += f.read().split("\n")[:60]
    tokenizer = Tokenizer(models.BPE(ignore_merges=True))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=["<|begin_of_text|>", "<|end_of_text|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tokenizer.train_from_iterator(lines, trainer=trainer)
    out = os.path.join(FIXTURES, "llama3-style-tokenizer.json")
    tokenizer.save(out)
    print(out, tokenizer.get_vocab_size())


if __name__ == "__main__":
    main()
