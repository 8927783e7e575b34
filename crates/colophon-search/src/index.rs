//! [`SearchIndex`] (shared, read side) and [`IndexUpdater`] (the single writer).

use std::path::Path;
use std::sync::Arc;

use colophon_domain::{SearchHit, SearchRequest, SearchResults, VolumeId, VolumeRecord};
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, TermSetQuery};
use tantivy::schema::Value;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term};

use crate::analysis::{
    date_key, decode_id, encode_id, key_analyzer, normalize_lccn, normalize_oclc, text_analyzer,
    title_key, tokenizer_manager,
};
use crate::collector::{Candidate, PageCollector};
use crate::compile::Compiler;
use crate::native::{self, NativeLanguage, NativeStemmers};
use crate::query::{self, ParsedQuery};
use crate::schema::{self, tags, Boosts, Fields};
use crate::snippet::{self, Source};
use crate::SearchError;

/// Below this many exact hits (and none of them an exact title, author or identifier
/// match), a search also looks for words one or two typos away.
const FEW_EXACT_HITS: u64 = 3;

/// Default memory budget of an [`IndexUpdater`], shared by its threads.
pub const DEFAULT_WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// The catalog's full-text index. Cheap to clone (an `Arc` inside) and shared by request
/// handlers; searches never block each other or the (single) [`IndexUpdater`].
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

struct Inner {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Prototypes, cloned per search (analyzers need `&mut`).
    text: TextAnalyzer,
    keys: TextAnalyzer,
    /// The catalog's languages with a stemmer of their own, as of a searcher generation.
    native_languages: std::sync::Mutex<Option<(u64, Vec<NativeLanguage>)>>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("num_docs", &self.num_docs())
            .finish()
    }
}

