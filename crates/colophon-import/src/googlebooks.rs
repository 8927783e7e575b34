//! `googlebooks`: Books API `Volume` JSON, as recorded from the real service.
//!
//! Accepts a single `Volume`, a `Volumes` page (`items`), or a sequence of either (JSON Lines
//! or concatenated). The Google id becomes the volume id (a volume without a valid id gets one
//! derived from its identifiers or title); the etag is kept. Links that point at the server
//! itself (`selfLink`, `previewLink`, `infoLink`, `canonicalVolumeLink`, `webReaderLink`) and
//! the per-request `country` are dropped: Colophon renders them for each request.

use std::io::Read;

use chrono::Utc;
use colophon_domain::{compute_etag, VolumeId, VolumeRecord};
use colophon_types::Volume;
use serde_json::Value;

use crate::Rejected;

/// Streams the records of `input`, each a volume or the reason it was rejected.
pub fn read(input: impl Read) -> impl Iterator<Item = Result<VolumeRecord, Rejected>> {
    let values = serde_json::Deserializer::from_reader(input).into_iter::<Value>();
    let mut n = 0usize;
    let mut failed = false;
    values
        .map_while(move |value| {
            if failed {
                return None;
            }
            n += 1;
            Some(match value {
                Ok(v) => expand(v, n),
                Err(e) => {
                    // After a syntax error the stream cannot resynchronise reliably: report
                    // it and stop this input.
                    failed = true;
                    vec![Err(Rejected {
                        position: format!("value {n}"),
                        reason: format!("invalid JSON: {e}"),
                    })]
                }
            })
        })
        .flatten()
}

fn expand(v: Value, n: usize) -> Vec<Result<VolumeRecord, Rejected>> {
    match v {
        Value::Object(ref o)
            if o.contains_key("items")
                || o.get("kind").and_then(Value::as_str) == Some("books#volumes") =>
        {
            match o.get("items") {
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| from_value(item.clone(), &format!("value {n} items[{i}]")))
                    .collect(),
                None => Vec::new(),
                Some(_) => vec![Err(Rejected {
                    position: format!("value {n}"),
                    reason: "`items` is not an array".into(),
                })],
            }
        }
        Value::Object(_) => vec![from_value(v, &format!("value {n}"))],
        _ => vec![Err(Rejected {
            position: format!("value {n}"),
            reason: "not a JSON object".into(),
        })],
    }
}

/// Converts one `Volume` JSON value.
pub fn from_value(v: Value, position: &str) -> Result<VolumeRecord, Rejected> {
    let reject = |reason: String| Rejected {
        position: position.to_owned(),
        reason,
    };
    let volume: Volume =
        serde_json::from_value(v).map_err(|e| reject(format!("not a Books API volume: {e}")))?;
    from_volume(volume).map_err(reject)
}

/// Converts a parsed `Volume`.
pub fn from_volume(volume: Volume) -> Result<VolumeRecord, String> {
    let mut info = volume.volume_info.ok_or("the volume has no volumeInfo")?;
    if info.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Err("the volume has no title".into());
    }
    let id = match volume.id.as_deref().map(VolumeId::parse) {
        Some(Ok(id)) => id,
        Some(Err(e)) => return Err(format!("invalid volume id: {e}")),
        None => VolumeId::derive(&format!("googlebooks:{}", fallback_key(&info))),
    };
    info.preview_link = None;
    info.info_link = None;
    info.canonical_volume_link = None;
    let sale_info = volume.sale_info.map(|mut s| {
        s.country = None;
        s
    });
    let access_info = volume.access_info.map(|mut a| {
        a.country = None;
        a.web_reader_link = None;
        a
    });
    let mut record = VolumeRecord {
        source_key: format!("googlebooks:{id}"),
        id,
        etag: String::new(),
        volume_info: info,
        sale_info,
        access_info,
        layer_info: volume.layer_info,
        updated: Utc::now(),
    };
    record.etag = match volume.etag {
        Some(e) if !e.is_empty() && e.len() <= 64 => e,
        _ => compute_etag(&record),
    };
    Ok(record)
}

fn fallback_key(info: &colophon_types::VolumeInfo) -> String {
    if let Some(ids) = &info.industry_identifiers {
        if let Some(first) = ids.iter().find(|i| i.kind.starts_with("ISBN")) {
            return format!("isbn:{}", first.identifier);
        }
    }
    format!(
        "title:{}|{}",
        info.title.as_deref().unwrap_or(""),
        info.authors
            .as_ref()
            .map(|a| a.join(";"))
            .unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_volume_page_and_lines() {
        let input = r#"{"kind":"books#volume","id":"kPbzR4LDkAkC","etag":"lczsNYEZ95k","volumeInfo":{"title":"T","previewLink":"http://x"},"saleInfo":{"country":"NO","saleability":"NOT_FOR_SALE"}}
{"kind":"books#volumes","totalItems":2,"items":[{"id":"abcdefghijkl","volumeInfo":{"title":"A"}},{"id":"bad","volumeInfo":{"title":"B"}}]}
{"kind":"books#volumes","totalItems":0}
[1]
"#;
        let out: Vec<_> = read(input.as_bytes()).collect();
        assert_eq!(out.len(), 4);
        let first = out[0].as_ref().unwrap();
        assert_eq!(first.id.as_str(), "kPbzR4LDkAkC");
        assert_eq!(first.etag, "lczsNYEZ95k");
        assert_eq!(first.volume_info.preview_link, None);
        assert_eq!(first.sale_info.as_ref().unwrap().country, None);
        assert!(out[1].is_ok());
        assert_eq!(out[2].as_ref().unwrap_err().position, "value 2 items[1]");
        assert_eq!(out[3].as_ref().unwrap_err().reason, "not a JSON object");
    }

    #[test]
    fn syntax_error_is_reported_not_fatal() {
        let out: Vec<_> =
            read(r#"{"id":"abcdefghijkl","volumeInfo":{"title":"A"}} {"id": "#.as_bytes())
                .collect();
        assert_eq!(out.len(), 2);
        assert!(out[0].is_ok());
        assert!(out[1]
            .as_ref()
            .unwrap_err()
            .reason
            .starts_with("invalid JSON"));
    }

    #[test]
    fn ids_derived_when_missing_are_stable() {
        let v = r#"{"volumeInfo":{"title":"A","industryIdentifiers":[{"type":"ISBN_13","identifier":"9783527408412"}]}}"#;
        let a = read(v.as_bytes()).next().unwrap().unwrap();
        let b = read(v.as_bytes()).next().unwrap().unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(a.etag, b.etag);
        assert_eq!(a.etag.len(), 11);
    }
}
