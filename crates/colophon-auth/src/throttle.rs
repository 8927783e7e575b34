//! Failure counters with a window and a lockout: sign-in attempts (per email and per client
//! address), wrong user codes on the device page (per session), token-endpoint failures (per
//! client). In memory: a restart forgets them, which only ever helps a legitimate user.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Counts failures per key; past `limit` failures within `window`, the key is locked until the
/// window of the oldest counted failure has passed.
#[derive(Debug)]
pub struct Throttle {
    limit: usize,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<DateTime<Utc>>>>,
}

/// Keys kept before old entries are swept.
const MAX_KEYS: usize = 100_000;

impl Throttle {
    /// `limit` failures per `window`.
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit,
            window,
            failures: Mutex::default(),
        }
    }

    /// Whether `key` is locked at `now`.
    pub fn is_locked(&self, key: &str, now: DateTime<Utc>) -> bool {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key).is_some_and(|times| {
            times.iter().filter(|t| now - **t < self.window).count() >= self.limit
        })
    }

    /// Records a failure of `key` at `now`.
    pub fn fail(&self, key: &str, now: DateTime<Utc>) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_KEYS {
            let window = self.window;
            map.retain(|_, times| times.iter().any(|t| now - *t < window));
        }
        let times = map.entry(key.to_owned()).or_default();
        times.retain(|t| now - *t < self.window);
        times.push(now);
    }

    /// Forgets `key`'s failures (after a success).
    pub fn clear(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_limit_and_recovers_after_window() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let th = Throttle::new(3, Duration::minutes(15));
        for i in 0..3 {
            assert!(!th.is_locked("k", t0), "attempt {i}");
            th.fail("k", t0);
        }
        assert!(th.is_locked("k", t0));
        assert!(!th.is_locked("other", t0));
        assert!(th.is_locked("k", t0 + Duration::minutes(14)));
        assert!(!th.is_locked("k", t0 + Duration::minutes(15)));
        th.clear("k");
        assert!(!th.is_locked("k", t0));
    }
}
