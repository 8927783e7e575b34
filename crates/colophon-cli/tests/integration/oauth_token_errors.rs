//! Every error of the token endpoint (RFC 6749 §5.2, `oauth-behavior.md` §5.4): status,
//! `error`, Google's `error_description`, and the headers.

use base64::Engine as _;
use colophon_auth::ClientKind;

use crate::oauth_support::*;
use crate::support::TestApp;

const CB: &str = "https://app.example/cb";

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

async fn post_basic(app: &TestApp, auth: &str, pairs: &[(&str, &str)]) -> crate::support::Reply {
    app.request(
        "POST",
        "/token",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("authorization", auth),
        ],
        bytes::Bytes::from(encode(pairs)),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_endpoint_errors() {
    let app = TestApp::spawn(Default::default()).await;
    let web = client(&app, ClientKind::Web, &[CB]).await;
    let tv = client(&app, ClientKind::Tv, &[]).await;
    let id = web.client.id.as_str();
    let secret = web.secret.as_deref().unwrap();
    let mut b = signed_in(&app, "errors@example.org").await;
    let describe = |r: &crate::support::Reply, status: u16, error: &str, description: &str| {
        let v = assert_oauth_error(r, status, error);
        assert_eq!(v["error_description"], description, "{v}");
        assert!(!r.text().contains(secret), "no secret in an error body");
    };

    // invalid_request: wrong content type, missing and duplicated parameters, both methods.
    let json = app
        .request(
            "POST",
            "/token",
            &[("content-type", "application/json")],
            bytes::Bytes::from("{}"),
        )
        .await;
    assert_oauth_error(&json, 400, "invalid_request");
    describe(
        &token_request(&app, &[("client_id", id), ("client_secret", secret)]).await,
        400,
        "invalid_request",
        "Missing required parameter: grant_type",
    );
    describe(
        &token_request(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("grant_type", "authorization_code"),
                ("client_id", id),
            ],
        )
        .await,
        400,
        "invalid_request",
        "Duplicate parameter: grant_type",
    );
    describe(
        &token_request(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", id),
                ("client_secret", secret),
            ],
        )
        .await,
        400,
        "invalid_request",
        "Missing required parameter: code",
    );
    describe(
        &token_request(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", "4/0abc"),
                ("client_id", id),
                ("client_secret", secret),
            ],
        )
        .await,
        400,
        "invalid_request",
        "Missing required parameter: redirect_uri",
    );
    describe(
        &token_request(
            &app,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", id),
                ("client_secret", secret),
            ],
        )
        .await,
        400,
        "invalid_request",
        "Missing required parameter: refresh_token",
    );
    describe(
        &token_request(
            &app,
            &[("grant_type", "refresh_token"), ("refresh_token", "x")],
        )
        .await,
        400,
        "invalid_request",
        "Missing required parameter: client_id",
    );
    let both = post_basic(
        &app,
        &basic(id, secret),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
            ("client_secret", secret),
        ],
    )
    .await;
    assert_oauth_error(&both, 400, "invalid_request");

    // invalid_client: unknown (401, no challenge in the body style), wrong secret, and with
    // Basic a WWW-Authenticate challenge.
    let unknown = token_request(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
            ("client_id", "nobody"),
            ("client_secret", "x"),
        ],
    )
    .await;
    describe(
        &unknown,
        401,
        "invalid_client",
        "The OAuth client was not found.",
    );
    assert!(unknown.header("www-authenticate").is_none());
    let wrong = token_request(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
            ("client_id", id),
            ("client_secret", "CLPH-wrong"),
        ],
    )
    .await;
    describe(&wrong, 401, "invalid_client", "Unauthorized");
    let missing_secret = token_request(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
            ("client_id", id),
        ],
    )
    .await;
    describe(&missing_secret, 401, "invalid_client", "Unauthorized");
    let wrong_basic = post_basic(
        &app,
        &basic(id, "CLPH-wrong"),
        &[("grant_type", "refresh_token"), ("refresh_token", "x")],
    )
    .await;
    describe(&wrong_basic, 401, "invalid_client", "Unauthorized");
    assert_eq!(
        wrong_basic.header("www-authenticate"),
        Some(format!("Basic realm=\"{}\"", app.base_url).as_str())
    );
    let garbage = post_basic(&app, "Basic %%%", &[("grant_type", "refresh_token")]).await;
    assert_oauth_error(&garbage, 401, "invalid_client");

    // unsupported_grant_type.
    for g in [
        "password",
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
    ] {
        describe(
            &token_request(
                &app,
                &[
                    ("grant_type", g),
                    ("client_id", id),
                    ("client_secret", secret),
                ],
            )
            .await,
            400,
            "unsupported_grant_type",
            &format!("Invalid grant_type: {g}"),
        );
    }

    // unauthorized_client: a web client using the device grant; a TV client using a code.
    describe(
        &token_request(
            &app,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", "x"),
                ("client_id", id),
                ("client_secret", secret),
            ],
        )
        .await,
        400,
        "unauthorized_client",
        "This client type may not use the device flow.",
    );
    assert_oauth_error(
        &post_basic(
            &app,
            &basic(&tv.client.id, tv.secret.as_deref().unwrap()),
            &[
                ("grant_type", "authorization_code"),
                ("code", "x"),
                ("redirect_uri", CB),
            ],
        )
        .await,
        400,
        "unauthorized_client",
    );

    // invalid_grant: unknown, used, expired code; unknown refresh token.
    describe(
        &exchange(&app, &web, "4/0unknown", CB, &[]).await,
        400,
        "invalid_grant",
        "Malformed auth code.",
    );
    let code = code_for(&mut b, id, CB, &[("access_type", "offline")]).await;
    let ok = post_basic(
        &app,
        &basic(id, secret),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CB),
        ],
    )
    .await;
    assert_eq!(ok.status, 200, "client_secret_basic works: {}", ok.text());
    assert_eq!(ok.header("cache-control"), Some("no-store"));
    assert_eq!(ok.header("pragma"), Some("no-cache"));
    assert_eq!(
        ok.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let tokens = ok.json();
    let keys: Vec<&String> = tokens.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "refresh_token",
            "scope",
            "token_type"
        ]
    );
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3599);
    describe(
        &exchange(&app, &web, &code, CB, &[]).await,
        400,
        "invalid_grant",
        "Bad Request",
    );
    describe(
        &token_request(
            &app,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", "1//nope"),
                ("client_id", id),
                ("client_secret", secret),
            ],
        )
        .await,
        400,
        "invalid_grant",
        "Token has been expired or revoked.",
    );
    // An access token is not a refresh token.
    describe(
        &token_request(
            &app,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", tokens["access_token"].as_str().unwrap()),
                ("client_id", id),
                ("client_secret", secret),
            ],
        )
        .await,
        400,
        "invalid_grant",
        "Token has been expired or revoked.",
    );
    // A device code that was never issued.
    describe(
        &post_basic(
            &app,
            &basic(&tv.client.id, tv.secret.as_deref().unwrap()),
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", "nope"),
            ],
        )
        .await,
        400,
        "invalid_grant",
        "Bad Request",
    );
    // The legacy device grant needs `code`.
    describe(
        &post_basic(
            &app,
            &basic(&tv.client.id, tv.secret.as_deref().unwrap()),
            &[
                ("grant_type", "http://oauth.net/grant_type/device/1.0"),
                ("device_code", "nope"),
            ],
        )
        .await,
        400,
        "invalid_request",
        "Missing required parameter: code",
    );
    // Every token-endpoint alias answers the same.
    for path in ["/o/oauth2/token", "/oauth2/v4/token", "/oauth2/v3/token"] {
        let r = app
            .request(
                "POST",
                path,
                &[("content-type", "application/x-www-form-urlencoded")],
                bytes::Bytes::from("grant_type=password"),
            )
            .await;
        assert_oauth_error(&r, 400, "unsupported_grant_type");
    }
    // Device authorization: unknown client 401, bad scope 400, web client refused.
    let r = crate::oauth_flow::token_request_at(
        &app,
        "/device/code",
        &[
            ("client_id", "nobody"),
            ("scope", colophon_auth::BOOKS_SCOPE),
        ],
    )
    .await;
    assert_oauth_error(&r, 401, "invalid_client");
    let r = crate::oauth_flow::token_request_at(
        &app,
        "/device/code",
        &[("client_id", &tv.client.id), ("scope", "email")],
    )
    .await;
    assert_oauth_error(&r, 400, "invalid_scope");
    let r = crate::oauth_flow::token_request_at(
        &app,
        "/device/code",
        &[("client_id", id), ("scope", colophon_auth::BOOKS_SCOPE)],
    )
    .await;
    assert_oauth_error(&r, 400, "unauthorized_client");
    // Token info of garbage.
    let r = app.get("/tokeninfo?access_token=nope", &[]).await;
    let v = assert_oauth_error(&r, 400, "invalid_token");
    assert_eq!(v["error_description"], "Invalid Value");
}
