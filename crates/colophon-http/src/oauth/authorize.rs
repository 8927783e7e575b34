//! The authorization endpoint (`GET|POST /o/oauth2/v2/auth`, `/o/oauth2/auth`) and the
//! consent page's answer (`POST /o/oauth2/approval`), `oauth-behavior.md` §4.
//!
//! Order: the request is checked (`AuthServer::check_authorization`): an untrusted client or
//! redirect URI gets an error page and no redirect; later errors redirect to the client. Then
//! the browser must be signed in (else the sign-in page, which comes back here), then the
//! consent page is shown unless consent is remembered.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use colophon_auth::{AuthorizationRequest, AuthorizeError};

use super::form;
use crate::pages::browser::{same_origin, Browser};
use crate::pages::html::{self, escape, hidden, origin_of, Page};
use crate::AppState;

/// Path of the authorization endpoint (the sign-in page comes back here).
pub const AUTH_PATH: &str = "/o/oauth2/v2/auth";

/// `GET /o/oauth2/v2/auth`.
pub async fn get(
    State(state): State<AppState>,
    browser: Browser,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = form::pairs(query.unwrap_or_default().as_bytes());
    authorize(&state, browser, pairs).await
}

/// `POST /o/oauth2/v2/auth` with a form body, treated like GET.
pub async fn post(
    State(state): State<AppState>,
    browser: Browser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !form::is_form(&headers) {
        return html::error_page(
            StatusCode::BAD_REQUEST,
            "Error 400: invalid_request",
            "The request body must be application/x-www-form-urlencoded.",
        );
    }
    authorize(&state, browser, form::pairs(&body)).await
}

fn error_page(status: u16, error: &str, description: &str) -> Response {
    html::error_page(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        &format!("Error {status}: {error}"),
        description,
    )
}

async fn authorize(state: &AppState, browser: Browser, pairs: Vec<(String, String)>) -> Response {
    let auth = &state.auth;
    let req = match auth.check_authorization(&pairs).await {
        Ok(r) => r,
        Err(AuthorizeError::Page {
            status,
            error,
            description,
        }) => return error_page(status, error, &description),
        Err(AuthorizeError::Redirect { location }) => return html::redirect(&location, &browser),
    };
    let Some(account) = browser.account.clone() else {
        if req.prompt.none {
            let location =
                auth.error_location(&req, "login_required", "The user is not signed in.");
            return html::redirect(&location, &browser);
        }
        let mut ser = form_urlencoded::Serializer::new(String::new());
        ser.append_pair("continue", &format!("{AUTH_PATH}?{}", encode(&pairs)));
        if let Some(hint) = &req.login_hint {
            ser.append_pair("login_hint", hint);
        }
        return html::redirect(&format!("/signin?{}", ser.finish()), &browser);
    };
    let hint_differs = req
        .login_hint
        .as_deref()
        .is_some_and(|h| h.contains('@') && !h.eq_ignore_ascii_case(&account.email));
    let needs_consent = match auth.needs_consent(&account.id, &req).await {
        Ok(n) => n || req.prompt.select_account || hint_differs,
        Err(e) => {
            tracing::error!(error.detail = %e, "authorization: {e}");
            return error_page(500, "server_error", "Internal error encountered.");
        }
    };
    if !needs_consent {
        return match auth.approve(&account.id, &req, false).await {
            Ok(location) => html::redirect(&location, &browser),
            Err(e) => {
                tracing::error!(error.detail = %e, "authorization: {e}");
                error_page(500, "server_error", "Internal error encountered.")
            }
        };
    }
    if req.prompt.none {
        let location =
            auth.error_location(&req, "consent_required", "The user has not granted access.");
        return html::redirect(&location, &browser);
    }
    // The consent screen names the application by its project's name (the console's
    // consent-screen branding); clients outside any project keep their own name.
    let app_name = match state.console.client_project(&req.client.id).await {
        Ok(Some(p)) if p.id != colophon_service::console::LEGACY_PROJECT => p.name,
        _ => req.client.name.clone(),
    };
    consent_page(state, &browser, &account.email, &app_name, req).await
}

