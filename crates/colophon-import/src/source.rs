//! [`SourceRecord`]: one record as a source describes it, before it joins the catalog, and the
//! small builders every reader shares (identifiers, rights, dates).

use colophon_domain::{Isbn, VolumeId};
use colophon_types::{AccessInfo, FormatAccess, IndustryIdentifier, SaleInfo, VolumeInfo};

/// One bibliographic record (and, for digitized books, its text) as read from a source.
///
/// Readers produce these; the import pipeline gives each its volume id (the one the source
/// assigns, or the volume it merges into by ISBN, or one derived from `source_key`), merges
/// the contributions of several sources, stores it and indexes it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceRecord {
    /// The record's identity in its source, `format:local-id` (`marc:ocm00400866`,
    /// `onix:9780140449136`, `openlibrary:/books/OL1M`). The same record read again yields the
    /// same key, so a re-import updates in place; distinct records of one source never share one.
    pub source_key: String,
    /// The volume id the source itself carries (`googlebooks` and `jsonl` only).
    pub volume_id: Option<VolumeId>,
    /// Bibliographic data, in the Books API shape. Links that point at the server itself
    /// (`previewLink`, `infoLink`, `canonicalVolumeLink`) are left empty: they are rendered.
    pub volume_info: VolumeInfo,
    /// Prices and availability, if the source has them (ONIX).
    pub sale_info: Option<SaleInfo>,
    /// Rights (see [`public_domain_access`]), if the source says.
    pub access_info: Option<AccessInfo>,
    /// The full text of a digitized book, plain UTF-8 (paragraphs separated by blank lines).
    pub full_text: Option<String>,
    /// The source's own version tag, when it has one (Books API data).
    pub etag: Option<String>,
    /// Annotation layers (Books API data).
    pub layer_info: Option<colophon_types::LayerInfo>,
    /// The cover image's bytes, as the source holds it (an EPUB's cover image), unchecked:
    /// the pipeline validates it before storing it.
    pub cover: Option<Vec<u8>>,
}

impl From<colophon_domain::VolumeRecord> for SourceRecord {
    /// A stored-shape record (Books API data, the demo catalog) as a source record that keeps
    /// its id and etag.
    fn from(r: colophon_domain::VolumeRecord) -> Self {
        SourceRecord {
            source_key: r.source_key,
            volume_id: Some(r.id),
            volume_info: r.volume_info,
            sale_info: r.sale_info,
            access_info: r.access_info,
            full_text: None,
            etag: Some(r.etag),
            layer_info: r.layer_info,
            cover: None,
        }
    }
}

impl SourceRecord {
    /// An empty record with the given source key.
    pub fn new(source_key: impl Into<String>) -> Self {
        SourceRecord {
            source_key: source_key.into(),
            ..SourceRecord::default()
        }
    }

    /// Adds an industry identifier unless an equal one is there. `kind` is `ISBN_10`,
    /// `ISBN_13`, `ISSN` or `OTHER`; OTHER values carry their scheme, `LCCN:...`, `OCLC:...`.
    pub fn add_identifier(&mut self, kind: &str, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let ids = self
            .volume_info
            .industry_identifiers
            .get_or_insert_with(Vec::new);
        if !ids.iter().any(|i| i.kind == kind && i.identifier == value) {
            ids.push(IndustryIdentifier {
                kind: kind.to_owned(),
                identifier: value.to_owned(),
            });
        }
    }

    /// Adds an ISBN in any printed form (hyphens, spaces, `ISBN` prefix, trailing qualifiers
    /// like `(pbk.)`), as both ISBN_13 and — when it has one — ISBN_10, the way Google lists
    /// them. Returns false (adding nothing) when the text holds no valid ISBN.
    pub fn add_isbn(&mut self, raw: &str) -> bool {
        let Some(isbn) = parse_isbn(raw) else {
            return false;
        };
        self.add_identifier("ISBN_13", isbn.isbn13());
        if let Some(ten) = isbn.isbn10() {
            self.add_identifier("ISBN_10", &ten);
        }
        true
    }

    /// Adds an author unless already present.
    pub fn add_author(&mut self, name: &str) {
        let name = name.trim();
        if name.is_empty() {
            return;
        }
        let authors = self.volume_info.authors.get_or_insert_with(Vec::new);
        if !authors.iter().any(|a| a == name) {
            authors.push(name.to_owned());
        }
    }

    /// Adds a category (subject) unless already present.
    pub fn add_category(&mut self, subject: &str) {
        let subject = subject.trim();
        if subject.is_empty() {
            return;
        }
        let cats = self.volume_info.categories.get_or_insert_with(Vec::new);
        if !cats.iter().any(|c| c == subject) {
            cats.push(subject.to_owned());
        }
    }
}

/// Finds a valid ISBN in printed text: `ISBN 0-19-852663-6 (pbk.)` -> 9780198526636.
pub fn parse_isbn(raw: &str) -> Option<Isbn> {
    // Take the first run of digits/X/hyphens/spaces that parses as an ISBN.
    let compact: String = raw
        .trim()
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, 'x' | 'X' | '-' | ' '))
        .filter(|c| !matches!(c, '-' | ' '))
        .collect();
    Isbn::parse(&compact).ok()
}

