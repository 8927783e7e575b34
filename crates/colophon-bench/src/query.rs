//! The engine-neutral form of a Google `q`: parsed by Colophon's own parser
//! ([`colophon_search::parse`]), then reduced to what every peer can express natively.

use colophon_search::{parse, QueryField};

use crate::catalog::isbn13;

/// Where a clause searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Title, authors, publisher, subjects, description.
    Any,
    /// `intitle:`.
    Title,
    /// `inauthor:`.
    Author,
    /// `inpublisher:`.
    Publisher,
    /// `subject:`.
    Subject,
}

/// One ANDed clause: its words must all occur (in order and adjacent when `phrase`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// Where.
    pub field: Field,
    /// Lower-cased words (split at anything that is not a letter or digit).
    pub words: Vec<String>,
    /// Written in quotes.
    pub phrase: bool,
}

/// A search request as the peers run it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeerQuery {
    /// `isbn:` values normalised to ISBN-13 (`None` inside: not a valid ISBN, so no hits).
    pub isbns: Vec<Option<String>>,
    /// Text clauses.
    pub clauses: Vec<Clause>,
    /// Something the peers do not support (`lccn:`, `oclc:`, exclusions): no hits.
    pub unsupported: bool,
    /// 0-based first result.
    pub start: u32,
    /// Page size.
    pub max: u32,
}

impl PeerQuery {
    /// Whether the query can match nothing whatever the engine.
    pub fn matches_nothing(&self) -> bool {
        self.unsupported
            || self.isbns.iter().any(Option::is_none)
            || (self.isbns.is_empty() && self.clauses.is_empty())
    }

    /// The only ISBN of an ISBN-only query.
    pub fn isbn_only(&self) -> Option<&str> {
        match (&self.isbns[..], self.clauses.is_empty()) {
            ([Some(i)], true) => Some(i),
            _ => None,
        }
    }
}

/// Lower-cased words of `text`, split at every character that is not alphanumeric (as
/// tantivy's default tokenizer, SQLite's `unicode61` and PostgreSQL's `simple` do for
/// ordinary words).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.len() <= 40)
        .map(str::to_lowercase)
        .collect()
}

/// Builds the peer query of `q` and the paging parameters.
pub fn peer_query(q: &str, start: u32, max: u32) -> PeerQuery {
    let mut out = PeerQuery {
        start,
        max,
        ..PeerQuery::default()
    };
    for clause in parse(q).clauses {
        if clause.negated {
            out.unsupported = true;
            continue;
        }
        let field = match clause.field {
            QueryField::Isbn => {
                out.isbns.push(isbn13(&clause.text));
                continue;
            }
            QueryField::Lccn | QueryField::Oclc => {
                out.unsupported = true;
                continue;
            }
            QueryField::Any => Field::Any,
            QueryField::Title => Field::Title,
            QueryField::Author => Field::Author,
            QueryField::Publisher => Field::Publisher,
            QueryField::Subject => Field::Subject,
        };
        let words = words(&clause.text);
        if !words.is_empty() {
            out.clauses.push(Clause {
                field,
                words,
                phrase: clause.phrase,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_of_the_benchmark() {
        let q = peer_query("intitle:hobbit inauthor:Tolkien", 0, 10);
        assert_eq!(q.clauses.len(), 2);
        assert_eq!(q.clauses[0].field, Field::Title);
        assert_eq!(q.clauses[1].words, vec!["tolkien"]);
        let q = peer_query("isbn:0-261-10357-1", 0, 10);
        assert_eq!(q.isbn_only(), Some("9780261103573"));
        let q = peer_query("isbn:123", 0, 10);
        assert!(q.matches_nothing());
        let q = peer_query("\"The Two  Towers\"", 0, 10);
        assert!(q.clauses[0].phrase);
        assert_eq!(q.clauses[0].words, vec!["the", "two", "towers"]);
        assert!(peer_query("-x", 0, 10).matches_nothing());
    }
}
