//! Revocation (RFC 7009 with Google's answers, `oauth-behavior.md` §7): `POST /revoke` with
//! the token in the query string or the form body, and `GET` on the legacy path.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::error::{error_response, json_response};
use super::form;
use crate::AppState;

/// `POST /revoke` (and `GET /o/oauth2/revoke`): revokes a token's whole grant.
pub async fn revoke(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = form::pairs(query.unwrap_or_default().as_bytes());
    let body_pairs = if form::is_form(&headers) {
        form::pairs(&body)
    } else {
        Vec::new()
    };
    let token = form::first(&body_pairs, "token").or_else(|| form::first(&query, "token"));
    let mut all = query.clone();
    all.extend(body_pairs.iter().cloned());
    let creds = form::client_credentials(&headers);
    match state.auth.revoke(token, &all, &creds).await {
        Ok(()) => json_response(StatusCode::OK, &serde_json::json!({})),
        Err(e) => error_response(&e, state.auth.issuer()),
    }
}
