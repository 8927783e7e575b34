//! Sign-in, sign-up and sign-out pages.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use colophon_auth::accounts::SignUpError;
use colophon_auth::SignInError;

use super::browser::{same_origin, Browser};
use super::html::{self, escape, hidden, origin_of, Page};
use crate::oauth::form;
use crate::AppState;

/// Where to go after signing in: a local path only (no open redirect), else the account page.
pub fn safe_continue(raw: Option<&str>) -> String {
    match raw {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && p.len() <= 8192
                && !p.chars().any(|c| c.is_control() || c == '\\') =>
        {
            p.to_owned()
        }
        _ => "/account".to_owned(),
    }
}

/// The client origin the sign-in may end up redirecting to, when `continue` is a valid
/// authorization request (for the CSP `form-action` list).
async fn continue_target(state: &AppState, cont: &str) -> Option<String> {
    let query = cont
        .strip_prefix(crate::oauth::authorize::AUTH_PATH)?
        .strip_prefix('?')?;
    let req = state
        .auth
        .check_authorization(&form::pairs(query.as_bytes()))
        .await
        .ok()?;
    origin_of(&req.redirect_uri)
}

fn form_page(
    browser: &Browser,
    signup: bool,
    cont: &str,
    email: &str,
    error: Option<&str>,
) -> Page {
    let (title, action, purpose, button, other) = if signup {
        (
            "Create your Colophon account",
            "/signup",
            "signup",
            "Create account",
            format!(
                "<p>Already have an account? <a href=\"/signin?continue={}\">Sign in</a></p>",
                escape(&form_urlencoded::byte_serialize(cont.as_bytes()).collect::<String>())
            ),
        )
    } else {
        (
            "Sign in",
            "/signin",
            "signin",
            "Sign in",
            format!(
                "<p>No account yet? <a href=\"/signup?continue={}\">Create an account</a></p>",
                escape(&form_urlencoded::byte_serialize(cont.as_bytes()).collect::<String>())
            ),
        )
    };
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let pw_autocomplete = if signup {
        "new-password"
    } else {
        "current-password"
    };
    let body = format!(
        "{error}<form method=\"post\" action=\"{action}\">{csrf}{cont}\
         <label for=\"email\">Email</label>\
         <input type=\"email\" id=\"email\" name=\"email\" value=\"{email}\" autocomplete=\"username\" required>\
         <label for=\"password\">Password</label>\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"{pw_autocomplete}\" required minlength=\"{min}\">\
         <button type=\"submit\" id=\"submit\">{button}</button></form>{other}",
        csrf = hidden("csrf", &browser.csrf(purpose)),
        cont = hidden("continue", cont),
        email = escape(email),
        min = if signup { colophon_auth::password::MIN_LEN } else { 1 },
    );
    Page::new(title, body)
}

fn query_pairs(query: Option<String>) -> Vec<(String, String)> {
    form::pairs(query.unwrap_or_default().as_bytes())
}

/// `GET /signin?continue=…&login_hint=…`.
pub async fn signin_page(
    State(state): State<AppState>,
    browser: Browser,
    RawQuery(query): RawQuery,
) -> Response {
    let q = query_pairs(query);
    let cont = safe_continue(form::first(&q, "continue"));
    let hint = form::first(&q, "login_hint").unwrap_or("");
    let mut page = form_page(&browser, false, &cont, hint, None);
    page.form_targets = continue_target(&state, &cont).await.into_iter().collect();
    page.render(&browser)
}

/// `GET /signup?continue=…`.
pub async fn signup_page(
    State(state): State<AppState>,
    browser: Browser,
    RawQuery(query): RawQuery,
) -> Response {
    let q = query_pairs(query);
    let cont = safe_continue(form::first(&q, "continue"));
    let mut page = form_page(&browser, true, &cont, "", None);
    page.form_targets = continue_target(&state, &cont).await.into_iter().collect();
    page.render(&browser)
}

