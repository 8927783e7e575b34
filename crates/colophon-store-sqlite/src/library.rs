//! `LibraryStore` on `library_shelves`, `shelf_volumes` and `reading_positions`.
//!
//! Every write takes the store's writer lock and runs in one `BEGIN IMMEDIATE` transaction
//! that changes the entries and the shelf's row together.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use colophon_domain::VolumeId;
use colophon_store::{
    LibraryStore, MoveOutcome, ReadingPositionRecord, ShelfEntry, ShelfState, StoreError,
    StoreResult,
};
use sqlx::{Sqlite, Transaction};

use crate::{db_error, decode_time, encode_time, SqliteStore};

fn volume_id(s: String) -> StoreResult<VolumeId> {
    VolumeId::parse(&s).map_err(|e| StoreError::Decode(format!("shelf entry {s:?}: {e}")))
}

fn ids_json(volumes: &[VolumeId]) -> StoreResult<String> {
    let ids: Vec<&str> = volumes.iter().map(VolumeId::as_str).collect();
    serde_json::to_string(&ids).map_err(|e| StoreError::Database(format!("encoding ids: {e}")))
}

type EntryRow = (i32, String, String);

fn entry((shelf_id, volume, added): EntryRow) -> StoreResult<ShelfEntry> {
    Ok(ShelfEntry {
        shelf_id,
        added: decode_time(&added, "shelf entry")?,
        volume_id: volume_id(volume)?,
    })
}

#[derive(sqlx::FromRow)]
struct PositionRow {
    user_id: String,
    volume_id: String,
    position: String,
    kind: String,
    updated: String,
    received: String,
    action: Option<String>,
    device_cookie: Option<String>,
    content_version: Option<String>,
}

impl SqliteStore {
    async fn writer(&self, doing: &'static str) -> StoreResult<Transaction<'static, Sqlite>> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_error(doing))
    }
}

/// Counts a change of the shelf's entries: `delta` entries, at `now`.
async fn touch_shelf(
    tx: &mut Transaction<'static, Sqlite>,
    user_id: &str,
    shelf_id: i32,
    delta: i64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO library_shelves (user_id, shelf_id, volume_count, volumes_last_updated) \
         VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (user_id, shelf_id) DO UPDATE SET \
           volume_count = volume_count + ?3, volumes_last_updated = ?4",
    )
    .bind(user_id)
    .bind(shelf_id)
    .bind(delta)
    .bind(encode_time(now))
    .execute(&mut **tx)
    .await
    .map_err(db_error("updating a shelf"))?;
    Ok(())
}

