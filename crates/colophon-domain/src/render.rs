//! Turning a stored record into the wire `Volume` for one request.
//!
//! Links to the server's own pages are built here from the public base URL, with the query
//! (`dq`) and rank (`cd`) in search results as Google does; `country` is the request's;
//! `projection=lite` keeps exactly the fields the discovery document marks "(In LITE
//! projection)".

use colophon_types::{AccessInfo, SaleInfo, SearchInfo, Volume, VolumeInfo};

use crate::{Filter, PrintType, Projection, VolumeRecord};

/// Per-request rendering options.
#[derive(Debug, Clone)]
pub struct RenderOptions<'a> {
    /// Public base URL of the server, without a trailing slash (`http://127.0.0.1:8080`).
    pub base_url: &'a str,
    /// Two-letter country of the caller (`US`).
    pub country: &'a str,
    /// Projection.
    pub projection: Projection,
    /// For search results: the query and link parameters.
    pub search: Option<SearchContext<'a>>,
}

/// What a search result's links carry.
#[derive(Debug, Clone)]
pub struct SearchContext<'a> {
    /// The `q` string (`dq=`).
    pub query: &'a str,
    /// 1-based absolute rank of this result (`cd=`).
    pub rank: u64,
    /// `printType` of the search (adds `as_pt=` when not `all`).
    pub print_type: PrintType,
    /// `filter` of the search (adds `as_brr=` / `as_vt=`).
    pub filter: Option<Filter>,
}

/// Normalises a `country` parameter: upper case, `UK` answered as `GB`.
pub fn normalize_country(country: &str) -> String {
    let upper = country.trim().to_ascii_uppercase();
    if upper == "UK" {
        "GB".to_owned()
    } else {
        upper
    }
}

/// Renders `record` for one request; `snippet` becomes `searchInfo.textSnippet`.
pub fn render_volume(
    record: &VolumeRecord,
    opts: &RenderOptions<'_>,
    snippet: Option<String>,
) -> Volume {
    let id = record.id.as_str();
    let base = opts.base_url;
    let mut info = record.volume_info.clone();
    info.series_info = info
        .series_info
        .as_ref()
        .map(crate::series::public_series_info);
    let extra = opts
        .search
        .as_ref()
        .map(search_link_params)
        .unwrap_or_default();
    let dq = opts
        .search
        .as_ref()
        .map(|s| format!("&dq={}", url_encode(s.query)))
        .unwrap_or_default();
    let cd = opts
        .search
        .as_ref()
        .map(|s| format!("&cd={}", s.rank))
        .unwrap_or_default();
    info.preview_link = Some(preview_link(base, id, &dq, &cd, &extra));
    info.info_link = Some(format!(
        "{base}/books?id={id}{dq}&hl=&source=gbs_api{extra}"
    ));
    info.canonical_volume_link = Some(format!(
        "{base}/books/about/{}.html?hl=&id={id}",
        about_slug(info.title.as_deref().unwrap_or(""))
    ));

    let sale_info = record.sale_info.clone().map(|mut s| {
        s.country = Some(opts.country.to_owned());
        s
    });
    info.image_links = crate::access::image_links(record, base, opts.search.is_some());
    let access_info = crate::access::access_info(record, Some(base)).map(|mut a| {
        a.country = Some(opts.country.to_owned());
        a.web_reader_link = Some(format!(
            "{base}/books/reader?id={id}&hl=&printsec=frontcover&output=reader&source=gbs_api"
        ));
        a
    });

    let mut volume = Volume {
        kind: Some("books#volume".to_owned()),
        id: Some(id.to_owned()),
        etag: Some(record.etag.clone()),
        self_link: Some(format!("{base}/books/v1/volumes/{id}")),
        volume_info: Some(info),
        user_info: None,
        layer_info: record.layer_info.clone(),
        sale_info,
        access_info,
        search_info: snippet.map(|s| SearchInfo {
            text_snippet: Some(s),
        }),
        recommended_info: None,
    };
    if opts.projection == Projection::Lite {
        volume = lite(volume);
    }
    volume
}

fn preview_link(base: &str, id: &str, dq: &str, cd: &str, extra: &str) -> String {
    format!("{base}/books?id={id}&printsec=frontcover{dq}&hl={cd}&source=gbs_api{extra}")
}

fn search_link_params(s: &SearchContext<'_>) -> String {
    let mut out = String::new();
    match s.print_type {
        PrintType::All => {}
        PrintType::Books => out.push_str("&as_pt=BOOKS"),
        PrintType::Magazines => out.push_str("&as_pt=MAGAZINES"),
    }
    match s.filter {
        None => {}
        Some(Filter::FreeEbooks) => out.push_str("&as_brr=7"),
        Some(Filter::PaidEbooks) => out.push_str("&as_brr=6"),
        Some(Filter::Ebooks) => out.push_str("&as_brr=5"),
        Some(Filter::Full) => out.push_str("&as_brr=1"),
        Some(Filter::Partial) => out.push_str("&as_brr=3"),
    }
    out
}

