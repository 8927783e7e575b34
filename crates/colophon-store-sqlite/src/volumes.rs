//! `VolumeStore` on the `volumes` table.

use std::collections::HashMap;
use std::sync::OnceLock;

use async_trait::async_trait;
use colophon_domain::{VolumeId, VolumeRecord};
use colophon_store::codec::{decode_record as decode, decode_rows, encode_record};
use colophon_store::{StoreError, StoreResult, UpsertOutcome, VolumeStore};

use crate::{db_error, encode_time, SqliteStore};

/// A record ready to be written.
struct VolumeRow<'a> {
    id: &'a str,
    source_key: &'a str,
    etag: &'a str,
    updated: String,
    data: String,
}

impl<'a> VolumeRow<'a> {
    fn encode(r: &'a VolumeRecord) -> StoreResult<Self> {
        let data = encode_record(r)?;
        Ok(Self {
            id: r.id.as_str(),
            source_key: &r.source_key,
            etag: &r.etag,
            updated: encode_time(r.updated),
            data,
        })
    }
}

/// Most rows written by one statement (5 parameters each, far below SQLite's limit).
const MAX_ROWS_PER_STATEMENT: usize = 128;

/// `INSERT … ON CONFLICT (id) DO UPDATE` for `rows` rows; SQLite applies the rows in order, so
/// an id repeated within the statement ends with its last row.
fn upsert_sql(rows: usize) -> String {
    let mut sql = String::from("INSERT INTO volumes (id, source_key, etag, updated, data) VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str("(?, ?, ?, ?, ?)");
    }
    sql.push_str(
        " ON CONFLICT (id) DO UPDATE SET source_key = excluded.source_key, \
         etag = excluded.etag, updated = excluded.updated, data = excluded.data",
    );
    sql
}

/// The statements for 1, 2, 4, … [`MAX_ROWS_PER_STATEMENT`] rows, built once: a few fixed
/// sizes keep sqlx's cache of prepared statements small and warm.
fn upsert_statements() -> &'static [String] {
    static STATEMENTS: OnceLock<Vec<String>> = OnceLock::new();
    STATEMENTS.get_or_init(|| {
        std::iter::successors(Some(1_usize), |n| Some(n * 2))
            .take_while(|n| *n <= MAX_ROWS_PER_STATEMENT)
            .map(upsert_sql)
            .collect()
    })
}

/// Splits `n` rows into statement sizes: full statements, then powers of two.
fn statement_sizes(mut n: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if n == 0 {
            return None;
        }
        let size = if n >= MAX_ROWS_PER_STATEMENT {
            MAX_ROWS_PER_STATEMENT
        } else {
            1 << n.ilog2()
        };
        n -= size;
        Some(size)
    })
}

/// Upserts `records` inside the caller's transaction (see [`VolumeStore::upsert_volumes`]).
pub(crate) async fn upsert_in(
    conn: &mut sqlx::SqliteConnection,
    records: &[VolumeRecord],
) -> StoreResult<UpsertOutcome> {
    let mut outcome = UpsertOutcome::default();
    if records.is_empty() {
        return Ok(outcome);
    }
    let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
    let ids = serde_json::to_string(&ids)
        .map_err(|e| StoreError::Database(format!("encoding volume ids: {e}")))?;
    let err = db_error("upserting volumes");
    let stored: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, etag FROM volumes WHERE id IN (SELECT value FROM json_each(?1))",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(&err)?;
    let mut etags: HashMap<&str, &str> = stored.iter().map(|(i, e)| (&**i, &**e)).collect();

    // Decide in batch order (an id may repeat); only what changes is encoded and written.
    let mut writes: Vec<VolumeRow<'_>> = Vec::new();
    for r in records {
        match etags.insert(r.id.as_str(), r.etag.as_str()) {
            Some(etag) if etag == r.etag => {
                outcome.unchanged += 1;
                continue;
            }
            Some(_) => outcome.updated += 1,
            None => outcome.inserted += 1,
        }
        writes.push(VolumeRow::encode(r)?);
    }

    let statements = upsert_statements();
    let mut rest = writes.as_slice();
    for size in statement_sizes(writes.len()) {
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        let mut query = sqlx::query(&statements[size.ilog2() as usize]);
        for row in chunk {
            query = query
                .bind(row.id)
                .bind(row.source_key)
                .bind(row.etag)
                .bind(&row.updated)
                .bind(&row.data);
        }
        query.execute(&mut *conn).await.map_err(&err)?;
    }
    Ok(outcome)
}

#[async_trait]
impl VolumeStore for SqliteStore {
    async fn upsert_volumes(&self, records: &[VolumeRecord]) -> StoreResult<UpsertOutcome> {
        if records.is_empty() {
            return Ok(UpsertOutcome::default());
        }
        let err = db_error("upserting volumes");
        let _writer = self.write_lock.lock().await;
        // IMMEDIATE takes the write lock up front: a deferred transaction that reads first
        // could not upgrade to writing while another connection writes.
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(&err)?;
        let outcome = upsert_in(&mut tx, records).await?;
        // Returning early on an error drops `tx`, which rolls the whole batch back.
        tx.commit().await.map_err(&err)?;
        Ok(outcome)
    }

