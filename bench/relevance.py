#!/usr/bin/env python3
"""Known-item relevance benchmark: generates queries from a Colophon export and scores a server.

    relevance.py generate EXPORT.jsonl [--seed N] > queries.jsonl
    relevance.py score BASE_URL KEY queries.jsonl [--report out.json]

The catalog is whatever `bench/relevance.sh` imported from ../shared/data; the queries are drawn
from its export with a fixed seed, so the set is fixed for a given data folder. Classes:

  title          the title as a user types it (lower case, no punctuation)
  title_author   the title and the first author's surname
  author         the first author's full name (relevant: any volume by that author)
  isbn           a bare ISBN-13
  phrase         eight consecutive words from inside a digitized book's full text

Every class but `isbn` also appears with one typo (`+typo`): one edit (substitution,
deletion, insertion or transposition) in one word of five letters or more. A mistyped ISBN fails
its check digit and names no book, so ISBNs have no typo class.

A result is relevant when it is the target volume or has the same normalised title and first
author (catalogs hold several editions of one book; any of them is the book the user meant).
Scores: success@1, success@10 and MRR (reciprocal rank of the first relevant result in the top
10, else 0), per class.
"""

import argparse
import collections
import json
import random
import re
import sys
import time
import unicodedata
import urllib.parse
import urllib.request

