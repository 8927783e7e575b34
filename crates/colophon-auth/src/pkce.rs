//! PKCE (RFC 7636): challenge syntax at the authorization endpoint, verifier checks at the
//! token endpoint.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// A challenge method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `S256`: the challenge is base64url(SHA-256(verifier)).
    S256,
    /// `plain`: the challenge is the verifier (Google's default when no method is given).
    Plain,
}

impl Method {
    /// Parses `code_challenge_method`; absent means `plain`, as at Google.
    pub fn parse(raw: Option<&str>) -> Option<Self> {
        match raw {
            None | Some("plain") => Some(Self::Plain),
            Some("S256") => Some(Self::S256),
            Some(_) => None,
        }
    }

    /// The parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::S256 => "S256",
            Self::Plain => "plain",
        }
    }
}

/// Whether `s` has the syntax of a verifier or challenge: 43–128 of `[A-Za-z0-9-._~]`.
pub fn well_formed(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether `verifier` answers `challenge` under `method` (constant-time comparison).
pub fn verify(method: Method, challenge: &str, verifier: &str) -> bool {
    if !well_formed(verifier) {
        return false;
    }
    let derived = match method {
        Method::Plain => verifier.to_owned(),
        Method::S256 => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes())),
    };
    crate::secret::ct_eq(&derived, challenge)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc7636_appendix_b() {
        assert!(verify(Method::S256, CHALLENGE, VERIFIER));
        assert!(!verify(
            Method::S256,
            CHALLENGE,
            &VERIFIER.replace('d', "e")
        ));
        // The challenge itself is not a verifier (SEC-07).
        assert!(!verify(Method::S256, CHALLENGE, CHALLENGE));
        assert!(verify(Method::Plain, VERIFIER, VERIFIER));
    }

    #[test]
    fn verifier_syntax() {
        assert!(!well_formed(&"a".repeat(42)));
        assert!(well_formed(&"a".repeat(43)));
        assert!(well_formed(&"a".repeat(128)));
        assert!(!well_formed(&"a".repeat(129)));
        assert!(!well_formed(&format!("{}+", "a".repeat(43))));
        assert!(!verify(Method::Plain, &"a".repeat(42), &"a".repeat(42)));
        assert_eq!(Method::parse(None), Some(Method::Plain));
        assert_eq!(Method::parse(Some("S256")), Some(Method::S256));
        assert_eq!(Method::parse(Some("s256")), None);
    }
}
