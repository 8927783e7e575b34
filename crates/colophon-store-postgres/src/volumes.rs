//! `VolumeStore` on the `volumes` table.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use colophon_domain::{VolumeId, VolumeRecord};
use colophon_store::codec::{decode_record as decode, decode_rows, encode_record};
use colophon_store::{StoreError, StoreResult, UpsertOutcome, VolumeStore};

use crate::{db_error, PgStore};

/// Splits a batch into runs without a repeated id (one `ON CONFLICT` statement cannot touch a
/// row twice), keeping the batch order.
fn runs_of_distinct_ids<'a>(records: &'a [&'a VolumeRecord]) -> Vec<&'a [&'a VolumeRecord]> {
    let mut runs = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut start = 0;
    for (i, r) in records.iter().enumerate() {
        if !seen.insert(r.id.as_str()) {
            runs.push(&records[start..i]);
            start = i;
            seen.clear();
            seen.insert(r.id.as_str());
        }
    }
    if start < records.len() {
        runs.push(&records[start..]);
    }
    runs
}

/// One upsert statement for a run of distinct ids. `RETURNING` yields a row for each insert
/// (`xmax = 0`) and each update (`xmax` is our transaction, from the row lock `ON CONFLICT`
/// takes); a row whose etag did not change is filtered by the `WHERE` and not returned.
const UPSERT: &str = "
    INSERT INTO volumes (id, source_key, etag, updated, data)
    SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[])
    ON CONFLICT (id) DO UPDATE SET
        source_key = EXCLUDED.source_key,
        etag = EXCLUDED.etag,
        updated = EXCLUDED.updated,
        data = EXCLUDED.data
    WHERE volumes.etag <> EXCLUDED.etag
    RETURNING (xmax = 0) AS inserted";

/// Columns of a run, as arrays for `UNNEST`.
#[derive(Default)]
struct Columns<'a> {
    ids: Vec<&'a str>,
    source_keys: Vec<&'a str>,
    etags: Vec<&'a str>,
    updated: Vec<DateTime<Utc>>,
    data: Vec<String>,
}

impl<'a> Columns<'a> {
    /// The run's records in id order, so that concurrent batches lock rows in the same order.
    fn of(run: &[&'a VolumeRecord]) -> StoreResult<Self> {
        let mut sorted: Vec<&'a VolumeRecord> = run.to_vec();
        sorted.sort_unstable_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        let mut c = Columns::default();
        for r in sorted {
            c.ids.push(r.id.as_str());
            c.source_keys.push(&r.source_key);
            c.etags.push(&r.etag);
            c.updated.push(r.updated);
            c.data.push(encode_record(r)?);
        }
        Ok(c)
    }
}

/// Upserts `records` inside the caller's transaction (see [`VolumeStore::upsert_volumes`]).
pub(crate) async fn upsert_in(
    conn: &mut sqlx::PgConnection,
    records: &[VolumeRecord],
) -> StoreResult<UpsertOutcome> {
    let mut outcome = UpsertOutcome::default();
    if records.is_empty() {
        return Ok(outcome);
    }
    let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
    let err = db_error("upserting volumes");

    // Records whose etag is already stored are skipped before being encoded and sent: a
    // re-import of an unchanged catalog reads etags and writes nothing. (A writer that
    // changes such a row after this read simply comes after this batch.)
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT id, etag FROM volumes WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut *conn)
            .await
            .map_err(&err)?;
    let mut etags: HashMap<&str, &str> = stored.iter().map(|(i, e)| (&**i, &**e)).collect();
    let mut writes: Vec<&VolumeRecord> = Vec::new();
    for r in records {
        if etags.get(r.id.as_str()) == Some(&r.etag.as_str()) {
            outcome.unchanged += 1;
        } else {
            etags.insert(r.id.as_str(), &r.etag);
            writes.push(r);
        }
    }

