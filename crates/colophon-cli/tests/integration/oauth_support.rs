//! Helpers for the OAuth tests: a cookie-keeping browser that never follows redirects (so
//! every `Location` can be asserted), client registration, and an HTTP client for the
//! `oauth2` crate over hyper.

use bytes::Bytes;
use colophon_auth::clients::NewClient;
use colophon_auth::{ClientKind, CreatedClient, BOOKS_SCOPE};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::support::{Reply, TestApp};

/// A password that passes the policy.
pub const PASSWORD: &str = "correct horse battery";

/// A browser: one cookie jar (our session cookie), no redirect following.
pub struct WebBrowser<'a> {
    /// The server.
    pub app: &'a TestApp,
    /// `name=value` of the session cookie, once set.
    pub cookie: Option<String>,
    /// Every `Set-Cookie` header seen.
    pub set_cookies: Vec<String>,
}

impl<'a> WebBrowser<'a> {
    /// A browser with no cookie.
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookie: None,
            set_cookies: Vec::new(),
        }
    }

    fn remember(&mut self, reply: &Reply) {
        for v in reply.headers.get_all("set-cookie") {
            let v = v.to_str().expect("ascii cookie").to_owned();
            let pair = v.split(';').next().unwrap_or("").trim().to_owned();
            self.cookie = Some(pair);
            self.set_cookies.push(v);
        }
    }

    fn path_of(&self, url: &str) -> String {
        url.strip_prefix(&self.app.base_url)
            .unwrap_or(url)
            .to_owned()
    }

    /// GET a path (or a URL on this server).
    pub async fn get(&mut self, url: &str) -> Reply {
        let path = self.path_of(url);
        let mut headers = Vec::new();
        let cookie = self.cookie.clone();
        if let Some(c) = &cookie {
            headers.push(("cookie", c.as_str()));
        }
        let reply = self.app.get(&path, &headers).await;
        self.remember(&reply);
        reply
    }

    /// POST a form, with extra headers.
    pub async fn post_with(
        &mut self,
        path: &str,
        pairs: &[(&str, &str)],
        extra: &[(&str, &str)],
    ) -> Reply {
        let body = encode(pairs);
        let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
        let cookie = self.cookie.clone();
        if let Some(c) = &cookie {
            headers.push(("cookie", c.as_str()));
        }
        headers.extend_from_slice(extra);
        let reply = self
            .app
            .request("POST", &self.path_of(path), &headers, Bytes::from(body))
            .await;
        self.remember(&reply);
        reply
    }

    /// POST a form.
    pub async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        self.post_with(path, pairs, &[]).await
    }

    /// Signs up (and so in) with the sign-up page.
    pub async fn sign_up(&mut self, email: &str) {
        let page = self.get("/signup").await;
        assert_eq!(page.status, 200);
        let csrf = hidden(&page.text(), "csrf").expect("csrf field");
        let reply = self
            .post(
                "/signup",
                &[
                    ("csrf", &csrf),
                    ("continue", "/account"),
                    ("email", email),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(reply.status, 303, "{}", reply.text());
        assert_eq!(reply.header("location"), Some("/account"));
    }

    /// Signs in with the sign-in page; returns the reply to the form post.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Reply {
        let page = self.get("/signin").await;
        let csrf = hidden(&page.text(), "csrf").expect("csrf field");
        self.post(
            "/signin",
            &[
                ("csrf", &csrf),
                ("continue", "/account"),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }

    /// Drives the authorization endpoint as a signed-in user who presses Allow when asked:
    /// returns the final redirect to the client.
    pub async fn authorize(&mut self, auth_url: &str) -> String {
        let reply = self.get(auth_url).await;
        match reply.status {
            302 => reply.header("location").expect("location").to_owned(),
            200 => self.answer_consent(&reply, "allow").await,
            other => panic!("authorization answered {other}: {}", reply.text()),
        }
    }

    /// Presses a consent button on a consent page; returns the redirect.
    pub async fn answer_consent(&mut self, page: &Reply, decision: &str) -> String {
        let html = page.text();
        let request_id = hidden(&html, "request_id").expect("request_id");
        let csrf = hidden(&html, "csrf").expect("csrf");
        let reply = self
            .post(
                "/o/oauth2/approval",
                &[
                    ("request_id", &request_id),
                    ("csrf", &csrf),
                    ("decision", decision),
                ],
            )
            .await;
        assert_eq!(reply.status, 302, "{}", reply.text());
        reply.header("location").expect("location").to_owned()
    }
}

impl Reply {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The value of the first hidden input named `name`.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(
        html[start..end]
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// Form-encodes pairs.
pub fn encode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&enc(k));
        out.push('=');
        out.push_str(&enc(v));
    }
    out
}

/// Percent-encodes one component.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The decoded query parameters of a URL.
pub fn query_of(url: &str) -> Vec<(String, String)> {
    let q = url.split_once('?').map_or("", |(_, q)| q);
    url_pairs(q)
}

/// Decodes `a=b&c=d`.
pub fn url_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (dec(k), dec(v))
        })
        .collect()
}

