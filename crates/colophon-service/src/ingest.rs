//! Ingesting source records: each gets its volume (by source key, own id, ISBN, or a new one),
//! volumes are re-merged from all their contributions, then indexed and stored.
//!
//! Order of writes, for interrupt safety: the index and the store are written at the same time,
//! but the store's transaction commits only after the index has committed. A run killed before
//! the store commits leaves the store without the batch, so running the import again sees
//! every record of it as new and writes both again; a run killed inside either write leaves
//! that write undone. Either way a second run converges, and the store never holds a volume the
//! index lacks. (The index may briefly hold volumes the store lacks; searches skip those.)

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use colophon_domain::{merge, text_digest, Contribution, Isbn, VolumeId, VolumeRecord};
use colophon_import::SourceRecord;
use colophon_search::{IndexUpdater, SearchError};
use colophon_store::{CommitGate, ImportWrite, SourceRow, UpsertOutcome};

use crate::{Catalog, CatalogError};

/// Counts of one ingest, per record read and per volume written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// Records given.
    pub records: u64,
    /// Records identical to their last import: nothing written.
    pub unchanged: u64,
    /// Records followed, in the same batch, by another record with the same source key (the
    /// last one is the one imported).
    pub repeated: u64,
    /// Records that joined a volume another source had described (matched by ISBN).
    pub merged: u64,
    /// What happened to the volumes the changed records touched (a re-merged volume whose
    /// result did not change is `unchanged`).
    pub volumes: UpsertOutcome,
    /// Volumes (re)indexed.
    pub indexed: u64,
}

impl std::ops::AddAssign for IngestReport {
    fn add_assign(&mut self, o: Self) {
        self.records += o.records;
        self.unchanged += o.unchanged;
        self.repeated += o.repeated;
        self.merged += o.merged;
        self.volumes += o.volumes;
        self.indexed += o.indexed;
    }
}

/// ISBN-13s of a record's identifiers (valid ones only, in order, without repeats).
fn isbns_of(r: &SourceRecord) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in r.volume_info.industry_identifiers.iter().flatten() {
        if id.kind == "ISBN_13" || id.kind == "ISBN_10" {
            if let Ok(isbn) = Isbn::parse(&id.identifier) {
                let s = isbn.isbn13().to_owned();
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    out
}

impl Catalog {
    /// Ingests one batch of source records (see [`IngestSession::ingest`]).
    pub async fn ingest(&self, records: Vec<SourceRecord>) -> Result<IngestReport, CatalogError> {
        let mut session = self.ingest_session();
        let report = session.ingest(records).await?;
        session.finish().await?;
        Ok(report)
    }

    /// A session for ingesting many batches: one index writer for all of them, whose
    /// background merges run while the next batches are read.
    pub fn ingest_session(&self) -> IngestSession<'_> {
        IngestSession {
            catalog: self,
            updater: None,
        }
    }
}

/// Ingests batch after batch (see the module doc); [`IngestSession::finish`] at the end waits
/// for the index's merges.
pub struct IngestSession<'a> {
    catalog: &'a Catalog,
    updater: Option<IndexUpdater>,
}

