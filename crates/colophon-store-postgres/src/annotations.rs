//! `AnnotationStore` and `RecommendationStore` on the `annotations` and
//! `recommendation_ratings` tables.
//!
//! A write runs in one transaction that first takes a transaction-scoped advisory lock on
//! (user, volume, layer): concurrent writers of the same layer budget queue there, so the
//! budget check and the write see one state. Updates also lock the row and compare `updated`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use colophon_domain::annotation::{AnnotationBody, AnnotationRecord};
use colophon_store::{
    AnnotationQuery, AnnotationStore, AnnotationWrite, LayerUsage, RatingRecord,
    RecommendationStore, StoreError, StoreResult,
};

use crate::{db_error, PgStore};

#[derive(sqlx::FromRow)]
struct Row {
    user_id: String,
    id: String,
    volume_id: String,
    layer_id: String,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    deleted: bool,
    body: String,
}

impl Row {
    fn decode(self) -> StoreResult<AnnotationRecord> {
        let body: AnnotationBody = serde_json::from_str(&self.body)
            .map_err(|e| StoreError::Decode(format!("annotation {}: {e}", self.id)))?;
        Ok(AnnotationRecord {
            user_id: self.user_id,
            id: self.id,
            volume_id: self.volume_id,
            layer_id: self.layer_id,
            created: self.created,
            updated: self.updated,
            deleted: self.deleted,
            body,
        })
    }
}

const COLUMNS: &str = "user_id, id, volume_id, layer_id, created, updated, deleted, body";

fn encode_body(r: &AnnotationRecord) -> StoreResult<String> {
    serde_json::to_string(&r.body)
        .map_err(|e| StoreError::Database(format!("encoding annotation {}: {e}", r.id)))
}

/// Queues writers of one (user, volume, layer) budget until the transaction ends.
async fn lock_layer(conn: &mut sqlx::PgConnection, r: &AnnotationRecord) -> StoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!(
            "annotations\u{1f}{}\u{1f}{}\u{1f}{}",
            r.user_id, r.volume_id, r.layer_id
        ))
        .execute(&mut *conn)
        .await
        .map_err(db_error("locking an annotation layer"))?;
    Ok(())
}

