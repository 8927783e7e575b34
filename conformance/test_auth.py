"""API keys and OAuth tokens (books-api-behavior.md §2, §9, §10).

Colophon requires an API key unless configured for anonymous access; the suite's server
runs with the default configuration, so a request without key (or with `key=`) is refused
with 403 PERMISSION_DENIED.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest

from helpers import (
    assert_google_error,
    client_error,
    items_of,
    json_of,
    run_cli,
    titles,
)

REVOCATION_GRACE_SECONDS = 10
INVALID_KEY_MESSAGE = "API key not valid. Please pass a valid API key."


def assert_invalid_key(answer):
    err = assert_google_error(answer, 400, reason="badRequest", message=INVALID_KEY_MESSAGE)
    assert err["status"] == "INVALID_ARGUMENT"
    details = err.get("details")
    assert isinstance(details, list) and details, f"error.details missing: {json.dumps(err)}"
    assert details[0].get("reason") == "API_KEY_INVALID", details
    assert details[0].get("@type") == "type.googleapis.com/google.rpc.ErrorInfo", details


# ---------------------------------------------------------------------------------------
# valid key, two ways
# ---------------------------------------------------------------------------------------


def test_key_as_query_parameter(raw):
    body = json_of(raw.search("dracula"))
    assert "Dracula" in titles(items_of(body, context="key="))


@pytest.mark.parametrize("header", ["X-Goog-Api-Key", "x-goog-api-key"])
def test_key_as_header(raw, api_key, header):
    body = json_of(raw.search("dracula", key=None, headers={header: api_key}))
    assert "Dracula" in titles(items_of(body, context=header))


def test_key_header_on_get(raw, api_key, find_work):
    vid = find_work("Dracula")["id"]
    body = json_of(raw.volume(vid, key=None, headers={"X-Goog-Api-Key": api_key}))
    assert body["id"] == vid


# ---------------------------------------------------------------------------------------
# no key / empty key
# ---------------------------------------------------------------------------------------


def test_no_key_is_refused(raw):
    assert_google_error(raw.search("dracula", key=None), 403)


def test_no_key_is_refused_on_get(raw, find_work):
    assert_google_error(raw.volume(find_work("Dracula")["id"], key=None), 403)


def test_no_key_via_client(make_client):
    books, _ = make_client(None)
    ans = client_error(books.volumes().list(q="dracula"))
    assert_google_error(ans, 403)


def test_empty_key_counts_as_absent(raw):
    none = raw.search("dracula", key=None)
    empty = raw.search("dracula", key="")
    assert_google_error(empty, 403)
    assert empty.status_code == none.status_code
    assert empty.json() == none.json(), "empty key= must get the same answer as no key"


def test_empty_key_header_counts_as_absent(raw):
    resp = raw.search("dracula", key=None, headers={"X-Goog-Api-Key": ""})
    assert_google_error(resp, 403)


# ---------------------------------------------------------------------------------------
# invalid / revoked key
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["not-a-key", "AIzaSyDUMMYDUMMYDUMMYDUMMYDUMMYDUMMYDU", "x" * 200])
def test_invalid_key(raw, bad):
    assert_invalid_key(raw.search("dracula", key=bad))


def test_invalid_key_header(raw):
    assert_invalid_key(raw.search("dracula", key=None, headers={"X-Goog-Api-Key": "not-a-key"}))


def test_invalid_key_on_get(raw, find_work):
    assert_invalid_key(raw.volume(find_work("Dracula")["id"], key="not-a-key"))


def test_invalid_key_via_client(make_client):
    books, _ = make_client("not-a-key")
    assert_invalid_key(client_error(books.volumes().list(q="dracula")))


def _key_id_from_list(output: str, name: str) -> str:
    """The id of the key called `name` in `colophon keys list` output.

    Format (colophon-cli `keys list`): a header line `id prefix created status name`, then one
    line per key with the id first and the name last.
    """
    for line in output.splitlines():
        cells = line.split()
        if len(cells) >= 2 and cells[-1] == name:
            return cells[0]
    raise AssertionError(f"key {name!r} not in `colophon keys list` output:\n{output}")


def test_revoked_key_is_invalid(raw, colophon_bin, data_dir):
    name = "conformance-" + uuid.uuid4().hex[:8]
    out = run_cli(colophon_bin, "keys", "create", "--data-dir", data_dir, "--name", name)
    lines = [l.strip() for l in out.splitlines() if l.strip()]
    assert lines, "`keys create` printed nothing"
    key = lines[-1]
    assert name not in key and " " not in key, f"`keys create` must print the key alone on its last line: {out!r}"
    body = json_of(raw.search("dracula", key=key))
    assert "Dracula" in titles(items_of(body, context="new key")), "a freshly created key must work"

    key_id = _key_id_from_list(run_cli(colophon_bin, "keys", "list", "--data-dir", data_dir), name)
    m = re.search(r"created API key (\S+)", out)
    if m:
        assert m.group(1) == key_id, f"`keys create` said id {m.group(1)}, `keys list` says {key_id}"
    run_cli(colophon_bin, "keys", "revoke", "--data-dir", data_dir, key_id)
    # The server may cache key checks briefly (colophon: 5 s); allow that much propagation.
    deadline = time.monotonic() + REVOCATION_GRACE_SECONDS
    resp = raw.search("dracula", key=key)
    while resp.status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        resp = raw.search("dracula", key=key)
    assert_invalid_key(resp)
    assert_invalid_key(raw.search("dracula", key=None, headers={"X-Goog-Api-Key": key}))


# ---------------------------------------------------------------------------------------
# OAuth tokens (no OAuth server yet: every token is invalid)
# ---------------------------------------------------------------------------------------


def assert_unauthenticated(resp):
    assert_google_error(resp, 401)
    www = resp.headers.get("WWW-Authenticate", "")
    assert www.startswith("Bearer"), f"401 must carry WWW-Authenticate: Bearer ..., got {www!r}"


@pytest.mark.parametrize("with_key", [False, True], ids=["no-key", "with-key"])
@pytest.mark.parametrize(
    "how",
    ["authorization-header", "access_token", "oauth_token"],
)
def test_invalid_oauth_token(raw, how, with_key):
    token = "ya29.conformance-" + uuid.uuid4().hex
    kw = {} if with_key else {"key": None}
    if how == "authorization-header":
        resp = raw.search("dracula", headers={"Authorization": f"Bearer {token}"}, **kw)
    else:
        resp = raw.search("dracula", **{how: token}, **kw)
    assert_unauthenticated(resp)


def test_invalid_oauth_token_on_get(raw, find_work):
    resp = raw.volume(find_work("Dracula")["id"], headers={"Authorization": "Bearer abc"}, key=None)
    assert_unauthenticated(resp)


def test_invalid_oauth_token_via_client(make_client):
    books, _ = make_client(None)
    ans = client_error(books.volumes().list(q="dracula", access_token="abc"))
    assert_google_error(ans, 401)
    assert ans.headers.get("www-authenticate", "").startswith("Bearer")

