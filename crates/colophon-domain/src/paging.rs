//! Opaque page tokens for listings paged by position (`series.membership.get`,
//! `onboarding.listCategoryVolumes`): the offset of the next page, bound to the listing it
//! came from so that a token of another listing is refused rather than misread.

use base64::Engine as _;

use crate::annotation::filter_fingerprint;

/// The next page of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetToken {
    /// Position of the first item of the page.
    pub offset: u32,
}

/// A token that is malformed or belongs to another listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid page token")]
pub struct BadToken;

impl OffsetToken {
    /// The token's text for the listing described by `listing` (its parameters).
    pub fn encode(&self, listing: &[&str]) -> String {
        let raw = format!("o1 {} {}", self.offset, filter_fingerprint(listing));
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    }

    /// Decodes a token made by [`encode`](Self::encode) for the same `listing`.
    pub fn decode(token: &str, listing: &[&str]) -> Result<Self, BadToken> {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|_| BadToken)?;
        let raw = String::from_utf8(raw).map_err(|_| BadToken)?;
        let mut parts = raw.split(' ');
        if parts.next() != Some("o1") {
            return Err(BadToken);
        }
        let offset: u32 = parts.next().and_then(|s| s.parse().ok()).ok_or(BadToken)?;
        let fingerprint: u64 = parts.next().and_then(|s| s.parse().ok()).ok_or(BadToken)?;
        if parts.next().is_some() || fingerprint != filter_fingerprint(listing) {
            return Err(BadToken);
        }
        Ok(Self { offset })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_within_their_listing_only() {
        let t = OffsetToken { offset: 20 }.encode(&["series", "abc"]);
        assert_eq!(
            OffsetToken::decode(&t, &["series", "abc"]),
            Ok(OffsetToken { offset: 20 })
        );
        assert_eq!(OffsetToken::decode(&t, &["series", "abd"]), Err(BadToken));
        assert_eq!(OffsetToken::decode("garbage!", &["series"]), Err(BadToken));
        assert_eq!(OffsetToken::decode("", &["series"]), Err(BadToken));
    }
}
