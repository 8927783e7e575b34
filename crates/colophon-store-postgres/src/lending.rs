//! `LendingStore` and `UserSettingsStore` on `lending_policies`, `lending_leases`,
//! `download_licenses` and `user_settings`.
//!
//! Every acquisition first locks the volume's policy row (`SELECT … FOR UPDATE`), then counts
//! and inserts in the same transaction: acquisitions of one volume are serialised across all
//! connections and server processes, and each sees the leases committed before it (READ
//! COMMITTED takes a new snapshot per statement, after the lock was granted).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use colophon_domain::VolumeId;
use colophon_store::{
    DownloadOutcome, LeaseOutcome, LendingPolicy, LendingStore, StoreError, StoreResult,
    StoredSettings, UserSettingsStore,
};

use crate::{db_error, PgStore};

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn policy((copies, downloads): (i32, Option<i32>)) -> LendingPolicy {
    LendingPolicy {
        copies: count(copies.into()),
        download_devices: downloads.map(|d| count(d.into())),
    }
}

fn volume_id(s: String) -> StoreResult<VolumeId> {
    VolumeId::parse(&s).map_err(|e| StoreError::Decode(format!("lent volume {s:?}: {e}")))
}

fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[async_trait]
impl LendingStore for PgStore {
    async fn set_lending_policy(
        &self,
        volume: &VolumeId,
        policy: Option<LendingPolicy>,
    ) -> StoreResult<()> {
        let err = db_error("setting a lending policy");
        let mut tx = self.pool.begin().await.map_err(&err)?;
        match policy {
            Some(p) => {
                sqlx::query(
                    "INSERT INTO lending_policies (volume_id, copies, download_devices) \
                     VALUES ($1, $2, $3) ON CONFLICT (volume_id) DO UPDATE SET \
                     copies = excluded.copies, download_devices = excluded.download_devices",
                )
                .bind(volume.as_str())
                .bind(int(p.copies))
                .bind(p.download_devices.map(int))
                .execute(&mut *tx)
                .await
                .map_err(&err)?;
            }
            None => {
                for table in ["lending_policies", "lending_leases", "download_licenses"] {
                    sqlx::query(&format!("DELETE FROM {table} WHERE volume_id = $1"))
                        .bind(volume.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err(&err)?;
                }
            }
        }
        tx.commit().await.map_err(&err)
    }

    async fn lending_policy(&self, volume: &VolumeId) -> StoreResult<Option<LendingPolicy>> {
        let row: Option<(i32, Option<i32>)> = sqlx::query_as(
            "SELECT copies, download_devices FROM lending_policies WHERE volume_id = $1",
        )
        .bind(volume.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("reading a lending policy"))?;
        Ok(row.map(policy))
    }

    async fn lending_policies(&self) -> StoreResult<Vec<(VolumeId, LendingPolicy)>> {
        let rows: Vec<(String, i32, Option<i32>)> = sqlx::query_as(
            "SELECT volume_id, copies, download_devices FROM lending_policies ORDER BY volume_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing lending policies"))?;
        rows.into_iter()
            .map(|(v, c, d)| Ok((volume_id(v)?, policy((c, d)))))
            .collect()
    }

