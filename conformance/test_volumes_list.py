"""books.volumes.list — GET /books/v1/volumes (books-api-behavior.md §4)."""

from __future__ import annotations

import json
import re

import pytest

from discovery_schema import non_lite_fields
from helpers import (
    WORKS,
    assert_google_error,
    assert_self_link,
    authors_text,
    client_error,
    fold,
    full_title,
    has_word_stem,
    ids,
    items_of,
    json_of,
    summary,
    titles,
    year_of,
)


def search(books, **kw) -> dict:
    return books.volumes().list(**kw).execute()


def search_items(books, q, require=True, **kw) -> list[dict]:
    kw.setdefault("maxResults", 40)
    return items_of(search(books, q=q, **kw), require=require, context=f"q={q!r} {kw}")


def id_of(find_work, title) -> str:
    return find_work(title)["id"]


# ---------------------------------------------------------------------------------------
# client plumbing
# ---------------------------------------------------------------------------------------


def test_client_requests_land_on_base_url(client_and_http, base_url):
    books, http = client_and_http
    before = len(http.exchanges)
    body = books.volumes().list(q="dracula").execute()
    assert body.get("kind") == "books#volumes"
    method, uri, status = http.exchanges[before]
    assert method == "GET" and status == 200
    assert uri.startswith(base_url + "/books/v1/volumes?"), uri
    assert "alt=json" in uri and "key=" in uri


def test_envelope(books, base_url):
    body = search(books, q="dracula")
    assert body.get("kind") == "books#volumes"
    assert isinstance(body.get("totalItems"), int) and not isinstance(body["totalItems"], bool)
    items = items_of(body, context="q=dracula")
    assert body["totalItems"] >= len(items)
    assert list(body) == ["kind", "totalItems", "items"], f"key order must be kind, totalItems, items: {list(body)}"
    for item in items:
        assert item.get("kind") == "books#volume"
        assert isinstance(item.get("id"), str) and len(item["id"]) == 12, item.get("id")
        assert_self_link(item, base_url)


def test_default_page_size_is_10(books, broad_query):
    body = search(books, q=broad_query)
    assert len(items_of(body, context=broad_query)) == 10


# ---------------------------------------------------------------------------------------
# q: words, phrases, exclusion, field keywords
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q, title",
    [
        ("pride prejudice", "Pride and Prejudice"),
        ("frankenstein", "Frankenstein"),
        ("dracula", "Dracula"),
        ("whale", "Moby-Dick"),
        ("sherlock holmes", "The Adventures of Sherlock Holmes"),
        ("time machine", "The Time Machine"),
        ("gatsby", "The Great Gatsby"),
        ("wonderland", "Alice's Adventures in Wonderland"),
        ("quijote mancha", "Don Quijote de la Mancha"),
        ("faust goethe", "Faust"),
        ("cantares gallegos", "Cantares gallegos"),
        ("austen", "Pride and Prejudice"),
        ("stoker", "Dracula"),
        ("melville whale", "Moby-Dick"),
        ("crime punishment dostoyevsky", "Crime and Punishment"),
    ],
)
def test_plain_words(books, q, title):
    items = search_items(books, q)
    assert title in titles(items), f"q={q!r} should find {title!r}; got {summary(items)}"


@pytest.mark.parametrize(
    "q, title",
    [
        ('"pride and prejudice"', "Pride and Prejudice"),
        ('"great expectations"', "Great Expectations"),
        ('"two cities"', "A Tale of Two Cities"),
        ('"time machine"', "The Time Machine"),
        ('"sherlock holmes" adventures', "The Adventures of Sherlock Holmes"),
    ],
)
def test_phrase_finds(books, q, title):
    items = search_items(books, q)
    assert title in titles(items), f"q={q!r} should find {title!r}; got {summary(items)}"


@pytest.mark.parametrize(
    "q, title",
    [
        ('"cities two"', "A Tale of Two Cities"),
        ('"machine time"', "The Time Machine"),
        ('"expectations great"', "Great Expectations"),
    ],
)
def test_phrase_respects_word_order(books, q, title):
    items = search_items(books, q, require=False)
    assert title not in titles(items), f"q={q!r} must not match {title!r} (words in other order); got {summary(items)}"


