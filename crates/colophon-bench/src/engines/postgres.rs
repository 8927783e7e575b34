//! PostgreSQL full-text search: one `tsvector` per volume (`simple` configuration — no
//! stemming, as the other peers — weighted A title, B authors, C subjects, D publisher and
//! description, so `intitle:`/`inauthor:`/`subject:` are weight-restricted lexemes), with a
//! GIN index ranked by `ts_rank`, or a RUM index ranked by its `<=>` distance. ISBNs in a
//! side table with a B-tree primary key.

use anyhow::{Context, Result};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Row;

use crate::catalog::Doc;
use crate::page::Hits;
use crate::query::{self, PeerQuery};

/// Which index serves the text queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `USING gin (tsv)`, `ORDER BY ts_rank(tsv, q) DESC`.
    Gin,
    /// `USING rum (tsv rum_tsvector_ops)`, `ORDER BY tsv <=> q`.
    Rum,
}

impl Kind {
    fn table(self) -> &'static str {
        match self {
            Kind::Gin => "vol_gin",
            Kind::Rum => "vol_rum",
        }
    }
}

const TSV: &str = "setweight(to_tsvector('simple', title), 'A') || \
    setweight(to_tsvector('simple', authors), 'B') || \
    setweight(to_tsvector('simple', subjects), 'C') || \
    setweight(to_tsvector('simple', publisher || ' ' || description), 'D')";

async fn pool(url: &str, size: u32) -> Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(size)
        .connect(url)
        .await
        .with_context(|| format!("connecting to {url}"))
}

