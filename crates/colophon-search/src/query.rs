//! The parser of Google's `q` syntax.
//!
//! [`parse`] turns any string into a [`ParsedQuery`]: a list of [`Clause`]s that are ANDed.
//! It never fails and never panics; whatever cannot be understood becomes plain words or is
//! dropped. Matching semantics (analysis, stemming, identifier normalisation) belong to the
//! index, not to this module.
//!
//! Grammar (informal; `SEP` is whitespace, a control character or `+`):
//!
//! ```text
//! q       := SEP* (clause (SEP+ clause)*)? SEP*
//! clause  := "-"* (phrase | keyword | word)
//! phrase  := '"' [^"]* ('"' | end)            -- an unbalanced quote runs to the end
//! keyword := KEY ':' (phrase | word)          -- KEY is case-insensitive: intitle, inauthor,
//!                                             -- inpublisher, subject, isbn, lccn, oclc
//! word    := [^SEP"]+                         -- a '"' ends a word and starts a phrase
//! ```
//!
//! A leading `-` negates the clause (`-term`, `-"a phrase"`, `-intitle:x`); a lone `-` is
//! ignored. A word with an unknown `prefix:` stays a plain word (`foo:bar`). A keyword with
//! an empty value (`intitle:`, `intitle:""`) and an empty phrase are dropped. Inside a phrase
//! `+` is a space and runs of whitespace collapse to one space. At most [`MAX_CLAUSES`]
//! clauses are kept.

use std::fmt;

/// Upper bound on the clauses of one query; the rest of a longer query is ignored.
pub const MAX_CLAUSES: usize = 64;

/// What a clause searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryField {
    /// A plain word or phrase: title, subtitle, authors, publisher, categories, description
    /// and full text; a bare word may also be a volume id or an ISBN.
    Any,
    /// `intitle:` — title and subtitle.
    Title,
    /// `inauthor:` — authors.
    Author,
    /// `inpublisher:` — publisher.
    Publisher,
    /// `subject:` — categories.
    Subject,
    /// `isbn:` — an ISBN-10 or ISBN-13, hyphens allowed.
    Isbn,
    /// `lccn:` — Library of Congress Control Number (`OTHER` identifier `LCCN:…`).
    Lccn,
    /// `oclc:` — OCLC number (`OTHER` identifier `OCLC:…`).
    Oclc,
}

impl QueryField {
    /// Every keyword field, in documentation order.
    pub const KEYWORDS: [QueryField; 7] = [
        QueryField::Title,
        QueryField::Author,
        QueryField::Publisher,
        QueryField::Subject,
        QueryField::Isbn,
        QueryField::Lccn,
        QueryField::Oclc,
    ];

    /// The keyword as documented (`intitle`), or `None` for [`QueryField::Any`].
    pub fn keyword(self) -> Option<&'static str> {
        Some(match self {
            QueryField::Any => return None,
            QueryField::Title => "intitle",
            QueryField::Author => "inauthor",
            QueryField::Publisher => "inpublisher",
            QueryField::Subject => "subject",
            QueryField::Isbn => "isbn",
            QueryField::Lccn => "lccn",
            QueryField::Oclc => "oclc",
        })
    }

    /// The field for a keyword, ignoring ASCII case (`INTITLE` is accepted).
    pub fn from_keyword(keyword: &str) -> Option<Self> {
        Self::KEYWORDS
            .into_iter()
            .find(|f| f.keyword().is_some_and(|k| k.eq_ignore_ascii_case(keyword)))
    }

    /// Whether the field holds identifiers (exact match) rather than text.
    pub fn is_identifier(self) -> bool {
        matches!(self, QueryField::Isbn | QueryField::Lccn | QueryField::Oclc)
    }
}

/// One ANDed element of a query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Clause {
    /// `-` in front: documents matching the clause are excluded.
    pub negated: bool,
    /// Where to look.
    pub field: QueryField,
    /// The value: a word (no separators, no `"`) or the phrase text (single spaces, trimmed);
    /// never empty.
    pub text: String,
    /// Written in double quotes.
    pub phrase: bool,
}

impl Clause {
    /// A positive clause.
    pub fn new(field: QueryField, text: impl Into<String>, phrase: bool) -> Self {
        Self {
            negated: false,
            field,
            text: text.into(),
            phrase,
        }
    }
}

/// A parsed `q`: the clauses, all of which must hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ParsedQuery {
    /// The clauses in input order.
    pub clauses: Vec<Clause>,
}

impl ParsedQuery {
    /// No clauses at all.
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// The clauses that are not negated.
    pub fn positive(&self) -> impl Iterator<Item = &Clause> {
        self.clauses.iter().filter(|c| !c.negated)
    }