PER_CLASS = 200
PHRASE_WORDS = 8
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def fold(text):
    """Lower case, diacritics removed, words joined by one space."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(w.lower() for w in WORD.findall(text))


def typed(text):
    """How a user types a title or name: lower case, punctuation dropped, accents kept."""
    return " ".join(w.lower() for w in WORD.findall(text or ""))


def surname(author):
    words = WORD.findall(author or "")
    return words[-1] if words else ""


def source_kind(line):
    keys = [s.get("sourceKey", "") for s in line.get("sources", [])]
    for key in keys:
        if key.startswith(("csv:goodbooks", "csv:goodreads")):
            return "popular"
    for key in keys:
        if key.startswith("csv:gutenberg"):
            return "gutenberg"
    return "other"


def typo(query, rng):
    """One edit in one word of 5+ letters; None when no word is long enough."""
    words = query.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return None
    i = rng.choice(long)
    w = words[i]
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(10):
        kind = rng.choice(["sub", "del", "ins", "swap"])
        p = rng.randrange(1, len(w) - 1)  # keep the first letter, as most typos do
        if kind == "sub":
            new = w[:p] + rng.choice(letters.replace(w[p], "")) + w[p + 1:]
        elif kind == "del":
            new = w[:p] + w[p + 1:]
        elif kind == "ins":
            new = w[:p] + rng.choice(letters) + w[p:]
        else:
            new = w[:p] + w[p + 1] + w[p] + w[p + 2:]
        if new != w:
            words[i] = new
            return " ".join(words)
    return None


def isbn13(info):
    for ident in info.get("industryIdentifiers", []) or []:
        if ident.get("type") == "ISBN_13":
            return ident.get("identifier")
    return None


def generate(args):
    rng = random.Random(args.seed)
    lines = []
    with open(args.export, encoding="utf-8") as f:
        for raw in f:
            line = json.loads(raw)
            info = line.get("volumeInfo", {})
            if not info.get("title"):
                continue
            lines.append(line)
    lines.sort(key=lambda l: l["id"])
    by_kind = collections.defaultdict(list)
    for line in lines:
        by_kind[source_kind(line)].append(line)

    def pick(n, pools, accept):
        """n targets, alternating between pools, each accepted once."""
        chosen, seen = [], set()
        shuffled = [rng.sample(p, len(p)) for p in pools if p]
        cursors = [0] * len(shuffled)
        while len(chosen) < n and any(c < len(p) for c, p in zip(cursors, shuffled)):
            for k, pool in enumerate(shuffled):
                while cursors[k] < len(pool):
                    line = pool[cursors[k]]
                    cursors[k] += 1
                    if line["id"] not in seen and accept(line):
                        seen.add(line["id"])
                        chosen.append(line)
                        break
                if len(chosen) >= n:
                    break
        return chosen

    pools = [by_kind["popular"], by_kind["gutenberg"]]
    has_author = lambda l: bool(l["volumeInfo"].get("authors"))
    out = []

    def emit(cls, q, line, extra=None):
        info = line["volumeInfo"]
        item = {
            "class": cls,
            "q": q,
            "target": line["id"],
            "title": fold(info.get("title")),
            "author": fold((info.get("authors") or [""])[0]),
        }
        if extra:
            item.update(extra)
        out.append(item)

    def both(cls, q, line, extra=None):
        emit(cls, q, line, extra)
        t = typo(q, rng)
        if t:
            emit(cls + "+typo", t, line, extra)

    title_ok = lambda l: has_author(l) and 1 <= len(typed(l["volumeInfo"]["title"]).split()) <= 12
    for line in pick(PER_CLASS, pools, title_ok):
        both("title", typed(line["volumeInfo"]["title"]), line)
    for line in pick(PER_CLASS, pools, title_ok):
        info = line["volumeInfo"]
        both("title_author", f"{typed(info['title'])} {typed(surname(info['authors'][0]))}", line)
    authors_seen = set()

    def author_ok(line):
        if not has_author(line):
            return False
        name = fold(line["volumeInfo"]["authors"][0])
        if name in authors_seen or len(name.split()) < 2:
            return False
        authors_seen.add(name)
        return True

    for line in pick(PER_CLASS, pools, author_ok):
        both("author", typed(line["volumeInfo"]["authors"][0]), line, {"match": "author"})
    for line in pick(PER_CLASS, pools, lambda l: isbn13(l["volumeInfo"]) is not None):
        emit("isbn", isbn13(line["volumeInfo"]), line)
    books = [l for l in lines if l.get("fullText")]
    if books:
        per_book = max(1, -(-PER_CLASS // len(books)))
        for line in books:
            words = WORD.findall(line["fullText"])
            if len(words) < 200:
                continue
            for _ in range(per_book):
                start = rng.randrange(len(words) // 10, len(words) - PHRASE_WORDS)
                q = " ".join(w.lower() for w in words[start:start + PHRASE_WORDS])
                both("phrase", q, line)
    for item in out:
        print(json.dumps(item, ensure_ascii=False))
    print(f"relevance: {len(out)} queries from {len(lines)} volumes", file=sys.stderr)


def relevant(item, result):
    if result["id"] == item["target"]:
        return True
    info = result.get("volumeInfo", {})
    first = fold((info.get("authors") or [""])[0])
    if item.get("match") == "author":
        return any(fold(a) == item["author"] for a in info.get("authors") or [])
    return fold(info.get("title")) == item["title"] and first == item["author"]


def score(args):
    items = [json.loads(l) for l in open(args.queries, encoding="utf-8")]
    stats = collections.defaultdict(
        lambda: {"n": 0, "s1": 0, "s10": 0, "rr": 0.0, "ms": 0.0, "misses": []})
    t0 = time.time()
    for item in items:
        query = urllib.parse.urlencode({
            "q": item["q"], "maxResults": 10, "key": args.key,
            "fields": "items(id,volumeInfo(title,authors))",
        })
        started = time.perf_counter()
        with urllib.request.urlopen(f"{args.base_url}/books/v1/volumes?{query}") as resp:
            results = json.load(resp).get("items", [])
        elapsed_ms = (time.perf_counter() - started) * 1000
        rank = next((i + 1 for i, r in enumerate(results) if relevant(item, r)), None)
        s = stats[item["class"]]
        s["n"] += 1
        s["ms"] += elapsed_ms
        if rank == 1:
            s["s1"] += 1
        if rank:
            s["s10"] += 1
            s["rr"] += 1.0 / rank
        if rank != 1 and len(s["misses"]) < 15:
            top = results[0]["volumeInfo"] if results else {}
            s["misses"].append({"q": item["q"], "rank": rank,
                                "top": f"{top.get('title')} / {(top.get('authors') or [''])[0]}"})
    elapsed = time.time() - t0
    order = ["title", "title+typo", "title_author", "title_author+typo", "author", "author+typo",
             "isbn", "phrase", "phrase+typo"]
    print("| class | queries | success@1 | success@10 | MRR | mean ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    total = {"n": 0, "s1": 0, "s10": 0, "rr": 0.0, "ms": 0.0}
    for cls in order + sorted(set(stats) - set(order)):
        if cls not in stats:
            continue
        s = stats[cls]
        for k in total:
            total[k] += s[k]
        print(f"| {cls} | {s['n']} | {s['s1'] / s['n']:.3f} | {s['s10'] / s['n']:.3f} | {s['rr'] / s['n']:.3f} | {s['ms'] / s['n']:.1f} |")
    n = total["n"]
    print(f"| **all** | {n} | {total['s1'] / n:.3f} | {total['s10'] / n:.3f} | {total['rr'] / n:.3f} | {total['ms'] / n:.1f} |")
    print(f"\n{n} queries in {elapsed:.1f} s", file=sys.stderr)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump(stats, f, ensure_ascii=False, indent=1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("export")
    g.add_argument("--seed", type=int, default=20261126)
    s = sub.add_parser("score")
    s.add_argument("base_url")
    s.add_argument("key")
    s.add_argument("queries")
    s.add_argument("--report")
    args = p.parse_args()
    generate(args) if args.cmd == "generate" else score(args)


if __name__ == "__main__":
    main()
