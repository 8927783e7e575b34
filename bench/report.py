#!/usr/bin/env python3
"""Markdown report of a bench/run.sh run (stdlib only).

Reads ``OUT/results.jsonl`` (one line per measurement), ``OUT/meta.json`` and
``OUT/urls/sanity.json``; prints the report and writes ``OUT/report.md``.

Per endpoint class: median over rounds of req/s, p50 and p99, and the median and min–max of
the ratio class req/s ÷ hello req/s taken *within each round* (absolute numbers move with the
machine's load; the within-round ratio is the comparable figure).

``report.py --line JSON`` formats one wrk BENCHJSON object for the harness's progress log.
"""

import argparse
import json
import os
import statistics
import sys

ORDER = ["hello", "volumes.get", "list-isbn", "list-keywords", "list-title-author",
         "list-subject-paging", "list-phrase"]
EXAMPLE = {
    "hello": "`/_colophon/hello`",
    "volumes.get": "`/books/v1/volumes/{id}`",
    "list-isbn": "`q=isbn:978…` (5 % missing)",
    "list-keywords": "`q=w1 w2` (1–3 words)",
    "list-title-author": "`q=intitle:w inauthor:s`",
    "list-subject-paging": "`q=subject:x&startIndex=N&maxResults=20`",
    "list-phrase": "`q=\"w1 w2\"`",
}


def line(j):
    return (f"{j['rps']:.0f} req/s  p50 {j['p50_us'] / 1000:.2f} ms  p99 {j['p99_us'] / 1000:.2f} ms  "
            f"{j['bytes'] / max(1, j['requests']):.0f} B/resp")


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt_rate(x):
    return f"{x:,.0f}"