@pytest.mark.parametrize(
    "q, kept, excluded",
    [
        ("dickens -expectations", "A Tale of Two Cities", "Great Expectations"),
        ("dickens -cities", "Great Expectations", "A Tale of Two Cities"),
        ("inauthor:dickens -expectations", "A Tale of Two Cities", "Great Expectations"),
        ('dickens -"two cities"', "Great Expectations", "A Tale of Two Cities"),
    ],
)
def test_exclusion(books, q, kept, excluded):
    items = search_items(books, q)
    got = titles(items)
    assert kept in got, f"q={q!r} should still find {kept!r}; got {summary(items)}"
    assert excluded not in got, f"q={q!r} must exclude {excluded!r}; got {summary(items)}"


def test_exclusion_of_only_match(books):
    items = search_items(books, "pride prejudice -pride", require=False)
    assert "Pride and Prejudice" not in titles(items), summary(items)


@pytest.mark.parametrize(
    "q, title, word",
    [
        ("intitle:frankenstein", "Frankenstein", "frankenstein"),
        ("intitle:dracula", "Dracula", "dracula"),
        ("intitle:expectations", "Great Expectations", "expectations"),
        ("intitle:wonderland", "Alice's Adventures in Wonderland", "wonderland"),
        ("intitle:gatsby", "The Great Gatsby", "gatsby"),
    ],
)
def test_intitle(books, q, title, word):
    items = search_items(books, q)
    assert title in titles(items), f"q={q!r} should find {title!r}; got {summary(items)}"
    bad = [i for i in items if word not in fold(full_title(i))]
    assert not bad, f"q={q!r} returned volumes without {word!r} in the title: {summary(bad)}"


def test_intitle_does_not_search_authors(books):
    # "austen" is Pride and Prejudice's author, not a word of its title.
    items = search_items(books, "intitle:austen", require=False)
    assert "Pride and Prejudice" not in titles(items), summary(items)
    bad = [i for i in items if "austen" not in fold(full_title(i))]
    assert not bad, f"intitle:austen returned volumes without austen in the title: {summary(bad)}"


@pytest.mark.parametrize(
    "q, must_find, author_word",
    [
        ("inauthor:shelley", ["Frankenstein"], "shelley"),
        ("inauthor:dickens", ["A Tale of Two Cities", "Great Expectations"], "dickens"),
        ("inauthor:austen", ["Pride and Prejudice"], "austen"),
        ("inauthor:melville", ["Moby-Dick"], "melville"),
        ('inauthor:"conan doyle"', ["The Adventures of Sherlock Holmes"], "conan doyle"),
        ("inauthor:goethe", ["Faust"], "goethe"),
    ],
)
def test_inauthor(books, q, must_find, author_word):
    items = search_items(books, q)
    for title in must_find:
        assert title in titles(items), f"q={q!r} should find {title!r}; got {summary(items)}"
    bad = [i for i in items if author_word not in fold(authors_text(i))]
    assert not bad, f"q={q!r} returned volumes by other authors: {summary(bad)}"


def test_inauthor_does_not_search_titles(books):
    items = search_items(books, "inauthor:dracula", require=False)
    assert "Dracula" not in titles(items), summary(items)


def _collect_volumes(books, find_work) -> list[dict]:
    vols = []
    for title in WORKS:
        vols.append(find_work(title))
    return vols


def test_inpublisher(books, find_work):
    vols = [v for v in _collect_volumes(books, find_work) if v.get("volumeInfo", {}).get("publisher")]
    if not vols:
        pytest.skip("no demo work carries a publisher; inpublisher: cannot be checked positively")
    target = vols[0]
    publisher = target["volumeInfo"]["publisher"]
    words = [w for w in fold(publisher).replace(",", " ").replace(".", " ").split() if len(w) > 3] or fold(publisher).split()
    word = max(words, key=len)
    items = search_items(books, f"inpublisher:{word}")
    assert target["id"] in ids(items), f"inpublisher:{word} should find {target['id']} ({publisher!r}); got {summary(items)}"
    bad = [i for i in items if word not in fold(i.get("volumeInfo", {}).get("publisher", ""))]
    assert not bad, f"inpublisher:{word} returned volumes of other publishers: {summary(bad)}"


def test_inpublisher_unknown_publisher_finds_nothing(books):
    body = search(books, q="inpublisher:zzqxjvkw")
    assert body.get("totalItems") == 0 and "items" not in body, json.dumps(body)[:300]


