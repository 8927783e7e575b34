"""Standard (system) parameters: fields, prettyPrint, alt, callback, quotaUser, $.xgafv
(books-api-behavior.md §9)."""

from __future__ import annotations

import json
import re

import pytest

from helpers import assert_google_error, items_of, json_of, titles

ISBNLIB_FIELDS = (
    "items/volumeInfo(title,subtitle,authors,publisher,publishedDate,language,"
    "industryIdentifiers,description,imageLinks)"
)
ISBNLIB_KEYS = {"title", "subtitle", "authors", "publisher", "publishedDate", "language",
                "industryIdentifiers", "description", "imageLinks"}
NO_HIT_Q = "zzqxjvkwplm"


# ---------------------------------------------------------------------------------------
# fields
# ---------------------------------------------------------------------------------------


def test_fields_isbnlib_selector(raw):
    body = json_of(raw.search("dracula", fields=ISBNLIB_FIELDS, maxResults=1))
    assert set(body) == {"items"}, f"only the selected path may remain: {list(body)}"
    assert len(body["items"]) == 1
    item = body["items"][0]
    assert set(item) == {"volumeInfo"}, list(item)
    vi = item["volumeInfo"]
    assert set(vi) <= ISBNLIB_KEYS, f"unselected volumeInfo fields: {set(vi) - ISBNLIB_KEYS}"
    assert vi.get("title") == "Dracula" and vi.get("authors") == ["Bram Stoker"], vi


def test_fields_isbnlib_selector_no_match_is_empty_object(raw):
    resp = raw.search(NO_HIT_Q, fields=ISBNLIB_FIELDS, maxResults=1)
    assert resp.status_code == 200, resp.text
    assert resp.text.strip() == "{}", f"isbnlib expects exactly {{}} when nothing matches, got {resp.text!r}"


def test_fields_isbnlib_via_client(books):
    body = books.volumes().list(q="frankenstein", fields=ISBNLIB_FIELDS, maxResults=1).execute()
    assert set(body) == {"items"} and set(body["items"][0]) == {"volumeInfo"}, body
    assert body["items"][0]["volumeInfo"]["title"] == "Frankenstein"


@pytest.mark.parametrize("fields", ["items(id,volumeInfo/title)", "items(id,volumeInfo(title))"])
def test_fields_sub_selection(raw, fields):
    body = json_of(raw.search("inauthor:dickens", fields=fields))
    assert set(body) == {"items"}, list(body)
    items = items_of(body, context=fields)
    for item in items:
        assert set(item) == {"id", "volumeInfo"}, item
        assert set(item["volumeInfo"]) == {"title"}, item
    assert "Great Expectations" in titles(items)


@pytest.mark.parametrize("fields", ["items/id", "items(id)"])
def test_fields_slash_equals_parens(raw, fields):
    body = json_of(raw.search("inauthor:dickens", fields=fields))
    items = items_of(body, context=fields)
    assert set(body) == {"items"} and all(set(i) == {"id"} for i in items), body


@pytest.mark.parametrize("fields", ["kind,totalItems", "totalItems,kind"])
def test_fields_top_level(raw, fields):
    body = json_of(raw.search("dracula", fields=fields))
    assert set(body) == {"kind", "totalItems"}, body
    assert body["kind"] == "books#volumes" and body["totalItems"] > 0


def test_fields_top_level_via_client(books):
    body = books.volumes().list(q="dracula", fields="kind,totalItems").execute()
    assert set(body) == {"kind", "totalItems"} and body["totalItems"] > 0


def test_fields_star_is_everything(raw):
    full = json_of(raw.search("dracula"))
    star = json_of(raw.search("dracula", fields="*"))
    assert items_of(star, context="fields=*") and star == full


def test_fields_on_get(raw, find_work):
    vid = find_work("Dracula")["id"]
    assert json_of(raw.volume(vid, fields="volumeInfo/title")) == {"volumeInfo": {"title": "Dracula"}}
    body = json_of(raw.volume(vid, fields="id,volumeInfo(title,authors)"))
    assert body == {"id": vid, "volumeInfo": {"title": "Dracula", "authors": ["Bram Stoker"]}}, body


def test_fields_no_match_on_volume(raw, find_work):
    # Selecting a declared field the volume lacks leaves nothing: exactly {}.
    vid = find_work("Dracula")["id"]
    resp = raw.volume(vid, fields="userInfo")
    assert resp.status_code == 200, resp.text
    assert resp.text.strip() == "{}", resp.text


@pytest.mark.parametrize("fields", ["items(", "items(id", "items)", "items(id))", "items(,)"])
def test_fields_syntax_error(raw, fields):
    assert_google_error(raw.search("dracula", fields=fields), 400)


# ---------------------------------------------------------------------------------------
# prettyPrint
# ---------------------------------------------------------------------------------------


