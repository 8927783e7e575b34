//! The stored volume: bibliographic data plus the identity that keeps its id stable.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use colophon_types::{AccessInfo, LayerInfo, SaleInfo, VolumeInfo};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Isbn, VolumeId};

/// One volume of the catalog, as stored.
///
/// The wire sub-objects are kept as imported; links that point at the server itself
/// (`previewLink`, `infoLink`, `canonicalVolumeLink`, `webReaderLink`, `selfLink`) are not
/// stored but rendered per request (see [`crate::render`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumeRecord {
    /// The volume id.
    pub id: VolumeId,
    /// Version tag, 11 characters; changes when the data changes.
    pub etag: String,
    /// Identity in its source (`demo:pg1342`, `googlebooks:kPbzR4LDkAkC`), unique.
    pub source_key: String,
    /// Bibliographic data.
    pub volume_info: VolumeInfo,
    /// Sale information, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale_info: Option<SaleInfo>,
    /// Access information, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_info: Option<AccessInfo>,
    /// Annotation layers, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_info: Option<LayerInfo>,
    /// When this record last changed.
    pub updated: DateTime<Utc>,
}

impl VolumeRecord {
    /// ISBNs of the volume (13-digit form), from `industryIdentifiers`; invalid ones are skipped.
    pub fn isbns(&self) -> Vec<Isbn> {
        let mut out: Vec<Isbn> = self
            .identifiers("ISBN_10")
            .chain(self.identifiers("ISBN_13"))
            .filter_map(|s| Isbn::parse(s).ok())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Values of `OTHER` identifiers with the given source prefix (`LCCN`, `OCLC`), without it.
    pub fn other_identifiers<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.identifiers("OTHER").filter_map(move |v| {
            let (p, rest) = v.split_once(':')?;
            p.eq_ignore_ascii_case(prefix).then_some(rest)
        })
    }

    fn identifiers<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.volume_info
            .industry_identifiers
            .iter()
            .flatten()
            .filter(move |i| i.kind == kind)
            .map(|i| i.identifier.as_str())
    }

    /// Recomputes the etag from the content (everything but `etag` and `updated`).
    pub fn refresh_etag(&mut self) {
        self.etag = compute_etag(self);
    }
}

/// An 11-character tag derived from the record's content, in the alphabet Google uses.
pub fn compute_etag(record: &VolumeRecord) -> String {
    let mut hasher = Sha256::new();
    hasher.update(record.id.as_str());
    hasher.update([0]);
    hasher.update(record.source_key.as_bytes());
    for part in [
        serde_json::to_vec(&record.volume_info),
        serde_json::to_vec(&record.sale_info),
        serde_json::to_vec(&record.access_info),
        serde_json::to_vec(&record.layer_info),
    ] {
        hasher.update([0]);
        // Serialising plain data structures cannot fail.
        hasher.update(part.unwrap_or_default());
    }
    let digest = hasher.finalize();
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(&digest[..8])
}
