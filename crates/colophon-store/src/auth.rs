//! Identity and OAuth 2.0 storage: users and their sign-in sessions ([`AccountStore`]), OAuth
//! clients, remembered consents, grants, tokens, authorization codes and device codes
//! ([`OAuthStore`]).
//!
//! Secrets never reach the store in clear: sessions, tokens, codes, device codes, user codes
//! and client secrets are stored as hashes computed by the caller (`colophon-auth`), and
//! passwords as argon2id PHC strings. Lookups are by hash.
//!
//! Vocabulary: a **consent** is what a user remembered having granted a client (one per user
//! and client, the set of scopes); a **grant** is one family of tokens issued together (from
//! one authorization code, one device code, or one `colophon tokens issue`): revoking a grant
//! kills every access and refresh token in it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreResult;

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Stable numeric-string id (like Google's `sub`).
    pub id: String,
    /// Email address, normalised to lower case by the caller.
    pub email: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last password change (creation time at first).
    pub password_changed: DateTime<Utc>,
}

/// A signed-in browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Hash of the session cookie's value.
    pub id_hash: String,
    /// The signed-in user.
    pub user_id: String,
    /// Sign-in time.
    pub created: DateTime<Utc>,
    /// Last request seen (idle expiry counts from here).
    pub last_seen: DateTime<Utc>,
}

/// A registered OAuth client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRecord {
    /// Public client id.
    pub id: String,
    /// Application name shown on the consent page.
    pub name: String,
    /// `web`, `installed` or `tv`.
    pub kind: String,
    /// Hash of the client secret; `None` for a client without a secret.
    pub secret_hash: Option<String>,
    /// Registered redirect URIs (web clients), in registration order.
    pub redirect_uris: Vec<String>,
    /// PKCE is required for this client.
    pub require_pkce: bool,
    /// Refresh tokens rotate on use (with reuse detection).
    pub rotate_refresh_tokens: bool,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Deletion time; a deleted client authenticates nothing and its tokens stop working.
    pub deleted: Option<DateTime<Utc>>,
}

/// What a user granted a client, remembered to skip the consent page next time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    /// The user.
    pub user_id: String,
    /// The client.
    pub client_id: String,
    /// Granted scopes, space-separated.
    pub scopes: String,
    /// First grant.
    pub created: DateTime<Utc>,
    /// Last change.
    pub updated: DateTime<Utc>,
}

/// One family of tokens issued together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRecord {
    /// Random id.
    pub id: String,
    /// The user the tokens act for.
    pub user_id: String,
    /// The client holding them.
    pub client_id: String,
    /// Scopes, space-separated.
    pub scopes: String,
    /// `online` or `offline`.
    pub access_type: String,
    /// Where it came from: `code`, `device` or `cli`.
    pub origin: String,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Revocation time.
    pub revoked: Option<DateTime<Utc>>,
}

/// An access or refresh token (its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// Hash of the token.
    pub hash: String,
    /// The grant it belongs to.
    pub grant_id: String,
    /// `access` or `refresh`.
    pub kind: String,
    /// Issue time.
    pub created: DateTime<Utc>,
    /// Expiry (access tokens); `None` for refresh tokens.
    pub expires: Option<DateTime<Utc>>,
    /// When a rotation replaced this refresh token.
    pub superseded: Option<DateTime<Utc>>,
    /// Last use (refresh tokens).
    pub last_used: Option<DateTime<Utc>>,
}

/// A token with the grant it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenLookup {
    /// The token.
    pub token: TokenRecord,
    /// Its grant.
    pub grant: GrantRecord,
}

/// An authorization code (its hash) and everything it is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    /// Hash of the code.
    pub hash: String,
    /// Client it was issued to.
    pub client_id: String,
    /// User who approved.
    pub user_id: String,
    /// The exact `redirect_uri` of the authorization request.
    pub redirect_uri: String,
    /// Granted scopes, space-separated.
    pub scopes: String,
    /// `online` or `offline`.
    pub access_type: String,
    /// Issue a refresh token at the exchange.
    pub issue_refresh: bool,
    /// PKCE challenge, if one was sent.
    pub code_challenge: Option<String>,
    /// `S256` or `plain`, with a challenge.
    pub code_challenge_method: Option<String>,
    /// Id of the grant the exchange creates (fixed in advance, so a replay can revoke it).
    pub grant_id: String,
    /// Issue time.
    pub created: DateTime<Utc>,
    /// Expiry.
    pub expires: DateTime<Utc>,
    /// First redemption.
    pub used: Option<DateTime<Utc>>,
}

