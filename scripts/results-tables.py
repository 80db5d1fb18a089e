#!/usr/bin/env python3
"""Prints RESULTS.md's tables from what scripts/results.sh left in runs/results (or the folder
given): perplexity before / after pretraining and of the plain base (per token and per
character), the data-fraction study, and the plain base's SFT beside the Korean model's at the
same fraction (BASE_FRACTION, default 0.2, as results.sh). Usage: python3 scripts/results-tables.py [runs/results]
"""
import glob
import json
import os
import sys

R = sys.argv[1] if len(sys.argv) > 1 else "runs/results"


def load(path):
    with open(os.path.join(R, path), encoding="utf-8") as f:
        return json.load(f)


def pct(x):
    return f"{100 * x:.2f}"


def minutes(s):
    return f"{int(s // 60)}m{int(s % 60):02d}s"


characters = load("corpus/clean/manifest.json")["splits"]["test"]["characters"]
print("| model | tokenizer | predicted tokens | perplexity | nats per character |")
print("|---|---|---:|---:|---:|")
for name, tokenizer, path in [("SmolLM2-135M as shipped", "SmolLM2 (49,152)", "ppl-base-own-tokenizer.json"),
                              ("resized, before pretraining", "merged (56,153)", "ppl-before.json"),
                              ("after pretraining (LoRA + embeddings)", "merged (56,153)", "ppl-after.json")]:
    if os.path.exists(os.path.join(R, path)):
        p = load(path)
        print(f"| {name} | {tokenizer} | {p['tokens']:,} | {p['ppl']:.2f} | {p['nll'] * p['tokens'] / characters:.3f} |")
print(f"\n(test split: {characters:,} characters)\n")

rows = sorted((load(os.path.relpath(p, R)) for p in glob.glob(os.path.join(R, "study/f-*/row.json"))), key=lambda r: r["fraction"])
print("| fraction | train | test | accuracy | P | R | F1 | macro-F1 | baseline accuracy | baseline F1 | sft | eval |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    m, b = r["model"], r["baseline"]
    print(f"| {r['fraction']:g} | {r['train_examples']} | {r['test_examples']} | {pct(m['accuracy'])} | {pct(m['precision'])} | "
          f"{pct(m['recall'])} | {pct(m['f1'])} | {pct(m['macro_f1'])} | {pct(b['accuracy'])} | {pct(b['f1'])} | "
          f"{minutes(r['sft_seconds'])} | {minutes(r['eval_seconds'])} |")

if os.path.exists(os.path.join(R, "eval-base-sft/metrics.json")):
    base = load("eval-base-sft/metrics.json")
    fraction = float(os.environ.get("BASE_FRACTION", "0.2"))  # as scripts/results.sh ran it
    print("\n| model (same test headlines) | accuracy | P | R | F1 | macro-F1 |")
    print("|---|---:|---:|---:|---:|---:|")
    same = [r for r in rows if abs(r["fraction"] - fraction) < 1e-9]
    for r in same[-1:]:
        m, b = r["model"], r["baseline"]
        print(f"| Korean tokenizer + pretraining, SFT on fraction {r['fraction']:g} | {pct(m['accuracy'])} | {pct(m['precision'])} | {pct(m['recall'])} | {pct(m['f1'])} | {pct(m['macro_f1'])} |")
    print(f"| SmolLM2 as shipped, same SFT | {pct(base['accuracy'])} | {pct(base['precision'])} | {pct(base['recall'])} | {pct(base['f1'])} | {pct(base['macro_f1'])} |")
    for r in same[-1:]:
        b = r["baseline"]
        print(f"| linear baseline, same examples | {pct(b['accuracy'])} | {pct(b['precision'])} | {pct(b['recall'])} | {pct(b['f1'])} | {pct(b['macro_f1'])} |")
