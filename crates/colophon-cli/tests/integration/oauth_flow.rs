//! OAuth 2.0 flows end to end against the real server, driven by the `oauth2` crate (a client
//! library nobody here wrote): code + PKCE, refresh, the device flow; then the Books API
//! called with the tokens, token info, introspection, revocation, metadata, the account page,
//! and `colophon users|clients|tokens` from the command line.

use std::process::{Command, Stdio};
use std::time::Duration;

use colophon_auth::{ClientKind, BOOKS_SCOPE};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, DeviceAuthorizationUrl,
    PkceCodeChallenge, RedirectUrl, RefreshToken, Scope, StandardDeviceAuthorizationResponse,
    TokenResponse as _, TokenUrl,
};

use crate::oauth_support::*;
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_flow_with_pkce_refresh_and_books_api_via_the_oauth2_crate() {
    let app = TestApp::spawn(Default::default()).await;
    let redirect = "https://app.example/callback";
    let web = client(&app, ClientKind::Web, &[redirect]).await;
    let base = &app.base_url;
    let oauth = BasicClient::new(ClientId::new(web.client.id.clone()))
        .set_client_secret(ClientSecret::new(web.secret.clone().unwrap()))
        .set_auth_uri(AuthUrl::new(format!("{base}/o/oauth2/v2/auth")).unwrap())
        .set_token_uri(TokenUrl::new(format!("{base}/token")).unwrap())
        .set_redirect_uri(RedirectUrl::new(redirect.to_owned()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = oauth
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new(BOOKS_SCOPE.to_owned()))
        .add_extra_param("access_type", "offline")
        .set_pkce_challenge(challenge)
        .url();

    // Not signed in: the authorization endpoint sends the browser to the sign-in page, which
    // comes back to it.
    let mut browser = WebBrowser::new(&app);
    let first = browser.get(url.as_str()).await;
    assert_eq!(first.status, 302);
    let signin = first.header("location").unwrap().to_owned();
    assert!(signin.starts_with("/signin?continue="), "{signin}");
    let page = browser.get("/signup").await;
    let csrf = hidden(&page.text(), "csrf").unwrap();
    let cont = param(&signin, "continue").unwrap();
    let created = browser
        .post(
            "/signup",
            &[
                ("csrf", &csrf),
                ("continue", &cont),
                ("email", "reader@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text());
    assert_eq!(created.header("location"), Some(cont.as_str()));
    let consent = browser.get(&cont).await;
    assert_eq!(consent.status, 200);
    let html = consent.text();
    assert!(
        html.contains("Test web app"),
        "the consent page names the app"
    );
    assert!(html.contains("Manage your books"), "and what it asks for");
    assert!(html.contains("reader@example.org"), "and the account");
    let location = browser.answer_consent(&consent, "allow").await;
    assert!(location.starts_with(redirect), "{location}");
    assert_eq!(
        param(&location, "state").as_deref(),
        Some(state.secret().as_str())
    );
    assert_eq!(param(&location, "iss").as_deref(), Some(base.as_str()));
    assert_eq!(param(&location, "scope").as_deref(), Some(BOOKS_SCOPE));
    let code = param(&location, "code").unwrap();

    let token = oauth
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&oauth2_http)
        .await
        .expect("the oauth2 crate exchanges the code");
    assert_eq!(token.expires_in(), Some(Duration::from_secs(3599)));
    let refresh = token.refresh_token().expect("offline access").clone();
    assert_eq!(
        token.scopes().map(|s| s[0].to_string()),
        Some(BOOKS_SCOPE.to_owned())
    );

    // The Books API knows the user: their shelves, whose selfLink carries their id.
    let shelves = my_shelves(&app, token.access_token().secret()).await;
    assert_eq!(shelves.status, 200, "{}", shelves.text());
    let body = shelves.json();
    assert_eq!(body["kind"], "books#bookshelves");
    let account = app
        .auth
        .find_account_by_email("reader@example.org")
        .await
        .unwrap()
        .unwrap();
    assert!(body["items"][0]["selfLink"]
        .as_str()
        .unwrap()
        .contains(&format!("/users/{}/bookshelves/0", account.id)));
    assert_eq!(account.id.len(), 21);
    assert!(account.id.bytes().all(|b| b.is_ascii_digit()));
    // Also as access_token= and oauth_token=, and with a key beside it.
    for q in ["access_token", "oauth_token"] {
        let r = app
            .get(
                &format!(
                    "/books/v1/mylibrary/bookshelves?{q}={}&key={}",
                    enc(token.access_token().secret()),
                    app.key
                ),
                &[],
            )
            .await;
        assert_eq!(r.status, 200, "{q}: {}", r.text());
    }
    // A public method accepts the token instead of a key.
    let r = app
        .get(
            "/books/v1/volumes?q=anything",
            &[(
                "authorization",
                &format!("Bearer {}", token.access_token().secret()),
            )],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // Refresh: a web client keeps its refresh token (no rotation), and it keeps working.
    let refreshed = oauth
        .exchange_refresh_token(&refresh)
        .request_async(&oauth2_http)
        .await
        .expect("refresh");
    assert!(
        refreshed.refresh_token().is_none(),
        "web clients do not rotate"
    );
    assert_ne!(
        refreshed.access_token().secret(),
        token.access_token().secret()
    );
    assert_eq!(
        my_shelves(&app, refreshed.access_token().secret())
            .await
            .status,
        200
    );
    let again = oauth
        .exchange_refresh_token(&refresh)
        .request_async(&oauth2_http)
        .await
        .expect("the same refresh token again");
    assert_eq!(
        my_shelves(&app, again.access_token().secret()).await.status,
        200
    );

    // Consent is remembered: a second authorization goes straight back with a code, and no
    // new refresh token is issued while one is live.
    let location = browser
        .authorize(&auth_url(
            &web.client.id,
            redirect,
            &[("access_type", "offline")],
        ))
        .await;
    let code = param(&location, "code").expect("no consent page the second time");
    let second = exchange(&app, &web, &code, redirect, &[]).await;
    assert_eq!(second.status, 200, "{}", second.text());
    assert!(second.json().get("refresh_token").is_none());

    // Token info and introspection describe the token.
    let info = app
        .get(
            &format!(
                "/tokeninfo?access_token={}",
                enc(token.access_token().secret())
            ),
            &[],
        )
        .await;
    assert_eq!(info.status, 200);
    let v = info.json();
    assert_eq!(v["aud"], web.client.id.as_str());
    assert_eq!(v["azp"], web.client.id.as_str());
    assert_eq!(v["sub"], account.id.as_str());
    assert_eq!(v["scope"], BOOKS_SCOPE);
    assert_eq!(v["access_type"], "offline");
    assert_eq!(v["expires_in"], 3599);
    assert_eq!(info.header("cache-control"), Some("no-store"));
    let v1 = app
        .get(
            "/oauth2/v1/tokeninfo",
            &[(
                "authorization",
                &format!("Bearer {}", token.access_token().secret()),
            )],
        )
        .await
        .json();
    assert_eq!(v1["issued_to"], web.client.id.as_str());
    assert_eq!(v1["user_id"], account.id.as_str());
    let introspected = token_request_at(
        &app,
        "/introspect",
        &[
            ("token", refresh.secret()),
            ("client_id", &web.client.id),
            ("client_secret", web.secret.as_deref().unwrap()),
        ],
    )
    .await
    .json();
    assert_eq!(introspected["active"], true);
    assert_eq!(introspected["token_type"], "refresh_token");
    assert_eq!(introspected["username"], "reader@example.org");

    // The account page lists the application; its Remove button revokes everything.
    let page = browser.get("/account").await;
    assert!(page.text().contains("Test web app"), "{}", page.text());
    let csrf = hidden(&page.text(), "csrf").unwrap();
    let removed = browser
        .post(
            "/account/revoke",
            &[("csrf", &csrf), ("client_id", &web.client.id)],
        )
        .await;
    assert_eq!(removed.status, 200);
    assert!(!removed.text().contains("Test web app"));
    assert_eq!(
        my_shelves(&app, token.access_token().secret()).await.status,
        401
    );
    assert_eq!(
        my_shelves(&app, again.access_token().secret()).await.status,
        401
    );
    let dead = oauth
        .exchange_refresh_token(&refresh)
        .request_async(&oauth2_http)
        .await;
    assert!(dead.is_err(), "the refresh token died with the grant");
    let introspected = token_request_at(
        &app,
        "/introspect",
        &[
            ("token", refresh.secret()),
            ("client_id", &web.client.id),
            ("client_secret", web.secret.as_deref().unwrap()),
        ],
    )
    .await
    .json();
    assert_eq!(introspected, serde_json::json!({"active": false}));
}

/// POSTs a form to any path.
pub async fn token_request_at(
    app: &TestApp,
    path: &str,
    pairs: &[(&str, &str)],
) -> crate::support::Reply {
    app.request(
        "POST",
        path,
        &[("content-type", "application/x-www-form-urlencoded")],
        bytes::Bytes::from(encode(pairs)),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn installed_client_on_any_loopback_port_with_rotating_refresh_tokens() {
    let app = TestApp::spawn(Default::default()).await;
    let desktop = client(&app, ClientKind::Installed, &[]).await;
    let mut browser = signed_in(&app, "desk@example.org").await;
    let base = &app.base_url;
    for redirect in ["http://localhost:43917/", "http://127.0.0.1:8123"] {
        let oauth = BasicClient::new(ClientId::new(desktop.client.id.clone()))
            .set_client_secret(ClientSecret::new(desktop.secret.clone().unwrap()))
            .set_auth_uri(AuthUrl::new(format!("{base}/o/oauth2/auth")).unwrap())
            .set_token_uri(TokenUrl::new(format!("{base}/o/oauth2/token")).unwrap())
            .set_redirect_uri(RedirectUrl::new(redirect.to_owned()).unwrap());
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, _) = oauth
            .authorize_url(CsrfToken::new_random)
            .add_scope(Scope::new(BOOKS_SCOPE.to_owned()))
            .add_extra_param("access_type", "offline")
            .add_extra_param("prompt", "consent")
            .set_pkce_challenge(challenge)
            .url();
        let location = browser.authorize(url.as_str()).await;
        assert!(location.starts_with(redirect), "{location}");
        let code = param(&location, "code").unwrap();
        let t1 = oauth
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .request_async(&oauth2_http)
            .await
            .expect("exchange");
        let rt1 = t1.refresh_token().unwrap().clone();
        let t2 = oauth
            .exchange_refresh_token(&rt1)
            .request_async(&oauth2_http)
            .await
            .expect("refresh");
        let rt2 = t2.refresh_token().expect("rotated").clone();
        assert_ne!(rt1.secret(), rt2.secret());
        assert_eq!(
            my_shelves(&app, t2.access_token().secret()).await.status,
            200
        );
        // SEC-16: the rotated-out token again → invalid_grant, and the whole grant dies.
        let reused = token_request(
            &app,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", rt1.secret()),
                ("client_id", &desktop.client.id),
                ("client_secret", desktop.secret.as_deref().unwrap()),
            ],
        )
        .await;
        assert_oauth_error(&reused, 400, "invalid_grant");
        let after = oauth
            .exchange_refresh_token(&RefreshToken::new(rt2.secret().clone()))
            .request_async(&oauth2_http)
            .await;
        assert!(after.is_err(), "RT2 was revoked with the grant");
        assert_eq!(
            my_shelves(&app, t1.access_token().secret()).await.status,
            401
        );
        assert_eq!(
            my_shelves(&app, t2.access_token().secret()).await.status,
            401
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_flow_via_the_oauth2_crate_in_both_dialects() {
    let app = TestApp::spawn(Default::default()).await;
    let tv = client(&app, ClientKind::Tv, &[]).await;
    let mut browser = signed_in(&app, "couch@example.org").await;
    let base = &app.base_url;
    for path in ["/oauth2/device_authorization", "/device/code"] {
        let oauth = BasicClient::new(ClientId::new(tv.client.id.clone()))
            .set_client_secret(ClientSecret::new(tv.secret.clone().unwrap()))
            .set_device_authorization_url(
                DeviceAuthorizationUrl::new(format!("{base}{path}")).unwrap(),
            )
            .set_token_uri(TokenUrl::new(format!("{base}/token")).unwrap());
        let details: StandardDeviceAuthorizationResponse = oauth
            .exchange_device_code()
            .add_scope(Scope::new(BOOKS_SCOPE.to_owned()))
            .request_async(&oauth2_http)
            .await
            .expect("device authorization");
        assert_eq!(
            details.verification_uri().as_str(),
            format!("{base}/device")
        );
        assert_eq!(details.interval(), Duration::from_secs(5));
        assert_eq!(details.expires_in(), Duration::from_secs(1800));
        let user_code = details.user_code().secret().clone();
        assert_eq!(user_code.len(), 9);
        assert_eq!(&user_code[4..5], "-");

        // The user types the code in lower case without the dash, and allows.
        let page = browser.get("/device").await;
        let csrf = hidden(&page.text(), "csrf").unwrap();
        let typed = user_code.replace('-', "").to_lowercase();
        let consent = browser
            .post("/device", &[("csrf", &csrf), ("user_code", &typed)])
            .await;
        assert_eq!(consent.status, 200, "{}", consent.text());
        assert!(consent.text().contains("Test tv app"));
        let html = consent.text();
        let done = browser
            .post(
                "/device/approve",
                &[
                    ("csrf", &hidden(&html, "csrf").unwrap()),
                    ("device", &hidden(&html, "device").unwrap()),
                    ("decision", "allow"),
                ],
            )
            .await;
        assert_eq!(done.status, 200, "{}", done.text());

        // The crate polls; its sleeps move the server's clock instead of waiting.
        let clock = app.clock.clone();
        let token = oauth
            .exchange_device_access_token(&details)
            .request_async(
                &oauth2_http,
                move |d| {
                    clock.advance(chrono::Duration::from_std(d).unwrap());
                    std::future::ready(())
                },
                Some(Duration::from_secs(60)),
            )
            .await
            .expect("device token");
        assert!(token.refresh_token().is_some(), "device grants are offline");
        assert_eq!(
            my_shelves(&app, token.access_token().secret()).await.status,
            200
        );
    }
}

fn colophon(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_colophon"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run colophon");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("colophon output");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_clients_and_tokens_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, out, err) = colophon(
        &[
            "users",
            "create",
            "--data-dir",
            d,
            "--email",
            "Op@Example.org",
            "--password-stdin",
        ],
        Some("a long enough password\n"),
    );
    assert!(ok, "{out}{err}");
    let user_id = out.lines().last().unwrap().to_owned();
    assert_eq!(user_id.len(), 21, "{out}");
    let (ok, _, err) = colophon(
        &[
            "users",
            "create",
            "--data-dir",
            d,
            "--email",
            "op@example.org",
            "--password-stdin",
        ],
        Some("another long password\n"),
    );
    assert!(!ok && err.contains("already exists"), "{err}");
    let (ok, _, err) = colophon(
        &[
            "users",
            "create",
            "--data-dir",
            d,
            "--email",
            "x@example.org",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!ok && err.contains("at least 8"), "{err}");
    let (ok, out, _) = colophon(&["users", "list", "--data-dir", d], None);
    assert!(
        ok && out.contains("op@example.org") && out.contains(&user_id),
        "{out}"
    );

    let (ok, out, err) = colophon(
        &[
            "clients",
            "create",
            "--data-dir",
            d,
            "--name",
            "Shelf sync",
            "--type",
            "web",
            "--redirect-uri",
            "https://sync.example/cb",
        ],
        None,
    );
    assert!(ok, "{out}{err}");
    let client_id = out
        .lines()
        .find_map(|l| l.strip_prefix("client_id: "))
        .unwrap()
        .to_owned();
    let secret = out.lines().last().unwrap().to_owned();
    assert!(secret.starts_with("CLPH-") && secret.len() >= 40, "{out}");
    let (ok, _, err) = colophon(
        &[
            "clients",
            "create",
            "--data-dir",
            d,
            "--name",
            "Bad",
            "--type",
            "web",
            "--redirect-uri",
            "http://evil.example/cb",
        ],
        None,
    );
    assert!(!ok && err.contains("https"), "{err}");
    let (ok, out, _) = colophon(&["clients", "list", "--data-dir", d], None);
    assert!(
        ok && out.contains(&client_id) && !out.contains(&secret),
        "{out}"
    );

    let (ok, out, err) = colophon(
        &[
            "tokens",
            "issue",
            "--data-dir",
            d,
            "--user",
            "op@example.org",
            "--client",
            &client_id,
        ],
        None,
    );
    assert!(ok, "{out}{err}");
    let token = out.lines().last().unwrap().to_owned();
    assert!(!err.contains(&token), "the token is not logged");
    let (ok, _, err) = colophon(
        &[
            "tokens",
            "issue",
            "--data-dir",
            d,
            "--user",
            "nobody@example.org",
            "--client",
            &client_id,
        ],
        None,
    );
    assert!(!ok && err.contains("no user"), "{err}");

    // The token works against a server over the same data, and is revocable like any other.
    let settings = crate::support::settings_for(dir.path());
    let backend = colophon_cli::app::open_backend(&settings).await.unwrap();
    let server = colophon_cli::app::Application::build(&settings, backend)
        .await
        .unwrap();
    let base = format!("http://{}", server.local_addr);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    let (status, body) = TestApp::client_get(&format!(
        "{base}/books/v1/mylibrary/bookshelves?access_token={}",
        enc(&token)
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(&user_id));
    let (status, _) =
        TestApp::client_get(&format!("{base}/o/oauth2/revoke?token={}", enc(&token))).await;
    assert_eq!(status, 200);
    let (status, _) = TestApp::client_get(&format!(
        "{base}/books/v1/mylibrary/bookshelves?access_token={}",
        enc(&token)
    ))
    .await;
    assert_eq!(status, 401);
    let _ = tx.send(());

    let (ok, out, _) = colophon(&["clients", "delete", "--data-dir", d, &client_id], None);
    assert!(ok, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_names_every_endpoint_under_the_issuer() {
    let app = TestApp::spawn(Default::default()).await;
    let reply = app
        .get("/.well-known/oauth-authorization-server", &[])
        .await;
    assert_eq!(reply.status, 200);
    let m = reply.json();
    let iss = app.base_url.as_str();
    assert_eq!(m["issuer"], iss);
    assert_eq!(
        m["authorization_endpoint"],
        format!("{iss}/o/oauth2/v2/auth")
    );
    assert_eq!(m["token_endpoint"], format!("{iss}/token"));
    assert_eq!(
        m["device_authorization_endpoint"],
        format!("{iss}/oauth2/device_authorization")
    );
    assert_eq!(m["revocation_endpoint"], format!("{iss}/revoke"));
    assert_eq!(m["introspection_endpoint"], format!("{iss}/introspect"));
    assert_eq!(m["scopes_supported"], serde_json::json!([BOOKS_SCOPE]));
    assert_eq!(
        m["code_challenge_methods_supported"],
        serde_json::json!(["S256", "plain"])
    );
    assert_eq!(m["authorization_response_iss_parameter_supported"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_change_incremental_consent_and_login_hint() {
    let app = TestApp::spawn(Default::default()).await;
    let cb = "https://app.example/cb";
    let web = client(&app, ClientKind::Web, &[cb]).await;
    let other = client(&app, ClientKind::Web, &[cb]).await;
    let mut b = signed_in(&app, "change@example.org").await;
    let mut second = WebBrowser::new(&app);
    assert_eq!(
        second.sign_in("change@example.org", PASSWORD).await.status,
        303
    );

    // Password change: the current password is checked, other sessions end, the new one works.
    let page = b.get("/account").await;
    let csrf = hidden(&page.text(), "csrf").unwrap();
    let wrong = b
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", "not it at all"),
                ("new", "a brand new password"),
            ],
        )
        .await;
    assert!(wrong.text().contains("The current password is wrong."));
    let ok = b
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", "a brand new password"),
            ],
        )
        .await;
    assert!(ok.text().contains("Password changed."), "{}", ok.text());
    assert_eq!(b.get("/account").await.status, 200, "this session stays");
    assert_eq!(
        second.get("/account").await.status,
        302,
        "the other one ended"
    );
    let mut third = WebBrowser::new(&app);
    assert_eq!(
        third.sign_in("change@example.org", PASSWORD).await.status,
        200
    );
    assert_eq!(
        third
            .sign_in("change@example.org", "a brand new password")
            .await
            .status,
        303
    );

    // login_hint pre-fills the sign-in form (and signs no one in).
    let mut anon = WebBrowser::new(&app);
    let r = anon
        .get(&auth_url(
            &web.client.id,
            cb,
            &[("login_hint", "hint@example.org")],
        ))
        .await;
    let signin = r.header("location").unwrap().to_owned();
    let page = anon.get(&signin).await;
    assert!(
        page.text().contains("value=\"hint@example.org\""),
        "{}",
        page.text()
    );

    // include_granted_scopes: the grant is the union for the same client, never another's.
    let code = code_for(
        &mut b,
        &web.client.id,
        cb,
        &[("include_granted_scopes", "true")],
    )
    .await;
    let t = exchange(&app, &web, &code, cb, &[]).await.json();
    assert_eq!(t["scope"], BOOKS_SCOPE);
    let reply = b
        .get(&auth_url(
            &other.client.id,
            cb,
            &[("include_granted_scopes", "true")],
        ))
        .await;
    assert_eq!(
        reply.status, 200,
        "another client still needs its own consent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_tokens_die_after_six_months_unused() {
    let app = TestApp::spawn(Default::default()).await;
    let cb = "https://app.example/cb";
    let web = client(&app, ClientKind::Web, &[cb]).await;
    let mut b = signed_in(&app, "idle@example.org").await;
    let code = code_for(&mut b, &web.client.id, cb, &[("access_type", "offline")]).await;
    let refresh = exchange(&app, &web, &code, cb, &[]).await.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = web.secret.clone().unwrap();
    let refresh_once = || async {
        token_request(
            &app,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh),
                ("client_id", &web.client.id),
                ("client_secret", &secret),
            ],
        )
        .await
    };
    // Used every 150 days, it lives on (300 days after it was issued).
    for _ in 0..2 {
        app.clock.advance(chrono::Duration::days(150));
        assert_eq!(refresh_once().await.status, 200);
    }
    app.clock.advance(chrono::Duration::days(184));
    assert_oauth_error(&refresh_once().await, 400, "invalid_grant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_issued_token_shows_on_the_account_page_and_can_be_removed() {
    let app = TestApp::spawn(Default::default()).await;
    let web = client(&app, ClientKind::Web, &["https://ops.example/cb"]).await;
    let mut b = signed_in(&app, "ops@example.org").await;
    assert!(b
        .get("/account")
        .await
        .text()
        .contains("No application has access"));
    let (issued, _) = app
        .auth
        .issue_token_for("ops@example.org", &web.client.id)
        .await
        .unwrap();
    assert_eq!(my_shelves(&app, &issued.access_token).await.status, 200);
    let page = b.get("/account").await;
    assert!(page.text().contains("Test web app"), "{}", page.text());
    let csrf = hidden(&page.text(), "csrf").unwrap();
    let removed = b
        .post(
            "/account/revoke",
            &[("csrf", &csrf), ("client_id", &web.client.id)],
        )
        .await;
    assert!(removed.text().contains("No application has access"));
    assert_eq!(my_shelves(&app, &issued.access_token).await.status, 401);
}
