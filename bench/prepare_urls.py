#!/usr/bin/env python3
"""Turn the generated query sets into wrk URL files, resolve volume ids, check the answers.

Stdlib only. Against a running server:

1. resolves the ``get_isbns`` of the queries file into volume ids with ``q=isbn:…`` lookups
   (every one must be found exactly where the catalog put it);
2. writes one file of request paths per endpoint class into ``--out-dir``
   (``hello``, ``volumes.get``, ``list-isbn``, ``list-keywords``, ``list-title-author``,
   ``list-subject-paging``, ``list-phrase``);
3. sanity-checks a sample of every class (status 200, real bodies; ISBN lookups find the
   right volume and the deliberately missing ones find nothing; volumes.get returns the id
   asked for) and writes the figures to ``--out-dir/sanity.json``.

Exits non-zero when a check fails, so the harness stops before measuring nonsense.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

LIST_CLASSES = {
    "list-isbn": "isbn",
    "list-keywords": "keywords",
    "list-title-author": "title_author",
    "list-subject-paging": "subject_paging",
    "list-phrase": "phrase",
}


def list_path(q, key):
    """`q` value with optional '&name=value' extras -> request path."""
    qv, *extra = q.split("&")
    params = [("q", qv)] + [tuple(e.split("=", 1)) for e in extra] + [("key", key)]
    return "/books/v1/volumes?" + urllib.parse.urlencode(params)


def fetch(base, path, timeout=30):
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    ms = (time.perf_counter() - t0) * 1000
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    return status, doc, len(body), ms


def isbns_of(item):
    return {i.get("identifier") for i in (item.get("volumeInfo", {}).get("industryIdentifiers") or [])}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    ap.add_argument("--key", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--sample", type=int, default=200, help="queries per list class to check")
    a = ap.parse_args()
    q = json.load(open(a.queries, encoding="utf-8"))
    os.makedirs(a.out_dir, exist_ok=True)
    problems = []
    missing = set(q.get("isbn_missing", []))
    if not missing:
        problems.append("queries file has no isbn_missing list (regenerate it with gen_catalog.py)")
    sanity = {}

    # hello
    st, doc, size, ms = fetch(a.base, "/_colophon/hello")
    if st != 200:
        problems.append(f"hello: status {st}")
    sanity["hello"] = {"status": st, "bytes": size}

    # 1. ids for volumes.get
    ids = []
    t0 = time.perf_counter()
    for isbn in q["get_isbns"]:
        st, doc, size, ms = fetch(a.base, list_path(f"isbn:{isbn}", a.key))
        items = (doc or {}).get("items") or []
        if st != 200 or not items or isbn not in isbns_of(items[0]):
            problems.append(f"id discovery: isbn:{isbn} -> status {st}, {len(items)} items")
            continue
        if (doc or {}).get("totalItems") != 1:
            problems.append(f"id discovery: isbn:{isbn} -> totalItems {doc.get('totalItems')} (ISBNs are unique)")
        ids.append(items[0]["id"])
    print(f"prepare_urls: resolved {len(ids)}/{len(q['get_isbns'])} ids in {time.perf_counter() - t0:.1f}s",
          file=sys.stderr)

    # 2. URL files
    files = {"hello": ["/_colophon/hello"],
             "volumes.get": [f"/books/v1/volumes/{urllib.parse.quote(i)}?key={a.key}" for i in ids]}
    for cls, qk in LIST_CLASSES.items():
        files[cls] = [list_path(x, a.key) for x in q[qk]]
    for cls, lines in files.items():
        with open(os.path.join(a.out_dir, cls + ".txt"), "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")

    # 3. checks
    sizes, lat, bad = [], [], 0
    for i, p in zip(ids, files["volumes.get"]):
        st, doc, size, ms = fetch(a.base, p)
        sizes.append(size)
        lat.append(ms)
        if st != 200 or (doc or {}).get("id") != i or not (doc or {}).get("volumeInfo", {}).get("title"):
            bad += 1
            if bad <= 5:
                problems.append(f"volumes.get {i}: status {st}")
    sanity["volumes.get"] = {"checked": len(ids), "bad": bad, "mean_bytes": round(sum(sizes) / max(1, len(sizes))),
                             "mean_ms_sequential": round(sum(lat) / max(1, len(lat)), 2)}
    for cls, qk in LIST_CLASSES.items():
        n = hits = items_total = status_bad = 0
        sizes, lat = [], []
        totals = []
        for qv, p in list(zip(q[qk], files[cls]))[: a.sample]:
            st, doc, size, ms = fetch(a.base, p)
            n += 1
            sizes.append(size)
            lat.append(ms)
            if st != 200 or doc is None:
                status_bad += 1
                if status_bad <= 5:
                    problems.append(f"{cls} {qv!r}: status {st}")
                continue
            items = doc.get("items") or []
            total = doc.get("totalItems", 0)
            totals.append(total)
            items_total += len(items)
            hits += 1 if items else 0
            if cls == "list-isbn":
                isbn = qv.split(":", 1)[1]
                found = any(isbn in isbns_of(it) for it in items)
                if isbn in missing:
                    if items or total:
                        problems.append(f"{cls} {qv}: not in the catalog, yet {total} totalItems")
                elif not found:
                    problems.append(f"{cls} {qv}: in the catalog, {len(items)} items, none with that ISBN")
            if cls == "list-subject-paging" and len(items) > 20:
                problems.append(f"{cls} {qv}: {len(items)} items > maxResults=20")
        totals.sort()
        sanity[cls] = {
            "checked": n, "non_200": status_bad, "with_items": hits,
            "hit_rate": round(hits / max(1, n - status_bad), 3),
            "mean_items": round(items_total / max(1, n - status_bad), 2),
            "median_totalItems": totals[len(totals) // 2] if totals else None,
            "mean_bytes": round(sum(sizes) / max(1, len(sizes))),
            "mean_ms_sequential": round(sum(lat) / max(1, len(lat)), 2),
        }
    sampled = [x.split(":", 1)[1] for x in q["isbn"][: a.sample]]
    sanity["list-isbn"]["missing_in_sample"] = sum(1 for x in sampled if x in missing)
    for cls in ("list-keywords", "list-title-author", "list-phrase", "list-subject-paging"):
        if sanity[cls]["hit_rate"] < 0.5:
            print(f"prepare_urls: WARNING {cls} hit rate {sanity[cls]['hit_rate']} < 0.5 "
                  "(queries are drawn from the catalog; the server's matching may differ)", file=sys.stderr)
    sanity["problems"] = problems
    with open(os.path.join(a.out_dir, "sanity.json"), "w", encoding="utf-8") as fh:
        json.dump(sanity, fh, indent=1)
    for cls, s in sanity.items():
        if cls != "problems":
            print(f"prepare_urls: {cls:20s} {json.dumps(s)}", file=sys.stderr)
    if problems:
        print("prepare_urls: FAILED checks:\n  " + "\n  ".join(problems[:30]), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
