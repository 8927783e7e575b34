//! Device authorization (RFC 8628 §3.1, with Google's dialect): `POST /device/code` and
//! `/o/oauth2/device/code` answer `verification_url`; `POST /oauth2/device_authorization`
//! answers `verification_uri` and `verification_uri_complete`. Never both names (serde
//! clients fail on the duplicate).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use colophon_auth::OAuthError;

use super::error::{error_response, json_response};
use super::form;
use crate::AppState;

/// Which field names the answer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Google,
    Rfc8628,
}

/// `POST /device/code` (Google's dialect).
pub async fn google(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    authorize(state, headers, body, Dialect::Google).await
}

/// `POST /oauth2/device_authorization` (RFC 8628).
pub async fn rfc8628(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    authorize(state, headers, body, Dialect::Rfc8628).await
}

async fn authorize(state: AppState, headers: HeaderMap, body: Bytes, dialect: Dialect) -> Response {
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
    let d = match state.auth.device_authorization(&pairs, &creds).await {
        Ok(d) => d,
        Err(e) => return error_response(&e, &issuer),
    };
    let verification = format!("{issuer}/device");
    let mut out = serde_json::Map::new();
    out.insert("device_code".into(), d.device_code.into());
    out.insert("user_code".into(), d.user_code.clone().into());
    match dialect {
        Dialect::Google => {
            out.insert("verification_url".into(), verification.into());
        }
        Dialect::Rfc8628 => {
            let complete = format!(
                "{verification}?user_code={}",
                form_urlencoded::byte_serialize(d.user_code.as_bytes()).collect::<String>()
            );
            out.insert("verification_uri".into(), verification.into());
            out.insert("verification_uri_complete".into(), complete.into());
        }
    }
    out.insert("expires_in".into(), d.expires_in.into());
    out.insert("interval".into(), d.interval.into());
    json_response(StatusCode::OK, &serde_json::Value::Object(out))
}
