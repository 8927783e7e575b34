//! Usage aggregation: requests by day, method, key and status, and a latency histogram.
//!
//! Each process adds requests to an in-memory aggregate and flushes it to the store (one
//! upsert per aggregate, adding to what other processes wrote) at most once a second and
//! before every report, so the store holds one row per (project, key, day, method, status)
//! and per latency bucket, never a row per request. What a process had not flushed when it
//! died is lost (at most about a second of counts).
//!
//! Percentiles come from the fixed histogram of [`LATENCY_BOUNDS_MS`]: a percentile is the
//! upper bound of the bucket where the cumulative count reaches it, so it is exact to the
//! bucket (1–2–5 steps) and aggregates add across processes and days.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use colophon_store::{
    latency_bucket, Store, StoreError, UsageDelta, LATENCY_BOUNDS_MS, LATENCY_BUCKETS,
};
use serde::Serialize;

use super::access::UsageTag;

const FLUSH_EVERY: Duration = Duration::from_secs(1);

type Aggregate = HashMap<(String, String, NaiveDate, String, u16), (i64, [i64; LATENCY_BUCKETS])>;

struct Buffer {
    pending: Aggregate,
    last_flush: Instant,
}

/// Collects usage and writes it to the store.
#[derive(Clone)]
pub struct UsageRecorder {
    store: Arc<dyn Store>,
    now: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>,
    buffer: Arc<Mutex<Buffer>>,
    flushing: Arc<tokio::sync::Mutex<()>>,
}

/// Requests of one day.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DayUsage {
    /// UTC day, `YYYY-MM-DD`.
    pub date: String,
    /// Requests answered.
    pub requests: i64,
    /// Of which errors (status 400 and above).
    pub errors: i64,
}

/// Latency percentiles, milliseconds (bucket upper bounds).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Percentiles {
    /// Median.
    pub p50: Option<u64>,
    /// 95th percentile.
    pub p95: Option<u64>,
    /// 99th percentile.
    pub p99: Option<u64>,
}

/// One histogram bucket.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HistogramBucket {
    /// Upper bound in ms (`None`: the open last bucket).
    pub le_ms: Option<u64>,
    /// Requests.
    pub count: i64,
}

/// Usage of one key (or of tokens without key: `keyId` empty).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct KeyUsage {
    /// Key id.
    pub key_id: String,
    /// Requests.
    pub requests: i64,
    /// Errors.
    pub errors: i64,
    /// Requests by UTC day (days with requests only).
    pub by_day: BTreeMap<String, i64>,
    /// Requests by discovery method id.
    pub by_method: BTreeMap<String, i64>,
    /// Errors by HTTP status.
    pub errors_by_code: BTreeMap<String, i64>,
    /// Latency percentiles of this key's requests.
    pub latency_ms: Percentiles,
}

/// A project's usage over some days.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UsageReport {
    /// Project id.
    pub project_id: String,
    /// Every day of the period, oldest first (days without requests included).
    pub days: Vec<DayUsage>,
    /// Total requests.
    pub requests: i64,
    /// Requests by discovery method id.
    pub by_method: BTreeMap<String, i64>,
    /// Errors by HTTP status.
    pub errors_by_code: BTreeMap<String, i64>,
    /// By key.
    pub by_key: Vec<KeyUsage>,
    /// Latency percentiles of all requests.
    pub latency_ms: Percentiles,
    /// The histogram they come from.
    pub latency_histogram: Vec<HistogramBucket>,
}

fn percentiles(hist: &[i64; LATENCY_BUCKETS]) -> Percentiles {
    let total: i64 = hist.iter().sum();
    let at = |q: f64| -> Option<u64> {
        if total == 0 {
            return None;
        }
        let rank = (q * total as f64).ceil().max(1.0) as i64;
        let mut seen = 0;
        for (i, c) in hist.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(
                    LATENCY_BOUNDS_MS
                        .get(i)
                        .copied()
                        .unwrap_or(LATENCY_BOUNDS_MS[LATENCY_BUCKETS - 2]),
                );
            }
        }
        None
    };
    Percentiles {
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
    }
}

impl UsageRecorder {
    /// A recorder over `store`.
    pub fn new(store: Arc<dyn Store>, now: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>) -> Self {
        Self {
            store,
            now,
            buffer: Arc::new(Mutex::new(Buffer {
                pending: HashMap::new(),
                last_flush: Instant::now(),
            })),
            flushing: Arc::default(),
        }
    }

