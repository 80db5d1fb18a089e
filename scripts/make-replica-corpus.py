#!/usr/bin/env python3
"""Derives the replica's article texts from Korean Wikipedia (deterministic).

Reads the kowiki plain-text dump (one paragraph per line, blank line between articles),
keeps articles with 3-10 clean, Korean-heavy prose paragraphs, and writes
crawlers/replica/articles.jsonl.gz: one JSON object per line with the site it is assigned to
("xinhua-ko" or "people-ko"), a headline-like title and the paragraphs. The Swift replica
(Sources/Replica) gives each article its date, section, ID and template.

Usage: scripts/make-replica-corpus.py [KOWIKI.txt.zst] [OUT_DIR]
"""
import gzip
import io
import json
import re
import subprocess
import sys

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/kowiki/kowiki_dev_100MB.txt.zst"
OUT_DIR = sys.argv[2] if len(sys.argv) > 2 else "crawlers/replica"
PER_SITE = 200
SITES = ["xinhua-ko", "people-ko"]
# Index (in publication order) of the article each site serves as CP949 (see ReplicaPlan.swift):
# it must encode in CP949 and contain a syllable that only CP949 (not EUC-KR) has.
CP949_INDEX = 5

# Lines the site rules would drop or strip must not occur in the clean text, or the replica's
# ground truth would disagree with a correct extractor.
RULE_CLASHES = re.compile(
    r"^\(?책임 ?편집|^\(?번역 ?[:：]|^\[?번역|^추천 ?기사|^원문 ?출처|^편집 ?[:：]|^(사진|영상) ?[:：]"
    r"|^\([^)]{0,30}=신화사\)|^\[신화망|^\[인민망|무단 ?(전재|복제)|(AI|인공지능) ?학습"
)


def hangul_share(text):
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if "\uac00" <= c <= "\ud7a3") / len(letters)


def clean_paragraph(line):
    line = re.sub(r"\(\s*[,;]?\s*\)", "", line)          # "( )" left by removed markup
    line = re.sub(r"\(\s*,\s*", "(", line)
    line = re.sub(r"\s+", " ", line).strip()
    return line


def good_paragraph(p):
    if len(p) < 60 or len(p) > 900:
        return False
    if not p.endswith(("다.", "다", ".", "요.")):
        return False
    if hangul_share(p) < 0.75:
        return False
    if RULE_CLASHES.search(p) or "|" in p or "\t" in p or "[[" in p or "{{" in p:
        return False
    if any(ord(c) < 0x20 or 0xE000 <= ord(c) <= 0xF8FF for c in p):
        return False
    return True


def headline(first):
    sentence = re.split(r"(?<=다)\.\s", first, maxsplit=1)[0].rstrip(".")
    # Drop parenthesised asides, innermost first; the dump also has unbalanced ones
    # ("팔(, (책 ...") whose leftovers are cut from the first stray parenthesis to the last ")".
    while re.search(r"\([^()]*\)", sentence):
        sentence = re.sub(r"\([^()]*\)", "", sentence)
    if "(" in sentence or ")" in sentence:
        first = min(i for i in (sentence.find("("), sentence.find(")")) if i >= 0)
        last = sentence.rfind(")")
        sentence = sentence[:first] + (sentence[last + 1:] if last >= first else "")
    sentence = re.sub(r"\s+([,.])", r"\1", sentence)
    sentence = re.sub(r"\s+", " ", sentence).strip()
    words, out = sentence.split(" "), []
    for w in words:
        if len(" ".join(out + [w])) > 48:
            break
        out.append(w)
    return " ".join(out)


def cp949_only(text):
    """True when text encodes in CP949 and has a syllable EUC-KR (KS X 1001) lacks."""
    try:
        text.encode("cp949")
    except UnicodeEncodeError:
        return False
    # KS X 1001 (EUC-KR) uses lead and trail bytes 0xA1-0xFE; CP949's extra 8,822 syllables
    # (e.g. 똠, 햏) have a byte below 0xA1. (Python's euc_kr codec hides them in 8-byte
    # make-up sequences, so it cannot be the test.)
    for c in set(text):
        b = c.encode("cp949")
        if len(b) == 2 and (b[0] < 0xA1 or b[1] < 0xA1) and "\uac00" <= c <= "\ud7a3":
            return True
    return False


def articles(stream):
    paragraphs = []
    for raw in stream:
        line = raw.rstrip("\n")
        if line.strip():
            paragraphs.append(line)
            continue
        if paragraphs:
            yield paragraphs
        paragraphs = []
    if paragraphs:
        yield paragraphs


def main():
    proc = subprocess.Popen(["zstd", "-dc", SOURCE], stdout=subprocess.PIPE)
    stream = io.TextIOWrapper(proc.stdout, encoding="utf-8", errors="replace")
    picked, titles, cp949_candidates = [], set(), []
    for number, raw in enumerate(articles(stream)):
        # Every 7th article only: spreads the sample over the dump instead of its first pages.
        # CP949 candidates are rare, so they are looked for in every article.
        sampled = number % 7 == 0
        if not sampled and (len(cp949_candidates) >= 2 or not any(cp949_only(p) for p in raw)):
            continue
        kept = [p for p in (clean_paragraph(x) for x in raw) if good_paragraph(p)]
        if len(kept) < 3:
            continue
        kept = kept[:10]
        title = headline(kept[0])
        if len(title) < 8 or title in titles or hangul_share(title) < 0.75 or RULE_CLASHES.search(title):
            continue
        titles.add(title)
        record = {"title": title, "paragraphs": kept}
        if cp949_only(title + "".join(kept)):
            cp949_candidates.append(record)
        elif sampled and len(picked) < 2 * PER_SITE:
            picked.append(record)
        if len(picked) >= 2 * PER_SITE and len(cp949_candidates) >= 2:
            break
    proc.kill()
    if len(cp949_candidates) < 2:
        sys.exit("not enough articles with CP949-only syllables")
    out = []
    for s, site in enumerate(SITES):
        mine = picked[s::2][: PER_SITE - 1]
        mine.insert(CP949_INDEX, cp949_candidates[s])
        out += [{"site": site, **r} for r in mine]
    body = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in out).encode()
    with open(f"{OUT_DIR}/articles.jsonl.gz", "wb") as f:
        # mtime=0 keeps the file byte-identical across runs.
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as gz:
            gz.write(body)
    print(f"wrote {len(out)} articles ({len(body)} bytes uncompressed) to {OUT_DIR}/articles.jsonl.gz")


if __name__ == "__main__":
    main()