    async fn get_volume(&self, id: &VolumeId) -> StoreResult<Option<VolumeRecord>> {
        let data: Option<(String,)> = sqlx::query_as("SELECT data FROM volumes WHERE id = ?1")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error("reading a volume"))?;
        data.map(|(data,)| decode(id.as_str(), &data)).transpose()
    }

    async fn get_volumes(&self, ids: &[VolumeId]) -> StoreResult<Vec<VolumeRecord>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let asked: Vec<&str> = ids.iter().map(VolumeId::as_str).collect();
        let asked_json = serde_json::to_string(&asked)
            .map_err(|e| StoreError::Database(format!("encoding volume ids: {e}")))?;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, data FROM volumes WHERE id IN (SELECT value FROM json_each(?1))",
        )
        .bind(asked_json)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading volumes"))?;
        let mut found: HashMap<String, VolumeRecord> = HashMap::with_capacity(rows.len());
        for (id, data) in rows {
            let record = decode(&id, &data)?;
            found.insert(id, record);
        }
        Ok(asked
            .iter()
            .filter_map(|id| found.get(*id).cloned())
            .collect())
    }

    async fn delete_volume(&self, id: &VolumeId) -> StoreResult<bool> {
        let err = db_error("deleting a volume");
        let _writer = self.write_lock.lock().await;
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(&err)?;
        // The volume goes with everything that was known of it: its sources, ISBN claims and
        // text (a later import of one of those sources makes a fresh volume).
        for sql in [
            "DELETE FROM volume_sources WHERE volume_id = ?1",
            "DELETE FROM volume_isbns WHERE volume_id = ?1",
            "DELETE FROM volume_texts WHERE volume_id = ?1",
        ] {
            sqlx::query(sql)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(&err)?;
        }
        let done = sqlx::query("DELETE FROM volumes WHERE id = ?1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        tx.commit().await.map_err(&err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn count_volumes(&self) -> StoreResult<u64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM volumes")
            .fetch_one(&self.pool)
            .await
            .map_err(db_error("counting volumes"))?;
        u64::try_from(n).map_err(|e| StoreError::Decode(format!("volume count {n}: {e}")))
    }

    async fn volumes_after(
        &self,
        after: Option<&VolumeId>,
        limit: u32,
    ) -> StoreResult<Vec<VolumeRecord>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let err = db_error("walking volumes");
        let rows: Vec<(String, String)> = match after {
            Some(after) => {
                sqlx::query_as("SELECT id, data FROM volumes WHERE id > ?1 ORDER BY id LIMIT ?2")
                    .bind(after.as_str())
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
            }
            None => {
                sqlx::query_as("SELECT id, data FROM volumes ORDER BY id LIMIT ?1")
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
            }
        }
        .map_err(err)?;
        decode_rows(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use colophon_store::{ApiKeyStore, Migrate};

    #[test]
    fn batches_split_into_few_statement_sizes() {
        let sizes = |n| statement_sizes(n).collect::<Vec<_>>();
        assert_eq!(sizes(0), Vec::<usize>::new());
        assert_eq!(sizes(1), [1]);
        assert_eq!(sizes(300), [128, 128, 32, 8, 4]);
        assert_eq!(sizes(1000).iter().sum::<usize>(), 1000);
        assert_eq!(upsert_statements().len(), 8);
        assert_eq!(upsert_statements()[2].matches('(').count(), 1 + 4 + 1);
    }

    #[tokio::test]
    async fn corrupt_rows_are_decode_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("c.db")).await.unwrap();
        store.migrate().await.unwrap();
        sqlx::raw_sql(
            "INSERT INTO volumes VALUES ('badbadbadbad', 'k', 'e', '2024', '{\"id\": 5');
             INSERT INTO volumes VALUES ('worseworse00', 'l', 'e', '2024', '{\"id\":\"nope\"}');
             INSERT INTO api_keys VALUES ('k1', 'n', 'h', 'p', 'last tuesday', NULL);",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        let bad = VolumeId::parse("badbadbadbad").unwrap();
        let worse = VolumeId::parse("worseworse00").unwrap();
        let is_decode = |r: StoreResult<_>| matches!(r, Err(StoreError::Decode(_)));
        assert!(is_decode(store.get_volume(&bad).await.map(|_| ())));
        assert!(is_decode(store.get_volume(&worse).await.map(|_| ())));
        assert!(is_decode(store.get_volumes(&[bad]).await.map(|_| ())));
        assert!(is_decode(store.volumes_after(None, 10).await.map(|_| ())));
        assert!(is_decode(store.find_api_key_by_hash("h").await.map(|_| ())));
        assert!(is_decode(store.list_api_keys().await.map(|_| ())));
    }
}
