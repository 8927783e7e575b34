//! Developer-console storage: projects, the project of each API key and OAuth client, key
//! restrictions, quota counters and usage aggregates ([`ProjectStore`]).
//!
//! Quota counters are exact across processes: [`ProjectStore::consume_quota`] is one atomic
//! conditional increment per window (an upsert that only adds while under the limit), run in
//! one transaction for both windows, so that concurrent requests on any number of servers over
//! one database never admit more than the limit, and a refused request consumes nothing.
//!
//! Usage is stored as aggregates, never a row per request: one row per (project, key, UTC day,
//! method, HTTP status) with a request count, and one row per (project, key, day, latency
//! bucket) with a count, for percentiles.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::StoreResult;

/// A developer project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRecord {
    /// Public id (`p-…`, or `legacy` for the project that received pre-console keys).
    pub id: String,
    /// Project number (12 digits), quoted in quota and activation messages like Google's.
    pub number: i64,
    /// Display name; also the application name shown on the consent page.
    pub name: String,
    /// The owning user; `None` for the legacy project (administrators manage it).
    pub owner_id: Option<String>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// The Books API is enabled in this project.
    pub books_api_enabled: bool,
    /// Administrator override of the requests-per-day quota (`None`: the server default).
    pub daily_limit: Option<i64>,
    /// Administrator override of the requests-per-minute-per-user quota.
    pub user_minute_limit: Option<i64>,
}

/// The project of an API key and the key's restrictions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySettings {
    /// The key's public id (`k_…`).
    pub key_id: String,
    /// Its project.
    pub project_id: String,
    /// HTTP referrer patterns (Google's syntax); empty: any referrer.
    pub referrers: Vec<String>,
    /// Client IP addresses or CIDR ranges; empty: any address.
    pub ip_ranges: Vec<String>,
}

/// One quota check-and-consume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaRequest {
    /// The project charged.
    pub project_id: String,
    /// The day window's name (e.g. `2026-11-26`).
    pub day: String,
    /// Requests allowed in the day; `None`: unlimited (nothing counted).
    pub daily_limit: Option<i64>,
    /// The quota user (quotaUser, the token's user, or the client address).
    pub user: String,
    /// The minute window's name (e.g. `2026-11-26T07:05`).
    pub minute: String,
    /// Requests allowed per user in the minute; `None`: unlimited (nothing counted).
    pub user_minute_limit: Option<i64>,
}

/// Outcome of [`ProjectStore::consume_quota`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaOutcome {
    /// Counted against both windows.
    Granted,
    /// The project's day quota is used up; nothing was counted.
    DailyExceeded,
    /// The user's minute quota is used up; nothing was counted.
    UserMinuteExceeded,
}

/// Number of latency buckets of [`UsageDelta::latency`]; see [`LATENCY_BOUNDS_MS`].
pub const LATENCY_BUCKETS: usize = 16;

/// Upper bounds (inclusive, milliseconds) of the latency buckets; the last is open-ended.
pub const LATENCY_BOUNDS_MS: [u64; LATENCY_BUCKETS - 1] = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000,
];

/// The latency bucket of a duration in milliseconds.
pub fn latency_bucket(ms: u64) -> usize {
    LATENCY_BOUNDS_MS
        .iter()
        .position(|&b| ms <= b)
        .unwrap_or(LATENCY_BUCKETS - 1)
}

/// Requests to add to the usage aggregates of one (project, key, day, method, status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageDelta {
    /// The project.
    pub project_id: String,
    /// The key's id; empty when the request carried a token and no key.
    pub key_id: String,
    /// UTC day.
    pub day: NaiveDate,
    /// Discovery method id (`books.volumes.list`).
    pub method: String,
    /// HTTP status answered.
    pub status: u16,
    /// Requests.
    pub requests: i64,
    /// Requests per latency bucket.
    pub latency: [i64; LATENCY_BUCKETS],
}

