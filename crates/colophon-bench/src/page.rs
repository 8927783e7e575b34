//! The one serialiser of the front: a Google-shaped `books#volumes` page or `books#volume`
//! from the stored `Volume` JSON, built per request with Colophon's own wire types.

use anyhow::Result;
use colophon_types::{Volume, Volumes};

/// A page of hits as an engine returns it.
#[derive(Debug, Default)]
pub struct Hits {
    /// Number of matching volumes.
    pub total: u64,
    /// The stored `Volume` JSON of the page's volumes, best first.
    pub docs: Vec<String>,
}

fn volume(json: &str, base: &str) -> Result<Volume> {
    let mut v: Volume = serde_json::from_str(json)?;
    v.self_link =
        v.id.as_ref()
            .map(|id| format!("{base}/books/v1/volumes/{id}"));
    Ok(v)
}

/// `books#volumes` JSON of `hits`.
pub fn volumes(hits: &Hits, base: &str) -> Result<Vec<u8>> {
    let page = Volumes {
        kind: "books#volumes".into(),
        total_items: hits.total,
        items: hits
            .docs
            .iter()
            .map(|d| volume(d, base))
            .collect::<Result<_>>()?,
    };
    Ok(serde_json::to_vec(&page)?)
}

/// `books#volume` JSON of one stored volume.
pub fn one(json: &str, base: &str) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec(&volume(json, base)?)?)
}
