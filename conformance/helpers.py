"""Shared helpers for the Colophon conformance suite.

* `RawApi`: plain `requests` access to the server (exact bytes, headers, odd parameters).
* `RecordingHttp`: the httplib2 transport handed to Google's python client; it records
  every exchange so tests can look at the URL that was actually sent.
* Every 200 JSON body from `volumes.list` / `volumes.get` that passes through either
  transport is remembered in `RECORDED_VOLUME_BODIES`; `test_zz_response_shapes.py` checks
  all of them against the discovery schema at the end of the run.
* `assert_google_error`: the error envelope Google sends (see books-api-behavior.md §10).
* `CATALOG`: the demo-catalog facts the server guarantees.
"""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
import urllib.parse
from dataclasses import dataclass, field

import httplib2
import requests

# ---------------------------------------------------------------------------------------
# recording of volume bodies (for the schema shape check)
# ---------------------------------------------------------------------------------------

# (description, schema name, parsed body)
RECORDED_VOLUME_BODIES: list[tuple[str, str, object]] = []
# (description, problem) for volumes responses that claimed JSON but did not parse
RECORDED_BODY_PROBLEMS: list[tuple[str, str]] = []

_VOLUMES_LIST_RE = re.compile(r"^/books/v1/volumes/?$")
_VOLUMES_GET_RE = re.compile(r"^/books/v1/volumes/[^/]+$")


def _schema_for_path(path: str) -> str | None:
    if _VOLUMES_LIST_RE.match(path):
        return "Volumes"
    if _VOLUMES_GET_RE.match(path):
        return "Volume"
    return None


def record_exchange(method: str, url: str, status: int, content_type: str, body: bytes) -> None:
    """Remember a successful volumes.list/get JSON body for the end-of-run shape check."""
    if method.upper() != "GET" or status != 200:
        return
    parts = urllib.parse.urlsplit(url)
    schema = _schema_for_path(parts.path)
    if schema is None:
        return
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    if "callback" in query or query.get("alt", "json") != "json":
        return
    desc = f"GET {parts.path}?{_redact_query(parts.query)}"
    if not content_type.lower().startswith("application/json"):
        RECORDED_BODY_PROBLEMS.append((desc, f"Content-Type {content_type!r} on a 200 JSON response"))
        return
    try:
        obj = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        RECORDED_BODY_PROBLEMS.append((desc, f"body is not valid UTF-8 JSON: {e}"))
        return
    RECORDED_VOLUME_BODIES.append((desc, schema, obj))


def _redact_query(query: str) -> str:
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    return urllib.parse.urlencode([(k, "<key>" if k == "key" else v) for k, v in pairs])


