//! `ProjectStore` on the console tables (`projects`, `project_api_keys`, `project_clients`,
//! `quota_counters`, `usage_daily`, `usage_latency`).

use async_trait::async_trait;
use chrono::{NaiveDate, SubsecRound};
use colophon_store::{
    KeySettings, LatencyRow, ProjectRecord, ProjectStore, QuotaOutcome, QuotaRequest, StoreError,
    StoreResult, UsageDelta, UsageRow, LATENCY_BUCKETS,
};
use sqlx::{Sqlite, Transaction};

use crate::{db_error, decode_time, encode_time, SqliteStore};

#[derive(sqlx::FromRow)]
struct ProjectRow {
    id: String,
    number: i64,
    name: String,
    owner_id: Option<String>,
    created: String,
    books_api_enabled: bool,
    daily_limit: Option<i64>,
    user_minute_limit: Option<i64>,
}

impl ProjectRow {
    fn decode(self) -> StoreResult<ProjectRecord> {
        Ok(ProjectRecord {
            created: decode_time(&self.created, &format!("project {}", self.id))?,
            id: self.id,
            number: self.number,
            name: self.name,
            owner_id: self.owner_id,
            books_api_enabled: self.books_api_enabled,
            daily_limit: self.daily_limit,
            user_minute_limit: self.user_minute_limit,
        })
    }
}

const PROJECT_COLUMNS: &str =
    "id, number, name, owner_id, created, books_api_enabled, daily_limit, user_minute_limit";

#[derive(sqlx::FromRow)]
struct KeySettingsRow {
    key_id: String,
    project_id: String,
    referrers: String,
    ip_ranges: String,
}

impl KeySettingsRow {
    fn decode(self) -> StoreResult<KeySettings> {
        let list = |text: &str| -> StoreResult<Vec<String>> {
            serde_json::from_str(text).map_err(|e| {
                StoreError::Decode(format!("restrictions of key {}: {e}", self.key_id))
            })
        };
        Ok(KeySettings {
            referrers: list(&self.referrers)?,
            ip_ranges: list(&self.ip_ranges)?,
            key_id: self.key_id,
            project_id: self.project_id,
        })
    }
}

fn encode_list(list: &[String]) -> String {
    serde_json::Value::from(list.to_vec()).to_string()
}

fn decode_day(s: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Decode(format!("usage day {s:?}: {e}")))
}

/// Adds one to a window unless it reached `limit`; `false` when it had.
async fn bump(
    tx: &mut Transaction<'_, Sqlite>,
    project_id: &str,
    period: &str,
    subject: &str,
    limit: i64,
) -> StoreResult<bool> {
    if limit <= 0 {
        return Ok(false);
    }
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO quota_counters (project_id, period, subject, count) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (project_id, period, subject)
         DO UPDATE SET count = quota_counters.count + 1 WHERE quota_counters.count < ?4
         RETURNING count",
    )
    .bind(project_id)
    .bind(period)
    .bind(subject)
    .bind(limit)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_error("counting a request against a quota"))?;
    Ok(row.is_some())
}

