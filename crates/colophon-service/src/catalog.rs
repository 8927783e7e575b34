//! `Catalog`: volumes from the store, found through the search index.

use std::sync::Arc;

use colophon_domain::{SearchRequest, VolumeId, VolumeRecord};
use colophon_search::{SearchError, SearchIndex};
use colophon_store::{Store, StoreError};

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
        self.records_of(results).await
    }

    /// Like [`Catalog::search`], among the volumes `ids` only (a shelf, a user's library).
    pub async fn search_within(
        &self,
        req: &SearchRequest,
        ids: &[VolumeId],
    ) -> Result<(u64, Vec<Found>), CatalogError> {
        let results = self.index.search_within(req, ids)?;
        self.records_of(results).await
    }

    async fn records_of(
        &self,
        results: colophon_domain::SearchResults,
    ) -> Result<(u64, Vec<Found>), CatalogError> {
        let ids: Vec<VolumeId> = results.hits.iter().map(|h| h.id.clone()).collect();
        let records = self.store.get_volumes(&ids).await?;
        let mut by_id: std::collections::HashMap<VolumeId, VolumeRecord> =
            records.into_iter().map(|r| (r.id.clone(), r)).collect();
        let from_description = results.snippets_from_description;
        let found = results
            .hits
            .into_iter()
            .filter_map(|hit| {
                let record = by_id.remove(&hit.id)?;
                let snippet = if from_description {
                    record
                        .volume_info
                        .description
                        .as_deref()
                        .and_then(colophon_search::description_snippet)
                } else {
                    hit.snippet
                };
                Some((record, snippet))
            })
            .collect();
        Ok((results.total, found))
    }

    /// Rebuilds the index from the store (records and full texts); `progress` is called with the count so far.
    pub async fn reindex(&self, mut progress: impl FnMut(u64) + Send) -> Result<u64, CatalogError> {
        let index = self.index.clone();
        type Batch = Vec<(VolumeRecord, Option<String>)>;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(4);
        let writer = tokio::task::spawn_blocking(move || -> Result<u64, SearchError> {
            let mut updater = index.updater()?;
            updater.clear()?;
            let mut n = 0;
            while let Some(batch) = rx.blocking_recv() {
                for (r, text) in &batch {
                    updater.upsert(r, text.as_deref())?;
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
            let ids: Vec<VolumeId> = batch.iter().map(|r| r.id.clone()).collect();
            let mut texts: std::collections::HashMap<VolumeId, String> =
                self.store.full_texts(&ids).await?.into_iter().collect();
            let batch: Batch = batch
                .into_iter()
                .map(|r| {
                    let text = texts.remove(&r.id);
                    (r, text)
                })
                .collect();
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
