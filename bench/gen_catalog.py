#!/usr/bin/env python3
"""Seeded synthetic Books API catalog + query sets for the Colophon benchmark.

Stdlib only. Reads real distributions from the shared test data (default
``<repo>/../shared/data``, override with ``--data``) at run time and writes:

* ``OUT`` (``--out``): N (``--n``) Books API ``Volume`` JSON objects, one per line
  (gzip when the name ends in ``.gz``). No ``id``: Colophon derives the id from the
  first ISBN (the ISBN-13, which comes first).
* ``--queries OUT.json``: per query class a list of ``q`` strings (extra parameters
  appended as ``&name=value``), all drawn from the generated catalog with the same seed.

Where each field comes from:

* titles: a word-bigram chain trained on the titles of goodbooks-10k, goodreads-books-11k,
  book-crossing and the Gutenberg catalog (each source weighted equally), with the number of
  words drawn from the same sources' empirical title-length distribution;
* authors: 1-4 per volume (count distribution from goodreads-books-11k), half drawn from the
  empirical author occurrences of all four files (head + real long tail), half composed from
  a real forename and a real surname (the long tail of a big catalog);
* publisher + publishedDate: jointly from goodreads-books-11k and book-crossing records;
* pageCount: goodreads-books-11k ``num_pages``;
* language: half from the goodbooks-10k ``language_code`` distribution, half from Gutenberg's;
* categories: the LCSH subject rows of one random Gutenberg ebook (1-3), rendered as
  ``A / B / C`` paths like Google's BISAC-style categories;
* description: missing for 20 %, otherwise log-normal length (median ~90 words, 5-600)
  composed of sentences mixing function words, title vocabulary and the volume's subject words;
* ISBN-13 valid and unique per volume (90 % 978-, 10 % 979-), ISBN-10 for the 978- ones.
"""

import argparse
import bisect
import collections
import csv
import gzip
import html
import io
import json
import math
import os
import random
import re
import sys

STOP = set(
    """a an and are as at be but by for from has have he her his i if in into is it its me my
    no not of on or our she so than that the their them then there these they this to was we
    were what when where which who will with you your de la le les des du et el en y der die
    das und von den del di il e o""".split()
)
FUNCTION_WORDS = (
    "the the the of of and and a a to in in is is with for as his her their on by from that "
    "this who which an at into through after before between under its when where while"
).split()
TRAILING = {"of", "the", "and", "a", "an", "in", "to", "for", "with", "on", "de", "la", "le", "&", "or", "by"}
LANG3 = {
    "eng": "en", "en-US": "en", "en-GB": "en", "en-CA": "en", "enm": "en", "en": "en",
    "spa": "es", "fre": "fr", "ger": "de", "ara": "ar", "ind": "id", "por": "pt", "pol": "pl",
    "per": "fa", "nor": "no", "jpn": "ja", "dan": "da", "vie": "vi", "tur": "tr", "fil": "tl",
    "swe": "sv", "rum": "ro", "rus": "ru", "ita": "it", "zho": "zh", "grc": "el", "lat": "la",
    "msa": "ms", "glg": "gl", "wel": "cy", "gla": "gd", "nl": "nl",
}
TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def open_text(path, encoding="utf-8"):
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")


class Sampler:
    """Weighted sampling with precomputed cumulative weights."""

    def __init__(self, counter):
        items = sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))
        self.values = [k for k, _ in items]
        self.cum = []
        total = 0.0
        for _, w in items:
            total += w
            self.cum.append(total)
        self.total = total

    def __len__(self):
        return len(self.values)

    def one(self, rng):
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total) if self.total else 0]

    def many(self, rng, k):
        return rng.choices(self.values, cum_weights=self.cum, k=k)


def clean_title(t):
    t = t.replace("\r\n", "\n").split("\n")[0]
    t = re.sub(r"\s*\$[a-z]\s*", " ", t)  # MARC subfield markers left in Gutenberg titles
    t = re.sub(r"\s*\((?:[^()]*#[^()]*)\)\s*$", "", t)  # goodreads series suffix "(Series, #1)"
    t = html.unescape(t)
    return " ".join(t.split()).strip(" :;,/")


