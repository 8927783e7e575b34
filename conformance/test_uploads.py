"""Users' own books through Google's google-api-python-client: an EPUB uploaded with the
`media` upload protocol (the discovery document gives `addBook` no media upload, so the
upload itself is a plain POST), then `volumes.useruploaded.list`, `volumes.get`,
`cloudloading.updateBook` and `cloudloading.deleteBook` through the generated client with the
uploader's token, the responses checked against the discovery schemas, and the upload
invisible to the API key.
"""

from __future__ import annotations

import time

import pytest
import requests
from googleapiclient.errors import HttpError

from discovery_schema import assert_matches_schema, shared_dir
from test_personal_library import library, user_token  # noqa: F401  (module fixtures)


def _processed(library, volume_id: str) -> dict:  # noqa: F811
    deadline = time.monotonic() + 60
    while True:
        body = library.volumes().useruploaded().list(volumeId=volume_id).execute()
        volume = body["items"][0]
        state = volume["userInfo"]["userUploadedVolumeInfo"]["processingState"]
        if state != "RUNNING":
            return volume
        assert time.monotonic() < deadline, body
        time.sleep(0.05)


def test_upload_list_update_delete(discovery, base_url, books, library, user_token):  # noqa: F811
    epub = (shared_dir() / "data/standard-ebooks/epub/h-g-wells_the-time-machine.epub").read_bytes()
    r = requests.post(f"{base_url}/upload/books/v1/cloudloading/addBook",
                      params={"uploadType": "media", "name": "time-machine.epub"},
                      headers={"Authorization": f"Bearer {user_token}",
                               "Content-Type": "application/epub+zip"},
                      data=epub, timeout=60)
    assert r.status_code == 200, r.text
    added = r.json()
    assert_matches_schema(added, "BooksCloudloadingResource", discovery)
    volume_id = added["volumeId"]

    volume = _processed(library, volume_id)
    assert volume["userInfo"]["userUploadedVolumeInfo"]["processingState"] == "COMPLETED_SUCCESS"
    assert volume["volumeInfo"]["title"] == "The Time Machine"
    page = library.volumes().useruploaded().list(processingState=["COMPLETED_SUCCESS", "RUNNING"],
                                                 maxResults=40).execute()
    assert_matches_schema(page, "Volumes", discovery)
    assert volume_id in [v["id"] for v in page["items"]]
    failed = library.volumes().useruploaded().list(processingState="COMPLETED_FAILED").execute()
    assert failed["totalItems"] == 0

    got = library.volumes().get(volumeId=volume_id).execute()
    assert_matches_schema(got, "Volume", discovery)
    assert got["userInfo"]["isUploaded"] is True
    with pytest.raises(HttpError) as e:
        books.volumes().get(volumeId=volume_id).execute()
    assert e.value.resp.status == 404

    updated = library.cloudloading().updateBook(
        body={"volumeId": volume_id, "title": "The Time Machine (mine)", "author": "H. G. Wells"}).execute()
    assert updated == {"author": "H. G. Wells", "processingState": "COMPLETED_SUCCESS",
                       "title": "The Time Machine (mine)", "volumeId": volume_id}

    assert library.cloudloading().deleteBook(volumeId=volume_id).execute() == {}
    with pytest.raises(HttpError) as e:
        library.volumes().get(volumeId=volume_id).execute()
    assert e.value.resp.status == 404
    with pytest.raises(HttpError) as e:
        library.cloudloading().deleteBook(volumeId=volume_id).execute()
    assert e.value.resp.status == 404
