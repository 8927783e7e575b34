//! `SourceStore` on the `volume_sources`, `volume_isbns` and `volume_texts` tables.
//!
//! Batches travel as arrays (`UNNEST`), so a batch of any size is a handful of statements.
//! The caller sends each source key and each text's volume at most once per batch.

use async_trait::async_trait;
use colophon_domain::VolumeId;
use colophon_store::codec::{decode_contribution, encode_contribution};
use colophon_store::{
    CommitGate, ImportWrite, SourceRow, SourceStore, StoreError, StoreResult, UpsertOutcome,
};

use crate::volumes::upsert_in;
use crate::{db_error, PgStore};

fn volume_id(s: &str) -> StoreResult<VolumeId> {
    VolumeId::parse(s).map_err(|e| StoreError::Decode(format!("volume id {s:?}: {e}")))
}

/// `(key, volume id)` rows of a lookup table for the keys in `keys`.
async fn lookup(
    store: &PgStore,
    sql: &'static str,
    keys: &[String],
    doing: &'static str,
) -> StoreResult<Vec<(String, VolumeId)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String)> = sqlx::query_as(sql)
        .bind(keys)
        .fetch_all(&store.pool)
        .await
        .map_err(db_error(doing))?;
    rows.into_iter()
        .map(|(k, v)| Ok((k, volume_id(&v)?)))
        .collect()
}

#[async_trait]
impl SourceStore for PgStore {
    async fn volumes_of_sources(&self, keys: &[String]) -> StoreResult<Vec<(String, VolumeId)>> {
        lookup(
            self,
            "SELECT source_key, volume_id FROM volume_sources WHERE source_key = ANY($1)",
            keys,
            "looking up sources",
        )
        .await
    }

    async fn volumes_of_isbns(&self, isbns: &[String]) -> StoreResult<Vec<(String, VolumeId)>> {
        lookup(
            self,
            "SELECT isbn, volume_id FROM volume_isbns WHERE isbn = ANY($1)",
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
            "SELECT source_key, volume_id, data FROM volume_sources WHERE volume_id = ANY($1)",
        )
        .bind(&ids)
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
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT volume_id, text FROM volume_texts WHERE volume_id = ANY($1)")
                .bind(&ids)
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
        // Sorted by key so that concurrent importers lock rows in the same order.
        let mut sources: Vec<_> = batch.sources.iter().collect();
        sources.sort_unstable_by(|a, b| a.contribution.source_key.cmp(&b.contribution.source_key));
        let mut keys = Vec::with_capacity(sources.len());
        let mut volumes = Vec::with_capacity(sources.len());
        let mut seqs = Vec::with_capacity(sources.len());
        let mut data = Vec::with_capacity(sources.len());
        for s in sources {
            keys.push(s.contribution.source_key.as_str());
            volumes.push(s.volume_id.as_str());
            seqs.push(s.contribution.seq);
            data.push(encode_contribution(&s.contribution)?);
        }
        let (isbns, isbn_volumes): (Vec<&str>, Vec<&str>) = batch
            .isbns
            .iter()
            .map(|(i, v)| (i.as_str(), v.as_str()))
            .unzip();
        let mut texts: Vec<_> = batch.texts.iter().collect();
        texts.sort_unstable_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        let (text_volumes, text_bodies): (Vec<&str>, Vec<&str>) =
            texts.iter().map(|(v, t)| (v.as_str(), t.as_str())).unzip();

        let mut tx = self.pool.begin().await.map_err(&err)?;
        if !keys.is_empty() {
            sqlx::query(
                "INSERT INTO volume_sources (source_key, volume_id, seq, data) \
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[]) \
                 ON CONFLICT (source_key) DO UPDATE SET volume_id = EXCLUDED.volume_id, \
                 seq = EXCLUDED.seq, data = EXCLUDED.data",
            )
            .bind(&keys)
            .bind(&volumes)
            .bind(&seqs)
            .bind(&data)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        }
        if !isbns.is_empty() {
            sqlx::query(
                "INSERT INTO volume_isbns (isbn, volume_id) \
                 SELECT * FROM UNNEST($1::text[], $2::text[]) ON CONFLICT (isbn) DO NOTHING",
            )
            .bind(&isbns)
            .bind(&isbn_volumes)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        }
        if !text_volumes.is_empty() {
            sqlx::query(
                "INSERT INTO volume_texts (volume_id, text) \
                 SELECT * FROM UNNEST($1::text[], $2::text[]) \
                 ON CONFLICT (volume_id) DO UPDATE SET text = EXCLUDED.text",
            )
            .bind(&text_volumes)
            .bind(&text_bodies)
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
