//! What a volume's rights allow, and the `accessInfo` and cover links that follow from them.
//!
//! The rights are what the stored `accessInfo` says (importers set it: public domain for
//! digitized public-domain books, a preview for in-copyright books whose source grants one,
//! nothing otherwise). From them, one function ([`access_info`]) gives the `accessInfo` every
//! response shows, and the search index tags volumes with the same function, so
//! `filter=full|partial` and `download=epub` always agree with what a volume says.
//!
//! Volumes imported from Books API data (`googlebooks:` source keys) are replayed as recorded:
//! their `accessInfo` and `imageLinks` are the source's (see the fidelity tests).

use colophon_types::{AccessInfo, FormatAccess, ImageLinks};

use crate::VolumeRecord;

/// Share of a book's pages a preview (`PARTIAL`) shows, in percent. Rights holders' per-title
/// allowances are not in any import format Colophon reads, so one figure applies to all.
pub const PREVIEW_PERCENT: usize = 20;

/// What the rights allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rights {
    /// Public domain: every page, and downloads.
    PublicDomain,
    /// Every page may be read (`ALL_PAGES` without public domain), no downloads.
    FullView,
    /// A preview: the first [`PREVIEW_PERCENT`] of the pages.
    Preview,
    /// Metadata only.
    NoPages,
}

impl Rights {
    /// The rights of a volume, from its stored `accessInfo`.
    pub fn of(record: &VolumeRecord) -> Rights {
        let Some(a) = record.access_info.as_ref() else {
            return Rights::NoPages;
        };
        if a.public_domain == Some(true)
            || a.access_view_status.as_deref() == Some("FULL_PUBLIC_DOMAIN")
        {
            return Rights::PublicDomain;
        }
        match a.viewability.as_deref() {
            Some("ALL_PAGES") => Rights::FullView,
            Some("PARTIAL") => Rights::Preview,
            _ => Rights::NoPages,
        }
    }

    /// How many of `total` pages may be read (a preview shows at least one page).
    pub fn readable_pages(self, total: usize) -> usize {
        match self {
            Rights::PublicDomain | Rights::FullView => total,
            Rights::Preview => (total * PREVIEW_PERCENT)
                .div_ceil(100)
                .clamp(1, total.max(1)),
            Rights::NoPages => 0,
        }
        .min(total)
    }

    /// Whether the book may be downloaded.
    pub fn may_download(self) -> bool {
        self == Rights::PublicDomain
    }
}

/// Whether the volume is replayed exactly as its source recorded it (Books API data).
pub fn is_replayed(record: &VolumeRecord) -> bool {
    record.source_key.starts_with("googlebooks:")
}

/// The `accessInfo` of a volume, without `country` and `webReaderLink` (set per request).
/// `base` is the public base URL for `downloadLink` (`None`: no links, as the index needs).
///
/// Only public-domain books get a `downloadLink`: the EPUB and the PDF Colophon makes from the
/// stored text, each when the stored `accessInfo` says the format is available (the import
/// sets `pdf.isAvailable: false` for a text the standard PDF fonts cannot set, see
/// [`crate::winansi`]). No `acsTokenLink`: there is no Adobe Content Server behind Colophon.
/// For other books `isAvailable` repeats what the source said of the edition.
pub fn access_info(record: &VolumeRecord, base: Option<&str>) -> Option<AccessInfo> {
    if is_replayed(record) {
        return record.access_info.clone();
    }
    let stored = record.access_info.as_ref()?;
    let unavailable = || {
        Some(FormatAccess {
            is_available: Some(false),
            ..FormatAccess::default()
        })
    };
    let rights = Rights::of(record);
    let epub_stored = stored.epub.as_ref().and_then(|e| e.is_available) == Some(true);
    let pdf_stored = stored.pdf.as_ref().and_then(|e| e.is_available) == Some(true);
    // Outside the public domain a format's availability is the source's word (an edition
    // sold as EPUB; `download=epub` means "purchase may still be needed"), never a link.
    let as_stored = |f: Option<&FormatAccess>| {
        Some(FormatAccess {
            is_available: Some(f.and_then(|f| f.is_available) == Some(true)),
            ..FormatAccess::default()
        })
    };
    let (viewability, status, epub, pdf) = match rights {
        Rights::PublicDomain => {
            let format = |available: bool, ext: &str| {
                if available {
                    Some(FormatAccess {
                        is_available: Some(true),
                        download_link: base.map(|b| download_link(b, record, ext)),
                        acs_token_link: None,
                    })
                } else {
                    unavailable()
                }
            };
            (
                "ALL_PAGES",
                "FULL_PUBLIC_DOMAIN",
                format(epub_stored, "epub"),
                format(pdf_stored, "pdf"),
            )
        }
        Rights::FullView => (
            "ALL_PAGES",
            stored
                .access_view_status
                .as_deref()
                .unwrap_or("FULL_PURCHASED"),
            as_stored(stored.epub.as_ref()),
            as_stored(stored.pdf.as_ref()),
        ),
        Rights::Preview => (
            "PARTIAL",
            "SAMPLE",
            as_stored(stored.epub.as_ref()),
            as_stored(stored.pdf.as_ref()),
        ),
        Rights::NoPages => (
            "NO_PAGES",
            "NONE",
            as_stored(stored.epub.as_ref()),
            as_stored(stored.pdf.as_ref()),
        ),
    };
    Some(AccessInfo {
        country: None,
        viewability: Some(viewability.to_owned()),
        embeddable: Some(rights != Rights::NoPages),
        public_domain: Some(rights == Rights::PublicDomain),
        text_to_speech_permission: Some(
            stored
                .text_to_speech_permission
                .clone()
                .unwrap_or_else(|| "ALLOWED".to_owned()),
        ),
        epub,
        pdf,
        web_reader_link: None,
        access_view_status: Some(status.to_owned()),
        quote_sharing_allowed: Some(stored.quote_sharing_allowed.unwrap_or(false)),
        ..AccessInfo::default()
    })
}

