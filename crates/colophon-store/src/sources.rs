//! Where each volume's data came from: the contributions of its sources, the ISBNs that
//! identify it across sources, and the full text of digitized books.

use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use colophon_domain::{Contribution, VolumeId, VolumeRecord};

use crate::{StoreResult, UpsertOutcome};

/// One source's contribution to a volume, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    /// The volume it belongs to.
    pub volume_id: VolumeId,
    /// What the source says (its `source_key` is the row's key).
    pub contribution: Contribution,
}

/// Everything one import batch writes, in one transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportWrite {
    /// Contributions to insert or replace (by source key).
    pub sources: Vec<SourceRow>,
    /// ISBN-13 claims: the first volume to claim an ISBN keeps it.
    pub isbns: Vec<(String, VolumeId)>,
    /// Full texts to insert or replace (by volume).
    pub texts: Vec<(VolumeId, String)>,
    /// The re-merged volumes, written as [`crate::VolumeStore::upsert_volumes`] does.
    pub volumes: Vec<VolumeRecord>,
}

/// What [`SourceStore::write_import`] waits for, its batch written, before it commits: `Ok` to
/// commit, `Err(reason)` to roll back. Lets a caller write the store while it updates the
/// search index, yet commit the store only once the index has committed.
pub type CommitGate = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// A gate that is open at once.
pub fn commit_now() -> CommitGate {
    Box::pin(std::future::ready(Ok(())))
}

/// Storage of sources, ISBN claims and full texts.
#[async_trait]
pub trait SourceStore: Send + Sync {
    /// `(source key, volume id)` of the given source keys that are known.
    async fn volumes_of_sources(&self, keys: &[String]) -> StoreResult<Vec<(String, VolumeId)>>;

    /// `(isbn, volume id)` of the given ISBN-13s that a volume has claimed.
    async fn volumes_of_isbns(&self, isbns: &[String]) -> StoreResult<Vec<(String, VolumeId)>>;

    /// Every contribution to the given volumes, in no particular order.
    async fn sources_of_volumes(&self, ids: &[VolumeId]) -> StoreResult<Vec<SourceRow>>;

    /// The full texts of those of the given volumes that have one.
    async fn full_texts(&self, ids: &[VolumeId]) -> StoreResult<Vec<(VolumeId, String)>>;

    /// Writes a batch in one transaction: all of it or (on error, or when `gate` says no) none
    /// of it. The transaction commits only after `gate` resolves `Ok`. The outcome counts the
    /// volumes as `upsert_volumes` does.
    async fn write_import(
        &self,
        batch: &ImportWrite,
        gate: CommitGate,
    ) -> StoreResult<UpsertOutcome>;
}