def test_subject(books, find_work):
    target = None
    for title in ["Dracula", "Frankenstein", "Pride and Prejudice", "Moby-Dick", "The Time Machine"]:
        item = find_work(title)
        if item.get("volumeInfo", {}).get("categories"):
            target = item
            break
    assert target is not None, "none of the checked demo works has volumeInfo.categories in search results"
    category = target["volumeInfo"]["categories"][0]
    word = max(fold(category).replace("/", " ").replace(",", " ").split(), key=len)
    items = search_items(books, f"subject:{word}")
    assert target["id"] in ids(items) or len(items) == 40, (
        f"subject:{word} (from {category!r}) should find {target['id']}; got {summary(items)}"
    )
    # Matching is by word stem (books-api-behavior.md §4.1): subject:classics ~ "Classical".
    for item in items:
        cats = item.get("volumeInfo", {}).get("categories", [])
        if any(has_word_stem(word, c) for c in cats):
            continue
        # Search results may carry only top-level categories; the full list is in volumes.get.
        full = books.volumes().get(volumeId=item["id"]).execute()
        cats = full.get("volumeInfo", {}).get("categories", [])
        assert any(has_word_stem(word, c) for c in cats), (
            f"subject:{word} returned {item['id']} {full_title(item)!r} with categories {cats}"
        )


@pytest.mark.parametrize(
    "q, title",
    [
        ("intitle:frankenstein inauthor:shelley", "Frankenstein"),
        ("prejudice inauthor:austen", "Pride and Prejudice"),
        ("intitle:expectations inauthor:dickens", "Great Expectations"),
        ('intitle:"tale of two" inauthor:dickens', "A Tale of Two Cities"),
        ("inauthor:stoker intitle:dracula", "Dracula"),
    ],
)
def test_combined_keywords(books, q, title):
    items = search_items(books, q)
    assert title in titles(items), f"q={q!r} should find {title!r}; got {summary(items)}"


@pytest.mark.parametrize(
    "q, title",
    [
        ("intitle:frankenstein inauthor:austen", "Frankenstein"),
        ("intitle:dracula inauthor:dickens", "Dracula"),
        ("prejudice inauthor:dickens", "Pride and Prejudice"),
    ],
)
def test_combined_keywords_are_anded(books, q, title):
    items = search_items(books, q, require=False)
    assert title not in titles(items), f"q={q!r} must not find {title!r}; got {summary(items)}"


# ---------------------------------------------------------------------------------------
# diacritics and case
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q, title",
    [
        ("misérables", "Les Misérables"),
        ("miserables", "Les Misérables"),
        ("MISÉRABLES", "Les Misérables"),
        ("Miserables", "Les Misérables"),
        ("intitle:misérables", "Les Misérables"),
        ("intitle:miserables", "Les Misérables"),
        ("inauthor:rosalía", "Cantares gallegos"),
        ("inauthor:rosalia", "Cantares gallegos"),
    ],
)
def test_diacritics_are_folded(books, q, title):
    items = search_items(books, q)
    assert title in titles(items), f"q={q!r} should find {title!r}; got {summary(items)}"


def test_accented_and_plain_give_same_results(books):
    a = ids(search_items(books, "misérables"))
    b = ids(search_items(books, "miserables"))
    assert set(a) == set(b), f"misérables -> {a}, miserables -> {b}"


@pytest.mark.parametrize("variant", ["DRACULA", "Dracula", "dRaCuLa"])
def test_terms_are_case_insensitive(books, variant):
    base = ids(search_items(books, "dracula"))
    got = ids(search_items(books, variant))
    assert set(got) == set(base), f"q={variant!r} -> {got}; q='dracula' -> {base}"


@pytest.mark.parametrize("variant", ["intitle:DRACULA", "inauthor:STOKER", 'intitle:"Tale Of Two"'])
def test_keyword_values_are_case_insensitive(books, variant):
    items = search_items(books, variant)
    expected = "A Tale of Two Cities" if "Tale" in variant else "Dracula"
    assert expected in titles(items), f"q={variant!r}: {summary(items)}"


# ---------------------------------------------------------------------------------------
# volume id as a search term
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["exact", "lower", "upper", "swapcase"])
def test_volume_id_as_search_term(books, find_work, variant):
    vid = id_of(find_work, "Dracula")
    q = {"exact": vid, "lower": vid.lower(), "upper": vid.upper(), "swapcase": vid.swapcase()}[variant]
    items = search_items(books, q)
    assert vid in ids(items), f"q={q!r} (id {vid} in {variant} case) should find it; got {summary(items)}"