impl SearchIndex {
    /// Opens the index in `dir` (memory-mapped), creating the directory and an empty index
    /// if needed.
    ///
    /// # Errors
    /// [`SearchError::Io`] when the directory cannot be created or opened,
    /// [`SearchError::SchemaMismatch`] when it holds an index of another schema.
    pub fn open_or_create(dir: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(|source| SearchError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let directory = MmapDirectory::open(dir).map_err(|e| match e {
            tantivy::directory::error::OpenDirectoryError::IoError { io_error, .. } => {
                SearchError::Io {
                    path: dir.to_owned(),
                    source: std::io::Error::new(io_error.kind(), io_error.to_string()),
                }
            }
            other => SearchError::from(TantivyError::from(other)),
        })?;
        let (schema, fields) = schema::build();
        let index = Index::builder()
            .schema(schema)
            .tokenizers(tokenizer_manager())
            .open_or_create(directory)
            .map_err(|e| match e {
                TantivyError::SchemaError(_) => SearchError::SchemaMismatch {
                    path: dir.to_owned(),
                },
                other => SearchError::from(other),
            })?;
        Self::from_index(index, fields)
    }

    /// Deletes the index in `dir`, if any, and creates an empty one (for a rebuild after a
    /// schema change).
    ///
    /// # Errors
    /// [`SearchError::NotAnIndex`] when `dir` is a non-empty directory without an index
    /// (nothing is deleted then), or any error of [`SearchIndex::open_or_create`].
    pub fn recreate(dir: &Path) -> Result<Self, SearchError> {
        let io = |source| SearchError::Io {
            path: dir.to_owned(),
            source,
        };
        if dir.exists() {
            let is_index = dir.join("meta.json").exists();
            let is_empty = std::fs::read_dir(dir).map_err(io)?.next().is_none();
            if !is_index && !is_empty {
                return Err(SearchError::NotAnIndex {
                    path: dir.to_owned(),
                });
            }
            std::fs::remove_dir_all(dir).map_err(io)?;
        }
        Self::open_or_create(dir)
    }

    /// A new empty index in memory (tests, tools).
    ///
    /// # Errors
    /// Only if tantivy cannot set up its reader.
    pub fn in_ram() -> Result<Self, SearchError> {
        let (schema, fields) = schema::build();
        let index = Index::builder()
            .schema(schema)
            .tokenizers(tokenizer_manager())
            .create_in_ram()?;
        Self::from_index(index, fields)
    }

    fn from_index(index: Index, fields: Fields) -> Result<Self, SearchError> {
        // `OnCommitWithDelay` watches meta.json, so commits of another process (the
        // `colophon import` CLI) show up on their own; our own commits reload explicitly.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(Self {
            inner: Arc::new(Inner {
                index,
                reader,
                fields,
                text: text_analyzer(),
                keys: key_analyzer(),
                native_languages: std::sync::Mutex::new(None),
            }),
        })
    }

    /// The single writer of the index, with the default memory budget
    /// ([`DEFAULT_WRITER_MEMORY`]) and up to two indexing threads.
    ///
    /// # Errors
    /// [`SearchError::Locked`] when another updater (in any process) is open.
    pub fn updater(&self) -> Result<IndexUpdater, SearchError> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(2);
        self.updater_with(DEFAULT_WRITER_MEMORY, threads)
    }

    /// Like [`SearchIndex::updater`] with an explicit memory budget (at least 15 MB per
    /// thread) and number of indexing threads.
    ///
    /// # Errors
    /// [`SearchError::Locked`], or [`SearchError::Engine`] for an unusable budget.
    pub fn updater_with(
        &self,
        memory_bytes: usize,
        threads: usize,
    ) -> Result<IndexUpdater, SearchError> {
        let writer = self
            .inner
            .index
            .writer_with_num_threads(threads.max(1), memory_bytes)?;
        Ok(IndexUpdater {
            writer,
            inner: self.inner.clone(),
            keys: key_analyzer(),
            native: NativeStemmers::default(),
            pending: 0,
        })
    }

    /// Number of (live) volumes in the index, as of the last reload.
    pub fn num_docs(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// Picks up commits made by other processes now, rather than after the watcher's
    /// delay.
    ///
    /// # Errors
    /// [`SearchError::Engine`] if the new index version cannot be opened.
    pub fn reload(&self) -> Result<(), SearchError> {
        Ok(self.inner.reader.reload()?)
    }

    /// Runs a `volumes.list` search: parses `req.q` (see [`crate::query`]), applies every
    /// filter inside the engine and returns the exact total with the requested page.
    ///
    /// A `q` that leaves nothing to search (only exclusions, only punctuation) or that has an
    /// invalid `isbn:` value gives zero hits, not an error.
    ///
    /// # Errors
    /// [`SearchError::Engine`] on I/O errors reading the index.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, SearchError> {
        self.search_parsed(&query::parse(&req.q), req)
    }

    /// Like [`SearchIndex::search`] with an already parsed query (`req.q` is ignored).
    ///
    /// # Errors
    /// As [`SearchIndex::search`].
    pub fn search_parsed(
        &self,
        parsed: &ParsedQuery,
        req: &SearchRequest,
    ) -> Result<SearchResults, SearchError> {
        self.search_in(parsed, req, None)
    }

    /// Like [`SearchIndex::search`], among the volumes `ids` only (a user's shelf or library:
    /// `libraryRestrict=my-library`, `q` of `mylibrary.bookshelves.volumes.list`).
    ///
    /// # Errors
    /// As [`SearchIndex::search`].
    pub fn search_within(
        &self,
        req: &SearchRequest,
        ids: &[VolumeId],
    ) -> Result<SearchResults, SearchError> {
        if ids.is_empty() {
            return Ok(SearchResults::default());
        }
        self.search_in(&query::parse(&req.q), req, Some(ids))
    }

    /// The catalog's languages with a stemmer of their own (see [`crate::native`]), worked
    /// out once per searcher generation.
    fn native_languages(
        &self,
        searcher: &tantivy::Searcher,
    ) -> Result<Vec<NativeLanguage>, SearchError> {
        let generation = searcher.generation().generation_id();
        let mut cached = self
            .inner
            .native_languages
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some((g, langs)) = cached.as_ref() {
            if *g == generation {
                return Ok(langs.clone());
            }
        }
        let langs = native::languages_present(searcher, self.inner.fields.tags)?;
        *cached = Some((generation, langs.clone()));
        Ok(langs)
    }

    fn search_in(
        &self,
        parsed: &ParsedQuery,
        req: &SearchRequest,
        within: Option<&[VolumeId]>,
    ) -> Result<SearchResults, SearchError> {
        let inner = &*self.inner;
        let searcher = inner.reader.searcher();
        let mut compiler = Compiler::new(&inner.fields, inner.text.clone(), inner.keys.clone());
        compiler.native_languages = self.native_languages(&searcher)?;
        let compiled = compiler.compile(parsed, req);
        let Some(mut query) = compiled.query else {
            return Ok(SearchResults::default());
        };
        // `within` restricts every query of this search, the typo-tolerant one too.
        let within: Option<Box<dyn Query>> = within.map(|ids| {
            let terms = ids
                .iter()
                .map(|id| Term::from_field_text(inner.fields.id, id.as_str()));
            Box::new(ConstScoreQuery::new(
                Box::new(TermSetQuery::new(terms)),
                0.0,
            )) as Box<dyn Query>
        });
        let restrict = |q: Box<dyn Query>| -> Box<dyn Query> {
            match &within {
                Some(only) => Box::new(BooleanQuery::new(vec![
                    (Occur::Must, q),
                    (Occur::Must, only.box_clone()),
                ])),
                None => q,
            }
        };
        query = restrict(query);
        let start = req.start_index as usize;
        let max = req.max_results as usize;
        let limit = if max == 0 || start as u64 >= searcher.num_docs() {
            0
        } else {
            start + max
        };
        let collector = PageCollector {
            order: req.order_by,
            limit,
        };
        let mut page = searcher.search(&*query, &collector)?;
        // An exact title, author or identifier match is the book: nothing to correct.
        let exact_key_hit = page.best.first().is_some_and(|c| c.score >= Boosts::EXACT);
        if req.typo_tolerance && page.total < FEW_EXACT_HITS && !exact_key_hit {
            // Typo tolerance, only when exact matching finds too little: the exact hits keep
            // their order at the top and the hits only a fuzzy match finds follow them.
            let fuzzy = compiler.compile_fuzzy(parsed, req);
            if let Some(fuzzy) = fuzzy.query {
                let only_fuzzy = restrict(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, fuzzy),
                    (Occur::MustNot, query.box_clone()),
                ])));
                let more = searcher.search(&*only_fuzzy, &collector)?;
                page.total += more.total;
                page.best.extend(more.best);
                page.best.truncate(limit);
            }
        }
        let mut analyzer = compiler.text;
        let mut hits = Vec::with_capacity(page.best.len().saturating_sub(start));
        // Nothing to highlight: the snippet is the description's start, which the caller
        // has in the record it loads; the stored document is not read.
        let snippets_from_description = compiled.highlight.is_empty();
        for candidate in page.best.iter().skip(start) {
            let Some(id) = decode_id(candidate.id.0, candidate.id.1) else {
                continue;
            };
            let snippet = if snippets_from_description {
                None
            } else {
                snippet_for(
                    &searcher,
                    &inner.fields,
                    candidate,
                    &mut analyzer,
                    &compiled.highlight,
                )?
            };
            hits.push(SearchHit {
                id,
                score: candidate.score,
                snippet,
            });
        }
        Ok(SearchResults {
            total: page.total,
            hits,
            snippets_from_description,
        })
    }
}

