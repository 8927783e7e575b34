"""Proves the schema checker itself, against Google's recorded responses (no server needed).

Run alone: `pytest conformance/test_schema_checker.py`.
"""

from __future__ import annotations

import copy
import json

import pytest

from discovery_schema import (
    assert_matches_schema,
    lite_paths,
    lite_projection_of,
    non_lite_fields,
    schema_problems,
    shared_dir,
)

FIXTURES = shared_dir() / "reference" / "fixtures"


def _fixture_files(prefix: str) -> list:
    files = sorted(p.name for p in FIXTURES.glob(prefix + "*.json"))
    return files


LIST_FILES = _fixture_files("volumes.list--")
GET_FILES = _fixture_files("volumes.get--") + _fixture_files("volumes.list-item--")


def _load(name: str):
    with open(FIXTURES / name, encoding="utf-8") as f:
        return json.load(f)


def test_fixtures_are_present():
    assert len(LIST_FILES) >= 20, f"expected the recorded volumes.list fixtures in {FIXTURES}"
    assert len(GET_FILES) >= 3, f"expected the recorded volumes.get fixtures in {FIXTURES}"


@pytest.mark.parametrize("name", LIST_FILES)
def test_recorded_search_matches_volumes_schema(name):
    assert_matches_schema(_load(name), "Volumes", context=name)


@pytest.mark.parametrize("name", GET_FILES)
def test_recorded_volume_matches_volume_schema(name):
    assert_matches_schema(_load(name), "Volume", context=name)


# --- the checker must reject what Google would never send ------------------------------


def _a_volume() -> dict:
    return _load("volumes.get--kPbzR4LDkAkC-full--scriptotek.json")


def _a_search() -> dict:
    return _load("volumes.list--q-the-great-gatsby-start0-max5--zeantsoi-2015.json")


def _problems_for(mutate, base=None, schema="Volume"):
    obj = copy.deepcopy(base if base is not None else _a_volume())
    mutate(obj)
    return schema_problems(obj, schema)


@pytest.mark.parametrize(
    "mutate, expected_path",
    [
        (lambda v: v.__setitem__("bogus", 1), "$.bogus"),
        (lambda v: v["volumeInfo"].__setitem__("isbn", "123"), "$.volumeInfo.isbn"),
        (lambda v: v["accessInfo"]["epub"].__setitem__("size", 3), "$.accessInfo.epub.size"),
        (lambda v: v["volumeInfo"]["industryIdentifiers"][0].__setitem__("kind", "x"),
         "$.volumeInfo.industryIdentifiers[0].kind"),
    ],
    ids=["top-level", "volumeInfo", "nested-object", "inside-array"],
)
def test_checker_reports_unknown_fields_with_path(mutate, expected_path):
    problems = _problems_for(mutate)
    assert any(p.startswith(expected_path + ":") and "not in the discovery schema" in p for p in problems), problems


@pytest.mark.parametrize(
    "mutate, expected_path",
    [
        (lambda v: v["volumeInfo"].__setitem__("pageCount", "288"), "$.volumeInfo.pageCount"),
        (lambda v: v["volumeInfo"].__setitem__("pageCount", 288.5), "$.volumeInfo.pageCount"),
        (lambda v: v["volumeInfo"].__setitem__("pageCount", True), "$.volumeInfo.pageCount"),
        (lambda v: v["volumeInfo"].__setitem__("title", 5), "$.volumeInfo.title"),
        (lambda v: v["volumeInfo"].__setitem__("authors", "Alexis De Vos"), "$.volumeInfo.authors"),
        (lambda v: v["volumeInfo"].__setitem__("authors", [1]), "$.volumeInfo.authors[0]"),
        (lambda v: v["volumeInfo"].__setitem__("averageRating", "4.5"), "$.volumeInfo.averageRating"),
        (lambda v: v["accessInfo"].__setitem__("publicDomain", "false"), "$.accessInfo.publicDomain"),
        (lambda v: v["accessInfo"].__setitem__("epub", True), "$.accessInfo.epub"),
        (lambda v: v["volumeInfo"].__setitem__("description", None), "$.volumeInfo.description"),
        (lambda v: v.__setitem__("userInfo", {"rentalPeriod": {"endUtcSec": 1700000000}}),
         "$.userInfo.rentalPeriod.endUtcSec"),
        (lambda v: v.__setitem__("userInfo", {"rentalPeriod": {"endUtcSec": "soon"}}),
         "$.userInfo.rentalPeriod.endUtcSec"),
        (lambda v: v.__setitem__("userInfo", {"readingPosition": {"volumeId": 7}}),
         "$.userInfo.readingPosition.volumeId"),
    ],
    ids=[
        "int-as-string", "int-as-float", "int-as-bool", "string-as-int", "array-as-string",
        "array-element", "number-as-string", "bool-as-string", "object-as-bool", "null",
        "int64-as-number", "int64-not-decimal", "through-$ref",
    ],
)
def test_checker_reports_wrong_types_with_path(mutate, expected_path):
    problems = _problems_for(mutate)
    assert any(p.startswith(expected_path + ":") for p in problems), problems


