#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod accounts;
pub mod authorize;
pub mod clients;
pub mod clock;
pub mod device;
pub mod error;
pub mod password;
pub mod pkce;
pub mod redirect;
pub mod scope;
pub mod secret;
mod server;
pub mod throttle;
pub mod token;
pub mod tokens;

pub use accounts::{Account, SignInError};
pub use authorize::{AuthorizationRequest, AuthorizeError, ConsentDecision, Prompt};
pub use clients::{ClientKind, CreatedClient, OAuthClient};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{AuthError, OAuthError};
pub use scope::{ScopeSet, BOOKS_SCOPE};
pub use server::{AuthConfig, AuthServer};
pub use token::{ClientCredentials, TokenResponse};
pub use tokens::{AccessInfo, Introspection, TokenInfo};

/// Access tokens live one hour; Google answers `expires_in: 3599`.
pub const ACCESS_TOKEN_SECS: i64 = 3599;
/// Authorization codes live five minutes (RFC 6749 allows ten).
pub const CODE_SECS: i64 = 300;
/// Device and user codes live thirty minutes.
pub const DEVICE_CODE_SECS: i64 = 1800;
/// Minimum seconds between device polls, at first.
pub const DEVICE_INTERVAL_SECS: i64 = 5;
/// Live refresh-token grants kept per user and client; the oldest go first.
pub const REFRESH_GRANT_CAP: usize = 100;