def clean_author(a):
    a = html.unescape(a).strip()
    if not a or "Ã" in a or "?" in a:
        return None
    if "," in a:  # Gutenberg "Surname, Forenames"
        sur, _, fore = a.partition(",")
        fore = re.sub(r"\(.*?\)", "", fore).strip()
        a = f"{fore} {sur.strip()}" if fore else sur.strip()
    if a.isupper():
        a = a.title()
    a = " ".join(a.split())
    return a if len(a) >= 2 else None


def load(data):
    src = {k: [] for k in ("goodbooks", "goodreads", "bx", "gutenberg")}  # titles per source
    authors = collections.Counter()
    n_authors = collections.Counter()
    pubdates = []  # (publisher, date)
    pages = []
    lang_gb = collections.Counter()
    lang_pg = collections.Counter()

    with open_text(os.path.join(data, "goodbooks-10k/books.csv.gz")) as fh:
        for r in csv.DictReader(fh):
            src["goodbooks"].append(clean_title(r["title"]))
            for a in r["authors"].split(","):
                a = clean_author(a)
                if a:
                    authors[a] += 1
            if r["language_code"]:
                lang_gb[LANG3.get(r["language_code"], r["language_code"][:2])] += 1

    with open_text(os.path.join(data, "goodreads-books-11k/books.csv.gz")) as fh:
        for r in csv.DictReader(fh):
            r = {k.strip(): v for k, v in r.items() if k}
            src["goodreads"].append(clean_title(r["title"]))
            names = [clean_author(a) for a in r["authors"].split("/")]
            names = [a for a in names if a]
            n_authors[min(len(names), 4) or 1] += 1
            for a in names:
                authors[a] += 1
            try:
                pages.append(int(r["num_pages"]))
            except ValueError:
                pass
            m = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})$", r["publication_date"].strip())
            pub = html.unescape(r["publisher"]).strip()
            if m and pub:
                mo, d, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
                if 1 <= mo <= 12 and 1 <= d <= 28 + (3 if mo != 2 else 0) and 1000 < y <= 2025:
                    pubdates.append((pub, f"{y:04d}-{mo:02d}-{d:02d}"))

    with open_text(os.path.join(data, "book-crossing-partial/BX-Books.partial.csv.gz"), "latin-1") as fh:
        rd = csv.reader(fh, delimiter=";")
        next(rd)
        for r in rd:
            if len(r) < 5:
                continue
            if "Ã" not in r[1]:
                src["bx"].append(clean_title(r[1]))
            a = clean_author(r[2])
            if a:
                authors[a] += 1
            pub = html.unescape(r[4]).strip()
            if "Ã" in pub:
                continue
            try:
                y = int(r[3])
            except ValueError:
                continue
            if pub and 1000 < y <= 2025:
                pubdates.append((pub, f"{y:04d}"))

    pg_ids = []
    with open_text(os.path.join(data, "gutenberg-catalog/gutenberg_metadata.csv.gz")) as fh:
        seen = set()
        for r in csv.DictReader(fh):
            a = clean_author(r["author"])
            if a:
                authors[a] += 1
            gid = r["gutenberg_id"]
            if gid in seen:
                continue
            seen.add(gid)
            src["gutenberg"].append(clean_title(r["title"]))
            if r["language"]:
                lang_pg[r["language"].split("/")[0]] += 1

    subjects = collections.defaultdict(list)
    with open_text(os.path.join(data, "gutenberg-catalog/gutenberg_subjects.csv.gz")) as fh:
        for r in csv.DictReader(fh):
            if r["subject_type"] == "lcsh":
                cat = " / ".join(p.strip() for p in r["subject"].split(" -- ") if p.strip())
                if cat:
                    subjects[r["gutenberg_id"]].append(cat)
    subject_sets = [v for _, v in sorted(subjects.items(), key=lambda kv: int(kv[0]))]
    return src, authors, n_authors, pubdates, pages, lang_gb, lang_pg, subject_sets


