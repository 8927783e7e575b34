//! `Licensing`: lent books (`myconfig.requestAccess`, `releaseDownloadAccess`,
//! `syncVolumeLicenses`) and user settings (`getUserSettings`, `updateUserSettings`) over the
//! store's [`LendingStore`](colophon_store::LendingStore) and
//! [`UserSettingsStore`](colophon_store::UserSettingsStore).
//!
//! The counting itself is the store's (exact under concurrency); this service checks the
//! volume exists, reads the time, and turns outcomes into the wire restriction answers (see
//! [`colophon_domain::lending`] for the device, lease and reason-code rules).
//!
//! `signature` is an HMAC-SHA256 (base64url) of the answer's fields under a key this server
//! process draws at start: it lets this server recognise its own answers, nothing more — the
//! real service's signatures are checked with Google's keys, which no other server has.

use std::sync::Arc;

use chrono::Duration;
use colophon_domain::lending::{
    copies_taken_message, downloads_taken_message, effective_settings, validate_settings,
    LicenseTypes, SettingsError, LEASE_SECONDS, REASON_LAST, REASON_LIMIT, REASON_OK,
};
use colophon_domain::{VolumeId, VolumeRecord};
use colophon_store::{
    DownloadOutcome, LeaseOutcome, LendingPolicy, Store, StoreError, StoredSettings,
};
use colophon_types::{
    ConcurrentAccessRestriction, DownloadAccessRestriction, NotesExport, Notification,
    RequestAccessData, Usersettings,
};
use rand::RngCore as _;

use crate::library::Now;
use crate::{Catalog, CatalogError};

/// Why a licensing call failed.
#[derive(Debug, thiserror::Error)]
pub enum LicensingError {
    /// The volume id is malformed or unknown.
    #[error("the volume ID could not be found")]
    VolumeNotFound,
    /// An `updateUserSettings` body breaks a rule.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The catalog failed.
    #[error(transparent)]
    Catalog(CatalogError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<CatalogError> for LicensingError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::VolumeNotFound => Self::VolumeNotFound,
            other => Self::Catalog(other),
        }
    }
}

/// Who asks, from where: the user, the device (`cpksver`), and what to echo.
#[derive(Debug, Clone, Copy)]
pub struct Requester<'a> {
    /// The signed-in user.
    pub user_id: &'a str,
    /// The device (`cpksver`).
    pub device: &'a str,
    /// The client's nonce (echoed), if given.
    pub nonce: Option<&'a str>,
    /// The client app (`source`, echoed), if given.
    pub source: Option<&'a str>,
}

/// The licensing service.
#[derive(Clone)]
pub struct Licensing {
    catalog: Catalog,
    now: Now,
    key: Arc<[u8; 32]>,
}

impl Licensing {
    /// Licensing over the catalog's store, reading the time from `now`.
    pub fn new(catalog: Catalog, now: Now) -> Self {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        Self {
            catalog,
            now,
            key: Arc::new(key),
        }
    }

    fn store(&self) -> &Arc<dyn Store> {
        self.catalog.store()
    }

    async fn volume(&self, id: &str) -> Result<VolumeRecord, LicensingError> {
        Ok(self.catalog.get_volume(id).await?)
    }

    /// Sets (or with `None` removes, dropping its leases and licenses) the lending policy of
    /// catalog volume `volume`; the operator's `colophon lending` command.
    pub async fn set_policy(
        &self,
        volume: &str,
        policy: Option<LendingPolicy>,
    ) -> Result<VolumeId, LicensingError> {
        let id = self.volume(volume).await?.id;
        self.store().set_lending_policy(&id, policy).await?;
        Ok(id)
    }

    /// Every lending policy, by volume id.
    pub async fn policies(&self) -> Result<Vec<(VolumeId, LendingPolicy)>, LicensingError> {
        Ok(self.store().lending_policies().await?)
    }

    /// `requestAccess`: a copy (concurrent license) and/or a download license of `volume` for
    /// the requester's device, as `types` asks.
    pub async fn request_access(
        &self,
        who: Requester<'_>,
        volume: &str,
        types: LicenseTypes,
    ) -> Result<RequestAccessData, LicensingError> {
        let record = self.volume(volume).await?;
        let id = &record.id;
        let now = (self.now)();
        let concurrent = if types.concurrent() {
            let until = now + Duration::seconds(i64::from(LEASE_SECONDS));
            let outcome = self
                .store()
                .acquire_lease(id, who.user_id, who.device, now, until)
                .await?;
            Some(self.concurrent_answer(id, who, outcome))
        } else {
            None
        };
        let download = if types.download() {
            let outcome = self
                .store()
                .acquire_download(id, who.user_id, who.device, now)
                .await?;
            Some(self.download_answer(id, who, outcome))
        } else {
            None
        };
        Ok(RequestAccessData {
            kind: "books#requestAccessData".into(),
            concurrent_access: concurrent,
            download_access: download,
        })
    }

