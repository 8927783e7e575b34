//! OAuth errors as responses: RFC 6749 §5.2's `{"error", "error_description"}` JSON with
//! `Cache-Control: no-store`, and a `WWW-Authenticate: Basic` challenge when a client failed
//! HTTP Basic authentication. The one place where `OAuthError` becomes HTTP.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use colophon_auth::OAuthError;

/// A JSON answer of an OAuth endpoint, with the no-cache headers of RFC 6749 §5.1.
pub fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    let text = serde_json::to_string_pretty(body).unwrap_or_else(|_| "{}".into());
    let mut response = (status, text).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// The response for an OAuth error; `issuer` is the Basic challenge's realm.
pub fn error_response(e: &OAuthError, issuer: &str) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = json_response(
        status,
        &serde_json::json!({"error": e.error, "error_description": e.description}),
    );
    if e.basic_challenge {
        if let Ok(v) = HeaderValue::from_str(&format!("Basic realm=\"{issuer}\"")) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
    }
    response
}
