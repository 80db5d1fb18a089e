#!/usr/bin/env python3
"""Load a clean corpus with Hugging Face datasets: python3 scripts/check-datasets.py corpora/<name>.

Needs `pip install datasets` (not part of scripts/setup.sh: it is heavy). The test suite checks the
same shards with plain json + gzip.
"""
import glob
import sys

from datasets import load_dataset

corpus = sys.argv[1]
files = {s: sorted(glob.glob(f"{corpus}/clean/{s}/*.jsonl.gz")) for s in ("train", "valid", "test")}
files = {s: f for s, f in files.items() if f}
ds = load_dataset("json", data_files=files)
for split, d in ds.items():
    print(split, d.num_rows, "documents")