    /// `releaseDownloadAccess`: the device gives back its download license and its copy of
    /// each volume; one answer per volume, counting what the user still holds.
    pub async fn release(
        &self,
        who: Requester<'_>,
        volumes: &[String],
    ) -> Result<Vec<DownloadAccessRestriction>, LicensingError> {
        let mut records = Vec::with_capacity(volumes.len());
        for v in volumes {
            records.push(self.volume(v).await?);
        }
        let mut out = Vec::with_capacity(records.len());
        for r in &records {
            self.store()
                .release_lease(&r.id, who.user_id, who.device)
                .await?;
            self.store()
                .release_download(&r.id, who.user_id, who.device)
                .await?;
            out.push(self.download_state(&r.id, who, false).await?);
        }
        Ok(out)
    }

    /// `syncVolumeLicenses`: takes a download license of each of `volumes` for the device
    /// where allowed, then lists every volume the user holds a license of (with the device's
    /// download answer for each). Volumes without a lending policy that were asked are listed
    /// too (nothing restricts them).
    pub async fn sync(
        &self,
        who: Requester<'_>,
        volumes: &[String],
    ) -> Result<Vec<(VolumeRecord, DownloadAccessRestriction)>, LicensingError> {
        let mut asked = Vec::with_capacity(volumes.len());
        for v in volumes {
            asked.push(self.volume(v).await?);
        }
        let now = (self.now)();
        let mut answers: Vec<(VolumeId, DownloadAccessRestriction)> = Vec::new();
        for r in &asked {
            let outcome = self
                .store()
                .acquire_download(&r.id, who.user_id, who.device, now)
                .await?;
            if !matches!(outcome, DownloadOutcome::Refused { .. })
                && !answers.iter().any(|(id, _)| *id == r.id)
            {
                answers.push((r.id.clone(), self.download_answer(&r.id, who, outcome)));
            }
        }
        for id in self.store().licensed_volumes(who.user_id, now).await? {
            if !answers.iter().any(|(a, _)| *a == id) {
                let state = self.download_state(&id, who, true).await?;
                answers.push((id, state));
            }
        }
        answers.sort_by(|a, b| a.0.cmp(&b.0));
        // The asked volumes are read already; only the others licensed before are read now.
        let mut records: std::collections::HashMap<VolumeId, VolumeRecord> =
            asked.into_iter().map(|r| (r.id.clone(), r)).collect();
        let others: Vec<VolumeId> = answers
            .iter()
            .map(|(id, _)| id)
            .filter(|id| !records.contains_key(*id))
            .cloned()
            .collect();
        for r in self.store().get_volumes(&others).await? {
            records.insert(r.id.clone(), r);
        }
        Ok(answers
            .into_iter()
            .filter_map(|(id, answer)| records.remove(&id).map(|r| (r, answer)))
            .collect())
    }

    /// The settings of `user_id`, defaults for what was never set.
    pub async fn settings(&self, user_id: &str) -> Result<Usersettings, LicensingError> {
        let stored = self.store().user_settings(user_id).await?;
        Ok(decode_settings(&stored))
    }

    /// Replaces the sub-objects `change` carries, keeps the others; the settings after.
    pub async fn update_settings(
        &self,
        user_id: &str,
        change: &Usersettings,
    ) -> Result<Usersettings, LicensingError> {
        validate_settings(change)?;
        let json = |v: Option<Result<String, serde_json::Error>>| v.and_then(Result::ok);
        let stored = StoredSettings {
            notes_export: json(change.notes_export.as_ref().map(serde_json::to_string)),
            notification: json(change.notification.as_ref().map(serde_json::to_string)),
        };
        let after = self.store().update_user_settings(user_id, &stored).await?;
        Ok(decode_settings(&after))
    }

    /// The device's download answer for a volume without acquiring anything.
    async fn download_state(
        &self,
        id: &VolumeId,
        who: Requester<'_>,
        holds: bool,
    ) -> Result<DownloadAccessRestriction, LicensingError> {
        let policy = self.store().lending_policy(id).await?;
        let max = policy.and_then(|p| p.download_devices);
        let mut a = DownloadAccessRestriction {
            kind: "books#downloadAccessRestriction".into(),
            volume_id: Some(id.as_str().to_owned()),
            restricted: Some(max.is_some()),
            device_allowed: Some(holds || max.is_none()),
            just_acquired: Some(false),
            reason_code: Some(REASON_OK.into()),
            nonce: who.nonce.map(str::to_owned),
            source: who.source.map(str::to_owned),
            ..DownloadAccessRestriction::default()
        };
        if let Some(max) = max {
            let acquired = self.store().downloads_acquired(id, who.user_id).await?;
            a.downloads_acquired = Some(int(acquired));
            a.max_download_devices = Some(int(max));
        }
        a.signature = Some(self.sign_download(&a));
        Ok(a)
    }

