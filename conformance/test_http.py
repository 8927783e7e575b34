"""HTTP-level behaviour: content type, gzip, ETag/304, unknown paths, wrong methods,
oversized bodies, and the error envelope (books-api-behavior.md §9.2, §9.3, §10)."""

from __future__ import annotations

import gzip
import json
import select
import socket
import urllib.parse

import pytest
import requests

from helpers import HttpAnswer, assert_google_error, client_error

JSON_TYPE = "application/json; charset=UTF-8"


# ---------------------------------------------------------------------------------------
# Content-Type
# ---------------------------------------------------------------------------------------


def _requests_for_content_type(raw, vid):
    return {
        "list-200": lambda: raw.search("dracula"),
        "get-200": lambda: raw.volume(vid),
        "no-hit-200": lambda: raw.search("zzqxjvkwplm"),
        "empty-q-400": lambda: raw.search(""),
        "bad-key-400": lambda: raw.search("dracula", key="not-a-key"),
        "no-key-403": lambda: raw.search("dracula", key=None),
        "unknown-id-404": lambda: raw.volume("zzzzzzzzzzzz"),
        "unknown-path-404": lambda: raw.get("/books/v1/nope"),
        "token-401": lambda: raw.search("dracula", headers={"Authorization": "Bearer x"}),
    }


@pytest.mark.parametrize(
    "case",
    ["list-200", "get-200", "no-hit-200", "empty-q-400", "bad-key-400", "no-key-403", "unknown-id-404",
     "unknown-path-404", "token-401"],
)
def test_json_content_type(raw, find_work, case):
    resp = _requests_for_content_type(raw, find_work("Dracula")["id"])[case]()
    assert resp.headers.get("Content-Type") == JSON_TYPE, (
        f"{case}: Content-Type {resp.headers.get('Content-Type')!r} (HTTP {resp.status_code})"
    )
    json.loads(resp.content.decode("utf-8"))


# ---------------------------------------------------------------------------------------
# gzip
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", ["gzip", "gzip, deflate", "deflate, gzip;q=1.0, *;q=0.5"])
def test_gzip_when_accepted(raw, api_key, accept):
    resp = requests.get(
        raw.url("/books/v1/volumes"), params={"q": "dracula", "key": api_key},
        headers={"Accept-Encoding": accept}, stream=True, timeout=60,
    )
    try:
        assert resp.status_code == 200
        assert resp.headers.get("Content-Encoding") == "gzip", (
            f"Accept-Encoding: {accept} -> Content-Encoding {resp.headers.get('Content-Encoding')!r}"
        )
        compressed = resp.raw.read(decode_content=False)
    finally:
        resp.close()
    body = json.loads(gzip.decompress(compressed).decode("utf-8"))
    assert body.get("kind") == "books#volumes" and body.get("items")


def test_gzip_by_google_client(client_and_http):
    # googleapiclient sends Accept-Encoding: gzip, deflate; httplib2 decodes transparently.
    books, http = client_and_http
    body = books.volumes().list(q="dracula").execute()
    assert body.get("items")


def test_no_gzip_without_accept_encoding(raw, api_key):
    resp = requests.get(
        raw.url("/books/v1/volumes"), params={"q": "dracula", "key": api_key},
        headers={"Accept-Encoding": "identity"}, timeout=60,
    )
    assert resp.status_code == 200
    assert resp.headers.get("Content-Encoding") in (None, "identity")
    assert json.loads(resp.content)["kind"] == "books#volumes"


def test_gzip_on_error(raw, api_key):
    resp = requests.get(
        raw.url("/books/v1/volumes"), params={"q": "", "key": api_key},
        headers={"Accept-Encoding": "gzip"}, timeout=60,
    )
    assert_google_error(resp, 400, reason="queryRequired")


# ---------------------------------------------------------------------------------------
# ETag / If-None-Match
# ---------------------------------------------------------------------------------------


def _etag_cases(raw, vid):
    return {
        "list": lambda headers=None: raw.search("dracula", headers=headers),
        "get": lambda headers=None: raw.volume(vid, headers=headers),
    }


@pytest.mark.parametrize("case", ["list", "get"])
def test_etag_and_not_modified(raw, find_work, case):
    call = _etag_cases(raw, find_work("Dracula")["id"])[case]
    first = call()
    assert first.status_code == 200
    etag = first.headers.get("ETag")
    assert etag, f"{case}: 200 response must carry an ETag header"
    again = call()
    assert again.headers.get("ETag") == etag, "same resource, same ETag"
    cached = call({"If-None-Match": etag})
    assert cached.status_code == 304, f"If-None-Match: {etag} -> HTTP {cached.status_code}"
    assert cached.content == b"", f"304 must have an empty body, got {cached.content[:100]!r}"


@pytest.mark.parametrize("case", ["list", "get"])
def test_if_none_match_mismatch(raw, find_work, case):
    call = _etag_cases(raw, find_work("Dracula")["id"])[case]
    resp = call({"If-None-Match": '"not-the-etag"'})
    assert resp.status_code == 200
    assert resp.json().get("kind") in ("books#volumes", "books#volume")