# ---------------------------------------------------------------------------------------
# filter
# ---------------------------------------------------------------------------------------


def _check_filter(items, flt):
    for i in items:
        acc, sale = i.get("accessInfo", {}), i.get("saleInfo", {})
        if flt == "full":
            assert acc.get("viewability") == "ALL_PAGES", f"filter=full returned {i['id']} with {acc.get('viewability')}"
        elif flt == "partial":
            assert acc.get("viewability") in ("PARTIAL", "ALL_PAGES"), f"filter=partial returned {i['id']} {acc}"
        elif flt == "free-ebooks":
            assert sale.get("saleability") == "FREE" and sale.get("isEbook") is True, f"{i['id']} {sale}"
        elif flt == "ebooks":
            assert sale.get("isEbook") is True, f"filter=ebooks returned non-ebook {i['id']} {sale}"


@pytest.mark.parametrize("flt", ["full", "partial", "free-ebooks", "ebooks"])
def test_filter_keeps_public_domain_work(books, find_work, flt):
    vid = id_of(find_work, "Dracula")
    items = search_items(books, "dracula", filter=flt)
    assert vid in ids(items), f"filter={flt}: public-domain Dracula must pass; got {summary(items)}"
    _check_filter(items, flt)


@pytest.mark.parametrize("flt", ["full", "partial", "free-ebooks", "ebooks"])
def test_filter_on_broad_query(books, broad_query, flt):
    items = search_items(books, broad_query, filter=flt)
    _check_filter(items, flt)


@pytest.mark.parametrize("q", ["dracula", "inauthor:dickens", "pride prejudice"])
def test_filter_paid_ebooks_finds_nothing(books, q):
    body = search(books, q=q, filter="paid-ebooks")
    assert body.get("kind") == "books#volumes"
    assert body.get("totalItems") == 0 and "items" not in body, (
        f"all demo volumes are free; filter=paid-ebooks must give 0 results: {json.dumps(body)[:300]}"
    )


# ---------------------------------------------------------------------------------------
# printType
# ---------------------------------------------------------------------------------------


def test_print_type_books(books, broad_query):
    items = search_items(books, broad_query, printType="BOOKS")
    bad = [i for i in items if i.get("volumeInfo", {}).get("printType") != "BOOK"]
    assert not bad, f"printType=BOOKS returned non-books: {summary(bad)}"


def test_print_type_magazines(books, magazine_query):
    items = search_items(books, magazine_query, printType="MAGAZINES")
    bad = [i for i in items if i.get("volumeInfo", {}).get("printType") != "MAGAZINE"]
    assert not bad, f"printType=MAGAZINES returned non-magazines: {summary(bad)}"


def test_print_type_all_includes_books_and_magazines(books, magazine_query):
    all_ = search(books, q=magazine_query, printType="ALL", maxResults=40)
    mags = search(books, q=magazine_query, printType="MAGAZINES", maxResults=40)
    bks = search(books, q=magazine_query, printType="BOOKS", maxResults=40)
    assert mags.get("items"), "magazine query found no magazines"
    assert all_["totalItems"] >= mags["totalItems"] and all_["totalItems"] >= bks["totalItems"]
    all_ids = set(ids(all_.get("items", [])))
    assert set(ids(mags["items"][:10])) & all_ids or len(all_ids) == 40, "printType=ALL lost the magazines"
    if all_["totalItems"] <= 40 and mags["totalItems"] <= 40 and bks["totalItems"] <= 40:
        union = set(ids(mags.get("items", []))) | set(ids(bks.get("items", [])))
        assert all_ids == union, f"ALL must be BOOKS + MAGAZINES: only-ALL {all_ids - union}, missing {union - all_ids}"
    default = search(books, q=magazine_query, maxResults=40)
    assert ids(default.get("items", [])) == ids(all_.get("items", [])), "printType=ALL must equal the default"


def test_print_type_books_excludes_magazines(books, magazine_query):
    mag_ids = set(ids(search_items(books, magazine_query, printType="MAGAZINES")))
    book_ids = set(ids(search_items(books, magazine_query, printType="BOOKS", require=False)))
    assert not (mag_ids & book_ids), f"printType=BOOKS returned magazines {mag_ids & book_ids}"


