//! Accounts: sign-up, sign-in (throttled, no account enumeration), sessions, sign-out,
//! password change, and CSRF tokens bound to the browser's cookie.
//!
//! A browser always carries one random cookie value. Before sign-in it is stored nowhere and
//! only keys its CSRF tokens; signing in issues a **new** value whose hash becomes a session
//! row, so a value planted before sign-in is useless afterwards (no session fixation).

use chrono::{DateTime, Duration, Utc};
use colophon_store::{SessionRecord, UserRecord};

use crate::{password, secret, AuthError, AuthServer};

/// Sessions end after this long without a request.
pub const SESSION_IDLE: Duration = Duration::days(14);
/// Sessions end this long after sign-in, whatever happens.
pub const SESSION_ABSOLUTE: Duration = Duration::days(30);

/// A user account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Stable numeric-string id.
    pub id: String,
    /// Email address (lower case).
    pub email: String,
    /// Creation time.
    pub created: DateTime<Utc>,
}

impl From<UserRecord> for Account {
    fn from(u: UserRecord) -> Self {
        Self {
            id: u.id,
            email: u.email,
            created: u.created,
        }
    }
}

/// Why a sign-up was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    /// The email is malformed.
    #[error("{0}")]
    InvalidEmail(&'static str),
    /// The password breaks the policy.
    #[error("{0}")]
    WeakPassword(&'static str),
    /// An account with this email exists.
    #[error("An account with this email address already exists.")]
    EmailTaken,
    /// Internal failure.
    #[error(transparent)]
    Internal(#[from] AuthError),
}

/// Why a sign-in failed. Unknown email and wrong password are the same variant.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong email or password.
    #[error("Wrong email or password.")]
    Invalid,
    /// Too many failures recently.
    #[error("Too many failed attempts. Try again later.")]
    Throttled,
    /// Internal failure.
    #[error(transparent)]
    Internal(#[from] AuthError),
}

impl From<colophon_store::StoreError> for SignInError {
    fn from(e: colophon_store::StoreError) -> Self {
        Self::Internal(e.into())
    }
}

/// Why a password change failed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    /// The current password is wrong.
    #[error("The current password is wrong.")]
    WrongPassword,
    /// The new password breaks the policy.
    #[error("{0}")]
    WeakPassword(&'static str),
    /// Internal failure.
    #[error(transparent)]
    Internal(#[from] AuthError),
}

/// A new signed-in session: the cookie value to set, and who it is.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie value (secret).
    pub cookie: String,
    /// The account.
    pub account: Account,
}

/// Lower-cases and checks an email address.
pub fn normalize_email(raw: &str) -> Result<String, &'static str> {
    let email = raw.trim().to_lowercase();
    let bad = "Enter a valid email address.";
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad);
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.') =>
        {
            Ok(email)
        }
        _ => Err(bad),
    }
}

/// A fresh random browser cookie value (anonymous until a sign-in replaces it).
pub fn new_cookie_value() -> String {
    secret::random_urlsafe(32)
}

/// The CSRF token of `purpose` for the browser holding `cookie`.
pub fn csrf_token(cookie: &str, purpose: &str) -> String {
    secret::hmac_hex(cookie, &format!("colophon-csrf:{purpose}"))
}

/// Whether `token` is the CSRF token of `purpose` for `cookie` (constant time).
pub fn verify_csrf(cookie: &str, purpose: &str, token: &str) -> bool {
    !cookie.is_empty() && secret::ct_eq(&csrf_token(cookie, purpose), token)
}

impl AuthServer {
    /// Creates an account (sign-up page and `colophon users create`).
    pub async fn create_user(&self, email: &str, pw: &str) -> Result<Account, SignUpError> {
        let email = normalize_email(email).map_err(SignUpError::InvalidEmail)?;
        password::check_policy(pw).map_err(SignUpError::WeakPassword)?;
        let password_hash = password::hash(pw).await?;
        let now = self.now();
        let user = UserRecord {
            // Like Google's: 21 digits, never starting with 0.
            id: format!("1{}", secret::random_digits(20)),
            email,
            password_hash,
            created: now,
            password_changed: now,
        };
        if !self
            .store()
            .insert_user(&user)
            .await
            .map_err(AuthError::from)?
        {
            return Err(SignUpError::EmailTaken);
        }
        tracing::info!(user.id = %user.id, "account {} created", user.id);
        Ok(user.into())
    }

