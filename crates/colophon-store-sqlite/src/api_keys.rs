//! `ApiKeyStore` on the `api_keys` table.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use colophon_store::{ApiKeyRecord, ApiKeyStore, NewApiKey, StoreResult};

use crate::{db_error, decode_time, encode_time, SqliteStore};

/// A row of `api_keys`, timestamps still as text.
#[derive(sqlx::FromRow)]
struct ApiKeyRow {
    id: String,
    name: String,
    key_hash: String,
    key_prefix: String,
    created: String,
    revoked: Option<String>,
}

impl ApiKeyRow {
    fn decode(self) -> StoreResult<ApiKeyRecord> {
        let what = format!("API key {}", self.id);
        Ok(ApiKeyRecord {
            created: decode_time(&self.created, &what)?,
            revoked: self
                .revoked
                .as_deref()
                .map(|t| decode_time(t, &what))
                .transpose()?,
            id: self.id,
            name: self.name,
            key_hash: self.key_hash,
            key_prefix: self.key_prefix,
        })
    }
}

const COLUMNS: &str = "id, name, key_hash, key_prefix, created, revoked";

#[async_trait]
impl ApiKeyStore for SqliteStore {
    async fn insert_api_key(&self, key: &NewApiKey) -> StoreResult<ApiKeyRecord> {
        let _writer = self.write_lock.lock().await;
        sqlx::query(
            "INSERT INTO api_keys (id, name, key_hash, key_prefix, created)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(&key.id)
        .bind(&key.name)
        .bind(&key.key_hash)
        .bind(&key.key_prefix)
        .bind(encode_time(key.created))
        .execute(&self.pool)
        .await
        .map_err(db_error("storing an API key"))?;
        Ok(ApiKeyRecord {
            id: key.id.clone(),
            name: key.name.clone(),
            key_hash: key.key_hash.clone(),
            key_prefix: key.key_prefix.clone(),
            created: key.created.trunc_subsecs(6),
            revoked: None,
        })
    }

    async fn find_api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRecord>> {
        let row: Option<ApiKeyRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM api_keys WHERE key_hash = ?1"
        ))
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("finding an API key"))?;
        row.map(ApiKeyRow::decode).transpose()
    }

    async fn list_api_keys(&self) -> StoreResult<Vec<ApiKeyRecord>> {
        let rows: Vec<ApiKeyRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM api_keys ORDER BY created, id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing API keys"))?;
        rows.into_iter().map(ApiKeyRow::decode).collect()
    }

    async fn revoke_api_key(&self, id: &str, when: DateTime<Utc>) -> StoreResult<bool> {
        let _writer = self.write_lock.lock().await;
        let done =
            sqlx::query("UPDATE api_keys SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL")
                .bind(id)
                .bind(encode_time(when))
                .execute(&self.pool)
                .await
                .map_err(db_error("revoking an API key"))?;
        Ok(done.rows_affected() > 0)
    }
}
