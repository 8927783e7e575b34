#!/usr/bin/env python3
"""Seeded synthetic Open Library bulk dump, for benchmarking the `openlibrary` importer.

Stdlib only. Writes, into ``--out`` (a directory), in the real dump's layout (one record per
line: ``type TAB key TAB revision TAB last_modified TAB JSON``, gzip):

* ``ol_dump_authors.txt.gz``  — about 0.4 authors per edition,
* ``ol_dump_works.txt.gz``    — about 0.7 works per edition,
* ``ol_dump_editions.txt.gz`` — ``--n`` editions (default 1,000,000),

plus about 1 % ``/type/redirect`` and 0.3 % ``/type/delete`` lines in each file, as the real
dumps have. Every work has at least one edition (popular works have many) and one or two
authors; every author has at least one work. About 60 % of editions name their authors
themselves, the rest only through their work, as in Open Library.

Values are drawn from the real files in the shared test data (``--data``, default
``<repo>/../shared/data``): titles from goodbooks-10k, goodreads-books-11k and the Gutenberg
catalog; author names from the Gutenberg author table and the Goodreads files (the tail
composed from real forenames and surnames); subjects from the Gutenberg LCSH subjects;
publishers from goodreads-books-11k and Book-Crossing; languages from the Gutenberg and
goodbooks language distributions. ISBN-13s are valid and unique (70 % of editions; the 978-
ones also get their ISBN-10 half of the time).

Usage: ``python3 bench/gen_openlibrary.py --out /tmp/ol [--n 1000000] [--seed 20240601]``
"""

import argparse
import csv
import gzip
import io
import json
import os
import random
import sys
import time

LANG3 = {
    "en": "eng", "fr": "fre", "de": "ger", "es": "spa", "it": "ita", "pt": "por", "nl": "dut",
    "fi": "fin", "hu": "hun", "zh": "chi", "sv": "swe", "el": "gre", "la": "lat", "da": "dan",
    "eo": "epo", "ja": "jpn", "ru": "rus", "pl": "pol", "no": "nor", "ca": "cat", "cy": "wel",
}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
FORMATS = ["Paperback", "Hardcover", "Mass Market Paperback", "E-book", "Audio CD",
           "Library Binding", "Electronic resource"]


def open_csv(path, encoding="utf-8", delimiter=","):
    raw = gzip.open(path, "rb").read().decode(encoding, errors="replace")
    return csv.reader(io.StringIO(raw), delimiter=delimiter)


def load_pools(data):
    titles, names, subjects, publishers, langs = [], [], [], [], []
    r = open_csv(os.path.join(data, "goodbooks-10k/books.csv.gz"))
    h = next(r)
    ti, ai, li = h.index("title"), h.index("authors"), h.index("language_code")
    for row in r:
        titles.append(row[ti])
        names.extend(a.strip() for a in row[ai].split(","))
        if row[li]:
            langs.append(row[li][:2])
    r = open_csv(os.path.join(data, "goodreads-books-11k/books.csv.gz"))
    h = [c.strip() for c in next(r)]
    ti, ai, pi = h.index("title"), h.index("authors"), h.index("publisher")
    for row in r:
        titles.append(" ".join(row[ti].split()))
        names.extend(a.strip() for a in row[ai].split("/"))
        publishers.append(" ".join(row[pi].split()))
    r = open_csv(os.path.join(data, "book-crossing-partial/BX-Books.partial.csv.gz"),
                 encoding="latin-1", delimiter=";")
    next(r)
    for row in r:
        if len(row) > 4 and row[4]:
            publishers.append(row[4].replace("&amp;", "&"))
    r = open_csv(os.path.join(data, "gutenberg-catalog/gutenberg_metadata.csv.gz"))
    h = next(r)
    ti, li = h.index("title"), h.index("language")
    for row in r:
        t = row[ti].splitlines()[0].split(" : $b")[0].strip() if row[ti] else ""
        if t:
            titles.append(t)
        langs.append(row[li].split("/")[0])
    r = open_csv(os.path.join(data, "gutenberg-catalog/gutenberg_authors.csv.gz"))
    h = next(r)
    ni = h.index("author")
    forenames, surnames = [], []
    for row in r:
        n = row[ni]
        if n.count(",") == 1:
            sur, fore = (p.strip() for p in n.split(","))
            if sur and fore and "(" not in fore:
                names.append(f"{fore} {sur}")
                forenames.append(fore.split()[0])
                surnames.append(sur)
    r = open_csv(os.path.join(data, "gutenberg-catalog/gutenberg_subjects.csv.gz"))
    h = next(r)
    ki, si = h.index("subject_type"), h.index("subject")
    for row in r:
        if row[ki] == "lcsh":
            subjects.append(row[si])
    names = sorted(set(n for n in names if n))
    return (sorted(set(titles)), names, forenames, surnames, sorted(set(subjects)),
            publishers, langs)


