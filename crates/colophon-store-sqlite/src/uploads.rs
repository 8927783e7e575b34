//! `UploadStore` on `user_uploads` and `user_upload_files`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use colophon_domain::library::ProcessingState;
use colophon_domain::VolumeId;
use colophon_store::codec::{decode_record, encode_record};
use colophon_store::{
    NewUpload, StoreError, StoreResult, UploadOutcome, UploadQuery, UploadRecord, UploadStore,
};

use crate::{db_error, decode_time, encode_time, SqliteStore};

const COLUMNS: &str = "volume_id, user_id, name, media_type, size, title, author, \
                       processing_state, failure, record, created, updated";

#[derive(sqlx::FromRow)]
struct Row {
    volume_id: String,
    user_id: String,
    name: String,
    media_type: String,
    size: i64,
    title: String,
    author: String,
    processing_state: String,
    failure: Option<String>,
    record: Option<String>,
    created: String,
    updated: String,
}

impl Row {
    fn decode(self) -> StoreResult<UploadRecord> {
        let what = |e: &dyn std::fmt::Display| {
            StoreError::Decode(format!("upload {}: {e}", self.volume_id))
        };
        let state = ProcessingState::parse(&self.processing_state)
            .ok()
            .flatten()
            .ok_or_else(|| what(&format!("state {:?}", self.processing_state)))?;
        let record = match &self.record {
            Some(data) => Some(decode_record(&self.volume_id, data)?),
            None => None,
        };
        Ok(UploadRecord {
            volume_id: VolumeId::parse(&self.volume_id).map_err(|e| what(&e))?,
            created: decode_time(&self.created, "upload")?,
            updated: decode_time(&self.updated, "upload")?,
            user_id: self.user_id,
            name: self.name,
            media_type: self.media_type,
            size: u64::try_from(self.size).unwrap_or(0),
            title: self.title,
            author: self.author,
            state,
            failure: self.failure,
            record,
        })
    }
}

fn json_list<'a>(items: impl Iterator<Item = &'a str>) -> StoreResult<String> {
    serde_json::to_string(&items.collect::<Vec<_>>())
        .map_err(|e| StoreError::Database(format!("encoding a filter: {e}")))
}

#[async_trait]
impl UploadStore for SqliteStore {
    async fn insert_upload(&self, upload: &NewUpload, bytes: &[u8]) -> StoreResult<()> {
        let err = db_error("storing an upload");
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin().await.map_err(&err)?;
        sqlx::query(
            "INSERT INTO user_uploads (volume_id, user_id, name, media_type, size, title, \
             author, processing_state, failure, record, created, updated) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, '', 'RUNNING', NULL, NULL, ?7, ?7)",
        )
        .bind(upload.volume_id.as_str())
        .bind(&upload.user_id)
        .bind(&upload.name)
        .bind(&upload.media_type)
        .bind(bytes.len() as i64)
        .bind(&upload.title)
        .bind(encode_time(upload.created))
        .execute(&mut *tx)
        .await
        .map_err(&err)?;
        sqlx::query("INSERT INTO user_upload_files (volume_id, bytes) VALUES (?1, ?2)")
            .bind(upload.volume_id.as_str())
            .bind(bytes)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        tx.commit().await.map_err(&err)
    }

    async fn finish_upload(
        &self,
        volume: &VolumeId,
        outcome: &UploadOutcome,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let err = db_error("finishing an upload");
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin().await.map_err(&err)?;
        let done = match outcome {
            UploadOutcome::Succeeded {
                record,
                title,
                author,
                full_text,
            } => {
                let done = sqlx::query(
                    "UPDATE user_uploads SET processing_state = 'COMPLETED_SUCCESS', \
                     title = CASE WHEN owner_title OR ?2 = '' THEN title ELSE ?2 END, \
                     author = CASE WHEN owner_author THEN author ELSE ?3 END, \
                     record = ?4, updated = ?5 \
                     WHERE volume_id = ?1 AND processing_state = 'RUNNING'",
                )
                .bind(volume.as_str())
                .bind(title)
                .bind(author)
                .bind(encode_record(record)?)
                .bind(encode_time(now))
                .execute(&mut *tx)
                .await
                .map_err(&err)?
                .rows_affected()
                    == 1;
                if done {
                    sqlx::query("UPDATE user_upload_files SET full_text = ?2 WHERE volume_id = ?1")
                        .bind(volume.as_str())
                        .bind(full_text.as_deref())
                        .execute(&mut *tx)
                        .await
                        .map_err(&err)?;
                }
                done
            }
            UploadOutcome::Failed { reason } => {
                sqlx::query(
                    "UPDATE user_uploads SET processing_state = 'COMPLETED_FAILED', \
                     failure = ?2, updated = ?3 \
                     WHERE volume_id = ?1 AND processing_state = 'RUNNING'",
                )
                .bind(volume.as_str())
                .bind(reason)
                .bind(encode_time(now))
                .execute(&mut *tx)
                .await
                .map_err(&err)?
                .rows_affected()
                    == 1
            }
        };
        tx.commit().await.map_err(&err)?;
        Ok(done)
    }

