//! Plain tantivy: one text field per Books API field with tantivy's default analyzer (no
//! stemming), the ISBN-13s and the id as raw terms, the `Volume` JSON stored. Default BM25.

use std::path::Path;

use anyhow::Result;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, Value, STORED, STRING, TEXT};
use tantivy::{doc, Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::catalog::Doc;
use crate::page::Hits;
use crate::query::{self, PeerQuery};

struct Fields {
    id: Field,
    isbn: Field,
    title: Field,
    authors: Field,
    publisher: Field,
    subjects: Field,
    description: Field,
    json: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let f = Fields {
        id: b.add_text_field("id", STRING),
        isbn: b.add_text_field("isbn", STRING),
        title: b.add_text_field("title", TEXT),
        authors: b.add_text_field("authors", TEXT),
        publisher: b.add_text_field("publisher", TEXT),
        subjects: b.add_text_field("subjects", TEXT),
        description: b.add_text_field("description", TEXT),
        json: b.add_text_field("json", STORED),
    };
    (b.build(), f)
}

/// Builds the index in `dir` (created empty) from `docs`: commit, merges waited for.
pub fn build(dir: &Path, catalog: &Path) -> Result<u64> {
    std::fs::create_dir_all(dir)?;
    let (schema, f) = schema();
    let index = Index::create_in_dir(dir, schema)?;
    let mut writer = index.writer::<TantivyDocument>(512 << 20)?;
    let n = crate::catalog::read(catalog, |d: Doc| {
        let mut td = doc!(
            f.id => d.id,
            f.title => d.title,
            f.authors => d.authors,
            f.publisher => d.publisher,
            f.subjects => d.subjects,
            f.description => d.description,
            f.json => d.json,
        );
        for i in d.isbns {
            td.add_text(f.isbn, i);
        }
        writer.add_document(td)?;
        Ok(())
    })?;
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(n)
}

/// The opened index.
pub struct TantivyPeer {
    reader: IndexReader,
    f: Fields,
}

impl TantivyPeer {
    /// Opens the index built by [`build`].
    pub fn open(dir: &Path) -> Result<Self> {
        let index = Index::open_in_dir(dir)?;
        let (_, f) = schema();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self { reader, f })
    }

    fn text_fields(&self, field: query::Field) -> Vec<Field> {
        let f = &self.f;
        match field {
            query::Field::Any => vec![f.title, f.authors, f.publisher, f.subjects, f.description],
            query::Field::Title => vec![f.title],
            query::Field::Author => vec![f.authors],
            query::Field::Publisher => vec![f.publisher],
            query::Field::Subject => vec![f.subjects],
        }
    }

    fn compile(&self, q: &PeerQuery) -> Box<dyn Query> {
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for isbn in q.isbns.iter().flatten() {
            must.push((
                Occur::Must,
                term(self.f.isbn, isbn, IndexRecordOption::Basic),
            ));
        }
        for c in &q.clauses {
            let fields = self.text_fields(c.field);
            if c.phrase && c.words.len() > 1 {
                let alts = fields
                    .iter()
                    .map(|&fl| {
                        let terms = c
                            .words
                            .iter()
                            .map(|w| Term::from_field_text(fl, w))
                            .collect();
                        (
                            Occur::Should,
                            Box::new(PhraseQuery::new(terms)) as Box<dyn Query>,
                        )
                    })
                    .collect();
                must.push((Occur::Must, Box::new(BooleanQuery::new(alts))));
            } else {
                for w in &c.words {
                    let alts = fields
                        .iter()
                        .map(|&fl| (Occur::Should, term(fl, w, IndexRecordOption::WithFreqs)))
                        .collect();
                    must.push((Occur::Must, Box::new(BooleanQuery::new(alts))));
                }
            }
        }
        Box::new(BooleanQuery::new(must))
    }

    fn stored(&self, searcher: &tantivy::Searcher, addr: tantivy::DocAddress) -> Result<String> {
        let d: TantivyDocument = searcher.doc(addr)?;
        Ok(d.get_first(self.f.json)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned())
    }

    /// One page of hits.
    pub fn search(&self, q: &PeerQuery) -> Result<Hits> {
        if q.matches_nothing() {
            return Ok(Hits::default());
        }
        let searcher = self.reader.searcher();
        let query = self.compile(q);
        let top = TopDocs::with_limit(q.max.max(1) as usize)
            .and_offset(q.start as usize)
            .order_by_score();
        let (total, top) = searcher.search(&*query, &(Count, top))?;
        let docs = if q.max == 0 {
            Vec::new()
        } else {
            top.into_iter()
                .map(|(_, addr)| self.stored(&searcher, addr))
                .collect::<Result<_>>()?
        };
        Ok(Hits {
            total: total as u64,
            docs,
        })
    }

    /// The stored volume with this id.
    pub fn get(&self, id: &str) -> Result<Option<String>> {
        let searcher = self.reader.searcher();
        let q = term(self.f.id, id, IndexRecordOption::Basic);
        let top = searcher.search(&*q, &TopDocs::with_limit(1).order_by_score())?;
        top.first()
            .map(|(_, addr)| self.stored(&searcher, *addr))
            .transpose()
    }
}

fn term(field: Field, text: &str, opt: IndexRecordOption) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), opt))
}