fn csrf_refused() -> Response {
    html::error_page(
        StatusCode::FORBIDDEN,
        "Request refused",
        "This form has expired or did not come from this site. Reload the page and try again.",
    )
}

/// `POST /signin`.
pub async fn signin(
    State(state): State<AppState>,
    mut browser: Browser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form::pairs(&body);
    if !form::is_form(&headers)
        || !same_origin(&headers, state.auth.issuer())
        || !browser.check_csrf("signin", form::first(&pairs, "csrf"))
    {
        return csrf_refused();
    }
    let cont = safe_continue(form::first(&pairs, "continue"));
    let email = form::first(&pairs, "email").unwrap_or("");
    let password = form::first(&pairs, "password").unwrap_or("");
    match state.auth.sign_in(email, password, &browser.addr).await {
        Ok(session) => {
            browser.replace_cookie(session.cookie);
            html::see_other(StatusCode::SEE_OTHER, &cont, &browser)
        }
        Err(e @ SignInError::Invalid) => {
            // The same page for an unknown email and a wrong password (nothing echoed).
            form_page(&browser, false, &cont, "", Some(&e.to_string())).render(&browser)
        }
        Err(e @ SignInError::Throttled) => {
            form_page(&browser, false, &cont, "", Some(&e.to_string()))
                .status(StatusCode::TOO_MANY_REQUESTS)
                .render(&browser)
        }
        Err(SignInError::Internal(e)) => {
            tracing::error!(error.detail = %e, "sign-in: {e}");
            super::browser::PageFailure.into_response_for()
        }
    }
}

/// `POST /signup`: creates the account and signs it in.
pub async fn signup(
    State(state): State<AppState>,
    mut browser: Browser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form::pairs(&body);
    if !form::is_form(&headers)
        || !same_origin(&headers, state.auth.issuer())
        || !browser.check_csrf("signup", form::first(&pairs, "csrf"))
    {
        return csrf_refused();
    }
    let cont = safe_continue(form::first(&pairs, "continue"));
    let email = form::first(&pairs, "email").unwrap_or("");
    let password = form::first(&pairs, "password").unwrap_or("");
    match state.auth.create_user(email, password).await {
        Ok(_) => {}
        Err(SignUpError::Internal(e)) => {
            tracing::error!(error.detail = %e, "sign-up: {e}");
            return super::browser::PageFailure.into_response_for();
        }
        Err(e) => {
            return form_page(&browser, true, &cont, email, Some(&e.to_string()))
                .status(StatusCode::BAD_REQUEST)
                .render(&browser)
        }
    }
    match state.auth.sign_in(email, password, &browser.addr).await {
        Ok(session) => {
            browser.replace_cookie(session.cookie);
            html::see_other(StatusCode::SEE_OTHER, &cont, &browser)
        }
        Err(e) => {
            tracing::error!(error.detail = %e, "sign-in after sign-up: {e}");
            super::browser::PageFailure.into_response_for()
        }
    }
}

/// `POST /signout`.
pub async fn signout(
    State(state): State<AppState>,
    mut browser: Browser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = form::pairs(&body);
    if !form::is_form(&headers)
        || !same_origin(&headers, state.auth.issuer())
        || !browser.check_csrf("signout", form::first(&pairs, "csrf"))
    {
        return csrf_refused();
    }
    if let Err(e) = state.auth.sign_out(&browser.cookie).await {
        tracing::error!(error.detail = %e, "sign-out: {e}");
        return super::browser::PageFailure.into_response_for();
    }
    browser.replace_cookie(colophon_auth::accounts::new_cookie_value());
    html::see_other(StatusCode::SEE_OTHER, "/signin", &browser)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_stays_on_this_site() {
        assert_eq!(
            safe_continue(Some("/o/oauth2/v2/auth?x=1")),
            "/o/oauth2/v2/auth?x=1"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_continue(Some(bad)), "/account", "{bad}");
        }
        assert_eq!(safe_continue(None), "/account");
    }
}