def isbn13(body12):
    s = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(body12))
    return body12 + str((10 - s % 10) % 10)


def isbn10(isbn13_):
    body = isbn13_[3:12]
    s = sum((10 - i) * int(c) for i, c in enumerate(body))
    c = (11 - s % 11) % 11
    return body + ("X" if c == 10 else str(c))


def stamp(rng):
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06d" % (
        rng.randint(2008, 2024), rng.randint(1, 12), rng.randint(1, 28),
        rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59), rng.randint(0, 999999))


def work_authors(w, n_authors):
    """The authors of work w: deterministic, so editions need no table. Work w < n_authors
    has author w (every author has a work); 15 % of works have a second author."""
    h = (w * 2654435761 + 12345) & 0xFFFFFFFF
    first = w if w < n_authors else h % n_authors
    if h % 100 < 15:
        second = (h >> 7) % n_authors
        if second != first:
            return [first, second]
    return [first]


class Writer:
    def __init__(self, path):
        self.f = gzip.open(path, "wt", encoding="utf-8", compresslevel=1, newline="\n")
        self.buf = []

    def line(self, kind, key, rev, modified, obj):
        self.buf.append(f"{kind}\t{key}\t{rev}\t{modified}\t"
                        f"{json.dumps(obj, ensure_ascii=False, separators=(', ', ': '))}\n")
        if len(self.buf) >= 5000:
            self.flush()

    def flush(self):
        self.f.write("".join(self.buf))
        self.buf = []

    def close(self):
        self.flush()
        self.f.close()


def noise(w, rng, prefix, suffix, top, modified):
    """Redirect and delete lines, as the real dumps have."""
    x = rng.random()
    if x < 0.01:
        key = f"/{prefix}/OL{top + rng.randint(1, 10_000_000)}{suffix}"
        w.line("/type/redirect", key, 2, modified,
               {"type": {"key": "/type/redirect"}, "key": key,
                "location": f"/{prefix}/OL{rng.randint(1, top)}{suffix}", "revision": 2,
                "last_modified": {"type": "/type/datetime", "value": modified}})
    elif x < 0.013:
        key = f"/{prefix}/OL{top + rng.randint(1, 10_000_000)}{suffix}"
        w.line("/type/delete", key, 3, modified,
               {"type": {"key": "/type/delete"}, "key": key, "revision": 3,
                "last_modified": {"type": "/type/datetime", "value": modified}})


