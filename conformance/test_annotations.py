"""Annotations, layers and recommendations through google-api-python-client (issue 6).

The user's token comes from Colophon's own authorization server through
google-auth-oauthlib's installed-app flow (the browser of `test_oauth_installed_app.py`
signs in and allows), and is used unchanged by Google's generated client.
"""

from __future__ import annotations

import os
import re
import uuid
import webbrowser

import pytest
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError

from discovery_schema import assert_matches_schema
from test_oauth_installed_app import BOOKS_SCOPE, PASSWORD, ColophonBrowser, _run


@pytest.fixture(scope="module")
def user_books(base_url, discovery, colophon_bin, data_dir):
    """A googleapiclient Resource acting for a fresh user (installed-app flow)."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    email = f"notes-{uuid.uuid4().hex[:8]}@example.org"
    _run(colophon_bin, data_dir, "users", "create", "--email", email, "--password-stdin", stdin=PASSWORD + "\n")
    out = _run(colophon_bin, data_dir, "clients", "create", "--name", "Python notes app", "--type", "installed")
    client_id = re.search(r"^client_id: (\S+)$", out, re.M).group(1)
    secret = out.strip().splitlines()[-1]
    old = os.environ.get("OAUTHLIB_INSECURE_TRANSPORT")
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        flow = InstalledAppFlow.from_client_config(
            {
                "installed": {
                    "client_id": client_id,
                    "client_secret": secret,
                    "auth_uri": f"{base_url}/o/oauth2/auth",
                    "token_uri": f"{base_url}/token",
                    "redirect_uris": ["http://localhost"],
                }
            },
            scopes=[BOOKS_SCOPE],
        )
        browser = ColophonBrowser(base_url, email)
        webbrowser.register("colophon-notes-browser", None, browser, preferred=True)
        creds = flow.run_local_server(
            host="localhost", port=0, open_browser=True, browser="colophon-notes-browser", timeout_seconds=60
        )
        if browser.thread:
            browser.thread.join(timeout=30)
        assert browser.error is None, f"driving the consent failed: {browser.error!r}"
    finally:
        if old is None:
            os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = old
    return build_from_document(discovery, credentials=creds, client_options={"api_endpoint": base_url})


def _volume(books, q: str) -> str:
    return books.volumes().list(q=q).execute()["items"][0]["id"]


def _note(volume_id: str, text: str) -> dict:
    return {
        "volumeId": volume_id,
        "layerId": "notes",
        "selectedText": "Call me Ishmael",
        "data": text,
        "highlightStyle": "yellow",
        "clientVersionRanges": {
            "cfiRange": {"startPosition": "/6/2!/4/2/1:0", "endPosition": "/6/2!/4/2/1:15"},
            "gbTextRange": {"startPosition": "GBS.PA1.w.0", "endPosition": "GBS.PA1.w.2", "startOffset": "0", "endOffset": "4"},
        },
    }


def test_annotation_lifecycle(user_books, books):
    volume = _volume(books, "intitle:pride inauthor:austen")
    notes = user_books.mylibrary().annotations()
    made = [notes.insert(body=_note(volume, f"note {i}")).execute() for i in range(3)]
    for m in made:
        assert_matches_schema(m, "Annotation", context="annotations.insert")
    assert all(m["kind"] == "books#annotation" and m["layerSummary"]["limitType"] == "CHARACTERS" for m in made)

    # Paging through list_next, as the client library does it.
    seen, request = [], notes.list(volumeId=volume, maxResults=2)
    while request is not None:
        page = request.execute()
        assert_matches_schema(page, "Annotations", context="annotations.list")
        assert page["totalItems"] == 3
        seen += [a["id"] for a in page.get("items", [])]
        request = notes.list_next(request, page)
    assert sorted(seen) == sorted(m["id"] for m in made)

    first = made[0]
    edited = notes.update(annotationId=first["id"], body={**first, "data": "changed"}).execute()
    assert edited["data"] == "changed" and edited["updated"] > first["updated"]
    with pytest.raises(HttpError) as stale:
        notes.update(annotationId=first["id"], body={**first, "data": "from an old copy"}).execute()
    assert stale.value.resp.status == 409

    assert notes.delete(annotationId=made[1]["id"]).execute() in ({}, "", None)
    with pytest.raises(HttpError) as gone:
        notes.delete(annotationId=made[1]["id"]).execute()
    assert gone.value.resp.status == 404
    changes = notes.list(showDeleted=True, updatedMin=first["created"]).execute()
    assert any(a["id"] == made[1]["id"] and a["deleted"] for a in changes["items"])

    summary = notes.summary(layerIds=["notes", "bookmarks"], volumeId=volume).execute()
    assert_matches_schema(summary, "AnnotationsSummary", context="annotations.summary")
    assert [l["layerId"] for l in summary["layers"]] == ["notes", "bookmarks"]
    assert summary["layers"][0]["remainingCharacterCount"] < summary["layers"][0]["allowedCharacterCount"]

    layers = user_books.layers().list(volumeId=volume).execute()
    assert_matches_schema(layers, "Layersummaries", context="layers.list")
    assert [l["layerId"] for l in layers["items"]] == ["notes"]
    anns = user_books.layers().volumeAnnotations().list(volumeId=volume, layerId="notes", contentVersion="1").execute()
    assert_matches_schema(anns, "Volumeannotations", context="layers.volumeAnnotations.list")
    assert anns["totalItems"] == 2
    one = user_books.layers().volumeAnnotations().get(volumeId=volume, layerId="notes", annotationId=anns["items"][0]["id"]).execute()
    assert_matches_schema(one, "Volumeannotation", context="layers.volumeAnnotations.get")
    data = user_books.layers().annotationData().list(volumeId=volume, layerId="notes", contentVersion="1").execute()
    assert_matches_schema(data, "Annotationsdata", context="layers.annotationData.list")


def test_bad_requests_get_google_errors(user_books, books):
    volume = _volume(books, "intitle:emma inauthor:austen")
    notes = user_books.mylibrary().annotations()
    for body, status in [
        ({**_note(volume, "x"), "layerId": "geo"}, 400),
        ({**_note(volume, "x"), "volumeId": "zzzzzzzzzzzz"}, 404),
        ({**_note(volume, "x"), "clientVersionRanges": {"cfiRange": {"startPosition": "nope", "endPosition": "/2"}}}, 400),
    ]:
        with pytest.raises(HttpError) as e:
            notes.insert(body=body).execute()
        assert e.value.resp.status == status
    with pytest.raises(HttpError) as e:
        notes.list(pageToken="not-a-token").execute()
    assert e.value.resp.status == 400


def test_recommendations_follow_what_the_user_annotates(user_books, books):
    pride = _volume(books, "intitle:pride inauthor:austen")
    user_books.mylibrary().annotations().insert(body=_note(pride, "a seed")).execute()
    recs = user_books.volumes().recommended().list().execute()
    ids = [v["id"] for v in recs.get("items", [])]
    assert pride not in ids and ids, recs
    assert_matches_schema(recs, "Volumes", context="volumes.recommended.list")
    assert all(v["recommendedInfo"]["explanation"] for v in recs["items"])
    first = ids[0]
    rated = user_books.volumes().recommended().rate(rating="NOT_INTERESTED", volumeId=first).execute()
    assert rated["consistency_token"]
    assert_matches_schema(rated, "BooksVolumesRecommendedRateResponse", context="volumes.recommended.rate")
    again = [v["id"] for v in user_books.volumes().recommended().list().execute().get("items", [])]
    assert first not in again
    related = books.volumes().associated().list(volumeId=pride, association="end-of-volume").execute()
    assert_matches_schema(related, "Volumes", context="volumes.associated.list")
    assert related["kind"] == "books#volumes" and related["totalItems"] == len(related["items"])