class TitleModel:
    def __init__(self, sources):
        start = collections.Counter()
        nxt = collections.defaultdict(collections.Counter)
        uni = collections.Counter()
        lengths = collections.Counter()
        for titles in sources.values():
            titles = [t for t in titles if t]
            w = 10000.0 / max(1, len(titles))  # every source weighs the same
            for t in titles:
                words = t.split()
                lengths[min(len(words), 25)] += w
                start[words[0]] += w
                for a, b in zip(words, words[1:]):
                    nxt[a][b] += w
                for x in words:
                    uni[x] += w
        self.start = Sampler(start)
        self.uni = Sampler(uni)
        self.lengths = Sampler(lengths)
        self.nxt = {k: Sampler(v) for k, v in nxt.items()}

    def title(self, rng, n=None):
        n = n or self.lengths.one(rng)
        words = [self.start.one(rng)]
        while len(words) < n:
            s = self.nxt.get(words[-1])
            words.append(s.one(rng) if s is not None and rng.random() < 0.9 else self.uni.one(rng))
        while len(words) > 1 and words[-1].lower().strip(":;,/-") in TRAILING:
            words.pop()
        return " ".join(words).strip(" :;,/-")


def isbn13_check(d12):
    s = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(d12))
    return str((10 - s % 10) % 10)


def isbn10_from13(i13):
    d9 = i13[3:12]
    s = sum((10 - i) * int(c) for i, c in enumerate(d9))
    c = (11 - s % 11) % 11
    return d9 + ("X" if c == 10 else str(c))


def new_isbn(rng, used):
    while True:
        if rng.random() < 0.9:
            d12 = "978" + "".join(rng.choice("0123456789") for _ in range(9))
        else:
            d12 = "979" + rng.choice(["8", "10", "11", "12"])
            d12 += "".join(rng.choice("0123456789") for _ in range(12 - len(d12)))
        i13 = d12 + isbn13_check(d12)
        if i13 not in used:
            used.add(i13)
            return i13


def words_of(text):
    return [w.lower() for w in TOKEN.findall(text)]


