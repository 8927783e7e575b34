//! `LibraryStore` on `library_shelves`, `shelf_volumes` and `reading_positions`.
//!
//! Every write on a shelf runs in one transaction that first makes sure the shelf's row exists
//! and locks it (`SELECT … FOR UPDATE`): writes to one shelf are serialised, writes to
//! different shelves run in parallel, and the entries and the row change together.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use colophon_domain::VolumeId;
use colophon_store::{
    LibraryStore, MoveOutcome, ReadingPositionRecord, ShelfEntry, ShelfState, StoreError,
    StoreResult,
};
use sqlx::{PgConnection, Postgres, Transaction};

use crate::{db_error, PgStore};

fn volume_id(s: String) -> StoreResult<VolumeId> {
    VolumeId::parse(&s).map_err(|e| StoreError::Decode(format!("shelf entry {s:?}: {e}")))
}

fn ids(volumes: &[VolumeId]) -> Vec<&str> {
    volumes.iter().map(VolumeId::as_str).collect()
}

type EntryRow = (i32, String, DateTime<Utc>);

fn entry((shelf_id, volume, added): EntryRow) -> StoreResult<ShelfEntry> {
    Ok(ShelfEntry {
        shelf_id,
        added,
        volume_id: volume_id(volume)?,
    })
}

#[derive(sqlx::FromRow)]
struct PositionRow {
    user_id: String,
    volume_id: String,
    position: String,
    kind: String,
    updated: DateTime<Utc>,
    received: DateTime<Utc>,
    action: Option<String>,
    device_cookie: Option<String>,
    content_version: Option<String>,
}

/// Opens a transaction holding the lock on the shelf's row (created if missing, with
/// `volumes_last_updated = now`; the transaction is rolled back when nothing changes).
async fn lock_shelf(
    store: &PgStore,
    user_id: &str,
    shelf_id: i32,
    now: DateTime<Utc>,
    doing: &'static str,
) -> StoreResult<Transaction<'static, Postgres>> {
    let err = db_error(doing);
    let mut tx = store.pool.begin().await.map_err(&err)?;
    sqlx::query(
        "INSERT INTO library_shelves (user_id, shelf_id, volume_count, volumes_last_updated) \
         VALUES ($1, $2, 0, $3) ON CONFLICT (user_id, shelf_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(shelf_id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(&err)?;
    sqlx::query("SELECT 1 FROM library_shelves WHERE user_id = $1 AND shelf_id = $2 FOR UPDATE")
        .bind(user_id)
        .bind(shelf_id)
        .execute(&mut *tx)
        .await
        .map_err(&err)?;
    Ok(tx)
}

async fn count_change(
    tx: &mut PgConnection,
    user_id: &str,
    shelf_id: i32,
    delta: i64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE library_shelves SET volume_count = volume_count + $3, volumes_last_updated = $4 \
         WHERE user_id = $1 AND shelf_id = $2",
    )
    .bind(user_id)
    .bind(shelf_id)
    .bind(delta as i32)
    .bind(now)
    .execute(tx)
    .await
    .map_err(db_error("updating a shelf"))?;
    Ok(())
}

