//! `demo`: the compact JSON Lines format of the built-in demo catalog.
//!
//! One object per line: `key` (stable slug), `title`, `subtitle`, `authors`, `publisher`,
//! `publishedDate`, `description`, `categories`, `pageCount`, `printType`, `maturityRating`,
//! `language`, `averageRating`, `ratingsCount`, `identifiers` (`gutenberg`, `lccn`, `oclc`),
//! `series` (`[{"title": "Sherlock Holmes", "number": "3"}]`).
//! Every demo work is in the public domain: full view, free, EPUB and PDF available.

use chrono::Utc;
use colophon_domain::{compute_etag, VolumeId, VolumeRecord};
use colophon_types::{IndustryIdentifier, PanelizationSummary, ReadingModes, VolumeInfo};
use serde::Deserialize;

use crate::Rejected;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DemoLine {
    key: String,
    title: String,
    subtitle: Option<String>,
    authors: Option<Vec<String>>,
    publisher: Option<String>,
    published_date: Option<String>,
    description: Option<String>,
    categories: Option<Vec<String>>,
    page_count: Option<i32>,
    print_type: Option<String>,
    maturity_rating: Option<String>,
    language: Option<String>,
    average_rating: Option<f64>,
    ratings_count: Option<i32>,
    #[serde(default)]
    identifiers: Identifiers,
    #[serde(default)]
    series: Vec<DemoSeries>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoSeries {
    title: String,
    number: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Identifiers {
    gutenberg: Option<String>,
    lccn: Option<String>,
    oclc: Option<String>,
}

/// Reads the demo catalog text, one record per non-empty line.
pub fn read(text: &str) -> impl Iterator<Item = Result<VolumeRecord, Rejected>> + '_ {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            parse_line(line).map_err(|reason| Rejected {
                position: format!("line {}", i + 1),
                reason,
            })
        })
}

fn parse_line(line: &str) -> Result<VolumeRecord, String> {
    let d: DemoLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let mut ids = Vec::new();
    for (prefix, value) in [
        ("GUTENBERG", &d.identifiers.gutenberg),
        ("LCCN", &d.identifiers.lccn),
        ("OCLC", &d.identifiers.oclc),
    ] {
        if let Some(v) = value {
            ids.push(IndustryIdentifier {
                kind: "OTHER".into(),
                identifier: format!("{prefix}:{v}"),
            });
        }
    }
    let info = VolumeInfo {
        title: Some(d.title),
        subtitle: d.subtitle,
        authors: d.authors,
        publisher: d.publisher,
        published_date: d.published_date,
        description: d.description,
        industry_identifiers: (!ids.is_empty()).then_some(ids),
        reading_modes: Some(ReadingModes {
            text: true,
            image: false,
        }),
        page_count: d.page_count,
        print_type: Some(d.print_type.unwrap_or_else(|| "BOOK".into())),
        categories: d.categories,
        average_rating: d.average_rating,
        ratings_count: d.ratings_count,
        maturity_rating: Some(d.maturity_rating.unwrap_or_else(|| "NOT_MATURE".into())),
        allow_anon_logging: Some(false),
        content_version: Some("1.0.0.0.full.1".into()),
        panelization_summary: Some(PanelizationSummary {
            contains_epub_bubbles: Some(false),
            contains_image_bubbles: Some(false),
            ..PanelizationSummary::default()
        }),
        language: Some(d.language.unwrap_or_else(|| "un".into())),
        series_info: colophon_domain::series::series_info(
            &d.series
                .into_iter()
                .map(|s| colophon_domain::series::SeriesEntry {
                    title: s.title,
                    kind: colophon_domain::series::SeriesKind::Series,
                    position: s.number,
                })
                .collect::<Vec<_>>(),
        ),
        ..VolumeInfo::default()
    };
    let source_key = format!("demo:{}", d.key);
    let mut record = VolumeRecord {
        id: VolumeId::derive(&source_key),
        etag: String::new(),
        source_key,
        volume_info: info,
        sale_info: Some(crate::source::free_ebook_sale()),
        access_info: Some(crate::source::public_domain_access()),
        layer_info: None,
        updated: Utc::now(),
    };
    record.etag = compute_etag(&record);
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_with_line_numbers() {
        let text = "{\"key\":\"a\",\"title\":\"A\",\"language\":\"en\",\"identifiers\":{\"gutenberg\":\"1342\"}}\n\n{\"key\":\"b\"}\n";
        let out: Vec<_> = read(text).collect();
        let a = out[0].as_ref().unwrap();
        assert_eq!(a.id, VolumeId::derive("demo:a"));
        assert_eq!(
            a.volume_info.industry_identifiers.as_ref().unwrap()[0].identifier,
            "GUTENBERG:1342"
        );
        assert_eq!(out[1].as_ref().unwrap_err().position, "line 3");
    }
}