/// What [`SearchIndex::browse`] lists.
#[derive(Debug, Clone, Copy)]
pub enum Browse<'a> {
    /// The volumes of one series (by series id).
    Series(&'a str),
    /// The volumes with any of these top-level subjects (as [`SearchIndex::topics`] names them).
    Topics(&'a [String]),
    /// Every volume.
    All,
}

impl SearchIndex {
    /// Lists volumes without a query: the most popular first (ratings), then by id; `total`
    /// is exact. `NotMature` leaves out volumes rated `MATURE`.
    ///
    /// # Errors
    /// [`SearchError::Engine`] on I/O errors reading the index.
    pub fn browse(
        &self,
        what: Browse<'_>,
        start: u32,
        max: u32,
        max_maturity: Option<colophon_domain::MaturityRating>,
    ) -> Result<SearchResults, SearchError> {
        let inner = &*self.inner;
        let f = &inner.fields;
        let base: Box<dyn Query> = match what {
            Browse::Series(id) => {
                Box::new(TermSetQuery::new([Term::from_field_text(f.series, id)]))
            }
            Browse::Topics(names) => Box::new(TermSetQuery::new(
                names.iter().map(|n| Term::from_field_text(f.topic, n)),
            )),
            Browse::All => Box::new(AllQuery),
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(ConstScoreQuery::new(base, 1.0)))];
        if max_maturity == Some(colophon_domain::MaturityRating::NotMature) {
            clauses.push((
                Occur::MustNot,
                Box::new(TermSetQuery::new([Term::from_field_text(
                    f.tags,
                    &format!("{}MATURE", tags::MATURITY),
                )])),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = inner.reader.searcher();
        let collector = PageCollector {
            order: colophon_domain::OrderBy::Relevance,
            limit: if max == 0 {
                0
            } else {
                start as usize + max as usize
            },
        };
        let page = searcher.search(&query, &collector)?;
        let hits = page
            .best
            .iter()
            .skip(start as usize)
            .filter_map(|c| decode_id(c.id.0, c.id.1))
            .map(|id| SearchHit {
                id,
                score: 0.0,
                snippet: None,
            })
            .collect();
        Ok(SearchResults {
            total: page.total,
            hits,
            snippets_from_description: false,
        })
    }

    /// The catalog's largest top-level subjects (the `topic` values) with their numbers of
    /// volumes, most volumes first, then by name; at most `limit`.
    ///
    /// # Errors
    /// [`SearchError::Engine`] on I/O errors reading the index.
    pub fn topics(&self, limit: usize) -> Result<Vec<(String, u64)>, SearchError> {
        let searcher = self.inner.reader.searcher();
        let field = self.inner.fields.topic;
        // Document frequencies count deleted documents until segments merge: they only pick
        // the candidates (twice as many as asked), whose live counts are then taken exactly.
        let mut candidates: Vec<(String, u64)> = self.topic_frequencies()?.into_iter().collect();
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        candidates.truncate(limit.saturating_mul(2));
        let mut out = Vec::with_capacity(candidates.len());
        for (name, _) in candidates {
            let q = TermSetQuery::new([Term::from_field_text(field, &name)]);
            let n = searcher.search(&q, &tantivy::collector::Count)? as u64;
            if n > 0 {
                out.push((name, n));
            }
        }
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.truncate(limit);
        Ok(out)
    }

    /// Every top-level subject of the catalog (the `topic` values), in byte order.
    ///
    /// # Errors
    /// [`SearchError::Engine`] on I/O errors reading the index.
    pub fn topic_names(&self) -> Result<Vec<String>, SearchError> {
        let mut names: Vec<String> = self.topic_frequencies()?.into_keys().collect();
        names.sort();
        Ok(names)
    }

    /// The `topic` terms with their document frequencies summed over the segments.
    fn topic_frequencies(&self) -> Result<std::collections::HashMap<String, u64>, SearchError> {
        let searcher = self.inner.reader.searcher();
        let mut out: std::collections::HashMap<String, u64> = Default::default();
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(self.inner.fields.topic)?;
            let mut stream = index.terms().stream().map_err(TantivyError::from)?;
            while stream.advance() {
                if let Ok(name) = std::str::from_utf8(stream.key()) {
                    *out.entry(name.to_owned()).or_default() += u64::from(stream.value().doc_freq);
                }
            }
        }
        Ok(out)
    }
}

/// The snippet of one hit: from the description, or from the full text when that has
/// more of the query's words.
fn snippet_for(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    candidate: &Candidate,
    analyzer: &mut TextAnalyzer,
    words: &[String],
) -> Result<Option<String>, SearchError> {
    let doc: TantivyDocument = searcher.doc(candidate.doc)?;
    let description = doc
        .get_first(fields.description)
        .and_then(|v| v.as_str())
        .filter(|s| !s.trim().is_empty());
    let full_text = doc.get_first(fields.full_text).and_then(|v| v.as_str());
    let described = description.map(|d| (d, snippet::find_matches(analyzer, d, words)));
    let found = described.as_ref().map_or(0, |(_, m)| m.distinct as usize);
    if found < words.len() {
        if let Some(text) = full_text {
            let matches = snippet::find_matches(analyzer, text, words);
            if matches.distinct as usize > found {
                return Ok(snippet::render(text, &matches, Source::FullText));
            }
        }
    }
    Ok(described.and_then(|(d, m)| snippet::render(d, &m, Source::Description)))
}

/// The single writer of a [`SearchIndex`]. Changes are buffered (in memory, then in new
/// segments) and become durable and visible together at [`IndexUpdater::commit`]; dropping
/// the updater without committing discards them.
///
/// Bulk loading: call [`IndexUpdater::upsert`] for every record and commit once per batch
/// (thousands of records), not per record.
pub struct IndexUpdater {
    writer: IndexWriter<TantivyDocument>,
    inner: Arc<Inner>,
    keys: TextAnalyzer,
    native: NativeStemmers,
    pending: u64,
}

impl std::fmt::Debug for IndexUpdater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexUpdater")
            .field("pending", &self.pending)
            .finish()
    }
}

