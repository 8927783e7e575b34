//! The tantivy schema of the catalog index.
//!
//! | field | kind | content |
//! |---|---|---|
//! | `id` | raw, indexed | volume id as is (delete-by-id) |
//! | `id_ci` | raw, indexed | volume id lower-cased (a bare id in `q` matches ignoring case) |
//! | `id_hi`, `id_lo` | u64 fast | the id packed 6 characters each, in id order (tie-break, id without the doc store) |
//! | `title`, `subtitle`, `authors`, `publisher`, `categories` | text | analyzed ([`crate::analysis`]), positions |
//! | `description`, `full_text` | text, stored | analyzed, positions; stored for snippets |
//! | `title_key` | raw, indexed | folded title; title + subtitle; title + each author's surname (both orders), for exact-title boosts |
//! | `author_key` | raw, indexed | each author's name, folded, for exact-author boosts |
//! | `plain` | text (unstemmed, folded), freqs | title, subtitle and authors: exact word forms rank above stemmed ones |
//! | `native_title`, `native_text` | text (whitespace), freqs | for a volume in a language with its own stemmer: title and subtitle, subjects and description, stemmed in that language, terms prefixed (`fr:cheval`) ([`crate::native`]) |
//! | `isbn` | raw, indexed | ISBN-13 of every ISBN-10/13 |
//! | `lccn`, `oclc` | raw, indexed | normalised `OTHER` identifiers |
//! | `tags` | raw, indexed | filter facets: `pt:BOOK`, `lang:en`, `mat:MATURE`, `view:PARTIAL`, `sale:FREE`, `ebook`, `epub` |
//! | `series` | raw, indexed | the id of every series the volume belongs to (`seriesInfo.volumeSeries[].seriesId`) |
//! | `topic` | raw, indexed | the top-level subject of each category, as written (`Fiction` of `Fiction / General`): onboarding categories |
//! | `date` | u64 fast | `publishedDate` as `YYYYMMDD` (0 when unknown) |
//! | `popularity` | u64 fast | `ratingsCount` (0 when unknown): the popularity prior of relevance order |
//!
//! The index is derived data: any change here needs a rebuild (`colophon reindex`);
//! opening an index built with another schema fails with
//! [`SearchError::SchemaMismatch`](crate::SearchError::SchemaMismatch).

use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::tokenizer::RAW_TOKENIZER_NAME;

use crate::analysis::{PLAIN_TOKENIZER, TEXT_TOKENIZER};

/// Handles of every field of the schema.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub id: Field,
    pub id_ci: Field,
    pub id_hi: Field,
    pub id_lo: Field,
    pub title: Field,
    pub subtitle: Field,
    pub authors: Field,
    pub publisher: Field,
    pub categories: Field,
    pub description: Field,
    pub full_text: Field,
    pub title_key: Field,
    pub author_key: Field,
    pub plain: Field,
    pub native_title: Field,
    pub native_text: Field,
    pub isbn: Field,
    pub lccn: Field,
    pub oclc: Field,
    pub tags: Field,
    pub series: Field,
    pub topic: Field,
    pub date: Field,
    pub popularity: Field,
}

/// Names of the fast fields, as the collectors look them up.
pub(crate) const DATE: &str = "date";
pub(crate) const ID_HI: &str = "id_hi";
pub(crate) const ID_LO: &str = "id_lo";
pub(crate) const POPULARITY: &str = "popularity";

/// Builds the schema and its field handles.
pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let raw = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(RAW_TOKENIZER_NAME)
            .set_fieldnorms(false)
            .set_index_option(IndexRecordOption::Basic),
    );
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TEXT_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let stored_text = text.clone().set_stored();
    let plain = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(PLAIN_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let native = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("whitespace")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_text_field("id", raw.clone()),
        id_ci: b.add_text_field("id_ci", raw.clone()),
        id_hi: b.add_u64_field(ID_HI, FAST),
        id_lo: b.add_u64_field(ID_LO, FAST),
        title: b.add_text_field("title", text.clone()),
        subtitle: b.add_text_field("subtitle", text.clone()),
        authors: b.add_text_field("authors", text.clone()),
        publisher: b.add_text_field("publisher", text.clone()),
        categories: b.add_text_field("categories", text),
        description: b.add_text_field("description", stored_text.clone()),
        full_text: b.add_text_field("full_text", stored_text),
        title_key: b.add_text_field("title_key", raw.clone()),
        author_key: b.add_text_field("author_key", raw.clone()),
        plain: b.add_text_field("plain", plain),
        native_title: b.add_text_field("native_title", native.clone()),
        native_text: b.add_text_field("native_text", native),
        isbn: b.add_text_field("isbn", raw.clone()),
        lccn: b.add_text_field("lccn", raw.clone()),
        oclc: b.add_text_field("oclc", raw.clone()),
        tags: b.add_text_field("tags", raw.clone()),
        series: b.add_text_field("series", raw.clone()),
        topic: b.add_text_field("topic", raw),
        date: b.add_u64_field(DATE, FAST),
        popularity: b.add_u64_field(POPULARITY, FAST),
    };
    (b.build(), fields)
}

/// Field boosts of plain words: title > authors > subjects/publisher > description > full
/// text.
pub(crate) struct Boosts;

impl Boosts {
    pub const TITLE: f32 = 4.0;
    pub const SUBTITLE: f32 = 2.5;
    pub const AUTHORS: f32 = 3.0;
    pub const CATEGORIES: f32 = 2.0;
    pub const PUBLISHER: f32 = 1.5;
    pub const DESCRIPTION: f32 = 1.0;
    pub const FULL_TEXT: f32 = 0.5;
    /// A query word in its exact (unstemmed) form in the title, subtitle or authors, on top
    /// of the stemmed match: `running` ranks "Running" above "Run".
    pub const PLAIN: f32 = 1.0;
    /// Two consecutive query words next to each other (one word between at most), per
    /// field: word order and proximity count.
    pub const NEAR_TITLE: f32 = 3.0;
    pub const NEAR_AUTHORS: f32 = 2.0;
    pub const NEAR_TEXT: f32 = 1.0;
    /// A fuzzy (typo-tolerant) match counts this share of an exact match of the same field.
    pub const FUZZY_SHARE: f32 = 0.5;
    /// Constant score added when the whole query is the title, or a bare word is the
    /// volume's id or ISBN: these come first.
    pub const EXACT: f32 = 1000.0;
    /// Constant score added when the whole query is one author's name.
    pub const EXACT_AUTHOR: f32 = 1000.0;
}

/// Filter tags (`tags` field values).
pub(crate) mod tags {
    pub const EBOOK: &str = "ebook";
    pub const EPUB: &str = "epub";
    pub const PRINT_TYPE: &str = "pt:";
    pub const LANGUAGE: &str = "lang:";
    pub const MATURITY: &str = "mat:";
    pub const VIEWABILITY: &str = "view:";
    pub const SALEABILITY: &str = "sale:";
}
