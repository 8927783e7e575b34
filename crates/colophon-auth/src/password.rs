//! Passwords: argon2id hashes in PHC string form, computed on the blocking pool.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::Argon2;

use crate::AuthError;

/// Shortest password accepted.
pub const MIN_LEN: usize = 8;
/// Longest password accepted, in bytes (hashing cost stays bounded).
pub const MAX_BYTES: usize = 1024;

/// Why a new password is refused.
pub fn check_policy(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < MIN_LEN {
        return Err("Use at least 8 characters for your password.");
    }
    if password.len() > MAX_BYTES {
        return Err("Use at most 1024 bytes for your password.");
    }
    Ok(())
}

/// Hashes `password` with argon2id (the crate's default, OWASP-recommended parameters).
pub async fn hash(password: &str) -> Result<String, AuthError> {
    let password = password.to_owned();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AuthError::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| AuthError::Internal(format!("password hashing task: {e}")))?
}

/// Checks `password` against a PHC string; `false` on mismatch or an unreadable hash.
pub async fn verify(password: &str, phc: &str) -> Result<bool, AuthError> {
    let password = password.to_owned();
    let phc = phc.to_owned();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(|e| AuthError::Internal(format!("password verification task: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = hash("correct horse").await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!h.contains("correct horse"));
        assert!(verify("correct horse", &h).await.unwrap());
        assert!(!verify("correct hors", &h).await.unwrap());
        assert!(!verify("x", "not a hash").await.unwrap());
        assert_ne!(hash("correct horse").await.unwrap(), h, "salted");
    }

    #[test]
    fn policy() {
        assert!(check_policy("1234567").is_err());
        assert!(check_policy("12345678").is_ok());
        assert!(check_policy(&"x".repeat(1025)).is_err());
    }
}
