//! What one source says about a volume, and how the contributions of several sources merge
//! into the one record the API serves.
//!
//! Every imported record is kept as a [`Contribution`] of its volume. Importing a source again
//! replaces that source's contribution only; the volume is then re-merged from all of them.
//! So the same book from a MARC file and an ONIX feed (same ISBN) is one volume carrying both
//! sources' data, and re-importing either updates it in place.
//!
//! Merge rules ([`merge`]), contributions in arrival order (`seq`), the first being primary:
//! - every `volumeInfo` field comes from the first contribution that has it, except
//!   `industryIdentifiers` and `categories` (the union, in order, without repeats) and
//!   `readingModes` (a mode is available when any source provides it);
//! - `saleInfo` from the first contribution that has one;
//! - `accessInfo` from the most open one (ALL_PAGES over PARTIAL over NO_PAGES), ties to the
//!   earlier: a digitized public-domain copy opens a volume that a catalog record described;
//! - `layerInfo` from the first that has one.

use chrono::{DateTime, Utc};
use colophon_types::{AccessInfo, LayerInfo, ReadingModes, SaleInfo, VolumeInfo};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{compute_etag, VolumeId, VolumeRecord};

/// One source's data about a volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contribution {
    /// The record's identity in its source (`marc:ocm00400866`); unique in the catalog.
    pub source_key: String,
    /// Arrival order: lower is earlier, and the earliest contribution is the primary one.
    pub seq: i64,
    /// Bibliographic data.
    pub volume_info: VolumeInfo,
    /// Sale information, if the source has some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale_info: Option<SaleInfo>,
    /// Rights, if the source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_info: Option<AccessInfo>,
    /// Annotation layers, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_info: Option<LayerInfo>,
    /// The source's own version tag (Books API data carries one), kept while the volume has
    /// this one source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// When this source provided the volume's full text: a digest of it (so that a changed
    /// text is a changed contribution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_digest: Option<String>,
}

/// The `text_digest` of a full text: 16 hex digits of its SHA-256.
pub fn text_digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The record of volume `id` from its contributions (in any order; at least one).
///
/// `updated` is the time to stamp the record with; the store keeps the old stamp when the
/// content (etag) did not change.
pub fn merge(
    id: &VolumeId,
    contributions: &[Contribution],
    updated: DateTime<Utc>,
) -> VolumeRecord {
    let mut sorted: Vec<&Contribution> = contributions.iter().collect();
    sorted.sort_by(|a, b| {
        a.seq
            .cmp(&b.seq)
            .then_with(|| a.source_key.cmp(&b.source_key))
    });
    let Some(primary) = sorted.first() else {
        // Callers never merge nothing; an empty record is the honest answer if they do.
        return VolumeRecord {
            id: id.clone(),
            etag: String::new(),
            source_key: String::new(),
            volume_info: VolumeInfo::default(),
            sale_info: None,
            access_info: None,
            layer_info: None,
            updated,
        };
    };
    let mut record = VolumeRecord {
        id: id.clone(),
        etag: String::new(),
        source_key: primary.source_key.clone(),
        volume_info: if sorted.len() == 1 {
            primary.volume_info.clone()
        } else {
            merge_info(sorted.iter().map(|c| &c.volume_info))
        },
        sale_info: sorted.iter().find_map(|c| c.sale_info.clone()),
        access_info: most_open_access(&sorted),
        layer_info: sorted.iter().find_map(|c| c.layer_info.clone()),
        updated,
    };
    record.etag = match (&sorted[..], primary.etag.as_deref()) {
        ([_], Some(etag)) if !etag.is_empty() => etag.to_owned(),
        _ => compute_etag(&record),
    };
    record
}

fn most_open_access(sorted: &[&Contribution]) -> Option<AccessInfo> {
    let rank = |a: &AccessInfo| match a.viewability.as_deref() {
        Some("ALL_PAGES") => 3,
        Some("PARTIAL") => 2,
        _ => 1,
    };
    let mut best: Option<&AccessInfo> = None;
    for a in sorted.iter().filter_map(|c| c.access_info.as_ref()) {
        if best.is_none_or(|b| rank(a) > rank(b)) {
            best = Some(a);
        }
    }
    best.cloned()
}

