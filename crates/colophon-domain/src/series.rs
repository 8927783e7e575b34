//! Series and collections: stable series ids, the stored `seriesInfo`, and the top-level
//! subjects (`onboarding` categories).
//!
//! A volume's series memberships are kept in its `volumeInfo.seriesInfo` in Google's shape
//! (`volumeSeries[]` with `seriesId` and `orderNumber`, `bookDisplayNumber`), plus two private
//! keys on each `volumeSeries` entry that carry what Google's volume JSON lacks: the series'
//! title and kind (`colophonTitle`, `colophonType`). [`public_series_info`] drops them when a
//! volume is rendered; `series.get` reads them ([`memberships`]).
//!
//! Series ids are derived from the folded series title ([`series_id`]), so the same series
//! named by an EPUB, an ONIX feed and Open Library is one series. Category ids are derived the
//! same way from a top-level subject ([`category_id`]).

use base64::Engine as _;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::VolumeRecord;

/// Private key: the series' title, on a stored `volumeSeries` entry.
const TITLE_KEY: &str = "colophonTitle";
/// Private key: the series' kind, on a stored `volumeSeries` entry.
const TYPE_KEY: &str = "colophonType";

/// What kind of grouping a series is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesKind {
    /// A series in reading order (EPUB `collection-type` `series`, ONIX series, Open Library).
    Series,
    /// A set or list of otherwise unrelated books (EPUB `collection-type` `set`).
    Collection,
}

impl SeriesKind {
    /// The `seriesType` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Series => "SERIES",
            Self::Collection => "COLLECTION",
        }
    }

    fn parse(s: &str) -> Self {
        if s == "COLLECTION" {
            Self::Collection
        } else {
            Self::Series
        }
    }
}

/// One series a source says a book belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesEntry {
    /// The series' title as the source writes it.
    pub title: String,
    /// Series or collection.
    pub kind: SeriesKind,
    /// The book's number in the series as written (`3`, `2.5`, `IV`), if any.
    pub position: Option<String>,
}

/// One membership of a stored volume, read back from its `seriesInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The series id.
    pub series_id: String,
    /// The series' title, when Colophon's importers recorded it (Books API data has none).
    pub title: Option<String>,
    /// Series or collection.
    pub kind: SeriesKind,
    /// The book's order number, if known.
    pub order_number: Option<i32>,
}

