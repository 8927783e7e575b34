"""The personal library through Google's google-api-python-client, with an OAuth token
obtained through Colophon's own authorization-code flow (sign in, consent, code exchange).

Covers mylibrary.bookshelves (list, get, addVolume, moveVolume, removeVolume, clearVolumes,
volumes.list), mylibrary.readingpositions (setPosition, get), volumes.mybooks.list, userInfo
on volumes.get, libraryRestrict=my-library, and the public bookshelves.* methods with the API
key, plus the errors the client surfaces as HttpError.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import urllib.parse
import uuid

import pytest
import requests

BOOKS_SCOPE = "https://www.googleapis.com/auth/books"
PASSWORD = "library test password"


def _run(colophon_bin: str, data_dir: str, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([colophon_bin, *args, "--data-dir", data_dir], input=stdin,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"colophon {' '.join(args)} failed: {done.stderr}"
    return done.stdout


def _hidden(page: str, name: str) -> str:
    import html
    m = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert m, f"no hidden field {name!r}"
    return html.unescape(m.group(1))


@pytest.fixture(scope="module")
def user_token(base_url, colophon_bin, data_dir) -> str:
    """An access token for a new user, through the code flow of Colophon's OAuth server."""
    email = f"lib-{uuid.uuid4().hex[:8]}@example.org"
    _run(colophon_bin, data_dir, "users", "create", "--email", email, "--password-stdin", stdin=PASSWORD + "\n")
    redirect = "https://app.example/library-cb"
    out = _run(colophon_bin, data_dir, "clients", "create", "--name", "Python library app", "--type", "web",
               "--redirect-uri", redirect)
    client_id = re.search(r"^client_id: (\S+)$", out, re.M).group(1)
    secret = out.strip().splitlines()[-1]
    s = requests.Session()
    auth = f"{base_url}/o/oauth2/v2/auth?" + urllib.parse.urlencode(
        {"client_id": client_id, "redirect_uri": redirect, "response_type": "code", "scope": BOOKS_SCOPE,
         "state": "xyz"})
    r = s.get(auth, allow_redirects=False, timeout=30)
    page = s.get(base_url + r.headers["Location"], timeout=30).text
    r = s.post(base_url + "/signin", data={"csrf": _hidden(page, "csrf"), "continue": _hidden(page, "continue"),
                                          "email": email, "password": PASSWORD}, allow_redirects=False, timeout=30)
    consent = s.get(base_url + r.headers["Location"], allow_redirects=False, timeout=30)
    r = s.post(base_url + "/o/oauth2/approval", data={"request_id": _hidden(consent.text, "request_id"),
               "csrf": _hidden(consent.text, "csrf"), "decision": "allow"}, allow_redirects=False, timeout=30)
    location = r.headers["Location"]
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0]
    t = requests.post(f"{base_url}/token", data={"grant_type": "authorization_code", "code": code,
                      "redirect_uri": redirect, "client_id": client_id, "client_secret": secret}, timeout=30)
    assert t.status_code == 200, t.text
    return t.json()["access_token"]


@pytest.fixture(scope="module")
def library(discovery, base_url, user_token):
    from google.oauth2.credentials import Credentials
    from googleapiclient.discovery import build_from_document
    creds = Credentials(token=user_token)
    return build_from_document(discovery, credentials=creds, client_options={"api_endpoint": base_url})


def _ids(books, n: int) -> list[str]:
    body = books.volumes().list(q="the", maxResults=40, orderBy="newest").execute()
    ids = [v["id"] for v in body["items"]][:n]
    assert len(ids) == n
    return ids


def test_shelves_positions_and_user_info(books, library):
    from googleapiclient.errors import HttpError
    v1, v2, v3 = _ids(books, 3)
    shelves = library.mylibrary().bookshelves().list().execute()
    assert [s["id"] for s in shelves["items"]] == [0, 3, 2, 4, 1, 5, 6, 7]
    assert [s["title"] for s in shelves["items"][:4]] == ["Favorites", "Reading now", "To read", "Have read"]
    for v in (v1, v2, v3):
        assert library.mylibrary().bookshelves().addVolume(shelf="2", volumeId=v, reason="ONBOARDING").execute() == {}
    library.mylibrary().bookshelves().moveVolume(shelf="2", volumeId=v3, volumePosition=0).execute()
    library.mylibrary().bookshelves().removeVolume(shelf="2", volumeId=v2).execute()
    shelf = library.mylibrary().bookshelves().get(shelf="2").execute()
    assert shelf["volumeCount"] == 2 and shelf["title"] == "To read" and shelf["access"] == "PUBLIC"
    page = library.mylibrary().bookshelves().volumes().list(shelf="2", projection="LITE").execute()
    assert [v["id"] for v in page["items"]] == [v3, v1]
    assert page["totalItems"] == 2

    now = dt.datetime.now(dt.timezone.utc)
    library.mylibrary().readingpositions().setPosition(
        volumeId=v1, position="epubcfi(/6/4)", timestamp=now.isoformat(), action="next-page",
        deviceCookie="py").execute()
    older = (now - dt.timedelta(hours=1)).isoformat()
    library.mylibrary().readingpositions().setPosition(volumeId=v1, position="epubcfi(/6/2)", timestamp=older).execute()
    pos = library.mylibrary().readingpositions().get(volumeId=v1).execute()
    assert pos["kind"] == "books#readingPosition" and pos["epubCfiPosition"] == "epubcfi(/6/4)"

    vol = library.volumes().get(volumeId=v1).execute()
    assert vol["userInfo"]["isInMyBooks"] is True
    assert vol["userInfo"]["readingPosition"]["epubCfiPosition"] == "epubcfi(/6/4)"
    mine = library.volumes().list(q="the", libraryRestrict="my-library", maxResults=40).execute()
    assert sorted(v["id"] for v in mine["items"]) == sorted([v1, v3])
    mybooks = library.volumes().mybooks().list(acquireMethod=["PUBLIC_DOMAIN", "SAMPLE"]).execute()
    assert sorted(v["id"] for v in mybooks["items"]) == sorted([v1, v3])

    user_id = shelf["selfLink"].split("/users/")[1].split("/")[0]
    public = books.bookshelves().list(userId=user_id).execute()
    assert [s["id"] for s in public["items"]] == [0, 3, 2, 4]
    assert all(s["access"] == "PUBLIC" for s in public["items"])
    vols = books.bookshelves().volumes().list(userId=user_id, shelf="2").execute()
    assert [v["id"] for v in vols["items"]] == [v3, v1]
    assert "userInfo" not in vols["items"][0]

    with pytest.raises(HttpError) as e:
        books.bookshelves().get(userId=user_id, shelf="7").execute()
    assert e.value.resp.status == 404
    with pytest.raises(HttpError) as e:
        library.mylibrary().bookshelves().addVolume(shelf="1", volumeId=v1).execute()
    assert e.value.resp.status == 403
    assert json.loads(e.value.content)["error"]["errors"][0]["reason"] == "forbidden"
    with pytest.raises(HttpError) as e:
        library.mylibrary().bookshelves().moveVolume(shelf="2", volumeId=v1, volumePosition=5).execute()
    assert e.value.resp.status == 400
    with pytest.raises(HttpError) as e:
        books.mylibrary().bookshelves().list().execute()
    assert e.value.resp.status == 401

    library.mylibrary().bookshelves().clearVolumes(shelf="2").execute()
    assert library.mylibrary().bookshelves().get(shelf="2").execute()["volumeCount"] == 0