/// Field-wise merge of `volumeInfo` objects, the first being primary (see the module doc).
fn merge_info<'a>(infos: impl Iterator<Item = &'a VolumeInfo>) -> VolumeInfo {
    let mut merged = Map::new();
    let mut reading: Option<ReadingModes> = None;
    for info in infos {
        if let Some(m) = &info.reading_modes {
            let r = reading.get_or_insert(ReadingModes {
                text: false,
                image: false,
            });
            r.text |= m.text;
            r.image |= m.image;
        }
        let Ok(Value::Object(fields)) = serde_json::to_value(info) else {
            continue;
        };
        for (key, value) in fields {
            match (merged.get_mut(&key), value) {
                (None, value) => {
                    merged.insert(key, value);
                }
                (Some(Value::Array(have)), Value::Array(more))
                    if key == "industryIdentifiers" || key == "categories" =>
                {
                    for v in more {
                        if !have.contains(&v) {
                            have.push(v);
                        }
                    }
                }
                (Some(_), _) => {}
            }
        }
    }
    let mut info: VolumeInfo = serde_json::from_value(Value::Object(merged)).unwrap_or_default();
    if reading.is_some() {
        info.reading_modes = reading;
    }
    info
}

#[cfg(test)]
mod tests {
    use colophon_types::IndustryIdentifier;

    use super::*;

    fn contribution(key: &str, seq: i64, info: VolumeInfo) -> Contribution {
        Contribution {
            source_key: key.into(),
            seq,
            volume_info: info,
            sale_info: None,
            access_info: None,
            layer_info: None,
            etag: None,
            text_digest: None,
        }
    }

    fn ids(pairs: &[(&str, &str)]) -> Option<Vec<IndustryIdentifier>> {
        Some(
            pairs
                .iter()
                .map(|(k, v)| IndustryIdentifier {
                    kind: (*k).into(),
                    identifier: (*v).into(),
                })
                .collect(),
        )
    }

    #[test]
    fn primary_wins_gaps_filled_lists_united() {
        let id = VolumeId::derive("x");
        let marc = contribution(
            "marc:1",
            1,
            VolumeInfo {
                title: Some("Emma".into()),
                authors: Some(vec!["Jane Austen".into()]),
                industry_identifiers: ids(&[("ISBN_13", "9780141439587")]),
                categories: Some(vec!["Fiction".into()]),
                ..VolumeInfo::default()
            },
        );
        let mut onix = contribution(
            "onix:9780141439587",
            2,
            VolumeInfo {
                title: Some("EMMA".into()),
                publisher: Some("Penguin".into()),
                industry_identifiers: ids(&[
                    ("ISBN_13", "9780141439587"),
                    ("ISBN_10", "0141439580"),
                ]),
                categories: Some(vec!["Fiction".into(), "Classics".into()]),
                reading_modes: Some(ReadingModes {
                    text: true,
                    image: false,
                }),
                ..VolumeInfo::default()
            },
        );
        onix.access_info = Some(AccessInfo {
            viewability: Some("ALL_PAGES".into()),
            ..AccessInfo::default()
        });
        let now = Utc::now();
        // Order of the slice does not matter, `seq` does.
        let r = merge(&id, &[onix.clone(), marc.clone()], now);
        assert_eq!(r.source_key, "marc:1");
        assert_eq!(r.volume_info.title.as_deref(), Some("Emma"));
        assert_eq!(r.volume_info.publisher.as_deref(), Some("Penguin"));
        assert_eq!(
            r.volume_info.industry_identifiers.as_ref().unwrap().len(),
            2
        );
        assert_eq!(
            r.volume_info.categories,
            Some(vec!["Fiction".into(), "Classics".into()])
        );
        assert!(r.volume_info.reading_modes.as_ref().unwrap().text);
        assert_eq!(
            r.access_info.unwrap().viewability.as_deref(),
            Some("ALL_PAGES")
        );
        assert_eq!(r.etag.len(), 11);
        // Deterministic.
        assert_eq!(merge(&id, &[marc.clone(), onix], now).etag, r.etag);
        // One contribution: itself, with its own etag when it has one.
        let mut gb = marc;
        gb.etag = Some("abcDEF12345".into());
        let single = merge(&id, &[gb.clone()], now);
        assert_eq!(single.etag, "abcDEF12345");
        assert_eq!(single.volume_info, gb.volume_info);
    }
}
