//! Authorization server metadata (RFC 8414): `GET /.well-known/oauth-authorization-server`.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use colophon_auth::BOOKS_SCOPE;

use crate::AppState;

/// The metadata document, with every URL under the issuer.
pub async fn metadata(State(state): State<AppState>) -> Response {
    let iss = state.auth.issuer();
    let body = serde_json::json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/o/oauth2/v2/auth"),
        "token_endpoint": format!("{iss}/token"),
        "device_authorization_endpoint": format!("{iss}/oauth2/device_authorization"),
        "revocation_endpoint": format!("{iss}/revoke"),
        "introspection_endpoint": format!("{iss}/introspect"),
        "scopes_supported": [BOOKS_SCOPE],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code"
        ],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "authorization_response_iss_parameter_supported": true,
        "service_documentation": format!("{iss}/docs")
    });
    let mut response = (
        StatusCode::OK,
        serde_json::to_string_pretty(&body).unwrap_or_default(),
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}
