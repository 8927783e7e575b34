//! Colophon's integration tests: the real server on an ephemeral port, real SQLite files,
//! driven by real clients (the generated `google-books1` crate and a plain HTTP client).
//! One test binary for the whole crate.

mod support;

mod annotations;
mod annotations_isolation;
mod cli;
mod console;
mod console_browser;
mod content;
mod content_pdf;
mod discovery;
mod errors;
mod fidelity;
mod google_books1_client;
mod import;
mod library;
mod library_clients;
mod library_isolation;
mod library_support;
mod myconfig;
mod oauth_browser;
mod oauth_flow;
mod oauth_security;
mod oauth_support;
mod oauth_token_errors;
mod postgres;
mod recommendations;
mod standard_params;
mod uploads;
mod uploads_browser;
