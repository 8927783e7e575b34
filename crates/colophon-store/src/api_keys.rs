//! API keys: only a hash of each key is stored.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreResult;

/// A key to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiKey {
    /// Public identifier of the key (not secret), e.g. `k_3f9a1c2b`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Hex SHA-256 of the key.
    pub key_hash: String,
    /// The key's first characters, to recognise it in listings.
    pub key_prefix: String,
    /// Creation time.
    pub created: DateTime<Utc>,
}

/// A stored key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    /// Public identifier.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Hex SHA-256 of the key.
    pub key_hash: String,
    /// The key's first characters.
    pub key_prefix: String,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked: Option<DateTime<Utc>>,
}

/// Storage of API keys.
#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// Stores a new key.
    async fn insert_api_key(&self, key: &NewApiKey) -> StoreResult<ApiKeyRecord>;

    /// The key with this hash, revoked or not.
    async fn find_api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRecord>>;

    /// Every key, oldest first.
    async fn list_api_keys(&self) -> StoreResult<Vec<ApiKeyRecord>>;

    /// Marks a key revoked at `when`; `false` when no unrevoked key has this id.
    async fn revoke_api_key(&self, id: &str, when: DateTime<Utc>) -> StoreResult<bool>;
}
