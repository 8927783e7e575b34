//! The device verification page (`/device`, Google's `google.com/device`): the signed-in user
//! types the code shown on the device, sees what the device asks for, and allows or denies.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use colophon_auth::device::UserCodeError;

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

fn code_form(browser: &Browser, code: &str, error: Option<&str>) -> Page {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    Page::new(
        "Connect a device",
        format!(
            "{error}<p>Enter the code shown on your TV or device.</p>\
             <form method=\"post\" action=\"/device\">{csrf}\
             <label for=\"user_code\">Code</label>\
             <input type=\"text\" id=\"user_code\" name=\"user_code\" value=\"{code}\" \
             autocomplete=\"off\" autocapitalize=\"characters\" required>\
             <button type=\"submit\">Next</button></form>",
            csrf = hidden("csrf", &browser.csrf("device")),
            code = escape(code),
        ),
    )
}

/// `GET /device[?user_code=…]`.
pub async fn page(browser: Browser, RawQuery(query): RawQuery) -> Response {
    let q = form::pairs(query.clone().unwrap_or_default().as_bytes());
    if browser.account.is_none() {
        let back = match query {
            Some(q) if !q.is_empty() => format!("/device?{q}"),
            _ => "/device".to_owned(),
        };
        let target: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
        return html::redirect(&format!("/signin?continue={target}"), &browser);
    }
    code_form(&browser, form::first(&q, "user_code").unwrap_or(""), None).render(&browser)
}

/// `POST /device`: checks the typed code and shows the consent step.
pub async fn submit(
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
        || !browser.check_csrf("device", form::first(&pairs, "csrf"))
    {
        return refused();
    }
    let typed = form::first(&pairs, "user_code").unwrap_or("");
    let found = match state
        .auth
        .find_user_code(&browser.cookie, &browser.addr, typed)
        .await
    {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error.detail = %e, "device page: {e}");
            return PageFailure.into_response_for();
        }
    };
    let pending = match found {
        Ok(p) => p,
        Err(UserCodeError::Invalid) => {
            return code_form(
                &browser,
                "",
                Some("That code is not valid, has expired, or was already used."),
            )
            .status(StatusCode::BAD_REQUEST)
            .render(&browser)
        }
        Err(UserCodeError::Locked) => {
            return code_form(
                &browser,
                "",
                Some("Too many wrong codes. Try again in 15 minutes."),
            )
            .status(StatusCode::TOO_MANY_REQUESTS)
            .render(&browser)
        }
    };
    let app = escape(&pending.client.name);
    let scopes: String = pending
        .scopes
        .descriptions()
        .iter()
        .map(|d| format!("<li>{}</li>", escape(d)))
        .collect();
    let csrf = browser.csrf(&format!("device-approve:{}", pending.device_hash));
    Page::new(
        format!("{} wants access", pending.client.name),
        format!(
            "<p><span class=\"app\">{app}</span> on a device wants to access your Colophon account.</p>\
             <p>Signed in as <strong>{email}</strong>.</p>\
             <p>This will allow it to:</p><ul class=\"scopes\">{scopes}</ul>\
             <p class=\"error\">Only continue if you typed a code shown on a device you own \
             or control. Never enter a code someone sent you.</p>\
             <form method=\"post\" action=\"/device/approve\">{csrf}{device}\
             <button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow</button>\
             <button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button></form>",
            email = escape(&account.email),
            csrf = hidden("csrf", &csrf),
            device = hidden("device", &pending.device_hash),
        ),
    )
    .render(&browser)
}

/// `POST /device/approve`: records Allow or Deny.
pub async fn approve(
    State(state): State<AppState>,
    browser: Browser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form::pairs(&body);
    let (Some(account), Some(device)) = (browser.account.clone(), form::first(&pairs, "device"))
    else {
        return refused();
    };
    if !form::is_form(&headers)
        || !same_origin(&headers, state.auth.issuer())
        || !browser.check_csrf(
            &format!("device-approve:{device}"),
            form::first(&pairs, "csrf"),
        )
    {
        return refused();
    }
    let allow = form::first(&pairs, "decision") == Some("allow");
    match state.auth.decide_device(device, &account.id, allow).await {
        Ok(true) if allow => Page::new(
            "Device connected",
            "<p>You can go back to your device: it now has access.</p>".to_owned(),
        )
        .render(&browser),
        Ok(true) => Page::new(
            "Access denied",
            "<p>The device was not given access.</p>".to_owned(),
        )
        .render(&browser),
        Ok(false) => code_form(
            &browser,
            "",
            Some("This request has expired or was already answered."),
        )
        .status(StatusCode::BAD_REQUEST)
        .render(&browser),
        Err(e) => {
            tracing::error!(error.detail = %e, "device approval: {e}");
            PageFailure.into_response_for()
        }
    }
}