/// Rights of a public-domain work: full view, free, EPUB and PDF downloadable.
pub fn public_domain_access() -> AccessInfo {
    let available = Some(FormatAccess {
        is_available: Some(true),
        ..FormatAccess::default()
    });
    AccessInfo {
        viewability: Some("ALL_PAGES".into()),
        embeddable: Some(true),
        public_domain: Some(true),
        text_to_speech_permission: Some("ALLOWED".into()),
        epub: available.clone(),
        pdf: available,
        access_view_status: Some("FULL_PUBLIC_DOMAIN".into()),
        quote_sharing_allowed: Some(false),
        ..AccessInfo::default()
    }
}

/// Sale information of a public-domain e-book: free.
pub fn free_ebook_sale() -> SaleInfo {
    SaleInfo {
        saleability: Some("FREE".into()),
        is_ebook: Some(true),
        ..SaleInfo::default()
    }
}

/// Rights of a work Colophon holds no content for: metadata only.
pub fn no_pages_access() -> AccessInfo {
    let unavailable = Some(FormatAccess {
        is_available: Some(false),
        ..FormatAccess::default()
    });
    AccessInfo {
        viewability: Some("NO_PAGES".into()),
        embeddable: Some(false),
        public_domain: Some(false),
        text_to_speech_permission: Some("ALLOWED".into()),
        epub: unavailable.clone(),
        pdf: unavailable,
        access_view_status: Some("NONE".into()),
        quote_sharing_allowed: Some(false),
        ..AccessInfo::default()
    }
}

/// Normalises a date as Google prints `publishedDate`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
/// Accepts those, `YYYYMMDD`, `YYYYMM`, and a year anywhere in free text (`c1998.`,
/// `[1851?]`, `March 3, 1924`). Returns None when no plausible year (1000..=2999) is there.
pub fn normalize_date(raw: &str) -> Option<String> {
    let t = raw.trim();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let all_digits = !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    let plausible = |y: &str| y.parse::<u32>().is_ok_and(|y| (1000..=2999).contains(&y));
    if all_digits && matches!(digits.len(), 6 | 8) && plausible(&digits[..4]) {
        let (y, m) = (&digits[..4], &digits[4..6]);
        if !valid_month(m) {
            return Some(y.to_owned());
        }
        if digits.len() == 8 && valid_day(&digits[6..8]) {
            return Some(format!("{y}-{m}-{}", &digits[6..8]));
        }
        return Some(format!("{y}-{m}"));
    }
    // ISO forms.
    let parts: Vec<&str> = t.split('-').collect();
    if parts.len() <= 3
        && parts[0].len() == 4
        && plausible(parts[0])
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        return match parts.as_slice() {
            [y] => Some((*y).to_owned()),
            [y, m] if m.len() == 2 && valid_month(m) => Some(format!("{y}-{m}")),
            [y, m, d] if m.len() == 2 && d.len() == 2 && valid_month(m) && valid_day(d) => {
                Some(format!("{y}-{m}-{d}"))
            }
            [y, ..] => Some((*y).to_owned()),
            [] => None,
        };
    }
    // A four-digit year anywhere (byte windows are safe: a window of ASCII digits is always
    // on character boundaries).
    let bytes = t.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|i| {
        let w = bytes.get(i..i + 4)?;
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && (i + 4 == bytes.len() || !bytes[i + 4].is_ascii_digit());
        if !bounded || !w.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let w = std::str::from_utf8(w).ok()?;
        plausible(w).then(|| w.to_owned())
    })
}

fn valid_month(m: &str) -> bool {
    m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
}

fn valid_day(d: &str) -> bool {
    d.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbns_in_printed_forms() {
        assert_eq!(
            parse_isbn("ISBN 0-19-852663-6 (pbk.)").unwrap().isbn13(),
            "9780198526636"
        );
        assert_eq!(
            parse_isbn("9780198526636").unwrap().isbn13(),
            "9780198526636"
        );
        assert!(parse_isbn("0-19-852663-7").is_none());
        assert!(parse_isbn("n/a").is_none());
        let mut r = SourceRecord::new("t:1");
        assert!(r.add_isbn("0198526636"));
        assert!(r.add_isbn("978-0-19-852663-6"));
        let ids = r.volume_info.industry_identifiers.unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(ids[0].kind, "ISBN_13");
        assert_eq!(ids[1].identifier, "0198526636");
    }

    #[test]
    fn dates() {
        assert_eq!(normalize_date("1998").as_deref(), Some("1998"));
        assert_eq!(normalize_date("2001-07").as_deref(), Some("2001-07"));
        assert_eq!(normalize_date("2001-07-09").as_deref(), Some("2001-07-09"));
        assert_eq!(normalize_date("20010709").as_deref(), Some("2001-07-09"));
        assert_eq!(normalize_date("200113").as_deref(), Some("2001"));
        assert_eq!(normalize_date("c1998.").as_deref(), Some("1998"));
        assert_eq!(normalize_date("[1851?]").as_deref(), Some("1851"));
        assert_eq!(normalize_date("March 3, 1924").as_deref(), Some("1924"));
        assert_eq!(normalize_date("n.d."), None);
        assert_eq!(normalize_date("12345"), None);
        // Multibyte text around (or instead of) the year never panics.
        assert_eq!(
            normalize_date("Shōwa 46-47 [1971-1972]").as_deref(),
            Some("1971")
        );
        assert_eq!(normalize_date("é1998").as_deref(), Some("1998"));
        assert_eq!(normalize_date("ééééé"), None);
    }
}
