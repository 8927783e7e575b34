//! Errors: [`AuthError`] for failures inside the server, [`OAuthError`] for protocol answers
//! in RFC 6749's shape (`{"error", "error_description"}`), which the HTTP layer writes as is.

use colophon_store::StoreError;

/// A failure that is not the client's fault.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something else failed inside (a hashing task, …).
    #[error("{0}")]
    Internal(String),
}

/// A protocol error answered to the client: an `error` code of RFC 6749 (or Google's own),
/// a description (Google's wording where known), and the HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {description}")]
pub struct OAuthError {
    /// HTTP status.
    pub status: u16,
    /// `error` code, e.g. `invalid_grant`.
    pub error: &'static str,
    /// `error_description`.
    pub description: String,
    /// The client authenticated with HTTP Basic and failed: answer a `WWW-Authenticate:
    /// Basic` challenge.
    pub basic_challenge: bool,
}

impl OAuthError {
    /// A 400 error.
    pub fn bad(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status: 400,
            error,
            description: description.into(),
            basic_challenge: false,
        }
    }

    /// `invalid_request`.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::bad("invalid_request", description)
    }

    /// `invalid_request` for a missing parameter, in Google's words.
    pub fn missing(param: &str) -> Self {
        Self::invalid_request(format!("Missing required parameter: {param}"))
    }

    /// `invalid_grant`.
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::bad("invalid_grant", description)
    }

    /// 401 `invalid_client`.
    pub fn invalid_client(description: impl Into<String>, basic: bool) -> Self {
        Self {
            status: 401,
            error: "invalid_client",
            description: description.into(),
            basic_challenge: basic,
        }
    }

    /// A 500 whose details stay in the log.
    pub fn server_error() -> Self {
        Self {
            status: 500,
            error: "server_error",
            description: "Internal error encountered.".into(),
            basic_challenge: false,
        }
    }
}

impl From<AuthError> for OAuthError {
    fn from(e: AuthError) -> Self {
        tracing::error!(error.detail = %e, "authorization server error: {e}");
        Self::server_error()
    }
}

impl From<StoreError> for OAuthError {
    fn from(e: StoreError) -> Self {
        AuthError::from(e).into()
    }
}
