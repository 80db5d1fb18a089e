#!/usr/bin/env bash
# The README's main job, end to end on a fresh Debian machine with Swift installed:
# set up, build, serve the local replica of both news sites on free loopback ports, crawl both
# into corpora/demo, extract, clean, train and merge the tokenizer, pack. Re-running it is
# incremental: the crawl fetches only what is new, extract and clean add only new documents.
# Environment: KO_LLAMA_DEMO_ARTICLES (articles each replica publishes, default: all 200),
# KO_LLAMA_DEMO_CORPUS (default corpora/demo), KO_LLAMA_DEMO_TOKENIZER (default tokenizer/demo),
# KO_LLAMA_DEMO_VOCAB (Korean pieces, default 8000).
set -euo pipefail
cd "$(dirname "$0")/.."

articles=${KO_LLAMA_DEMO_ARTICLES:-200}
corpus=${KO_LLAMA_DEMO_CORPUS:-corpora/demo}

bash scripts/setup.sh
swift build
bin="$(swift build --show-bin-path)/ko-llama"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "demo: replica on port $1 did not start" >&2
  return 1
}

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

mkdir -p "$corpus"
for site in xinhua-ko people-ko; do
  port=$(free_port)
  "$bin" replica serve --site "$site" --port "$port" --articles "$articles" --crawl-delay 0.02 --slow-seconds 0.5 &
  pids+=($!)
  wait_for_port "$port"
  echo "demo: crawling $site from the replica on 127.0.0.1:$port" >&2
  status=0
  "$bin" crawl --site "$site" --corpus "$corpus" --origin "http://127.0.0.1:$port" --delay 0.02 --backoff 0.5 || status=$?
  echo "demo: crawl of $site exited $status" >&2
  # 0: new pages archived; 3: nothing new (a re-run); anything else is a failure.
  if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
    echo "demo: crawl of $site failed (exit $status)" >&2
    exit "$status"
  fi
done
cleanup
pids=()

warc_files=$(find "$corpus/raw" -name '*.warc.gz' | wc -l)
warc_bytes=$(find "$corpus/raw" -name '*.warc.gz' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
pages=$(python3 - "$corpus/crawl.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT COUNT(*) FROM validators WHERE archived_at IS NOT NULL").fetchone()[0])
PY
)
echo "demo: crawl done: $pages pages archived in $warc_files WARC files ($warc_bytes bytes) under $corpus/raw"

# Extract articles from the archive, clean them into train/valid/test, train a Korean BPE
# tokenizer on the training split, merge it into the Mistral v1 base (a LLaMA-structured
# 32,000-piece BPE model that pip mistral-common ships under Apache-2.0), and pack the corpus
# into Megatron datasets. The replica corpus is small, so the demo vocabulary is 8,000 pieces;
# the paper's 20,000 come from `--vocab-size 20000` on a real crawl.
"$bin" extract --corpus "$corpus"
"$bin" clean --corpus "$corpus"
tokenizer_dir=${KO_LLAMA_DEMO_TOKENIZER:-tokenizer/demo}
"$bin" tokenizer train --input "$corpus/clean/train" --vocab-size "${KO_LLAMA_DEMO_VOCAB:-8000}" --out "$tokenizer_dir/ko.model"
base=$(python3 -c 'import mistral_common, os; print(os.path.join(os.path.dirname(mistral_common.__file__), "data", "tokenizer.model.v1"))')
"$bin" tokenizer merge --base "$base" --add "$tokenizer_dir/ko.model" --out "$tokenizer_dir/merged"
"$bin" pack --tokenizer "$tokenizer_dir/merged" --corpus "$corpus" --out "$corpus/tokens/ko"
echo "demo: done: documents in $corpus/docs, training corpus in $corpus/clean (report.md), tokenizer in $tokenizer_dir/merged, token shards in $corpus/tokens"