def test_etag_differs_between_queries(raw):
    a = raw.search("dracula").headers.get("ETag")
    b = raw.search("frankenstein").headers.get("ETag")
    assert a and b and a != b


# ---------------------------------------------------------------------------------------
# unknown path, wrong method, oversized body
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/books/v1/nope", "/books/v1/volumes/abcdefghijkl/nope", "/books/v2/volumes"])
def test_unknown_path(raw, path):
    resp = raw.get(path, [("q", "x")])
    assert_google_error(resp, 404)
    assert resp.headers.get("Content-Type") == JSON_TYPE


@pytest.mark.parametrize(
    "method, path",
    [("DELETE", "/books/v1/volumes"), ("PUT", "/books/v1/volumes"), ("DELETE", "/books/v1/volumes/{id}"),
     ("PATCH", "/books/v1/volumes/{id}")],
)
def test_wrong_method(raw, find_work, method, path):
    resp = raw.request(method, path.replace("{id}", find_work("Dracula")["id"]), [("q", "dracula")])
    assert_google_error(resp, 405)
    assert resp.headers.get("Content-Type") == JSON_TYPE


def _send_huge(base_url: str, path: str, total: int) -> HttpAnswer:
    """POST `total` bytes (announced by Content-Length) and read the answer; stops sending as
    soon as the server answers or closes."""
    u = urllib.parse.urlsplit(base_url)
    host, port = u.hostname, u.port or 80
    sock = socket.create_connection((host, port), timeout=30)
    try:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {total}\r\nConnection: close\r\n\r\n"
        ).encode()
        sock.sendall(head)
        chunk = b"x" * (1 << 20)
        sent = 0
        sock.settimeout(5)
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                n = min(len(chunk), total - sent)
                sock.sendall(chunk[:n])
                sent += n
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                break
        sock.settimeout(30)
        data = b""
        while True:
            try:
                part = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not part:
                break
            data += part
            if b"\r\n\r\n" in data:
                head_bytes, _, rest = data.partition(b"\r\n\r\n")
                headers = _parse_headers(head_bytes)
                length = headers.get("content-length")
                if length is not None and len(rest) >= int(length):
                    break
    finally:
        sock.close()
    assert b"\r\n\r\n" in data, f"no HTTP response to a {total}-byte body (sent {sent} bytes): {data[:200]!r}"
    head_bytes, _, rest = data.partition(b"\r\n\r\n")
    status = int(head_bytes.split(b" ", 2)[1])
    headers = _parse_headers(head_bytes)
    if headers.get("transfer-encoding", "").lower() == "chunked":
        rest = _dechunk(rest)
    if headers.get("content-length") is not None:
        rest = rest[: int(headers["content-length"])]
    return HttpAnswer(status, headers, rest, f"POST {path} with a {total}-byte body")


def _parse_headers(head: bytes) -> dict:
    out = {}
    for line in head.split(b"\r\n")[1:]:
        if b":" in line:
            k, _, v = line.partition(b":")
            out[k.decode().strip().lower()] = v.decode().strip()
    return out


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2:]
    return out


@pytest.mark.parametrize("path", ["/books/v1/volumes?q=x&key={key}", "/books/v1/volumes/abcdefghijkl?key={key}"])
def test_huge_request_body(base_url, api_key, path):
    ans = _send_huge(base_url, path.replace("{key}", urllib.parse.quote(api_key)), 256 * 1024 * 1024)
    assert_google_error(ans, 413)
    assert ans.headers.get("content-type") == JSON_TYPE


# ---------------------------------------------------------------------------------------
# error envelope, across every kind of error the suite can provoke
# ---------------------------------------------------------------------------------------


ERROR_CASES = {
    "empty-q": (lambda raw: raw.search(""), 400),
    "missing-q": (lambda raw: raw.search(None), 400),
    "max-results-41": (lambda raw: raw.search("x", maxResults=41), 400),
    "bad-enum": (lambda raw: raw.search("x", orderBy="oldest"), 400),
    "bad-fields": (lambda raw: raw.search("x", fields="items("), 400),
    "bad-key": (lambda raw: raw.search("x", key="not-a-key"), 400),
    "no-key": (lambda raw: raw.search("x", key=None), 403),
    "token": (lambda raw: raw.search("x", access_token="abc"), 401),
    "unknown-id": (lambda raw: raw.volume("zzzzzzzzzzzz"), 404),
    "unknown-path": (lambda raw: raw.get("/books/v1/nope"), 404),
    "wrong-method": (lambda raw: raw.request("DELETE", "/books/v1/volumes", [("q", "x")]), 405),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_error_envelope(raw, case):
    call, status = ERROR_CASES[case]
    resp = call(raw)
    assert_google_error(resp, status)
    # Pretty-printed like every other body (2-space indent).
    lines = resp.content.decode("utf-8").splitlines()
    assert len(lines) > 1 and lines[1] == '  "error": {', f"error bodies are pretty-printed too: {lines[:2]}"


def test_error_envelope_via_client(books):
    ans = client_error(books.volumes().get(volumeId="zzzzzzzzzzzz"))
    assert_google_error(ans, 404, reason="notFound")
    assert ans.headers.get("content-type") == JSON_TYPE