impl IndexUpdater {
    /// Adds a volume, replacing any volume with the same id. `full_text` (the book's text,
    /// if known) is searched by plain words and used for snippets.
    ///
    /// # Errors
    /// [`SearchError::Engine`] if the indexing threads have failed.
    pub fn upsert(
        &mut self,
        record: &VolumeRecord,
        full_text: Option<&str>,
    ) -> Result<(), SearchError> {
        let doc = self.document(record, full_text);
        let f = &self.inner.fields;
        self.writer
            .delete_term(Term::from_field_text(f.id, record.id.as_str()));
        self.writer.add_document(doc)?;
        self.pending += 1;
        Ok(())
    }

    /// Removes a volume (no-op if absent).
    ///
    /// # Errors
    /// Never at present; kept fallible for other engines.
    pub fn delete(&mut self, id: &VolumeId) -> Result<(), SearchError> {
        self.writer
            .delete_term(Term::from_field_text(self.inner.fields.id, id.as_str()));
        self.pending += 1;
        Ok(())
    }

    /// Removes every volume, including those upserted before in this batch; later upserts
    /// are kept. Searches see the old content until [`IndexUpdater::commit`], so a rebuild
    /// (`clear`, upserts, `commit`) never shows an empty index.
    ///
    /// # Errors
    /// [`SearchError::Engine`] if the indexing threads have failed.
    pub fn clear(&mut self) -> Result<(), SearchError> {
        self.writer.delete_query(Box::new(AllQuery))?;
        self.pending += 1;
        Ok(())
    }