    for run in runs_of_distinct_ids(&writes) {
        let run = Columns::of(run)?;
        let written: Vec<(bool,)> = sqlx::query_as(UPSERT)
            .bind(&run.ids)
            .bind(&run.source_keys)
            .bind(&run.etags)
            .bind(&run.updated)
            .bind(&run.data)
            .fetch_all(&mut *conn)
            .await
            .map_err(&err)?;
        let inserted = written.iter().filter(|(inserted,)| *inserted).count();
        outcome.inserted += inserted as u64;
        outcome.updated += (written.len() - inserted) as u64;
        outcome.unchanged += (run.ids.len() - written.len()) as u64;
    }
    Ok(outcome)
}

#[async_trait]
impl VolumeStore for PgStore {
    async fn upsert_volumes(&self, records: &[VolumeRecord]) -> StoreResult<UpsertOutcome> {
        if records.is_empty() {
            return Ok(UpsertOutcome::default());
        }
        let err = db_error("upserting volumes");
        let mut tx = self.pool.begin().await.map_err(&err)?;
        let outcome = upsert_in(&mut tx, records).await?;
        // Returning early on an error drops `tx`, which rolls the whole batch back.
        tx.commit().await.map_err(&err)?;
        Ok(outcome)
    }

    async fn get_volume(&self, id: &VolumeId) -> StoreResult<Option<VolumeRecord>> {
        let data: Option<(String,)> = sqlx::query_as("SELECT data FROM volumes WHERE id = $1")
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
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, data FROM volumes WHERE id = ANY($1)")
                .bind(&asked)
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
        let mut tx = self.pool.begin().await.map_err(&err)?;
        // The volume goes with everything that was known of it: its sources, ISBN claims and
        // text (a later import of one of those sources makes a fresh volume).
        for sql in [
            "DELETE FROM volume_sources WHERE volume_id = $1",
            "DELETE FROM volume_isbns WHERE volume_id = $1",
            "DELETE FROM volume_texts WHERE volume_id = $1",
        ] {
            sqlx::query(sql)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(&err)?;
        }
        let done = sqlx::query("DELETE FROM volumes WHERE id = $1")
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
                sqlx::query_as("SELECT id, data FROM volumes WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after.as_str())
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
            }
            None => {
                sqlx::query_as("SELECT id, data FROM volumes ORDER BY id LIMIT $1")
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

    fn rec(id: &str) -> VolumeRecord {
        let json = format!(
            r#"{{"id":"{id}","etag":"e","source_key":"k:{id}","volume_info":{{}},"updated":"2024-05-01T12:00:00Z"}}"#
        );
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn repeated_ids_start_a_new_run() {
        let batch = [
            "aaaaaaaaaaaa",
            "bbbbbbbbbbbb",
            "aaaaaaaaaaaa",
            "cccccccccccc",
            "cccccccccccc",
        ]
        .map(rec);
        let refs: Vec<&VolumeRecord> = batch.iter().collect();
        let runs: Vec<Vec<&str>> = runs_of_distinct_ids(&refs)
            .iter()
            .map(|run| run.iter().map(|r| r.id.as_str()).collect())
            .collect();
        assert_eq!(
            runs,
            [
                vec!["aaaaaaaaaaaa", "bbbbbbbbbbbb"],
                vec!["aaaaaaaaaaaa", "cccccccccccc"],
                vec!["cccccccccccc"]
            ]
        );
        assert!(runs_of_distinct_ids(&[]).is_empty());
    }

    /// Needs a server: runs when `COLOPHON_TEST_DATABASE_URL` is set, like the conformance tests.
    #[tokio::test]
    async fn corrupt_rows_are_decode_errors_not_panics() {
        let Ok(admin) = std::env::var("COLOPHON_TEST_DATABASE_URL") else {
            eprintln!("skipped: COLOPHON_TEST_DATABASE_URL is not set");
            return;
        };
        let url = crate::create_test_database(&admin).await.unwrap();
        let store = PgStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        sqlx::raw_sql(
            r#"INSERT INTO volumes VALUES ('badbadbadbad', 'k', 'e', now(), '{"id": 5');
               INSERT INTO volumes VALUES ('worseworse00', 'l', 'e', now(), '{"id":"nope"}');"#,
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
        assert!(store.list_api_keys().await.unwrap().is_empty());
        store.close().await;
        crate::drop_test_database(&admin, &url).await.unwrap();
    }
}