    /// The negated clauses.
    pub fn negative(&self) -> impl Iterator<Item = &Clause> {
        self.clauses.iter().filter(|c| c.negated)
    }

    /// Whether at least one clause is not negated (a query of exclusions alone matches
    /// nothing).
    pub fn has_positive(&self) -> bool {
        self.positive().next().is_some()
    }
}

/// Renders the canonical form of the query; [`parse`] of it gives the same query back.
impl fmt::Display for ParsedQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, clause) in self.clauses.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if clause.negated {
                f.write_str("-")?;
            }
            if let Some(keyword) = clause.field.keyword() {
                write!(f, "{keyword}:")?;
            }
            if clause.phrase {
                write!(f, "\"{}\"", clause.text)?;
            } else {
                f.write_str(&clause.text)?;
            }
        }
        Ok(())
    }
}

/// Characters that separate clauses: whitespace, control characters and `+` (a `+` from the
/// URL arrives as a space, but a literal one separates terms too).
fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '+'
}

/// Parses a `q` string. Never fails, never panics; see the [module docs](self) for the grammar.
pub fn parse(q: &str) -> ParsedQuery {
    let mut clauses = Vec::new();
    let mut rest = q;
    while clauses.len() < MAX_CLAUSES {
        rest = rest.trim_start_matches(is_separator);
        if rest.is_empty() {
            break;
        }
        let negated = rest.starts_with('-');
        rest = rest.trim_start_matches('-');
        if rest.is_empty() || rest.starts_with(is_separator) {
            // A lone `-`.
            continue;
        }
        if let Some(after_quote) = rest.strip_prefix('"') {
            let (text, after) = take_phrase(after_quote);
            rest = after;
            push(&mut clauses, negated, QueryField::Any, text, true);
            continue;
        }
        let end = rest
            .find(|c: char| is_separator(c) || c == '"')
            .unwrap_or(rest.len());
        let (word, after) = rest.split_at(end);
        rest = after;
        let keyword = word
            .split_once(':')
            .and_then(|(key, value)| QueryField::from_keyword(key).map(|field| (field, value)));
        match keyword {
            Some((field, "")) => {
                // `intitle:"a phrase"` (or an empty value, which is dropped).
                if let Some(after_quote) = rest.strip_prefix('"') {
                    let (text, after) = take_phrase(after_quote);
                    rest = after;
                    push(&mut clauses, negated, field, text, true);
                }
            }
            Some((field, value)) => push(&mut clauses, negated, field, value.to_owned(), false),
            None => push(
                &mut clauses,
                negated,
                QueryField::Any,
                word.to_owned(),
                false,
            ),
        }
    }
    ParsedQuery { clauses }
}

/// Reads a phrase body after its opening quote: returns the normalised text and the input
/// after the closing quote (or the end, for an unbalanced quote).
fn take_phrase(s: &str) -> (String, &str) {
    let (body, after) = match s.find('"') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    let mut text = String::with_capacity(body.len());
    for part in body.split(is_separator).filter(|p| !p.is_empty()) {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(part);
    }
    (text, after)
}

