//! Random secrets, their hashes, and constant-time comparison.
//!
//! Every secret this crate issues (tokens, codes, device codes, session ids, client secrets)
//! carries at least 256 bits from the OS-seeded CSPRNG, is written in the URL-safe alphabet
//! (`A–Z a–z 0–9 - _`), and is stored only as its SHA-256. Because such secrets are high-entropy,
//! a plain (unsalted) SHA-256 is enough, and it allows lookups by hash.

use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use rand::Rng as _;
use sha2::{Digest, Sha256};

/// `bytes` random bytes in unpadded base64url.
pub fn random_urlsafe(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill(&mut buf[..]);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// `n` random decimal digits.
pub fn random_digits(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// `n` random characters of `alphabet`.
pub fn random_from(alphabet: &[u8], n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())]))
        .collect()
}

/// Lower-case hex SHA-256 of a secret: the only form in which secrets are stored.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two secrets (or hashes) in time that depends only on their lengths.
pub fn ct_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Hex HMAC-SHA256 of `message` under `key`: CSRF tokens bound to a session and a purpose.
pub fn hmac_hex(key: &str, message: &str) -> String {
    hex::encode(hmac_sha256(key.as_bytes(), message.as_bytes()))
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        // HMAC takes keys of any length; this branch cannot run.
        return [0; 32];
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_comparison_is_equality() {
        assert!(ct_eq("abc", "abc"));
        assert!(!ct_eq("abc", "abd"));
        assert!(!ct_eq("abc", "abcd"));
        assert!(!ct_eq("", "a"));
        assert!(ct_eq("", ""));
    }

    #[test]
    fn secrets_are_urlsafe_and_distinct() {
        let a = random_urlsafe(32);
        let b = random_urlsafe(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(random_digits(20).len(), 20);
        assert!(random_digits(20).bytes().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn hashes_are_sha256_hex() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        assert_eq!(
            hmac_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
