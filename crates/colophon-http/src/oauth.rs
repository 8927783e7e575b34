//! The OAuth 2.0 endpoints, under Google's paths (`oauth-behavior.md` §2): authorization,
//! token, device authorization, revocation, token info, introspection and metadata.
//!
//! Errors of these endpoints use RFC 6749's JSON shape (`oauth::error`), never the Books API's
//! Google envelope; the authorization endpoint answers with pages and redirects instead.

pub mod authorize;
pub mod device;
pub mod error;
pub mod form;
pub mod metadata;
pub mod revoke;
pub mod token;
pub mod tokeninfo;