/// Marks the PDF unavailable in an imported record's `accessInfo` when its full text has
/// characters the standard PDF fonts cannot set (Colophon embeds no fonts; see
/// [`crate::winansi`]). Called once per imported record that carries a text.
pub fn mark_pdf(access: &mut AccessInfo, text: &str) {
    if let Some(pdf) = access.pdf.as_mut() {
        if pdf.is_available == Some(true) && !crate::winansi::encodable(text) {
            pdf.is_available = Some(false);
        }
    }
}

/// `{base}/books/download/<Title>.epub?id=ID&hl=&output=epub&source=gbs_api`, the shape of
/// Google's download links.
pub fn download_link(base: &str, record: &VolumeRecord, format: &str) -> String {
    format!(
        "{base}/books/download/{}.{format}?id={}&hl=&output={format}&source=gbs_api",
        crate::render::title_slug(record.volume_info.title.as_deref().unwrap_or("book")),
        record.id.as_str()
    )
}

/// Google's zoom levels of `imageLinks`: (field, zoom).
pub const ZOOMS: [(&str, u8); 6] = [
    ("smallThumbnail", 5),
    ("thumbnail", 1),
    ("small", 2),
    ("medium", 3),
    ("large", 4),
    ("extraLarge", 6),
];

/// The cover URL of a volume at a zoom level, shaped like Google's.
pub fn cover_link(base: &str, id: &str, zoom: u8) -> String {
    format!("{base}/books/content?id={id}&printsec=frontcover&img=1&zoom={zoom}&edge=curl&source=gbs_api")
}

