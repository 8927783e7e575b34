//! API keys: creation, verification (with a short-lived cache), revocation.
//!
//! Keys look like Google's (`AIza` + 35 URL-safe characters). Only a SHA-256 hash is stored;
//! the key itself is shown once, when created.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use colophon_store::{ApiKeyRecord, NewApiKey, Store, StoreError};
use rand::Rng as _;
use sha2::{Digest, Sha256};

/// How long a verification result is reused before asking the store again (so a key revoked
/// from another process stops working within this time).
const CACHE_TTL: Duration = Duration::from_secs(5);
const CACHE_MAX: usize = 10_000;

/// Recent verification results, by SHA-256 of the presented key.
type KeyCache = Arc<Mutex<HashMap<[u8; 32], (KeyCheck, Instant)>>>;

/// A new key and its stored record.
#[derive(Debug, Clone)]
pub struct CreatedKey {
    /// The key itself; shown once.
    pub key: String,
    /// What was stored.
    pub record: ApiKeyRecord,
}

/// Result of checking a presented key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyCheck {
    /// A valid key; its public id.
    Valid {
        /// Public key id.
        id: String,
    },
    /// Unknown, malformed or revoked.
    Invalid,
}

/// API key service.
#[derive(Clone)]
pub struct ApiKeys {
    store: Arc<dyn Store>,
    cache: KeyCache,
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

impl ApiKeys {
    /// The key service over `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            cache: Arc::default(),
        }
    }

    /// Creates a key named `name` in the legacy project (see
    /// [`LEGACY_PROJECT`](crate::console::LEGACY_PROJECT)); the console creates keys in
    /// other projects.
    pub async fn create(&self, name: &str) -> Result<CreatedKey, StoreError> {
        let project = crate::console::ensure_legacy_project(&*self.store, Utc::now()).await?;
        let created = self.create_unattached(name).await?;
        self.store
            .put_key_settings(&colophon_store::KeySettings {
                key_id: created.record.id.clone(),
                project_id: project.id,
                referrers: vec![],
                ip_ranges: vec![],
            })
            .await?;
        Ok(created)
    }

    /// Creates a key in no project yet (the caller puts it in one).
    pub(crate) async fn create_unattached(&self, name: &str) -> Result<CreatedKey, StoreError> {
        // The thread-local generator is not `Send`: drop it before awaiting.
        let (key, id) = {
            let mut rng = rand::thread_rng();
            let mut key = String::with_capacity(39);
            key.push_str("AIza");
            key.extend((0..35).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])));
            (key, format!("k_{:08x}", rng.gen::<u32>()))
        };
        let record = self
            .store
            .insert_api_key(&NewApiKey {
                id,
                name: name.to_owned(),
                key_hash: hex::encode(Sha256::digest(key.as_bytes())),
                key_prefix: key[..8].to_owned(),
                created: Utc::now(),
            })
            .await?;
        Ok(CreatedKey { key, record })
    }

    /// Every key, oldest first.
    pub async fn list(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.store.list_api_keys().await
    }

    /// Revokes the key with public id `id`; `false` when there is no such unrevoked key.
    pub async fn revoke(&self, id: &str) -> Result<bool, StoreError> {
        let done = self.store.revoke_api_key(id, Utc::now()).await?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.clear();
        }
        Ok(done)
    }

    /// Checks a presented key.
    pub async fn verify(&self, key: &str) -> Result<KeyCheck, StoreError> {
        if key.len() > 200 {
            return Ok(KeyCheck::Invalid);
        }
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        if let Some(hit) = self.cached(&digest) {
            return Ok(hit);
        }
        let hash = hex::encode(digest);
        let check = match self.store.find_api_key_by_hash(&hash).await? {
            // The lookup is by hash, so the comparison below only guards against a backend
            // that matched loosely; it is constant-time all the same.
            Some(rec)
                if rec.revoked.is_none()
                    && bool::from(subtle::ConstantTimeEq::ct_eq(
                        rec.key_hash.as_bytes(),
                        hash.as_bytes(),
                    )) =>
            {
                KeyCheck::Valid { id: rec.id }
            }
            _ => KeyCheck::Invalid,
        };
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
            cache.insert(digest, (check.clone(), Instant::now()));
        }
        Ok(check)
    }

    fn cached(&self, digest: &[u8; 32]) -> Option<KeyCheck> {
        let cache = self.cache.lock().ok()?;
        let (check, at) = cache.get(digest)?;
        (at.elapsed() < CACHE_TTL).then(|| check.clone())
    }
}