    /// Signs in with email and password from client address `addr`; on success returns a
    /// new session cookie value.
    pub async fn sign_in(
        &self,
        email: &str,
        pw: &str,
        addr: &str,
    ) -> Result<NewSession, SignInError> {
        let now = self.now();
        let email_key = email.trim().to_lowercase();
        let inner = &self.inner;
        let store = self.store();
        if inner
            .signin_by_email
            .is_locked(store, &email_key, now)
            .await?
            || inner.signin_by_addr.is_locked(store, addr, now).await?
        {
            return Err(SignInError::Throttled);
        }
        let user = match normalize_email(email) {
            Ok(e) => self
                .store()
                .find_user_by_email(&e)
                .await
                .map_err(AuthError::from)?,
            Err(_) => None,
        };
        let ok = match &user {
            Some(u) if pw.len() <= password::MAX_BYTES => {
                password::verify(pw, &u.password_hash).await?
            }
            _ => {
                // Same work for an unknown user as for a wrong password.
                let dummy = inner
                    .dummy_hash
                    .get_or_try_init(|| password::hash("colophon dummy password"))
                    .await?;
                let _ = password::verify(pw, dummy).await?;
                false
            }
        };
        let Some(user) = user.filter(|_| ok) else {
            inner.signin_by_email.fail(store, &email_key, now).await?;
            inner.signin_by_addr.fail(store, addr, now).await?;
            tracing::info!("failed sign-in");
            return Err(SignInError::Invalid);
        };
        inner.signin_by_email.clear(store, &email_key).await?;
        let cookie = new_cookie_value();
        self.store()
            .insert_session(&SessionRecord {
                id_hash: secret::hash(&cookie),
                user_id: user.id.clone(),
                created: now,
                last_seen: now,
            })
            .await
            .map_err(AuthError::from)?;
        tracing::info!(user.id = %user.id, "user {} signed in", user.id);
        Ok(NewSession {
            cookie,
            account: user.into(),
        })
    }

    /// The account signed in with this cookie value, if its session is alive.
    pub async fn session_account(&self, cookie: &str) -> Result<Option<Account>, AuthError> {
        if cookie.is_empty() || cookie.len() > 200 {
            return Ok(None);
        }
        let id_hash = secret::hash(cookie);
        let Some(session) = self.store().find_session(&id_hash).await? else {
            return Ok(None);
        };
        let now = self.now();
        if now - session.last_seen > SESSION_IDLE || now - session.created > SESSION_ABSOLUTE {
            self.store().delete_session(&id_hash).await?;
            return Ok(None);
        }
        if now - session.last_seen > Duration::minutes(1) {
            self.store().touch_session(&id_hash, now).await?;
        }
        Ok(self
            .store()
            .find_user(&session.user_id)
            .await?
            .map(Account::from))
    }

    /// Ends the session of this cookie value.
    pub async fn sign_out(&self, cookie: &str) -> Result<(), AuthError> {
        self.store().delete_session(&secret::hash(cookie)).await?;
        Ok(())
    }

    /// Changes a password after checking the current one; other sessions of the user end.
    pub async fn change_password(
        &self,
        user_id: &str,
        cookie: &str,
        current: &str,
        new: &str,
    ) -> Result<(), PasswordChangeError> {
        let user = self
            .store()
            .find_user(user_id)
            .await
            .map_err(AuthError::from)?
            .ok_or(PasswordChangeError::WrongPassword)?;
        if current.len() > password::MAX_BYTES
            || !password::verify(current, &user.password_hash).await?
        {
            return Err(PasswordChangeError::WrongPassword);
        }
        password::check_policy(new).map_err(PasswordChangeError::WeakPassword)?;
        let hash = password::hash(new).await?;
        let store = self.store();
        store
            .set_password_hash(user_id, &hash, self.now())
            .await
            .map_err(AuthError::from)?;
        store
            .delete_user_sessions(user_id, Some(&secret::hash(cookie)))
            .await
            .map_err(AuthError::from)?;
        tracing::info!(user.id = %user_id, "user {user_id} changed their password");
        Ok(())
    }

    /// The account with this email.
    pub async fn find_account_by_email(&self, email: &str) -> Result<Option<Account>, AuthError> {
        let Ok(email) = normalize_email(email) else {
            return Ok(None);
        };
        Ok(self
            .store()
            .find_user_by_email(&email)
            .await?
            .map(Account::from))
    }

    /// The account with this id.
    pub async fn find_account(&self, id: &str) -> Result<Option<Account>, AuthError> {
        Ok(self.store().find_user(id).await?.map(Account::from))
    }

    /// Every account, oldest first.
    pub async fn list_accounts(&self) -> Result<Vec<Account>, AuthError> {
        Ok(self
            .store()
            .list_users()
            .await?
            .into_iter()
            .map(Account::from)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalize_email(" Ada@Example.ORG ").unwrap(),
            "ada@example.org"
        );
        for bad in [
            "",
            "ada",
            "@x",
            "ada@",
            "a b@x.org",
            "a@b@c",
            "a@.org",
            "a@org.",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn csrf_tokens_are_bound_to_cookie_and_purpose() {
        let t = csrf_token("cookie-a", "signin");
        assert!(verify_csrf("cookie-a", "signin", &t));
        assert!(!verify_csrf("cookie-b", "signin", &t));
        assert!(!verify_csrf("cookie-a", "signup", &t));
        assert!(!verify_csrf("", "signin", &csrf_token("", "signin")));
        assert!(!verify_csrf("cookie-a", "signin", ""));
    }
}