/// The `imageLinks` of a volume: Colophon's own `/books/content` URLs (which serve the stored
/// cover, or a generated one when there is none), two sizes in search results and all six in
/// `volumes.get`, as Google does; replayed volumes keep their recorded links.
pub fn image_links(record: &VolumeRecord, base: &str, in_search: bool) -> Option<ImageLinks> {
    if is_replayed(record) {
        return record.volume_info.image_links.clone();
    }
    let id = record.id.as_str();
    let link = |zoom: u8| Some(cover_link(base, id, zoom));
    let mut links = ImageLinks {
        small_thumbnail: link(5),
        thumbnail: link(1),
        ..ImageLinks::default()
    };
    if !in_search {
        links.small = link(2);
        links.medium = link(3);
        links.large = link(4);
        links.extra_large = link(6);
    }
    Some(links)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::VolumeId;
    use colophon_types::VolumeInfo;

    fn record(access: Option<AccessInfo>, source: &str) -> VolumeRecord {
        VolumeRecord {
            id: VolumeId::parse("abcdefghijkl").unwrap(),
            etag: "x".into(),
            source_key: source.into(),
            volume_info: VolumeInfo {
                title: Some("Pride and Prejudice".into()),
                ..VolumeInfo::default()
            },
            sale_info: None,
            access_info: access,
            layer_info: None,
            updated: chrono::DateTime::UNIX_EPOCH,
        }
    }

    fn pd() -> AccessInfo {
        AccessInfo {
            viewability: Some("ALL_PAGES".into()),
            public_domain: Some(true),
            epub: Some(FormatAccess {
                is_available: Some(true),
                ..FormatAccess::default()
            }),
            pdf: Some(FormatAccess {
                is_available: Some(true),
                ..FormatAccess::default()
            }),
            access_view_status: Some("FULL_PUBLIC_DOMAIN".into()),
            ..AccessInfo::default()
        }
    }

    #[test]
    fn public_domain_gets_epub_and_pdf_downloads() {
        let r = record(Some(pd()), "epub:x");
        assert_eq!(Rights::of(&r), Rights::PublicDomain);
        let a = access_info(&r, Some("http://h")).unwrap();
        assert_eq!(a.viewability.as_deref(), Some("ALL_PAGES"));
        assert_eq!(a.access_view_status.as_deref(), Some("FULL_PUBLIC_DOMAIN"));
        let epub = a.epub.unwrap();
        assert_eq!(epub.is_available, Some(true));
        assert_eq!(
            epub.download_link.as_deref(),
            Some("http://h/books/download/Pride_and_Prejudice.epub?id=abcdefghijkl&hl=&output=epub&source=gbs_api")
        );
        let pdf = a.pdf.unwrap();
        assert_eq!(pdf.is_available, Some(true));
        assert_eq!(
            pdf.download_link.as_deref(),
            Some("http://h/books/download/Pride_and_Prejudice.pdf?id=abcdefghijkl&hl=&output=pdf&source=gbs_api")
        );
        assert_eq!(pdf.acs_token_link, None);
        // A text the standard fonts cannot set was imported with pdf unavailable.
        let mut no_pdf = pd();
        no_pdf.pdf = Some(FormatAccess {
            is_available: Some(false),
            ..FormatAccess::default()
        });
        let a = access_info(&record(Some(no_pdf), "epub:x"), Some("http://h")).unwrap();
        assert_eq!(
            a.pdf.unwrap(),
            FormatAccess {
                is_available: Some(false),
                ..FormatAccess::default()
            }
        );
        assert_eq!(a.epub.unwrap().is_available, Some(true));
    }

    #[test]
    fn preview_and_none() {
        let partial = AccessInfo {
            viewability: Some("PARTIAL".into()),
            epub: Some(FormatAccess {
                is_available: Some(true),
                ..FormatAccess::default()
            }),
            ..AccessInfo::default()
        };
        let r = record(Some(partial), "onix:1");
        assert_eq!(Rights::of(&r), Rights::Preview);
        let a = access_info(&r, Some("http://h")).unwrap();
        assert_eq!(a.access_view_status.as_deref(), Some("SAMPLE"));
        let epub = a.epub.unwrap();
        assert_eq!(epub.is_available, Some(true), "the source's word");
        assert_eq!(epub.download_link, None);
        assert_eq!(Rights::Preview.readable_pages(100), 20);
        assert_eq!(Rights::Preview.readable_pages(3), 1);
        assert_eq!(Rights::Preview.readable_pages(0), 0);
        assert_eq!(Rights::NoPages.readable_pages(10), 0);
        let none = record(None, "marc:1");
        assert_eq!(Rights::of(&none), Rights::NoPages);
        assert_eq!(access_info(&none, None), None);
    }

    #[test]
    fn replayed_books_api_data_is_kept() {
        let mut stored = pd();
        stored.pdf.as_mut().unwrap().download_link = Some("http://books.google.com/x".into());
        let r = record(Some(stored.clone()), "googlebooks:abc");
        assert_eq!(access_info(&r, Some("http://h")), Some(stored));
        assert_eq!(image_links(&r, "http://h", false), None);
        let own = record(None, "epub:x");
        let links = image_links(&own, "http://h", true).unwrap();
        assert_eq!(
            links.thumbnail.as_deref(),
            Some("http://h/books/content?id=abcdefghijkl&printsec=frontcover&img=1&zoom=1&edge=curl&source=gbs_api")
        );
        assert_eq!(links.small, None);
        assert!(image_links(&own, "http://h", false)
            .unwrap()
            .extra_large
            .is_some());
    }
}