    async fn acquire_lease(
        &self,
        volume: &VolumeId,
        user_id: &str,
        device: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<LeaseOutcome> {
        let err = db_error("lending a copy");
        let mut tx = self.pool.begin().await.map_err(&err)?;
        let copies: Option<(i32,)> =
            sqlx::query_as("SELECT copies FROM lending_policies WHERE volume_id = $1 FOR UPDATE")
                .bind(volume.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(&err)?;
        let Some((copies,)) = copies else {
            return Ok(LeaseOutcome::Unrestricted);
        };
        let copies = count(copies.into());
        sqlx::query("DELETE FROM lending_leases WHERE volume_id = $1 AND expires <= $2")
            .bind(volume.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        let (held,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM lending_leases WHERE volume_id = $1")
                .bind(volume.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(&err)?;
        let held = count(held);
        let renewed = sqlx::query(
            "UPDATE lending_leases SET expires = $4 \
             WHERE volume_id = $1 AND user_id = $2 AND device = $3",
        )
        .bind(volume.as_str())
        .bind(user_id)
        .bind(device)
        .bind(until)
        .execute(&mut *tx)
        .await
        .map_err(&err)?
        .rows_affected();
        let outcome = if renewed > 0 {
            LeaseOutcome::Granted {
                just_acquired: false,
                held,
                copies,
            }
        } else if held < copies {
            sqlx::query(
                "INSERT INTO lending_leases (volume_id, user_id, device, acquired, expires) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(volume.as_str())
            .bind(user_id)
            .bind(device)
            .bind(now)
            .bind(until)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
            LeaseOutcome::Granted {
                just_acquired: true,
                held: held + 1,
                copies,
            }
        } else {
            LeaseOutcome::Refused { held, copies }
        };
        tx.commit().await.map_err(&err)?;
        Ok(outcome)
    }

    async fn release_lease(
        &self,
        volume: &VolumeId,
        user_id: &str,
        device: &str,
    ) -> StoreResult<bool> {
        let gone = sqlx::query(
            "DELETE FROM lending_leases WHERE volume_id = $1 AND user_id = $2 AND device = $3",
        )
        .bind(volume.as_str())
        .bind(user_id)
        .bind(device)
        .execute(&self.pool)
        .await
        .map_err(db_error("returning a copy"))?
        .rows_affected();
        Ok(gone > 0)
    }

    async fn acquire_download(
        &self,
        volume: &VolumeId,
        user_id: &str,
        device: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<DownloadOutcome> {
        let err = db_error("licensing a download");
        let mut tx = self.pool.begin().await.map_err(&err)?;
        let max: Option<(Option<i32>,)> = sqlx::query_as(
            "SELECT download_devices FROM lending_policies WHERE volume_id = $1 FOR UPDATE",
        )
        .bind(volume.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(&err)?;
        let Some((Some(max),)) = max else {
            return Ok(DownloadOutcome::Unrestricted);
        };
        let max = count(max.into());
        let (acquired, mine): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE device = $3) FROM download_licenses \
             WHERE volume_id = $1 AND user_id = $2",
        )
        .bind(volume.as_str())
        .bind(user_id)
        .bind(device)
        .fetch_one(&mut *tx)
        .await
        .map_err(&err)?;
        let acquired = count(acquired);
        let outcome = if mine > 0 {
            DownloadOutcome::Granted {
                just_acquired: false,
                acquired,
                max,
            }
        } else if acquired < max {
            sqlx::query(
                "INSERT INTO download_licenses (volume_id, user_id, device, acquired) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(volume.as_str())
            .bind(user_id)
            .bind(device)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
            DownloadOutcome::Granted {
                just_acquired: true,
                acquired: acquired + 1,
                max,
            }
        } else {
            DownloadOutcome::Refused { acquired, max }
        };
        tx.commit().await.map_err(&err)?;
        Ok(outcome)
    }

    async fn release_download(
        &self,
        volume: &VolumeId,
        user_id: &str,
        device: &str,
    ) -> StoreResult<bool> {
        let gone = sqlx::query(
            "DELETE FROM download_licenses WHERE volume_id = $1 AND user_id = $2 AND device = $3",
        )
        .bind(volume.as_str())
        .bind(user_id)
        .bind(device)
        .execute(&self.pool)
        .await
        .map_err(db_error("releasing a download license"))?
        .rows_affected();
        Ok(gone > 0)
    }

    async fn downloads_acquired(&self, volume: &VolumeId, user_id: &str) -> StoreResult<u32> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM download_licenses WHERE volume_id = $1 AND user_id = $2",
        )
        .bind(volume.as_str())
        .bind(user_id)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error("counting download licenses"))?;
        Ok(count(n))
    }

    async fn licensed_volumes(
        &self,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<VolumeId>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT volume_id FROM download_licenses WHERE user_id = $1 \
             UNION SELECT volume_id FROM lending_leases WHERE user_id = $1 AND expires > $2 \
             ORDER BY 1",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing licensed volumes"))?;
        rows.into_iter().map(|(v,)| volume_id(v)).collect()
    }
}

#[async_trait]
impl UserSettingsStore for PgStore {
    async fn user_settings(&self, user_id: &str) -> StoreResult<StoredSettings> {
        let row: Option<(Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT notes_export, notification FROM user_settings WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("reading user settings"))?;
        Ok(
            row.map_or_else(StoredSettings::default, |(n, m)| StoredSettings {
                notes_export: n,
                notification: m,
            }),
        )
    }

    async fn update_user_settings(
        &self,
        user_id: &str,
        change: &StoredSettings,
    ) -> StoreResult<StoredSettings> {
        let (n, m): (Option<String>, Option<String>) = sqlx::query_as(
            "INSERT INTO user_settings (user_id, notes_export, notification) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET \
               notes_export = COALESCE(excluded.notes_export, user_settings.notes_export), \
               notification = COALESCE(excluded.notification, user_settings.notification) \
             RETURNING notes_export, notification",
        )
        .bind(user_id)
        .bind(change.notes_export.as_deref())
        .bind(change.notification.as_deref())
        .fetch_one(&self.pool)
        .await
        .map_err(db_error("updating user settings"))?;
        Ok(StoredSettings {
            notes_export: n,
            notification: m,
        })
    }
}