def _indents(text: str) -> set[int]:
    return {len(line) - len(line.lstrip(" ")) for line in text.splitlines() if line.strip()}


def test_pretty_print_default_two_space_indent(raw):
    resp = raw.search("dracula")
    json_of(resp)
    text = resp.content.decode("utf-8")
    lines = text.splitlines()
    assert len(lines) > 10, "default output must be pretty-printed (multi-line)"
    assert lines[0] == "{", lines[0]
    assert lines[1] == '  "kind": "books#volumes",', f"2-space indent and ': ' separator expected: {lines[1]!r}"
    assert all(n % 2 == 0 for n in _indents(text)), f"indents must be multiples of 2: {sorted(_indents(text))}"
    assert 4 in _indents(text) and 1 not in _indents(text)


@pytest.mark.parametrize("value", ["true"])
def test_pretty_print_true(raw, value):
    resp = raw.search("dracula", prettyPrint=value)
    assert resp.status_code == 200
    assert resp.content.decode().splitlines()[1].startswith('  "kind": ')


@pytest.mark.parametrize("value", ["false"])
def test_pretty_print_false_is_compact(raw, value):
    pretty = json_of(raw.search("dracula"))
    resp = raw.search("dracula", prettyPrint=value)
    body = json_of(resp)
    text = resp.content.decode("utf-8")
    assert "\n" not in text.rstrip("\n"), f"prettyPrint=false must give a single line: {text[:200]!r}"
    assert not re.search(r'[{\[,]\s+"', text), "no whitespace between tokens when compact"
    assert body == pretty


def test_pretty_print_false_via_client(books):
    a = books.volumes().list(q="dracula", prettyPrint=False).execute()
    assert "Dracula" in titles(items_of(a, context="prettyPrint=False"))


def test_pretty_print_false_on_error(raw):
    resp = raw.search("", prettyPrint="false")
    assert_google_error(resp, 400, reason="queryRequired")
    assert "\n" not in resp.content.decode().rstrip("\n")


# ---------------------------------------------------------------------------------------
# escaping
# ---------------------------------------------------------------------------------------


# Words that occur in the demo descriptions (the snippet source), so snippets highlight them.
@pytest.mark.parametrize("q", ["vampire", "darcy", "frankenstein"])
def test_angle_brackets_escaped(raw, q):
    raw_body = raw.search(q).content
    assert b"\\u003cb\\u003e" in raw_body, f"q={q!r}: expected <b> highlighting in textSnippet written as \\u003cb\\u003e"
    assert b"<" not in raw_body and b">" not in raw_body, "< and > must be written as \\u003c / \\u003e"
    snippets = [i.get("searchInfo", {}).get("textSnippet", "") for i in json.loads(raw_body)["items"]]
    assert any("<b>" in s for s in snippets), snippets


def test_non_ascii_is_raw_utf8(raw):
    raw_body = raw.search("misérables").content
    assert "Misérables".encode("utf-8") in raw_body, "non-ASCII must be raw UTF-8, not \\u escapes"
    assert b"\\u00e9" not in raw_body.lower()


# ---------------------------------------------------------------------------------------
# alt, callback, quotaUser, $.xgafv
# ---------------------------------------------------------------------------------------


def test_alt_json(raw):
    resp = raw.search("dracula", alt="json")
    assert "Dracula" in titles(items_of(json_of(resp), context="alt=json"))
    assert resp.headers.get("Content-Type") == "application/json; charset=UTF-8"


@pytest.mark.parametrize("name", ["cb", "jQuery123_456", "my.callback"])
def test_callback_jsonp(raw, name):
    resp = raw.search("dracula", callback=name)
    assert resp.status_code == 200, resp.text[:300]
    ctype = resp.headers.get("Content-Type", "")
    assert "javascript" in ctype, f"JSONP must have a javascript content type, got {ctype!r}"
    text = resp.content.decode("utf-8")
    m = re.match(r"^(?:// API callback\n)?" + re.escape(name) + r"\((.*)\);?\s*$", text, re.S)
    assert m, f"body must be {name}(...): {text[:200]!r}"
    inner = json.loads(m.group(1))
    assert inner.get("kind") == "books#volumes" and inner.get("items")


def test_quota_user(raw, books):
    body = json_of(raw.search("dracula", quotaUser="user-1234"))
    assert "Dracula" in titles(items_of(body, context="quotaUser"))
    body = books.volumes().list(q="dracula", quotaUser="user-5678").execute()
    assert "Dracula" in titles(items_of(body, context="quotaUser via client"))


@pytest.mark.parametrize("value", ["1", "2"])
def test_xgafv(raw, books, value):
    body = json_of(raw.search("dracula", **{"$.xgafv": value}))
    assert "Dracula" in titles(items_of(body, context="$.xgafv"))
    body = books.volumes().list(q="dracula", x__xgafv=value).execute()
    assert "Dracula" in titles(items_of(body, context="x__xgafv via client"))
