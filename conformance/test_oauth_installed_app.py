"""google-auth-oauthlib's installed-app flow against Colophon (oauth-behavior.md §3.2, §14).

`InstalledAppFlow.run_local_server()` is run exactly as a desktop application runs it: it
starts its loopback server on a free port, builds the authorization URL (with PKCE) from a
client config whose `auth_uri` and `token_uri` point at Colophon, and "opens a browser". The
browser is registered here with Python's `webbrowser` module: it signs in to Colophon, presses
Allow on the consent page, and follows the redirect to the library's loopback server, which
then exchanges the code. The credentials it returns are then used, unchanged, by Google's
`google-api-python-client` on a method that needs the user, and refreshed through google-auth.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import threading
import uuid
import webbrowser

import pytest
import requests

BOOKS_SCOPE = "https://www.googleapis.com/auth/books"
PASSWORD = "installed app password"


def _run(colophon_bin: str, data_dir: str, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [colophon_bin, *args, "--data-dir", data_dir],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"colophon {' '.join(args)} failed: {done.stderr}"
    return done.stdout


def _hidden(page: str, name: str) -> str:
    m = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert m, f"no hidden field {name!r} in {page[:500]!r}"
    return html.unescape(m.group(1))


class ColophonBrowser(webbrowser.BaseBrowser):
    """A 'browser' that a user drives: signs in, allows, and lands on the redirect URI."""

    def __init__(self, base_url: str, email: str):
        super().__init__("colophon-test-browser")
        self.base_url = base_url
        self.email = email
        self.error: BaseException | None = None
        self.consent_page = ""
        self.thread: threading.Thread | None = None

    def open(self, url, new=0, autoraise=True):  # noqa: D401 - webbrowser's signature
        self.thread = threading.Thread(target=self._drive, args=(url,), daemon=True)
        self.thread.start()
        return True

    def _drive(self, url: str) -> None:
        try:
            s = requests.Session()
            r = s.get(url, allow_redirects=False, timeout=30)
            assert r.status_code == 302, r.text
            signin = r.headers["Location"]
            assert signin.startswith("/signin?"), signin
            page = s.get(self.base_url + signin, timeout=30).text
            r = s.post(
                self.base_url + "/signin",
                data={
                    "csrf": _hidden(page, "csrf"),
                    "continue": _hidden(page, "continue"),
                    "email": self.email,
                    "password": PASSWORD,
                },
                allow_redirects=False,
                timeout=30,
            )
            assert r.status_code == 303, r.text
            consent = s.get(self.base_url + r.headers["Location"], allow_redirects=False, timeout=30)
            assert consent.status_code == 200, consent.text
            self.consent_page = consent.text
            r = s.post(
                self.base_url + "/o/oauth2/approval",
                data={
                    "request_id": _hidden(consent.text, "request_id"),
                    "csrf": _hidden(consent.text, "csrf"),
                    "decision": "allow",
                },
                allow_redirects=False,
                timeout=30,
            )
            assert r.status_code == 302, r.text
            # The redirect goes to the library's own loopback server, which takes the code.
            landed = requests.get(r.headers["Location"], timeout=30)
            assert landed.status_code == 200, landed.text
        except BaseException as e:  # reported by the test
            self.error = e


@pytest.fixture
def installed_client(colophon_bin, data_dir):
    email = f"py-{uuid.uuid4().hex[:8]}@example.org"
    _run(colophon_bin, data_dir, "users", "create", "--email", email, "--password-stdin", stdin=PASSWORD + "\n")
    out = _run(colophon_bin, data_dir, "clients", "create", "--name", "Python desktop app", "--type", "installed")
    client_id = re.search(r"^client_id: (\S+)$", out, re.M).group(1)
    secret = out.strip().splitlines()[-1]
    return email, client_id, secret


def test_installed_app_flow_run_local_server(base_url, discovery, installed_client, monkeypatch):
    from google.auth.transport.requests import Request
    from google_auth_oauthlib.flow import InstalledAppFlow
    from googleapiclient.discovery import build_from_document

    # oauthlib refuses http:// token URLs unless told this is a test on loopback (§14.8).
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    email, client_id, secret = installed_client
    config = {
        "installed": {
            "client_id": client_id,
            "client_secret": secret,
            "auth_uri": f"{base_url}/o/oauth2/auth",
            "token_uri": f"{base_url}/token",
            "redirect_uris": ["http://localhost"],
        }
    }
    flow = InstalledAppFlow.from_client_config(config, scopes=[BOOKS_SCOPE])
    browser = ColophonBrowser(base_url, email)
    webbrowser.register("colophon-test-browser", None, browser, preferred=True)
    creds = flow.run_local_server(
        host="localhost",
        port=0,
        open_browser=True,
        browser="colophon-test-browser",
        access_type="offline",
        timeout_seconds=60,
    )
    if browser.thread:
        browser.thread.join(timeout=30)
    assert browser.error is None, f"driving the consent failed: {browser.error!r}"
    assert "Python desktop app" in browser.consent_page
    assert creds.token and creds.refresh_token, "offline access gives a refresh token"
    assert creds.valid

    # Google's API client, with google-auth credentials, on a method that needs the user.
    books = build_from_document(discovery, credentials=creds, client_options={"api_endpoint": base_url})
    shelves = books.mylibrary().bookshelves().list().execute()
    assert shelves["kind"] == "books#bookshelves"
    assert any(s["title"] == "Favorites" for s in shelves["items"])

    # google-auth refreshes through token_uri; installed clients rotate their refresh token.
    old_token, old_refresh = creds.token, creds.refresh_token
    creds.refresh(Request())
    assert creds.token != old_token
    assert creds.refresh_token and creds.refresh_token != old_refresh
    again = books.mylibrary().bookshelves().list().execute()
    assert again["kind"] == "books#bookshelves"

    # Token info sees the token as the client's, for the books scope.
    info = requests.get(f"{base_url}/oauth2/v3/tokeninfo", params={"access_token": creds.token}, timeout=30).json()
    assert info["aud"] == client_id and info["scope"] == BOOKS_SCOPE

    # Revocation (as google-auth-library sends it: token in the query string) ends access.
    r = requests.post(f"{base_url}/revoke", params={"token": creds.refresh_token}, timeout=30)
    assert r.status_code == 200, r.text
    r = requests.get(
        f"{base_url}/books/v1/mylibrary/bookshelves",
        headers={"Authorization": f"Bearer {creds.token}"},
        timeout=30,
    )
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith('Bearer realm="')
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_authorization_url_and_fetch_token_with_a_web_client(base_url, colophon_bin, data_dir, monkeypatch):
    """The other way desktop code uses the library: authorization_url() + fetch_token()."""
    from google_auth_oauthlib.flow import Flow

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    email = f"web-{uuid.uuid4().hex[:8]}@example.org"
    _run(colophon_bin, data_dir, "users", "create", "--email", email, "--password-stdin", stdin=PASSWORD + "\n")
    redirect = "https://app.example/oauth2callback"
    out = _run(
        colophon_bin, data_dir, "clients", "create", "--name", "Python web app", "--type", "web",
        "--redirect-uri", redirect,
    )
    client_id = re.search(r"^client_id: (\S+)$", out, re.M).group(1)
    secret = out.strip().splitlines()[-1]
    flow = Flow.from_client_config(
        {"web": {"client_id": client_id, "client_secret": secret, "auth_uri": f"{base_url}/o/oauth2/v2/auth",
                 "token_uri": f"{base_url}/oauth2/v4/token", "redirect_uris": [redirect]}},
        scopes=[BOOKS_SCOPE],
        redirect_uri=redirect,
    )
    url, state = flow.authorization_url(access_type="offline", include_granted_scopes="true")
    s = requests.Session()
    r = s.get(url, allow_redirects=False, timeout=30)
    page = s.get(base_url + r.headers["Location"], timeout=30).text
    r = s.post(base_url + "/signin", data={"csrf": _hidden(page, "csrf"), "continue": _hidden(page, "continue"),
                                          "email": email, "password": PASSWORD}, allow_redirects=False, timeout=30)
    consent = s.get(base_url + r.headers["Location"], allow_redirects=False, timeout=30)
    r = s.post(base_url + "/o/oauth2/approval", data={"request_id": _hidden(consent.text, "request_id"),
               "csrf": _hidden(consent.text, "csrf"), "decision": "allow"}, allow_redirects=False, timeout=30)
    location = r.headers["Location"]
    assert location.startswith(redirect) and f"state={state}" in location
    token = flow.fetch_token(authorization_response=location)
    assert token["token_type"] == "Bearer" and token["expires_in"] > 3500
    assert token.get("refresh_token")
    r = requests.get(f"{base_url}/books/v1/mylibrary/bookshelves", params={"access_token": token["access_token"]},
                     timeout=30)
    assert r.status_code == 200, r.text
    assert os.environ.get("OAUTHLIB_INSECURE_TRANSPORT") == "1"
