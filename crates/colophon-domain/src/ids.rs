//! Volume identifiers: 12 characters of `[A-Za-z0-9_-]`, case-sensitive, as Google's.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::fmt;

/// A volume id. Parsing checks the alphabet and the length; ids are case-sensitive.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct VolumeId(String);

impl TryFrom<String> for VolumeId {
    type Error = VolumeIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<VolumeId> for String {
    fn from(id: VolumeId) -> String {
        id.0
    }
}

/// Why a string is not a volume id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VolumeIdError {
    /// Not exactly 12 characters.
    #[error("a volume id has 12 characters")]
    Length,
    /// A character outside `[A-Za-z0-9_-]`.
    #[error("a volume id uses only letters, digits, '_' and '-'")]
    Alphabet,
}

impl VolumeId {
    /// Length of every volume id.
    pub const LEN: usize = 12;

    /// Parses a volume id.
    pub fn parse(s: &str) -> Result<Self, VolumeIdError> {
        if s.len() != Self::LEN {
            return Err(VolumeIdError::Length);
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(VolumeIdError::Alphabet);
        }
        Ok(Self(s.to_owned()))
    }

    /// The stable id of a record known in its source by `source_key` (e.g. `demo:pg1342`):
    /// importing the same record again yields the same id.
    pub fn derive(source_key: &str) -> Self {
        let digest = Sha256::digest(source_key.as_bytes());
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..9]))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VolumeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for VolumeId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_google_ids_case_sensitively() {
        let a = VolumeId::parse("chcnvwEACAAJ").unwrap();
        let b = VolumeId::parse("cHcnvwEACAAJ").unwrap();
        assert_ne!(a, b);
        assert_eq!(VolumeId::parse("_LettPDhwR0Ca"), Err(VolumeIdError::Length));
        assert_eq!(
            VolumeId::parse("abc/efgh1234"),
            Err(VolumeIdError::Alphabet)
        );
        assert_eq!(VolumeId::parse(""), Err(VolumeIdError::Length));
    }

    #[test]
    fn derived_ids_are_stable_and_valid() {
        let a = VolumeId::derive("demo:pg1342");
        assert_eq!(a, VolumeId::derive("demo:pg1342"));
        assert_ne!(a, VolumeId::derive("demo:pg1343"));
        assert!(VolumeId::parse(a.as_str()).is_ok());
    }
}