@pytest.mark.parametrize(
    "lower, upper",
    [("books", "BOOKS"), ("magazines", "MAGAZINES"), ("all", "ALL")],
)
def test_print_type_lower_case_via_raw_http(raw, books, magazine_query, lower, upper):
    expected = search(books, q=magazine_query, printType=upper, maxResults=40)
    got = json_of(raw.search(magazine_query, printType=lower, maxResults=40))
    assert ids(got.get("items", [])) == ids(expected.get("items", [])), (
        f"printType={lower} must behave like {upper}"
    )
    assert got.get("totalItems") == expected.get("totalItems")
    assert got.get("items") or upper == "BOOKS", f"printType={lower}: no results"


# ---------------------------------------------------------------------------------------
# projection
# ---------------------------------------------------------------------------------------


def _assert_lite(item, allow_search_info=True):
    allow = ("searchInfo", "searchInfo.textSnippet") if allow_search_info else ()
    extra = non_lite_fields(item, allow=allow)
    assert not extra, f"LITE volume {item.get('id')} carries fields not marked '(In LITE projection)': {extra}"
    vi = item.get("volumeInfo", {})
    assert item.get("kind") == "books#volume" and item.get("id") and vi.get("title"), item


@pytest.mark.parametrize("q", ["dracula", "inauthor:dickens", "misérables"])
def test_projection_lite(books, q):
    items = search_items(books, q, projection="LITE")
    for item in items:
        # searchInfo in lite results is UNVERIFIED for Google (books-api-behavior.md §6.3); tolerated.
        _assert_lite(item)
        for gone in ("industryIdentifiers", "language", "previewLink", "pageCount", "categories",
                     "readingModes", "printType", "maturityRating"):
            assert gone not in item.get("volumeInfo", {}), f"LITE kept volumeInfo.{gone}"


def test_projection_lite_keeps_the_lite_fields_of_full(books):
    from discovery_schema import lite_projection_of

    full = {i["id"]: i for i in search_items(books, "inauthor:dickens")}
    lite = {i["id"]: i for i in search_items(books, "inauthor:dickens", projection="LITE")}
    assert set(full) == set(lite), "LITE must not change which volumes match"
    for vid, item in lite.items():
        want = lite_projection_of(full[vid])
        got = lite_projection_of(item)
        want.pop("etag", None)
        got.pop("etag", None)
        assert got == want, f"{vid}: LITE fields differ from the FULL volume's LITE subset"


def test_projection_full_is_default(books):
    a = search(books, q="dracula", projection="FULL", maxResults=20)
    b = search(books, q="dracula", maxResults=20)
    assert items_of(a, context="FULL") and a == b


@pytest.mark.parametrize("value", ["lite"])
def test_projection_lower_case_via_raw_http(raw, books, value):
    expected = search(books, q="dracula", projection="LITE", maxResults=20)
    got = json_of(raw.search("dracula", projection=value, maxResults=20))
    items = items_of(got, context=f"projection={value}")
    assert ids(items) == ids(expected["items"])
    for item in items:
        _assert_lite(item)


# ---------------------------------------------------------------------------------------
# orderBy
# ---------------------------------------------------------------------------------------


def _years(items):
    return [year_of(i.get("volumeInfo", {}).get("publishedDate")) for i in items]


@pytest.mark.parametrize("which", ["broad", "inauthor:dickens"])
def test_order_by_newest(books, broad_query, which):
    q = broad_query if which == "broad" else which
    page1 = search_items(books, q, orderBy="newest", maxResults=20)
    page2 = search_items(books, q, orderBy="newest", maxResults=20, startIndex=20, require=False)
    items = page1 + page2
    years = [y for y in _years(items) if y is not None]
    assert len(years) >= 2, f"q={q!r}: too few dated results to check ordering: {summary(items)}"
    if which == "broad":
        assert len(set(years)) >= 3, f"broad query {q!r} should span several years: {years}"
    assert years == sorted(years, reverse=True), f"orderBy=newest must sort by publishedDate descending: {years}"


def test_order_by_newest_same_set_as_relevance(books):
    a = ids(search_items(books, "inauthor:dickens", orderBy="newest"))
    b = ids(search_items(books, "inauthor:dickens", orderBy="relevance"))
    assert set(a) == set(b)


def test_order_by_relevance_is_default(books):
    a = search(books, q="pride prejudice", orderBy="relevance", maxResults=20)
    b = search(books, q="pride prejudice", maxResults=20)
    assert items_of(a, context="relevance") and ids(a["items"]) == ids(b["items"])