    /// Number of operations since the last commit (or rollback).
    pub fn pending(&self) -> u64 {
        self.pending
    }

    /// Makes every change so far durable and visible: when this returns, searches of this
    /// process see them (other processes within the reader's watch delay, or at once after
    /// [`SearchIndex::reload`]).
    ///
    /// # Errors
    /// [`SearchError::Engine`] on I/O errors; the changes are then lost.
    pub fn commit(&mut self) -> Result<(), SearchError> {
        self.writer.commit()?;
        self.pending = 0;
        self.inner.reader.reload()?;
        Ok(())
    }

    /// Discards every change since the last commit.
    ///
    /// # Errors
    /// [`SearchError::Engine`] if tantivy cannot restart its writer.
    pub fn rollback(&mut self) -> Result<(), SearchError> {
        self.writer.rollback()?;
        self.pending = 0;
        Ok(())
    }

    /// Waits for background segment merges to finish and releases the write lock (e.g. at
    /// the end of an import).
    ///
    /// # Errors
    /// [`SearchError::Engine`] if a merge failed.
    pub fn finish(self) -> Result<(), SearchError> {
        Ok(self.writer.wait_merging_threads()?)
    }

    fn document(&mut self, record: &VolumeRecord, full_text: Option<&str>) -> TantivyDocument {
        let inner = Arc::clone(&self.inner);
        let f = &inner.fields;
        let info = &record.volume_info;
        let mut doc = TantivyDocument::new();
        let id = record.id.as_str();
        doc.add_text(f.id, id);
        doc.add_text(f.id_ci, id.to_ascii_lowercase());
        let (hi, lo) = encode_id(&record.id);
        doc.add_u64(f.id_hi, hi);
        doc.add_u64(f.id_lo, lo);

        fn add_to(
            doc: &mut TantivyDocument,
            field: tantivy::schema::Field,
            value: Option<&String>,
        ) {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                doc.add_text(field, v);
            }
        }
        add_to(&mut doc, f.title, info.title.as_ref());
        add_to(&mut doc, f.subtitle, info.subtitle.as_ref());
        add_to(&mut doc, f.publisher, info.publisher.as_ref());
        add_to(&mut doc, f.description, info.description.as_ref());
        for author in info.authors.iter().flatten() {
            add_to(&mut doc, f.authors, Some(author));
        }
        for category in info.categories.iter().flatten() {
            add_to(&mut doc, f.categories, Some(category));
        }
        if let Some(text) = full_text.filter(|t| !t.trim().is_empty()) {
            doc.add_text(f.full_text, text);
        }

