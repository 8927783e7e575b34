//! Token info (`oauth-behavior.md` §8): `/tokeninfo` and `/oauth2/v3/tokeninfo` in the v3
//! shape, `/oauth2/v1/tokeninfo` in the v1 shape; the token comes as `access_token` in the
//! query or form, or as a Bearer header. Also RFC 7662 introspection at `POST /introspect`.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use colophon_auth::{Introspection, OAuthError};

use super::error::{error_response, json_response};
use super::form;
use crate::AppState;

fn presented_token(query: Option<String>, headers: &HeaderMap, body: &Bytes) -> Option<String> {
    let query = form::pairs(query.unwrap_or_default().as_bytes());
    if let Some(t) = form::first(&query, "access_token") {
        return Some(t.to_owned());
    }
    if form::is_form(headers) {
        if let Some(t) = form::first(&form::pairs(body), "access_token") {
            return Some(t.to_owned());
        }
    }
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(s, _)| s.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned())
}

async fn info(
    state: &AppState,
    query: Option<String>,
    headers: &HeaderMap,
    body: &Bytes,
    v1: bool,
) -> Response {
    let token = presented_token(query, headers, body).unwrap_or_default();
    let t = match state.auth.token_info(&token).await {
        Ok(t) => t,
        Err(e) => return error_response(&e, state.auth.issuer()),
    };
    let a = t.access;
    let mut out = serde_json::Map::new();
    if v1 {
        out.insert("issued_to".into(), a.client_id.clone().into());
        out.insert("audience".into(), a.client_id.into());
        out.insert("user_id".into(), a.user_id.into());
        out.insert("scope".into(), a.scopes.to_string().into());
        out.insert("expires_in".into(), t.expires_in.into());
        out.insert("access_type".into(), a.access_type.into());
    } else {
        out.insert("azp".into(), a.client_id.clone().into());
        out.insert("aud".into(), a.client_id.into());
        out.insert("sub".into(), a.user_id.into());
        out.insert("scope".into(), a.scopes.to_string().into());
        out.insert("exp".into(), a.expires.timestamp().into());
        out.insert("expires_in".into(), t.expires_in.into());
        out.insert("access_type".into(), a.access_type.into());
    }
    json_response(StatusCode::OK, &serde_json::Value::Object(out))
}

/// `GET|POST /tokeninfo`, `/oauth2/v3/tokeninfo`: the v3 shape.
pub async fn v3(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    info(&state, query, &headers, &body, false).await
}

/// `GET|POST /oauth2/v1/tokeninfo`: the v1 shape.
pub async fn v1(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    info(&state, query, &headers, &body, true).await
}

/// `POST /introspect` (RFC 7662), for an authenticated client.
pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
    match state.auth.introspect(&pairs, &creds).await {
        Err(e) => error_response(&e, &issuer),
        Ok(Introspection::Inactive) => {
            json_response(StatusCode::OK, &serde_json::json!({"active": false}))
        }
        Ok(Introspection::Active {
            scope,
            client_id,
            sub,
            username,
            token_type,
            exp,
            iat,
        }) => {
            let mut out = serde_json::Map::new();
            out.insert("active".into(), true.into());
            out.insert("scope".into(), scope.into());
            out.insert("client_id".into(), client_id.clone().into());
            if let Some(u) = username {
                out.insert("username".into(), u.into());
            }
            out.insert("token_type".into(), token_type.into());
            if let Some(exp) = exp {
                out.insert("exp".into(), exp.into());
            }
            out.insert("iat".into(), iat.into());
            out.insert("sub".into(), sub.into());
            out.insert("aud".into(), client_id.into());
            out.insert("iss".into(), issuer.into());
            json_response(StatusCode::OK, &serde_json::Value::Object(out))
        }
    }
}
