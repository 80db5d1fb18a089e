#!/usr/bin/env bash
# Loads a run report (runs/<name>/report.html) in headless Chromium from Debian and fails when
# the page logs anything to the console (a CSP violation, a blocked load, a script error: the
# page has no script and loads nothing), when an expected section or plot id is missing from
# the DOM Chromium built, or when a plot has no marks. Saves a screenshot.
#
# usage: scripts/check-report.sh REPORT.html [--expect id,id,...] [--screenshot OUT.png]
#   --expect      ids that must be in the page (default: every section and plot of a full run)
#   --screenshot  where the PNG goes (default: REPORT.png beside the page)
# scripts/setup.sh installs chromium and fonts-nanum (a Korean font: without one Hangul renders as
# empty boxes); when either is still missing it is installed here with apt-get.
set -euo pipefail

if [ $# -lt 1 ]; then
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 64
fi
html=$1; shift
expect="summary,corpus,tokenizer,training,perplexity,ynat,stages,plot-corpus-sites,plot-filter-reasons,plot-tokenizer,plot-loss-pretrain,plot-perplexity,plot-ynat,plot-confusion,plot-stages"
shot="${html%.html}.png"
while [ $# -gt 0 ]; do
  case "$1" in
    --expect) expect=$2; shift 2 ;;
    --screenshot) shot=$2; shift 2 ;;
    *) echo "check-report: unknown option $1" >&2; exit 64 ;;
  esac
done
[ -f "$html" ] || { echo "check-report: $html does not exist" >&2; exit 1; }

chromium=$(command -v chromium || command -v chromium-browser || true)
korean_font=$(fc-list :lang=ko family 2>/dev/null | head -1)
if [ -z "$chromium" ] || [ -z "$korean_font" ]; then
  missing=()
  [ -z "$chromium" ] && missing+=(chromium)
  [ -z "$korean_font" ] && missing+=(fonts-nanum)
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "check-report: installing ${missing[*]} (apt-get; chromium takes 2-3 minutes)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  chromium=$(command -v chromium || command -v chromium-browser)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
url="file://$(realpath "$html")"
flags=(--headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check --hide-scrollbars
       --user-data-dir="$work/profile" --enable-logging=stderr --v=0 --window-size=1100,5200)

timeout 120 "$chromium" "${flags[@]}" --dump-dom "$url" >"$work/dom.html" 2>"$work/dom.log"
timeout 120 "$chromium" "${flags[@]}" --screenshot="$(realpath -m "$shot")" "$url" >/dev/null 2>"$work/shot.log"

status=0
# Chromium logs every console message of the page as ...:CONSOLE:<line>] "message", source: ...
if grep -h ':CONSOLE' "$work/dom.log" "$work/shot.log" >"$work/console.txt"; then
  echo "check-report: console messages on $html:" >&2
  sed 's/^\[[^]]*\] */  /' "$work/console.txt" | sort -u >&2
  status=1
fi
[ -s "$shot" ] || { echo "check-report: no screenshot written to $shot" >&2; status=1; }

python3 - "$work/dom.html" "$expect" <<'PY' || status=1
import sys
from html.parser import HTMLParser

class Page(HTMLParser):
    """Ids by tag, and the marks (bars, lines, cells) inside each svg."""
    def __init__(self):
        super().__init__()
        self.ids, self.marks, self.open_svg = {}, {}, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a: self.ids[a["id"]] = tag
        if tag == "svg": self.open_svg = a.get("id")
        elif self.open_svg and tag in ("rect", "polyline", "circle"):
            self.marks[self.open_svg] = self.marks.get(self.open_svg, 0) + 1
    def handle_endtag(self, tag):
        if tag == "svg": self.open_svg = None

page = Page()
page.feed(open(sys.argv[1], encoding="utf-8").read())
problems = []
for id in filter(None, sys.argv[2].split(",")):
    tag = page.ids.get(id)
    if tag is None: problems.append(f"missing #{id}")
    elif id.startswith("plot-") and tag != "svg": problems.append(f"#{id} is a <{tag}>, not an <svg>")
    elif id.startswith("plot-") and page.marks.get(id, 0) == 0: problems.append(f"#{id} has no marks")
if problems:
    print("check-report: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
plots = [i for i, tag in page.ids.items() if tag == "svg" and i.startswith("plot-")]
print(f"check-report: {len(plots)} plots, {sum(page.marks.get(i, 0) for i in plots)} marks, no console messages", file=sys.stderr)
PY
[ "$status" -eq 0 ] && echo "check-report: ok: $html (screenshot $shot)" >&2
exit "$status"