def dt(v):
    return {"type": "/type/datetime", "value": v}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="editions")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()
    rng = random.Random(args.seed)
    titles, names, forenames, surnames, subjects, publishers, langs = load_pools(args.data)
    rng.shuffle(names)
    n_ed = args.n
    n_works = max(1, int(n_ed * 0.7))
    n_auth = max(1, int(n_ed * 0.4))
    print(f"pools: {len(titles)} titles, {len(names)} names, {len(subjects)} subjects, "
          f"{len(publishers)} publishers ({time.time() - t0:.1f}s)", file=sys.stderr)

    # Authors.
    w = Writer(os.path.join(args.out, "ol_dump_authors.txt.gz"))
    for a in range(1, n_auth + 1):
        m = stamp(rng)
        if a <= len(names) and rng.random() < 0.8:
            name = names[a - 1]
        else:
            name = f"{rng.choice(forenames)} {rng.choice(surnames)}"
        if rng.random() < 0.03 and " " in name:  # a few inverted, as some imports are
            fore, _, sur = name.rpartition(" ")
            name = f"{sur}, {fore}"
        key = f"/authors/OL{a}A"
        obj = {"key": key, "type": {"key": "/type/author"}, "name": name,
               "personal_name": name, "revision": 1, "latest_revision": 1,
               "created": dt(m), "last_modified": dt(m)}
        if rng.random() < 0.4:
            obj["birth_date"] = str(rng.randint(1700, 1990))
        if rng.random() < 0.1:
            obj["bio"] = {"type": "/type/text",
                          "value": f"{name} wrote about {rng.choice(subjects)}."}
        w.line("/type/author", key, 1, m, obj)
        noise(w, rng, "authors", "A", n_auth, m)
    w.close()
    print(f"{n_auth} authors ({time.time() - t0:.1f}s)", file=sys.stderr)

    # Works.
    w = Writer(os.path.join(args.out, "ol_dump_works.txt.gz"))
    for k in range(n_works):
        m = stamp(rng)
        key = f"/works/OL{k + 1}W"
        obj = {"key": key, "type": {"key": "/type/work"}, "title": rng.choice(titles),
               "authors": [{"author": {"key": f"/authors/OL{a + 1}A"},
                            "type": {"key": "/type/author_role"}}
                           for a in work_authors(k, n_auth)],
               "revision": rng.randint(1, 6), "latest_revision": 1,
               "created": dt(m), "last_modified": dt(m)}
        if rng.random() < 0.5:
            obj["subjects"] = rng.sample(subjects, rng.randint(1, 8))
        if rng.random() < 0.25:
            text = " ".join(rng.choice(titles) + "." for _ in range(rng.randint(1, 8)))
            obj["description"] = text if rng.random() < 0.5 else {"type": "/type/text",
                                                                  "value": text}
        if rng.random() < 0.3:
            obj["first_publish_date"] = str(rng.randint(1800, 2023))
        if rng.random() < 0.4:
            obj["covers"] = [rng.randint(1, 14_000_000)]
        w.line("/type/work", key, obj["revision"], m, obj)
        noise(w, rng, "works", "W", n_works, m)
    w.close()
    print(f"{n_works} works ({time.time() - t0:.1f}s)", file=sys.stderr)

    # Editions.
    w = Writer(os.path.join(args.out, "ol_dump_editions.txt.gz"))
    isbn_base = rng.randint(0, 10**8)
    for e in range(n_ed):
        m = stamp(rng)
        work = e if e < n_works else int(n_works * rng.random() ** 2)
        key = f"/books/OL{e + 1}M"
        obj = {"key": key, "type": {"key": "/type/edition"}, "title": rng.choice(titles),
               "works": [{"key": f"/works/OL{work + 1}W"}], "revision": rng.randint(1, 9),
               "latest_revision": 1, "created": dt(m), "last_modified": dt(m),
               "source_records": [f"ia:synthetic{e}"]}
        if rng.random() < 0.6:
            obj["authors"] = [{"key": f"/authors/OL{a + 1}A"}
                              for a in work_authors(work, n_auth)]
        if rng.random() < 0.15:
            obj["subtitle"] = rng.choice(titles)
        if rng.random() < 0.9:
            obj["publishers"] = [rng.choice(publishers)]
        x = rng.random()
        year = rng.randint(1850, 2023)
        if x < 0.5:
            obj["publish_date"] = str(year)
        elif x < 0.8:
            obj["publish_date"] = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {year}"
        elif x < 0.95:
            obj["publish_date"] = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if rng.random() < 0.7:
            body = "979" if rng.random() < 0.1 else "978"
            i13 = isbn13(body + "%09d" % ((isbn_base + e) % 10**9))
            obj["isbn_13"] = [i13]
            if body == "978" and rng.random() < 0.5:
                obj["isbn_10"] = [isbn10(i13)]
        if rng.random() < 0.7:
            pages = int(rng.lognormvariate(5.4, 0.6)) + 8
            obj["number_of_pages"] = pages
            obj["pagination"] = f"{pages} p."
        if rng.random() < 0.85:
            lang = LANG3.get(rng.choice(langs), "eng")
            obj["languages"] = [{"key": f"/languages/{lang}"}]
        if rng.random() < 0.3:
            obj["subjects"] = rng.sample(subjects, rng.randint(1, 4))
        if rng.random() < 0.3:
            obj["physical_format"] = rng.choice(FORMATS)
        if rng.random() < 0.1:
            obj["lccn"] = [str(rng.randint(10**7, 10**10))]
        if rng.random() < 0.25:
            obj["oclc_numbers"] = [str(rng.randint(10**5, 10**9))]
        if rng.random() < 0.4:
            obj["publish_places"] = [rng.choice(["New York", "London", "Paris", "Berlin",
                                                  "Toronto", "Boston", "Madrid"])]
        if rng.random() < 0.05:
            obj["description"] = {"type": "/type/text", "value": rng.choice(titles) + "."}
        w.line("/type/edition", key, obj["revision"], m, obj)
        noise(w, rng, "books", "M", n_ed, m)
        if (e + 1) % 200_000 == 0:
            print(f"{e + 1} editions ({time.time() - t0:.1f}s)", file=sys.stderr)
    w.close()
    print(f"{n_ed} editions; done in {time.time() - t0:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
