#!/usr/bin/env bash
# The README's main job on a fresh Debian machine with Swift installed: install what it needs
# (scripts/setup.sh), build in release mode, and run `ko-llama pipeline` on pipeline.json (or the
# config given as the first argument): the local replica of both sites on loopback -> crawl ->
# extract -> clean -> Korean tokenizer merged into SmolLM2's -> pack -> import SmolLM2-135M ->
# resize -> perplexity -> LoRA pretraining -> perplexity -> YNAT SFT -> evaluation beside the
# linear baseline -> runs/<name>/report.html. Rerunning it redoes only what changed; an
# interrupted run resumes. The report is then checked in headless Chromium (scripts/check-report.sh;
# setup.sh installs it) and a screenshot saved beside it. Further arguments go to
# `ko-llama pipeline` (e.g. --quiet).
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:-pipeline.json}
shift $(( $# > 0 ? 1 : 0 ))

bash scripts/setup.sh
swift build -c release
bin="$(swift build -c release --show-bin-path)/ko-llama"
"$bin" pipeline --config "$config" "$@"

run=$("$bin" pipeline show-run "$config")
bash scripts/check-report.sh "$run/report.html" --screenshot "$run/report.png"
echo "pipeline: report checked in Chromium, screenshot $run/report.png" >&2
