#!/usr/bin/env bash
# The README's main job, end to end on a fresh Debian machine with Swift installed:
# set up, build, serve the local replica of both news sites on free loopback ports, and crawl
# both into corpora/demo. Later stages (extract, clean, ...) are appended below the crawl.
# Environment: KO_LLAMA_DEMO_ARTICLES (articles each replica publishes, default: all 200),
# KO_LLAMA_DEMO_CORPUS (default corpora/demo).
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
