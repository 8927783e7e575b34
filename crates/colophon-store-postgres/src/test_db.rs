//! Throw-away databases for tests: one fresh database per test, dropped afterwards.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use colophon_store::{StoreError, StoreResult};
use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::url::{database_of, redact_url, with_database};

/// Prefix of every database [`create_test_database`] makes.
const PREFIX: &str = "colophon_test_";

/// Creates a new, empty, uniquely named database on the server of `admin_url` (a URL of a
/// role allowed to `CREATE DATABASE`, e.g. `postgres://postgres@127.0.0.1:5432/postgres`) and
/// returns the URL of the new database. For tests; see [`drop_test_database`].
pub async fn create_test_database(admin_url: &str) -> StoreResult<String> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let name = format!(
        "{PREFIX}{}_{nanos}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let url = with_database(admin_url, &name).ok_or_else(|| {
        StoreError::Connect(format!("not a database URL: {}", redact_url(admin_url)))
    })?;
    let admin = connect_admin(admin_url).await?;
    let sql = format!("CREATE DATABASE \"{name}\"");
    let created = sqlx::raw_sql(&sql).execute(&admin).await;
    admin.close().await;
    created.map_err(|e| StoreError::Database(format!("creating test database {name}: {e}")))?;
    Ok(url)
}

/// Drops a database made by [`create_test_database`], closing its remaining connections;
/// refuses any other name.
pub async fn drop_test_database(admin_url: &str, test_url: &str) -> StoreResult<()> {
    let name = database_of(test_url)
        .filter(|n| n.starts_with(PREFIX))
        .filter(|n| n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .ok_or_else(|| {
            StoreError::Database(format!("not a test database: {}", redact_url(test_url)))
        })?;
    let admin = connect_admin(admin_url).await?;
    let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    let dropped = sqlx::raw_sql(&sql).execute(&admin).await;
    admin.close().await;
    dropped.map_err(|e| StoreError::Database(format!("dropping test database {name}: {e}")))?;
    Ok(())
}

/// A single connection, as a pool: `&PgPool` executes in `Send` futures without the
/// higher-ranked lifetime trouble of `&mut PgConnection`.
async fn connect_admin(admin_url: &str) -> StoreResult<PgPool> {
    PgPoolOptions::new()
        .max_connections(1)
        .connect(admin_url)
        .await
        .map_err(|e| {
            StoreError::Connect(format!(
                "PostgreSQL database {}: {e}",
                redact_url(admin_url)
            ))
        })
}
