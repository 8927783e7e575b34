//! "Books like these": scoring candidate volumes against seed volumes from the catalog's own
//! signals — shared authors, series and subjects (categories).
//!
//! A candidate scores, summed over the seeds, 5 per shared series, 3 per shared author and 1 per
//! shared subject; names compare without case and surrounding space. Candidates with no shared
//! signal, the seeds themselves and excluded volumes never appear. The order is total and
//! deterministic: higher score first, then volume id.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::{VolumeId, VolumeRecord};

/// Weight of a shared series.
pub const SERIES_WEIGHT: u32 = 5;
/// Weight of a shared author.
pub const AUTHOR_WEIGHT: u32 = 3;
/// Weight of a shared subject.
pub const SUBJECT_WEIGHT: u32 = 1;
/// Score per reader who shelved a seed and the candidate (public shelves), counting at most
/// [`MAX_CO_SHELVERS`] of them: readers' behaviour weighs like a shared author at most.
pub const CO_SHELF_WEIGHT: u32 = 1;
/// Co-shelving readers counted per candidate.
pub const MAX_CO_SHELVERS: u32 = 3;

/// How many readers shelved a candidate together with a seed, and that seed's title (the
/// strongest such seed per candidate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoShelved {
    /// Distinct readers.
    pub readers: u32,
    /// The seed's title, for the explanation.
    pub seed_title: String,
}

/// The signals of one volume, normalised for comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signals {
    /// Authors, lower-cased.
    pub authors: BTreeSet<String>,
    /// Categories, lower-cased.
    pub subjects: BTreeSet<String>,
    /// `seriesInfo.volumeSeries[].seriesId`.
    pub series: BTreeSet<String>,
}

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Signals {
    /// The signals of `record`.
    pub fn of(record: &VolumeRecord) -> Self {
        let info = &record.volume_info;
        let set = |v: &Option<Vec<String>>| {
            v.iter()
                .flatten()
                .map(|s| norm(s))
                .filter(|s| !s.is_empty())
                .collect::<BTreeSet<_>>()
        };
        let series = info
            .series_info
            .as_ref()
            .and_then(|s| s.get("volumeSeries"))
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("seriesId").and_then(|v| v.as_str()))
            .map(str::to_owned)
            .collect();
        Self {
            authors: set(&info.authors),
            subjects: set(&info.categories),
            series,
        }
    }
}

/// The search queries (`q` syntax) that find candidates for `seed`: one per author and one per
/// subject, as phrases. Series have no search field; their volumes are found through their
/// authors.
pub fn candidate_queries(seed: &VolumeRecord) -> Vec<String> {
    let clean = |s: &str| s.replace('"', " ").trim().to_owned();
    let info = &seed.volume_info;
    let mut out = Vec::new();
    for a in info.authors.iter().flatten().map(|a| clean(a)) {
        if !a.is_empty() {
            out.push(format!("inauthor:\"{a}\""));
        }
    }
    for c in info.categories.iter().flatten().map(|c| clean(c)) {
        if !c.is_empty() {
            out.push(format!("subject:\"{c}\""));
        }
    }
    out
}

/// One recommendation.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    /// The volume.
    pub record: VolumeRecord,
    /// Its score.
    pub score: u32,
    /// Why (`recommendedInfo.explanation`).
    pub explanation: String,
}

