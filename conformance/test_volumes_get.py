"""books.volumes.get — GET /books/v1/volumes/{volumeId} (books-api-behavior.md §5, §6)."""

from __future__ import annotations

import pytest

from discovery_schema import lite_projection_of, non_lite_fields
from helpers import (
    CATALOG,
    WORKS,
    assert_google_error,
    assert_self_link,
    client_error,
    json_of,
)

TITLES = [w.title for w in CATALOG]
NOT_FOUND = "The volume ID could not be found."


def get(books, vid, **kw) -> dict:
    return books.volumes().get(volumeId=vid, **kw).execute()


@pytest.mark.parametrize("title", TITLES)
def test_get_returns_the_searched_volume(books, find_work, base_url, title):
    hit = find_work(title)
    vol = get(books, hit["id"])
    assert vol.get("kind") == "books#volume"
    assert vol.get("id") == hit["id"]
    assert_self_link(vol, base_url)
    assert vol.get("selfLink") == hit.get("selfLink")
    vi, hvi = vol.get("volumeInfo", {}), hit.get("volumeInfo", {})
    assert vi.get("title") == hvi.get("title") == title
    assert vi.get("authors") == hvi.get("authors")
    assert vi.get("subtitle") == hvi.get("subtitle")
    assert vi.get("publishedDate") == hvi.get("publishedDate")
    assert "searchInfo" not in vol, "volumes.get must not carry searchInfo"


@pytest.mark.parametrize("title", TITLES)
def test_demo_metadata(books, find_work, title):
    work = WORKS[title]
    vol = get(books, find_work(title)["id"])
    vi = vol["volumeInfo"]
    assert vi["title"] == work.title
    assert work.author in vi.get("authors", []), f"{title}: authors {vi.get('authors')} lack {work.author!r}"
    if work.subtitle:
        assert vi.get("subtitle") == work.subtitle
    if work.year:
        assert str(vi.get("publishedDate", "")).startswith(work.year), f"{title}: publishedDate {vi.get('publishedDate')}"
    if work.language:
        assert vi.get("language") == work.language
    assert vi.get("printType") == "BOOK"
    assert "industryIdentifiers" not in vi or all(
        x.get("type") not in ("ISBN_10", "ISBN_13") for x in vi["industryIdentifiers"]
    ), "the demo catalog has no ISBNs"


@pytest.mark.parametrize("title", TITLES)
def test_demo_volumes_are_public_domain(books, find_work, title):
    vol = get(books, find_work(title)["id"])
    acc, sale = vol.get("accessInfo", {}), vol.get("saleInfo", {})
    assert acc.get("viewability") == "ALL_PAGES", acc
    assert acc.get("accessViewStatus") == "FULL_PUBLIC_DOMAIN", acc
    assert acc.get("publicDomain") is True, acc
    assert acc.get("epub", {}).get("isAvailable") is True, acc
    assert sale.get("saleability") == "FREE", sale
    assert sale.get("isEbook") is True, sale


def test_volume_key_order(books, find_work):
    vol = get(books, find_work("Dracula")["id"])
    order = ["kind", "id", "etag", "selfLink", "volumeInfo", "layerInfo", "saleInfo", "accessInfo", "searchInfo"]
    present = [k for k in vol if k in order]
    assert present == sorted(present, key=order.index), f"top-level key order {list(vol)}"
    assert list(vol)[:2] == ["kind", "id"]


# ---------------------------------------------------------------------------------------
# projection
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["Dracula", "Frankenstein", "Les Misérables"])
def test_get_projection_lite(books, find_work, title):
    vid = find_work(title)["id"]
    full = get(books, vid)
    lite = get(books, vid, projection="LITE")
    assert lite.get("id") == vid
    extra = non_lite_fields(lite)
    assert not extra, f"LITE volume carries fields not marked '(In LITE projection)': {extra}"
    want, got = lite_projection_of(full), dict(lite)
    want.pop("etag", None)
    got.pop("etag", None)
    assert got == want, f"LITE must keep exactly the LITE fields of the FULL volume:\nwant {want}\ngot  {got}"


@pytest.mark.parametrize("value", ["lite", "LITE"])
def test_get_projection_lite_raw(raw, find_work, value):
    body = json_of(raw.volume(find_work("Dracula")["id"], projection=value))
    assert body.get("volumeInfo", {}).get("title") == "Dracula"
    assert not non_lite_fields(body)


@pytest.mark.parametrize("value", ["full", "FULL"])
def test_get_projection_full_is_default(raw, find_work, value):
    vid = find_work("Dracula")["id"]
    assert json_of(raw.volume(vid, projection=value)) == json_of(raw.volume(vid))


@pytest.mark.parametrize(
    "params",
    [{"country": "US"}, {"partner": "p"}, {"source": "s"}, {"includeNonComicsSeries": True},
     {"user_library_consistent_read": False}],
    ids=lambda p: next(iter(p)),
)
def test_get_optional_parameters_accepted(books, find_work, params):
    vid = find_work("Dracula")["id"]
    assert get(books, vid, **params)["id"] == vid


def test_get_unknown_enum(raw, find_work):
    resp = raw.volume(find_work("Dracula")["id"], projection="medium")
    assert_google_error(resp, 400, reason="invalid", location="projection")


# ---------------------------------------------------------------------------------------
# unknown / malformed / case-swapped ids
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("vid", ["zzzzzzzzzzzz", "AAAAAAAAAAAA", "Xq9_-QvZk0Ab"])
def test_unknown_id(raw, vid):
    assert_google_error(raw.volume(vid), 404, reason="notFound", message=NOT_FOUND)


def test_unknown_id_via_client(books):
    ans = client_error(books.volumes().get(volumeId="zzzzzzzzzzzz"))
    assert_google_error(ans, 404, reason="notFound", message=NOT_FOUND)


@pytest.mark.parametrize(
    "vid",
    ["abc", "a", "abcdefghijklm", "abcdefghijklmnopqrstuvwxyz0123456789", "abc!defghijk", "abc defghijk",
     "abc.defghijk", "ab%cdefghijk", "ÿbcdefghijkl", "'; drop table--"],
    ids=["3-chars", "1-char", "13-chars", "36-chars", "bang", "space", "dot", "percent", "non-ascii", "sql"],
)
def test_malformed_id(raw, vid):
    assert_google_error(raw.volume(vid), (400, 404))


@pytest.mark.parametrize("how", ["swapcase", "lower", "upper"])
def test_ids_are_case_sensitive(raw, find_work, how):
    vid = None
    for title in ("Dracula", "Frankenstein", "Pride and Prejudice", "Faust"):
        candidate = find_work(title)["id"]
        if getattr(candidate, how)() != candidate:
            vid = candidate
            break
    assert vid, "no demo id changes under " + how
    other = getattr(vid, how)()
    resp = raw.volume(other)
    if resp.status_code == 200:
        # Only acceptable if a different volume really has that id.
        body = resp.json()
        assert body.get("id") == other, (
            f"GET /volumes/{other} (case variant of {vid}) answered with volume {body.get('id')}: "
            "ids are case-sensitive"
        )
    else:
        assert_google_error(resp, 404, reason="notFound", message=NOT_FOUND)
