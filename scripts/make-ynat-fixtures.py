#!/usr/bin/env python3
"""Writes the committed YNAT test fixtures under Tests/Fixtures/ynat/.

The headlines come from KLUE-YNAT v1.1's train split (CC BY-SA 4.0; see
Tests/Fixtures/ynat/README.md), read from ../shared/data/ynat/ynat_train.jsonl: the first 50
headlines of each of the 7 topics in file order, unchanged.

- ynat_sample.jsonl: those 350 records in file order, fields as in the source (guid, title,
  label 0-6, label_name, url): the datasets-export form.
- ynat_sample.json: the first 2 of each topic (14 records) in KLUE's official form, a JSON array
  of objects with the label as the topic name (guid, title, label, url), indented as
  ynat-v1.1_train.json is.

usage: python3 scripts/make-ynat-fixtures.py [ynat_train.jsonl]
"""
import json, os, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out_dir = os.path.join(root, "Tests", "Fixtures", "ynat")
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data", "ynat", "ynat_train.jsonl")
if not os.path.exists(src):
    src = "/work/shared/data/ynat/ynat_train.jsonl"

per_topic, official_per_topic = 50, 2
taken, sample, official = {}, [], []
with open(src, encoding="utf-8") as f:
    for line in f:
        r = json.loads(line)
        n = taken.get(r["label"], 0)
        if n >= per_topic:
            continue
        taken[r["label"]] = n + 1
        sample.append(r)
        if n < official_per_topic:
            official.append({"guid": r["guid"], "title": r["title"], "label": r["label_name"], "url": r["url"]})

os.makedirs(out_dir, exist_ok=True)
with open(os.path.join(out_dir, "ynat_sample.jsonl"), "w", encoding="utf-8") as f:
    for r in sample:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
with open(os.path.join(out_dir, "ynat_sample.json"), "w", encoding="utf-8") as f:
    json.dump(official, f, ensure_ascii=False, indent=4)
    f.write("\n")
print(f"{len(sample)} records, {len(official)} in the official form -> {out_dir}")
