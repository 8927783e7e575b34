//! Helpers of the personal-library tests: readers with tokens, calls with one credential.

use bytes::Bytes;
use colophon_auth::clients::NewClient;
use colophon_auth::ClientKind;

use crate::support::{Reply, TestApp};

/// A signed-up user and an access token of theirs.
pub struct Reader {
    /// The user id.
    pub id: String,
    /// An access token (Books scope).
    pub token: String,
}

/// What a request presents.
#[derive(Clone, Copy, Debug)]
pub enum Cred<'a> {
    /// `Authorization: Bearer` with this token.
    Token(&'a str),
    /// The app's API key.
    Key,
    /// Nothing.
    None,
}

/// Creates an account and issues it a token for a fresh client (`colophon tokens issue`'s
/// path: a real grant of Colophon's authorization server).
pub async fn reader(app: &TestApp, email: &str) -> Reader {
    let account = app
        .auth
        .create_user(email, crate::oauth_support::PASSWORD)
        .await
        .expect("create user");
    let client = app
        .auth
        .create_client(NewClient {
            name: format!("Reader app for {email}"),
            kind: ClientKind::Installed,
            redirect_uris: Vec::new(),
            public: false,
        })
        .await
        .expect("client");
    let (token, _) = app
        .auth
        .issue_token_for(email, &client.client.id)
        .await
        .expect("issue token");
    Reader {
        id: account.id,
        token: token.access_token,
    }
}

/// One request with one credential.
pub async fn call(app: &TestApp, method: &str, path: &str, cred: Cred<'_>) -> Reply {
    match cred {
        Cred::Token(t) => {
            let auth = format!("Bearer {t}");
            app.request(method, path, &[("authorization", &auth)], Bytes::new())
                .await
        }
        Cred::Key => {
            let sep = if path.contains('?') { '&' } else { '?' };
            app.request(
                method,
                &format!("{path}{sep}key={}", app.key),
                &[],
                Bytes::new(),
            )
            .await
        }
        Cred::None => app.request(method, path, &[], Bytes::new()).await,
    }
}

/// GET with a token, expecting 200; the JSON body.
pub async fn get_ok(app: &TestApp, path: &str, token: &str) -> serde_json::Value {
    let r = call(app, "GET", path, Cred::Token(token)).await;
    assert_eq!(
        r.status,
        200,
        "GET {path}: {}",
        String::from_utf8_lossy(&r.body)
    );
    r.json()
}

/// POST with a token, expecting 200 and `{}`.
pub async fn post_ok(app: &TestApp, path: &str, token: &str) {
    let r = call(app, "POST", path, Cred::Token(token)).await;
    assert_eq!(
        r.status,
        200,
        "POST {path}: {}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.json(), serde_json::json!({}), "POST {path}");
}

/// `n` volume ids of the demo catalog (distinct, stable order).
pub async fn demo_ids(app: &TestApp, n: usize) -> Vec<String> {
    let page = app
        .get_keyed("/books/v1/volumes?q=the&maxResults=40&orderBy=newest")
        .await
        .json();
    let ids: Vec<String> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v["id"].as_str().expect("id").to_owned())
        .take(n)
        .collect();
    assert_eq!(
        ids.len(),
        n,
        "the demo catalog has {n} volumes matching 'the'"
    );
    ids
}

/// The ids of a `books#volumes` body, in order.
pub fn ids_of(page: &serde_json::Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|v| v["id"].as_str().expect("id").to_owned())
                .collect()
        })
        .unwrap_or_default()
}