def good_word(w):
    """A query term: alphabetic, Latin script (with accents), not a stop word."""
    return w.isalpha() and len(w) >= 3 and w not in STOP and all(ord(c) < 0x250 for c in w)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(here, "out", "catalog.jsonl.gz"))
    ap.add_argument("--queries", default=None, help="write the query sets here (JSON)")
    ap.add_argument("--per-class", type=int, default=2000, help="queries per class")
    ap.add_argument("--get-ids", type=int, default=1000, help="ISBNs to resolve into ids for volumes.get")
    ap.add_argument("--sample", type=int, default=200000,
                    help="queries are drawn from a uniform sample of this many volumes (memory stays "
                         "bounded at millions of volumes; the catalog itself does not depend on it)")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    src, authors, n_authors, pubdates, pages, lang_gb, lang_pg, subject_sets = load(a.data)
    tm = TitleModel(src)
    author_s = Sampler(authors)
    # forename/surname pools for composed long-tail names, weighted by real occurrence
    fore, sur = collections.Counter(), collections.Counter()
    for name, c in authors.items():
        parts = name.split()
        if len(parts) >= 2 and parts[-1].isalpha() and len(parts[-1]) >= 2:
            fore[" ".join(parts[:-1])] += c
            sur[parts[-1]] += c
    fore_s, sur_s = Sampler(fore), Sampler(sur)
    nauth_s = Sampler(n_authors)
    lang_gb_s, lang_pg_s = Sampler(lang_gb), Sampler(lang_pg)
    pages = [p for p in pages if p > 0]
    func_s = Sampler(collections.Counter(FUNCTION_WORDS))
    desc_vocab = Sampler(collections.Counter({w: c for w, c in zip(tm.uni.values, _weights(tm.uni)) if any(ch.isalpha() for ch in w)}))

    used = set()
    docs = []  # compact per-volume facts for the queries: a uniform reservoir sample
    pick = random.Random(a.seed + 2)  # own stream: the catalog bytes do not depend on the sample
    os.makedirs(os.path.dirname(os.path.abspath(a.out)) or ".", exist_ok=True)
    tmp = a.out + ".tmp"
    with open_out(tmp, a.out.endswith(".gz")) as out:
        for i in range(a.n):
            title = tm.title(rng)
            while len(title) < 2 or title.lower() in TRAILING:
                title = tm.title(rng)
            k = nauth_s.one(rng)
            names = []
            for _ in range(k):
                if rng.random() < 0.5:
                    nm = author_s.one(rng)
                else:
                    nm = f"{fore_s.one(rng)} {sur_s.one(rng)}"
                if nm not in names:
                    names.append(nm)
            pub, date = rng.choice(pubdates)
            cats = list(dict.fromkeys(rng.choice(subject_sets)))[: rng.choice((1, 1, 1, 2, 2, 3))]
            i13 = new_isbn(rng, used)
            ids = [{"type": "ISBN_13", "identifier": i13}]
            if i13.startswith("978"):
                ids.append({"type": "ISBN_10", "identifier": isbn10_from13(i13)})
            lang = (lang_gb_s if rng.random() < 0.5 else lang_pg_s).one(rng)
            info = {"title": title, "authors": names}
            if rng.random() < 0.9:
                info["publisher"] = pub
            info["publishedDate"] = date
            desc = None
            if rng.random() < 0.8:
                nwords = int(min(600, max(5, math.exp(rng.gauss(math.log(90), 0.8)))))
                desc = describe(rng, nwords, func_s, desc_vocab, title, cats)
                info["description"] = desc
            info["industryIdentifiers"] = ids
            if rng.random() < 0.95:
                info["pageCount"] = rng.choice(pages)
            info["printType"] = "BOOK"
            info["categories"] = cats
            info["maturityRating"] = "NOT_MATURE"
            info["language"] = lang
            vol = {
                "volumeInfo": info,
                "saleInfo": {"saleability": "NOT_FOR_SALE", "isEbook": False},
                "accessInfo": {
                    "viewability": "NO_PAGES", "embeddable": False, "publicDomain": False,
                    "textToSpeechPermission": "ALLOWED", "epub": {"isAvailable": False},
                    "pdf": {"isAvailable": False}, "accessViewStatus": "NONE", "quoteSharingAllowed": False,
                },
            }
            out.write(json.dumps(vol, ensure_ascii=False, separators=(",", ":")) + "\n")
            if a.queries:
                if len(docs) < a.sample:
                    docs.append((i13, title, names, cats, desc))
                else:
                    j = pick.randrange(i + 1)
                    if j < a.sample:
                        docs[j] = (i13, title, names, cats, desc)
            if (i + 1) % 500000 == 0:
                print(f"gen_catalog: {i + 1} volumes", file=sys.stderr)
    os.replace(tmp, a.out)
    print(f"gen_catalog: wrote {a.n} volumes to {a.out}", file=sys.stderr)

    if a.queries:
        q = make_queries(random.Random(a.seed + 1), docs, used, a.per_class, a.get_ids, a.n)
        with open(a.queries, "w", encoding="utf-8") as fh:
            json.dump(q, fh, ensure_ascii=False, indent=0)
        print(f"gen_catalog: wrote queries to {a.queries} ("
              + ", ".join(f"{k}={len(v)}" for k, v in q.items() if isinstance(v, list)) + ")", file=sys.stderr)


def open_out(path, gz):
    """Text writer; gzip with mtime=0 so the same seed gives the same bytes."""
    if gz:
        raw = open(path, "wb")
        z = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)
        w = io.TextIOWrapper(z, encoding="utf-8", newline="\n")
        close = w.close

        def closeall():
            close()
            raw.close()

        w.close = closeall
        return w
    return open(path, "w", encoding="utf-8", newline="\n")


def _weights(s):
    prev = 0.0
    for c in s.cum:
        yield c - prev
        prev = c


def describe(rng, nwords, func_s, vocab, title, cats):
    own = [w for w in TOKEN.findall(title + " " + " ".join(cats)) if w.isalpha()] or ["book"]
    words = []
    while len(words) < nwords:
        slen = min(rng.randint(6, 24), nwords - len(words)) or 1
        kinds = rng.choices((0, 1, 2), weights=(4, 4, 2), k=slen)
        fw = func_s.many(rng, slen)
        vw = vocab.many(rng, slen)
        sent = [fw[j] if kd == 0 else vw[j] if kd == 1 else rng.choice(own) for j, kd in enumerate(kinds)]
        sent = [w.strip(".,:;!?()[]\"").lower() or "the" for w in sent]
        sent[0] = sent[0][:1].upper() + sent[0][1:]
        words.extend(sent)
        words[-1] = words[-1] + "."
    return " ".join(words)