/// Outcome of [`OAuthStore::redeem_code`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRedemption {
    /// No such code.
    Unknown,
    /// This call redeemed it (the record shows the `used` time just set).
    First(CodeRecord),
    /// It had been redeemed before.
    Replayed(CodeRecord),
}

/// An authorization request waiting on the consent page, bound to the browser that saw it.
/// Kept in the store so that any server process can answer the page's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingConsentRecord {
    /// Hash of the request id the page posts back.
    pub id_hash: String,
    /// Hash of the session cookie of the browser that saw the page.
    pub cookie_hash: String,
    /// The checked request, encoded by the caller.
    pub request: String,
    /// When it was parked.
    pub created: DateTime<Utc>,
    /// When it may no longer be answered.
    pub expires: DateTime<Utc>,
}

/// A device authorization (RFC 8628) in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    /// Hash of the device code.
    pub device_hash: String,
    /// Hash of the normalised user code.
    pub user_code_hash: String,
    /// The client (device).
    pub client_id: String,
    /// Requested scopes, space-separated.
    pub scopes: String,
    /// Issue time.
    pub created: DateTime<Utc>,
    /// Expiry of both codes.
    pub expires: DateTime<Utc>,
    /// Minimum seconds between polls.
    pub interval_secs: i64,
    /// Last poll.
    pub last_poll: Option<DateTime<Utc>>,
    /// `pending`, `approved`, `denied` or `redeemed`.
    pub status: String,
    /// The user who approved or denied.
    pub user_id: Option<String>,
}

/// Users and their browser sessions.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Stores a new user; `false` (and nothing written) when the email is taken.
    async fn insert_user(&self, user: &UserRecord) -> StoreResult<bool>;
    /// The user with this (normalised) email.
    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>>;
    /// The user with this id.
    async fn find_user(&self, id: &str) -> StoreResult<Option<UserRecord>>;
    /// Every user, oldest first.
    async fn list_users(&self) -> StoreResult<Vec<UserRecord>>;
    /// Replaces a user's password hash; `false` when there is no such user.
    async fn set_password_hash(
        &self,
        user_id: &str,
        password_hash: &str,
        when: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Stores a new session.
    async fn insert_session(&self, session: &SessionRecord) -> StoreResult<()>;
    /// The session with this hash.
    async fn find_session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>>;
    /// Records activity on a session.
    async fn touch_session(&self, id_hash: &str, when: DateTime<Utc>) -> StoreResult<()>;
    /// Deletes one session; `false` when there was none.
    async fn delete_session(&self, id_hash: &str) -> StoreResult<bool>;
    /// Deletes every session of a user except `keep` (a hash); returns how many went.
    async fn delete_user_sessions(&self, user_id: &str, keep: Option<&str>) -> StoreResult<u64>;
}

/// OAuth clients, consents, grants, tokens, codes and device authorizations.
#[async_trait]
pub trait OAuthStore: Send + Sync {
    /// Stores a new client.
    async fn insert_client(&self, client: &ClientRecord) -> StoreResult<()>;
    /// The client with this id, deleted or not.
    async fn find_client(&self, id: &str) -> StoreResult<Option<ClientRecord>>;
    /// Every client, oldest first.
    async fn list_clients(&self) -> StoreResult<Vec<ClientRecord>>;
    /// Marks a client deleted; `false` when there is no such undeleted client.
    async fn delete_client(&self, id: &str, when: DateTime<Utc>) -> StoreResult<bool>;

