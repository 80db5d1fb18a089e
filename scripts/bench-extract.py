#!/usr/bin/env python3
"""Extraction benchmark: ko-llama extract vs trafilatura (the usual Python peer), same run.

Quality: both tools on the annotated pages in Tests/Fixtures/extraction, scored the same way as
`ko-llama extract --evaluate` (body precision/recall/F1 over whitespace-separated tokens as
multisets; title exact after whitespace collapse; date exact). Speed: a WARC of N response
records (the single-page fixtures under varied URLs), written with warcio like another crawler
would; `ko-llama extract --corpus` end to end (WARC reading, decoding, extraction, gzip JSONL
output) against trafilatura.bare_extraction on the same HTML bodies (in memory, one process).

    pip install trafilatura lxml_html_clean warcio
    swift build -c release --product ko-llama
    python3 scripts/bench-extract.py --ko-llama .build/release/ko-llama --pages 3000
"""
import argparse, collections, glob, io, json, os, re, subprocess, sys, tempfile, time

FIXTURES = "Tests/Fixtures/extraction"

def tokens_f1(got, want):
    g, w = got.split(), want.split()
    if not g and not w:
        return 1.0, 1.0, 1.0
    counts = collections.Counter(w)
    overlap = 0
    for t in g:
        if counts[t] > 0:
            counts[t] -= 1
            overlap += 1
    p = overlap / len(g) if g else 0.0
    r = overlap / len(w) if w else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)

def collapse(s):
    return " ".join((s or "").split())

def fixtures():
    for path in sorted(glob.glob(f"{FIXTURES}/*.expected.json")):
        name = os.path.basename(path)[: -len(".expected.json")]
        with open(path, encoding="utf-8") as f:
            exp = json.load(f)
        pages = exp.get("pages") or [{"file": name + ".html", "url": exp["url"]}]
        yield name, exp, pages

def page_order(url):
    m = re.search(r"_([0-9]+)\.htm$", url)
    return int(m.group(1)) if m else 1

def trafilatura_quality():
    import trafilatura
    rows = {}
    for name, exp, pages in fixtures():
        texts, title, date = [], None, None
        for page in sorted(pages, key=lambda p: page_order(p["url"])):
            with open(f"{FIXTURES}/{page['file']}", "rb") as f:
                html = f.read()
            doc = trafilatura.bare_extraction(html, url=page["url"], with_metadata=True)
            if doc is None:
                continue
            d = doc.as_dict() if hasattr(doc, "as_dict") else doc
            texts.append(d.get("text") or "")
            title = title or d.get("title")
            date = date or d.get("date")
        p, r, f1 = tokens_f1("\n".join(texts), "\n".join(exp["paragraphs"]))
        rows[name] = dict(site=exp.get("site"), title=collapse(title) == collapse(exp.get("title")),
                          date=(date or "")[:10] == exp.get("date"), p=p, r=r, f1=f1)
    return rows

