"""myconfig.* through Google's google-api-python-client: a lent copy (`colophon lending set`)
borrowed by one device and refused to the next, released, offline licenses synced, and the
user settings read, merged and read back. The token comes from Colophon's own code flow (the
fixtures of test_personal_library)."""

from __future__ import annotations

import uuid

from test_personal_library import _ids, _run, library, user_token  # noqa: F401 (fixtures)


def test_lending_and_settings(books, library, colophon_bin, data_dir):  # noqa: F811
    from googleapiclient.errors import HttpError
    (volume,) = _ids(books, 1)
    out = _run(colophon_bin, data_dir, "lending", "set", volume, "--copies", "1", "--download-devices", "1")
    assert out.strip() == f"{volume}\tcopies=1 download_devices=1"
    config = library.myconfig()
    phone, tablet = f"phone-{uuid.uuid4().hex[:6]}", f"tablet-{uuid.uuid4().hex[:6]}"

    got = config.requestAccess(cpksver=phone, nonce="n1", source="py", volumeId=volume).execute()
    assert got["kind"] == "books#requestAccessData"
    ca, da = got["concurrentAccess"], got["downloadAccess"]
    assert (ca["restricted"], ca["deviceAllowed"], ca["maxConcurrentDevices"]) == (True, True, 1)
    assert ca["reasonCode"] == "200" and ca["nonce"] == "n1" and ca["source"] == "py"
    assert (da["justAcquired"], da["downloadsAcquired"], da["maxDownloadDevices"]) == (True, 1, 1)

    refused = config.requestAccess(cpksver=tablet, nonce="n2", source="py", volumeId=volume,
                                   licenseTypes="CONCURRENT").execute()
    rc = refused["concurrentAccess"]
    assert (rc["deviceAllowed"], rc["reasonCode"]) == (False, "101") and rc["message"]
    assert "downloadAccess" not in refused

    synced = config.syncVolumeLicenses(cpksver=phone, nonce="n3", source="py", features=["RENTALS"]).execute()
    assert [v["id"] for v in synced["items"]] == [volume]
    assert synced["items"][0]["accessInfo"]["downloadAccess"]["deviceAllowed"] is True

    released = config.releaseDownloadAccess(cpksver=phone, volumeIds=[volume], source="py").execute()
    assert released["kind"] == "books#downloadAccesses"
    assert released["downloadAccessList"][0]["downloadsAcquired"] == 0
    now = config.requestAccess(cpksver=tablet, nonce="n4", source="py", volumeId=volume).execute()
    assert now["concurrentAccess"]["deviceAllowed"] is True
    assert now["downloadAccess"]["deviceAllowed"] is True

    try:
        config.requestAccess(cpksver=phone, nonce="n5", source="py", volumeId="nosuchvolum").execute()
        raise AssertionError("an unknown volume is a 404")
    except HttpError as e:
        assert e.resp.status == 404

    settings = config.getUserSettings().execute()
    assert settings == {"kind": "books#usersettings",
                        "notesExport": {"folderName": "Play Books Notes", "isEnabled": False}}
    config.updateUserSettings(body={"notesExport": {"folderName": "Py notes", "isEnabled": True}}).execute()
    after = config.updateUserSettings(
        body={"notification": {"moreFromSeries": {"opted_state": "OPTED_OUT"}}}).execute()
    assert after["notesExport"] == {"folderName": "Py notes", "isEnabled": True}
    assert after["notification"] == {"moreFromSeries": {"opted_state": "OPTED_OUT"}}
    assert config.getUserSettings().execute() == after