    /// Creates or replaces the consent of (user, client).
    async fn put_consent(&self, consent: &ConsentRecord) -> StoreResult<()>;
    /// The consent of (user, client).
    async fn find_consent(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StoreResult<Option<ConsentRecord>>;
    /// Every consent of a user, oldest first.
    async fn list_consents(&self, user_id: &str) -> StoreResult<Vec<ConsentRecord>>;
    /// Forgets the consent of (user, client); `false` when there was none.
    async fn delete_consent(&self, user_id: &str, client_id: &str) -> StoreResult<bool>;

    /// Stores a grant together with its first tokens, atomically; `false` (and nothing
    /// written) when a grant with that id exists already, e.g. barred by [`Self::bar_grant`].
    async fn insert_grant(&self, grant: &GrantRecord, tokens: &[TokenRecord]) -> StoreResult<bool>;
    /// Revokes `grant` (its `revoked` time set), storing it revoked if it is not stored yet so
    /// that a later [`Self::insert_grant`] of the same id fails: a replayed authorization code
    /// kills what the first redemption issues even when that redemption is still running.
    /// `true` when a live grant was revoked.
    async fn bar_grant(&self, grant: &GrantRecord) -> StoreResult<bool>;
    /// Revokes one grant; `false` when it was unknown or already revoked.
    async fn revoke_grant(&self, grant_id: &str, when: DateTime<Utc>) -> StoreResult<bool>;
    /// Revokes every live grant of (user, client); returns how many.
    async fn revoke_grants_of(
        &self,
        user_id: &str,
        client_id: &str,
        when: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Live (unrevoked) grants of (user, client) that hold a live refresh token, oldest first.
    async fn live_refresh_grants(&self, user_id: &str, client_id: &str)
        -> StoreResult<Vec<String>>;

    /// Clients holding a usable token of this user at `now` (an unexpired access token or a
    /// live refresh token in an unrevoked grant), each with its oldest such grant's creation
    /// time and scopes, oldest first.
    async fn clients_with_live_grants(
        &self,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(String, DateTime<Utc>, String)>>;

    /// Adds a token to an existing grant.
    async fn insert_token(&self, token: &TokenRecord) -> StoreResult<()>;
    /// The token with this hash and its grant.
    async fn find_token(&self, hash: &str) -> StoreResult<Option<TokenLookup>>;
    /// Marks the refresh token `old_hash` superseded and stores `new` tokens, atomically;
    /// `false` (and nothing written) when `old_hash` was already superseded or unknown.
    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new: &[TokenRecord],
        when: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Records a use of a token.
    async fn touch_token(&self, hash: &str, when: DateTime<Utc>) -> StoreResult<()>;
    /// Deletes access tokens, authorization codes, device authorizations, parked consent
    /// requests and throttle failures that expired (or happened) before `before`; returns how
    /// many rows went.
    async fn prune_expired(&self, before: DateTime<Utc>) -> StoreResult<u64>;

    /// Stores an authorization code.
    async fn insert_code(&self, code: &CodeRecord) -> StoreResult<()>;
    /// Marks a code used; exactly one of concurrent callers gets [`CodeRedemption::First`].
    async fn redeem_code(&self, hash: &str, when: DateTime<Utc>) -> StoreResult<CodeRedemption>;

    /// Stores a device authorization.
    async fn insert_device(&self, device: &DeviceRecord) -> StoreResult<()>;
    /// The device authorization with this device-code hash.
    async fn find_device(&self, device_hash: &str) -> StoreResult<Option<DeviceRecord>>;
    /// The device authorization with this user-code hash.
    async fn find_device_by_user_code(
        &self,
        user_code_hash: &str,
    ) -> StoreResult<Option<DeviceRecord>>;
    /// Records the user's decision (`approved` or `denied`) on a pending authorization;
    /// `false` when it is not pending.
    async fn decide_device(
        &self,
        device_hash: &str,
        status: &str,
        user_id: &str,
    ) -> StoreResult<bool>;
    /// Records a poll at `when` and sets the interval (raised after `slow_down`).
    async fn record_device_poll(
        &self,
        device_hash: &str,
        when: DateTime<Utc>,
        interval_secs: i64,
    ) -> StoreResult<()>;
    /// Moves an `approved` authorization to `redeemed`; exactly one caller gets `true`.
    async fn redeem_device(&self, device_hash: &str) -> StoreResult<bool>;

    /// Parks an authorization request while its browser shows the consent page.
    async fn park_consent(&self, pending: &PendingConsentRecord) -> StoreResult<()>;
    /// Removes and returns the request parked as `id_hash` by the browser `cookie_hash`, if it
    /// has not expired at `now`; exactly one of concurrent callers gets it. A request parked by
    /// another browser is left untouched.
    async fn take_consent(
        &self,
        id_hash: &str,
        cookie_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<String>>;

    /// Records a failure of `key_hash` in the throttle `bucket` at `at`, forgetting that key's
    /// failures from before `forget_before`.
    async fn record_failure(
        &self,
        bucket: &str,
        key_hash: &str,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// How many failures of `key_hash` in `bucket` happened after `since`.
    async fn count_failures(
        &self,
        bucket: &str,
        key_hash: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Forgets every failure of `key_hash` in `bucket`.
    async fn clear_failures(&self, bucket: &str, key_hash: &str) -> StoreResult<()>;
}