#[async_trait]
impl LibraryStore for PgStore {
    async fn shelf_states(&self, user_id: &str) -> StoreResult<Vec<ShelfState>> {
        let rows: Vec<(i32, i32, DateTime<Utc>)> = sqlx::query_as(
            "SELECT shelf_id, volume_count, volumes_last_updated FROM library_shelves \
             WHERE user_id = $1 ORDER BY shelf_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading shelves"))?;
        Ok(rows
            .into_iter()
            .map(|(shelf_id, count, last)| ShelfState {
                shelf_id,
                volume_count: u32::try_from(count).unwrap_or(0),
                volumes_last_updated: last,
            })
            .collect())
    }

    async fn add_to_shelf(
        &self,
        user_id: &str,
        shelf_id: i32,
        volume: &VolumeId,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let doing = "adding a volume to a shelf";
        let err = db_error(doing);
        let mut tx = lock_shelf(self, user_id, shelf_id, now, doing).await?;
        let added = sqlx::query(
            "INSERT INTO shelf_volumes (user_id, shelf_id, volume_id, position, added) \
             SELECT $1, $2, $3, COALESCE(MAX(position), -1) + 1, $4 FROM shelf_volumes \
             WHERE user_id = $1 AND shelf_id = $2 \
             ON CONFLICT (user_id, shelf_id, volume_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(shelf_id)
        .bind(volume.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(&err)?
        .rows_affected();
        if added == 0 {
            return Ok(false);
        }
        count_change(&mut tx, user_id, shelf_id, 1, now).await?;
        tx.commit().await.map_err(&err)?;
        Ok(true)
    }

    async fn remove_from_shelf(
        &self,
        user_id: &str,
        shelf_id: i32,
        volume: &VolumeId,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let doing = "removing a volume from a shelf";
        let err = db_error(doing);
        let mut tx = lock_shelf(self, user_id, shelf_id, now, doing).await?;
        let gone = sqlx::query(
            "DELETE FROM shelf_volumes WHERE user_id = $1 AND shelf_id = $2 AND volume_id = $3",
        )
        .bind(user_id)
        .bind(shelf_id)
        .bind(volume.as_str())
        .execute(&mut *tx)
        .await
        .map_err(&err)?
        .rows_affected();
        if gone == 0 {
            return Ok(false);
        }
        count_change(&mut tx, user_id, shelf_id, -1, now).await?;
        tx.commit().await.map_err(&err)?;
        Ok(true)
    }

    async fn clear_shelf(
        &self,
        user_id: &str,
        shelf_id: i32,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let doing = "clearing a shelf";
        let err = db_error(doing);
        let mut tx = lock_shelf(self, user_id, shelf_id, now, doing).await?;
        let gone = sqlx::query("DELETE FROM shelf_volumes WHERE user_id = $1 AND shelf_id = $2")
            .bind(user_id)
            .bind(shelf_id)
            .execute(&mut *tx)
            .await
            .map_err(&err)?
            .rows_affected();
        if gone == 0 {
            return Ok(0);
        }
        count_change(&mut tx, user_id, shelf_id, -(gone as i64), now).await?;
        tx.commit().await.map_err(&err)?;
        Ok(gone)
    }

    async fn move_on_shelf(
        &self,
        user_id: &str,
        shelf_id: i32,
        volume: &VolumeId,
        index: u32,
    ) -> StoreResult<MoveOutcome> {
        let doing = "moving a volume on a shelf";
        let err = db_error(doing);
        // The row's time is only written when the row is new, and then rolled back with the
        // transaction unless something moved (a move of an existing entry needs the row).
        let mut tx = lock_shelf(self, user_id, shelf_id, Utc::now(), doing).await?;
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT volume_id, position FROM shelf_volumes WHERE user_id = $1 AND shelf_id = $2 \
             ORDER BY position",
        )
        .bind(user_id)
        .bind(shelf_id)
        .fetch_all(&mut *tx)
        .await
        .map_err(&err)?;
        let Some(plan) = colophon_store::plan_move(&rows, volume.as_str(), index) else {
            return Ok(MoveOutcome::NotOnShelf);
        };
        let changes = match plan {
            Ok(changes) => changes,
            Err(count) => return Ok(MoveOutcome::OutOfRange { count }),
        };
        let (moved, positions): (Vec<String>, Vec<i64>) = changes.into_iter().unzip();
        sqlx::query(
            "UPDATE shelf_volumes AS s SET position = c.position \
             FROM UNNEST($3::text[], $4::bigint[]) AS c (volume_id, position) \
             WHERE s.user_id = $1 AND s.shelf_id = $2 AND s.volume_id = c.volume_id",
        )
        .bind(user_id)
        .bind(shelf_id)
        .bind(&moved)
        .bind(&positions)
        .execute(&mut *tx)
        .await
        .map_err(&err)?;
        tx.commit().await.map_err(&err)?;
        Ok(MoveOutcome::Moved)
    }

    async fn shelf_entries(
        &self,
        user_id: &str,
        shelf_id: i32,
        offset: u32,
        limit: u32,
    ) -> StoreResult<Vec<ShelfEntry>> {
        let rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT shelf_id, volume_id, added FROM shelf_volumes \
             WHERE user_id = $1 AND shelf_id = $2 ORDER BY position LIMIT $3 OFFSET $4",
        )
        .bind(user_id)
        .bind(shelf_id)
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading a shelf"))?;
        rows.into_iter().map(entry).collect()
    }

    async fn library_entries(
        &self,
        user_id: &str,
        shelf_ids: &[i32],
    ) -> StoreResult<Vec<ShelfEntry>> {
        let rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT shelf_id, volume_id, added FROM shelf_volumes WHERE user_id = $1 \
             AND (cardinality($2::int4[]) = 0 OR shelf_id = ANY($2)) \
             ORDER BY added DESC, shelf_id, position",
        )
        .bind(user_id)
        .bind(shelf_ids)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading a library"))?;
        rows.into_iter().map(entry).collect()
    }

    async fn entries_for_volumes(
        &self,
        user_id: &str,
        volumes: &[VolumeId],
    ) -> StoreResult<Vec<ShelfEntry>> {
        if volumes.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT shelf_id, volume_id, added FROM shelf_volumes WHERE user_id = $1 \
             AND volume_id = ANY($2) ORDER BY shelf_id, position",
        )
        .bind(user_id)
        .bind(ids(volumes))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading shelf entries"))?;
        rows.into_iter().map(entry).collect()
    }

    async fn co_shelved(
        &self,
        volume: &VolumeId,
        shelf_ids: &[i32],
        limit: u32,
    ) -> StoreResult<Vec<(VolumeId, u32)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "WITH readers AS (SELECT DISTINCT user_id FROM shelf_volumes WHERE volume_id = $1 \
               AND shelf_id = ANY($2)) \
             SELECT o.volume_id, COUNT(DISTINCT o.user_id) AS n \
             FROM readers r JOIN shelf_volumes o ON o.user_id = r.user_id \
             WHERE o.volume_id <> $1 AND o.shelf_id = ANY($2) \
             GROUP BY o.volume_id ORDER BY n DESC, o.volume_id COLLATE \"C\" LIMIT $3",
        )
        .bind(volume.as_str())
        .bind(shelf_ids)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading co-shelved volumes"))?;
        rows.into_iter()
            .map(|(id, n)| {
                let id = VolumeId::parse(&id)
                    .map_err(|e| StoreError::Decode(format!("co-shelved volume {id:?}: {e}")))?;
                Ok((id, u32::try_from(n).unwrap_or(u32::MAX)))
            })
            .collect()
    }

    async fn set_reading_position(&self, p: &ReadingPositionRecord) -> StoreResult<bool> {
        let written = sqlx::query(
            "INSERT INTO reading_positions (user_id, volume_id, position, kind, updated, received, \
               action, device_cookie, content_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (user_id, volume_id) DO UPDATE SET position = excluded.position, \
               kind = excluded.kind, updated = excluded.updated, received = excluded.received, \
               action = excluded.action, device_cookie = excluded.device_cookie, \
               content_version = excluded.content_version \
             WHERE reading_positions.updated < excluded.updated",
        )
        .bind(&p.user_id)
        .bind(p.volume_id.as_str())
        .bind(&p.position)
        .bind(&p.kind)
        .bind(p.updated)
        .bind(p.received)
        .bind(&p.action)
        .bind(&p.device_cookie)
        .bind(&p.content_version)
        .execute(&self.pool)
        .await
        .map_err(db_error("storing a reading position"))?
        .rows_affected();
        Ok(written > 0)
    }

    async fn reading_positions(
        &self,
        user_id: &str,
        volumes: &[VolumeId],
    ) -> StoreResult<Vec<ReadingPositionRecord>> {
        if volumes.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<PositionRow> = sqlx::query_as(
            "SELECT user_id, volume_id, position, kind, updated, received, action, device_cookie, \
               content_version FROM reading_positions WHERE user_id = $1 AND volume_id = ANY($2)",
        )
        .bind(user_id)
        .bind(ids(volumes))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading reading positions"))?;
        rows.into_iter()
            .map(|r| {
                Ok(ReadingPositionRecord {
                    volume_id: volume_id(r.volume_id)?,
                    user_id: r.user_id,
                    position: r.position,
                    kind: r.kind,
                    updated: r.updated,
                    received: r.received,
                    action: r.action,
                    device_cookie: r.device_cookie,
                    content_version: r.content_version,
                })
            })
            .collect()
    }
}