/// `projection=lite`: only the fields the discovery document marks as in LITE.
fn lite(v: Volume) -> Volume {
    let volume_info = v.volume_info.map(|i| VolumeInfo {
        title: i.title,
        subtitle: i.subtitle,
        authors: i.authors,
        publisher: i.publisher,
        published_date: i.published_date,
        description: i.description,
        content_version: i.content_version,
        image_links: i.image_links,
        info_link: i.info_link,
        canonical_volume_link: i.canonical_volume_link,
        ..VolumeInfo::default()
    });
    let sale_info = v.sale_info.map(|s| SaleInfo {
        country: s.country,
        list_price: s.list_price,
        retail_price: s.retail_price,
        buy_link: s.buy_link,
        ..SaleInfo::default()
    });
    let access_info = v.access_info.map(|a| AccessInfo {
        country: a.country,
        epub: a.epub,
        pdf: a.pdf,
        access_view_status: a.access_view_status,
        ..AccessInfo::default()
    });
    Volume {
        kind: v.kind,
        id: v.id,
        etag: v.etag,
        self_link: v.self_link,
        volume_info,
        user_info: v.user_info,
        layer_info: None,
        sale_info,
        access_info,
        search_info: v.search_info,
        recommended_info: None,
    }
}

/// `Title_with_underscores`, cut at 40 characters as Google's about-page slugs are.
pub fn title_slug(title: &str) -> String {
    about_slug(title)
}

fn about_slug(title: &str) -> String {
    let slug: String = title
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .take(40)
        .collect();
    url_encode(&slug)
}

/// Percent-encodes a query component (space as `+`, like Google's `dq=`).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::VolumeId;
    use colophon_types::IndustryIdentifier;

    fn record() -> VolumeRecord {
        let mut r = VolumeRecord {
            id: VolumeId::parse("kPbzR4LDkAkC").unwrap(),
            etag: String::new(),
            source_key: "test:1".into(),
            volume_info: VolumeInfo {
                title: Some("Thermodynamics of Solar Energy Conversion".into()),
                industry_identifiers: Some(vec![IndustryIdentifier {
                    kind: "ISBN_13".into(),
                    identifier: "9783527408412".into(),
                }]),
                language: Some("en".into()),
                ..VolumeInfo::default()
            },
            sale_info: Some(SaleInfo {
                saleability: Some("NOT_FOR_SALE".into()),
                is_ebook: Some(false),
                ..SaleInfo::default()
            }),
            access_info: Some(AccessInfo {
                viewability: Some("PARTIAL".into()),
                access_view_status: Some("SAMPLE".into()),
                ..AccessInfo::default()
            }),
            layer_info: None,
            updated: chrono::DateTime::UNIX_EPOCH,
        };
        r.refresh_etag();
        r
    }

    #[test]
    fn get_links_and_country() {
        let opts = RenderOptions {
            base_url: "http://h",
            country: "NO",
            projection: Projection::Full,
            search: None,
        };
        let v = render_volume(&record(), &opts, None);
        assert_eq!(
            v.self_link.as_deref(),
            Some("http://h/books/v1/volumes/kPbzR4LDkAkC")
        );
        let info = v.volume_info.unwrap();
        assert_eq!(
            info.preview_link.as_deref(),
            Some("http://h/books?id=kPbzR4LDkAkC&printsec=frontcover&hl=&source=gbs_api")
        );
        assert_eq!(info.canonical_volume_link.as_deref(), Some("http://h/books/about/Thermodynamics_of_Solar_Energy_Conversio.html?hl=&id=kPbzR4LDkAkC"));
        assert_eq!(v.sale_info.unwrap().country.as_deref(), Some("NO"));
        let a = v.access_info.unwrap();
        assert_eq!(a.web_reader_link.as_deref(), Some("http://h/books/reader?id=kPbzR4LDkAkC&hl=&printsec=frontcover&output=reader&source=gbs_api"));
        assert_eq!(a.country.as_deref(), Some("NO"));
    }

    #[test]
    fn search_links_carry_query_and_rank() {
        let opts = RenderOptions {
            base_url: "http://h",
            country: "US",
            projection: Projection::Full,
            search: Some(SearchContext {
                query: "the great gatsby",
                rank: 25,
                print_type: PrintType::Books,
                filter: Some(Filter::FreeEbooks),
            }),
        };
        let v = render_volume(&record(), &opts, Some("x".into()));
        let info = v.volume_info.unwrap();
        assert_eq!(
            info.preview_link.as_deref(),
            Some("http://h/books?id=kPbzR4LDkAkC&printsec=frontcover&dq=the+great+gatsby&hl=&cd=25&source=gbs_api&as_pt=BOOKS&as_brr=7")
        );
        assert_eq!(v.search_info.unwrap().text_snippet.as_deref(), Some("x"));
    }

    #[test]
    fn lite_keeps_only_lite_fields() {
        let opts = RenderOptions {
            base_url: "http://h",
            country: "US",
            projection: Projection::Lite,
            search: None,
        };
        let v = render_volume(&record(), &opts, None);
        let json = serde_json::to_value(&v).unwrap();
        let info = json["volumeInfo"].as_object().unwrap();
        assert!(info.contains_key("title"));
        assert!(info.contains_key("infoLink"));
        assert!(!info.contains_key("industryIdentifiers"));
        assert!(!info.contains_key("language"));
        assert!(!info.contains_key("previewLink"));
        assert_eq!(json["saleInfo"], serde_json::json!({"country": "US"}));
        assert_eq!(
            json["accessInfo"],
            serde_json::json!({"country": "US", "epub": {"isAvailable": false},
                "pdf": {"isAvailable": false}, "accessViewStatus": "SAMPLE"})
        );
    }

    #[test]
    fn country_normalisation() {
        assert_eq!(normalize_country("uk"), "GB");
        assert_eq!(normalize_country("ca"), "CA");
    }
}