#[async_trait]
impl LibraryStore for SqliteStore {
    async fn shelf_states(&self, user_id: &str) -> StoreResult<Vec<ShelfState>> {
        let rows: Vec<(i32, i64, String)> = sqlx::query_as(
            "SELECT shelf_id, volume_count, volumes_last_updated FROM library_shelves \
             WHERE user_id = ?1 ORDER BY shelf_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading shelves"))?;
        rows.into_iter()
            .map(|(shelf_id, count, last)| {
                Ok(ShelfState {
                    shelf_id,
                    volume_count: u32::try_from(count).unwrap_or(0),
                    volumes_last_updated: decode_time(&last, "shelf")?,
                })
            })
            .collect()
    }

    async fn add_to_shelf(
        &self,
        user_id: &str,
        shelf_id: i32,
        volume: &VolumeId,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let err = db_error("adding a volume to a shelf");
        let _writer = self.write_lock.lock().await;
        let mut tx = self.writer("adding a volume to a shelf").await?;
        let there: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM shelf_volumes WHERE user_id = ?1 AND shelf_id = ?2 AND volume_id = ?3",
        )
        .bind(user_id)
        .bind(shelf_id)
        .bind(volume.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(&err)?;
        if there.is_some() {
            return Ok(false);
        }
        touch_shelf(&mut tx, user_id, shelf_id, 1, now).await?;
        sqlx::query(
            "INSERT INTO shelf_volumes (user_id, shelf_id, volume_id, position, added) \
             SELECT ?1, ?2, ?3, COALESCE(MAX(position), -1) + 1, ?4 FROM shelf_volumes \
             WHERE user_id = ?1 AND shelf_id = ?2",
        )
        .bind(user_id)
        .bind(shelf_id)
        .bind(volume.as_str())
        .bind(encode_time(now))
        .execute(&mut *tx)
        .await
        .map_err(&err)?;
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
        let err = db_error("removing a volume from a shelf");
        let _writer = self.write_lock.lock().await;
        let mut tx = self.writer("removing a volume from a shelf").await?;
        let gone = sqlx::query(
            "DELETE FROM shelf_volumes WHERE user_id = ?1 AND shelf_id = ?2 AND volume_id = ?3",
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
        touch_shelf(&mut tx, user_id, shelf_id, -1, now).await?;
        tx.commit().await.map_err(&err)?;
        Ok(true)
    }

    async fn clear_shelf(
        &self,
        user_id: &str,
        shelf_id: i32,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let err = db_error("clearing a shelf");
        let _writer = self.write_lock.lock().await;
        let mut tx = self.writer("clearing a shelf").await?;
        let gone = sqlx::query("DELETE FROM shelf_volumes WHERE user_id = ?1 AND shelf_id = ?2")
            .bind(user_id)
            .bind(shelf_id)
            .execute(&mut *tx)
            .await
            .map_err(&err)?
            .rows_affected();
        if gone == 0 {
            return Ok(0);
        }
        touch_shelf(&mut tx, user_id, shelf_id, -(gone as i64), now).await?;
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
        let err = db_error("moving a volume on a shelf");
        let _writer = self.write_lock.lock().await;
        let mut tx = self.writer("moving a volume on a shelf").await?;
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT volume_id, position FROM shelf_volumes WHERE user_id = ?1 AND shelf_id = ?2 \
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
        for (volume_id, position) in changes {
            sqlx::query(
                "UPDATE shelf_volumes SET position = ?4 \
                 WHERE user_id = ?1 AND shelf_id = ?2 AND volume_id = ?3",
            )
            .bind(user_id)
            .bind(shelf_id)
            .bind(volume_id)
            .bind(position)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        }
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
             WHERE user_id = ?1 AND shelf_id = ?2 ORDER BY position LIMIT ?3 OFFSET ?4",
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
        let shelves = serde_json::to_string(shelf_ids)
            .map_err(|e| StoreError::Database(format!("encoding shelf ids: {e}")))?;
        let rows: Vec<EntryRow> = sqlx::query_as(
            "SELECT shelf_id, volume_id, added FROM shelf_volumes WHERE user_id = ?1 \
             AND (?2 = '[]' OR shelf_id IN (SELECT value FROM json_each(?2))) \
             ORDER BY added DESC, shelf_id, position",
        )
        .bind(user_id)
        .bind(shelves)
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
            "SELECT shelf_id, volume_id, added FROM shelf_volumes WHERE user_id = ?1 \
             AND volume_id IN (SELECT value FROM json_each(?2)) ORDER BY shelf_id, position",
        )
        .bind(user_id)
        .bind(ids_json(volumes)?)
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
        let shelves = serde_json::to_string(shelf_ids)
            .map_err(|e| StoreError::Database(format!("encoding shelf ids: {e}")))?;
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "WITH readers AS (SELECT DISTINCT user_id FROM shelf_volumes WHERE volume_id = ?1 \
               AND shelf_id IN (SELECT value FROM json_each(?2))) \
             SELECT o.volume_id, COUNT(DISTINCT o.user_id) AS n \
             FROM readers r JOIN shelf_volumes o ON o.user_id = r.user_id \
             WHERE o.volume_id <> ?1 AND o.shelf_id IN (SELECT value FROM json_each(?2)) \
             GROUP BY o.volume_id ORDER BY n DESC, o.volume_id LIMIT ?3",
        )
        .bind(volume.as_str())
        .bind(shelves)
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
        let err = db_error("storing a reading position");
        let _writer = self.write_lock.lock().await;
        let written = sqlx::query(
            "INSERT INTO reading_positions (user_id, volume_id, position, kind, updated, received, \
               action, device_cookie, content_version) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
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
        .bind(encode_time(p.updated))
        .bind(encode_time(p.received))
        .bind(&p.action)
        .bind(&p.device_cookie)
        .bind(&p.content_version)
        .execute(&self.pool)
        .await
        .map_err(&err)?
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
               content_version FROM reading_positions WHERE user_id = ?1 \
             AND volume_id IN (SELECT value FROM json_each(?2))",
        )
        .bind(user_id)
        .bind(ids_json(volumes)?)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading reading positions"))?;
        rows.into_iter()
            .map(|r| {
                Ok(ReadingPositionRecord {
                    updated: decode_time(&r.updated, "reading position")?,
                    received: decode_time(&r.received, "reading position")?,
                    volume_id: volume_id(r.volume_id)?,
                    user_id: r.user_id,
                    position: r.position,
                    kind: r.kind,
                    action: r.action,
                    device_cookie: r.device_cookie,
                    content_version: r.content_version,
                })
            })
            .collect()
    }
}
