//! HTML building blocks: escaping, the page layout, and the security headers of every page.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::browser::Browser;

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A hidden form field.
pub fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        escape(name),
        escape(value)
    )
}

/// The style sheet, inline-free (served from `/_colophon/pages.css` so the CSP stays strict).
pub const STYLESHEET: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#202124;line-height:1.5}\
h1{font-size:1.5rem;font-weight:500}label{display:block;margin:.8rem 0 .2rem}\
input[type=email],input[type=password],input[type=text]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}\
button{margin:1rem .5rem 0 0;padding:.5rem 1.2rem;font-size:1rem;cursor:pointer}\
.error{color:#b3261e;border-left:3px solid #b3261e;padding-left:.6rem}.note{color:#5f6368;font-size:.9rem}\
.app{font-weight:600}ul.scopes li{margin:.3rem 0}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #ddd}";

/// A complete page.
pub struct Page {
    /// HTTP status.
    pub status: StatusCode,
    /// `<title>` and `<h1>`.
    pub title: String,
    /// Body HTML (already escaped where needed).
    pub body: String,
    /// Extra origins the page's forms may end up at (a client's redirect URI after consent).
    pub form_targets: Vec<String>,
}

impl Page {
    /// A 200 page.
    pub fn new(title: impl Into<String>, body: String) -> Self {
        Self {
            status: StatusCode::OK,
            title: title.into(),
            body,
            form_targets: Vec::new(),
        }
    }

    /// With another status.
    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Renders the page for `browser` (setting its cookie when it is new).
    pub fn render(self, browser: &Browser) -> Response {
        let title = escape(&self.title);
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title} – Colophon</title>\
             <link rel=\"stylesheet\" href=\"/_colophon/pages.css\"></head>\
             <body><main><h1>{title}</h1>\n{}\n</main></body></html>\n",
            self.body
        );
        let mut response = (self.status, html).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        security_headers(headers, &self.form_targets);
        browser.set_cookie(&mut response);
        browser.set_hsts(&mut response);
        response
    }
}

/// The headers every page (and every redirect from a page) carries.
pub fn security_headers(headers: &mut axum::http::HeaderMap, form_targets: &[String]) {
    let mut form_action = String::from("'self'");
    for t in form_targets {
        // Origins only ever come from validated redirect URIs; refuse anything odd anyway.
        if t.bytes()
            .all(|b| b.is_ascii_graphic() && b != b';' && b != b',' && b != b'\'')
        {
            form_action.push(' ');
            form_action.push_str(t);
        }
    }
    let csp = format!(
        "default-src 'self'; frame-ancestors 'none'; form-action {form_action}; base-uri 'none'; object-src 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// A `302 Found` (never 307) from a page, with the page headers.
pub fn redirect(location: &str, browser: &Browser) -> Response {
    see_other(StatusCode::FOUND, location, browser)
}

/// A redirect with the given 30x status.
pub fn see_other(status: StatusCode, location: &str, browser: &Browser) -> Response {
    let mut response = status.into_response();
    let headers = response.headers_mut();
    match HeaderValue::from_str(location) {
        Ok(v) => {
            headers.insert(header::LOCATION, v);
        }
        Err(_) => {
            *response.status_mut() = StatusCode::BAD_REQUEST;
        }
    }
    security_headers(response.headers_mut(), &[]);
    browser.set_cookie(&mut response);
    browser.set_hsts(&mut response);
    response
}

/// The origin (`scheme://host[:port]`) of an absolute URI, for CSP `form-action`.
pub fn origin_of(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{authority}"))
}

/// A standalone error page (no browser state), with the page headers.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} – Colophon</title>\
         <link rel=\"stylesheet\" href=\"/_colophon/pages.css\"></head>\
         <body><main><h1>{t}</h1>\n<p class=\"error\">{m}</p>\n</main></body></html>\n",
        t = escape(title),
        m = escape(message)
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    security_headers(headers, &[]);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("\"'><script>&"),
            "&quot;&#39;&gt;&lt;script&gt;&amp;"
        );
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("http://127.0.0.1:5000/cb?x").as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(origin_of("https://good@evil/"), None);
        assert_eq!(origin_of("javascript:alert(1)"), None);
    }
}