def make_queries(rng, docs, used, per_class, get_ids, n_total):
    """Query sets drawn from the generated volumes (so they have hits), plus 5 % missing ISBNs.

    ``docs`` may be a uniform sample of the catalog; document frequencies are counted in it and
    scaled to the whole catalog (``n_total``)."""
    # document frequencies of title+description+author words (the default search fields)
    df = collections.Counter()
    subj_df = collections.Counter()
    for i13, title, names, cats, desc in docs:
        df.update(set(words_of(title + " " + " ".join(names) + " " + (desc or ""))))
        subj_df.update(set(w for w in words_of(" ".join(cats)) if good_word(w)))
    n = len(docs)
    scale = n_total / max(1, n)

    def bucket(w):
        d = df[w]
        return 0 if d <= max(3, n // 10000) else 1 if d <= max(30, n // 100) else 2

    q = {"seed_note": "lists of q values; '&name=value' suffixes are extra query parameters",
         "isbn": [], "title_author": [], "keywords": [], "subject_paging": [], "phrase": [], "get_isbns": [], "isbn_missing": []}
    for _ in range(per_class):
        if rng.random() < 0.05:
            missing = new_isbn(rng, used)  # valid checksum, not in the catalog
            q["isbn"].append("isbn:" + missing)
            q["isbn_missing"].append(missing)
        else:
            q["isbn"].append("isbn:" + rng.choice(docs)[0])
    while len(q["title_author"]) < per_class:
        _, title, names, _, _ = rng.choice(docs)
        tw = [w for w in words_of(title) if good_word(w)]
        sw = [w for w in words_of(names[0].split()[-1]) if w.isalpha() and len(w) >= 2] if names else []
        if tw and sw:
            q["title_author"].append(f"intitle:{rng.choice(tw)} inauthor:{sw[-1]}")
    # keywords: 1-3 terms from one volume; the first term cycles through rare/medium/frequent df buckets
    want = 0
    while len(q["keywords"]) < per_class:
        _, title, names, _, desc = rng.choice(docs)
        ws = list(dict.fromkeys(w for w in words_of(title + " " + (desc or "")) if good_word(w)))
        first = [w for w in ws if bucket(w) == want]
        if not first:
            continue
        k = rng.choice((1, 1, 2, 2, 2, 3))
        terms = [rng.choice(first)]
        others = [w for w in ws if w != terms[0]]
        terms += rng.sample(others, min(k - 1, len(others)))
        q["keywords"].append(" ".join(terms))
        want = (want + 1) % 3
    frequent = [w for w, c in subj_df.most_common(60) if c >= 20]
    if not frequent:
        frequent = [w for w, _ in subj_df.most_common(10)]
    for _ in range(per_class):
        w = rng.choice(frequent)
        pages = max(1, min(int(subj_df[w] * scale), 400) // 20)
        start = 20 * rng.randrange(pages)
        q["subject_paging"].append(f"subject:{w}&startIndex={start}&maxResults=20")
    while len(q["phrase"]) < per_class:
        _, title, _, _, _ = rng.choice(docs)
        ws = title.split()
        ws = [words_of(w) for w in ws]
        ws = [w[0] if len(w) == 1 else None for w in ws]
        k = rng.choice((2, 2, 3))
        if len(ws) < k:
            continue
        s = rng.randrange(len(ws) - k + 1)
        span = ws[s : s + k]
        if any(w is None or not w.isalpha() or any(ord(c) >= 0x250 for c in w) for w in span) or not any(
            good_word(w) for w in span
        ):
            continue
        q["phrase"].append('"' + " ".join(span) + '"')
    for d in rng.sample(docs, min(get_ids, len(docs))):
        q["get_isbns"].append(d[0])
    return q


if __name__ == "__main__":
    main()
