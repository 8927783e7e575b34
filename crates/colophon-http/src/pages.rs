//! Server-rendered HTML pages: sign-in, sign-up, consent, account, device verification.
//!
//! Plain HTML forms that work without JavaScript. Every form carries a CSRF token bound to the
//! browser's cookie (and, on the consent page, to the pending request); every page is sent with
//! `X-Frame-Options: DENY`, a CSP with `frame-ancestors 'none'`, `Referrer-Policy: no-referrer`
//! and `Cache-Control: no-store`. Handlers are thin: they call `colophon_auth::AuthServer`.

pub mod account;
pub mod browser;
pub mod console;
mod console_charts;
pub mod device;
pub mod html;
pub mod signin;
pub mod uploads;
