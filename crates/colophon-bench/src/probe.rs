//! The in-process search path, for instruction counts under callgrind: build Colophon's own
//! search index from the catalog, then run a fixed query file a given number of times through
//! an engine (ours, plain tantivy or FTS5) — the difference between two counts is the cost of
//! the queries alone, without start-up.

use std::path::Path;

use anyhow::{Context, Result};
use colophon_domain::{OrderBy, PrintType, SearchRequest};
use colophon_search::SearchIndex;

use crate::engines::{fts5::Fts5Peer, tantivy_peer::TantivyPeer};
use crate::query::peer_query;

/// One line of a query file: `q` with optional `&startIndex=N&maxResults=M`.
#[derive(Debug, Clone)]
pub struct ProbeQuery {
    /// The `q` text.
    pub q: String,
    /// `startIndex`.
    pub start: u32,
    /// `maxResults`.
    pub max: u32,
}

/// Parses a query file (one query a line, blank lines skipped).
pub fn read_queries(path: &Path) -> Result<Vec<ProbeQuery>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.split('&');
            let q = parts.next().unwrap_or_default().to_owned();
            let (mut start, mut max) = (0, 10);
            for p in parts {
                match p.split_once('=') {
                    Some(("startIndex", v)) => start = v.parse().unwrap_or(0),
                    Some(("maxResults", v)) => max = v.parse().unwrap_or(10),
                    _ => {}
                }
            }
            ProbeQuery { q, start, max }
        })
        .collect())
}

/// Builds Colophon's search index (the `colophon` engine, exactly as the import does it for
/// these records) in `dir`.
pub fn build_ours(dir: &Path, catalog: &Path) -> Result<u64> {
    let index = SearchIndex::recreate(dir)?;
    let mut up = index.updater()?;
    let n = crate::catalog::read_records(catalog, |record| {
        up.upsert(&record, None)?;
        Ok(())
    })?;
    up.commit()?;
    up.finish()?;
    Ok(n)
}

fn request(q: &ProbeQuery) -> SearchRequest {
    SearchRequest {
        q: q.q.clone(),
        filter: None,
        download: None,
        print_type: PrintType::All,
        lang_restrict: None,
        max_maturity: None,
        order_by: OrderBy::Relevance,
        start_index: q.start,
        max_results: q.max,
        show_preorders: false,
        typo_tolerance: true,
    }
}

/// Runs `count` queries (cycling over `queries`) on `engine` opened at `dir`; returns the
/// sum of the hit counts (so the work cannot be optimised away, and as a sanity figure).
pub fn run(engine: &str, dir: &Path, queries: &[ProbeQuery], count: usize) -> Result<u64> {
    anyhow::ensure!(!queries.is_empty(), "no queries");
    let mut sum = 0u64;
    match engine {
        "colophon" => {
            let index = SearchIndex::open_or_create(dir)?;
            for q in queries.iter().cycle().take(count) {
                sum += index.search(&request(q))?.total;
            }
        }
        "tantivy" => {
            let e = TantivyPeer::open(dir)?;
            for q in queries.iter().cycle().take(count) {
                sum += e.search(&peer_query(&q.q, q.start, q.max))?.total;
            }
        }
        "fts5" => {
            let e = Fts5Peer::open(dir)?;
            for q in queries.iter().cycle().take(count) {
                sum += e.search(&peer_query(&q.q, q.start, q.max))?.total;
            }
        }
        other => anyhow::bail!("probe runs colophon, tantivy or fts5, not {other}"),
    }
    Ok(sum)
}
