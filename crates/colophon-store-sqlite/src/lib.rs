#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod annotations;
mod api_keys;
mod auth;
mod covers;
mod families;
mod lending;
mod library;
mod projects;
mod sources;
mod uploads;
mod volumes;

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use colophon_store::{Migrate, StoreError, StoreResult};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The schema, embedded at build time from `migrations/`.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Connections in the pool: WAL lets readers run beside the one writer.
const MAX_CONNECTIONS: u32 = 4;

/// A Colophon store in one SQLite database file.
#[derive(Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
    /// Queues this process's writers, so they wait here instead of retrying on `SQLITE_BUSY`.
    write_lock: tokio::sync::Mutex<()>,
}

impl SqliteStore {
    /// Opens (creating it if missing) the database at `path`, without migrating it.
    ///
    /// The connections use WAL journaling, `synchronous = NORMAL`, foreign keys and a 5 s busy
    /// timeout. Fails with [`StoreError::Connect`], naming the file, when it cannot be opened.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // 32 MiB of page cache per connection (the default is 2 MiB): a bulk import
            // touches index pages all over a large file.
            .pragma("cache_size", "-32768")
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Connect(format!("SQLite database {}: {e}", path.display())))?;
        Ok(Self {
            pool,
            path: path.to_owned(),
            write_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// The database file this store was opened on.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes every connection; operations after this fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Migrate for SqliteStore {
    async fn migrate(&self) -> StoreResult<()> {
        let _writer = self.write_lock.lock().await;
        MIGRATOR.run(&self.pool).await.map_err(|e| {
            StoreError::Migration(format!("SQLite database {}: {e}", self.path.display()))
        })
    }
}

/// Maps a driver error, saying what we were doing.
fn db_error(doing: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match e {
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
            StoreError::Decode(format!("{doing}: {e}"))
        }
        e => StoreError::Database(format!("{doing}: {e}")),
    }
}

/// How timestamps are stored: RFC 3339 in UTC with exactly six fraction digits, so that text
/// order is time order and the precision matches PostgreSQL's `timestamptz`.
fn encode_time(t: DateTime<Utc>) -> String {
    t.trunc_subsecs(6)
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// Reads a timestamp written by [`encode_time`].
fn decode_time(s: &str, what: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Decode(format!("{what}: bad timestamp {s:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_text_sortable_and_round_trip_to_the_microsecond() {
        let t = DateTime::from_timestamp(1_714_564_800, 123_456_789).unwrap();
        let s = encode_time(t);
        assert_eq!(s, "2024-05-01T12:00:00.123456Z");
        assert_eq!(decode_time(&s, "t").unwrap(), t.trunc_subsecs(6));
        assert!(encode_time(DateTime::from_timestamp(5, 0).unwrap()) < s);
        assert!(matches!(
            decode_time("yesterday", "t"),
            Err(StoreError::Decode(_))
        ));
    }
}
