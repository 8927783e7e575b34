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
mod test_db;
mod uploads;
mod url;
mod volumes;

use std::str::FromStr as _;
use std::time::Duration;

use async_trait::async_trait;
use colophon_store::{Migrate, StoreError, StoreResult};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::Connection as _;

pub use test_db::{create_test_database, drop_test_database};
pub use url::redact_url;

/// The schema, embedded at build time from `migrations/`.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Connections in the pool.
const MAX_CONNECTIONS: u32 = 10;

/// How long to wait for a free connection (or a new one) before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// A Colophon store in a PostgreSQL database.
#[derive(Debug)]
pub struct PgStore {
    pool: PgPool,
    /// The URL with any password replaced, for error messages.
    redacted_url: String,
}

impl PgStore {
    /// Connects a pool to the database at `url` (`postgres://user:password@host:port/db`),
    /// without migrating it.
    ///
    /// Fails with [`StoreError::Connect`], naming the database (password redacted), when the
    /// URL is invalid or the server cannot be reached.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let redacted_url = redact_url(url);
        let failed = |e: sqlx::Error| {
            StoreError::Connect(format!("PostgreSQL database {redacted_url}: {e}"))
        };
        let options = PgConnectOptions::from_str(url).map_err(failed)?;
        // One direct connection first: a wrong URL or a server that is down fails at once,
        // where the pool would keep retrying until its acquire timeout.
        let probe = PgConnection::connect_with(&options).await.map_err(failed)?;
        probe.close().await.map_err(failed)?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_lazy_with(options);
        Ok(Self { pool, redacted_url })
    }

    /// The database URL, password redacted.
    pub fn redacted_url(&self) -> &str {
        &self.redacted_url
    }

    /// Closes every connection; operations after this fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Migrate for PgStore {
    async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await.map_err(|e| {
            StoreError::Migration(format!("PostgreSQL database {}: {e}", self.redacted_url))
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
