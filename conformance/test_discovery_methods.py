"""The remaining discovery-document methods through Google's google-api-python-client:
series.get, series.membership.get, onboarding.listCategories, onboarding.listCategoryVolumes,
personalizedstream.get, familysharing.getFamilyInfo/share/unshare, notification.get,
promooffer.get/accept/dismiss and dictionary.listOfflineMetadata.

Series data: the demo catalog's (Sherlock Holmes' five books in order, Alice, Oz, ...); the
importers' series mapping over real files is covered by the Rust integration tests. The user is made with
`colophon users create` and gets a token with `colophon tokens issue`; the family with
`colophon families`.
"""

from __future__ import annotations

import re
import subprocess
import uuid

import pytest
import requests
from googleapiclient.errors import HttpError

PASSWORD = "discovery test password"
HOLMES = 'intitle:"hound of the baskervilles"'


def _run(colophon_bin: str, data_dir: str, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([colophon_bin, *args, "--data-dir", data_dir], input=stdin,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"colophon {' '.join(args)} failed: {done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def user(colophon_bin, data_dir):
    """(email, access token) of a new user, issued by `colophon tokens issue`."""
    email = f"disc-{uuid.uuid4().hex[:8]}@example.org"
    _run(colophon_bin, data_dir, "users", "create", "--email", email, "--password-stdin", stdin=PASSWORD + "\n")
    out = _run(colophon_bin, data_dir, "clients", "create", "--name", "Discovery app", "--type", "installed")
    client_id = re.search(r"^client_id: (\S+)$", out, re.M).group(1)
    token = _run(colophon_bin, data_dir, "tokens", "issue", "--user", email, "--client", client_id)
    return email, token.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def signed_in(discovery, base_url, user):
    from google.oauth2.credentials import Credentials
    from googleapiclient.discovery import build_from_document
    return build_from_document(discovery, credentials=Credentials(token=user[1]),
                               client_options={"api_endpoint": base_url})


def _series_id(books, title_query: str) -> str:
    body = books.volumes().list(q=title_query, maxResults=1).execute()
    info = body["items"][0]["volumeInfo"]
    return info["seriesInfo"]["volumeSeries"][0]["seriesId"]


def test_series_get_and_membership(books):
    sid = _series_id(books, HOLMES)
    got = books.series().get(series_id=[sid]).execute()
    assert got["kind"] == "books#series"
    (series,) = got["series"]
    assert series["seriesId"] == sid
    assert series["title"] == "Sherlock Holmes"
    assert series["seriesType"] == "SERIES"
    assert series["imageUrl"].startswith("http")

    seen, titles, token, pages = [], [], None, 0
    while True:
        kwargs = {"series_id": sid, "page_size": 2}
        if token:
            kwargs["page_token"] = token
        page = books.series().membership().get(**kwargs).execute()
        assert page["kind"] == "books#series#membership"
        pages += 1
        seen += [m["id"] for m in page["member"]]
        titles += [m["volumeInfo"]["title"] for m in page["member"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert len(seen) == 5 == len(set(seen))
    assert pages == 3
    assert titles == ["A Study in Scarlet", "The Sign of the Four", "The Adventures of Sherlock Holmes",
                      "The Memoirs of Sherlock Holmes", "The Hound of the Baskervilles"]

    with pytest.raises(HttpError) as e:
        books.series().get(series_id=["noSuchSeries"]).execute()
    assert e.value.resp.status == 404
    with pytest.raises(HttpError) as e:
        books.series().membership().get(series_id=sid, page_size=41).execute()
    assert e.value.resp.status == 400


def test_series_get_requires_series_id(base_url, api_key):
    r = requests.get(f"{base_url}/books/v1/series/get", params={"key": api_key}, timeout=30)
    assert r.status_code == 400
    assert r.json()["error"]["errors"][0]["reason"] == "required"


def test_onboarding(books):
    cats = books.onboarding().listCategories(locale="en_US").execute()
    assert cats["kind"] == "onboarding#category"
    assert len(cats["items"]) >= 2
    first = cats["items"][0]
    assert first["categoryId"] and first["name"]
    page = books.onboarding().listCategoryVolumes(categoryId=[first["categoryId"]], pageSize=2).execute()
    assert page["kind"] == "onboarding#volume"
    assert 1 <= len(page["items"]) <= 2
    if "nextPageToken" in page:
        more = books.onboarding().listCategoryVolumes(categoryId=[first["categoryId"]], pageSize=2,
                                                      pageToken=page["nextPageToken"]).execute()
        assert not {v["id"] for v in more.get("items", [])} & {v["id"] for v in page["items"]}
    mild = books.onboarding().listCategoryVolumes(maxAllowedMaturityRating="not-mature", pageSize=40).execute()
    assert all(v["volumeInfo"].get("maturityRating") != "MATURE" for v in mild.get("items", []))


def test_personalized_stream(signed_in, books):
    empty = signed_in.personalizedstream().get(locale="en_US").execute()
    assert empty == {"kind": "books#discovery#clusters", "totalClusters": 0}
    one = books.volumes().list(q=HOLMES, maxResults=1).execute()["items"][0]
    signed_in.mylibrary().bookshelves().addVolume(shelf="2", volumeId=one["id"]).execute()
    stream = signed_in.personalizedstream().get().execute()
    assert stream["kind"] == "books#discovery#clusters"
    series = [c for c in stream["clusters"] if c["uid"].startswith("series-")]
    assert series and series[0]["title"] == "Sherlock Holmes"
    ids = [v["id"] for v in series[0]["volumes"]]
    assert one["id"] not in ids and len(ids) == 4


def test_family_sharing(signed_in, books, user, colophon_bin, data_dir):
    fs = signed_in.familysharing()
    assert fs.getFamilyInfo().execute() == {"kind": "books#familyInfo", "membership": {"isInFamily": False}}
    volume = books.volumes().list(q="pride prejudice", maxResults=1).execute()["items"][0]["id"]
    with pytest.raises(HttpError) as e:
        fs.share(volumeId=volume).execute()
    assert e.value.resp.status == 403

    family = _run(colophon_bin, data_dir, "families", "create", "--name", "Conformance").strip().splitlines()[-1]
    _run(colophon_bin, data_dir, "families", "add", family, "--email", user[0], "--role", "PARENT")
    info = fs.getFamilyInfo(source="conformance").execute()
    assert info["membership"] == {"ageGroup": "ADULT", "allowedMaturityRating": "MATURE",
                                  "isInFamily": True, "role": "PARENT"}
    signed_in.mylibrary().bookshelves().addVolume(shelf="0", volumeId=volume).execute()
    assert fs.share(volumeId=volume).execute() == {}
    assert f"shared {volume}" in _run(colophon_bin, data_dir, "families", "show", family)
    assert fs.unshare(docId=volume).execute() == {}
    assert f"shared {volume}" not in _run(colophon_bin, data_dir, "families", "show", family)
    with pytest.raises(HttpError) as e:
        fs.share(volumeId="aaaaaaaaaaaa").execute()
    assert e.value.resp.status == 404


def test_absent_store_features(signed_in, books):
    with pytest.raises(HttpError) as e:
        signed_in.notification().get(notification_id="n1", locale="en_US").execute()
    assert e.value.resp.status == 404
    assert signed_in.promooffer().get(device="d", model="m").execute() == {"kind": "promooffer#offers"}
    for call in (signed_in.promooffer().accept, signed_in.promooffer().dismiss):
        with pytest.raises(HttpError) as e:
            call(offerId="o1").execute()
        assert e.value.resp.status == 404
        with pytest.raises(HttpError) as e:
            call().execute()
        assert e.value.resp.status == 400
    meta = signed_in.dictionary().listOfflineMetadata(cpksver="1").execute()
    assert meta == {"kind": "dictionary#metadata"}
    # A key is not enough for these: they need a signed-in user.
    with pytest.raises(HttpError) as e:
        books.promooffer().get().execute()
    assert e.value.resp.status == 401