class RecordingHttp(httplib2.Http):
    """httplib2 transport for googleapiclient that records every exchange."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timeout", 60)
        super().__init__(*args, **kwargs)
        self.exchanges: list[tuple[str, str, int]] = []

    def request(self, uri, method="GET", *args, **kwargs):
        resp, content = super().request(uri, method, *args, **kwargs)
        self.exchanges.append((method, uri, resp.status))
        record_exchange(method, uri, resp.status, resp.get("content-type", ""), content or b"")
        return resp, content


# ---------------------------------------------------------------------------------------
# raw HTTP
# ---------------------------------------------------------------------------------------

USE_DEFAULT_KEY = object()


class RawApi:
    """Plain HTTP against the server. `key=USE_DEFAULT_KEY` adds `key=<demo key>`;
    `key=None` sends no key; any string is sent as `key=<string>`."""

    def __init__(self, base_url: str, api_key: str):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.session = requests.Session()
        self.session.hooks["response"].append(self._record)

    @staticmethod
    def _record(resp: requests.Response, *args, **kwargs):
        # Only plain (non-streamed) responses: reading .content here would consume a stream.
        if kwargs.get("stream"):
            return
        record_exchange(
            resp.request.method, resp.request.url, resp.status_code,
            resp.headers.get("Content-Type", ""), resp.content,
        )

    def url(self, path: str) -> str:
        return self.base_url + path

    def request(self, method: str, path: str, params=None, key=USE_DEFAULT_KEY, headers=None, **kwargs):
        pairs: list[tuple[str, str]] = []
        if params:
            pairs.extend(params.items() if isinstance(params, dict) else params)
        if key is USE_DEFAULT_KEY:
            pairs.append(("key", self.api_key))
        elif key is not None:
            pairs.append(("key", key))
        kwargs.setdefault("timeout", 60)
        return self.session.request(method, self.url(path), params=pairs, headers=headers or {}, **kwargs)

    def get(self, path: str, params=None, key=USE_DEFAULT_KEY, headers=None, **kwargs):
        return self.request("GET", path, params=params, key=key, headers=headers, **kwargs)

    def search(self, q, **params):
        """GET /books/v1/volumes with q (None = omit q) and extra params; returns Response."""
        key = params.pop("key", USE_DEFAULT_KEY)
        headers = params.pop("headers", None)
        pairs = [] if q is None else [("q", q)]
        pairs.extend((k, str(v)) for k, v in params.items())
        return self.get("/books/v1/volumes", pairs, key=key, headers=headers)

    def volume(self, volume_id: str, **params):
        key = params.pop("key", USE_DEFAULT_KEY)
        headers = params.pop("headers", None)
        path = "/books/v1/volumes/" + urllib.parse.quote(volume_id, safe="")
        return self.get(path, [(k, str(v)) for k, v in params.items()], key=key, headers=headers)


def json_of(resp: requests.Response, expect_status: int = 200):
    """Parse a response body, failing with the request and body when status differs."""
    assert resp.status_code == expect_status, (
        f"{resp.request.method} {_shown_url(resp.request.url)} -> HTTP {resp.status_code}, "
        f"expected {expect_status}; body: {resp.text[:800]}"
    )
    try:
        return resp.json()
    except ValueError as e:
        raise AssertionError(f"{_shown_url(resp.request.url)}: body is not JSON ({e}): {resp.text[:400]!r}")


def _shown_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.path}?{_redact_query(parts.query)}" if parts.query else parts.path


# ---------------------------------------------------------------------------------------
# Google error envelope
# ---------------------------------------------------------------------------------------

CANONICAL_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


@dataclass
class HttpAnswer:
    """An HTTP answer from either transport, reduced to what error checks need."""

    status: int
    headers: dict
    body: bytes
    request: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_requests(cls, resp: requests.Response) -> "HttpAnswer":
        return cls(
            resp.status_code,
            {k.lower(): v for k, v in resp.headers.items()},
            resp.content,
            f"{resp.request.method} {_shown_url(resp.request.url)}",
        )

    @classmethod
    def from_http_error(cls, err) -> "HttpAnswer":
        return cls(
            int(err.resp.status),
            {k.lower(): v for k, v in err.resp.items()},
            err.content or b"",
            f"{getattr(err, 'uri', '')}",
        )


def client_error(call) -> HttpAnswer:
    """Execute a googleapiclient request expected to fail; return its HTTP answer."""
    from googleapiclient.errors import HttpError

    try:
        result = call.execute()
    except HttpError as e:
        return HttpAnswer.from_http_error(e)
    raise AssertionError(f"expected an HTTP error from {call.uri}, got 200: {json.dumps(result)[:500]}")


def assert_google_error(
    answer,
    status,
    *,
    reason: str | None = None,
    message: str | None = None,
    message_contains: str | None = None,
    location: str | None = None,
    location_type: str | None = None,
    domain: str | None = None,
    canonical: str | None = None,
) -> dict:
    """Check Google's JSON error envelope; return the parsed `error` object.

    `status` may be an int or a collection of acceptable ints.
    """
    if isinstance(answer, requests.Response):
        answer = HttpAnswer.from_requests(answer)
    allowed = {status} if isinstance(status, int) else set(status)
    where = f"{answer.request} -> HTTP {answer.status}; body: {answer.body[:800]!r}"
    assert answer.status in allowed, f"expected HTTP {sorted(allowed)}; {where}"
    try:
        doc = json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise AssertionError(f"error body is not JSON ({e}); {where}")
    assert isinstance(doc, dict) and set(doc) == {"error"}, f"body must be exactly {{\"error\": {{...}}}}; {where}"
    err = doc["error"]
    assert isinstance(err, dict), where
    for k in ("code", "message", "errors", "status"):
        assert k in err, f"error.{k} missing; {where}"
    assert err["code"] == answer.status and not isinstance(err["code"], bool), (
        f"error.code {err['code']!r} != HTTP status {answer.status}; {where}"
    )
    assert isinstance(err["message"], str) and err["message"], f"error.message must be a non-empty string; {where}"
    assert isinstance(err["status"], str) and re.fullmatch(r"[A-Z_]+", err["status"]), (
        f"error.status must be an upper-case canonical code; {where}"
    )
    want_canonical = canonical or CANONICAL_STATUS.get(answer.status)
    if want_canonical:
        assert err["status"] == want_canonical, f"error.status {err['status']!r} != {want_canonical!r}; {where}"
    errors = err["errors"]
    assert isinstance(errors, list) and errors, f"error.errors must be a non-empty array; {where}"
    for i, e in enumerate(errors):
        assert isinstance(e, dict), where
        for k in ("message", "domain", "reason"):
            assert isinstance(e.get(k), str) and e[k], f"error.errors[{i}].{k} must be a non-empty string; {where}"
    first = errors[0]
    if reason is not None:
        assert first["reason"] == reason, f"errors[0].reason {first['reason']!r} != {reason!r}; {where}"
    if message is not None:
        assert err["message"] == message, f"error.message {err['message']!r} != {message!r}; {where}"
        assert first["message"] == message, f"errors[0].message {first['message']!r} != {message!r}; {where}"
    if message_contains is not None:
        assert message_contains in err["message"], (
            f"error.message {err['message']!r} lacks {message_contains!r}; {where}"
        )
    if location is not None:
        assert first.get("location") == location, (
            f"errors[0].location {first.get('location')!r} != {location!r}; {where}"
        )
    if location_type is not None:
        assert first.get("locationType") == location_type, (
            f"errors[0].locationType {first.get('locationType')!r} != {location_type!r}; {where}"
        )
    if domain is not None:
        assert first["domain"] == domain, f"errors[0].domain {first['domain']!r} != {domain!r}; {where}"
    return err


# ---------------------------------------------------------------------------------------
# demo catalog
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    title: str
    author: str
    q: str  # a plain query that must find it
    year: str | None = None
    language: str | None = None
    subtitle: str | None = None

    @property
    def key(self) -> str:
        return self.title


CATALOG = [
    Work("Pride and Prejudice", "Jane Austen", "pride prejudice", "1813", "en"),
    Work("Frankenstein", "Mary Wollstonecraft Shelley", "frankenstein", "1818", "en", "Or, The Modern Prometheus"),
    Work("Dracula", "Bram Stoker", "dracula", "1897", "en"),
    Work("Moby-Dick", "Herman Melville", "moby dick", "1851", None, "Or, The Whale"),
    Work("The Adventures of Sherlock Holmes", "Arthur Conan Doyle", "sherlock holmes", "1892"),
    Work("Les Misérables", "Victor Hugo", "misérables", "1862", "fr"),
    Work("Faust", "Johann Wolfgang von Goethe", "faust", "1808", "de"),
    Work("Don Quijote de la Mancha", "Miguel de Cervantes Saavedra", "quijote mancha", "1605", "es"),
    Work("Crime and Punishment", "Fyodor Dostoyevsky", "crime punishment", "1866", "en"),
    Work("The Great Gatsby", "F. Scott Fitzgerald", "gatsby", "1925"),
    Work("Alice's Adventures in Wonderland", "Lewis Carroll", "alice wonderland", "1865"),
    Work("A Tale of Two Cities", "Charles Dickens", "tale two cities"),
    Work("Great Expectations", "Charles Dickens", "great expectations"),
    Work("The Time Machine", "H. G. Wells", "time machine", "1895"),
    Work("Cantares gallegos", "Rosalía de Castro", "cantares gallegos", "1863", "gl"),
]
WORKS = {w.title: w for w in CATALOG}


def fold(text: str) -> str:
    """Lower-case and strip diacritics (for lenient text comparisons)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def items_of(body: dict, *, require: bool = True, context: str = "") -> list[dict]:
    """`items` of a Volumes body; with require=True a missing/empty list fails the test."""
    assert isinstance(body, dict), f"{context}: body is not an object: {body!r}"[:500]
    items = body.get("items")
    if require:
        assert items, f"{context}: expected search results, got {json.dumps(body)[:400]}"
    if items is None:
        return []
    assert isinstance(items, list), f"{context}: items is not an array"
    return items


