#!/usr/bin/env python3
"""Load a corpus with Hugging Face datasets: python3 scripts/check-datasets.py corpora/<name>

Loads docs/*.jsonl.gz and each clean split (clean/{train,valid,test}/*.jsonl.gz) with
`datasets.load_dataset("json", ...)`, prints the rows of each part, and exits non-zero when a part
does not load or lacks one of the seven document fields. Offline: no network is needed.
PipelineTests runs it on the replica corpus (datasets is installed by scripts/setup.sh).
"""
import glob
import os
import sys

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
from datasets import load_dataset  # noqa: E402 (after the offline switch)

FIELDS = {"id", "text", "source", "url", "created", "added", "metadata"}

corpus = sys.argv[1]
parts = {"docs": sorted(glob.glob(f"{corpus}/docs/*.jsonl.gz"))}
parts.update({s: sorted(glob.glob(f"{corpus}/clean/{s}/*.jsonl.gz")) for s in ("train", "valid", "test")})
parts = {name: files for name, files in parts.items() if files}
if not parts:
    sys.exit(f"{corpus}: no docs/*.jsonl.gz and no clean/<split>/*.jsonl.gz")
for name, files in parts.items():
    d = load_dataset("json", data_files=files, split="train")
    missing = FIELDS - set(d.column_names)
    if missing:
        sys.exit(f"{name}: columns {sorted(missing)} missing")
    print(name, d.num_rows)