impl IngestSession<'_> {
    /// Waits for the index writer's background merges and releases it.
    pub async fn finish(mut self) -> Result<(), CatalogError> {
        if let Some(updater) = self.updater.take() {
            tokio::task::spawn_blocking(move || updater.finish())
                .await
                .map_err(|e| CatalogError::Task(e.to_string()))??;
        }
        Ok(())
    }

    /// Ingests one batch of source records. A source key repeated in the batch counts once,
    /// its last record winning.
    ///
    /// The index and the store are written at the same time; the store's transaction commits
    /// only once the index has committed (see the module doc for why that order).
    pub async fn ingest(
        &mut self,
        records: Vec<SourceRecord>,
    ) -> Result<IngestReport, CatalogError> {
        let started = std::time::Instant::now();
        let mut report = IngestReport {
            records: records.len() as u64,
            ..IngestReport::default()
        };
        // Last record of each source key, in first-seen order.
        let mut position: HashMap<String, usize> = HashMap::new();
        let mut batch: Vec<SourceRecord> = Vec::with_capacity(records.len());
        for r in records {
            match position.get(&r.source_key) {
                Some(&i) => {
                    batch[i] = r;
                    report.repeated += 1;
                }
                None => {
                    position.insert(r.source_key.clone(), batch.len());
                    batch.push(r);
                }
            }
        }
        let isbns: Vec<Vec<String>> = batch.iter().map(isbns_of).collect();

        let store = self.catalog.store();
        let keys: Vec<String> = batch.iter().map(|r| r.source_key.clone()).collect();
        let known: HashMap<String, VolumeId> =
            store.volumes_of_sources(&keys).await?.into_iter().collect();
        let mut all_isbns: Vec<String> = isbns.iter().flatten().cloned().collect();
        all_isbns.sort_unstable();
        all_isbns.dedup();
        let mut claims: HashMap<String, VolumeId> = store
            .volumes_of_isbns(&all_isbns)
            .await?
            .into_iter()
            .collect();

        // Resolve each record's volume, claiming its ISBNs for it when they are free.
        let mut write = ImportWrite::default();
        let mut volume_of: Vec<VolumeId> = Vec::with_capacity(batch.len());
        let mut joined: Vec<bool> = Vec::with_capacity(batch.len());
        for (r, isbns) in batch.iter().zip(&isbns) {
            let by_isbn = || isbns.iter().find_map(|i| claims.get(i).cloned());
            let (id, via_isbn) = if let Some(id) = known.get(&r.source_key) {
                (id.clone(), false)
            } else if let Some(id) = &r.volume_id {
                (id.clone(), false)
            } else if let Some(id) = by_isbn() {
                (id, true)
            } else {
                (VolumeId::derive(&r.source_key), false)
            };
            for i in isbns {
                if !claims.contains_key(i) {
                    claims.insert(i.clone(), id.clone());
                    write.isbns.push((i.clone(), id.clone()));
                }
            }
            volume_of.push(id);
            joined.push(via_isbn);
        }

        // Every contribution of the touched volumes, then this batch's in their place.
        let mut touched: Vec<VolumeId> = volume_of.clone();
        touched.sort_unstable();
        touched.dedup();
        let mut contributions: HashMap<VolumeId, Vec<Contribution>> = HashMap::new();
        for row in store.sources_of_volumes(&touched).await? {
            contributions
                .entry(row.volume_id)
                .or_default()
                .push(row.contribution);
        }
        let base_seq = Utc::now().timestamp_micros().saturating_mul(1000);
        let mut changed: HashSet<VolumeId> = HashSet::new();
        let mut texts: HashMap<VolumeId, String> = HashMap::new();
        let mut covers: Vec<(VolumeId, Vec<u8>)> = Vec::new();
        for (i, mut r) in batch.into_iter().enumerate() {
            let id = &volume_of[i];
            if let Some(bytes) = r.cover.take() {
                covers.push((id.clone(), bytes));
            }
            if let (Some(text), Some(access)) = (r.full_text.as_deref(), r.access_info.as_mut()) {
                colophon_domain::access::mark_pdf(access, text);
            }
            let list = contributions.entry(id.clone()).or_default();
            let old = list.iter().position(|c| c.source_key == r.source_key);
            let mut c = Contribution {
                source_key: r.source_key,
                seq: base_seq + i as i64,
                volume_info: r.volume_info,
                sale_info: r.sale_info,
                access_info: r.access_info,
                layer_info: r.layer_info,
                etag: r.etag,
                text_digest: r.full_text.as_deref().map(text_digest),
            };
            if let Some(old) = old {
                c.seq = list[old].seq;
                if list[old] == c {
                    report.unchanged += 1;
                    continue;
                }
                list[old] = c.clone();
            } else {
                if joined[i] || !list.is_empty() {
                    report.merged += 1;
                }
                list.push(c.clone());
            }
            changed.insert(id.clone());
            if let Some(text) = r.full_text {
                texts.insert(id.clone(), text);
            }
            write.sources.push(SourceRow {
                volume_id: id.clone(),
                contribution: c,
            });
        }
        // Covers (an EPUB's) are checked and stored once by content; a bad image is logged and
        // left out, the book still imports. Setting the same cover again writes nothing new.
        let cover_service = crate::Covers::new(store.clone(), None);
        for (id, bytes) in covers {
            match cover_service.set_cover(&id, bytes).await {
                Ok(_) => {}
                Err(crate::CoverError::Rejected(why)) => {
                    tracing::warn!(volume = %id.as_str(), "cover image left out: {why}");
                }
                Err(crate::CoverError::Store(e)) => return Err(e.into()),
                Err(e) => return Err(CatalogError::Task(e.to_string())),
            }
        }
        if changed.is_empty() {
            return Ok(report);
        }

        // Re-merge the changed volumes; fetch the stored texts of those whose text did not
        // come in this batch, for the index.
        let now = Utc::now();
        let mut changed: Vec<VolumeId> = changed.into_iter().collect();
        changed.sort_unstable();
        let need_text: Vec<VolumeId> = changed
            .iter()
            .filter(|id| {
                !texts.contains_key(*id)
                    && contributions[*id].iter().any(|c| c.text_digest.is_some())
            })
            .cloned()
            .collect();
        let stored_texts: HashMap<VolumeId, String> =
            store.full_texts(&need_text).await?.into_iter().collect();
        let records: Vec<VolumeRecord> = changed
            .iter()
            .map(|id| merge(id, &contributions[id], now))
            .collect();

        let resolved = started.elapsed();
        let updater = match self.updater.take() {
            Some(u) => u,
            None => self.catalog.index().updater()?,
        };
        write.texts = texts.into_iter().collect();
        write.volumes = records;
        // One copy of the batch, read by the indexing task and written by the store.
        let write = std::sync::Arc::new(write);
        let to_index = std::sync::Arc::clone(&write);
        let (gate_tx, gate_rx) = tokio::sync::oneshot::channel::<Result<(), String>>();
        let index_task = tokio::task::spawn_blocking(move || {
            let mut updater = updater;
            let result = (|| -> Result<u64, SearchError> {
                let new_texts: HashMap<&VolumeId, &str> = to_index
                    .texts
                    .iter()
                    .map(|(id, text)| (id, text.as_str()))
                    .collect();
                for r in &to_index.volumes {
                    let text = new_texts
                        .get(&r.id)
                        .copied()
                        .or_else(|| stored_texts.get(&r.id).map(String::as_str));
                    updater.upsert(r, text)?;
                }
                updater.commit()?;
                Ok(to_index.volumes.len() as u64)
            })();
            let _ = gate_tx.send(result.as_ref().map(|_| ()).map_err(|e| e.to_string()));
            (updater, result)
        });
        let gate: CommitGate = Box::pin(async move {
            gate_rx
                .await
                .map_err(|_| "the indexing task died".to_owned())?
        });

        let stored = store.write_import(&write, gate).await;
        let (updater, indexed) = index_task
            .await
            .map_err(|e| CatalogError::Task(e.to_string()))?;
        // After an index error the writer is not reused (tantivy may have poisoned it).
        report.indexed = indexed?;
        self.updater = Some(updater);
        report.volumes += stored?;
        tracing::debug!(
            records = report.records,
            resolve_ms = resolved.as_millis() as u64,
            write_ms = (started.elapsed() - resolved).as_millis() as u64,
            "ingested a batch"
        );
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use colophon_domain::SearchRequest;
    use colophon_search::SearchIndex;
    use colophon_store::Migrate;
    use colophon_store_sqlite::SqliteStore;

    use super::*;

    async fn catalog(dir: &tempfile::TempDir) -> Catalog {
        let store = SqliteStore::open(&dir.path().join("c.db")).await.unwrap();
        store.migrate().await.unwrap();
        Catalog::new(Arc::new(store), SearchIndex::in_ram().unwrap())
    }

    fn rec(key: &str, title: &str, isbn: Option<&str>) -> SourceRecord {
        let mut r = SourceRecord::new(key);
        r.volume_info.title = Some(title.into());
        if let Some(i) = isbn {
            assert!(r.add_isbn(i));
        }
        r
    }

    fn total(c: &Catalog, q: &str) -> u64 {
        c.index().reload().unwrap();
        c.index().search(&SearchRequest::new(q)).unwrap().total
    }

    #[tokio::test]
    async fn new_same_changed_and_merged_records() {
        let dir = tempfile::tempdir().unwrap();
        let c = catalog(&dir).await;
        let first = c
            .ingest(vec![
                rec("marc:1", "Emma", Some("0141439580")),
                rec("marc:2", "Persuasion", None),
            ])
            .await
            .unwrap();
        assert_eq!(first.volumes.inserted, 2);
        assert_eq!((first.merged, first.unchanged, first.indexed), (0, 0, 2));
        let emma_id = VolumeId::derive("marc:1");
        assert_eq!(total(&c, "emma"), 1);

        // The same records again: nothing written, nothing indexed.
        let again = c
            .ingest(vec![
                rec("marc:1", "Emma", Some("0141439580")),
                rec("marc:2", "Persuasion", None),
            ])
            .await
            .unwrap();
        assert_eq!(again.unchanged, 2);
        assert_eq!(again.volumes, UpsertOutcome::default());
        assert_eq!(again.indexed, 0);

        // Another source with the same book (ISBN-13 form of the same ISBN) joins it; its
        // publisher fills the gap, the primary's title stays.
        let mut onix = rec(
            "onix:9780141439587",
            "EMMA (Penguin Classics)",
            Some("978-0-14-143958-7"),
        );
        onix.volume_info.publisher = Some("Penguin".into());
        onix.full_text = Some("Emma Woodhouse, handsome, clever, and rich".into());
        let merged = c.ingest(vec![onix]).await.unwrap();
        assert_eq!(merged.merged, 1);
        assert_eq!(merged.volumes.updated, 1);
        assert_eq!(c.count().await.unwrap(), 2);
        let emma = c.get_volume(emma_id.as_str()).await.unwrap();
        assert_eq!(emma.volume_info.title.as_deref(), Some("Emma"));
        assert_eq!(emma.volume_info.publisher.as_deref(), Some("Penguin"));
        assert_eq!(
            c.store()
                .sources_of_volumes(std::slice::from_ref(&emma_id))
                .await
                .unwrap()
                .len(),
            2
        );
        // The text is searchable.
        assert_eq!(total(&c, "handsome clever"), 1);

        // Re-importing the first source with a change keeps the second source's data and the
        // text in the index.
        let changed = c
            .ingest(vec![rec("marc:1", "Emma: a novel", Some("0141439580"))])
            .await
            .unwrap();
        assert_eq!((changed.volumes.updated, changed.merged), (1, 0));
        let emma = c.get_volume(emma_id.as_str()).await.unwrap();
        assert_eq!(emma.volume_info.title.as_deref(), Some("Emma: a novel"));
        assert_eq!(emma.volume_info.publisher.as_deref(), Some("Penguin"));
        assert_eq!(total(&c, "handsome clever"), 1);
        assert_eq!(total(&c, "novel"), 1);
    }

    #[tokio::test]
    async fn within_a_batch_repeats_and_isbn_matches_resolve() {
        let dir = tempfile::tempdir().unwrap();
        let c = catalog(&dir).await;
        let report = c
            .ingest(vec![
                rec("csv:a:1", "Dracula", Some("9780141439846")),
                rec("csv:a:1", "Dracula (2nd reading)", Some("9780141439846")),
                rec("marc:9", "Dracula.", Some("014143984X")),
            ])
            .await
            .unwrap();
        assert_eq!(report.records, 3);
        assert_eq!(report.merged, 1);
        assert_eq!(report.volumes.inserted, 1);
        assert_eq!(c.count().await.unwrap(), 1);
        let v = c
            .get_volume(VolumeId::derive("csv:a:1").as_str())
            .await
            .unwrap();
        assert_eq!(
            v.volume_info.title.as_deref(),
            Some("Dracula (2nd reading)")
        );
    }

    #[tokio::test]
    async fn records_with_their_own_id_keep_it() {
        let dir = tempfile::tempdir().unwrap();
        let c = catalog(&dir).await;
        c.ingest(vec![rec("marc:1", "Emma", Some("9780141439587"))])
            .await
            .unwrap();
        let mut google = rec("googlebooks:kPbzR4LDkAkC", "Emma", Some("9780141439587"));
        google.volume_id = Some(VolumeId::parse("kPbzR4LDkAkC").unwrap());
        google.etag = Some("Wv0yrtKEZ4M".into());
        let report = c.ingest(vec![google]).await.unwrap();
        assert_eq!((report.volumes.inserted, report.merged), (1, 0));
        let v = c.get_volume("kPbzR4LDkAkC").await.unwrap();
        assert_eq!(v.etag, "Wv0yrtKEZ4M");
        assert_eq!(c.count().await.unwrap(), 2);
    }

    #[tokio::test]
    async fn a_failed_store_write_leaves_a_rerun_complete() {
        // The index is written before the store: after a crash between the two, a rerun sees
        // the records as new and writes both. Simulate by indexing a batch without storing it.
        let dir = tempfile::tempdir().unwrap();
        let c = catalog(&dir).await;
        let batch = vec![
            rec("marc:1", "Emma", None),
            rec("marc:2", "Persuasion", None),
        ];
        let mut updater = c.index().updater().unwrap();
        for r in &batch {
            let record = merge(
                &VolumeId::derive(&r.source_key),
                &[Contribution {
                    source_key: r.source_key.clone(),
                    seq: 0,
                    volume_info: r.volume_info.clone(),
                    sale_info: None,
                    access_info: None,
                    layer_info: None,
                    etag: None,
                    text_digest: None,
                }],
                Utc::now(),
            );
            updater.upsert(&record, None).unwrap();
        }
        updater.commit().unwrap();
        updater.finish().unwrap();
        assert_eq!(c.count().await.unwrap(), 0);
        let report = c.ingest(batch).await.unwrap();
        assert_eq!(report.volumes.inserted, 2);
        assert_eq!(total(&c, "emma"), 1);
        assert_eq!(total(&c, "persuasion"), 1);
        assert_eq!(c.count().await.unwrap(), 2);
        assert_eq!(
            c.store()
                .get_volumes(&[VolumeId::derive("marc:1")])
                .await
                .unwrap()
                .len(),
            1
        );
    }
}