/// One aggregate row read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    /// The key's id (empty: token without key).
    pub key_id: String,
    /// UTC day.
    pub day: NaiveDate,
    /// Discovery method id.
    pub method: String,
    /// HTTP status.
    pub status: u16,
    /// Requests.
    pub requests: i64,
}

/// One latency-histogram row read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatencyRow {
    /// The key's id (empty: token without key).
    pub key_id: String,
    /// UTC day.
    pub day: NaiveDate,
    /// Bucket index (see [`LATENCY_BOUNDS_MS`]).
    pub bucket: usize,
    /// Requests.
    pub count: i64,
}

/// Projects, key and client membership, quotas and usage.
#[async_trait]
pub trait ProjectStore: Send + Sync {
    /// Stores a new project; `false` (nothing written) when its id or number is taken.
    async fn insert_project(&self, project: &ProjectRecord) -> StoreResult<bool>;
    /// The project with this id.
    async fn find_project(&self, id: &str) -> StoreResult<Option<ProjectRecord>>;
    /// Projects of `owner` (every project when `None`), oldest first.
    async fn list_projects(&self, owner: Option<&str>) -> StoreResult<Vec<ProjectRecord>>;
    /// Replaces name, enabled flag and quota overrides; `false` when there is no such project.
    async fn update_project(&self, project: &ProjectRecord) -> StoreResult<bool>;
    /// Deletes a project with its key settings, client links, counters and usage; `false`
    /// when there was none. (Revoking its keys and deleting its clients is the caller's.)
    async fn delete_project(&self, id: &str) -> StoreResult<bool>;

    /// Creates or replaces the settings of a key.
    async fn put_key_settings(&self, settings: &KeySettings) -> StoreResult<()>;
    /// The settings of a key.
    async fn find_key_settings(&self, key_id: &str) -> StoreResult<Option<KeySettings>>;
    /// Renames an API key; `false` when there is no such key.
    async fn rename_api_key(&self, key_id: &str, name: &str) -> StoreResult<bool>;
    /// Settings of every key of a project, by key id.
    async fn list_key_settings(&self, project_id: &str) -> StoreResult<Vec<KeySettings>>;

    /// Puts a client in a project (replacing any earlier link).
    async fn set_client_project(&self, client_id: &str, project_id: &str) -> StoreResult<()>;
    /// The project of a client.
    async fn find_client_project(&self, client_id: &str) -> StoreResult<Option<String>>;
    /// Replaces the redirect URIs of an undeleted client; `false` when there is none.
    async fn set_client_redirect_uris(&self, client_id: &str, uris: &[String])
        -> StoreResult<bool>;
    /// Replaces the secret hash of an undeleted client that has a secret; `false` otherwise.
    async fn set_client_secret_hash(&self, client_id: &str, secret_hash: &str)
        -> StoreResult<bool>;
    /// Ids of the clients of a project, sorted.
    async fn list_project_clients(&self, project_id: &str) -> StoreResult<Vec<String>>;

    /// Counts one request against the project's day window and the user's minute window,
    /// atomically; counts nothing when either is used up.
    async fn consume_quota(&self, request: &QuotaRequest) -> StoreResult<QuotaOutcome>;
    /// The current count of a window (`subject` is empty for the project's day window).
    async fn quota_count(&self, project_id: &str, window: &str, subject: &str) -> StoreResult<i64>;
    /// Deletes user minute windows named before `minute` and day windows named before `day`
    /// (window names sort as times); returns how many went.
    async fn prune_quota_counters(&self, minute: &str, day: &str) -> StoreResult<u64>;

    /// Adds to the usage aggregates (one transaction).
    async fn add_usage(&self, deltas: &[UsageDelta]) -> StoreResult<()>;
    /// Usage rows of a project from `since` on, by day, key, method, status.
    async fn usage(&self, project_id: &str, since: NaiveDate) -> StoreResult<Vec<UsageRow>>;
    /// Latency rows of a project from `since` on.
    async fn latency(&self, project_id: &str, since: NaiveDate) -> StoreResult<Vec<LatencyRow>>;
}
