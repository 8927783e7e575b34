//! SQLite FTS5: a contentless FTS5 table (`unicode61`, no stemming, no diacritic folding —
//! as the other peers) over the text fields, the `Volume` JSON in an ordinary table, ISBNs in
//! a `WITHOUT ROWID` table. Ranked by FTS5's built-in `rank` (BM25).

use std::path::Path;
use std::sync::Mutex;

use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension};

use crate::catalog::Doc;
use crate::page::Hits;
use crate::query::{self, PeerQuery};

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
CREATE TABLE vol (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, json TEXT NOT NULL);
CREATE TABLE isbn (isbn TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (isbn, rid)) WITHOUT ROWID;
CREATE VIRTUAL TABLE fts USING fts5(
  title, authors, publisher, subjects, description,
  content = '', tokenize = 'unicode61 remove_diacritics 0'
);
";

/// Builds the database `dir/fts5.db` from `docs`: one transaction, then FTS5 `optimize`.
pub fn build(dir: &Path, catalog: &Path) -> Result<u64> {
    std::fs::create_dir_all(dir)?;
    let mut conn = Connection::open(dir.join("fts5.db"))?;
    conn.execute_batch(SCHEMA)?;
    let tx = conn.transaction()?;
    let n = {
        let mut vol = tx.prepare("INSERT INTO vol (rid, id, json) VALUES (?1, ?2, ?3)")?;
        let mut isbn = tx.prepare("INSERT OR IGNORE INTO isbn (isbn, rid) VALUES (?1, ?2)")?;
        let mut fts = tx.prepare(
            "INSERT INTO fts (rowid, title, authors, publisher, subjects, description) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let mut rid: i64 = 0;
        crate::catalog::read(catalog, |d: Doc| {
            rid += 1;
            vol.execute(params![rid, d.id, d.json])?;
            for i in &d.isbns {
                isbn.execute(params![i, rid])?;
            }
            fts.execute(params![
                rid,
                d.title,
                d.authors,
                d.publisher,
                d.subjects,
                d.description
            ])?;
            Ok(())
        })?
    };
    tx.commit()?;
    conn.execute_batch("INSERT INTO fts (fts) VALUES ('optimize'); ANALYZE;")?;
    Ok(n)
}

/// The opened database (one connection: the front serves from one thread).
pub struct Fts5Peer {
    conn: Mutex<Connection>,
}

/// The FTS5 `MATCH` expression of the text clauses: every word a quoted string (so no word is
/// taken for an operator), a phrase one quoted string, a field a column filter.
pub fn match_expr(q: &PeerQuery) -> String {
    let mut parts = Vec::new();
    for c in &q.clauses {
        let col = match c.field {
            query::Field::Any => "",
            query::Field::Title => "title : ",
            query::Field::Author => "authors : ",
            query::Field::Publisher => "publisher : ",
            query::Field::Subject => "subjects : ",
        };
        if c.phrase {
            parts.push(format!("{col}\"{}\"", c.words.join(" ")));
        } else {
            parts.extend(c.words.iter().map(|w| format!("{col}\"{w}\"")));
        }
    }
    parts.join(" AND ")
}

impl Fts5Peer {
    /// Opens `dir/fts5.db`.
    pub fn open(dir: &Path) -> Result<Self> {
        let conn = Connection::open(dir.join("fts5.db"))?;
        conn.execute_batch("PRAGMA query_only = 1; PRAGMA cache_size = -262144;")?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// One page of hits.
    pub fn search(&self, q: &PeerQuery) -> Result<Hits> {
        if q.matches_nothing() {
            return Ok(Hits::default());
        }
        let conn = self.conn.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        if let Some(isbn) = q.isbn_only() {
            let mut st = conn.prepare_cached(
                "SELECT v.json FROM isbn i JOIN vol v ON v.rid = i.rid WHERE i.isbn = ?1 ORDER BY v.rid",
            )?;
            let all: Vec<String> = st
                .query_map([isbn], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            return Ok(page_of(all, q));
        }
        if !q.isbns.is_empty() {
            anyhow::bail!("ISBN with other clauses is not part of the benchmark");
        }
        let expr = match_expr(q);
        let total: i64 = conn
            .prepare_cached("SELECT count(*) FROM fts WHERE fts MATCH ?1")?
            .query_row([&expr], |r| r.get(0))?;
        let mut st = conn.prepare_cached(
            "SELECT v.json FROM (SELECT rowid AS rid, rank AS r FROM fts WHERE fts MATCH ?1 \
             ORDER BY rank LIMIT ?2 OFFSET ?3) h JOIN vol v ON v.rid = h.rid ORDER BY h.r",
        )?;
        let docs = st
            .query_map(params![expr, q.max, q.start], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(Hits {
            total: total as u64,
            docs,
        })
    }

    /// The stored volume with this id.
    pub fn get(&self, id: &str) -> Result<Option<String>> {
        let conn = self.conn.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        let mut st = conn.prepare_cached("SELECT json FROM vol WHERE id = ?1")?;
        Ok(st.query_row([id], |r| r.get(0)).optional()?)
    }
}

/// The requested page of an already complete, ordered hit list.
pub fn page_of(all: Vec<String>, q: &PeerQuery) -> Hits {
    Hits {
        total: all.len() as u64,
        docs: all
            .into_iter()
            .skip(q.start as usize)
            .take(q.max as usize)
            .collect(),
    }
}
