//! What a search asks for and what it finds, independent of the engine.

use crate::{Download, Filter, MaturityRating, OrderBy, PrintType, VolumeId};

/// A validated `volumes.list` search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    /// The `q` string as given (never empty or blank).
    pub q: String,
    /// `filter`.
    pub filter: Option<Filter>,
    /// `download`.
    pub download: Option<Download>,
    /// `printType`; `All` by default.
    pub print_type: PrintType,
    /// `langRestrict`, lower-cased ISO 639-1 code.
    pub lang_restrict: Option<String>,
    /// `maxAllowedMaturityRating`.
    pub max_maturity: Option<MaturityRating>,
    /// `orderBy`; relevance by default.
    pub order_by: OrderBy,
    /// 0-based index of the first result.
    pub start_index: u32,
    /// Page size, 0..=40.
    pub max_results: u32,
    /// `showPreorders`.
    pub show_preorders: bool,
    /// When exact matching finds too little, also match words one or two typos away
    /// (after the exact hits). On for every API search; off where exact semantics are
    /// wanted (tests of the query language, internal lookups).
    pub typo_tolerance: bool,
}

impl SearchRequest {
    /// A request for `q` with every option at its default.
    pub fn new(q: impl Into<String>) -> Self {
        Self {
            q: q.into(),
            filter: None,
            download: None,
            print_type: PrintType::All,
            lang_restrict: None,
            max_maturity: None,
            order_by: OrderBy::Relevance,
            start_index: 0,
            max_results: 10,
            show_preorders: false,
            typo_tolerance: true,
        }
    }
}

/// One hit.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// The volume.
    pub id: VolumeId,
    /// Relevance score (engine-specific scale).
    pub score: f32,
    /// HTML snippet: escaped text with `<b>` around matched words.
    pub snippet: Option<String>,
}

/// A page of hits.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchResults {
    /// Number of matching volumes.
    pub total: u64,
    /// The requested page, best first.
    pub hits: Vec<SearchHit>,
    /// The query had no words to highlight (`isbn:`, an id): each hit's snippet is the start
    /// of its volume's description, which the caller cuts from the record it loads anyway
    /// (the engine leaves `snippet` empty rather than read its stored copy).
    pub snippets_from_description: bool,
}