fn encode(pairs: &[(String, String)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    ser.finish()
}

/// The consent page: who asks, for what, as whom; Allow and Deny as POST buttons.
async fn consent_page(
    state: &AppState,
    browser: &Browser,
    email: &str,
    app_name: &str,
    req: AuthorizationRequest,
) -> Response {
    let app = escape(app_name);
    let scopes: String = req
        .scopes
        .descriptions()
        .iter()
        .map(|d| format!("<li>{}</li>", escape(d)))
        .collect();
    let target = origin_of(&req.redirect_uri);
    let offline = if req.offline {
        "<p class=\"note\">It will keep this access when you are not using it.</p>"
    } else {
        ""
    };
    let title = format!("{app_name} wants access");
    let request_id = match state.auth.begin_consent(&browser.cookie, &req).await {
        Ok(id) => id,
        Err(e) => {
            tracing::error!(error.detail = %e, "authorization: {e}");
            return error_page(500, "server_error", "Internal error encountered.");
        }
    };
    let csrf = browser.csrf(&format!("consent:{request_id}"));
    let body = format!(
        "<p><span class=\"app\">{app}</span> wants to access your Colophon account.</p>\
         <p>Signed in as <strong>{email}</strong>.</p>\
         <p>This will allow {app} to:</p><ul class=\"scopes\">{scopes}</ul>{offline}\
         <form method=\"post\" action=\"/o/oauth2/approval\">{rid}{csrf}\
         <button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button></form>\
         <p class=\"note\">Make sure you trust {app}. You can remove its access at any time on \
         your <a href=\"/account\">account page</a>.</p>\
         <form method=\"post\" action=\"/signout\">{signout}\
         <button type=\"submit\">Not you? Sign out</button></form>",
        email = escape(email),
        rid = hidden("request_id", &request_id),
        csrf = hidden("csrf", &csrf),
        signout = hidden("csrf", &browser.csrf("signout")),
    );
    let mut page = Page::new(title, body);
    page.form_targets = target.into_iter().collect();
    page.render(browser)
}

/// `POST /o/oauth2/approval`: the consent page's Allow or Deny.
pub async fn approval(
    State(state): State<AppState>,
    browser: Browser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let forbidden = || {
        html::error_page(
            StatusCode::FORBIDDEN,
            "Request refused",
            "This approval could not be verified. Go back to the application and start again.",
        )
    };
    if !form::is_form(&headers) || !same_origin(&headers, state.auth.issuer()) {
        return forbidden();
    }
    let pairs = form::pairs(&body);
    let (Some(account), Some(request_id)) =
        (browser.account.clone(), form::first(&pairs, "request_id"))
    else {
        return forbidden();
    };
    if !browser.check_csrf(
        &format!("consent:{request_id}"),
        form::first(&pairs, "csrf"),
    ) {
        return forbidden();
    }
    let req = match state.auth.take_consent(&browser.cookie, request_id).await {
        Ok(Some(req)) => req,
        Ok(None) => return forbidden(),
        Err(e) => {
            tracing::error!(error.detail = %e, "approval: {e}");
            return error_page(500, "server_error", "Internal error encountered.");
        }
    };
    match form::first(&pairs, "decision") {
        Some("allow") => match state.auth.approve(&account.id, &req, true).await {
            Ok(location) => html::redirect(&location, &browser),
            Err(e) => {
                tracing::error!(error.detail = %e, "approval: {e}");
                error_page(500, "server_error", "Internal error encountered.")
            }
        },
        _ => {
            let location =
                state
                    .auth
                    .error_location(&req, "access_denied", "The user denied access.");
            html::redirect(&location, &browser)
        }
    }
}
