//! Lent books: how many copies of a volume the library owns (concurrent borrowers), how many
//! of a user's devices may hold it offline, the leases devices hold, and users' settings
//! (`myconfig.*`).
//!
//! Counting is exact under concurrency: every acquisition of one volume is serialised (the
//! SQLite writer lock; in PostgreSQL a `FOR UPDATE` lock on the volume's policy row), so at
//! most `copies` unexpired leases exist at any time, whatever the number of server processes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use colophon_domain::VolumeId;

use crate::StoreResult;

/// What the library owns of one volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LendingPolicy {
    /// Copies owned: the number of devices that may hold the volume at once, across all users.
    pub copies: u32,
    /// How many of one user's devices may hold an offline download license (`None`: no limit).
    pub download_devices: Option<u32>,
}

/// The answer to a request for a copy (a concurrent-access lease).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseOutcome {
    /// The volume has no lending policy: nothing to count.
    Unrestricted,
    /// The device holds a copy until the given time.
    Granted {
        /// `false` when the device already held a live lease (it was renewed).
        just_acquired: bool,
        /// Live leases of the volume, this one included.
        held: u32,
        /// The policy's copies.
        copies: u32,
    },
    /// Every copy is held by other devices.
    Refused {
        /// Live leases of the volume.
        held: u32,
        /// The policy's copies.
        copies: u32,
    },
}

/// The answer to a request for an offline download license.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadOutcome {
    /// The volume has no download limit.
    Unrestricted,
    /// The device holds a download license.
    Granted {
        /// `false` when the device already held one.
        just_acquired: bool,
        /// The user's devices holding one, this one included.
        acquired: u32,
        /// The limit.
        max: u32,
    },
    /// The user's other devices hold every license.
    Refused {
        /// The user's devices holding one.
        acquired: u32,
        /// The limit.
        max: u32,
    },
}

/// Storage of lending policies, leases and download licenses.
#[async_trait]
pub trait LendingStore: Send + Sync {
    /// Sets (or with `None` removes) the lending policy of `volume`. Removing it also drops the
    /// volume's leases and download licenses.
    async fn set_lending_policy(
        &self,
        volume: &VolumeId,
        policy: Option<LendingPolicy>,
    ) -> StoreResult<()>;

    /// The lending policy of `volume`, if it has one.
    async fn lending_policy(&self, volume: &VolumeId) -> StoreResult<Option<LendingPolicy>>;

    /// Every lending policy, by volume id.
    async fn lending_policies(&self) -> StoreResult<Vec<(VolumeId, LendingPolicy)>>;

    /// Lends `user`'s `device` a copy of `volume` until `until` (renewing a live lease it
    /// holds), unless the unexpired leases (`expires > now`) of other devices already take
    /// every copy. Atomic: concurrent calls never grant more than `copies` live leases.
    async fn acquire_lease(
        &self,
        volume: &VolumeId,
        user_id: &str,
        device: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<LeaseOutcome>;

    /// Returns the copy `user`'s `device` holds of `volume`; `false` when it held none.
    async fn release_lease(
        &self,
        volume: &VolumeId,
        user_id: &str,
        device: &str,
    ) -> StoreResult<bool>;

    /// Gives `user`'s `device` an offline download license of `volume`, unless the user's
    /// other devices already hold `download_devices` of them. Atomic like
    /// [`acquire_lease`](Self::acquire_lease).
    async fn acquire_download(
        &self,
        volume: &VolumeId,
        user_id: &str,
        device: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<DownloadOutcome>;

    /// Drops `user`'s `device`'s download license of `volume`; `false` when it held none.
    async fn release_download(
        &self,
        volume: &VolumeId,
        user_id: &str,
        device: &str,
    ) -> StoreResult<bool>;

    /// How many of `user`'s devices hold a download license of `volume`.
    async fn downloads_acquired(&self, volume: &VolumeId, user_id: &str) -> StoreResult<u32>;

    /// The volumes `user` holds a license of (a download license, or a lease live at `now`),
    /// in volume id order, each once.
    async fn licensed_volumes(
        &self,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<VolumeId>>;
}

/// A user's settings as stored: each sub-object as JSON text, `None` when never set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredSettings {
    /// `notesExport`.
    pub notes_export: Option<String>,
    /// `notification`.
    pub notification: Option<String>,
}

/// Storage of users' settings (`myconfig.getUserSettings` / `updateUserSettings`).
#[async_trait]
pub trait UserSettingsStore: Send + Sync {
    /// The settings of `user_id` (all `None` when never set).
    async fn user_settings(&self, user_id: &str) -> StoreResult<StoredSettings>;

    /// Replaces the sub-objects given (`Some`) and keeps the others, in one atomic statement;
    /// returns the settings after the change.
    async fn update_user_settings(
        &self,
        user_id: &str,
        change: &StoredSettings,
    ) -> StoreResult<StoredSettings>;
}
