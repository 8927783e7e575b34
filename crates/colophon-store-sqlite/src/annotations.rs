//! `AnnotationStore` and `RecommendationStore` on the `annotations` and
//! `recommendation_ratings` tables.
//!
//! Writes hold the process's write lock and run in a `BEGIN IMMEDIATE` transaction: the budget
//! check, the compare-and-swap and the write see one state, which no other writer can change
//! in between.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use colophon_domain::annotation::{AnnotationBody, AnnotationRecord};
use colophon_store::{
    AnnotationQuery, AnnotationStore, AnnotationWrite, LayerUsage, RatingRecord,
    RecommendationStore, StoreError, StoreResult,
};

use crate::{db_error, decode_time, encode_time, SqliteStore};

type Row = (String, String, String, String, String, String, bool, String);

const COLUMNS: &str = "user_id, id, volume_id, layer_id, created, updated, deleted, body";

fn decode(row: Row) -> StoreResult<AnnotationRecord> {
    let (user_id, id, volume_id, layer_id, created, updated, deleted, body) = row;
    let body: AnnotationBody = serde_json::from_str(&body)
        .map_err(|e| StoreError::Decode(format!("annotation {id}: {e}")))?;
    Ok(AnnotationRecord {
        created: decode_time(&created, "annotations.created")?,
        updated: decode_time(&updated, "annotations.updated")?,
        user_id,
        id,
        volume_id,
        layer_id,
        deleted,
        body,
    })
}

fn encode_body(r: &AnnotationRecord) -> StoreResult<String> {
    serde_json::to_string(&r.body)
        .map_err(|e| StoreError::Database(format!("encoding annotation {}: {e}", r.id)))
}

/// Characters spent by the user's other live annotations in the record's layer and volume.
async fn used_by_others(
    conn: &mut sqlx::SqliteConnection,
    r: &AnnotationRecord,
) -> StoreResult<u64> {
    let (used,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(SUM(char_count), 0) FROM annotations \
         WHERE user_id = ?1 AND volume_id = ?2 AND layer_id = ?3 AND deleted = 0 AND id <> ?4",
    )
    .bind(&r.user_id)
    .bind(&r.volume_id)
    .bind(&r.layer_id)
    .bind(&r.id)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_error("summing an annotation layer"))?;
    Ok(used.max(0) as u64)
}

fn fits(used: u64, r: &AnnotationRecord, budget: u64) -> bool {
    r.deleted || used.saturating_add(r.characters()) <= budget
}

/// The WHERE clause of a listing; parameters ?1..?6.
const FILTER: &str = "user_id = ?1 \
    AND (?2 IS NULL OR volume_id = ?2) \
    AND (?3 = '[]' OR layer_id IN (SELECT value FROM json_each(?3))) \
    AND (?4 IS NULL OR updated >= ?4) \
    AND (?5 IS NULL OR updated < ?5) \
    AND (?6 OR deleted = 0)";

fn layer_json(q: &AnnotationQuery) -> StoreResult<String> {
    serde_json::to_string(&q.layer_ids)
        .map_err(|e| StoreError::Database(format!("encoding layer ids: {e}")))
}