/// Ranks `candidates` against `seeds` (shared series, authors, subjects) and `co_shelved`
/// (readers who shelved a seed and the candidate): at most `limit`, best first, never a seed
/// nor an id in `exclude`; with `not_mature_only`, volumes rated `MATURE` are dropped.
pub fn rank(
    seeds: &[VolumeRecord],
    candidates: impl IntoIterator<Item = VolumeRecord>,
    co_shelved: &HashMap<VolumeId, CoShelved>,
    exclude: &HashSet<VolumeId>,
    not_mature_only: bool,
    limit: usize,
) -> Vec<Recommendation> {
    let seed_signals: Vec<(Signals, &VolumeRecord)> =
        seeds.iter().map(|s| (Signals::of(s), s)).collect();
    let seed_ids: HashSet<&VolumeId> = seeds.iter().map(|s| &s.id).collect();
    let mut seen = HashSet::new();
    let mut out: Vec<Recommendation> = Vec::new();
    for c in candidates {
        if seed_ids.contains(&c.id) || exclude.contains(&c.id) || !seen.insert(c.id.clone()) {
            continue;
        }
        if not_mature_only
            && c.volume_info
                .maturity_rating
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case("MATURE"))
        {
            continue;
        }
        let sig = Signals::of(&c);
        let mut score = 0;
        // The strongest single reason: (weight, text).
        let mut best: Option<(u32, String)> = None;
        let mut consider = |w: u32, text: String| {
            if best.as_ref().is_none_or(|(bw, _)| w > *bw) {
                best = Some((w, text));
            }
        };
        for (s, seed) in &seed_signals {
            let title = seed
                .volume_info
                .title
                .as_deref()
                .unwrap_or("a book you read");
            let series = sig.series.intersection(&s.series).count() as u32;
            if series > 0 {
                score += SERIES_WEIGHT * series;
                consider(SERIES_WEIGHT, format!("In the same series as {title}."));
            }
            let authors: Vec<&String> = sig.authors.intersection(&s.authors).collect();
            if !authors.is_empty() {
                score += AUTHOR_WEIGHT * authors.len() as u32;
                let name = original_case(seed, authors[0]);
                consider(AUTHOR_WEIGHT, format!("By {name}, like {title}."));
            }
            let subjects: Vec<&String> = sig.subjects.intersection(&s.subjects).collect();
            if !subjects.is_empty() {
                score += SUBJECT_WEIGHT * subjects.len() as u32;
                let subject = original_subject(seed, subjects[0]);
                consider(SUBJECT_WEIGHT, format!("About {subject}, like {title}."));
            }
        }
        if let Some(co) = co_shelved.get(&c.id) {
            let readers = co.readers.min(MAX_CO_SHELVERS);
            if readers > 0 {
                score += CO_SHELF_WEIGHT * readers;
                let who = if co.readers == 1 {
                    "A reader".to_owned()
                } else {
                    format!("{} readers", co.readers)
                };
                consider(
                    CO_SHELF_WEIGHT * readers,
                    format!("{who} who shelved {} shelved it too.", co.seed_title),
                );
            }
        }
        if let (true, Some((_, explanation))) = (score > 0, best) {
            out.push(Recommendation {
                record: c,
                score,
                explanation,
            });
        }
    }
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.record.id.cmp(&b.record.id))
    });
    out.truncate(limit);
    out
}

fn original_case(r: &VolumeRecord, normalised: &str) -> String {
    r.volume_info
        .authors
        .iter()
        .flatten()
        .find(|a| norm(a) == normalised)
        .cloned()
        .unwrap_or_else(|| normalised.to_owned())
}

fn original_subject(r: &VolumeRecord, normalised: &str) -> String {
    r.volume_info
        .categories
        .iter()
        .flatten()
        .find(|a| norm(a) == normalised)
        .cloned()
        .unwrap_or_else(|| normalised.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use colophon_types::VolumeInfo;

    fn rec(id: &str, authors: &[&str], cats: &[&str], series: Option<&str>) -> VolumeRecord {
        VolumeRecord {
            id: VolumeId::parse(id).unwrap(),
            etag: String::new(),
            source_key: format!("t:{id}"),
            volume_info: VolumeInfo {
                title: Some(format!("T{id}")),
                authors: Some(authors.iter().map(|s| s.to_string()).collect()),
                categories: Some(cats.iter().map(|s| s.to_string()).collect()),
                series_info: series.map(
                    |s| serde_json::json!({"volumeSeries": [{"seriesId": s, "orderNumber": 1}]}),
                ),
                ..VolumeInfo::default()
            },
            sale_info: None,
            access_info: None,
            layer_info: None,
            updated: DateTime::from_timestamp(0, 0).unwrap(),
        }
    }

    #[test]
    fn shared_signals_rank_deterministically() {
        let seed = rec(
            "seed00000000",
            &["Jane Austen"],
            &["Fiction / Classics"],
            Some("S1"),
        );
        let cands = vec![
            rec("bbbb00000000", &["Other"], &["fiction / classics"], None),
            rec("aaaa00000000", &["Other"], &["Fiction / Classics"], None),
            rec("auth00000000", &[" jane  austen "], &[], None),
            rec("ser000000000", &["X"], &[], Some("S1")),
            rec("none00000000", &["Nobody"], &["Poetry"], None),
            rec("excl00000000", &["Jane Austen"], &[], None),
            seed.clone(),
        ];
        let exclude: HashSet<VolumeId> = [VolumeId::parse("excl00000000").unwrap()].into();
        let out = rank(&[seed], cands, &HashMap::new(), &exclude, false, 10);
        let ids: Vec<&str> = out.iter().map(|r| r.record.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "ser000000000",
                "auth00000000",
                "aaaa00000000",
                "bbbb00000000"
            ]
        );
        assert_eq!(out[1].explanation, "By Jane Austen, like Tseed00000000.");
        assert!(out[0].explanation.contains("same series"));
    }

    #[test]
    fn queries_quote_names() {
        let seed = rec("seed00000000", &["Mary \"M\" Shelley"], &["Horror"], None);
        assert_eq!(
            candidate_queries(&seed),
            ["inauthor:\"Mary  M  Shelley\"", "subject:\"Horror\""]
        );
    }
}
