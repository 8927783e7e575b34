//! `SourceStore` on the `volume_sources`, `volume_isbns` and `volume_texts` tables.
//!
//! Batches travel as one JSON array parameter (`json_each`), so a batch of any size is a
//! handful of statements, not one per row.

use async_trait::async_trait;
use colophon_domain::VolumeId;
use colophon_store::codec::{decode_contribution, encode_contribution};
use colophon_store::{
    CommitGate, ImportWrite, SourceRow, SourceStore, StoreError, StoreResult, UpsertOutcome,
};
use serde::Serialize;

use crate::volumes::upsert_in;
use crate::{db_error, SqliteStore};

fn json<T: Serialize + ?Sized>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(format!("encoding a batch: {e}")))
}

fn volume_id(s: &str) -> StoreResult<VolumeId> {
    VolumeId::parse(s).map_err(|e| StoreError::Decode(format!("volume id {s:?}: {e}")))
}

/// `(key, volume id)` rows of a lookup table for the keys in `keys`.
async fn lookup(
    store: &SqliteStore,
    sql: &'static str,
    keys: &[String],
    doing: &'static str,
) -> StoreResult<Vec<(String, VolumeId)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String)> = sqlx::query_as(sql)
        .bind(json(keys)?)
        .fetch_all(&store.pool)
        .await
        .map_err(db_error(doing))?;
    rows.into_iter()
        .map(|(k, v)| Ok((k, volume_id(&v)?)))
        .collect()
}

#[async_trait]
impl SourceStore for SqliteStore {
    async fn volumes_of_sources(&self, keys: &[String]) -> StoreResult<Vec<(String, VolumeId)>> {
        lookup(
            self,
            "SELECT source_key, volume_id FROM volume_sources \
             WHERE source_key IN (SELECT value FROM json_each(?1))",
            keys,
            "looking up sources",
        )
        .await
    }

    async fn volumes_of_isbns(&self, isbns: &[String]) -> StoreResult<Vec<(String, VolumeId)>> {
        lookup(
            self,
            "SELECT isbn, volume_id FROM volume_isbns \
             WHERE isbn IN (SELECT value FROM json_each(?1))",
            isbns,
            "looking up ISBNs",
        )
        .await
    }

    async fn sources_of_volumes(&self, ids: &[VolumeId]) -> StoreResult<Vec<SourceRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<&str> = ids.iter().map(VolumeId::as_str).collect();
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT source_key, volume_id, data FROM volume_sources \
             WHERE volume_id IN (SELECT value FROM json_each(?1))",
        )
        .bind(json(&ids)?)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading sources"))?;
        rows.into_iter()
            .map(|(key, id, data)| {
                Ok(SourceRow {
                    volume_id: volume_id(&id)?,
                    contribution: decode_contribution(&key, &data)?,
                })
            })
            .collect()
    }

    async fn full_texts(&self, ids: &[VolumeId]) -> StoreResult<Vec<(VolumeId, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<&str> = ids.iter().map(VolumeId::as_str).collect();
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT volume_id, text FROM volume_texts \
             WHERE volume_id IN (SELECT value FROM json_each(?1))",
        )
        .bind(json(&ids)?)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading full texts"))?;
        rows.into_iter()
            .map(|(id, text)| Ok((volume_id(&id)?, text)))
            .collect()
    }

    async fn write_import(
        &self,
        batch: &ImportWrite,
        gate: CommitGate,
    ) -> StoreResult<UpsertOutcome> {
        let err = db_error("writing an import batch");
        let sources = batch
            .sources
            .iter()
            .map(|s| {
                Ok((
                    s.contribution.source_key.as_str(),
                    s.volume_id.as_str(),
                    s.contribution.seq,
                    encode_contribution(&s.contribution)?,
                ))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let isbns: Vec<(&str, &str)> = batch
            .isbns
            .iter()
            .map(|(i, v)| (i.as_str(), v.as_str()))
            .collect();
        let texts: Vec<(&str, &str)> = batch
            .texts
            .iter()
            .map(|(v, t)| (v.as_str(), t.as_str()))
            .collect();

        let _writer = self.write_lock.lock().await;
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(&err)?;
        if !sources.is_empty() {
            // `WHERE true` lets SQLite parse the upsert after a SELECT.
            sqlx::query(
                "INSERT INTO volume_sources (source_key, volume_id, seq, data) \
                 SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 \
                 FROM json_each(?1) WHERE true \
                 ON CONFLICT (source_key) DO UPDATE SET volume_id = excluded.volume_id, \
                 seq = excluded.seq, data = excluded.data",
            )
            .bind(json(&sources)?)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        }
        if !isbns.is_empty() {
            sqlx::query(
                "INSERT OR IGNORE INTO volume_isbns (isbn, volume_id) \
                 SELECT value ->> 0, value ->> 1 FROM json_each(?1)",
            )
            .bind(json(&isbns)?)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        }
        if !texts.is_empty() {
            sqlx::query(
                "INSERT INTO volume_texts (volume_id, text) \
                 SELECT value ->> 0, value ->> 1 FROM json_each(?1) WHERE true \
                 ON CONFLICT (volume_id) DO UPDATE SET text = excluded.text",
            )
            .bind(json(&texts)?)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        }
        let outcome = upsert_in(&mut tx, &batch.volumes).await?;
        // Returning early on an error drops `tx`, which rolls the whole batch back.
        gate.await.map_err(|reason| {
            StoreError::Database(format!("import batch not committed: {reason}"))
        })?;
        tx.commit().await.map_err(&err)?;
        Ok(outcome)
    }
}