fn dec(s: &str) -> String {
    let s = s.replace('+', " ");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() + 1 {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..(i + 3).min(s.len())], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).expect("utf-8")
}

/// The value of `name` in a URL's query.
pub fn param(url: &str, name: &str) -> Option<String> {
    query_of(url)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Registers a client directly with the service.
pub async fn client(app: &TestApp, kind: ClientKind, redirect_uris: &[&str]) -> CreatedClient {
    app.auth
        .create_client(NewClient {
            name: format!("Test {kind} app"),
            kind,
            redirect_uris: redirect_uris.iter().map(|s| (*s).to_owned()).collect(),
            public: false,
        })
        .await
        .expect("register client")
}

/// An authorization URL for `client`.
pub fn auth_url(client_id: &str, redirect_uri: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("response_type", "code"),
        ("scope", BOOKS_SCOPE),
    ];
    pairs.extend_from_slice(extra);
    format!("/o/oauth2/v2/auth?{}", encode(&pairs))
}

/// POSTs a form to the token endpoint (client_secret_post when `secret` is given in pairs).
pub async fn token_request(app: &TestApp, pairs: &[(&str, &str)]) -> Reply {
    app.request(
        "POST",
        "/token",
        &[("content-type", "application/x-www-form-urlencoded")],
        Bytes::from(encode(pairs)),
    )
    .await
}

/// Asserts an RFC 6749 error body; returns it.
pub fn assert_oauth_error(reply: &Reply, status: u16, error: &str) -> serde_json::Value {
    assert_eq!(reply.status, status, "{}", reply.text());
    let v = reply.json();
    assert_eq!(v["error"], error, "{v}");
    assert!(v["error_description"].is_string(), "{v}");
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.header("pragma"), Some("no-cache"));
    v
}

/// A user signed up through the pages, with a browser signed in as them.
pub async fn signed_in<'a>(app: &'a TestApp, email: &str) -> WebBrowser<'a> {
    let mut b = WebBrowser::new(app);
    b.sign_up(email).await;
    b
}

/// Runs the code flow for `client` (web, with its first redirect URI) as the browser's user;
/// returns the code.
pub async fn code_for(
    browser: &mut WebBrowser<'_>,
    client_id: &str,
    redirect_uri: &str,
    extra: &[(&str, &str)],
) -> String {
    let location = browser
        .authorize(&auth_url(client_id, redirect_uri, extra))
        .await;
    param(&location, "code").unwrap_or_else(|| panic!("no code in {location}"))
}

/// Exchanges a code with client_secret_post.
pub async fn exchange(
    app: &TestApp,
    c: &CreatedClient,
    code: &str,
    redirect_uri: &str,
    extra: &[(&str, &str)],
) -> Reply {
    let secret = c.secret.clone().unwrap_or_default();
    let mut pairs = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", c.client.id.as_str()),
    ];
    if !secret.is_empty() {
        pairs.push(("client_secret", secret.as_str()));
    }
    pairs.extend_from_slice(extra);
    token_request(app, &pairs).await
}

/// A Books API call needing the user, with a bearer token.
pub async fn my_shelves(app: &TestApp, token: &str) -> Reply {
    let auth = format!("Bearer {token}");
    app.get(
        "/books/v1/mylibrary/bookshelves",
        &[("authorization", &auth)],
    )
    .await
}

/// The `oauth2` crate's HTTP client: a function from its request to its response, over hyper.
pub async fn oauth2_http(
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, std::io::Error> {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let (parts, body) = request.into_parts();
    let req = hyper::Request::from_parts(parts, Full::new(Bytes::from(body)));
    let resp = client.request(req).await.map_err(std::io::Error::other)?;
    let (parts, body) = resp.into_parts();
    let bytes = body
        .collect()
        .await
        .map_err(std::io::Error::other)?
        .to_bytes();
    Ok(oauth2::HttpResponse::from_parts(parts, bytes.to_vec()))
}
