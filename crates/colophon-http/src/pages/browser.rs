//! `Browser`: the cookie a browser carries, who is signed in with it, and its CSRF tokens.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use colophon_auth::accounts::{csrf_token, new_cookie_value, verify_csrf};
use colophon_auth::Account;

use crate::AppState;

/// The browser behind a page request.
#[derive(Debug, Clone)]
pub struct Browser {
    /// The cookie value (secret): a session id once signed in, a CSRF key before.
    pub cookie: String,
    /// The cookie must be (re)sent with the response.
    send_cookie: bool,
    /// The signed-in account.
    pub account: Option<Account>,
    /// The client's address (sign-in throttling).
    pub addr: String,
    /// Whether the cookie gets `Secure` and the `__Host-` prefix (HTTPS issuer).
    secure: bool,
}

/// The cookie's name: `__Host-` (Secure, host-only, path /) over HTTPS.
fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-colophon_session"
    } else {
        "colophon_session"
    }
}

fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| {
            (20..=100).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// A page that could not be served because something failed inside.
pub struct PageFailure;

impl PageFailure {
    /// The error page.
    pub fn into_response_for(self) -> Response {
        self.into_response()
    }
}

impl IntoResponse for PageFailure {
    fn into_response(self) -> Response {
        super::html::error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "The server could not complete this request. Try again later.",
        )
    }
}

impl FromRequestParts<AppState> for Browser {
    type Rejection = PageFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secure = state.auth.is_https();
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
        let (cookie, send_cookie) = match read_cookie(&parts.headers, cookie_name(secure)) {
            Some(c) => (c, false),
            None => (new_cookie_value(), true),
        };
        let account = if send_cookie {
            None
        } else {
            state.auth.session_account(&cookie).await.map_err(|e| {
                tracing::error!(error.detail = %e, "reading a session: {e}");
                PageFailure
            })?
        };
        Ok(Self {
            cookie,
            send_cookie,
            account,
            addr,
            secure,
        })
    }
}

impl Browser {
    /// The CSRF token of `purpose` for this browser.
    pub fn csrf(&self, purpose: &str) -> String {
        csrf_token(&self.cookie, purpose)
    }

    /// Whether `token` is this browser's CSRF token of `purpose`.
    pub fn check_csrf(&self, purpose: &str, token: Option<&str>) -> bool {
        token.is_some_and(|t| verify_csrf(&self.cookie, purpose, t))
    }

    /// Switches to a new cookie value (after sign-in or sign-out); it is sent with the
    /// response.
    pub fn replace_cookie(&mut self, value: String) {
        self.cookie = value;
        self.send_cookie = true;
    }

    /// Adds `Strict-Transport-Security` when the server is reached over HTTPS.
    pub fn set_hsts(&self, response: &mut Response) {
        if self.secure {
            response.headers_mut().insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000"),
            );
        }
    }

    /// Adds the `Set-Cookie` header when the cookie is new.
    pub fn set_cookie(&self, response: &mut Response) {
        if !self.send_cookie {
            return;
        }
        let secure = if self.secure { "; Secure" } else { "" };
        let value = format!(
            "{}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
            cookie_name(self.secure),
            self.cookie
        );
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
}

/// Whether a state-changing request comes from our own pages (a check beside the CSRF token):
/// `Sec-Fetch-Site`, when the browser sends it, must be `same-origin` (or `none`: typed by the
/// user); an `Origin` header must be the issuer's origin. `Origin: null` is what browsers send
/// for our own forms because our pages use `Referrer-Policy: no-referrer`, so it passes here
/// and the CSRF token decides.
pub fn same_origin(headers: &HeaderMap, issuer: &str) -> bool {
    let fetch_site_ok = match headers.get("sec-fetch-site").map(|v| v.to_str()) {
        None => true,
        Some(Ok(site)) => site == "same-origin" || site == "none",
        Some(Err(_)) => false,
    };
    let origin_ok = match headers.get(header::ORIGIN).map(|v| v.to_str()) {
        None | Some(Ok("null")) => true,
        Some(Ok(origin)) => super::html::origin_of(issuer).is_some_and(|o| o == origin),
        Some(Err(_)) => false,
    };
    fetch_site_ok && origin_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_site_requests_are_refused() {
        let issuer = "http://127.0.0.1:8080";
        let check = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            same_origin(&h, issuer)
        };
        assert!(check(&[]));
        assert!(check(&[("origin", "http://127.0.0.1:8080")]));
        assert!(check(&[
            ("origin", "null"),
            ("sec-fetch-site", "same-origin")
        ]));
        assert!(!check(&[("origin", "https://evil.example")]));
        assert!(!check(&[("origin", "http://127.0.0.1:8081")]));
        assert!(!check(&[
            ("origin", "null"),
            ("sec-fetch-site", "cross-site")
        ]));
        assert!(!check(&[("sec-fetch-site", "same-site")]));
    }

    #[test]
    fn reads_only_well_formed_cookies() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; colophon_session=abcdefghijklmnopqrstuvwxyz012345"),
        );
        assert_eq!(
            read_cookie(&h, "colophon_session").as_deref(),
            Some("abcdefghijklmnopqrstuvwxyz012345")
        );
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("colophon_session=short"),
        );
        assert_eq!(read_cookie(&h, "colophon_session"), None);
    }
}
