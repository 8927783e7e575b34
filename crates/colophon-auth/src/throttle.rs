//! Failure counters with a window and a lockout: sign-in attempts (per email and per client
//! address), wrong user codes on the device page (per session and per address), token-endpoint
//! failures (per client).
//!
//! The failures live in the store (keys hashed), so every server process in front of one
//! database counts the same attempts: an attacker gains nothing by spreading guesses over
//! nodes, and a restart does not reset a lockout.

use chrono::{DateTime, Duration, Utc};
use colophon_store::{OAuthStore, StoreResult};

use crate::secret;

/// Counts failures per key in one bucket; with `limit` failures within the last `window`, the
/// key is locked until the oldest of them is older than `window`.
#[derive(Debug)]
pub struct Throttle {
    bucket: &'static str,
    limit: u64,
    window: Duration,
}

impl Throttle {
    /// `limit` failures per `window`, counted under `bucket`.
    pub const fn new(bucket: &'static str, limit: u64, window: Duration) -> Self {
        Self {
            bucket,
            limit,
            window,
        }
    }

    /// Whether `key` is locked at `now`.
    pub async fn is_locked<S: OAuthStore + ?Sized>(
        &self,
        store: &S,
        key: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let recent = store
            .count_failures(self.bucket, &secret::hash(key), now - self.window)
            .await?;
        Ok(recent >= self.limit)
    }

    /// Records a failure of `key` at `now`.
    pub async fn fail<S: OAuthStore + ?Sized>(
        &self,
        store: &S,
        key: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        store
            .record_failure(self.bucket, &secret::hash(key), now, now - self.window)
            .await
    }

    /// Forgets `key`'s failures (after a success).
    pub async fn clear<S: OAuthStore + ?Sized>(&self, store: &S, key: &str) -> StoreResult<()> {
        store.clear_failures(self.bucket, &secret::hash(key)).await
    }
}

#[cfg(test)]
mod tests {
    use colophon_store::Migrate;
    use colophon_store_sqlite::SqliteStore;

    use super::*;

    #[tokio::test]
    async fn locks_after_limit_and_recovers_after_window() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("c.db")).await.unwrap();
        store.migrate().await.unwrap();
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let th = Throttle::new("test", 3, Duration::minutes(15));
        let other = Throttle::new("other-bucket", 3, Duration::minutes(15));
        for i in 0..3 {
            assert!(!th.is_locked(&store, "k", t0).await.unwrap(), "attempt {i}");
            th.fail(&store, "k", t0).await.unwrap();
        }
        assert!(th.is_locked(&store, "k", t0).await.unwrap());
        assert!(!th.is_locked(&store, "other", t0).await.unwrap());
        assert!(
            !other.is_locked(&store, "k", t0).await.unwrap(),
            "buckets apart"
        );
        assert!(th
            .is_locked(&store, "k", t0 + Duration::minutes(14))
            .await
            .unwrap());
        assert!(!th
            .is_locked(&store, "k", t0 + Duration::minutes(15))
            .await
            .unwrap());
        th.clear(&store, "k").await.unwrap();
        assert!(!th.is_locked(&store, "k", t0).await.unwrap());
    }

    #[tokio::test]
    async fn two_processes_share_the_count() {
        // Two stores over one database file stand for two server processes.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let a = SqliteStore::open(&path).await.unwrap();
        a.migrate().await.unwrap();
        let b = SqliteStore::open(&path).await.unwrap();
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let th = Throttle::new("signin", 4, Duration::minutes(15));
        for i in 0..4 {
            let node: &SqliteStore = if i % 2 == 0 { &a } else { &b };
            th.fail(node, "someone@example.com", t0).await.unwrap();
        }
        assert!(th.is_locked(&a, "someone@example.com", t0).await.unwrap());
        assert!(th.is_locked(&b, "someone@example.com", t0).await.unwrap());
    }
}
