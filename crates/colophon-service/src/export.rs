//! Exporting the catalog in Colophon's own `jsonl` format (see `colophon_import::jsonl`).

use std::collections::HashMap;

use colophon_domain::{Contribution, VolumeId};
use colophon_import::jsonl::{ExportLine, KIND};

use crate::{Catalog, CatalogError};

/// Volumes read from the store per round trip.
const PAGE: u32 = 1_000;

impl Catalog {
    /// Walks the whole catalog in id order, handing each volume, with its sources and full
    /// text, to `sink`; returns the number of volumes. Stops at the first error of `sink`.
    pub async fn export<E>(
        &self,
        mut sink: impl FnMut(ExportLine) -> Result<(), E> + Send,
    ) -> Result<u64, ExportError<E>> {
        let store = self.store();
        let mut after: Option<VolumeId> = None;
        let mut n = 0u64;
        loop {
            let page = store
                .volumes_after(after.as_ref(), PAGE)
                .await
                .map_err(|e| ExportError::Catalog(e.into()))?;
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            let ids: Vec<VolumeId> = page.iter().map(|r| r.id.clone()).collect();
            let mut sources: HashMap<VolumeId, Vec<Contribution>> = HashMap::new();
            for row in store
                .sources_of_volumes(&ids)
                .await
                .map_err(|e| ExportError::Catalog(e.into()))?
            {
                sources
                    .entry(row.volume_id)
                    .or_default()
                    .push(row.contribution);
            }
            let mut texts: HashMap<VolumeId, String> = store
                .full_texts(&ids)
                .await
                .map_err(|e| ExportError::Catalog(e.into()))?
                .into_iter()
                .collect();
            for r in page {
                let mut contributions = sources.remove(&r.id).unwrap_or_default();
                contributions.sort_by(|a, b| {
                    a.seq
                        .cmp(&b.seq)
                        .then_with(|| a.source_key.cmp(&b.source_key))
                });
                let full_text = texts.remove(&r.id);
                sink(ExportLine {
                    kind: KIND.to_owned(),
                    id: r.id.to_string(),
                    etag: r.etag,
                    updated: Some(r.updated),
                    volume_info: r.volume_info,
                    sale_info: r.sale_info,
                    access_info: r.access_info,
                    sources: contributions,
                    full_text,
                })
                .map_err(ExportError::Sink)?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError<E> {
    /// Reading the catalog failed.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The sink failed (e.g. the output file).
    #[error("writing the export: {0}")]
    Sink(E),
}