/// Characters spent by the user's other live annotations in the record's layer and volume.
async fn used_by_others(conn: &mut sqlx::PgConnection, r: &AnnotationRecord) -> StoreResult<u64> {
    let (used,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(SUM(char_count), 0)::BIGINT FROM annotations \
         WHERE user_id = $1 AND volume_id = $2 AND layer_id = $3 AND NOT deleted AND id <> $4",
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

/// The WHERE clause of a listing; parameters $1..$6.
const FILTER: &str = "user_id = $1 \
    AND ($2::TEXT IS NULL OR volume_id = $2) \
    AND (cardinality($3::TEXT[]) = 0 OR layer_id = ANY($3)) \
    AND ($4::TIMESTAMPTZ IS NULL OR updated >= $4) \
    AND ($5::TIMESTAMPTZ IS NULL OR updated < $5) \
    AND ($6 OR NOT deleted)";

#[async_trait]
impl AnnotationStore for PgStore {
    async fn insert_annotation(
        &self,
        r: &AnnotationRecord,
        budget: u64,
    ) -> StoreResult<AnnotationWrite> {
        let err = db_error("inserting an annotation");
        let body = encode_body(r)?;
        let mut tx = self.pool.begin().await.map_err(&err)?;
        lock_layer(&mut tx, r).await?;
        let used = used_by_others(&mut tx, r).await?;
        if !fits(used, r, budget) {
            let exists: Option<(i32,)> =
                sqlx::query_as("SELECT 1 FROM annotations WHERE user_id = $1 AND id = $2")
                    .bind(&r.user_id)
                    .bind(&r.id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(&err)?;
            if exists.is_some() {
                return Ok(AnnotationWrite::Duplicate);
            }
            return Ok(AnnotationWrite::OverBudget { used });
        }
        let inserted = sqlx::query(
            "INSERT INTO annotations (user_id, id, volume_id, layer_id, created, updated, \
             deleted, char_count, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (user_id, id) DO NOTHING",
        )
        .bind(&r.user_id)
        .bind(&r.id)
        .bind(&r.volume_id)
        .bind(&r.layer_id)
        .bind(r.created)
        .bind(r.updated)
        .bind(r.deleted)
        .bind(r.characters() as i64)
        .bind(&body)
        .execute(&mut *tx)
        .await
        .map_err(&err)?
        .rows_affected();
        if inserted == 0 {
            return Ok(AnnotationWrite::Duplicate);
        }
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
        let mut tx = self.pool.begin().await.map_err(&err)?;
        lock_layer(&mut tx, r).await?;
        let current: Option<(DateTime<Utc>, bool)> = sqlx::query_as(
            "SELECT updated, deleted FROM annotations WHERE user_id = $1 AND id = $2 FOR UPDATE",
        )
        .bind(&r.user_id)
        .bind(&r.id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(&err)?;
        match current {
            None | Some((_, true)) => return Ok(AnnotationWrite::NotFound),
            Some((updated, false)) if updated != expected_updated => {
                return Ok(AnnotationWrite::Stale)
            }
            Some(_) => {}
        }
        let used = used_by_others(&mut tx, r).await?;
        if !fits(used, r, budget) {
            return Ok(AnnotationWrite::OverBudget { used });
        }
        sqlx::query(
            "UPDATE annotations SET volume_id = $3, layer_id = $4, updated = $5, deleted = $6, \
             char_count = $7, body = $8 WHERE user_id = $1 AND id = $2",
        )
        .bind(&r.user_id)
        .bind(&r.id)
        .bind(&r.volume_id)
        .bind(&r.layer_id)
        .bind(r.updated)
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
            "SELECT {COLUMNS} FROM annotations WHERE user_id = $1 AND id = $2"
        ))
        .bind(user_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("reading an annotation"))?;
        row.map(Row::decode).transpose()
    }

    async fn list_annotations(
        &self,
        q: &AnnotationQuery,
        after: Option<(DateTime<Utc>, &str)>,
        limit: u32,
    ) -> StoreResult<Vec<AnnotationRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM annotations WHERE {FILTER} \
             AND ($7::TIMESTAMPTZ IS NULL OR (updated, id) > ($7, $8::TEXT COLLATE \"C\")) \
             ORDER BY updated, id LIMIT $9"
        );
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(&q.user_id)
            .bind(q.volume_id.as_deref())
            .bind(&q.layer_ids)
            .bind(q.updated_min)
            .bind(q.updated_max)
            .bind(q.include_deleted)
            .bind(after.map(|(t, _)| t))
            .bind(after.map(|(_, id)| id).unwrap_or(""))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("listing annotations"))?;
        rows.into_iter().map(Row::decode).collect()
    }

    async fn count_annotations(&self, q: &AnnotationQuery) -> StoreResult<u64> {
        let (n,): (i64,) =
            sqlx::query_as(&format!("SELECT COUNT(*) FROM annotations WHERE {FILTER}"))
                .bind(&q.user_id)
                .bind(q.volume_id.as_deref())
                .bind(&q.layer_ids)
                .bind(q.updated_min)
                .bind(q.updated_max)
                .bind(q.include_deleted)
                .fetch_one(&self.pool)
                .await
                .map_err(db_error("counting annotations"))?;
        Ok(n.max(0) as u64)
    }

    async fn layer_usage(&self, user_id: &str, volume_id: &str) -> StoreResult<Vec<LayerUsage>> {
        let rows: Vec<(String, i64, i64, DateTime<Utc>)> = sqlx::query_as(
            "SELECT layer_id, COUNT(*) FILTER (WHERE NOT deleted), \
             COALESCE(SUM(char_count) FILTER (WHERE NOT deleted), 0)::BIGINT, MAX(updated) \
             FROM annotations WHERE user_id = $1 AND volume_id = $2 \
             GROUP BY layer_id ORDER BY layer_id",
        )
        .bind(user_id)
        .bind(volume_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("summing annotation layers"))?;
        Ok(rows
            .into_iter()
            .map(|(layer_id, n, chars, updated)| LayerUsage {
                layer_id,
                annotations: n.max(0) as u64,
                characters: chars.max(0) as u64,
                updated,
            })
            .collect())
    }

    async fn annotated_volumes(&self, user_id: &str, limit: u32) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT volume_id FROM annotations WHERE user_id = $1 AND NOT deleted \
             GROUP BY volume_id ORDER BY MAX(updated) DESC, volume_id LIMIT $2",
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
impl RecommendationStore for PgStore {
    async fn rate_volume(&self, user_id: &str, r: &RatingRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO recommendation_ratings (user_id, volume_id, rating, rated) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, volume_id) \
             DO UPDATE SET rating = excluded.rating, rated = excluded.rated",
        )
        .bind(user_id)
        .bind(&r.volume_id)
        .bind(&r.rating)
        .bind(r.rated)
        .execute(&self.pool)
        .await
        .map_err(db_error("rating a volume"))?;
        Ok(())
    }

    async fn volume_ratings(&self, user_id: &str) -> StoreResult<Vec<RatingRecord>> {
        let rows: Vec<(String, String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT volume_id, rating, rated FROM recommendation_ratings \
             WHERE user_id = $1 ORDER BY volume_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading ratings"))?;
        Ok(rows
            .into_iter()
            .map(|(volume_id, rating, rated)| RatingRecord {
                volume_id,
                rating,
                rated,
            })
            .collect())
    }
}
