#!/usr/bin/env python3
"""Helpers of the scale benchmark (bench/scale.sh). Stdlib only.

Subcommands:

* ``urls``    — one file of request paths per query class from the generator's queries file
  (ids for ``volumes.get`` derived exactly as Colophon derives them from the first ISBN);
* ``fetch``   — asks a running engine a sample of every class, writes its answers (status,
  totalItems, item ids) to a JSON file;
* ``compare`` — checks that the engines agree: every answer 200; ISBN lookups and volumes.get
  identical everywhere; text classes equal among the peers within a tolerance, and Colophon
  (which stems, folds diacritics and searches more fields) finding something wherever the
  peers do; prints the agreement per class and pair and exits non-zero on a failure;
* ``report``  — the markdown table and the SVG chart of a run's results.
"""

import argparse
import base64
import hashlib
import json
import math
import os
import statistics
import sys
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from prepare_urls import fetch as http_fetch  # noqa: E402

CLASSES = {  # class -> key in the queries file
    "isbn": "isbn",
    "title-author": "title_author",
    "keywords": "keywords",
    "subject-paging": "subject_paging",
    "phrase": "phrase",
    "get": "get_isbns",
}
EXACT = ("isbn", "get")
PEERS = ("tantivy", "fts5", "pg-gin", "pg-rum")


def volume_id(isbn13):
    """Colophon's id of a Books API volume without an id whose first ISBN is ``isbn13``."""
    d = hashlib.sha256(f"googlebooks:isbn:{isbn13}".encode()).digest()[:9]
    return base64.urlsafe_b64encode(d).decode().rstrip("=")


def list_path(q):
    qv, *extra = q.split("&")
    params = [("q", qv)] + [tuple(e.split("=", 1)) for e in extra]
    return "/books/v1/volumes?" + urllib.parse.urlencode(params)


def cmd_urls(a):
    q = json.load(open(a.queries, encoding="utf-8"))
    os.makedirs(a.out_dir, exist_ok=True)
    for cls, key in CLASSES.items():
        if cls == "get":
            paths = ["/books/v1/volumes/" + volume_id(i) for i in q[key]]
        else:
            paths = [list_path(x) for x in q[key]]
        with open(os.path.join(a.out_dir, cls + ".txt"), "w") as fh:
            fh.write("\n".join(paths) + "\n")
        # the probe's query file: the q values as the generator wrote them
        if cls != "get":
            with open(os.path.join(a.out_dir, cls + ".q"), "w") as fh:
                fh.write("\n".join(q[key]) + "\n")
    print(f"scale.py: URL files in {a.out_dir}", file=sys.stderr)


def cmd_fetch(a):
    out = {}
    for cls in CLASSES:
        paths = [l for l in open(os.path.join(a.urls_dir, cls + ".txt")).read().splitlines() if l][: a.sample]
        rows = []
        for p in paths:
            status, doc, size, _ = http_fetch(a.base, p + (("&" if "?" in p else "?") + "key=" + a.key if a.key else ""))
            row = {"status": status, "bytes": size}
            if isinstance(doc, dict):
                if "items" in doc or doc.get("kind") == "books#volumes":
                    row["total"] = doc.get("totalItems", 0)
                    row["ids"] = [i.get("id") for i in doc.get("items", [])]
                elif doc.get("kind") == "books#volume":
                    row["total"] = 1
                    row["ids"] = [doc.get("id")]
            rows.append(row)
        out[cls] = rows
    with open(a.out, "w") as fh:
        json.dump(out, fh)
    bad = sum(1 for rows in out.values() for r in rows if r["status"] != 200 and not r.get("ids") == [])
    print(f"scale.py: {a.engine}: {sum(len(r) for r in out.values())} answers, {bad} not 200", file=sys.stderr)