def report(out_dir):
    rows = [json.loads(l) for l in open(os.path.join(out_dir, "results.jsonl")) if l.strip()]
    meta = json.load(open(os.path.join(out_dir, "meta.json")))
    try:
        sanity = json.load(open(os.path.join(out_dir, "urls", "sanity.json")))
    except OSError:
        sanity = {}
    acc = [r for r in rows if r["accepted"]]
    discarded = len(rows) - len(acc)
    by = {}
    for r in acc:
        by.setdefault(r["class"], {})[r["round"]] = r
    hello = by.get("hello", {})
    classes = [c for c in ORDER if c in by] + sorted(c for c in by if c not in ORDER)

    out = []
    w = out.append
    w(f"## Colophon server benchmark — {meta['n']:,} volumes")
    w("")
    w(f"- date (UTC): {meta['date_utc']}; repository at `{meta['colophon_git']}`"
      + (f"; server binary built {meta['binary_built_utc']}" if meta.get("binary_built_utc") else ""))
    w(f"- machine: {meta['nproc']} cores, model name \"{meta['cpu_model']}\", Linux {meta['kernel']}; {meta['wrk'].split(' Copyright')[0]}")
    w(f"- command: `{meta['command']}`")
    w(f"- setup: server `COLOPHON_WORKER_THREADS=1 taskset -c 0`, "
      f"`taskset -c 1 wrk -t1 -c{meta['connections']} -d{meta['seconds']}s --latency -s bench/rotate.lua`, "
      f"HTTP/1.1 keep-alive over loopback, no gzip; {meta['rounds']} interleaved round(s) after a "
      f"{meta['warmup_seconds']} s warm-up per class; {meta['per_class']} distinct queries per list class")
    reused = (f" — *from the import of {meta.get('import_when')} (data dir reused with BENCH_REUSE_DATA=1)*"
              if meta.get("import_reused") else "")
    w(f"- import{reused}: {meta['n']:,} records in {meta['import_seconds']:.1f} s = "
      f"**{meta['import_records_per_s']:,} records/s** (wall, unpinned; {meta['import_cpu_seconds']:.1f} CPU-s, "
      f"peak RSS {meta['import_peak_rss_kb'] / 1024:.0f} MB, {meta['import_rejects']} rejects, "
      f"load1 {meta.get('import_load1') or '?'} at the end); "
      + (f"then `colophon reindex` in {meta['reindex_seconds']:.1f} s; " if meta.get("reindex_seconds") else "")
      + f"data dir {meta['data_dir_bytes'] / 1e6:.0f} MB, search index in {meta.get('index_segments', '?')} segment(s); server ready in {meta['server_ready_seconds']:.1f} s, "
      f"RSS after the run {meta['server_rss_kb'] / 1024:.0f} MB (peak {meta['server_hwm_kb'] / 1024:.0f} MB)")
    w("")
    w("| class | request | req/s | ratio to hello (median, min–max) | p50 ms | p99 ms | server CPU µs/req | bytes/resp | hits |")
    w("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for c in classes:
        rs = by[c]
        rps = [r["wrk"]["rps"] for r in rs.values()]
        p50 = [r["wrk"]["p50_us"] / 1000 for r in rs.values()]
        p99 = [r["wrk"]["p99_us"] / 1000 for r in rs.values()]
        size = med([r["wrk"]["bytes"] / max(1, r["wrk"]["requests"]) for r in rs.values()])
        cpu_us = med([r["server_cpu_pct"] / 100 / r["wrk"]["rps"] * 1e6 for r in rs.values() if r["wrk"]["rps"]])
        ratios = [rs[k]["wrk"]["rps"] / hello[k]["wrk"]["rps"] for k in rs if k in hello and hello[k]["wrk"]["rps"]]
        if c == "hello":
            ratio = "1"
        elif len(ratios) == 1:
            ratio = f"{ratios[0]:.3f}"
        elif ratios:
            ratio = f"{med(ratios):.3f} ({min(ratios):.3f}–{max(ratios):.3f})"
        else:
            ratio = "–"
        s = sanity.get(c, {})
        hits = f"{s['hit_rate']:.0%}" if "hit_rate" in s else ("100%" if c == "volumes.get" and s.get("bad") == 0 else "")
        if "missing_in_sample" in s:
            hits += f" ({s['missing_in_sample']}/{s['checked']} absent by design)"
        spread = f" ({fmt_rate(min(rps))}–{fmt_rate(max(rps))})" if len(rps) > 1 else ""
        w(f"| {c} | {EXAMPLE.get(c, '')} | {fmt_rate(med(rps))}{spread} | {ratio} | {med(p50):.2f} | "
          f"{med(p99):.2f} | {cpu_us:,.0f} | {size:,.0f} | {hits} |")
    w("")
    fc = [r["foreign_cpu_pct"] for r in acc]
    sc = [r["server_cpu_pct"] for r in acc if r["class"] != "hello"]
    w(f"Noise: foreign CPU during measurements median {med(fc):.0f} %, max {max(fc) if fc else 0:.0f} % of one core "
      f"(threshold {meta['foreign_max_pct']:.0f} %; {discarded} measurement(s) repeated for noise); "
      f"load1 {min(r['load1'] for r in acc):.2f}–{max(r['load1'] for r in acc):.2f}; "
      f"server core busy {med(sc):.0f} % (median, API classes).")
    noisy = [r for r in acc if r["foreign_cpu_pct"] > meta["foreign_max_pct"]]
    if noisy:
        w(f"**Warning: {len(noisy)} of {len(acc)} measurements kept despite foreign CPU above the threshold "
          f"(retries exhausted): " + ", ".join(f"r{r['round']} {r['class']} {r['foreign_cpu_pct']:.0f} %" for r in noisy[:8])
          + ("…" if len(noisy) > 8 else "") + ". Other processes competed for the cores; treat those rows with care.**")
    w("req/s: median over rounds (min–max); p50/p99: median over rounds of wrk's per-run percentiles "
      "(closed loop, so latency includes queueing behind the other connections); "
      "server CPU µs/req: the server process's user+system CPU time during the measurement divided by the "
      "requests served (robust to other load as long as the server core is saturated); "
      "hits: share of sampled queries that returned at least one item (sanity check before measuring).")
    text = "\n".join(out) + "\n"
    with open(os.path.join(out_dir, "report.md"), "w", encoding="utf-8") as fh:
        fh.write(text)
    sys.stdout.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"))
    ap.add_argument("--line", help="format one BENCHJSON object and exit")
    a = ap.parse_args()
    if a.line:
        print(line(json.loads(a.line)))
        return
    report(a.out_dir)


if __name__ == "__main__":
    main()
