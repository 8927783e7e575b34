//! Shared state of the HTTP layer.

use std::sync::Arc;

use colophon_auth::AuthServer;
use colophon_service::{ApiKeys, Catalog, Content};

/// Settings the HTTP layer needs.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Base URL used in links (`selfLink`, `previewLink`, …), without a trailing slash.
    pub public_url: String,
    /// Serve requests that carry no API key or token (local emulator use).
    pub anonymous_access: bool,
    /// Country used when a request gives none (`US`).
    pub default_country: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The catalog.
    pub catalog: Catalog,
    /// API keys.
    pub keys: ApiKeys,
    /// Accounts and the OAuth 2.0 authorization server.
    pub auth: AuthServer,
    /// Book content: covers, the reader's pages, downloads.
    pub content: Content,
    /// Settings.
    pub config: Arc<HttpConfig>,
}