    fn concurrent_answer(
        &self,
        id: &VolumeId,
        who: Requester<'_>,
        outcome: LeaseOutcome,
    ) -> ConcurrentAccessRestriction {
        let mut a = ConcurrentAccessRestriction {
            kind: "books#concurrentAccessRestriction".into(),
            volume_id: Some(id.as_str().to_owned()),
            nonce: who.nonce.map(str::to_owned),
            source: who.source.map(str::to_owned),
            ..ConcurrentAccessRestriction::default()
        };
        match outcome {
            LeaseOutcome::Unrestricted => {
                a.restricted = Some(false);
                a.device_allowed = Some(true);
            }
            LeaseOutcome::Granted { held, copies, .. } => {
                a.restricted = Some(true);
                a.device_allowed = Some(true);
                a.max_concurrent_devices = Some(int(copies));
                a.time_window_seconds = Some(LEASE_SECONDS);
                if held >= copies {
                    a.reason_code = Some(REASON_LAST.into());
                    a.message = Some("You have the last available copy of this book.".into());
                } else {
                    a.reason_code = Some(REASON_OK.into());
                }
            }
            LeaseOutcome::Refused { copies, .. } => {
                a.restricted = Some(true);
                a.device_allowed = Some(false);
                a.max_concurrent_devices = Some(int(copies));
                a.time_window_seconds = Some(LEASE_SECONDS);
                a.reason_code = Some(REASON_LIMIT.into());
                a.message = Some(copies_taken_message(copies));
            }
        }
        a.signature = Some(self.sign(&[
            "concurrent",
            id.as_str(),
            flag(a.restricted),
            flag(a.device_allowed),
            a.reason_code.as_deref().unwrap_or(""),
            who.nonce.unwrap_or(""),
            who.source.unwrap_or(""),
        ]));
        a
    }

    fn download_answer(
        &self,
        id: &VolumeId,
        who: Requester<'_>,
        outcome: DownloadOutcome,
    ) -> DownloadAccessRestriction {
        let mut a = DownloadAccessRestriction {
            kind: "books#downloadAccessRestriction".into(),
            volume_id: Some(id.as_str().to_owned()),
            nonce: who.nonce.map(str::to_owned),
            source: who.source.map(str::to_owned),
            ..DownloadAccessRestriction::default()
        };
        match outcome {
            DownloadOutcome::Unrestricted => {
                a.restricted = Some(false);
                a.device_allowed = Some(true);
                a.just_acquired = Some(false);
                a.reason_code = Some(REASON_OK.into());
            }
            DownloadOutcome::Granted {
                just_acquired,
                acquired,
                max,
            } => {
                a.restricted = Some(true);
                a.device_allowed = Some(true);
                a.just_acquired = Some(just_acquired);
                a.downloads_acquired = Some(int(acquired));
                a.max_download_devices = Some(int(max));
                a.reason_code = Some(
                    if acquired >= max {
                        REASON_LAST
                    } else {
                        REASON_OK
                    }
                    .into(),
                );
            }
            DownloadOutcome::Refused { acquired, max } => {
                a.restricted = Some(true);
                a.device_allowed = Some(false);
                a.just_acquired = Some(false);
                a.downloads_acquired = Some(int(acquired));
                a.max_download_devices = Some(int(max));
                a.reason_code = Some(REASON_LIMIT.into());
                a.message = Some(downloads_taken_message(max));
            }
        }
        a.signature = Some(self.sign_download(&a));
        a
    }

    fn sign_download(&self, a: &DownloadAccessRestriction) -> String {
        self.sign(&[
            "download",
            a.volume_id.as_deref().unwrap_or(""),
            flag(a.restricted),
            flag(a.device_allowed),
            a.reason_code.as_deref().unwrap_or(""),
            a.nonce.as_deref().unwrap_or(""),
            a.source.as_deref().unwrap_or(""),
        ])
    }

    fn sign(&self, fields: &[&str]) -> String {
        sign(&self.key[..], fields)
    }
}

/// HMAC-SHA256 (RFC 2104) of the fields joined by newlines, base64url without padding.
fn sign(key: &[u8], fields: &[&str]) -> String {
    use base64::Engine as _;
    let mac = colophon_auth::secret::hmac_sha256(key, fields.join("\n").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac)
}

fn flag(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "1",
        Some(false) => "0",
        None => "",
    }
}

fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn decode_settings(stored: &StoredSettings) -> Usersettings {
    let notes: Option<NotesExport> = stored
        .notes_export
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok());
    let notification: Option<Notification> = stored
        .notification
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok());
    effective_settings(notes, notification)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_the_fields() {
        // RFC 4231 test case 2 ("Jefe"): HMAC pads short keys with zeros, so the zero-padded
        // 32-byte key gives RFC 4231's value; `sign` must give it, base64url-encoded.
        use base64::Engine as _;
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let expected =
            hex::decode("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
                .unwrap();
        assert_eq!(
            sign(&key, &["what do ya want for nothing?"]),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(expected)
        );
        assert_eq!(
            sign(&key, &["what do ya want", "for nothing?"]),
            sign(&key, &["what do ya want\nfor nothing?"]),
            "fields are joined by a newline"
        );
    }
}
