//! Shared state of the HTTP layer.

use std::sync::Arc;

use colophon_auth::AuthServer;
use colophon_domain::key_restrictions::IpRange;
use colophon_service::{ApiKeys, Catalog, Console, Content, Library, Licensing, Uploads};

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
    /// Proxies whose `X-Forwarded-For` is believed (see `console_gate`).
    pub trusted_proxies: Vec<IpRange>,
    /// Account emails (lower case) of the console's administrators.
    pub administrators: Vec<String>,
    /// How a used-up quota is answered.
    pub quota_errors: QuotaErrors,
}

/// The dialect of quota answers (`quota_errors` in the configuration).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QuotaErrors {
    /// Google's current front end: 429 `RESOURCE_EXHAUSTED` / `rateLimitExceeded` for every
    /// quota (what the real service answers today).
    #[default]
    Current,
    /// The pre-2020 front end: 403 `usageLimits` / `dailyLimitExceeded` for the daily quota
    /// and `userRateLimitExceeded` for the per-user rate, for clients written against it.
    Legacy,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The catalog.
    pub catalog: Catalog,
    /// API keys.
    pub keys: ApiKeys,
    /// Users' shelves and reading positions.
    pub library: Library,
    /// Lent books' licenses and users' settings (`myconfig.*`).
    pub licensing: Licensing,
    /// Accounts and the OAuth 2.0 authorization server.
    pub auth: AuthServer,
    /// Projects, key restrictions, quotas and usage (the developer console).
    pub console: Console,
    /// Book content: covers, the reader's pages, downloads.
    pub content: Content,
    /// Users' own uploaded books.
    pub uploads: Uploads,
    /// Settings.
    pub config: Arc<HttpConfig>,
}
