//! [`AuthServer`]: the authorization server's state (store, clock, issuer, throttles; the
//! throttles' counts and pending consents live in the store, shared by every process). Its methods live in the modules of each concern (`accounts`, `clients`,
//! `authorize`, `token`, `device`, `tokens`).

use std::sync::Arc;

use chrono::Duration;
use colophon_store::Store;

use crate::clock::Clock;
use crate::throttle::Throttle;

/// Settings of the authorization server.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// The issuer: the server's public base URL without a trailing slash (RFC 8414, RFC 9207).
    pub issuer: String,
}

/// The authorization server. Cheap to clone (shared state).
#[derive(Clone)]
pub struct AuthServer {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) config: AuthConfig,
    /// Failed sign-ins per email: 5 per 15 minutes.
    pub(crate) signin_by_email: Throttle,
    /// Failed sign-ins per client address: 20 per 15 minutes.
    pub(crate) signin_by_addr: Throttle,
    /// Wrong user codes per browser session: 5 per 15 minutes (RFC 8628 §5.1).
    pub(crate) user_codes_by_session: Throttle,
    /// Wrong user codes per client address: 20 per 15 minutes (RFC 8628 §5.1).
    pub(crate) user_codes_by_addr: Throttle,
    /// Failed token requests per client: 50 per 5 minutes.
    pub(crate) token_failures_by_client: Throttle,
    /// A real argon2id hash of nothing, verified against when the email is unknown so that
    /// both failures take the same time.
    pub(crate) dummy_hash: tokio::sync::OnceCell<String>,
}

impl AuthServer {
    /// A server over `store`, reading the time from `clock`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: AuthConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                clock,
                config: AuthConfig {
                    issuer: config.issuer.trim_end_matches('/').to_owned(),
                },
                signin_by_email: Throttle::new("signin-email", 5, Duration::minutes(15)),
                signin_by_addr: Throttle::new("signin-addr", 20, Duration::minutes(15)),
                user_codes_by_session: Throttle::new("user-code-session", 5, Duration::minutes(15)),
                user_codes_by_addr: Throttle::new("user-code-addr", 20, Duration::minutes(15)),
                token_failures_by_client: Throttle::new("token-client", 50, Duration::minutes(5)),
                dummy_hash: tokio::sync::OnceCell::new(),
            }),
        }
    }

    /// The issuer URL.
    pub fn issuer(&self) -> &str {
        &self.inner.config.issuer
    }

    /// Whether the issuer is served over TLS (cookies get `Secure` and the `__Host-` prefix).
    pub fn is_https(&self) -> bool {
        self.inner.config.issuer.starts_with("https://")
    }

    /// Now, by the server's clock (a fixed clock in tests): the time of every write.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    pub(crate) fn store(&self) -> &dyn Store {
        &*self.inner.store
    }
}
