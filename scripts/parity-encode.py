#!/usr/bin/env python3
"""Checks `ko-llama tokenizer encode` against the sentencepiece Python package, line by line.

usage: python3 scripts/parity-encode.py MODEL INPUT [KO_LLAMA_BINARY]

Encodes INPUT (one text per line, UTF-8) with both and prints the number of lines, tokens and
mismatching lines (the first few are shown). Exit status 1 when any line differs. Meant for large
local data (e.g. the LLaMA tokenizer on kowiki); CI runs the fixture-sized tests instead.
"""
import subprocess, sys
import sentencepiece as spm

model, path = sys.argv[1], sys.argv[2]
binary = sys.argv[3] if len(sys.argv) > 3 else ".build/release/ko-llama"
ours = subprocess.run([binary, "tokenizer", "encode", "--model", model, "--input", path],
                      check=True, capture_output=True).stdout.decode().split("\n")[:-1]
sp = spm.SentencePieceProcessor(model_file=model)
with open(path, encoding="utf-8", newline="\n") as f:
    lines = f.read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
lines = [l[:-1] if l.endswith("\r") else l for l in lines]
assert len(ours) == len(lines), (len(ours), len(lines))
bad, tokens = 0, 0
for i, (line, got) in enumerate(zip(lines, ours)):
    want = " ".join(map(str, sp.encode(line)))
    tokens += len(want.split())
    if got != want:
        bad += 1
        if bad <= 5:
            print(f"line {i + 1}: ko-llama {got[:120]!r} sentencepiece {want[:120]!r}")
print(f"{model}: {len(lines)} lines, {tokens} tokens, {bad} mismatching lines")
sys.exit(1 if bad else 0)