fn push(clauses: &mut Vec<Clause>, negated: bool, field: QueryField, text: String, phrase: bool) {
    if text.is_empty() {
        return;
    }
    // A one-word phrase is the word itself, unless it could be mistaken for syntax when
    // written without quotes.
    let phrase = phrase && (text.contains(' ') || text.contains(':') || text.starts_with('-'));
    clauses.push(Clause {
        negated,
        field,
        text,
        phrase,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(negated: bool, field: QueryField, text: &str, phrase: bool) -> Clause {
        Clause {
            negated,
            field,
            text: text.to_owned(),
            phrase,
        }
    }

    #[test]
    fn plain_terms_with_spaces_and_plus() {
        let q = parse("flowers+inauthor:keyes");
        assert_eq!(
            q.clauses,
            vec![
                c(false, QueryField::Any, "flowers", false),
                c(false, QueryField::Author, "keyes", false)
            ]
        );
        assert_eq!(parse("a + b  c").clauses.len(), 3);
    }

    #[test]
    fn phrases_and_exclusions() {
        let q = parse("\"Elizabeth+Bennet\"+Darcy -Austen -\"pride and\" -intitle:zombies");
        assert_eq!(
            q.clauses,
            vec![
                c(false, QueryField::Any, "Elizabeth Bennet", true),
                c(false, QueryField::Any, "Darcy", false),
                c(true, QueryField::Any, "Austen", false),
                c(true, QueryField::Any, "pride and", true),
                c(true, QueryField::Title, "zombies", false),
            ]
        );
        assert!(q.has_positive());
        assert!(!parse("-a -b").has_positive());
    }

    #[test]
    fn keyword_values() {
        let q = parse(
            "intitle:\"the  great\" INAUTHOR:Fitzgerald isbn:978-3-527-40841-2 Subject:fiction",
        );
        assert_eq!(
            q.clauses,
            vec![
                c(false, QueryField::Title, "the great", true),
                c(false, QueryField::Author, "Fitzgerald", false),
                c(false, QueryField::Isbn, "978-3-527-40841-2", false),
                c(false, QueryField::Subject, "fiction", false),
            ]
        );
        // Empty keyword values are dropped; the next word stays a plain word.
        assert_eq!(
            parse("intitle: gatsby").clauses,
            vec![c(false, QueryField::Any, "gatsby", false)]
        );
        assert!(parse("intitle:\"\" lccn:").is_empty());
        // Unknown prefixes are plain words.
        assert_eq!(
            parse("foo:bar").clauses,
            vec![c(false, QueryField::Any, "foo:bar", false)]
        );
        // A keyword value may itself contain a colon.
        assert_eq!(
            parse("oclc:a:b").clauses,
            vec![c(false, QueryField::Oclc, "a:b", false)]
        );
    }

    #[test]
    fn degenerate_input() {
        assert!(parse("").is_empty());
        assert!(parse("   +++ \t\n").is_empty());
        assert!(parse("-").is_empty());
        assert!(parse("- -- \"\"").is_empty());
        assert_eq!(
            parse("\"unbalanced phrase").clauses,
            vec![c(false, QueryField::Any, "unbalanced phrase", true)]
        );
        assert_eq!(
            parse("--x").clauses,
            vec![c(true, QueryField::Any, "x", false)]
        );
        assert_eq!(
            parse("a\"b c\"d").clauses,
            vec![
                c(false, QueryField::Any, "a", false),
                c(false, QueryField::Any, "b c", true),
                c(false, QueryField::Any, "d", false)
            ]
        );
        // A one-word phrase is the word.
        assert_eq!(
            parse("\"word\"").clauses,
            vec![c(false, QueryField::Any, "word", false)]
        );
        assert_eq!(parse("a\u{0}b").clauses.len(), 2);
        assert_eq!(parse("😀 🎉").clauses.len(), 2);
        let long = "x ".repeat(5_000);
        assert_eq!(parse(&long).clauses.len(), MAX_CLAUSES);
        let word = "y".repeat(10_000);
        assert_eq!(parse(&word).clauses.len(), 1);
    }

    #[test]
    fn display_is_canonical() {
        let q = parse("  -intitle:\"the great\"+gatsby  \"a\"  -\"-x\" isbn:1");
        assert_eq!(
            q.to_string(),
            "-intitle:\"the great\" gatsby a -\"-x\" isbn:1"
        );
        assert_eq!(parse(&q.to_string()), q);
    }

    fn query_text() -> impl Strategy<Value = String> {
        // Mostly syntax-heavy strings, some arbitrary Unicode.
        let atom = prop_oneof![
            Just("-".to_owned()),
            Just("\"".to_owned()),
            Just("+".to_owned()),
            Just(" ".to_owned()),
            Just(":".to_owned()),
            Just("intitle:".to_owned()),
            Just("INAUTHOR:".to_owned()),
            Just("isbn:".to_owned()),
            Just("subject:".to_owned()),
            "[a-zA-Z0-9éß]{1,6}",
            any::<char>().prop_map(String::from),
        ];
        prop_oneof![
            4 => proptest::collection::vec(atom, 0..24).prop_map(|v| v.concat()),
            1 => any::<String>(),
        ]
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_round_trips(q in query_text()) {
            let parsed = parse(&q);
            prop_assert!(parsed.clauses.len() <= MAX_CLAUSES);
            for clause in &parsed.clauses {
                prop_assert!(!clause.text.is_empty());
                prop_assert!(!clause.text.contains('"'));
                prop_assert!(!clause.text.contains('+'));
                if !clause.phrase {
                    prop_assert!(!clause.text.contains(is_separator));
                    prop_assert!(clause.field != QueryField::Any || !clause.text.starts_with('-'));
                }
            }
            let canonical = parsed.to_string();
            prop_assert_eq!(parse(&canonical), parsed.clone());
            // Canonical form is a fixed point.
            prop_assert_eq!(parse(&canonical).to_string(), canonical);
        }

        #[test]
        fn words_survive(words in proptest::collection::vec("[a-zA-Z0-9]{1,8}", 1..10)) {
            let parsed = parse(&words.join("+"));
            let texts: Vec<&str> = parsed.clauses.iter().map(|c| c.text.as_str()).collect();
            prop_assert_eq!(texts, words.iter().map(String::as_str).collect::<Vec<_>>());
            prop_assert!(parsed.clauses.iter().all(|c| !c.negated && c.field == QueryField::Any));
        }
    }
}