def titles(items: list[dict]) -> list[str]:
    return [i.get("volumeInfo", {}).get("title", "") for i in items]


def ids(items: list[dict]) -> list[str]:
    return [i.get("id") for i in items]


def full_title(item: dict) -> str:
    vi = item.get("volumeInfo", {})
    return " ".join(filter(None, [vi.get("title"), vi.get("subtitle")]))


def authors_text(item: dict) -> str:
    return " | ".join(item.get("volumeInfo", {}).get("authors", []))


def summary(items: list[dict], n: int = 12) -> str:
    rows = [f"{i.get('id')}: {full_title(i)!r} by {authors_text(i)!r}" for i in items[:n]]
    more = f" ... (+{len(items) - n})" if len(items) > n else ""
    return "[" + "; ".join(rows) + more + "]"


GOOGLE_SELF_LINK = "https://www.googleapis.com/books/v1/volumes/"


def assert_self_link(item: dict, base_url: str) -> None:
    """selfLink is Google's `https://www.googleapis.com/books/v1/volumes/{id}`, or the same path
    on the server's own public URL (colophon's default: links point at the server itself)."""
    vid = item.get("id")
    link = item.get("selfLink")
    allowed = {GOOGLE_SELF_LINK + str(vid), f"{base_url}/books/v1/volumes/{vid}"}
    assert link in allowed, f"selfLink {link!r} must be one of {sorted(allowed)}"


_SUFFIXES = ("ations", "ation", "ally", "ing", "ies", "es", "al", "ed", "ly", "s")


def stem(word: str) -> str:
    """A crude English stemmer, enough to accept 'classics' ~ 'classical' (same stem)."""
    w = fold(word)
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            return w[: -len(suffix)]
    return w


def has_word_stem(word: str, text: str) -> bool:
    """True if some word of `text` has the same (crude) stem as `word`, or extends it."""
    target = stem(word)
    return any(stem(t) == target or t.startswith(target) for t in re.findall(r"\w+", fold(text)))


def year_of(date: str | None) -> int | None:
    if not date:
        return None
    m = re.match(r"^(-?\d{1,4})", date)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------


def run_cli(binary: str, *args: str, timeout: int = 60) -> str:
    proc = subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"`colophon {' '.join(args)}` exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    return proc.stdout