    async fn upload(&self, user_id: &str, volume: &VolumeId) -> StoreResult<Option<UploadRecord>> {
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM user_uploads WHERE volume_id = ?1 AND user_id = ?2"
        ))
        .bind(volume.as_str())
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("reading an upload"))?;
        row.map(Row::decode).transpose()
    }

    async fn list_uploads(
        &self,
        user_id: &str,
        query: &UploadQuery,
    ) -> StoreResult<(u64, Vec<UploadRecord>)> {
        let err = db_error("listing uploads");
        let states = json_list(query.states.iter().map(|s| s.as_str()))?;
        let ids = json_list(query.volume_ids.iter().map(VolumeId::as_str))?;
        const FILTER: &str = "user_id = ?1 \
            AND (?2 = '[]' OR processing_state IN (SELECT value FROM json_each(?2))) \
            AND (?3 = '[]' OR volume_id IN (SELECT value FROM json_each(?3)))";
        let (total,): (i64,) =
            sqlx::query_as(&format!("SELECT COUNT(*) FROM user_uploads WHERE {FILTER}"))
                .bind(user_id)
                .bind(&states)
                .bind(&ids)
                .fetch_one(&self.pool)
                .await
                .map_err(&err)?;
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM user_uploads WHERE {FILTER} \
             ORDER BY created DESC, volume_id LIMIT ?4 OFFSET ?5"
        ))
        .bind(user_id)
        .bind(&states)
        .bind(&ids)
        .bind(i64::from(query.max))
        .bind(i64::from(query.start))
        .fetch_all(&self.pool)
        .await
        .map_err(&err)?;
        let items = rows
            .into_iter()
            .map(Row::decode)
            .collect::<StoreResult<_>>()?;
        Ok((u64::try_from(total).unwrap_or(0), items))
    }

    async fn rename_upload(
        &self,
        user_id: &str,
        volume: &VolumeId,
        title: Option<&str>,
        author: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UploadRecord>> {
        let err = db_error("updating an upload");
        {
            let _writer = self.write_lock.lock().await;
            let changed = sqlx::query(
                "UPDATE user_uploads SET title = COALESCE(?3, title), \
                 author = COALESCE(?4, author), updated = ?5, \
                 owner_title = (owner_title OR ?3 IS NOT NULL), \
                 owner_author = (owner_author OR ?4 IS NOT NULL) \
                 WHERE volume_id = ?1 AND user_id = ?2",
            )
            .bind(volume.as_str())
            .bind(user_id)
            .bind(title)
            .bind(author)
            .bind(encode_time(now))
            .execute(&self.pool)
            .await
            .map_err(&err)?
            .rows_affected();
            if changed == 0 {
                return Ok(None);
            }
        }
        self.upload(user_id, volume).await
    }

    async fn delete_upload(&self, user_id: &str, volume: &VolumeId) -> StoreResult<bool> {
        let err = db_error("deleting an upload");
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin().await.map_err(&err)?;
        let gone = sqlx::query("DELETE FROM user_uploads WHERE volume_id = ?1 AND user_id = ?2")
            .bind(volume.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(&err)?
            .rows_affected()
            == 1;
        if gone {
            let digest: Option<(String,)> =
                sqlx::query_as("DELETE FROM volume_covers WHERE volume_id = ?1 RETURNING digest")
                    .bind(volume.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(&err)?;
            if let Some((digest,)) = digest {
                sqlx::query(
                    "DELETE FROM cover_images WHERE digest = ?1 \
                     AND NOT EXISTS (SELECT 1 FROM volume_covers WHERE digest = ?1)",
                )
                .bind(digest)
                .execute(&mut *tx)
                .await
                .map_err(&err)?;
            }
        }
        tx.commit().await.map_err(&err)?;
        Ok(gone)
    }

    async fn upload_file(
        &self,
        user_id: &str,
        volume: &VolumeId,
    ) -> StoreResult<Option<(String, Vec<u8>)>> {
        sqlx::query_as(
            "SELECT u.media_type, f.bytes FROM user_uploads u \
             JOIN user_upload_files f ON f.volume_id = u.volume_id \
             WHERE u.volume_id = ?1 AND u.user_id = ?2",
        )
        .bind(volume.as_str())
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("reading an uploaded file"))
    }

    async fn upload_text(&self, user_id: &str, volume: &VolumeId) -> StoreResult<Option<String>> {
        let row: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT f.full_text FROM user_uploads u \
             JOIN user_upload_files f ON f.volume_id = u.volume_id \
             WHERE u.volume_id = ?1 AND u.user_id = ?2",
        )
        .bind(volume.as_str())
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("reading an upload's text"))?;
        Ok(row.and_then(|(t,)| t))
    }

    async fn pending_upload(
        &self,
        volume: &VolumeId,
    ) -> StoreResult<Option<(UploadRecord, Vec<u8>)>> {
        let err = db_error("reading a pending upload");
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM user_uploads \
             WHERE volume_id = ?1 AND processing_state = 'RUNNING'"
        ))
        .bind(volume.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(&err)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let bytes: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT bytes FROM user_upload_files WHERE volume_id = ?1")
                .bind(volume.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(&err)?;
        match bytes {
            Some((bytes,)) => Ok(Some((row.decode()?, bytes))),
            None => Ok(None),
        }
    }

    async fn running_uploads(&self) -> StoreResult<Vec<VolumeId>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT volume_id FROM user_uploads WHERE processing_state = 'RUNNING' \
             ORDER BY created, volume_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing running uploads"))?;
        rows.into_iter()
            .map(|(id,)| {
                VolumeId::parse(&id).map_err(|e| StoreError::Decode(format!("upload {id}: {e}")))
            })
            .collect()
    }
}
