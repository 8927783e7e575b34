//! Volumes: the catalog's records, keyed by volume id.

use async_trait::async_trait;
use colophon_domain::{VolumeId, VolumeRecord};

use crate::StoreResult;

/// What an upsert did, counted per record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertOutcome {
    /// New volumes.
    pub inserted: u64,
    /// Existing volumes whose content (etag) changed.
    pub updated: u64,
    /// Existing volumes with the same etag: nothing written.
    pub unchanged: u64,
}

impl std::ops::AddAssign for UpsertOutcome {
    fn add_assign(&mut self, o: Self) {
        self.inserted += o.inserted;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
    }
}

/// Storage of volume records.
#[async_trait]
pub trait VolumeStore: Send + Sync {
    /// Inserts or replaces the records by id, in one transaction: either all are written or
    /// none. A record whose etag equals the stored one is left untouched (`unchanged`).
    async fn upsert_volumes(&self, records: &[VolumeRecord]) -> StoreResult<UpsertOutcome>;

    /// One volume by id (case-sensitive).
    async fn get_volume(&self, id: &VolumeId) -> StoreResult<Option<VolumeRecord>>;

    /// Several volumes, in the order of `ids`; unknown ids are skipped.
    async fn get_volumes(&self, ids: &[VolumeId]) -> StoreResult<Vec<VolumeRecord>>;

    /// Deletes a volume; `true` when it existed.
    async fn delete_volume(&self, id: &VolumeId) -> StoreResult<bool>;

    /// Number of volumes.
    async fn count_volumes(&self) -> StoreResult<u64>;

    /// Up to `limit` volumes with ids greater than `after` (all when `None`), in id order
    /// (byte order): the way to walk the whole catalog, e.g. to rebuild the index.
    async fn volumes_after(
        &self,
        after: Option<&VolumeId>,
        limit: u32,
    ) -> StoreResult<Vec<VolumeRecord>>;
}