def cmd_compare(a):
    res = {}
    for f in a.results:
        res[os.path.basename(f).removeprefix("check-").removesuffix(".json")] = json.load(open(f))
    engines = [e for e in res if e not in ("hello-page", "colophon-hello")]
    failures, lines = [], []
    for e in engines:
        for cls, rows in res[e].items():
            n_bad = sum(1 for r in rows if r["status"] != 200)
            if n_bad:
                failures.append(f"{e} {cls}: {n_bad} answers not 200")
    peers = [e for e in engines if e in PEERS]
    for cls in CLASSES:
        n = min(len(res[e][cls]) for e in engines)
        if cls in EXACT:
            for e in engines:
                same = sum(1 for i in range(n) if res[e][cls][i].get("ids") == res[engines[0]][cls][i].get("ids")
                           and res[e][cls][i].get("total") == res[engines[0]][cls][i].get("total"))
                lines.append(f"{cls:15s} {e:10s} identical to {engines[0]}: {same}/{n}")
                if same != n:
                    failures.append(f"{cls}: {e} differs from {engines[0]} in {n - same} of {n}")
            continue
        ref = peers[0] if peers else None
        for e in engines:
            if ref is None or e == ref:
                continue
            tot = [(res[ref][cls][i].get("total", 0), res[e][cls][i].get("total", 0)) for i in range(n)]
            within = sum(1 for r, x in tot if abs(x - r) <= a.tolerance * max(r, 1))
            ratio = statistics.median([(x + 1) / (r + 1) for r, x in tot]) if tot else 1
            found = sum(1 for r, x in tot if r == 0 or x > 0)
            lines.append(f"{cls:15s} {e:10s} vs {ref}: totals within {a.tolerance:.0%}: {within}/{n}; "
                         f"median total ratio {ratio:.2f}; has hits where {ref} has: {found}/{n}")
            if e in PEERS and within < a.min_share * n:
                failures.append(f"{cls}: {e} totals agree with {ref} in only {within} of {n}")
            if e not in PEERS and found < a.min_share * n:
                failures.append(f"{cls}: {e} finds nothing for {n - found} of {n} queries {ref} answers")
    print("\n".join(lines))
    with open(a.out, "w") as fh:
        json.dump({"lines": lines, "failures": failures, "tolerance": a.tolerance, "min_share": a.min_share}, fh, indent=1)
    if failures:
        print("AGREEMENT FAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
        sys.exit(1)
    print(f"scale.py: engines agree ({', '.join(engines)})", file=sys.stderr)


def pct(v):
    return f"{v:,.0f}"


def cmd_report(a):
    meta = json.load(open(os.path.join(a.out_dir, "meta.json")))
    rows = [json.loads(l) for l in open(os.path.join(a.out_dir, "results.jsonl")) if l.strip()]
    builds = [json.loads(l) for l in open(os.path.join(a.out_dir, "builds.jsonl")) if l.strip()]
    engines = meta["engines"]
    classes = list(CLASSES) + (["hello"] if any(r["class"] == "hello" for r in rows) else [])
    wrk = [r for r in rows if r["kind"] == "wrk" and r["accepted"]]
    ol = [r for r in rows if r["kind"] == "open"]

    def med(vals):
        return statistics.median(vals) if vals else float("nan")

    out = []
    out.append(f"- date (UTC): {meta['date_utc']}; repository at `{meta['git']}`")
    out.append(f"- machine: {meta['nproc']} cores, \"{meta['cpu_model']}\", Linux {meta['kernel']}, {meta['mem_gb']} GiB; {meta['wrk']}")
    out.append(f"- command: `{meta['command']}`")
    out.append(f"- catalog: {meta['n']:,} volumes (seed {meta['seed']}), {meta['per_class']} queries per class; "
               f"{meta['rounds']} interleaved round(s), {meta['seconds']} s per measurement, connections {meta['conns']}, "
               f"open-loop rates {meta['rates']} q/s")
    out.append("")
    out.append("Index build (unpinned, wall; CPU and peak RSS from GNU time of the loading process):")
    out.append("")
    out.append("| engine | build s | docs/s | CPU s | peak RSS MB | size on disk MB | note |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for b in builds:
        out.append(f"| {b['engine']} | {b['seconds']:.1f} | {b['docs'] / max(b['seconds'], 1e-9):,.0f} | "
                   f"{b.get('cpu_seconds', float('nan')):.1f} | {b.get('rss_kb', 0) / 1024:,.0f} | "
                   f"{b.get('bytes', 0) / 1e6:,.0f} | {b.get('note', '')} |")
    out.append("")
    # throughput table: class x engine at each concurrency, with ratio ours/peer per round
    for c in meta["conns"]:
        out.append(f"Throughput, closed loop (wrk), c = {c}: req/s median over rounds; in brackets "
                   f"colophon ÷ engine, median (min–max) of the per-round ratios:")
        out.append("")
        out.append("| class | " + " | ".join(engines) + " |")
        out.append("| --- |" + " ---: |" * len(engines))
        for cls in classes:
            cells = []
            for e in engines:
                vals = {r["round"]: r["wrk"]["rps"] for r in wrk if r["engine"] == e and r["class"] == cls and r["c"] == c}
                if not vals:
                    cells.append("")
                    continue
                cell = pct(med(list(vals.values())))
                ours = {r["round"]: r["wrk"]["rps"] for r in wrk if r["engine"] == "colophon" and r["class"] == cls and r["c"] == c}
                ratios = [ours[k] / v for k, v in vals.items() if k in ours and v > 0]
                if e != "colophon" and ratios:
                    cell += f" ({med(ratios):.2f}, {min(ratios):.2f}–{max(ratios):.2f})"
                cells.append(cell)
            out.append(f"| {cls} | " + " | ".join(cells) + " |")
        out.append("")
    if ol:
        out.append("Latency at fixed offered rates (open loop, 64 connections, latency from the scheduled send time): "
                   "p50 / p99 / p99.9 ms, median over rounds; `(n err)` = requests not answered 200 in time:")
        out.append("")
        rates = meta["rates"]
        out.append("| class | rate | " + " | ".join(engines) + " |")
        out.append("| --- | ---: |" + " ---: |" * len(engines))
        for cls in classes:
            for rate in rates:
                cells = []
                for e in engines:
                    rs = [r["open"] for r in ol if r["engine"] == e and r["class"] == cls and r["rate"] == rate]
                    if not rs:
                        cells.append("")
                        continue
                    err = sum(r["errors"] for r in rs)
                    cells.append("{:.2f} / {:.2f} / {:.2f}{}".format(
                        med([r["p50_us"] for r in rs]) / 1000, med([r["p99_us"] for r in rs]) / 1000,
                        med([r["p999_us"] for r in rs]) / 1000, f" ({err} err)" if err else ""))
                out.append(f"| {cls} | {rate} | " + " | ".join(cells) + " |")
        out.append("")
    fg = [r["foreign_cpu_pct"] for r in wrk]
    if fg:
        out.append(f"Noise: foreign CPU during wrk measurements median {med(fg):.0f} %, max {max(fg):.0f} % of one core "
                   f"(threshold {meta['foreign_max']} %; {sum(1 for r in rows if r['kind'] == 'wrk' and not r['accepted'])} "
                   f"measurement(s) repeated); load1 {min(r['load1'] for r in rows):.2f}–{max(r['load1'] for r in rows):.2f}.")
    rss = meta.get("serve_rss_kb", {})
    if rss:
        out.append("Server RSS after its measurements (VmHWM, MB): " + ", ".join(
            f"{e} {v / 1024:,.0f}" for e, v in rss.items()) + ".")
    md = "\n".join(out) + "\n"
    with open(os.path.join(a.out_dir, "report.md"), "w") as fh:
        fh.write(md)
    chart(os.path.join(a.out_dir, "chart.svg"), wrk, engines, classes, max(meta["conns"]), meta)
    print(md)


COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]


def chart(path, wrk, engines, classes, c, meta):
    """Grouped bars: req/s (log scale) per class and engine at concurrency ``c``."""
    W, H, left, top, bottom = 900, 420, 70, 40, 80
    groups = len(classes)
    gw = (W - left - 20) / groups
    bw = gw * 0.8 / max(1, len(engines))
    vals = {(e, cls): statistics.median([r["wrk"]["rps"] for r in wrk if r["engine"] == e and r["class"] == cls and r["c"] == c] or [0])
            for e in engines for cls in classes}
    vmax = max([v for v in vals.values() if v > 0] + [10])
    lo, hi = 1.0, math.ceil(math.log10(vmax))
    ph = H - top - bottom

    def y(v):
        return top + ph - (math.log10(max(v, 10 ** lo)) - lo) / (hi - lo) * ph

    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{W / 2}" y="18" text-anchor="middle" font-size="13">Throughput at c={c}, server pinned to one core — '
         f'{meta["n"]:,} volumes, {meta["date_utc"][:10]} (req/s, log scale, median over rounds)</text>']
    for k in range(int(lo), int(hi) + 1):
        yy = y(10 ** k)
        s.append(f'<line x1="{left}" x2="{W - 20}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#ddd"/>')
        s.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{10 ** k:,}</text>')
    for gi, cls in enumerate(classes):
        gx = left + gi * gw + gw * 0.1
        for ei, e in enumerate(engines):
            v = vals[(e, cls)]
            if v <= 0:
                continue
            x = gx + ei * bw
            s.append(f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{bw - 1:.1f}" height="{top + ph - y(v):.1f}" '
                     f'fill="{COLORS[ei % len(COLORS)]}"><title>{e} {cls}: {v:,.0f} req/s</title></rect>')
        s.append(f'<text x="{left + gi * gw + gw / 2:.1f}" y="{top + ph + 16}" text-anchor="middle">{cls}</text>')
    for ei, e in enumerate(engines):
        lx = left + ei * 110
        s.append(f'<rect x="{lx}" y="{H - 30}" width="12" height="12" fill="{COLORS[ei % len(COLORS)]}"/>')
        s.append(f'<text x="{lx + 16}" y="{H - 20}">{e}</text>')
    s.append("</svg>")
    with open(path, "w") as fh:
        fh.write("\n".join(s) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("urls")
    p.add_argument("--queries", required=True)
    p.add_argument("--out-dir", required=True)
    p = sub.add_parser("fetch")
    p.add_argument("--engine", required=True)
    p.add_argument("--base", required=True)
    p.add_argument("--urls-dir", required=True)
    p.add_argument("--sample", type=int, default=200)
    p.add_argument("--key", default="")
    p.add_argument("--out", required=True)
    p = sub.add_parser("compare")
    p.add_argument("results", nargs="+")
    p.add_argument("--tolerance", type=float, default=0.05)
    p.add_argument("--min-share", type=float, default=0.9)
    p.add_argument("--out", required=True)
    p = sub.add_parser("report")
    p.add_argument("--out-dir", required=True)
    a = ap.parse_args()
    {"urls": cmd_urls, "fetch": cmd_fetch, "compare": cmd_compare, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    main()
