"""Fixtures for the Colophon conformance suite.

The server is started by `conformance/run.sh`, which exports:
  COLOPHON_BASE_URL   e.g. http://127.0.0.1:PORT (no /books/v1)
  COLOPHON_API_KEY    the demo API key printed by `colophon serve --demo`
  COLOPHON_BIN        the colophon binary (for `colophon keys ...`)
  COLOPHON_DATA_DIR   the server's data dir
  COLOPHON_SHARED_DIR optional; default <repo>/../shared (discovery + fixtures)

The Python client is Google's own, built from the official discovery document with
`client_options={"api_endpoint": BASE_URL}`: googleapiclient uses api_endpoint in place of
rootUrl+servicePath and joins the method path (`books/v1/volumes`) onto it, so requests land
on BASE_URL/books/v1/volumes (`test_client_requests_land_on_base_url` checks this).
"""

from __future__ import annotations

import os
import unicodedata

import pytest
from googleapiclient.discovery import build_from_document

from discovery_schema import load_discovery, shared_dir
from helpers import CATALOG, WORKS, RawApi, RecordingHttp, items_of, summary

_MISSING = object()


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"environment variable {name} is not set: start the suite with conformance/run.sh "
            f"(or export COLOPHON_BASE_URL, COLOPHON_API_KEY, COLOPHON_BIN, COLOPHON_DATA_DIR)",
            pytrace=False,
        )
    return value


# ---------------------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def discovery() -> dict:
    return load_discovery()


@pytest.fixture(scope="session")
def fixtures_dir():
    path = shared_dir() / "reference" / "fixtures"
    assert path.is_dir(), f"reference fixtures not found at {path} (set COLOPHON_SHARED_DIR)"
    return path


@pytest.fixture(scope="session")
def base_url() -> str:
    url = _env("COLOPHON_BASE_URL").rstrip("/")
    if url.endswith("/books/v1"):
        url = url[: -len("/books/v1")]
    return url


@pytest.fixture(scope="session")
def api_key() -> str:
    return _env("COLOPHON_API_KEY")


@pytest.fixture(scope="session")
def colophon_bin() -> str:
    path = _env("COLOPHON_BIN")
    assert os.access(path, os.X_OK), f"COLOPHON_BIN={path} is not an executable file"
    return path


@pytest.fixture(scope="session")
def data_dir() -> str:
    path = _env("COLOPHON_DATA_DIR")
    assert os.path.isdir(path), f"COLOPHON_DATA_DIR={path} is not a directory"
    return path


# ---------------------------------------------------------------------------------------
# clients
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def make_client(discovery, base_url):
    """make_client(key=<str>|None) -> (service, RecordingHttp). key=None: no developerKey."""

    def make(key=_MISSING):
        http = RecordingHttp()
        kwargs = {"http": http, "client_options": {"api_endpoint": base_url}}
        if key is not _MISSING and key is not None:
            kwargs["developerKey"] = key
        return build_from_document(discovery, **kwargs), http

    return make


@pytest.fixture(scope="session")
def client_and_http(make_client, api_key):
    return make_client(api_key)


@pytest.fixture(scope="session")
def books(client_and_http):
    """googleapiclient Resource for books v1, using the demo API key."""
    return client_and_http[0]


@pytest.fixture(scope="session")
def raw(base_url, api_key) -> RawApi:
    return RawApi(base_url, api_key)


# ---------------------------------------------------------------------------------------
# catalog lookups (cached for the session)
# ---------------------------------------------------------------------------------------


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s or "")


@pytest.fixture(scope="session")
def find_work(books):
    """find_work(title) -> the search-result item of that demo work (fails if not found)."""
    cache: dict[str, dict] = {}

    def find(title: str) -> dict:
        if title in cache:
            return cache[title]
        work = WORKS[title]
        body = books.volumes().list(q=work.q, maxResults=40).execute()
        items = items_of(body, context=f"q={work.q!r}")
        for item in items:
            if _nfc(item.get("volumeInfo", {}).get("title")) == _nfc(title):
                cache[title] = item
                return item
        pytest.fail(f"demo work {title!r} not found by q={work.q!r}; got {summary(items)}", pytrace=False)

    return find


# Plain words that should hit many of ~300 public-domain works (title, author or description).
BROAD_CANDIDATES = [
    "the", "of", "and", "a", "novel", "story", "life", "love", "man", "world", "history",
    "time", "new", "young", "great", "fiction", "english", "book",
]


@pytest.fixture(scope="session")
def broad_query(books) -> str:
    """A plain one-word query with more than 40 hits (needed by paging/ordering tests)."""
    tried = []
    for q in BROAD_CANDIDATES:
        body = books.volumes().list(q=q, maxResults=40).execute()
        n = len(body.get("items", []))
        tried.append(f"{q!r}: totalItems={body.get('totalItems')} items={n}")
        if n == 40 and body.get("totalItems", 0) > 40:
            return q
    pytest.fail("no query found with > 40 hits in the demo catalog; tried " + ", ".join(tried), pytrace=False)


MAGAZINE_CANDIDATES = [
    "magazine", "monthly", "journal", "weekly", "review", "gazette", "quarterly", "periodical",
    "news", "issue", "vol", "number",
] + BROAD_CANDIDATES


@pytest.fixture(scope="session")
def magazine_query(books) -> str:
    """A query that finds at least one MAGAZINE with printType=MAGAZINES."""
    for q in MAGAZINE_CANDIDATES:
        body = books.volumes().list(q=q, printType="MAGAZINES", maxResults=40).execute()
        if body.get("items"):
            return q
    pytest.fail(
        "printType=MAGAZINES returned nothing for any of " + ", ".join(MAGAZINE_CANDIDATES)
        + " although the demo catalog holds ~10 magazines",
        pytrace=False,
    )


MATURE_CANDIDATES = [
    "fanny hill", "decameron", "kama sutra", "venus furs", "justine", "sade", "lady chatterley",
    "memoirs", "erotic", "lust", "love", "woman", "night", "the", "of", "and", "a",
]


@pytest.fixture(scope="session")
def mature_volume(books) -> dict:
    """A search-result item whose volumeInfo.maturityRating is MATURE."""
    seen = 0
    for q in MATURE_CANDIDATES:
        for start in range(0, 400, 40):
            body = books.volumes().list(q=q, maxResults=40, startIndex=start, maxAllowedMaturityRating="MATURE").execute()
            items = body.get("items", [])
            seen += len(items)
            for item in items:
                if item.get("volumeInfo", {}).get("maturityRating") == "MATURE":
                    return item
            if len(items) < 40:
                break
    pytest.fail(
        f"no volume with maturityRating MATURE found in {seen} search results "
        f"(queries {MATURE_CANDIDATES}); the demo catalog should hold >= 3",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def demo_titles():
    return [w.title for w in CATALOG]
