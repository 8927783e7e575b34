//! `ApiKeyStore` on the `api_keys` table.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use colophon_store::{ApiKeyRecord, ApiKeyStore, NewApiKey, StoreResult};

use crate::{db_error, PgStore};

/// A row of `api_keys`.
#[derive(sqlx::FromRow)]
struct ApiKeyRow {
    id: String,
    name: String,
    key_hash: String,
    key_prefix: String,
    created: DateTime<Utc>,
    revoked: Option<DateTime<Utc>>,
}

impl From<ApiKeyRow> for ApiKeyRecord {
    fn from(r: ApiKeyRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            key_hash: r.key_hash,
            key_prefix: r.key_prefix,
            created: r.created,
            revoked: r.revoked,
        }
    }
}

#[async_trait]
impl ApiKeyStore for PgStore {
    async fn insert_api_key(&self, key: &NewApiKey) -> StoreResult<ApiKeyRecord> {
        let row: ApiKeyRow = sqlx::query_as(
            "INSERT INTO api_keys (id, name, key_hash, key_prefix, created)
             VALUES ($1, $2, $3, $4, $5)
             RETURNING id, name, key_hash, key_prefix, created, revoked",
        )
        .bind(&key.id)
        .bind(&key.name)
        .bind(&key.key_hash)
        .bind(&key.key_prefix)
        .bind(key.created)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error("storing an API key"))?;
        Ok(row.into())
    }

    async fn find_api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRecord>> {
        let row: Option<ApiKeyRow> = sqlx::query_as(
            "SELECT id, name, key_hash, key_prefix, created, revoked
             FROM api_keys WHERE key_hash = $1",
        )
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("finding an API key"))?;
        Ok(row.map(Into::into))
    }

    async fn list_api_keys(&self) -> StoreResult<Vec<ApiKeyRecord>> {
        let rows: Vec<ApiKeyRow> = sqlx::query_as(
            "SELECT id, name, key_hash, key_prefix, created, revoked
             FROM api_keys ORDER BY created, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing API keys"))?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn revoke_api_key(&self, id: &str, when: DateTime<Utc>) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked = $2 WHERE id = $1 AND revoked IS NULL")
                .bind(id)
                .bind(when)
                .execute(&self.pool)
                .await
                .map_err(db_error("revoking an API key"))?;
        Ok(done.rows_affected() > 0)
    }
}