/// Folds a name for ids: lower case, letters and digits only, words joined by one space.
fn fold(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

fn derive(namespace: &str, name: &str) -> String {
    let mut h = Sha256::new();
    h.update(namespace.as_bytes());
    h.update([0]);
    h.update(fold(name).as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&h.finalize()[..9])
}

/// The stable id of the series titled `title`: 12 characters of `[A-Za-z0-9_-]`, the same for
/// any spelling that folds alike (`Doctor Who`, `DOCTOR WHO`).
pub fn series_id(title: &str) -> String {
    derive("series", title)
}

/// Whether `s` has the shape of a series id (Colophon's or Google's): 1–64 characters of
/// `[A-Za-z0-9_-]`.
pub fn is_series_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The order number of a position as written: its leading integer (`3`, `3.5` → 3,
/// `#12` → 12), else a Roman numeral (`IV` → 4).
pub fn order_number(position: &str) -> Option<i32> {
    let p = position.trim().trim_start_matches(['#', '№']).trim();
    let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
    if !digits.is_empty() {
        return digits.parse().ok();
    }
    roman(p)
}

fn roman(s: &str) -> Option<i32> {
    if s.is_empty() || s.len() > 12 {
        return None;
    }
    let value = |c: char| match c.to_ascii_uppercase() {
        'I' => Some(1),
        'V' => Some(5),
        'X' => Some(10),
        'L' => Some(50),
        'C' => Some(100),
        _ => None,
    };
    let vals: Option<Vec<i32>> = s.chars().map(value).collect();
    let vals = vals?;
    let mut total = 0;
    for (i, v) in vals.iter().enumerate() {
        if vals.get(i + 1).is_some_and(|next| next > v) {
            total -= v;
        } else {
            total += v;
        }
    }
    (total > 0).then_some(total)
}

/// The stored `seriesInfo` of a book in `entries` (first entry first), or `None` when there
/// are none. Entries repeating a series (same id) are dropped.
pub fn series_info(entries: &[SeriesEntry]) -> Option<Value> {
    let mut seen = Vec::new();
    let mut list = Vec::new();
    let mut display = None;
    for e in entries {
        let title = e.title.split_whitespace().collect::<Vec<_>>().join(" ");
        if fold(&title).is_empty() {
            continue;
        }
        let id = series_id(&title);
        if seen.contains(&id) {
            continue;
        }
        seen.push(id.clone());
        let mut m = Map::new();
        m.insert("seriesId".into(), Value::String(id));
        let position = e
            .position
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        if let Some(n) = position.and_then(order_number) {
            m.insert("orderNumber".into(), json!(n));
        }
        if display.is_none() {
            display = position.map(str::to_owned);
        }
        m.insert(TITLE_KEY.into(), Value::String(title));
        m.insert(TYPE_KEY.into(), Value::String(e.kind.as_str().into()));
        list.push(Value::Object(m));
    }
    if list.is_empty() {
        return None;
    }
    let mut out = Map::new();
    out.insert("kind".into(), json!("books#volume_series_info"));
    if let Some(d) = display {
        out.insert("bookDisplayNumber".into(), Value::String(d));
    }
    out.insert("volumeSeries".into(), Value::Array(list));
    Some(Value::Object(out))
}

/// `seriesInfo` as clients see it: the stored value without Colophon's private keys.
pub fn public_series_info(stored: &Value) -> Value {
    let mut v = stored.clone();
    if let Some(list) = v.get_mut("volumeSeries").and_then(Value::as_array_mut) {
        for entry in list.iter_mut().filter_map(Value::as_object_mut) {
            entry.remove(TITLE_KEY);
            entry.remove(TYPE_KEY);
        }
    }
    v
}

/// The series `record` belongs to, in the order its `seriesInfo` lists them.
pub fn memberships(record: &VolumeRecord) -> Vec<Membership> {
    record
        .volume_info
        .series_info
        .as_ref()
        .and_then(|s| s.get("volumeSeries"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let id = e.get("seriesId")?.as_str()?;
            Some(Membership {
                series_id: id.to_owned(),
                title: e.get(TITLE_KEY).and_then(Value::as_str).map(str::to_owned),
                kind: SeriesKind::parse(e.get(TYPE_KEY).and_then(Value::as_str).unwrap_or("")),
                order_number: e
                    .get("orderNumber")
                    .and_then(Value::as_i64)
                    .and_then(|n| i32::try_from(n).ok()),
            })
        })
        .collect()
}

/// The top-level subject of a category (`Fiction / Science Fiction / General` → `Fiction`,
/// `Detective and mystery stories -- Fiction` or `Pirates--Fiction` → the part before the
/// dashes), trimmed;
/// `None` when nothing is left.
pub fn top_level_subject(category: &str) -> Option<String> {
    let top = category
        .split(" / ")
        .next()
        .unwrap_or("")
        .split("--")
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches(['.', ',', ';'])
        .trim();
    (!fold(top).is_empty()).then(|| top.to_owned())
}

/// The stable id of a top-level subject (an onboarding `categoryId`).
pub fn category_id(subject: &str) -> String {
    derive("category", subject)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_fold_spelling() {
        let a = series_id("Doctor Who");
        assert_eq!(a, series_id("  DOCTOR   who "));
        assert_ne!(a, series_id("Doctor Who Adventures"));
        assert_eq!(a.len(), 12);
        assert!(is_series_id(&a));
        assert!(!is_series_id("a b"));
        assert_ne!(category_id("Fiction"), series_id("Fiction"));
    }

    #[test]
    fn order_numbers() {
        assert_eq!(order_number("3"), Some(3));
        assert_eq!(order_number("3.5"), Some(3));
        assert_eq!(order_number("#12"), Some(12));
        assert_eq!(order_number("IV"), Some(4));
        assert_eq!(order_number("xii"), Some(12));
        assert_eq!(order_number("first"), None);
    }

    #[test]
    fn stored_info_round_trips_and_renders_without_private_keys() {
        let info = series_info(&[
            SeriesEntry {
                title: "Oz".into(),
                kind: SeriesKind::Series,
                position: Some("1".into()),
            },
            SeriesEntry {
                title: "Harvard Classics".into(),
                kind: SeriesKind::Collection,
                position: None,
            },
            SeriesEntry {
                title: "OZ".into(),
                kind: SeriesKind::Series,
                position: Some("9".into()),
            },
        ])
        .unwrap();
        assert_eq!(info["bookDisplayNumber"], "1");
        let record = VolumeRecord {
            id: crate::VolumeId::derive("t:1"),
            etag: String::new(),
            source_key: "t:1".into(),
            volume_info: colophon_types::VolumeInfo {
                series_info: Some(info.clone()),
                ..Default::default()
            },
            sale_info: None,
            access_info: None,
            layer_info: None,
            updated: chrono::DateTime::from_timestamp(0, 0).unwrap(),
        };
        let m = memberships(&record);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].series_id, series_id("Oz"));
        assert_eq!(m[0].title.as_deref(), Some("Oz"));
        assert_eq!(m[0].order_number, Some(1));
        assert_eq!(m[1].kind, SeriesKind::Collection);
        assert_eq!(m[1].order_number, None);
        let public = public_series_info(&info);
        assert!(!public.to_string().contains("colophon"));
        assert_eq!(public["volumeSeries"][0]["orderNumber"], 1);
        assert!(series_info(&[]).is_none());
    }

    #[test]
    fn top_level_subjects() {
        assert_eq!(
            top_level_subject("Fiction / Science Fiction / General").as_deref(),
            Some("Fiction")
        );
        assert_eq!(
            top_level_subject("Detective and mystery stories -- Fiction.").as_deref(),
            Some("Detective and mystery stories")
        );
        assert_eq!(
            top_level_subject("Pirates--Fiction").as_deref(),
            Some("Pirates")
        );
        assert_eq!(top_level_subject(" -- x"), None);
    }
}