/// Escapes a COPY text-format field.
fn copy_field(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Loads the table of `kind` (COPY, tsvector computed by a generated column, ANALYZE).
/// Returns the number of volumes; the caller times it.
pub async fn load(url: &str, kind: Kind, docs: Vec<Doc>) -> Result<u64> {
    let pool = pool(url, 1).await?;
    let t = kind.table();
    sqlx::raw_sql(&format!(
        "DROP TABLE IF EXISTS {t}, {t}_isbn;
         CREATE TABLE {t} (
           rid int PRIMARY KEY, id text NOT NULL UNIQUE, json text NOT NULL,
           title text NOT NULL, authors text NOT NULL, subjects text NOT NULL,
           publisher text NOT NULL, description text NOT NULL,
           tsv tsvector GENERATED ALWAYS AS ({TSV}) STORED);
         CREATE TABLE {t}_isbn (isbn text NOT NULL, rid int NOT NULL, PRIMARY KEY (isbn, rid));"
    ))
    .execute(&pool)
    .await?;
    let mut conn = pool.acquire().await?;
    let mut copy = conn
        .copy_in_raw(&format!(
            "COPY {t} (rid, id, json, title, authors, subjects, publisher, description) FROM STDIN"
        ))
        .await?;
    let mut isbns = String::new();
    let mut buf = String::with_capacity(1 << 20);
    for (i, d) in docs.iter().enumerate() {
        let rid = i + 1;
        buf.push_str(&rid.to_string());
        for f in [
            &d.id,
            &d.json,
            &d.title,
            &d.authors,
            &d.subjects,
            &d.publisher,
            &d.description,
        ] {
            buf.push('\t');
            copy_field(&mut buf, f);
        }
        buf.push('\n');
        for isbn in &d.isbns {
            isbns.push_str(&format!("{isbn}\t{rid}\n"));
        }
        if buf.len() > (1 << 20) {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
        }
    }
    copy.send(buf.as_bytes()).await?;
    copy.finish().await?;
    let mut copy = conn
        .copy_in_raw(&format!("COPY {t}_isbn (isbn, rid) FROM STDIN"))
        .await?;
    copy.send(isbns.as_bytes()).await?;
    copy.finish().await?;
    drop(conn);
    Ok(docs.len() as u64)
}

/// Builds the text index of `kind` and analyzes the tables.
pub async fn index(url: &str, kind: Kind) -> Result<()> {
    let pool = pool(url, 1).await?;
    let t = kind.table();
    let using = match kind {
        Kind::Gin => "gin (tsv)".to_owned(),
        Kind::Rum => {
            sqlx::raw_sql("CREATE EXTENSION IF NOT EXISTS rum")
                .execute(&pool)
                .await?;
            "rum (tsv rum_tsvector_ops)".to_owned()
        }
    };
    sqlx::raw_sql(&format!(
        "SET maintenance_work_mem = '1GB'; CREATE INDEX {t}_tsv ON {t} USING {using}; \
         ANALYZE {t}; ANALYZE {t}_isbn; CHECKPOINT;"
    ))
    .execute(&pool)
    .await?;
    Ok(())
}

/// Bytes of the table of `kind` with its indexes and side table.
pub async fn size(url: &str, kind: Kind) -> Result<i64> {
    let pool = pool(url, 1).await?;
    let t = kind.table();
    let row = sqlx::query(&format!(
        "SELECT pg_total_relation_size('{t}') + pg_total_relation_size('{t}_isbn')"
    ))
    .fetch_one(&pool)
    .await?;
    Ok(row.try_get(0)?)
}

/// The `to_tsquery` text of the text clauses: every word a quoted lexeme, restricted to the
/// field's weight; a phrase with `<->`.
pub fn tsquery(q: &PeerQuery) -> String {
    let mut parts = Vec::new();
    for c in &q.clauses {
        let w = match c.field {
            query::Field::Any => "",
            query::Field::Title => ":A",
            query::Field::Author => ":B",
            query::Field::Subject => ":C",
            query::Field::Publisher => ":D",
        };
        let lex: Vec<String> = c.words.iter().map(|x| format!("'{x}'{w}")).collect();
        if c.phrase && lex.len() > 1 {
            parts.push(format!("({})", lex.join(" <-> ")));
        } else {
            parts.extend(lex);
        }
    }
    parts.join(" & ")
}

/// A connection pool to the database of one kind.
pub struct PgPeer {
    pool: PgPool,
    kind: Kind,
}

impl PgPeer {
    /// Connects (a few connections; the server process is pinned with the front).
    pub async fn open(url: &str, kind: Kind) -> Result<Self> {
        Ok(Self {
            pool: pool(url, 4).await?,
            kind,
        })
    }

    /// One page of hits.
    pub async fn search(&self, q: &PeerQuery) -> Result<Hits> {
        if q.matches_nothing() {
            return Ok(Hits::default());
        }
        let t = self.kind.table();
        if let Some(isbn) = q.isbn_only() {
            let all: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT v.json FROM {t}_isbn i JOIN {t} v ON v.rid = i.rid WHERE i.isbn = $1 ORDER BY v.rid"
            ))
            .bind(isbn)
            .fetch_all(&self.pool)
            .await?;
            return Ok(super::fts5::page_of(all, q));
        }
        if !q.isbns.is_empty() {
            anyhow::bail!("ISBN with other clauses is not part of the benchmark");
        }
        let tsq = tsquery(q);
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {t} WHERE tsv @@ to_tsquery('simple', $1)"
        ))
        .bind(&tsq)
        .fetch_one(&self.pool)
        .await?;
        let order = match self.kind {
            Kind::Gin => "ts_rank(tsv, to_tsquery('simple', $1)) DESC, rid",
            Kind::Rum => "tsv <=> to_tsquery('simple', $1), rid",
        };
        let docs: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT json FROM {t} WHERE tsv @@ to_tsquery('simple', $1) ORDER BY {order} LIMIT $2 OFFSET $3"
        ))
        .bind(&tsq)
        .bind(i64::from(q.max))
        .bind(i64::from(q.start))
        .fetch_all(&self.pool)
        .await?;
        Ok(Hits {
            total: total as u64,
            docs,
        })
    }

    /// The stored volume with this id.
    pub async fn get(&self, id: &str) -> Result<Option<String>> {
        let t = self.kind.table();
        Ok(
            sqlx::query_scalar(&format!("SELECT json FROM {t} WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
