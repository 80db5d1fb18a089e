#!/usr/bin/env python3
"""A stratified, seeded sample of YNAT records: SHARE of each topic's headlines, in file order.

RESULTS.md's study trains on fractions of such a pool because the whole 45,678-headline train
split does not fit the 2-core machine's time (docs/SFT.md). Usage:
    python3 scripts/sample-ynat.py IN.jsonl SHARE SEED > OUT.jsonl
"""
import json
import random
import sys
from collections import defaultdict


def main():
    path, share, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    by_topic = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f):
            if line.strip():
                by_topic[json.loads(line)["label"]].append((number, line))
    rng = random.Random(seed)
    chosen = []
    for topic in sorted(by_topic):
        lines = by_topic[topic]
        chosen += rng.sample(lines, max(1, round(share * len(lines))))
    for _, line in sorted(chosen):
        sys.stdout.write(line if line.endswith("\n") else line + "\n")
    sizes = {t: max(1, round(share * len(v))) for t, v in sorted(by_topic.items())}
    print(f"sample-ynat: {len(chosen)} of {sum(len(v) for v in by_topic.values())} headlines, per topic {sizes}", file=sys.stderr)


if __name__ == "__main__":
    main()
