//! The account page: connected applications (with a revoke button each) and password change.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use colophon_auth::accounts::PasswordChangeError;

use super::browser::{same_origin, Browser, PageFailure};
use super::html::{self, escape, hidden, Page};
use crate::oauth::form;
use crate::AppState;

fn refused() -> Response {
    html::error_page(
        StatusCode::FORBIDDEN,
        "Request refused",
        "This form has expired or did not come from this site. Reload the page and try again.",
    )
}

async fn render(state: &AppState, browser: &Browser, message: Option<(&str, bool)>) -> Response {
    let Some(account) = &browser.account else {
        return html::redirect("/signin?continue=%2Faccount", browser);
    };
    let apps = match state.auth.connected_apps(&account.id).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error.detail = %e, "account page: {e}");
            return PageFailure.into_response_for();
        }
    };
    let csrf = browser.csrf("account");
    let rows: String = apps
        .iter()
        .map(|a| {
            format!(
                "<tr><td class=\"app\">{name}</td><td>{access}</td><td>{since}</td><td>\
                 <form method=\"post\" action=\"/account/revoke\">{csrf}{client}\
                 <button type=\"submit\">Remove access</button></form></td></tr>",
                name = escape(&a.name),
                access = escape(&a.access.join(", ")),
                since = a.since.format("%Y-%m-%d"),
                csrf = hidden("csrf", &csrf),
                client = hidden("client_id", &a.client_id),
            )
        })
        .collect();
    let apps_html = if apps.is_empty() {
        "<p>No application has access to your account.</p>".to_owned()
    } else {
        format!(
            "<table><thead><tr><th>Application</th><th>Access</th><th>Since</th><th></th></tr></thead>\
             <tbody>{rows}</tbody></table>"
        )
    };
    let message = message
        .map(|(m, ok)| {
            let class = if ok { "note" } else { "error" };
            format!("<p class=\"{class}\" role=\"status\">{}</p>", escape(m))
        })
        .unwrap_or_default();
    let body = format!(
        "{message}<p>Signed in as <strong>{email}</strong> (user id {id}).</p>\
         <p><a href=\"/account/uploads\">Your books</a>: upload EPUBs and PDFs to read here.</p>\
         <h2>Applications with access to your account</h2>{apps_html}\
         <h2>Change password</h2>\
         <form method=\"post\" action=\"/account/password\">{csrf}\
         <label for=\"current\">Current password</label>\
         <input type=\"password\" id=\"current\" name=\"current\" autocomplete=\"current-password\" required>\
         <label for=\"new\">New password</label>\
         <input type=\"password\" id=\"new\" name=\"new\" autocomplete=\"new-password\" required minlength=\"8\">\
         <button type=\"submit\">Change password</button></form>\
         <form method=\"post\" action=\"/signout\">{signout}<button type=\"submit\">Sign out</button></form>",
        email = escape(&account.email),
        id = escape(&account.id),
        csrf = hidden("csrf", &csrf),
        signout = hidden("csrf", &browser.csrf("signout")),
    );
    Page::new("Your account", body).render(browser)
}

/// `GET /account`.
pub async fn page(State(state): State<AppState>, browser: Browser) -> Response {
    render(&state, &browser, None).await
}

/// `POST /account/revoke`: removes an application's access (every token and the consent).
pub async fn revoke(
    State(state): State<AppState>,
    browser: Browser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form::pairs(&body);
    let Some(account) = browser.account.clone() else {
        return refused();
    };
    if !form::is_form(&headers)
        || !same_origin(&headers, state.auth.issuer())
        || !browser.check_csrf("account", form::first(&pairs, "csrf"))
    {
        return refused();
    }
    let Some(client_id) = form::first(&pairs, "client_id") else {
        return refused();
    };
    match state.auth.revoke_access(&account.id, client_id).await {
        Ok(_) => render(&state, &browser, Some(("Access removed.", true))).await,
        Err(e) => {
            tracing::error!(error.detail = %e, "revoking from the account page: {e}");
            PageFailure.into_response_for()
        }
    }
}

/// `POST /account/password`.
pub async fn password(
    State(state): State<AppState>,
    browser: Browser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form::pairs(&body);
    let Some(account) = browser.account.clone() else {
        return refused();
    };
    if !form::is_form(&headers)
        || !same_origin(&headers, state.auth.issuer())
        || !browser.check_csrf("account", form::first(&pairs, "csrf"))
    {
        return refused();
    }
    let current = form::first(&pairs, "current").unwrap_or("");
    let new = form::first(&pairs, "new").unwrap_or("");
    match state
        .auth
        .change_password(&account.id, &browser.cookie, current, new)
        .await
    {
        Ok(()) => render(&state, &browser, Some(("Password changed.", true))).await,
        Err(PasswordChangeError::Internal(e)) => {
            tracing::error!(error.detail = %e, "password change: {e}");
            PageFailure.into_response_for()
        }
        Err(e) => render(&state, &browser, Some((&e.to_string(), false))).await,
    }
}
