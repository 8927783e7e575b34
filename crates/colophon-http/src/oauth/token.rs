//! The token endpoint: `POST /token` (and Google's legacy paths), `oauth-behavior.md` §5.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use colophon_auth::{OAuthError, TokenResponse};

use super::error::{error_response, json_response};
use super::form;
use crate::AppState;

/// The JSON of a successful token response, in Google's key order.
pub fn token_json(t: &TokenResponse) -> serde_json::Value {
    let mut body = serde_json::Map::new();
    body.insert("access_token".into(), t.access_token.clone().into());
    body.insert("expires_in".into(), t.expires_in.into());
    if let Some(r) = &t.refresh_token {
        body.insert("refresh_token".into(), r.clone().into());
    }
    body.insert("scope".into(), t.scope.clone().into());
    body.insert("token_type".into(), t.token_type.into());
    serde_json::Value::Object(body)
}

/// `POST /token`: exchanges a code, a refresh token or a device code for tokens.
pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let issuer = state.auth.issuer().to_owned();
    if !form::is_form(&headers) {
        return error_response(
            &OAuthError::invalid_request(
                "The request body must be application/x-www-form-urlencoded.",
            ),
            &issuer,
        );
    }
    let pairs = form::pairs(&body);
    let creds = form::client_credentials(&headers);
    match state.auth.token(&pairs, &creds).await {
        Ok(t) => json_response(StatusCode::OK, &token_json(&t)),
        Err(e) => error_response(&e, &issuer),
    }
}
