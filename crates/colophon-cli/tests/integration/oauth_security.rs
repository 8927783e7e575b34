//! The security requirements of `oauth-behavior.md` §13, each proven against the real server
//! with redirects not followed (SEC-nn in the test names).

use colophon_auth::clients::NewClient;
use colophon_auth::{ClientKind, BOOKS_SCOPE};

use crate::oauth_support::*;
use crate::support::TestApp;

const WEB_CB: &str = "https://app.example/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn assert_error_page(reply: &crate::support::Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert!(
        reply.header("location").is_none(),
        "an error page never redirects"
    );
    assert!(reply.text().contains(code), "{}", reply.text());
    assert_eq!(reply.header("x-frame-options"), Some("DENY"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec01_02_03_redirect_uris_match_exactly_and_nothing_redirects_elsewhere() {
    let app = TestApp::spawn(Default::default()).await;
    let web = client(&app, ClientKind::Web, &[WEB_CB, "http://127.0.0.1:5000/cb"]).await;
    let desktop = client(&app, ClientKind::Installed, &[]).await;
    let mut b = signed_in(&app, "sec@example.org").await;
    for bad in [
        "https://app.example/cb/",
        "https://app.example/CB",
        "HTTPS://app.example/cb",
        "https://app.example/cb?x=1",
        "https://app.example:8443/cb",
        "https://app.example/cb/../cb",
        "https://app.example/cb/%2e%2e/",
        "https://app.example/cb%2F..",
        "https://app.example@evil/cb",
        "https://app.example/cb#f",
        "http://app.example/cb",
        "http://127.0.0.1:5001/cb",
        "javascript:alert(1)",
    ] {
        let reply = b.get(&auth_url(&web.client.id, bad, &[])).await;
        assert_error_page(&reply, 400, "redirect_uri_mismatch");
    }
    // SEC-24: the offending value is shown escaped.
    let reply = b
        .get(&auth_url(&web.client.id, "javascript:alert(\"<x>\")", &[]))
        .await;
    assert!(reply
        .text()
        .contains("javascript:alert(&quot;&lt;x&gt;&quot;)"));
    assert!(!reply.text().contains("<x>"));
    // SEC-02: an unknown client with an attacker's URI: a 401 page, no redirect.
    let reply = b
        .get(&auth_url(
            "nobody.apps.colophon",
            "https://evil.example/",
            &[],
        ))
        .await;
    assert_error_page(&reply, 401, "invalid_client");
    // Missing redirect_uri, OOB.
    let reply = b
        .get(&format!(
            "/o/oauth2/v2/auth?client_id={}&response_type=code&scope={}",
            enc(&web.client.id),
            enc(BOOKS_SCOPE)
        ))
        .await;
    assert_error_page(&reply, 400, "invalid_request");
    let reply = b
        .get(&auth_url(
            &desktop.client.id,
            "urn:ietf:wg:oauth:2.0:oob",
            &[],
        ))
        .await;
    assert_error_page(&reply, 400, "invalid_request");
    // SEC-03: desktop clients take any loopback port, and only loopback.
    for good in [
        "http://127.0.0.1:1",
        "http://127.0.0.1:65535/any/path",
        "http://[::1]:5000/",
        "http://localhost:8080/",
        "http://localhost:8080",
    ] {
        let location = b.authorize(&auth_url(&desktop.client.id, good, &[])).await;
        assert!(location.starts_with(good), "{good} → {location}");
        assert!(param(&location, "code").is_some());
    }
    for bad in [
        "http://localhost.evil.example/",
        "http://127.0.0.1.nip.io/",
        "http://localhosts/",
        "https://127.0.0.1/",
    ] {
        let reply = b.get(&auth_url(&desktop.client.id, bad, &[])).await;
        assert_error_page(&reply, 400, "redirect_uri_mismatch");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec04_a_code_is_single_use_and_a_replay_revokes_what_it_issued() {
    let app = TestApp::spawn(Default::default()).await;
    let web = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let mut b = signed_in(&app, "replay@example.org").await;
    let code = code_for(
        &mut b,
        &web.client.id,
        WEB_CB,
        &[("access_type", "offline")],
    )
    .await;
    let first = exchange(&app, &web, &code, WEB_CB, &[]).await;
    assert_eq!(first.status, 200, "{}", first.text());
    let tokens = first.json();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(my_shelves(&app, &access).await.status, 200);
    let replay = exchange(&app, &web, &code, WEB_CB, &[]).await;
    assert_oauth_error(&replay, 400, "invalid_grant");
    assert_eq!(my_shelves(&app, &access).await.status, 401);
    let r = token_request(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &web.client.id),
            ("client_secret", web.secret.as_deref().unwrap()),
        ],
    )
    .await;
    assert_oauth_error(&r, 400, "invalid_grant");

    // Eight concurrent exchanges of one code: exactly one succeeds.
    let code = code_for(&mut b, &web.client.id, WEB_CB, &[]).await;
    let results =
        futures::future::join_all((0..8).map(|_| exchange(&app, &web, &code, WEB_CB, &[]))).await;
    assert_eq!(results.iter().filter(|r| r.status == 200).count(), 1);
    assert!(results.iter().all(|r| r.status == 200 || r.status == 400));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec05_a_code_is_bound_to_client_redirect_and_time() {
    let app = TestApp::spawn(Default::default()).await;
    let a = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let other = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let mut b = signed_in(&app, "bound@example.org").await;
    let code = code_for(&mut b, &a.client.id, WEB_CB, &[]).await;
    assert_oauth_error(
        &exchange(&app, &other, &code, WEB_CB, &[]).await,
        400,
        "invalid_grant",
    );
    let code = code_for(&mut b, &a.client.id, WEB_CB, &[]).await;
    assert_oauth_error(
        &exchange(&app, &a, &code, "https://app.example/other", &[]).await,
        400,
        "redirect_uri_mismatch",
    );
    let code = code_for(&mut b, &a.client.id, WEB_CB, &[]).await;
    app.clock.advance(chrono::Duration::seconds(301));
    assert_oauth_error(
        &exchange(&app, &a, &code, WEB_CB, &[]).await,
        400,
        "invalid_grant",
    );
    let code = code_for(&mut b, &a.client.id, WEB_CB, &[]).await;
    app.clock.advance(chrono::Duration::seconds(299));
    assert_eq!(exchange(&app, &a, &code, WEB_CB, &[]).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec06_07_08_pkce_is_verified_and_cannot_be_downgraded() {
    let app = TestApp::spawn(Default::default()).await;
    let web = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let mut b = signed_in(&app, "pkce@example.org").await;
    let s256 = [
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    // RFC 7636 Appendix B.
    let code = code_for(&mut b, &web.client.id, WEB_CB, &s256).await;
    let ok = exchange(&app, &web, &code, WEB_CB, &[("code_verifier", VERIFIER)]).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    let cases: [(&str, Option<&str>, &str); 6] = [
        (
            "wrong",
            Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx"),
            "Invalid code verifier.",
        ),
        ("missing", None, "Missing code verifier."),
        ("42 chars", Some(&VERIFIER[..42]), "Invalid code verifier."),
        (
            "129 chars",
            Some(&"a".repeat(129)),
            "Invalid code verifier.",
        ),
        (
            "plus",
            Some("dBjftJeZ4CVP+mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "Invalid code verifier.",
        ),
        // SEC-07: the challenge itself is not the verifier.
        (
            "challenge as verifier",
            Some(CHALLENGE),
            "Invalid code verifier.",
        ),
    ];
    for (what, verifier, description) in cases {
        let code = code_for(&mut b, &web.client.id, WEB_CB, &s256).await;
        let extra: Vec<(&str, &str)> = verifier.map(|v| ("code_verifier", v)).into_iter().collect();
        let r = exchange(&app, &web, &code, WEB_CB, &extra).await;
        let v = assert_oauth_error(&r, 400, "invalid_grant");
        assert_eq!(v["error_description"], description, "{what}");
    }
    // SEC-07: no challenge at authorization, a verifier at the token endpoint.
    let code = code_for(&mut b, &web.client.id, WEB_CB, &[]).await;
    let r = exchange(&app, &web, &code, WEB_CB, &[("code_verifier", VERIFIER)]).await;
    let v = assert_oauth_error(&r, 400, "invalid_grant");
    assert_eq!(
        v["error_description"],
        "code_verifier or verifier is not needed."
    );
    // A plain challenge (Google's default method).
    let code = code_for(
        &mut b,
        &web.client.id,
        WEB_CB,
        &[("code_challenge", VERIFIER)],
    )
    .await;
    assert_eq!(
        exchange(&app, &web, &code, WEB_CB, &[("code_verifier", VERIFIER)])
            .await
            .status,
        200
    );
    // A malformed challenge or method → redirect with invalid_request.
    for extra in [
        [
            ("code_challenge", "short"),
            ("code_challenge_method", "S256"),
        ],
        [
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S512"),
        ],
    ] {
        let reply = b.get(&auth_url(&web.client.id, WEB_CB, &extra)).await;
        assert_eq!(reply.status, 302);
        let loc = reply.header("location").unwrap();
        assert!(loc.starts_with(WEB_CB));
        assert_eq!(param(loc, "error").as_deref(), Some("invalid_request"));
    }
    // SEC-08: a public client must send a challenge.
    let public = app
        .auth
        .create_client(NewClient {
            name: "Public app".into(),
            kind: ClientKind::Installed,
            redirect_uris: vec![],
            public: true,
        })
        .await
        .unwrap();
    let reply = b
        .get(&auth_url(&public.client.id, "http://127.0.0.1:9000/", &[]))
        .await;
    assert_eq!(reply.status, 302);
    assert_eq!(
        param(reply.header("location").unwrap(), "error").as_deref(),
        Some("invalid_request")
    );
    let code = code_for(&mut b, &public.client.id, "http://127.0.0.1:9000/", &s256).await;
    let r = exchange(
        &app,
        &public,
        &code,
        "http://127.0.0.1:9000/",
        &[("code_verifier", VERIFIER)],
    )
    .await;
    assert_eq!(
        r.status,
        200,
        "a public client needs no secret: {}",
        r.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec09_the_consent_form_resists_csrf() {
    let app = TestApp::spawn(Default::default()).await;
    let web = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let other_client = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let mut alice = signed_in(&app, "alice@example.org").await;
    let mut mallory = signed_in(&app, "mallory@example.org").await;
    let page = alice.get(&auth_url(&web.client.id, WEB_CB, &[])).await;
    assert_eq!(page.status, 200);
    let rid = hidden(&page.text(), "request_id").unwrap();
    let csrf = hidden(&page.text(), "csrf").unwrap();
    let forbidden = |r: &crate::support::Reply| {
        assert_eq!(r.status, 403, "{}", r.text());
        assert!(r.header("location").is_none());
    };
    // Without the token, with another session's token, from another origin.
    forbidden(
        &alice
            .post(
                "/o/oauth2/approval",
                &[("request_id", &rid), ("decision", "allow")],
            )
            .await,
    );
    let m_page = mallory
        .get(&auth_url(&other_client.client.id, WEB_CB, &[]))
        .await;
    let m_rid = hidden(&m_page.text(), "request_id").unwrap();
    let m_csrf = hidden(&m_page.text(), "csrf").unwrap();
    forbidden(
        &alice
            .post(
                "/o/oauth2/approval",
                &[
                    ("request_id", &rid),
                    ("csrf", &m_csrf),
                    ("decision", "allow"),
                ],
            )
            .await,
    );
    forbidden(
        &alice
            .post_with(
                "/o/oauth2/approval",
                &[("request_id", &rid), ("csrf", &csrf), ("decision", "allow")],
                &[("origin", "https://evil.example")],
            )
            .await,
    );
    // Swapping in another browser's pending request: refused, and it stays usable by its owner.
    forbidden(
        &alice
            .post(
                "/o/oauth2/approval",
                &[
                    ("request_id", &m_rid),
                    ("csrf", &csrf),
                    ("decision", "allow"),
                ],
            )
            .await,
    );
    // GET on the approval URL changes nothing.
    let get = alice.get("/o/oauth2/approval").await;
    assert_eq!(get.status, 405);
    assert_eq!(get.header("allow"), Some("POST"));
    // The real answer works once; a second Allow gets no second code.
    let ok = alice
        .post(
            "/o/oauth2/approval",
            &[("request_id", &rid), ("csrf", &csrf), ("decision", "allow")],
        )
        .await;
    assert_eq!(ok.status, 302);
    assert!(param(ok.header("location").unwrap(), "code").is_some());
    forbidden(
        &alice
            .post(
                "/o/oauth2/approval",
                &[("request_id", &rid), ("csrf", &csrf), ("decision", "allow")],
            )
            .await,
    );
    // Mallory's own request still works for Mallory; Deny sends access_denied.
    let denied = mallory
        .post(
            "/o/oauth2/approval",
            &[
                ("request_id", &m_rid),
                ("csrf", &m_csrf),
                ("decision", "deny"),
            ],
        )
        .await;
    assert_eq!(denied.status, 302);
    assert_eq!(
        param(denied.header("location").unwrap(), "error").as_deref(),
        Some("access_denied")
    );
    // Approval re-checks the request: a client deleted meanwhile gets nothing.
    let doomed = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let page = alice.get(&auth_url(&doomed.client.id, WEB_CB, &[])).await;
    assert_eq!(page.status, 200);
    assert!(app.auth.delete_client(&doomed.client.id).await.unwrap());
    let html = page.text();
    forbidden(
        &alice
            .post(
                "/o/oauth2/approval",
                &[
                    ("request_id", &hidden(&html, "request_id").unwrap()),
                    ("csrf", &hidden(&html, "csrf").unwrap()),
                    ("decision", "allow"),
                ],
            )
            .await,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec10_22_27_sign_in_rotates_the_session_and_does_not_enumerate_accounts() {
    let app = TestApp::spawn(Default::default()).await;
    let mut setup = WebBrowser::new(&app);
    setup.sign_up("known@example.org").await;

    let mut b = WebBrowser::new(&app);
    let page = b.get("/signin").await;
    let before = b.cookie.clone().expect("a cookie before sign-in");
    let csrf = hidden(&page.text(), "csrf").unwrap();
    // No CSRF token → 403.
    let r = b
        .post(
            "/signin",
            &[("email", "known@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 403);
    // SEC-27: unknown user and wrong password look the same.
    let unknown = b
        .post(
            "/signin",
            &[
                ("csrf", &csrf),
                ("email", "nobody@example.org"),
                ("password", "whatever-123"),
            ],
        )
        .await;
    let wrong = b
        .post(
            "/signin",
            &[
                ("csrf", &csrf),
                ("email", "known@example.org"),
                ("password", "whatever-123"),
            ],
        )
        .await;
    assert_eq!(unknown.status, wrong.status);
    assert_eq!(unknown.body, wrong.body);
    let ok = b
        .post(
            "/signin",
            &[
                ("csrf", &csrf),
                ("email", "known@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    let after = b.cookie.clone().unwrap();
    assert_ne!(before, after, "the cookie changes at sign-in");
    assert_eq!(b.get("/account").await.status, 200);
    // The pre-sign-in cookie is useless.
    let mut planted = WebBrowser::new(&app);
    planted.cookie = Some(before);
    let r = planted.get("/account").await;
    assert_eq!(r.status, 302, "not signed in");
    // SEC-22: every cookie is HttpOnly and SameSite (Secure is relaxed on plain-HTTP loopback).
    for c in b.set_cookies.iter().chain(setup.set_cookies.iter()) {
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax"), "{c}");
    }
    // Sign-out ends the session.
    let page = b.get("/account").await;
    let signout_csrf = {
        let html = page.text();
        let i = html.find("action=\"/signout\"").unwrap();
        hidden(&html[i..], "csrf").unwrap()
    };
    let out = b.post("/signout", &[("csrf", &signout_csrf)]).await;
    assert_eq!(out.status, 303);
    let mut old = WebBrowser::new(&app);
    old.cookie = Some(after);
    assert_eq!(old.get("/account").await.status, 302);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec11_13_pages_cannot_be_framed_and_leak_nothing() {
    let app = TestApp::spawn(Default::default()).await;
    let web = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let mut b = signed_in(&app, "frame@example.org").await;
    let consent = b.get(&auth_url(&web.client.id, WEB_CB, &[])).await;
    assert_eq!(consent.status, 200);
    let pages = [
        consent,
        WebBrowser::new(&app).get("/signin").await,
        WebBrowser::new(&app).get("/signup").await,
        b.get("/account").await,
        b.get("/device").await,
        b.get(&auth_url("unknown", WEB_CB, &[])).await,
    ];
    for p in &pages {
        assert_eq!(p.header("x-frame-options"), Some("DENY"));
        let csp = p.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert_eq!(p.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(p.header("cache-control"), Some("no-store"));
        // No third-party resources.
        let html = p.text();
        assert!(
            !html.contains("src=\"http") && !html.contains("href=\"http"),
            "{html}"
        );
    }
    // The consent page's form may only post here and to the client's origin.
    let csp = pages[0].header("content-security-policy").unwrap();
    assert!(
        csp.contains("form-action 'self' https://app.example"),
        "{csp}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec12_14_no_secret_in_logs_or_at_rest() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let capture = Capture::default();
    let writer = capture.clone();
    // nextest runs each test in its own process: this subscriber sees only this test.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .try_init();

    let app = TestApp::spawn(Default::default()).await;
    let web = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let tv = client(&app, ClientKind::Tv, &[]).await;
    let mut b = signed_in(&app, "logs@example.org").await;
    let code = code_for(
        &mut b,
        &web.client.id,
        WEB_CB,
        &[("access_type", "offline")],
    )
    .await;
    let t = exchange(&app, &web, &code, WEB_CB, &[]).await.json();
    let access = t["access_token"].as_str().unwrap().to_owned();
    let refresh = t["refresh_token"].as_str().unwrap().to_owned();
    let _ = app
        .get(
            &format!(
                "/books/v1/mylibrary/bookshelves?access_token={}&key={}",
                enc(&access),
                app.key
            ),
            &[],
        )
        .await;
    let _ = app
        .get(
            &format!("/books/v1/volumes?q=x&oauth_token={}", enc(&access)),
            &[],
        )
        .await;
    let d = crate::oauth_flow::token_request_at(
        &app,
        "/device/code",
        &[
            ("client_id", &tv.client.id),
            ("client_secret", tv.secret.as_deref().unwrap()),
            ("scope", BOOKS_SCOPE),
        ],
    )
    .await
    .json();
    let device_code = d["device_code"].as_str().unwrap().to_owned();
    let user_code = d["user_code"].as_str().unwrap().to_owned();
    let _ = token_request(
        &app,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", &device_code),
            ("client_id", &tv.client.id),
            ("client_secret", tv.secret.as_deref().unwrap()),
        ],
    )
    .await;
    let _ = app
        .get(&format!("/tokeninfo?access_token={}", enc(&access)), &[])
        .await;
    let _ = app
        .get(&format!("/o/oauth2/revoke?token={}", enc(&refresh)), &[])
        .await;
    let secrets = [
        access.as_str(),
        refresh.as_str(),
        code.as_str(),
        device_code.as_str(),
        user_code.as_str(),
        web.secret.as_deref().unwrap(),
        tv.secret.as_deref().unwrap(),
        app.key.as_str(),
        PASSWORD,
    ];
    let logs = String::from_utf8_lossy(&capture.0.lock().unwrap()).into_owned();
    assert!(
        logs.contains("REDACTED"),
        "request URIs are logged, redacted"
    );
    for s in secrets {
        assert!(!logs.contains(s), "a secret reached the logs: {s}");
        assert!(
            !logs.contains(&enc(s)),
            "a secret reached the logs (encoded): {s}"
        );
    }
    // SEC-14: the raw database file holds none of them either.
    drop(b);
    let raw = std::fs::read(app._dir.path().join("colophon.sqlite3")).unwrap();
    let mut all = raw;
    for ext in ["-wal", "-shm"] {
        if let Ok(more) = std::fs::read(app._dir.path().join(format!("colophon.sqlite3{ext}"))) {
            all.extend(more);
        }
    }
    let text = String::from_utf8_lossy(&all);
    for s in secrets {
        assert!(!text.contains(s), "a secret is stored in clear: {s}");
    }
    assert!(!text.contains(&user_code.replace('-', "")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec17_18_refresh_tokens_are_bound_to_their_client_and_scope() {
    let app = TestApp::spawn(Default::default()).await;
    let a = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let other = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let mut b = signed_in(&app, "scope@example.org").await;
    let code = code_for(&mut b, &a.client.id, WEB_CB, &[("access_type", "offline")]).await;
    let refresh = exchange(&app, &a, &code, WEB_CB, &[]).await.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let with = |c: &colophon_auth::CreatedClient, scope: Option<&str>| {
        let mut pairs = vec![
            ("grant_type".to_owned(), "refresh_token".to_owned()),
            ("refresh_token".to_owned(), refresh.clone()),
            ("client_id".to_owned(), c.client.id.clone()),
            ("client_secret".to_owned(), c.secret.clone().unwrap()),
        ];
        if let Some(s) = scope {
            pairs.push(("scope".to_owned(), s.to_owned()));
        }
        pairs
    };
    let send = |pairs: Vec<(String, String)>| {
        let app = &app;
        async move {
            let refs: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            token_request(app, &refs).await
        }
    };
    // SEC-17: client B presenting A's refresh token fails, and A's still works.
    assert_oauth_error(&send(with(&other, None)).await, 400, "unauthorized_client");
    assert_eq!(send(with(&a, None)).await.status, 200);
    // SEC-18: a scope outside the grant is refused; the granted one is fine.
    for bad in [
        "https://www.googleapis.com/auth/books https://www.googleapis.com/auth/drive",
        "email",
    ] {
        assert_oauth_error(&send(with(&a, Some(bad))).await, 400, "invalid_scope");
    }
    let ok = send(with(&a, Some(BOOKS_SCOPE))).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["scope"], BOOKS_SCOPE);
    // Unknown scope at authorization → invalid_scope redirect.
    let reply = b
        .get(&format!(
            "/o/oauth2/v2/auth?client_id={}&redirect_uri={}&response_type=code&scope=email",
            enc(&a.client.id),
            enc(WEB_CB)
        ))
        .await;
    assert_eq!(reply.status, 302);
    assert_eq!(
        param(reply.header("location").unwrap(), "error").as_deref(),
        Some("invalid_scope")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec19_device_flow_abuse_is_contained() {
    let app = TestApp::spawn(Default::default()).await;
    let tv = client(&app, ClientKind::Tv, &[]).await;
    let secret = tv.secret.clone().unwrap();
    let start = || async {
        crate::oauth_flow::token_request_at(
            &app,
            "/device/code",
            &[("client_id", &tv.client.id), ("scope", BOOKS_SCOPE)],
        )
        .await
        .json()
    };
    let poll = |device_code: String, legacy: bool| {
        let app = &app;
        let id = tv.client.id.clone();
        let secret = secret.clone();
        async move {
            let (grant, param) = if legacy {
                ("http://oauth.net/grant_type/device/1.0", "code")
            } else {
                (
                    "urn:ietf:params:oauth:grant-type:device_code",
                    "device_code",
                )
            };
            token_request(
                app,
                &[
                    ("grant_type", grant),
                    (param, &device_code),
                    ("client_id", &id),
                    ("client_secret", &secret),
                ],
            )
            .await
        }
    };
    let d = start().await;
    assert!(d.get("verification_url").is_some() && d.get("verification_uri").is_none());
    let device_code = d["device_code"].as_str().unwrap().to_owned();
    let user_code = d["user_code"].as_str().unwrap().to_owned();
    assert_oauth_error(
        &poll(device_code.clone(), false).await,
        400,
        "authorization_pending",
    );
    // Faster than the interval → slow_down (and the interval grows by 5 s).
    assert_oauth_error(&poll(device_code.clone(), true).await, 400, "slow_down");
    // Each slow_down adds 5 s to the interval: 10 s now, then 15 s.
    app.clock.advance(chrono::Duration::seconds(6));
    assert_oauth_error(&poll(device_code.clone(), false).await, 400, "slow_down");
    app.clock.advance(chrono::Duration::seconds(16));
    assert_oauth_error(
        &poll(device_code.clone(), true).await,
        400,
        "authorization_pending",
    );

    // Wrong codes lock the browser after five tries; the right code with any case and dash.
    let mut b = signed_in(&app, "tv@example.org").await;
    let csrf = hidden(&b.get("/device").await.text(), "csrf").unwrap();
    for i in 0..4 {
        let r = b
            .post("/device", &[("csrf", &csrf), ("user_code", "BBBB-BBBB")])
            .await;
        assert_eq!(r.status, 400, "wrong code {i}");
    }
    let mut other = signed_in(&app, "tv2@example.org").await;
    let csrf2 = hidden(&other.get("/device").await.text(), "csrf").unwrap();
    let page = other
        .post(
            "/device",
            &[("csrf", &csrf2), ("user_code", &user_code.to_lowercase())],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let r = b
        .post("/device", &[("csrf", &csrf), ("user_code", "BBBB-BBBB")])
        .await;
    assert_eq!(r.status, 429, "the fifth wrong code locks");
    let r = b
        .post("/device", &[("csrf", &csrf), ("user_code", &user_code)])
        .await;
    assert_eq!(r.status, 429, "locked even for the right code");

    // Deny → access_denied.
    let html = page.text();
    let denied = other
        .post(
            "/device/approve",
            &[
                ("csrf", &hidden(&html, "csrf").unwrap()),
                ("device", &hidden(&html, "device").unwrap()),
                ("decision", "deny"),
            ],
        )
        .await;
    assert_eq!(denied.status, 200);
    app.clock.advance(chrono::Duration::seconds(30));
    assert_oauth_error(
        &poll(device_code.clone(), false).await,
        400,
        "access_denied",
    );

    // Approved: one successful poll, then invalid_grant.
    let d = start().await;
    let device_code = d["device_code"].as_str().unwrap().to_owned();
    let user_code = d["user_code"].as_str().unwrap().replace('-', "");
    let page = other
        .post("/device", &[("csrf", &csrf2), ("user_code", &user_code)])
        .await;
    let html = page.text();
    let ok = other
        .post(
            "/device/approve",
            &[
                ("csrf", &hidden(&html, "csrf").unwrap()),
                ("device", &hidden(&html, "device").unwrap()),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(poll(device_code.clone(), true).await.status, 200);
    app.clock.advance(chrono::Duration::seconds(30));
    assert_oauth_error(&poll(device_code, false).await, 400, "invalid_grant");

    // Expired.
    let d = start().await;
    let device_code = d["device_code"].as_str().unwrap().to_owned();
    app.clock.advance(chrono::Duration::seconds(1801));
    assert_oauth_error(&poll(device_code, false).await, 400, "expired_token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec20_21_client_authentication_and_bearer_handling() {
    let app = TestApp::spawn(Default::default()).await;
    let web = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let mut b = signed_in(&app, "bearer@example.org").await;
    let code = code_for(
        &mut b,
        &web.client.id,
        WEB_CB,
        &[("access_type", "offline")],
    )
    .await;
    let t = exchange(&app, &web, &code, WEB_CB, &[]).await.json();
    let access = t["access_token"].as_str().unwrap().to_owned();
    let refresh = t["refresh_token"].as_str().unwrap().to_owned();
    let realm = format!("Bearer realm=\"{}\"", app.base_url);

    // SEC-21 / §11.3 row 2: no token on a user-bound method → 401 without error=, even with
    // a key.
    for url in [
        "/books/v1/mylibrary/bookshelves".to_owned(),
        format!("/books/v1/mylibrary/bookshelves?key={}", app.key),
    ] {
        let r = app.get(&url, &[]).await;
        let v = r.assert_error(401, "required");
        assert_eq!(r.header("www-authenticate"), Some(realm.as_str()));
        assert_eq!(v["error"]["errors"][0]["message"], "Login Required.");
        assert_eq!(v["error"]["details"][0]["reason"], "CREDENTIALS_MISSING");
        assert_eq!(v["error"]["status"], "UNAUTHENTICATED");
    }
    // Row 3: unknown, refresh-as-bearer, expired, revoked → 401 invalid_token.
    let invalid = format!("{realm}, error=\"invalid_token\"");
    let check_invalid = |r: crate::support::Reply| {
        let v = r.assert_error(401, "authError");
        assert_eq!(r.header("www-authenticate"), Some(invalid.as_str()));
        assert_eq!(v["error"]["errors"][0]["message"], "Invalid Credentials");
        assert_eq!(v["error"]["errors"][0]["location"], "Authorization");
        assert!(!r.text().contains(&access) && !r.text().contains(&refresh));
    };
    check_invalid(my_shelves(&app, "cat.unknown-token").await);
    check_invalid(my_shelves(&app, &refresh).await);
    assert_eq!(my_shelves(&app, &access).await.status, 200);
    // A key beside a valid token must be valid too (§11.1).
    app.get(
        "/books/v1/mylibrary/bookshelves?key=AIzaWrong",
        &[("authorization", &format!("Bearer {access}"))],
    )
    .await
    .assert_error(400, "badRequest");
    app.clock.advance(chrono::Duration::seconds(3599));
    check_invalid(my_shelves(&app, &access).await);
    // A fresh token from the refresh token, then revoked at /revoke.
    let fresh = token_request(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &web.client.id),
            ("client_secret", web.secret.as_deref().unwrap()),
        ],
    )
    .await
    .json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(my_shelves(&app, &fresh).await.status, 200);
    let revoked =
        crate::oauth_flow::token_request_at(&app, &format!("/revoke?token={}", enc(&fresh)), &[])
            .await;
    assert_eq!(revoked.status, 200);
    assert_eq!(revoked.json(), serde_json::json!({}));
    check_invalid(my_shelves(&app, &fresh).await);
    // Revoking again: Google's 400 invalid_token.
    assert_oauth_error(
        &crate::oauth_flow::token_request_at(&app, "/revoke", &[("token", &fresh)]).await,
        400,
        "invalid_token",
    );
    // A public method with a bad token is 401 too; a good key does not rescue it.
    let r = app
        .get(
            &format!("/books/v1/volumes?q=x&key={}", app.key),
            &[("authorization", "Bearer nope")],
        )
        .await;
    check_invalid(r);

    // SEC-20: a deleted client authenticates nothing, and its tokens stop working.
    let code = code_for(&mut b, &web.client.id, WEB_CB, &[]).await;
    let live = exchange(&app, &web, &code, WEB_CB, &[]).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(my_shelves(&app, &live).await.status, 200);
    assert!(app.auth.delete_client(&web.client.id).await.unwrap());
    check_invalid(my_shelves(&app, &live).await);
    let r = token_request(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &web.client.id),
            ("client_secret", web.secret.as_deref().unwrap()),
        ],
    )
    .await;
    assert_oauth_error(&r, 401, "invalid_client");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec22_23_24_25_redirects_iss_state_and_limits() {
    let app = TestApp::spawn(Default::default()).await;
    let web = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let mut b = signed_in(&app, "limits@example.org").await;
    let issuer = app
        .get("/.well-known/oauth-authorization-server", &[])
        .await
        .json()["issuer"]
        .as_str()
        .unwrap()
        .to_owned();
    // SEC-24: a hostile state round-trips byte-exact, percent-encoded; so does a long random one.
    let long: String = (0..500)
        .map(|i| char::from(b"!#$%&'()*+,-./:;<=>?@[]^_`{|}~ aZ09"[i % 35]))
        .collect();
    for state in ["\"'><script>alert(1)</script>", long.as_str()] {
        let reply = b
            .get(&auth_url(&web.client.id, WEB_CB, &[("state", state)]))
            .await;
        let location = if reply.status == 200 {
            b.answer_consent(&reply, "allow").await
        } else {
            assert_eq!(reply.status, 302, "never 307");
            reply.header("location").unwrap().to_owned()
        };
        assert!(!location.contains("<script>"), "{location}");
        assert_eq!(param(&location, "state").as_deref(), Some(state));
        // SEC-23.
        assert_eq!(param(&location, "iss").as_deref(), Some(issuer.as_str()));
    }
    // SEC-25: duplicates, a long state, a JSON body, a 1 MiB body.
    let dup = format!(
        "{}&scope={}",
        auth_url(&web.client.id, WEB_CB, &[]),
        enc(BOOKS_SCOPE)
    );
    let reply = b.get(&dup).await;
    assert_eq!(reply.status, 302);
    assert_eq!(
        param(reply.header("location").unwrap(), "error").as_deref(),
        Some("invalid_request")
    );
    let big_state = "s".repeat(2049);
    let reply = b
        .get(&auth_url(&web.client.id, WEB_CB, &[("state", &big_state)]))
        .await;
    assert_eq!(
        param(reply.header("location").unwrap(), "error").as_deref(),
        Some("invalid_request")
    );
    let json = app
        .request(
            "POST",
            "/token",
            &[("content-type", "application/json")],
            bytes::Bytes::from(r#"{"grant_type":"authorization_code"}"#),
        )
        .await;
    assert_oauth_error(&json, 400, "invalid_request");
    let huge = app
        .request(
            "POST",
            "/token",
            &[("content-type", "application/x-www-form-urlencoded")],
            bytes::Bytes::from(vec![b'a'; 1024 * 1024 + 1]),
        )
        .await;
    assert_eq!(huge.status, 413);
    // response_type=token is refused; prompt=none without a session → login_required.
    let reply = b
        .get(
            &auth_url(&web.client.id, WEB_CB, &[])
                .replace("response_type=code", "response_type=token"),
        )
        .await;
    assert_eq!(
        param(reply.header("location").unwrap(), "error").as_deref(),
        Some("unsupported_response_type")
    );
    let reply = WebBrowser::new(&app)
        .get(&auth_url(&web.client.id, WEB_CB, &[("prompt", "none")]))
        .await;
    assert_eq!(
        param(reply.header("location").unwrap(), "error").as_deref(),
        Some("login_required")
    );
    let reply = b
        .get(&auth_url(
            &web.client.id,
            WEB_CB,
            &[("prompt", "none consent")],
        ))
        .await;
    assert_eq!(
        param(reply.header("location").unwrap(), "error").as_deref(),
        Some("invalid_request")
    );
    let other = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let reply = b
        .get(&auth_url(&other.client.id, WEB_CB, &[("prompt", "none")]))
        .await;
    assert_eq!(
        param(reply.header("location").unwrap(), "error").as_deref(),
        Some("consent_required")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec28_sign_in_is_throttled_and_recovers() {
    let app = TestApp::spawn(Default::default()).await;
    let mut setup = WebBrowser::new(&app);
    setup.sign_up("victim@example.org").await;
    let mut b = WebBrowser::new(&app);
    for i in 0..5 {
        let r = b.sign_in("victim@example.org", "wrong-password").await;
        assert_eq!(r.status, 200, "attempt {i}");
        assert!(r.text().contains("Wrong email or password"));
    }
    let r = b.sign_in("victim@example.org", PASSWORD).await;
    assert_eq!(r.status, 429, "locked, even with the right password");
    app.clock.advance(chrono::Duration::minutes(15));
    let r = b.sign_in("victim@example.org", PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.text());

    // The token endpoint: 50 guessed grants per client in 5 minutes, then 429 until the window
    // ends.
    let web = client(&app, ClientKind::Web, &[WEB_CB]).await;
    let secret = web.secret.clone().unwrap();
    let bad = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "1//guess"),
        ("client_id", web.client.id.as_str()),
        ("client_secret", secret.as_str()),
    ];
    for _ in 0..50 {
        assert_oauth_error(&token_request(&app, &bad).await, 400, "invalid_grant");
    }
    let locked = token_request(&app, &bad).await;
    assert_eq!(locked.status, 429, "{}", locked.text());
    app.clock.advance(chrono::Duration::minutes(5));
    assert_oauth_error(&token_request(&app, &bad).await, 400, "invalid_grant");
}