# ---------------------------------------------------------------------------------------
# langRestrict
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q, lang, title",
    [
        ("misérables", "fr", "Les Misérables"),
        ("faust", "de", "Faust"),
        ("quijote", "es", "Don Quijote de la Mancha"),
        ("cantares", "gl", "Cantares gallegos"),
        ("pride prejudice", "en", "Pride and Prejudice"),
    ],
)
def test_lang_restrict_keeps_language(books, q, lang, title):
    items = search_items(books, q, langRestrict=lang)
    assert title in titles(items), f"langRestrict={lang}: {summary(items)}"
    bad = [i for i in items if i.get("volumeInfo", {}).get("language") != lang]
    assert not bad, f"langRestrict={lang} returned other languages: " + ", ".join(
        f"{i['id']}={i.get('volumeInfo', {}).get('language')}" for i in bad
    )


@pytest.mark.parametrize(
    "q, lang, title",
    [
        ("misérables", "en", "Les Misérables"),
        ("faust", "fr", "Faust"),
        ("pride prejudice", "de", "Pride and Prejudice"),
        ("cantares gallegos", "es", "Cantares gallegos"),
    ],
)
def test_lang_restrict_drops_other_languages(books, q, lang, title):
    items = search_items(books, q, langRestrict=lang, require=False)
    assert title not in titles(items), f"langRestrict={lang} must drop {title!r}: {summary(items)}"


# ---------------------------------------------------------------------------------------
# maxAllowedMaturityRating
# ---------------------------------------------------------------------------------------


def _mature_query(vol):
    words = re.findall(r"\w+", vol["volumeInfo"]["title"])
    return 'intitle:"' + " ".join(words) + '"'


def test_maturity_not_mature_drops_mature_volume(books, mature_volume):
    q = _mature_query(mature_volume)
    allowed = search_items(books, q, maxAllowedMaturityRating="MATURE")
    assert mature_volume["id"] in ids(allowed), f"q={q!r} MATURE: {summary(allowed)}"
    items = search_items(books, q, maxAllowedMaturityRating="not-mature", require=False)
    assert mature_volume["id"] not in ids(items), f"not-mature must drop MATURE volume {mature_volume['id']}"


def test_maturity_not_mature_on_broad_query(books, broad_query):
    items = []
    for start in (0, 40, 80):
        items += search_items(books, broad_query, maxAllowedMaturityRating="not-mature", startIndex=start,
                              require=start == 0)
    bad = [i for i in items if i.get("volumeInfo", {}).get("maturityRating") == "MATURE"]
    assert not bad, f"maxAllowedMaturityRating=not-mature returned MATURE volumes: {summary(bad)}"


@pytest.mark.parametrize("value", ["mature", "MATURE", "not-mature"])
def test_maturity_values_via_raw_http(raw, value):
    body = json_of(raw.search("dracula", maxAllowedMaturityRating=value))
    assert "Dracula" in titles(items_of(body, context=value))


# ---------------------------------------------------------------------------------------
# download
# ---------------------------------------------------------------------------------------


def test_download_epub(books, find_work):
    items = search_items(books, "dracula", download="EPUB")
    assert id_of(find_work, "Dracula") in ids(items)
    bad = [i for i in items if i.get("accessInfo", {}).get("epub", {}).get("isAvailable") is not True]
    assert not bad, f"download=EPUB returned volumes without an epub: {summary(bad)}"


def test_download_epub_lower_case_via_raw_http(raw, books):
    expected = ids(search_items(books, "dracula", download="EPUB"))
    got = ids(items_of(json_of(raw.search("dracula", download="epub", maxResults=40)), context="download=epub"))
    assert got == expected


# ---------------------------------------------------------------------------------------
# paging
# ---------------------------------------------------------------------------------------


def test_paging_pages_do_not_overlap_and_cover_first_40(books, broad_query):
    first40 = ids(search_items(books, broad_query, maxResults=40))
    assert len(first40) == 40 and len(set(first40)) == 40, "maxResults=40 must give 40 distinct volumes"
    pages = [ids(search_items(books, broad_query, startIndex=s, maxResults=10)) for s in (0, 10, 20, 30)]
    seen: set[str] = set()
    for n, page in enumerate(pages):
        assert len(page) == 10, f"page {n} has {len(page)} items"
        assert not (seen & set(page)), f"page {n} repeats {seen & set(page)}"
        seen |= set(page)
    assert seen == set(first40), f"pages of 10 must cover exactly the first 40: missing {set(first40) - seen}"