#[async_trait]
impl AnnotationStore for SqliteStore {
    async fn insert_annotation(
        &self,
        r: &AnnotationRecord,
        budget: u64,
    ) -> StoreResult<AnnotationWrite> {
        let err = db_error("inserting an annotation");
        let body = encode_body(r)?;
        let _writer = self.write_lock.lock().await;
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(&err)?;
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM annotations WHERE user_id = ?1 AND id = ?2")
                .bind(&r.user_id)
                .bind(&r.id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(&err)?;
        if exists.is_some() {
            return Ok(AnnotationWrite::Duplicate);
        }
        let used = used_by_others(&mut tx, r).await?;
        if !fits(used, r, budget) {
            return Ok(AnnotationWrite::OverBudget { used });
        }
        sqlx::query(
            "INSERT INTO annotations (user_id, id, volume_id, layer_id, created, updated, \
             deleted, char_count, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .bind(&r.user_id)
        .bind(&r.id)
        .bind(&r.volume_id)
        .bind(&r.layer_id)
        .bind(encode_time(r.created))
        .bind(encode_time(r.updated))
        .bind(r.deleted)
        .bind(r.characters() as i64)
        .bind(&body)
        .execute(&mut *tx)
        .await
        .map_err(&err)?;
        tx.commit().await.map_err(&err)?;
        Ok(AnnotationWrite::Written)
    }

    async fn update_annotation(
        &self,
        r: &AnnotationRecord,
        expected_updated: DateTime<Utc>,
        budget: u64,
    ) -> StoreResult<AnnotationWrite> {
        let err = db_error("updating an annotation");
        let body = encode_body(r)?;
        let _writer = self.write_lock.lock().await;
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(&err)?;
        let current: Option<(String, bool)> = sqlx::query_as(
            "SELECT updated, deleted FROM annotations WHERE user_id = ?1 AND id = ?2",
        )
        .bind(&r.user_id)
        .bind(&r.id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(&err)?;
        match current {
            None | Some((_, true)) => return Ok(AnnotationWrite::NotFound),
            Some((updated, false)) if updated != encode_time(expected_updated) => {
                return Ok(AnnotationWrite::Stale)
            }
            Some(_) => {}
        }
        let used = used_by_others(&mut tx, r).await?;
        if !fits(used, r, budget) {
            return Ok(AnnotationWrite::OverBudget { used });
        }
        sqlx::query(
            "UPDATE annotations SET volume_id = ?3, layer_id = ?4, updated = ?5, deleted = ?6, \
             char_count = ?7, body = ?8 WHERE user_id = ?1 AND id = ?2",
        )
        .bind(&r.user_id)
        .bind(&r.id)
        .bind(&r.volume_id)
        .bind(&r.layer_id)
        .bind(encode_time(r.updated))
        .bind(r.deleted)
        .bind(r.characters() as i64)
        .bind(&body)
        .execute(&mut *tx)
        .await
        .map_err(&err)?;
        tx.commit().await.map_err(&err)?;
        Ok(AnnotationWrite::Written)
    }

    async fn find_annotation(
        &self,
        user_id: &str,
        id: &str,
    ) -> StoreResult<Option<AnnotationRecord>> {
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM annotations WHERE user_id = ?1 AND id = ?2"
        ))
        .bind(user_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("reading an annotation"))?;
        row.map(decode).transpose()
    }

    async fn list_annotations(
        &self,
        q: &AnnotationQuery,
        after: Option<(DateTime<Utc>, &str)>,
        limit: u32,
    ) -> StoreResult<Vec<AnnotationRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM annotations WHERE {FILTER} \
             AND (?7 IS NULL OR updated > ?7 OR (updated = ?7 AND id > ?8)) \
             ORDER BY updated, id LIMIT ?9"
        );
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(&q.user_id)
            .bind(q.volume_id.as_deref())
            .bind(layer_json(q)?)
            .bind(q.updated_min.map(encode_time))
            .bind(q.updated_max.map(encode_time))
            .bind(q.include_deleted)
            .bind(after.map(|(t, _)| encode_time(t)))
            .bind(after.map(|(_, id)| id).unwrap_or(""))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("listing annotations"))?;
        rows.into_iter().map(decode).collect()
    }

    async fn count_annotations(&self, q: &AnnotationQuery) -> StoreResult<u64> {
        let (n,): (i64,) =
            sqlx::query_as(&format!("SELECT COUNT(*) FROM annotations WHERE {FILTER}"))
                .bind(&q.user_id)
                .bind(q.volume_id.as_deref())
                .bind(layer_json(q)?)
                .bind(q.updated_min.map(encode_time))
                .bind(q.updated_max.map(encode_time))
                .bind(q.include_deleted)
                .fetch_one(&self.pool)
                .await
                .map_err(db_error("counting annotations"))?;
        Ok(n.max(0) as u64)
    }

    async fn layer_usage(&self, user_id: &str, volume_id: &str) -> StoreResult<Vec<LayerUsage>> {
        let rows: Vec<(String, i64, i64, String)> = sqlx::query_as(
            "SELECT layer_id, SUM(CASE WHEN deleted = 0 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN deleted = 0 THEN char_count ELSE 0 END), MAX(updated) \
             FROM annotations WHERE user_id = ?1 AND volume_id = ?2 \
             GROUP BY layer_id ORDER BY layer_id",
        )
        .bind(user_id)
        .bind(volume_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("summing annotation layers"))?;
        rows.into_iter()
            .map(|(layer_id, n, chars, updated)| {
                Ok(LayerUsage {
                    layer_id,
                    annotations: n.max(0) as u64,
                    characters: chars.max(0) as u64,
                    updated: decode_time(&updated, "annotations.updated")?,
                })
            })
            .collect()
    }

    async fn annotated_volumes(&self, user_id: &str, limit: u32) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT volume_id FROM annotations WHERE user_id = ?1 AND deleted = 0 \
             GROUP BY volume_id ORDER BY MAX(updated) DESC, volume_id LIMIT ?2",
        )
        .bind(user_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing annotated volumes"))?;
        Ok(rows.into_iter().map(|(v,)| v).collect())
    }
}

#[async_trait]
impl RecommendationStore for SqliteStore {
    async fn rate_volume(&self, user_id: &str, r: &RatingRecord) -> StoreResult<()> {
        let _writer = self.write_lock.lock().await;
        sqlx::query(
            "INSERT INTO recommendation_ratings (user_id, volume_id, rating, rated) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_id, volume_id) \
             DO UPDATE SET rating = excluded.rating, rated = excluded.rated",
        )
        .bind(user_id)
        .bind(&r.volume_id)
        .bind(&r.rating)
        .bind(encode_time(r.rated))
        .execute(&self.pool)
        .await
        .map_err(db_error("rating a volume"))?;
        Ok(())
    }

    async fn volume_ratings(&self, user_id: &str) -> StoreResult<Vec<RatingRecord>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT volume_id, rating, rated FROM recommendation_ratings \
             WHERE user_id = ?1 ORDER BY volume_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading ratings"))?;
        rows.into_iter()
            .map(|(volume_id, rating, rated)| {
                Ok(RatingRecord {
                    volume_id,
                    rating,
                    rated: decode_time(&rated, "recommendation_ratings.rated")?,
                })
            })
            .collect()
    }
}
