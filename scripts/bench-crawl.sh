#!/usr/bin/env bash
# Crawl throughput and overhead against the local replica (no failure modes, no delays), side by
# side with GNU wget's recursive WARC mode, which also obeys robots.txt and writes WARC.
# Usage: scripts/bench-crawl.sh [articles per site, default 200]. Needs `swift build -c release` and wget.
set -euo pipefail
cd "$(dirname "$0")/.."
articles=${1:-200}
bin="$(swift build -c release --show-bin-path)/ko-llama"
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
serve() { # site -> port
  local port; port=$(free_port)
  "$bin" replica serve --site "$1" --port "$port" --articles "$articles" --crawl-delay 0 --no-failure-modes >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  echo "$port"
}
seconds() { python3 -c "import time; print(time.time())"; }

printf '%-10s %-9s %9s %10s %8s %9s\n' tool site fetches warc-bytes seconds fetches/s
for site in xinhua-ko people-ko; do
  port=$(serve "$site")
  start=$(seconds)
  "$bin" crawl --site "$site" --corpus "$work/ko-$site" --origin "http://127.0.0.1:$port" --delay 0 --quiet 2>/dev/null || true
  end=$(seconds)
  n=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM fetch_log').fetchone()[0])" "$work/ko-$site/crawl.sqlite")
  bytes=$(find "$work/ko-$site/raw" -name '*.warc.gz' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  python3 -c "import sys; n,b,s=int(sys.argv[1]),int(sys.argv[2]),float(sys.argv[3]); print('%-10s %-9s %9d %10d %8.2f %9.1f' % ('ko-llama', sys.argv[4], n, b, s, n/s))" "$n" "$bytes" "$(python3 -c "print($end-$start)")" "$site"

  port=$(serve "$site")
  mkdir -p "$work/wget-$site"
  start=$(seconds)
  (cd "$work/wget-$site" && wget -q --recursive --level=inf --no-parent --no-verbose --wait=0 \
      --user-agent="ko-llama-bench" --warc-file=out --no-warc-keep-log "http://127.0.0.1:$port/" 2>/dev/null || true)
  end=$(seconds)
  n=$(python3 -c "
import sys
from warcio.archiveiterator import ArchiveIterator
print(sum(1 for r in ArchiveIterator(open(sys.argv[1], 'rb')) if r.rec_type == 'response'))" "$work/wget-$site/out.warc.gz")
  bytes=$(stat -c %s "$work/wget-$site/out.warc.gz")
  python3 -c "import sys; n,b,s=int(sys.argv[1]),int(sys.argv[2]),float(sys.argv[3]); print('%-10s %-9s %9d %10d %8.2f %9.1f' % ('wget', sys.argv[4], n, b, s, n/s))" "$n" "$bytes" "$(python3 -c "print($end-$start)")" "$site"
done