#[async_trait]
impl ProjectStore for SqliteStore {
    async fn insert_project(&self, p: &ProjectRecord) -> StoreResult<bool> {
        let _writer = self.write_lock.lock().await;
        let done = sqlx::query(
            "INSERT INTO projects (id, number, name, owner_id, created, books_api_enabled,
                                   daily_limit, user_minute_limit)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
        )
        .bind(&p.id)
        .bind(p.number)
        .bind(&p.name)
        .bind(&p.owner_id)
        .bind(encode_time(p.created.trunc_subsecs(6)))
        .bind(p.books_api_enabled)
        .bind(p.daily_limit)
        .bind(p.user_minute_limit)
        .execute(&self.pool)
        .await
        .map_err(db_error("storing a project"))?;
        Ok(done.rows_affected() > 0)
    }

    async fn find_project(&self, id: &str) -> StoreResult<Option<ProjectRecord>> {
        let row: Option<ProjectRow> = sqlx::query_as(&format!(
            "SELECT {PROJECT_COLUMNS} FROM projects WHERE id = ?1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("finding a project"))?;
        row.map(ProjectRow::decode).transpose()
    }

    async fn list_projects(&self, owner: Option<&str>) -> StoreResult<Vec<ProjectRecord>> {
        let sql = match owner {
            Some(_) => format!(
                "SELECT {PROJECT_COLUMNS} FROM projects WHERE owner_id = ?1 ORDER BY created, id"
            ),
            None => format!("SELECT {PROJECT_COLUMNS} FROM projects ORDER BY created, id"),
        };
        let mut query = sqlx::query_as::<_, ProjectRow>(&sql);
        if let Some(owner) = owner {
            query = query.bind(owner);
        }
        let rows: Vec<ProjectRow> = query
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("listing projects"))?;
        rows.into_iter().map(ProjectRow::decode).collect()
    }

    async fn update_project(&self, p: &ProjectRecord) -> StoreResult<bool> {
        let _writer = self.write_lock.lock().await;
        let done = sqlx::query(
            "UPDATE projects SET name = ?2, books_api_enabled = ?3, daily_limit = ?4,
                                 user_minute_limit = ?5
             WHERE id = ?1",
        )
        .bind(&p.id)
        .bind(&p.name)
        .bind(p.books_api_enabled)
        .bind(p.daily_limit)
        .bind(p.user_minute_limit)
        .execute(&self.pool)
        .await
        .map_err(db_error("updating a project"))?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_project(&self, id: &str) -> StoreResult<bool> {
        let _writer = self.write_lock.lock().await;
        let done = sqlx::query("DELETE FROM projects WHERE id = ?1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db_error("deleting a project"))?;
        Ok(done.rows_affected() > 0)
    }

    async fn put_key_settings(&self, s: &KeySettings) -> StoreResult<()> {
        let _writer = self.write_lock.lock().await;
        sqlx::query(
            "INSERT INTO project_api_keys (key_id, project_id, referrers, ip_ranges)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (key_id) DO UPDATE SET project_id = excluded.project_id,
                 referrers = excluded.referrers, ip_ranges = excluded.ip_ranges",
        )
        .bind(&s.key_id)
        .bind(&s.project_id)
        .bind(encode_list(&s.referrers))
        .bind(encode_list(&s.ip_ranges))
        .execute(&self.pool)
        .await
        .map_err(db_error("storing key settings"))?;
        Ok(())
    }

    async fn find_key_settings(&self, key_id: &str) -> StoreResult<Option<KeySettings>> {
        let row: Option<KeySettingsRow> = sqlx::query_as(
            "SELECT key_id, project_id, referrers, ip_ranges FROM project_api_keys
             WHERE key_id = ?1",
        )
        .bind(key_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("finding key settings"))?;
        row.map(KeySettingsRow::decode).transpose()
    }

    async fn rename_api_key(&self, key_id: &str, name: &str) -> StoreResult<bool> {
        let _writer = self.write_lock.lock().await;
        let done = sqlx::query("UPDATE api_keys SET name = ?2 WHERE id = ?1")
            .bind(key_id)
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(db_error("renaming an API key"))?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_key_settings(&self, project_id: &str) -> StoreResult<Vec<KeySettings>> {
        let rows: Vec<KeySettingsRow> = sqlx::query_as(
            "SELECT key_id, project_id, referrers, ip_ranges FROM project_api_keys
             WHERE project_id = ?1 ORDER BY key_id",
        )
        .bind(project_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing key settings"))?;
        rows.into_iter().map(KeySettingsRow::decode).collect()
    }

    async fn set_client_project(&self, client_id: &str, project_id: &str) -> StoreResult<()> {
        let _writer = self.write_lock.lock().await;
        sqlx::query(
            "INSERT INTO project_clients (client_id, project_id) VALUES (?1, ?2)
             ON CONFLICT (client_id) DO UPDATE SET project_id = excluded.project_id",
        )
        .bind(client_id)
        .bind(project_id)
        .execute(&self.pool)
        .await
        .map_err(db_error("putting a client in a project"))?;
        Ok(())
    }

    async fn find_client_project(&self, client_id: &str) -> StoreResult<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT project_id FROM project_clients WHERE client_id = ?1")
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_error("finding a client's project"))?;
        Ok(row.map(|(p,)| p))
    }

    async fn set_client_redirect_uris(
        &self,
        client_id: &str,
        uris: &[String],
    ) -> StoreResult<bool> {
        let _writer = self.write_lock.lock().await;
        let done = sqlx::query(
            "UPDATE oauth_clients SET redirect_uris = ?2 WHERE id = ?1 AND deleted IS NULL",
        )
        .bind(client_id)
        .bind(encode_list(uris))
        .execute(&self.pool)
        .await
        .map_err(db_error("changing a client's redirect URIs"))?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_client_secret_hash(
        &self,
        client_id: &str,
        secret_hash: &str,
    ) -> StoreResult<bool> {
        let _writer = self.write_lock.lock().await;
        let done = sqlx::query(
            "UPDATE oauth_clients SET secret_hash = ?2
             WHERE id = ?1 AND deleted IS NULL AND secret_hash IS NOT NULL",
        )
        .bind(client_id)
        .bind(secret_hash)
        .execute(&self.pool)
        .await
        .map_err(db_error("resetting a client secret"))?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_project_clients(&self, project_id: &str) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT client_id FROM project_clients WHERE project_id = ?1 ORDER BY client_id",
        )
        .bind(project_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing a project's clients"))?;
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }

    async fn consume_quota(&self, q: &QuotaRequest) -> StoreResult<QuotaOutcome> {
        if q.daily_limit.is_none() && q.user_minute_limit.is_none() {
            return Ok(QuotaOutcome::Granted);
        }
        let _writer = self.write_lock.lock().await;
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(db_error("starting a quota transaction"))?;
        if let Some(limit) = q.daily_limit {
            if !bump(&mut tx, &q.project_id, &q.day, "", limit).await? {
                return Ok(QuotaOutcome::DailyExceeded);
            }
        }
        if let Some(limit) = q.user_minute_limit {
            if !bump(&mut tx, &q.project_id, &q.minute, &q.user, limit).await? {
                // Dropping the transaction rolls the day's increment back.
                return Ok(QuotaOutcome::UserMinuteExceeded);
            }
        }
        tx.commit()
            .await
            .map_err(db_error("committing a quota transaction"))?;
        Ok(QuotaOutcome::Granted)
    }

    async fn quota_count(&self, project_id: &str, window: &str, subject: &str) -> StoreResult<i64> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT count FROM quota_counters WHERE project_id = ?1 AND period = ?2
             AND subject = ?3",
        )
        .bind(project_id)
        .bind(window)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("reading a quota counter"))?;
        Ok(row.map_or(0, |(c,)| c))
    }

    async fn prune_quota_counters(&self, minute: &str, day: &str) -> StoreResult<u64> {
        let _writer = self.write_lock.lock().await;
        let done = sqlx::query(
            "DELETE FROM quota_counters
             WHERE (subject <> '' AND period < ?1) OR (subject = '' AND period < ?2)",
        )
        .bind(minute)
        .bind(day)
        .execute(&self.pool)
        .await
        .map_err(db_error("pruning quota counters"))?;
        Ok(done.rows_affected())
    }

    async fn add_usage(&self, deltas: &[UsageDelta]) -> StoreResult<()> {
        if deltas.is_empty() {
            return Ok(());
        }
        let _writer = self.write_lock.lock().await;
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(db_error("starting a usage transaction"))?;
        for d in deltas {
            let day = d.day.format("%Y-%m-%d").to_string();
            sqlx::query(
                "INSERT INTO usage_daily (project_id, key_id, day, method, status, requests)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (project_id, day, key_id, method, status)
                 DO UPDATE SET requests = usage_daily.requests + excluded.requests",
            )
            .bind(&d.project_id)
            .bind(&d.key_id)
            .bind(&day)
            .bind(&d.method)
            .bind(i64::from(d.status))
            .bind(d.requests)
            .execute(&mut *tx)
            .await
            .map_err(db_error("adding usage"))?;
            for (bucket, &count) in d.latency.iter().enumerate().filter(|(_, c)| **c > 0) {
                sqlx::query(
                    "INSERT INTO usage_latency (project_id, key_id, day, bucket, count)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (project_id, day, key_id, bucket)
                     DO UPDATE SET count = usage_latency.count + excluded.count",
                )
                .bind(&d.project_id)
                .bind(&d.key_id)
                .bind(&day)
                .bind(bucket as i64)
                .bind(count)
                .execute(&mut *tx)
                .await
                .map_err(db_error("adding latency usage"))?;
            }
        }
        tx.commit().await.map_err(db_error("committing usage"))?;
        Ok(())
    }

    async fn usage(&self, project_id: &str, since: NaiveDate) -> StoreResult<Vec<UsageRow>> {
        let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT key_id, day, method, status, requests FROM usage_daily
             WHERE project_id = ?1 AND day >= ?2 ORDER BY day, key_id, method, status",
        )
        .bind(project_id)
        .bind(since.format("%Y-%m-%d").to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading usage"))?;
        rows.into_iter()
            .map(|(key_id, day, method, status, requests)| {
                Ok(UsageRow {
                    key_id,
                    day: decode_day(&day)?,
                    method,
                    status: u16::try_from(status)
                        .map_err(|_| StoreError::Decode(format!("usage status {status}")))?,
                    requests,
                })
            })
            .collect()
    }

    async fn latency(&self, project_id: &str, since: NaiveDate) -> StoreResult<Vec<LatencyRow>> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT key_id, day, bucket, count FROM usage_latency
             WHERE project_id = ?1 AND day >= ?2 ORDER BY day, key_id, bucket",
        )
        .bind(project_id)
        .bind(since.format("%Y-%m-%d").to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading latency usage"))?;
        rows.into_iter()
            .map(|(key_id, day, bucket, count)| {
                let bucket = usize::try_from(bucket)
                    .ok()
                    .filter(|b| *b < LATENCY_BUCKETS)
                    .ok_or_else(|| StoreError::Decode(format!("latency bucket {bucket}")))?;
                Ok(LatencyRow {
                    key_id,
                    day: decode_day(&day)?,
                    bucket,
                    count,
                })
            })
            .collect()
    }
}
