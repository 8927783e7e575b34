//! Turns a [`ParsedQuery`] and the request's filters into one tantivy query.
//!
//! Every filter is a clause of that query, so counting its matches gives the exact total.

use colophon_domain::{Download, Filter, Isbn, MaturityRating, PrintType, SearchRequest};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

use crate::analysis::{
    analyze_into, looks_like_isbn, looks_like_volume_id, normalize_lccn, normalize_oclc, title_key,
};
use crate::native::{NativeLanguage, NativeStemmers};
use crate::plain_seek::PlainSeek;
use crate::query::{Clause, ParsedQuery, QueryField};
use crate::schema::{tags, Boosts, Fields};

/// The tantivy query of a search, plus what the snippets need.
pub(crate) struct Compiled {
    /// The query; `None` when nothing can match (no searchable positive clause, or an
    /// identifier clause that is not a valid identifier).
    pub query: Option<Box<dyn Query>>,
    /// Distinct analyzed tokens of the positive plain words and phrases, to highlight.
    pub highlight: Vec<String>,
}

/// What one clause becomes.
enum ClauseQuery {
    /// A query to require (or exclude).
    Query(Box<dyn Query>),
    /// Matches no document (e.g. `isbn:` with an invalid ISBN).
    Nothing,
    /// Nothing searchable (only punctuation, emoji, …): ignored.
    Skip,
}

/// Analyzers and scratch space reused while compiling.
pub(crate) struct Compiler<'a> {
    pub fields: &'a Fields,
    pub text: TextAnalyzer,
    pub keys: TextAnalyzer,
    tokens: Vec<(usize, String)>,
    /// Unstemmed forms of `tokens`, same positions.
    plain_tokens: Vec<(usize, String)>,
    /// Compile typo-tolerant word clauses ([`Compiler::compile_fuzzy`]).
    fuzzy: bool,
    /// The catalog's languages with a stemmer of their own: each plain word is also looked
    /// up stemmed in each of them ([`crate::native`]).
    pub native_languages: Vec<NativeLanguage>,
    native: NativeStemmers,
}

/// Shortest word (in characters) allowed one typo; from [`TWO_TYPOS_FROM`] on, two.
const ONE_TYPO_FROM: usize = 5;
const TWO_TYPOS_FROM: usize = 9;
/// Most consecutive word pairs that get a proximity clause.
const MAX_NEAR_PAIRS: usize = 8;
/// Words a query needs before the proximity of its words in the full text counts.
const NEAR_FULL_TEXT_FROM: usize = 5;
/// Word clauses a query needs before, in typo-tolerant mode, one of them may match nothing
/// at all (a passage remembered with a word wrong or missing).
const ONE_MISSING_FROM: usize = 5;

impl<'a> Compiler<'a> {
    pub fn new(fields: &'a Fields, text: TextAnalyzer, keys: TextAnalyzer) -> Self {
        Self {
            fields,
            text,
            keys,
            tokens: Vec::new(),
            plain_tokens: Vec::new(),
            fuzzy: false,
            native_languages: Vec::new(),
            native: NativeStemmers::default(),
        }
    }

    /// Like [`Compiler::compile`], with typo tolerance: a plain word (not a keyword's: see
    /// [`Compiler::words`]) of 5 letters or more also matches the words of titles, subtitles
    /// and authors one
    /// edit away (two from 9 letters; a transposition is one edit), at a fraction of an
    /// exact match's score; and a query of 5 plain words or more may miss one of them
    /// entirely (a passage remembered with one word wrong). The query is `None` when no
    /// word is long enough to change anything.
    pub fn compile_fuzzy(&mut self, parsed: &ParsedQuery, req: &SearchRequest) -> Compiled {
        let tolerant = parsed.positive().any(|c| {
            !c.phrase
                && c.field == QueryField::Any
                && c.text.chars().all(char::is_alphabetic)
                && c.text.chars().count() >= ONE_TYPO_FROM
        });
        if !tolerant {
            return Compiled {
                query: None,
                highlight: Vec::new(),
            };
        }
        self.fuzzy = true;
        let compiled = self.compile(parsed, req);
        self.fuzzy = false;
        compiled
    }