def test_checker_accepts_int64_strings_and_whole_numbers_for_doubles():
    def mutate(v):
        v["userInfo"] = {"rentalPeriod": {"endUtcSec": "1700000000"}}
        v["volumeInfo"]["averageRating"] = 4
    assert _problems_for(mutate) == []


def test_checker_follows_items_ref_in_volumes():
    def mutate(body):
        body["items"][1]["volumeInfo"]["nope"] = 1
        body["totalItems"] = "5"
    problems = _problems_for(mutate, base=_a_search(), schema="Volumes")
    assert any(p.startswith("$.items[1].volumeInfo.nope:") for p in problems), problems
    assert any(p.startswith("$.totalItems:") for p in problems), problems


def test_assert_matches_schema_raises_with_paths():
    body = _a_search()
    body["items"][0]["saleInfo"]["price"] = 3
    with pytest.raises(AssertionError, match=r"\$\.items\[0\]\.saleInfo\.price"):
        assert_matches_schema(body, "Volumes")


# --- LITE markers -----------------------------------------------------------------------


def test_lite_markers_from_discovery():
    from discovery_schema import load_discovery

    marked, containers = lite_paths(load_discovery(), "Volume")
    for path in [
        "kind", "id", "etag", "selfLink", "volumeInfo.title", "volumeInfo.subtitle",
        "volumeInfo.authors", "volumeInfo.publisher", "volumeInfo.publishedDate",
        "volumeInfo.description", "volumeInfo.contentVersion", "volumeInfo.imageLinks",
        "volumeInfo.infoLink", "volumeInfo.canonicalVolumeLink", "saleInfo.country",
        "saleInfo.listPrice", "saleInfo.retailPrice", "saleInfo.buyLink", "accessInfo.country",
        "accessInfo.epub", "accessInfo.pdf", "accessInfo.accessViewStatus",
        "userInfo.isPurchased", "userInfo.isPreordered", "userInfo.readingPosition",
    ]:
        assert path in marked, path
    for path in [
        "volumeInfo.industryIdentifiers", "volumeInfo.language", "volumeInfo.previewLink",
        "volumeInfo.pageCount", "volumeInfo.categories", "volumeInfo.readingModes",
        "volumeInfo.printType", "saleInfo.saleability", "accessInfo.viewability",
        "accessInfo.webReaderLink", "layerInfo", "searchInfo", "volumeInfo",
    ]:
        assert path not in marked, path
    assert {"volumeInfo", "saleInfo", "accessInfo", "userInfo"} <= containers


def test_lite_projection_of_recorded_volume():
    full = _a_volume()
    lite = lite_projection_of(full)
    assert non_lite_fields(lite) == []
    dropped = set(non_lite_fields(full))
    assert {"volumeInfo.industryIdentifiers", "volumeInfo.language", "volumeInfo.previewLink",
            "accessInfo.viewability", "saleInfo.saleability"} <= dropped
    assert lite["volumeInfo"]["title"] == full["volumeInfo"]["title"]
    assert lite["accessInfo"]["epub"] == full["accessInfo"]["epub"]
    assert "layerInfo" not in lite
