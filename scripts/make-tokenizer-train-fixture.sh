#!/usr/bin/env bash
# Regenerates Tests/Fixtures/tokenizer-train/ from the 100 MB Korean Wikipedia sample
# (CC BY-SA; see ATTRIBUTION.md there). Deterministic: takes fixed line ranges of paragraphs.
#   scripts/make-tokenizer-train-fixture.sh [path/to/kowiki_dev_100MB.txt.zst]
set -eu
src="${1:-../shared/data/kowiki/kowiki_dev_100MB.txt.zst}"
out="$(cd "$(dirname "$0")/.." && pwd)/Tests/Fixtures/tokenizer-train"
mkdir -p "$out"
# Non-empty paragraphs only; training text from the start, held-out text from further on.
zstd -dc "$src" | awk 'NF > 0' | head -n 6000 | head -c 350000 | sed '$d' > "$out/train.txt"
zstd -dc "$src" | awk 'NF > 0' | sed -n '200000,201000p' | head -c 60000 | sed '$d' > "$out/heldout.txt"
wc -c "$out/train.txt" "$out/heldout.txt"