    /// Adds one request; flushes in the background when the last flush is a second old.
    pub fn record(&self, tag: &UsageTag, method: &str, status: u16, latency: Duration) {
        let day = (self.now)().date_naive();
        let due = {
            let Ok(mut b) = self.buffer.lock() else {
                return;
            };
            let entry = b
                .pending
                .entry((
                    tag.project_id.clone(),
                    tag.key_id.clone(),
                    day,
                    method.to_owned(),
                    status,
                ))
                .or_insert((0, [0; LATENCY_BUCKETS]));
            entry.0 += 1;
            entry.1[latency_bucket(latency.as_millis() as u64)] += 1;
            b.last_flush.elapsed() >= FLUSH_EVERY
        };
        if due {
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                let me = self.clone();
                handle.spawn(async move {
                    if let Err(e) = me.flush().await {
                        tracing::warn!(error = %e, "writing usage failed: {e}");
                    }
                });
            }
        }
    }

    /// Writes what is buffered.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let _one = self.flushing.lock().await;
        let pending = {
            let Ok(mut b) = self.buffer.lock() else {
                return Ok(());
            };
            b.last_flush = Instant::now();
            std::mem::take(&mut b.pending)
        };
        let deltas: Vec<UsageDelta> = pending
            .into_iter()
            .map(
                |((project_id, key_id, day, method, status), (requests, latency))| UsageDelta {
                    project_id,
                    key_id,
                    day,
                    method,
                    status,
                    requests,
                    latency,
                },
            )
            .collect();
        match self.store.add_usage(&deltas).await {
            Ok(()) => Ok(()),
            // A project deleted meanwhile drops its rows by foreign key; write the others.
            Err(_) if deltas.len() > 1 => {
                for d in deltas {
                    if let Err(e) = self.store.add_usage(std::slice::from_ref(&d)).await {
                        tracing::warn!(project.id = %d.project_id, error = %e, "usage of project {} not written: {e}", d.project_id);
                    }
                }
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// The usage of a project over the last `days` UTC days (today included).
    pub async fn report(&self, project_id: &str, days: u32) -> Result<UsageReport, StoreError> {
        self.flush().await?;
        let today = (self.now)().date_naive();
        let days = days.clamp(1, 366);
        let since = today - chrono::Duration::days(i64::from(days) - 1);
        let rows = self.store.usage(project_id, since).await?;
        let latency = self.store.latency(project_id, since).await?;
        let mut by_day: BTreeMap<NaiveDate, (i64, i64)> = (0..days)
            .map(|i| (since + chrono::Duration::days(i64::from(i)), (0, 0)))
            .collect();
        let mut by_method = BTreeMap::new();
        let mut errors_by_code = BTreeMap::new();
        let mut keys: BTreeMap<String, KeyUsage> = BTreeMap::new();
        let mut key_hist: BTreeMap<String, [i64; LATENCY_BUCKETS]> = BTreeMap::new();
        let mut total = 0;
        for r in &rows {
            let error = r.status >= 400;
            let d = by_day.entry(r.day).or_default();
            d.0 += r.requests;
            total += r.requests;
            *by_method.entry(r.method.clone()).or_insert(0) += r.requests;
            let k = keys.entry(r.key_id.clone()).or_insert_with(|| KeyUsage {
                key_id: r.key_id.clone(),
                requests: 0,
                errors: 0,
                by_day: BTreeMap::new(),
                by_method: BTreeMap::new(),
                errors_by_code: BTreeMap::new(),
                latency_ms: percentiles(&[0; LATENCY_BUCKETS]),
            });
            k.requests += r.requests;
            *k.by_day
                .entry(r.day.format("%Y-%m-%d").to_string())
                .or_insert(0) += r.requests;
            *k.by_method.entry(r.method.clone()).or_insert(0) += r.requests;
            if error {
                d.1 += r.requests;
                k.errors += r.requests;
                *k.errors_by_code.entry(r.status.to_string()).or_insert(0) += r.requests;
                *errors_by_code.entry(r.status.to_string()).or_insert(0) += r.requests;
            }
        }
        let mut hist = [0; LATENCY_BUCKETS];
        for l in &latency {
            hist[l.bucket] += l.count;
            key_hist
                .entry(l.key_id.clone())
                .or_insert([0; LATENCY_BUCKETS])[l.bucket] += l.count;
        }
        Ok(UsageReport {
            project_id: project_id.to_owned(),
            days: by_day
                .into_iter()
                .map(|(day, (requests, errors))| DayUsage {
                    date: day.format("%Y-%m-%d").to_string(),
                    requests,
                    errors,
                })
                .collect(),
            requests: total,
            by_method,
            errors_by_code,
            by_key: keys
                .into_values()
                .map(|mut k| {
                    if let Some(h) = key_hist.get(&k.key_id) {
                        k.latency_ms = percentiles(h);
                    }
                    k
                })
                .collect(),
            latency_ms: percentiles(&hist),
            latency_histogram: hist
                .iter()
                .enumerate()
                .map(|(i, &count)| HistogramBucket {
                    le_ms: LATENCY_BOUNDS_MS.get(i).copied(),
                    count,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_bucket_upper_bounds() {
        let mut h = [0; LATENCY_BUCKETS];
        h[latency_bucket(3)] = 90; // ≤ 5 ms
        h[latency_bucket(150)] = 9; // ≤ 200 ms
        h[latency_bucket(90_000)] = 1; // open bucket
        let p = percentiles(&h);
        assert_eq!(p.p50, Some(5));
        assert_eq!(p.p95, Some(200));
        assert_eq!(p.p99, Some(200));
        assert_eq!(percentiles(&[0; LATENCY_BUCKETS]).p50, None);
    }
}
