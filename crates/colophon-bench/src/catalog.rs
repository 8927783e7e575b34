//! Reads the generated catalog (Books API `Volume` JSON lines, gzip when the name ends in
//! `.gz`) into the fields every peer indexes, with the same volume ids Colophon gives them.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{Context, Result};
use colophon_domain::{Isbn, VolumeRecord};
use colophon_types::Volume;

/// One volume as the peers see it.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Colophon's id for it (derived from the first ISBN, as `colophon import` does).
    pub id: String,
    /// ISBN-13 forms of its ISBNs.
    pub isbns: Vec<String>,
    /// Title and subtitle.
    pub title: String,
    /// Authors, one per line.
    pub authors: String,
    /// Publisher.
    pub publisher: String,
    /// Categories, one per line.
    pub subjects: String,
    /// Description.
    pub description: String,
    /// The `Volume` JSON the front serves (kind, id, volumeInfo, saleInfo, accessInfo).
    pub json: String,
}

impl Doc {
    /// Builds the peer view of an imported record.
    pub fn of(record: VolumeRecord) -> Result<Self> {
        let isbns = record
            .isbns()
            .iter()
            .map(|i| i.isbn13().to_owned())
            .collect();
        let info = &record.volume_info;
        let title = match &info.subtitle {
            Some(s) => format!("{} {s}", info.title.as_deref().unwrap_or_default()),
            None => info.title.clone().unwrap_or_default(),
        };
        let doc = Doc {
            id: record.id.to_string(),
            isbns,
            title,
            authors: info.authors.as_deref().unwrap_or_default().join("\n"),
            publisher: info.publisher.clone().unwrap_or_default(),
            subjects: info.categories.as_deref().unwrap_or_default().join("\n"),
            description: info.description.clone().unwrap_or_default(),
            json: String::new(),
        };
        let volume = Volume {
            kind: Some("books#volume".into()),
            id: Some(doc.id.clone()),
            etag: Some(record.etag.clone()),
            volume_info: Some(record.volume_info),
            sale_info: record.sale_info,
            access_info: record.access_info,
            ..Volume::default()
        };
        Ok(Doc {
            json: serde_json::to_string(&volume)?,
            ..doc
        })
    }
}

/// Normalises an `isbn:` value to its ISBN-13 form (`None`: not a valid ISBN).
pub fn isbn13(value: &str) -> Option<String> {
    Isbn::parse(value).ok().map(|i| i.isbn13().to_owned())
}

/// Calls `each` for every volume of the catalog file, in file order.
pub fn read(path: &Path, mut each: impl FnMut(Doc) -> Result<()>) -> Result<u64> {
    read_records(path, |record| each(Doc::of(record)?))
}

/// Calls `each` for every record of the catalog file as `colophon import` converts it.
pub fn read_records(path: &Path, mut each: impl FnMut(VolumeRecord) -> Result<()>) -> Result<u64> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let raw: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut n = 0;
    for (i, line) in BufReader::with_capacity(1 << 20, raw).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(&line).with_context(|| format!("line {}", i + 1))?;
        let record = colophon_import::googlebooks::from_value(value, &format!("line {}", i + 1))
            .map_err(|r| anyhow::anyhow!("{}: {}", r.position, r.reason))?;
        each(record)?;
        n += 1;
    }
    Ok(n)
}
