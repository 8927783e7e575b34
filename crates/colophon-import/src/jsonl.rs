//! `jsonl`: Colophon's own catalog format, written by `colophon export` and read back by
//! `colophon import --format jsonl`, so that a catalog round-trips.
//!
//! One JSON object per line and per volume ([`ExportLine`]): the volume as served (`id`,
//! `etag`, `updated`, the merged `volumeInfo`, `saleInfo`, `accessInfo`) for people and other
//! tools to read, then what it was merged from: `sources`, each source's own contribution in
//! arrival order, and `fullText`, the text a digitized book's source provided. Importing uses
//! `sources` (and `fullText`); a line without `sources` is taken as one source whose key is
//! `jsonl:<id>`.

use std::io::{BufRead, BufReader, Read};

use chrono::{DateTime, Utc};
use colophon_domain::{Contribution, VolumeId};
use colophon_types::{AccessInfo, SaleInfo, VolumeInfo};
use serde::{Deserialize, Serialize};

use crate::{Rejected, SourceRecord};

/// The `kind` of a line.
pub const KIND: &str = "colophon#volume";

/// One line of an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportLine {
    /// Always [`KIND`].
    pub kind: String,
    /// The volume id.
    pub id: String,
    /// Its etag.
    #[serde(default)]
    pub etag: String,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    /// The merged bibliographic data, as served.
    #[serde(default)]
    pub volume_info: VolumeInfo,
    /// As served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale_info: Option<SaleInfo>,
    /// As served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_info: Option<AccessInfo>,
    /// The contributions the volume was merged from, earliest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Contribution>,
    /// The full text, if a source provided one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_text: Option<String>,
}

/// Streams the source records of an export, line by line. A bad line is rejected with its
/// number and reading goes on.
pub fn read(
    input: impl Read + Send + 'static,
) -> impl Iterator<Item = Result<SourceRecord, Rejected>> + Send {
    let mut lines = BufReader::with_capacity(1 << 16, input).lines().enumerate();
    let mut pending: std::vec::IntoIter<Result<SourceRecord, Rejected>> = Vec::new().into_iter();
    std::iter::from_fn(move || loop {
        if let Some(next) = pending.next() {
            return Some(next);
        }
        let (n, line) = lines.next()?;
        let position = format!("line {}", n + 1);
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                // Not UTF-8 or an I/O error: the line is lost, the next may be fine.
                pending = vec![Err(Rejected {
                    position,
                    reason: format!("unreadable line: {e}"),
                })]
                .into_iter();
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        pending = match parse_line(&line, &position) {
            Ok(records) => records.into_iter().map(Ok).collect::<Vec<_>>().into_iter(),
            Err(e) => vec![Err(e)].into_iter(),
        };
    })
}

/// The source records of one export line.
pub fn parse_line(line: &str, position: &str) -> Result<Vec<SourceRecord>, Rejected> {
    let reject = |reason: String| Rejected {
        position: position.to_owned(),
        reason,
    };
    let v: ExportLine = serde_json::from_str(line)
        .map_err(|e| reject(format!("not a Colophon export line: {e}")))?;
    if v.kind != KIND {
        return Err(reject(format!("kind is {:?}, expected {KIND:?}", v.kind)));
    }
    let id =
        VolumeId::parse(&v.id).map_err(|e| reject(format!("bad volume id {:?}: {e}", v.id)))?;
    if v.sources.is_empty() {
        return Ok(vec![SourceRecord {
            source_key: format!("jsonl:{id}"),
            volume_id: Some(id),
            volume_info: v.volume_info,
            sale_info: v.sale_info,
            access_info: v.access_info,
            full_text: v.full_text,
            etag: None,
            layer_info: None,
            cover: None,
        }]);
    }
    let mut text = v.full_text;
    let mut sources = v.sources;
    sources.sort_by_key(|c| c.seq);
    let with_text = sources.iter().rposition(|c| c.text_digest.is_some());
    Ok(sources
        .into_iter()
        .enumerate()
        .map(|(i, c)| SourceRecord {
            source_key: c.source_key,
            volume_id: Some(id.clone()),
            volume_info: c.volume_info,
            sale_info: c.sale_info,
            access_info: c.access_info,
            full_text: if Some(i) == with_text {
                text.take()
            } else {
                None
            },
            etag: c.etag,
            layer_info: c.layer_info,
            cover: None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_with_and_without_sources_and_bad_lines() {
        let input = concat!(
            r#"{"kind":"colophon#volume","id":"aaaaaaaaaaaa","volumeInfo":{"title":"Plain"}}"#,
            "\n\n",
            r#"{"kind":"colophon#volume","id":"bbbbbbbbbbbb","etag":"x","sources":["#,
            r#"{"sourceKey":"epub:1","seq":9,"volumeInfo":{"title":"E"},"textDigest":"00"},"#,
            r#"{"sourceKey":"marc:1","seq":3,"volumeInfo":{"title":"M"}}],"fullText":"Once"}"#,
            "\n",
            "{not json\n",
            r#"{"kind":"books#volume","id":"cccccccccccc"}"#,
            "\n",
            r#"{"kind":"colophon#volume","id":"bad id"}"#,
            "\n",
        );
        let out: Vec<_> = read(std::io::Cursor::new(input.as_bytes().to_vec())).collect();
        assert_eq!(out.len(), 6);
        let plain = out[0].as_ref().unwrap();
        assert_eq!(plain.source_key, "jsonl:aaaaaaaaaaaa");
        // Sources come in arrival order; the text goes with the source that had it.
        let marc = out[1].as_ref().unwrap();
        let epub = out[2].as_ref().unwrap();
        assert_eq!(marc.source_key, "marc:1");
        assert_eq!(marc.full_text, None);
        assert_eq!(epub.full_text.as_deref(), Some("Once"));
        assert_eq!(epub.volume_id.as_ref().unwrap().as_str(), "bbbbbbbbbbbb");
        assert_eq!(out[3].as_ref().unwrap_err().position, "line 4");
        assert!(out[4].as_ref().unwrap_err().reason.contains("kind"));
        assert!(out[5]
            .as_ref()
            .unwrap_err()
            .reason
            .contains("bad volume id"));
    }
}
