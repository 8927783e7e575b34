"""Search quality smoke tests: the answers a person would expect from the demo catalog."""

from __future__ import annotations

from helpers import authors_text, fold, items_of, summary, titles


def _items(books, q, **kw):
    kw.setdefault("maxResults", 40)
    return items_of(books.volumes().list(q=q, **kw).execute(), context=f"q={q!r}")


def test_pride_prejudice_first_hit(books):
    items = _items(books, "pride prejudice")
    assert titles(items)[0] == "Pride and Prejudice", f"first hit should be Pride and Prejudice: {summary(items)}"


def test_frankenstein_first_hit(books):
    items = _items(books, "frankenstein")
    assert titles(items)[0] == "Frankenstein", summary(items)


def test_inauthor_dickens_only_dickens(books):
    items = _items(books, "inauthor:dickens")
    bad = [i for i in items if "dickens" not in fold(authors_text(i))]
    assert not bad, f"inauthor:dickens returned other authors: {summary(bad)}"
    got = titles(items)
    assert "A Tale of Two Cities" in got and "Great Expectations" in got, summary(items)


def test_intitle_tale_of_two(books):
    items = _items(books, 'intitle:"tale of two"')
    assert "A Tale of Two Cities" in titles(items), summary(items)
    assert titles(items)[0] == "A Tale of Two Cities", summary(items)


def test_miserables_without_accent(books):
    items = _items(books, "miserables")
    assert "Les Misérables" in titles(items), summary(items)
    assert titles(items)[0] == "Les Misérables", summary(items)


def test_title_words_rank_above_description_mentions(books):
    items = _items(books, "dracula")
    assert titles(items)[0] == "Dracula", summary(items)