def test_paging_odd_page_sizes(books, broad_query):
    first40 = ids(search_items(books, broad_query, maxResults=40))
    got = []
    for start, size in ((0, 7), (7, 13), (20, 20)):
        got += ids(search_items(books, broad_query, startIndex=start, maxResults=size))
    assert len(got) == 40 and set(got) == set(first40)


def test_start_index_beyond_end(books):
    body = search(books, q="inauthor:dickens", maxResults=40)
    total = len(items_of(body, context="inauthor:dickens"))
    past = search(books, q="inauthor:dickens", startIndex=total + 100)
    assert past.get("kind") == "books#volumes"
    assert "items" not in past, f"startIndex past the end must give no items: {json.dumps(past)[:300]}"


@pytest.mark.parametrize("n", [1, 5, 40])
def test_max_results_honoured(books, broad_query, n):
    assert len(search_items(books, broad_query, maxResults=n)) == n


def test_max_results_zero(books, broad_query):
    body = search(books, q=broad_query, maxResults=0)
    assert body.get("kind") == "books#volumes"
    assert isinstance(body.get("totalItems"), int) and body["totalItems"] > 0, body
    assert "items" not in body, f"maxResults=0 must not return items: {json.dumps(body)[:300]}"


def test_max_results_41_is_rejected_via_client(books):
    ans = client_error(books.volumes().list(q="dracula", maxResults=41))
    assert_google_error(ans, 400, message_contains="Values must be within the range: [0, 40]", location="maxResults")


@pytest.mark.parametrize("value", ["41", "100", "1000000"])
def test_max_results_too_large(raw, value):
    assert_google_error(raw.search("dracula", maxResults=value), 400,
                        message_contains="Values must be within the range: [0, 40]", location="maxResults")


@pytest.mark.parametrize("param, value", [("maxResults", "-1"), ("startIndex", "-1"), ("startIndex", "-40")])
def test_negative_paging_values(raw, param, value):
    assert_google_error(raw.search("dracula", **{param: value}), 400)


@pytest.mark.parametrize(
    "param, value",
    [("maxResults", "abc"), ("maxResults", "1.5"), ("startIndex", "ten"), ("startIndex", "0x10")],
)
def test_non_integer_paging_values(raw, param, value):
    assert_google_error(raw.search("dracula", **{param: value}), 400)


# ---------------------------------------------------------------------------------------
# no hits, missing / empty q, unknown enum values
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["zzqxjvkwplm", "F4744518-1E7B-44F8-9AA1-D837FCD2E679", "intitle:zzqxjvkwplm"])
def test_no_hits(raw, q):
    resp = raw.search(q)
    body = json_of(resp)
    assert body == {"kind": "books#volumes", "totalItems": 0}, f"no-hit body must be exactly kind+totalItems: {resp.text}"


@pytest.mark.parametrize("q", ["", " ", "   "])
def test_empty_q(raw, q):
    assert_google_error(raw.search(q), 400, reason="queryRequired", message="Missing query.",
                        location="q", location_type="parameter")


def test_empty_q_via_client(books):
    ans = client_error(books.volumes().list(q=""))
    assert_google_error(ans, 400, reason="queryRequired", message="Missing query.", location="q")


def test_missing_q(raw):
    assert_google_error(raw.search(None), 400, reason="required", message="Required parameter: q")


@pytest.mark.parametrize(
    "param, value",
    [
        ("orderBy", "oldest"),
        ("printType", "comics"),
        ("projection", "medium"),
        ("filter", "cheap"),
        ("download", "pdf"),
        ("maxAllowedMaturityRating", "adult"),
    ],
)
def test_unknown_enum_value(raw, param, value):
    assert_google_error(raw.search("dracula", **{param: value}), 400, reason="invalid", location=param)


@pytest.mark.parametrize(
    "params",
    [
        {"showPreorders": "true"},
        {"partner": "colophon-tests"},
        {"source": "conformance"},
        {"country": "US"},
        {"libraryRestrict": "no-restrict"},
    ],
    ids=lambda p: next(iter(p)),
)
def test_optional_parameters_accepted(raw, params):
    body = json_of(raw.search("dracula", **params))
    assert "Dracula" in titles(items_of(body, context=str(params)))
