//! `Catalog`: volumes from the store, found through the search index.

use std::sync::Arc;

use colophon_domain::{SearchRequest, VolumeId, VolumeRecord};
use colophon_search::{SearchError, SearchIndex};
use colophon_store::{Store, StoreError, UpsertOutcome};

/// Why a catalog operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// No volume with this id (or the id is malformed).
    #[error("the volume ID could not be found")]
    VolumeNotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The search index failed.
    #[error(transparent)]
    Search(#[from] SearchError),
    /// A background task died (a bug).
    #[error("internal task failed: {0}")]
    Task(String),
}

/// Counts of one import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// What the store did.
    pub store: UpsertOutcome,
    /// Records (re)indexed.
    pub indexed: u64,
}

/// One search result: the record and its snippet.
pub type Found = (VolumeRecord, Option<String>);

/// The catalog: a store plus its derived search index.
#[derive(Clone)]
pub struct Catalog {
    store: Arc<dyn Store>,
    index: SearchIndex,
}

impl Catalog {
    /// A catalog over `store`, searched through `index`.
    pub fn new(store: Arc<dyn Store>, index: SearchIndex) -> Self {
        Self { store, index }
    }

    /// The underlying store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The search index.
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    /// `volumes.get`: one volume by id (case-sensitive).
    pub async fn get_volume(&self, id: &str) -> Result<VolumeRecord, CatalogError> {
        let id = VolumeId::parse(id).map_err(|_| CatalogError::VolumeNotFound)?;
        self.store
            .get_volume(&id)
            .await?
            .ok_or(CatalogError::VolumeNotFound)
    }

    /// `volumes.list`: the total and the requested page of records, best first.
    ///
    /// A hit whose record has vanished from the store since it was indexed is skipped.
    pub async fn search(&self, req: &SearchRequest) -> Result<(u64, Vec<Found>), CatalogError> {
        let results = self.index.search(req)?;
        let ids: Vec<VolumeId> = results.hits.iter().map(|h| h.id.clone()).collect();
        let records = self.store.get_volumes(&ids).await?;
        let mut by_id: std::collections::HashMap<VolumeId, VolumeRecord> =
            records.into_iter().map(|r| (r.id.clone(), r)).collect();
        let found = results
            .hits
            .into_iter()
            .filter_map(|hit| by_id.remove(&hit.id).map(|r| (r, hit.snippet)))
            .collect();
        Ok((results.total, found))
    }

    /// Writes `records` to the store, then to the index (one commit). A batch in which nothing
    /// changed (every etag as stored) is not reindexed.
    pub async fn import(&self, records: &[VolumeRecord]) -> Result<ImportSummary, CatalogError> {
        let outcome = self.store.upsert_volumes(records).await?;
        if outcome.inserted + outcome.updated == 0 {
            return Ok(ImportSummary {
                store: outcome,
                indexed: 0,
            });
        }
        let index = self.index.clone();
        let records = records.to_vec();
        let indexed = tokio::task::spawn_blocking(move || -> Result<u64, SearchError> {
            let mut updater = index.updater()?;
            for r in &records {
                updater.upsert(r, None)?;
            }
            updater.commit()?;
            // Let the merges this commit triggered finish: dropping the writer would abandon
            // them and leave one small segment per batch, which every search then visits.
            updater.finish()?;
            Ok(records.len() as u64)
        })
        .await
        .map_err(|e| CatalogError::Task(e.to_string()))??;
        Ok(ImportSummary {
            store: outcome,
            indexed,
        })
    }

    /// Rebuilds the index from the store; `progress` is called with the count so far.
    pub async fn reindex(&self, mut progress: impl FnMut(u64) + Send) -> Result<u64, CatalogError> {
        let index = self.index.clone();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<VolumeRecord>>(4);
        let writer = tokio::task::spawn_blocking(move || -> Result<u64, SearchError> {
            let mut updater = index.updater()?;
            updater.clear()?;
            let mut n = 0;
            while let Some(batch) = rx.blocking_recv() {
                for r in &batch {
                    updater.upsert(r, None)?;
                }
                n += batch.len() as u64;
            }
            updater.commit()?;
            updater.finish()?;
            Ok(n)
        });
        let mut after: Option<VolumeId> = None;
        let mut sent = 0u64;
        loop {
            let batch = self.store.volumes_after(after.as_ref(), 2_000).await?;
            let Some(last) = batch.last() else { break };
            after = Some(last.id.clone());
            sent += batch.len() as u64;
            if tx.send(batch).await.is_err() {
                break;
            }
            progress(sent);
        }
        drop(tx);
        let n = writer
            .await
            .map_err(|e| CatalogError::Task(e.to_string()))??;
        Ok(n)
    }

    /// Number of volumes in the store.
    pub async fn count(&self) -> Result<u64, CatalogError> {
        Ok(self.store.count_volumes().await?)
    }
}