def kollama_quality(binary):
    out = subprocess.run([binary, "extract", "--evaluate", FIXTURES], check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 8 and parts[3] in ("ok", "MISS"):
            rows[parts[0]] = dict(site=None if parts[1] == "(none)" else parts[1], title=parts[3] == "ok", date=parts[4] == "ok",
                                  p=float(parts[5]), r=float(parts[6]), f1=float(parts[7]))
    return rows

SPEED_PAGES = {
    "xinhua-current": lambda i: f"https://kr.news.cn/20240305/{i:032x}/c.html",
    "xinhua-current-world": lambda i: f"https://kr.news.cn/20240412/{i + 10**9:032x}/c.html",
    "xinhua-malformed": lambda i: f"https://kr.news.cn/20240507/{i + 2 * 10**9:032x}/c.html",
    "people-current": lambda i: f"http://kr.people.com.cn/n3/2024/0308/c204-{i}.html",
    "people-legacy": lambda i: f"http://kr.people.com.cn/n/2015/0612/c203-{i}.html",
    "people-cp949": lambda i: f"http://kr.people.com.cn/n3/2024/0311/c206-{i}.html",
    "unknown-blog": lambda i: f"https://blog.example.org/2024/02/20/post-{i}.html",
    "unknown-board": lambda i: f"http://www.happy-gu.example.kr/notice/view.php?id={i}",
}

def build_warc(path, n):
    from warcio.warcwriter import WARCWriter
    from warcio.statusandheaders import StatusAndHeaders
    names = sorted(SPEED_PAGES)
    bodies = {}
    for name in names:
        with open(f"{FIXTURES}/{name}.html", "rb") as f:
            bodies[name] = f.read()
    pages = []
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for i in range(n):
            name = names[i % len(names)]
            ct = "text/html; charset=euc-kr" if name == "people-cp949" else "text/html"
            url = SPEED_PAGES[name](i)
            headers = StatusAndHeaders("200 OK", [("Content-Type", ct)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(bodies[name]), http_headers=headers))
            pages.append((url, bodies[name]))
    return pages

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ko-llama", default=".build/release/ko-llama")
    ap.add_argument("--pages", type=int, default=3000)
    args = ap.parse_args()
    import trafilatura

    ours, theirs = kollama_quality(args.ko_llama), trafilatura_quality()
    print("quality on Tests/Fixtures/extraction (body: token P/R/F1 over whitespace units)")
    print(f"{'page':26} {'ko-llama F1':>11} {'title':>5} {'date':>5}   {'trafilatura F1':>14} {'title':>5} {'date':>5}")
    for name in sorted(ours):
        o, t = ours[name], theirs.get(name, dict(f1=0, title=False, date=False))
        print(f"{name:26} {o['f1']:11.3f} {'ok' if o['title'] else 'MISS':>5} {'ok' if o['date'] else 'MISS':>5}   "
              f"{t['f1']:14.3f} {'ok' if t['title'] else 'MISS':>5} {'ok' if t['date'] else 'MISS':>5}")
    for label, want_site in (("site templates", True), ("unknown templates", False)):
        o = [v for v in ours.values() if (v["site"] is not None) == want_site]
        t = [theirs[k] for k, v in ours.items() if (v["site"] is not None) == want_site]
        mean = lambda rows, key: sum(float(r[key]) for r in rows) / len(rows)
        print(f"{'mean ' + label:26} {mean(o, 'f1'):11.3f} {mean(o, 'title'):5.2f} {mean(o, 'date'):5.2f}   "
              f"{mean(t, 'f1'):14.3f} {mean(t, 'title'):5.2f} {mean(t, 'date'):5.2f}")

    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(f"{tmp}/raw")
        pages = build_warc(f"{tmp}/raw/bench.warc.gz", args.pages)
        size = os.path.getsize(f"{tmp}/raw/bench.warc.gz")
        start = time.perf_counter()
        run = subprocess.run([args.ko_llama, "extract", "--corpus", tmp, "--crawlers-dir", "crawlers", "--quiet"],
                             check=True, capture_output=True, text=True)
        ours_s = time.perf_counter() - start
        summary = run.stderr.strip().splitlines()[-1]
        start = time.perf_counter()
        extracted = 0
        for url, body in pages:
            if trafilatura.bare_extraction(body, url=url, with_metadata=True) is not None:
                extracted += 1
        theirs_s = time.perf_counter() - start
    print()
    print(f"speed: {args.pages} pages, WARC {size / 1e6:.1f} MB (gzip), {os.cpu_count()} cores")
    print(f"{'tool':44} {'seconds':>8} {'pages/s':>8}")
    print(f"{'ko-llama extract (WARC -> docs/*.jsonl.gz)':44} {ours_s:8.2f} {args.pages / ours_s:8.0f}")
    print(f"{'trafilatura.bare_extraction (in memory)':44} {theirs_s:8.2f} {args.pages / theirs_s:8.0f}")
    print(f"ko-llama: {summary}")
    print(f"trafilatura: {extracted} documents")

if __name__ == "__main__":
    main()