        add_to(&mut doc, f.plain, info.title.as_ref());
        add_to(&mut doc, f.plain, info.subtitle.as_ref());
        let mut surnames = Vec::new();
        for author in info.authors.iter().flatten() {
            add_to(&mut doc, f.plain, Some(author));
            let key = title_key(&mut self.keys, author);
            if let Some(surname) = key.rsplit(' ').next().filter(|s| !s.is_empty()) {
                surnames.push(surname.to_owned());
            }
            if !key.is_empty() {
                doc.add_text(f.author_key, key);
            }
        }
        if let Some(title) = info.title.as_deref() {
            let key = title_key(&mut self.keys, title);
            if !key.is_empty() {
                doc.add_text(f.title_key, &key);
                // "pride and prejudice austen", "austen pride and prejudice".
                for surname in &surnames {
                    doc.add_text(f.title_key, format!("{key} {surname}"));
                    doc.add_text(f.title_key, format!("{surname} {key}"));
                }
            }
            if let Some(subtitle) = info.subtitle.as_deref() {
                let sub = title_key(&mut self.keys, subtitle);
                if !sub.is_empty() {
                    doc.add_text(f.title_key, format!("{key} {sub}").trim_start());
                }
            }
        }

        if let Some(lang) = info.language.as_deref().and_then(native::language_of) {
            let mut head = String::new();
            for text in [&info.title, &info.subtitle].into_iter().flatten() {
                self.native.append_terms(lang, text, &mut head);
            }
            let mut body = String::new();
            for text in info.categories.iter().flatten() {
                self.native.append_terms(lang, text, &mut body);
            }
            if let Some(text) = &info.description {
                self.native.append_terms(lang, text, &mut body);
            }
            if !head.is_empty() {
                doc.add_text(f.native_title, head);
            }
            if !body.is_empty() {
                doc.add_text(f.native_text, body);
            }
        }

        for isbn in record.isbns() {
            doc.add_text(f.isbn, isbn.isbn13());
        }
        for lccn in record
            .other_identifiers("LCCN")
            .map(normalize_lccn)
            .filter(|v| !v.is_empty())
        {
            doc.add_text(f.lccn, lccn);
        }
        for oclc in record
            .other_identifiers("OCLC")
            .map(normalize_oclc)
            .filter(|v| !v.is_empty())
        {
            doc.add_text(f.oclc, oclc);
        }

        let mut tag = |prefix: &str, value: Option<&str>, upper: bool| {
            if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
                let v = if upper {
                    v.to_ascii_uppercase()
                } else {
                    v.to_lowercase()
                };
                doc.add_text(f.tags, format!("{prefix}{v}"));
            }
        };
        tag(tags::PRINT_TYPE, info.print_type.as_deref(), true);
        tag(tags::LANGUAGE, info.language.as_deref(), false);
        tag(tags::MATURITY, info.maturity_rating.as_deref(), true);
        let sale = record.sale_info.as_ref();
        // The same accessInfo responses show, so that `filter` and `download` agree with it.
        let effective = colophon_domain::access::access_info(record, None);
        let access = effective.as_ref();
        tag(
            tags::SALEABILITY,
            sale.and_then(|s| s.saleability.as_deref()),
            true,
        );
        tag(
            tags::VIEWABILITY,
            access.and_then(|a| a.viewability.as_deref()),
            true,
        );
        if sale.and_then(|s| s.is_ebook) == Some(true) {
            doc.add_text(f.tags, tags::EBOOK);
        }
        if access
            .and_then(|a| a.epub.as_ref())
            .and_then(|e| e.is_available)
            == Some(true)
        {
            doc.add_text(f.tags, tags::EPUB);
        }
        for m in colophon_domain::series::memberships(record) {
            doc.add_text(f.series, m.series_id);
        }
        let mut topics: Vec<String> = info
            .categories
            .iter()
            .flatten()
            .filter_map(|c| colophon_domain::series::top_level_subject(c))
            .collect();
        topics.sort();
        topics.dedup();
        for t in topics {
            doc.add_text(f.topic, t);
        }
        doc.add_u64(f.date, date_key(info.published_date.as_deref()));
        let ratings = info
            .ratings_count
            .map_or(0, |n| u64::try_from(n).unwrap_or(0));
        doc.add_u64(f.popularity, ratings);
        doc
    }
}