    /// Compiles `parsed` with the filters of `req`.
    pub fn compile(&mut self, parsed: &ParsedQuery, req: &SearchRequest) -> Compiled {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            Vec::with_capacity(parsed.clauses.len() + 8);
        let mut highlight = Vec::new();
        let mut positive = 0usize;
        // Plain words, kept apart in typo-tolerant mode: a long query may miss one.
        let mut words: Vec<Box<dyn Query>> = Vec::new();
        for clause in &parsed.clauses {
            match (self.clause(clause, &mut highlight), clause.negated) {
                (ClauseQuery::Query(q), false) => {
                    positive += 1;
                    if self.fuzzy && clause.field == QueryField::Any && !clause.phrase {
                        words.push(q);
                    } else {
                        clauses.push((Occur::Must, q));
                    }
                }
                (ClauseQuery::Query(q), true) => clauses.push((Occur::MustNot, q)),
                (ClauseQuery::Nothing, false) => {
                    return Compiled {
                        query: None,
                        highlight,
                    }
                }
                (ClauseQuery::Nothing | ClauseQuery::Skip, _) => {}
            }
        }
        if positive == 0 {
            return Compiled {
                query: None,
                highlight,
            };
        }
        if words.len() >= ONE_MISSING_FROM {
            let required = words.len() - 1;
            clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::union_with_minimum_required_clauses(
                    words, required,
                )),
            ));
        } else {
            clauses.extend(words.into_iter().map(|q| (Occur::Must, q)));
        }
        if let Some(q) = self.exact_title(parsed) {
            clauses.push((Occur::Should, q));
        }
        self.word_form_and_proximity(parsed, &mut clauses);
        self.filters(req, &mut clauses);
        if clauses.len() == 1 && clauses[0].0 == Occur::Must {
            let (_, q) = clauses.pop().expect("one clause");
            return Compiled {
                query: Some(q),
                highlight,
            };
        }
        Compiled {
            query: Some(Box::new(BooleanQuery::new(clauses))),
            highlight,
        }
    }

    fn clause(&mut self, clause: &Clause, highlight: &mut Vec<String>) -> ClauseQuery {
        let f = self.fields;
        match clause.field {
            QueryField::Any => {
                self.analyze(&clause.text);
                if !clause.negated {
                    for (_, token) in &self.tokens {
                        if !highlight.contains(token) {
                            highlight.push(token.clone());
                        }
                    }
                }
                let any = [
                    (f.title, Boosts::TITLE),
                    (f.subtitle, Boosts::SUBTITLE),
                    (f.authors, Boosts::AUTHORS),
                    (f.categories, Boosts::CATEGORIES),
                    (f.publisher, Boosts::PUBLISHER),
                    (f.description, Boosts::DESCRIPTION),
                    (f.full_text, Boosts::FULL_TEXT),
                ];
                let mut shoulds = self.text_queries(&any);
                if !clause.phrase {
                    shoulds.extend(self.native_queries(
                        &clause.text,
                        &[
                            (f.native_title, Boosts::TITLE),
                            (f.native_text, Boosts::DESCRIPTION),
                        ],
                    ));
                    // Not in the description and full text: their dictionaries are large
                    // (slow to walk with an automaton) and full of near-words.
                    shoulds.extend(self.fuzzy_query());
                    if looks_like_volume_id(&clause.text) {
                        shoulds.push(exact(f.id_ci, &clause.text.to_ascii_lowercase()));
                    }
                    if looks_like_isbn(&clause.text) {
                        if let Ok(isbn) = Isbn::parse(&clause.text) {
                            shoulds.push(exact(f.isbn, isbn.isbn13()));
                        }
                    }
                }
                any_of(shoulds)
            }
            QueryField::Title => {
                let mut queries = self.text_queries_of(
                    &clause.text,
                    &[(f.title, Boosts::TITLE), (f.subtitle, Boosts::SUBTITLE)],
                );
                if !clause.phrase {
                    queries.extend(
                        self.native_queries(&clause.text, &[(f.native_title, Boosts::TITLE)]),
                    );
                }
                any_of(queries)
            }
            QueryField::Author => self.words(clause, &[(f.authors, Boosts::AUTHORS)]),
            QueryField::Publisher => self.words(clause, &[(f.publisher, Boosts::PUBLISHER)]),
            QueryField::Subject => self.words(clause, &[(f.categories, Boosts::CATEGORIES)]),
            QueryField::Isbn => match Isbn::parse(&clause.text) {
                Ok(isbn) => ClauseQuery::Query(exact(f.isbn, isbn.isbn13())),
                Err(_) => ClauseQuery::Nothing,
            },
            QueryField::Lccn => identifier(f.lccn, normalize_lccn(&clause.text)),
            QueryField::Oclc => identifier(f.oclc, normalize_oclc(&clause.text)),
        }
    }

    /// A keyword clause's word or phrase over `fields`. Keywords stay exact in fuzzy mode too:
    /// they are how programs (metadata tools, `intitle:X inauthor:Y`) look up a known book,
    /// and a near-miss there is a wrong answer rather than a help.
    fn words(&mut self, clause: &Clause, fields: &[(Field, f32)]) -> ClauseQuery {
        any_of(self.text_queries_of(&clause.text, fields))
    }

    fn text_queries_of(&mut self, text: &str, fields: &[(Field, f32)]) -> Vec<Box<dyn Query>> {
        self.analyze(text);
        self.text_queries(fields)
    }

    /// For a one-word clause: the word stemmed in each of the catalog's own-stemmer languages,
    /// looked up under that language's prefix in `fields` (only that language's volumes have
    /// such terms). Nothing for several words: those fields keep no positions.
    fn native_queries(&mut self, text: &str, fields: &[(Field, f32)]) -> Vec<Box<dyn Query>> {
        let mut terms: Vec<String> = Vec::new();
        for &lang in &self.native_languages {
            if let Some(term) = self.native.term(lang, text) {
                terms.push(term);
            }
        }
        let mut out = Vec::with_capacity(terms.len() * fields.len());
        for term in &terms {
            for &(field, boost) in fields {
                let q = TermQuery::new(
                    Term::from_field_text(field, term),
                    IndexRecordOption::WithFreqs,
                );
                out.push(Box::new(BoostQuery::new(Box::new(q), boost)) as Box<dyn Query>);
            }
        }
        out
    }

    fn analyze(&mut self, text: &str) {
        self.tokens.clear();
        analyze_into(&mut self.text, text, &mut self.tokens);
        if self.fuzzy {
            self.plain_tokens.clear();
            analyze_into(&mut self.keys, text, &mut self.plain_tokens);
        }
    }

    /// In fuzzy mode, for a one-token plain word long enough: the words one or two edits
    /// away (by the word's length) in titles, subtitles and authors — one automaton walk over
    /// the `plain` field (their unstemmed words), typos compared with words as written.
    fn fuzzy_query(&self) -> Option<Box<dyn Query>> {
        if !self.fuzzy {
            return None;
        }
        let [(_, plain)] = self.plain_tokens.as_slice() else {
            return None;
        };
        if !plain.chars().all(char::is_alphabetic) {
            // Numbers, codes, ISBNs: a typo there names something else.
            return None;
        }
        let distance = match plain.chars().count() {
            n if n >= TWO_TYPOS_FROM => 2,
            n if n >= ONE_TYPO_FROM => 1,
            _ => return None,
        };
        let q = FuzzyTermQuery::new(
            Term::from_field_text(self.fields.plain, plain),
            distance,
            true,
        );
        Some(Box::new(BoostQuery::new(
            Box::new(q),
            Boosts::TITLE * Boosts::FUZZY_SHARE,
        )))
    }

    /// Ranking clauses over the positive plain words (and `intitle:`/`inauthor:` words), in
    /// query order: each word's exact form in the title, subtitle or authors (above a
    /// stemmed-only match), and each pair of consecutive words close together in the
    /// title, the authors, the description or the full text.
    fn word_form_and_proximity(
        &mut self,
        parsed: &ParsedQuery,
        clauses: &mut Vec<(Occur, Box<dyn Query>)>,
    ) {
        let mut stems: Vec<String> = Vec::new();
        let mut forms: Vec<String> = Vec::new();
        let mut scratch = Vec::new();
        for clause in parsed.positive() {
            if clause.phrase
                || !matches!(
                    clause.field,
                    QueryField::Any | QueryField::Title | QueryField::Author
                )
            {
                continue;
            }
            scratch.clear();
            analyze_into(&mut self.text, &clause.text, &mut scratch);
            stems.extend(scratch.drain(..).map(|(_, t)| t));
            analyze_into(&mut self.keys, &clause.text, &mut scratch);
            for (_, form) in scratch.drain(..) {
                if !forms.contains(&form) {
                    forms.push(form);
                }
            }
        }
        let f = self.fields;
        for form in &forms {
            let q = TermQuery::new(
                Term::from_field_text(f.plain, form),
                IndexRecordOption::WithFreqs,
            );
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(q), Boosts::PLAIN)),
            ));
        }
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for pair in stems.windows(2) {
            let p = (pair[0].as_str(), pair[1].as_str());
            if p.0 != p.1 && !pairs.contains(&p) && pairs.len() < MAX_NEAR_PAIRS {
                pairs.push(p);
            }
        }
        // Proximity in the full text only for queries long enough to be a remembered
        // passage: for short ones it is costly (long position lists) and says little.
        let near_fields: &[(Field, f32)] = if stems.len() >= NEAR_FULL_TEXT_FROM {
            &[
                (f.title, Boosts::NEAR_TITLE),
                (f.authors, Boosts::NEAR_AUTHORS),
                (f.description, Boosts::NEAR_TEXT),
                (f.full_text, Boosts::NEAR_TEXT),
            ]
        } else {
            &[
                (f.title, Boosts::NEAR_TITLE),
                (f.authors, Boosts::NEAR_AUTHORS),
                (f.description, Boosts::NEAR_TEXT),
            ]
        };
        for (a, b) in pairs {
            for &(field, boost) in near_fields {
                let mut phrase = PhraseQuery::new(vec![
                    Term::from_field_text(field, a),
                    Term::from_field_text(field, b),
                ]);
                phrase.set_slop(1);
                let q = Box::new(PlainSeek(Box::new(phrase)));
                clauses.push((Occur::Should, Box::new(BoostQuery::new(q, boost))));
            }
        }
    }

    /// One boosted term or phrase query per field for the current tokens (none when there
    /// are no tokens).
    fn text_queries(&self, fields: &[(Field, f32)]) -> Vec<Box<dyn Query>> {
        if self.tokens.is_empty() {
            return Vec::new();
        }
        fields
            .iter()
            .map(|&(field, boost)| {
                let q: Box<dyn Query> = if let [(_, token)] = self.tokens.as_slice() {
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, token),
                        IndexRecordOption::WithFreqs,
                    ))
                } else {
                    let first = self.tokens[0].0;
                    let terms = self
                        .tokens
                        .iter()
                        .map(|(pos, token)| (pos - first, Term::from_field_text(field, token)))
                        .collect();
                    Box::new(PlainSeek(Box::new(PhraseQuery::new_with_offset(terms))))
                };
                Box::new(BoostQuery::new(q, boost)) as Box<dyn Query>
            })
            .collect()
    }

    /// A constant bonus when the positive words (plain or `intitle:`) are exactly the title,
    /// the title and subtitle, the title and an author's surname, or an author's name.
    fn exact_title(&mut self, parsed: &ParsedQuery) -> Option<Box<dyn Query>> {
        let mut joined = String::new();
        for clause in parsed.positive() {
            if !matches!(clause.field, QueryField::Any | QueryField::Title) {
                return None;
            }
            joined.push_str(&clause.text);
            joined.push(' ');
        }
        let key = title_key(&mut self.keys, &joined);
        if key.is_empty() {
            return None;
        }
        // The whole query may be the title (with or without the author's surname) or one
        // author's full name.
        Some(Box::new(BooleanQuery::new(vec![
            (Occur::Should, exact(self.fields.title_key, &key)),
            (
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    tag_query(self.fields.author_key, &key),
                    Boosts::EXACT_AUTHOR,
                )),
            ),
        ])))
    }

    /// Appends the clauses of the request's filters.
    fn filters(&self, req: &SearchRequest, clauses: &mut Vec<(Occur, Box<dyn Query>)>) {
        let tag = |value: &str| tag_query(self.fields.tags, value);
        let tags_any = |values: &[&str]| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(
                values.iter().map(|v| (Occur::Should, tag(v))).collect(),
            ))
        };
        let mut must =
            |q: Box<dyn Query>| clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
        match req.print_type {
            PrintType::All => {}
            PrintType::Books => must(tag(&format!("{}BOOK", tags::PRINT_TYPE))),
            PrintType::Magazines => must(tag(&format!("{}MAGAZINE", tags::PRINT_TYPE))),
        }
        if let Some(lang) = req.lang_restrict.as_deref() {
            must(tag(&format!(
                "{}{}",
                tags::LANGUAGE,
                lang.trim().to_lowercase()
            )));
        }
        match req.filter {
            None => {}
            Some(Filter::Partial) => must(tags_any(&["view:PARTIAL", "view:ALL_PAGES"])),
            Some(Filter::Full) => must(tag("view:ALL_PAGES")),
            Some(Filter::FreeEbooks) => must(tag("sale:FREE")),
            Some(Filter::PaidEbooks) => {
                must(tag(tags::EBOOK));
                must(tags_any(&[
                    "sale:FOR_SALE",
                    "sale:FOR_SALE_AND_RENTAL",
                    "sale:FOR_RENTAL_ONLY",
                    "sale:FOR_PREORDER",
                ]));
            }
            Some(Filter::Ebooks) => must(tag(tags::EBOOK)),
        }
        if let Some(Download::Epub) = req.download {
            must(tag(tags::EPUB));
        }
        if let Some(MaturityRating::NotMature) = req.max_maturity {
            clauses.push((Occur::MustNot, tag("mat:MATURE")));
        }
        if !req.show_preorders {
            clauses.push((Occur::MustNot, tag("sale:FOR_PREORDER")));
        }
    }
}

fn tag_query(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// An exact match on a raw field, worth a constant [`Boosts::EXACT`].
fn exact(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(tag_query(field, value), Boosts::EXACT))
}

fn identifier(field: Field, value: String) -> ClauseQuery {
    if value.is_empty() {
        ClauseQuery::Nothing
    } else {
        ClauseQuery::Query(exact(field, &value))
    }
}

fn any_of(mut queries: Vec<Box<dyn Query>>) -> ClauseQuery {
    match queries.len() {
        0 => ClauseQuery::Skip,
        1 => ClauseQuery::Query(queries.pop().expect("one query")),
        _ => ClauseQuery::Query(Box::new(BooleanQuery::new(
            queries.into_iter().map(|q| (Occur::Should, q)).collect(),
        ))),
    }
}
