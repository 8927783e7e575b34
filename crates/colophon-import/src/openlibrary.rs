//! `openlibrary`: Open Library bulk data dumps — editions joined to their works and authors.
//!
//! **Input**: the dump layout, one record per line, TAB-separated `type`, `key`, `revision`,
//! `last_modified`, JSON (`ol_dump_editions_*.txt.gz`, `ol_dump_works_*`, `ol_dump_authors_*`,
//! or the all-types `ol_dump_*` with the three interleaved), plain or `.gz`; also JSON Lines
//! (one record's JSON per line, its type read from `type.key` or else from the key's prefix).
//! `/type/edition` lines become records; `/type/work` and `/type/author` lines feed the join;
//! `/type/redirect`, `/type/delete` and any other type are skipped and counted by reason
//! ([`Editions::skipped`]).
//!
//! **Join** (two passes, flat memory): [`Joiner::add_reference_input`] reads authors and works
//! into a temporary SQLite database on disk (author key → name; work key → title, subtitle,
//! subjects, description, author keys, first publish date — nothing else is kept), then
//! [`Joiner::read_editions`] streams the editions, looking each one's work and authors up.
//! [`read_paths`] does both over a list of files (every file is scanned for authors and works
//! first, then for editions), so the files may come in any order and mix types.
//!
//! **Mapping of an edition**:
//!
//! | Open Library | Books API |
//! |---|---|
//! | `key` (`/books/OL1M`) | source key `openlibrary:/books/OL1M`; identifier `OTHER` `OPENLIBRARY:OL1M` |
//! | `title_prefix` + `title` (else the work's title) | `title` |
//! | `subtitle` (else the work's, when the title came from the work) | `subtitle` |
//! | `authors[].key` → author `name` (else the work's `authors[].author.key`) | `authors` (`Surname, Forename` with a one-word surname is turned round) |
//! | `publishers[0]` | `publisher` |
//! | `publish_date` (else the work's `first_publish_date`) | `publishedDate` ([`normalize_date`]) |
//! | `isbn_13`, `isbn_10` | `ISBN_13` + `ISBN_10` |
//! | `lccn` / `oclc_numbers` | `OTHER` `LCCN:…` / `OCLC:…` |
//! | `number_of_pages` (else the number before `p` in `pagination`) | `pageCount` |
//! | `languages[0].key` (`/languages/eng`) | `language` (`en`; `und` dropped) |
//! | `subjects` + the work's `subjects` | `categories` (Open Library's own shelf marks — `Accessible book`, `Protected DAISY`, `In library`, `OverDrive`, `nyt:…` — left out) |
//! | `description` (else the work's); a string or `{type, value}` | `description` |
//! | `physical_format` (`E-book`, `Electronic resource` / others) | `saleInfo.isEbook` true / false |
//! | `series` (`Everyday handbook series, 254`; a bare number continues the entry before it) | `seriesInfo` (series title and number, see [`series_entries`]) |
//! | — | `printType` `BOOK` |
//!
//! An edition without a key, or without a title of its own or of its work, is rejected; a work
//! or author that the dumps lack is simply not joined.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use colophon_types::SaleInfo;
use rusqlite::{params, Connection, OptionalExtension};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::csv_table::{display_name, language_code};
use crate::source::normalize_date;
use crate::{open_input, Rejected, SourceRecord};

/// How many malformed author/work lines the reference pass keeps to report in detail.
const MAX_KEPT_REJECTIONS: usize = 1000;
/// Lookups kept decoded in memory, per kind (two generations of this many at most).
const CACHE_SIZE: usize = 4096;

/// Scans every path for authors and works, then streams the editions of every path, joined.
/// The lookup table lives in a temporary file under the system temporary directory.
pub fn read_paths(paths: &[PathBuf]) -> io::Result<Editions> {
    read_paths_in(paths, &std::env::temp_dir())
}

/// [`read_paths`] with the temporary lookup database in `tmp_dir`.
pub fn read_paths_in(paths: &[PathBuf], tmp_dir: &Path) -> io::Result<Editions> {
    let mut joiner = Joiner::new(tmp_dir)?;
    for path in paths {
        let input = open_input(path)?;
        joiner.add_reference_input_named(input, &label(path))?;
    }
    Ok(joiner.read_edition_paths(paths.to_vec()))
}

fn label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// What the reference pass stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReferenceStats {
    /// Authors stored.
    pub authors: u64,
    /// Works stored.
    pub works: u64,
    /// Author or work lines that could not be read.
    pub rejected: u64,
}

/// The on-disk lookup table of authors and works that editions are joined to.
pub struct Joiner {
    // Field order matters: the connection closes before the file is removed.
    conn: Connection,
    _file: tempfile::TempPath,
    stats: ReferenceStats,
    rejected: VecDeque<Rejected>,
    works: Cache<Option<Arc<WorkData>>>,
    authors: Cache<Option<Arc<str>>>,
}

/// A small bounded cache of recent lookups (two generations: a hit in the old one moves to
/// the young one; when the young one is full it becomes the old one). Popular works and
/// authors, which many editions share, are decoded once.
struct Cache<V> {
    young: HashMap<String, V>,
    old: HashMap<String, V>,
    capacity: usize,
}

impl<V: Clone> Cache<V> {
    fn new(capacity: usize) -> Self {
        Cache {
            young: HashMap::with_capacity(capacity),
            old: HashMap::new(),
            capacity,
        }
    }

    fn get(&mut self, key: &str) -> Option<V> {
        if let Some(v) = self.young.get(key) {
            return Some(v.clone());
        }
        let v = self.old.remove(key)?;
        self.put(key, v.clone());
        Some(v)
    }

    fn put(&mut self, key: &str, value: V) {
        if self.young.len() >= self.capacity {
            self.old = std::mem::replace(&mut self.young, HashMap::with_capacity(self.capacity));
        }
        self.young.insert(key.to_owned(), value);
    }
}

/// A work, as much as the join needs.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
struct WorkData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    t: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    s: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    j: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    d: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    a: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    f: Option<String>,
}

fn sql_err(e: rusqlite::Error) -> io::Error {
    io::Error::other(format!("lookup database: {e}"))
}

/// `/authors/OL123A` → 123 (with `prefix` `/authors/OL` and `suffix` `A`).
fn ol_number(key: &str, prefix: &str, suffix: char) -> Option<i64> {
    let digits = key.strip_prefix(prefix)?.strip_suffix(suffix)?;
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl Joiner {
    /// A new, empty lookup table in a temporary file under `tmp_dir` (removed on drop).
    pub fn new(tmp_dir: &Path) -> io::Result<Joiner> {
        let file = tempfile::Builder::new()
            .prefix("colophon-openlibrary-")
            .suffix(".sqlite")
            .tempfile_in(tmp_dir)?
            .into_temp_path();
        let conn = Connection::open(&file).map_err(sql_err)?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             PRAGMA locking_mode = EXCLUSIVE;
             PRAGMA temp_store = FILE;
             PRAGMA cache_size = -32768;
             CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
             CREATE TABLE work (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
             CREATE TABLE other (key TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;",
        )
        .map_err(sql_err)?;
        Ok(Joiner {
            conn,
            _file: file,
            stats: ReferenceStats::default(),
            rejected: VecDeque::new(),
            works: Cache::new(CACHE_SIZE),
            authors: Cache::new(CACHE_SIZE),
        })
    }

    /// What the reference pass stored so far.
    pub fn stats(&self) -> ReferenceStats {
        self.stats
    }

    /// Reads the authors and works of `input` (other lines are passed over). Malformed lines
    /// are reported first by the edition stream; only a failure of the lookup database is an
    /// error here.
    pub fn add_reference_input(&mut self, input: impl Read) -> io::Result<ReferenceStats> {
        self.add_reference_input_named(input, "")
    }

    /// [`Joiner::add_reference_input`], naming the input in rejection positions.
    pub fn add_reference_input_named(
        &mut self,
        input: impl Read,
        name: &str,
    ) -> io::Result<ReferenceStats> {
        let mut lines = Lines::new(input);
        self.conn.execute_batch("BEGIN").map_err(sql_err)?;
        let result = self.reference_lines(&mut lines, name);
        self.conn.execute_batch("COMMIT").map_err(sql_err)?;
        result?;
        Ok(self.stats)
    }

    fn reference_lines<R: Read>(&mut self, lines: &mut Lines<R>, name: &str) -> io::Result<()> {
        loop {
            match lines.advance() {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => {
                    self.reject(lines.position(name), format!("cannot read further: {e}"));
                    return Ok(());
                }
            };
            let parsed = match split_line(lines.current()) {
                Line::Blank => continue,
                Line::Tsv { kind, key, json } => {
                    if kind != b"/type/author" && kind != b"/type/work" {
                        continue;
                    }
                    match serde_json::from_slice::<RefJson>(json) {
                        Ok(r) => Some((r, std::str::from_utf8(key).ok().map(str::to_owned))),
                        Err(e) => {
                            self.reject(lines.position(name), format!("invalid JSON: {e}"));
                            None
                        }
                    }
                }
                // JSON Lines: a line that does not parse is reported by the edition pass.
                Line::Json(json) => {
                    // Look at the type first, so that editions are not parsed twice.
                    let wanted = serde_json::from_slice::<Probe>(json).is_ok_and(|p| {
                        let key = p.key.get().unwrap_or("");
                        matches!(record_kind(p.kind.get(), key), Kind::Author | Kind::Work)
                    });
                    if !wanted {
                        continue;
                    }
                    serde_json::from_slice::<RefJson>(json)
                        .ok()
                        .map(|r| (r, None))
                }
                Line::Malformed => {
                    // Reported by the edition pass too (it reads every line).
                    continue;
                }
            };
            let Some((record, tsv_key)) = parsed else {
                continue;
            };
            let key = record.key.get().map(str::to_owned).or(tsv_key);
            let Some(key) = key else {
                if lines.is_tsv {
                    self.reject(lines.position(name), "no key".into());
                }
                continue;
            };
            match record_kind(record.kind.get(), &key) {
                Kind::Author => self.store_author(&key, &record)?,
                Kind::Work => self.store_work(&key, record)?,
                _ => {}
            }
        }
    }

    fn reject(&mut self, position: String, reason: String) {
        self.stats.rejected += 1;
        if self.rejected.len() < MAX_KEPT_REJECTIONS {
            self.rejected.push_back(Rejected { position, reason });
        }
    }

    fn store_author(&mut self, key: &str, record: &RefJson) -> io::Result<()> {
        let name = record.name.get().or_else(|| record.personal_name.get());
        let Some(name) = name else {
            return Ok(());
        };
        match ol_number(key, "/authors/OL", 'A') {
            Some(id) => self
                .conn
                .prepare_cached("INSERT OR REPLACE INTO author (id, name) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![id, name])),
            None => self
                .conn
                .prepare_cached("INSERT OR REPLACE INTO other (key, data) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![key, name.as_bytes()])),
        }
        .map_err(sql_err)?;
        self.stats.authors += 1;
        Ok(())
    }

    fn store_work(&mut self, key: &str, record: RefJson) -> io::Result<()> {
        let work = WorkData {
            t: record.title.get().map(str::to_owned),
            s: record.subtitle.get().map(str::to_owned),
            j: record
                .subjects
                .iter()
                .filter(|s| keep_subject(s))
                .map(str::to_owned)
                .collect(),
            d: record.description.get().map(str::to_owned),
            a: record.authors.iter().map(str::to_owned).collect(),
            f: record.first_publish_date.get().map(str::to_owned),
        };
        let data = serde_json::to_vec(&work).map_err(io::Error::other)?;
        match ol_number(key, "/works/OL", 'W') {
            Some(id) => self
                .conn
                .prepare_cached("INSERT OR REPLACE INTO work (id, data) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![id, data])),
            None => self
                .conn
                .prepare_cached("INSERT OR REPLACE INTO other (key, data) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![key, data])),
        }
        .map_err(sql_err)?;
        self.stats.works += 1;
        Ok(())
    }

    fn author(&mut self, key: &str) -> rusqlite::Result<Option<Arc<str>>> {
        if let Some(hit) = self.authors.get(key) {
            return Ok(hit);
        }
        let name = match ol_number(key, "/authors/OL", 'A') {
            Some(id) => self
                .conn
                .prepare_cached("SELECT name FROM author WHERE id = ?1")?
                .query_row([id], |r| r.get::<_, String>(0))
                .optional()?,
            None => self.other(key)?.and_then(|b| String::from_utf8(b).ok()),
        };
        let name: Option<Arc<str>> = name.map(Arc::from);
        self.authors.put(key, name.clone());
        Ok(name)
    }

    fn work(&mut self, key: &str) -> rusqlite::Result<Option<Arc<WorkData>>> {
        if let Some(hit) = self.works.get(key) {
            return Ok(hit);
        }
        let data = match ol_number(key, "/works/OL", 'W') {
            Some(id) => self
                .conn
                .prepare_cached("SELECT data FROM work WHERE id = ?1")?
                .query_row([id], |r| r.get::<_, Vec<u8>>(0))
                .optional()?,
            None => self.other(key)?,
        };
        let work = data
            .and_then(|d| serde_json::from_slice::<WorkData>(&d).ok())
            .map(Arc::new);
        self.works.put(key, work.clone());
        Ok(work)
    }

    fn other(&self, key: &str) -> rusqlite::Result<Option<Vec<u8>>> {
        self.conn
            .prepare_cached("SELECT data FROM other WHERE key = ?1")?
            .query_row([key], |r| r.get::<_, Vec<u8>>(0))
            .optional()
    }

    /// Streams the editions of `input`, joined to the authors and works read so far. The
    /// stream first reports the malformed author/work lines of the reference pass.
    pub fn read_editions(self, input: impl Read + Send + 'static) -> Editions {
        Editions::new(
            self,
            VecDeque::from([Input::Reader(Box::new(input), String::new())]),
        )
    }

    /// Streams the editions of several already opened inputs, one after the other, each with
    /// the name its rejections' positions start with.
    pub fn read_edition_inputs(self, inputs: Vec<(String, Box<dyn Read + Send>)>) -> Editions {
        Editions::new(
            self,
            inputs
                .into_iter()
                .map(|(name, r)| Input::Reader(r, name))
                .collect(),
        )
    }

    /// Streams the editions of several files, one after the other.
    pub fn read_edition_paths(self, paths: Vec<PathBuf>) -> Editions {
        Editions::new(self, paths.into_iter().map(Input::Path).collect())
    }
}

enum Input {
    Path(PathBuf),
    Reader(Box<dyn Read + Send>, String),
}

/// The stream of joined editions (an iterator of records or rejections), with counts.
pub struct Editions {
    joiner: Joiner,
    inputs: VecDeque<Input>,
    current: Option<(Lines<Box<dyn Read + Send>>, String)>,
    skipped: BTreeMap<String, u64>,
    reference_overflow: u64,
    editions: u64,
}

impl Editions {
    fn new(mut joiner: Joiner, inputs: VecDeque<Input>) -> Editions {
        let reference_overflow = joiner
            .stats
            .rejected
            .saturating_sub(joiner.rejected.len() as u64);
        joiner.rejected.shrink_to_fit();
        Editions {
            joiner,
            inputs,
            current: None,
            skipped: BTreeMap::new(),
            reference_overflow,
            editions: 0,
        }
    }

    /// Lines skipped so far, by reason (`/type/redirect`, `/type/delete`, other types).
    pub fn skipped(&self) -> &BTreeMap<String, u64> {
        &self.skipped
    }

    /// What the reference pass stored.
    pub fn reference_stats(&self) -> ReferenceStats {
        self.joiner.stats
    }

    /// Editions read so far (records and rejections).
    pub fn editions_read(&self) -> u64 {
        self.editions
    }

    fn next_input(&mut self) -> Option<Result<(), Rejected>> {
        let input = self.inputs.pop_front()?;
        Some(match input {
            Input::Reader(r, name) => {
                self.current = Some((Lines::new(r), name));
                Ok(())
            }
            Input::Path(p) => match open_input(&p) {
                Ok(r) => {
                    self.current = Some((Lines::new(r), label(&p)));
                    Ok(())
                }
                Err(e) => Err(Rejected {
                    position: p.display().to_string(),
                    reason: format!("cannot open: {e}"),
                }),
            },
        })
    }

    fn skip(&mut self, reason: &[u8]) {
        let reason = String::from_utf8_lossy(reason);
        match self.skipped.get_mut(reason.as_ref()) {
            Some(n) => *n += 1,
            None => {
                self.skipped.insert(reason.into_owned(), 1);
            }
        }
    }
}

impl Iterator for Editions {
    type Item = Result<SourceRecord, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(r) = self.joiner.rejected.pop_front() {
            return Some(Err(r));
        }
        if self.reference_overflow > 0 {
            let n = std::mem::take(&mut self.reference_overflow);
            return Some(Err(Rejected {
                position: "authors and works".into(),
                reason: format!("{n} more malformed lines, not listed"),
            }));
        }
        loop {
            let Some((lines, name)) = self.current.as_mut() else {
                match self.next_input()? {
                    Ok(()) => continue,
                    Err(r) => return Some(Err(r)),
                }
            };
            match lines.advance() {
                Ok(true) => {}
                Ok(false) => {
                    self.current = None;
                    continue;
                }
                Err(e) => {
                    let position = lines.position(name);
                    self.current = None;
                    return Some(Err(Rejected {
                        position,
                        reason: format!("cannot read further: {e}"),
                    }));
                }
            };
            let (json, tsv_key) = match split_line(lines.current()) {
                Line::Blank => continue,
                Line::Malformed => {
                    let position = lines.position(name);
                    return Some(Err(Rejected {
                        position,
                        reason: "not a dump line (type, key, revision, date, JSON) nor JSON".into(),
                    }));
                }
                Line::Tsv { kind, key, json } => {
                    if kind == b"/type/edition" {
                        (json, std::str::from_utf8(key).ok())
                    } else if kind == b"/type/author" || kind == b"/type/work" {
                        continue;
                    } else {
                        let kind = kind.to_vec();
                        self.skip(&kind);
                        continue;
                    }
                }
                Line::Json(json) => (json, None),
            };
            let position = lines.position(name);
            if json.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
                self.editions += 1;
                return Some(Err(Rejected {
                    position,
                    reason: "the JSON is not an object".into(),
                }));
            }
            let edition = match serde_json::from_slice::<EditionJson>(json) {
                Ok(e) => e,
                Err(e) => {
                    self.editions += 1;
                    return Some(Err(Rejected {
                        position,
                        reason: format!("invalid JSON: {e}"),
                    }));
                }
            };
            let key = edition.key.get().or(tsv_key).map(str::to_owned);
            if tsv_key.is_none() {
                // JSON Lines: the type is in the record.
                match record_kind(edition.kind.get(), key.as_deref().unwrap_or("")) {
                    Kind::Edition => {}
                    Kind::Author | Kind::Work => continue,
                    Kind::Other(kind) => {
                        self.skip(kind.as_bytes());
                        continue;
                    }
                }
            }
            self.editions += 1;
            let Some(key) = key else {
                return Some(Err(Rejected {
                    position,
                    reason: "the edition has no key".into(),
                }));
            };
            return Some(
                map_edition(&edition, &key, &mut self.joiner)
                    .map_err(|reason| Rejected { position, reason }),
            );
        }
    }
}

/// Lines of an input, with their number.
struct Lines<R> {
    reader: BufReader<R>,
    buf: Vec<u8>,
    line: u64,
    is_tsv: bool,
}

impl<R: Read> Lines<R> {
    fn new(input: R) -> Lines<R> {
        Lines {
            reader: BufReader::with_capacity(1 << 16, input),
            buf: Vec::with_capacity(1 << 12),
            line: 0,
            is_tsv: false,
        }
    }

    /// Advances to the next line; false at the end.
    fn advance(&mut self) -> io::Result<bool> {
        self.buf.clear();
        if self.reader.read_until(b'\n', &mut self.buf)? == 0 {
            return Ok(false);
        }
        self.line += 1;
        self.is_tsv = self.buf.first().is_some_and(|&b| b == b'/');
        Ok(true)
    }

    /// The current line, without its line ending.
    fn current(&self) -> &[u8] {
        let mut l = self.buf.as_slice();
        while let [rest @ .., b'\n' | b'\r'] = l {
            l = rest;
        }
        l
    }

    fn position(&self, name: &str) -> String {
        if name.is_empty() {
            format!("line {}", self.line)
        } else {
            format!("{name} line {}", self.line)
        }
    }
}

enum Line<'a> {
    Blank,
    Tsv {
        kind: &'a [u8],
        key: &'a [u8],
        json: &'a [u8],
    },
    Json(&'a [u8]),
    Malformed,
}

fn split_line(line: &[u8]) -> Line<'_> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Line::Blank;
    }
    if let Some(start) = line.iter().position(|b| !b.is_ascii_whitespace()) {
        if line[start] == b'{' {
            return Line::Json(&line[start..]);
        }
    }
    let mut parts = line.splitn(5, |&b| b == b'\t');
    match (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        (Some(kind), Some(key), Some(_), Some(_), Some(json)) if kind.starts_with(b"/type/") => {
            Line::Tsv { kind, key, json }
        }
        _ => Line::Malformed,
    }
}

enum Kind<'a> {
    Edition,
    Work,
    Author,
    Other(&'a str),
}

/// The type of a JSON record: `type.key` (or `type` as a string), else the key's prefix.
fn record_kind<'a>(declared: Option<&'a str>, key: &str) -> Kind<'a> {
    match declared {
        Some("/type/edition") => Kind::Edition,
        Some("/type/work") => Kind::Work,
        Some("/type/author") => Kind::Author,
        Some(other) => Kind::Other(other),
        None if key.starts_with("/books/") => Kind::Edition,
        None if key.starts_with("/works/") => Kind::Work,
        None if key.starts_with("/authors/") => Kind::Author,
        None => Kind::Other("(no type)"),
    }
}

/// The type and key of a JSON record.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    key: Text,
    #[serde(rename = "type", default)]
    kind: KeyItem,
}

/// The fields of authors and works that the join keeps.
#[derive(Deserialize)]
struct RefJson {
    #[serde(default)]
    key: Text,
    #[serde(rename = "type", default)]
    kind: KeyItem,
    #[serde(default)]
    name: Text,
    #[serde(default)]
    personal_name: Text,
    #[serde(default)]
    title: Text,
    #[serde(default)]
    subtitle: Text,
    #[serde(default)]
    subjects: Texts,
    #[serde(default)]
    description: Text,
    #[serde(default)]
    authors: Keys,
    #[serde(default)]
    first_publish_date: Text,
}

/// The fields of an edition that are mapped.
#[derive(Deserialize)]
struct EditionJson {
    #[serde(default)]
    key: Text,
    #[serde(rename = "type", default)]
    kind: KeyItem,
    #[serde(default)]
    title: Text,
    #[serde(default)]
    title_prefix: Text,
    #[serde(default)]
    subtitle: Text,
    #[serde(default)]
    authors: Keys,
    #[serde(default)]
    works: Keys,
    #[serde(default)]
    publishers: Texts,
    #[serde(default)]
    publish_date: Text,
    #[serde(default)]
    isbn_10: Texts,
    #[serde(default)]
    isbn_13: Texts,
    #[serde(default)]
    lccn: Texts,
    #[serde(default)]
    oclc_numbers: Texts,
    #[serde(default)]
    number_of_pages: Text,
    #[serde(default)]
    pagination: Text,
    #[serde(default)]
    languages: Keys,
    #[serde(default)]
    subjects: Texts,
    #[serde(default)]
    description: Text,
    #[serde(default)]
    physical_format: Text,
    #[serde(default)]
    series: Texts,
}

// Lenient field types: Open Library's data has every shape, and one odd field must not cost
// the record. Whatever a field holds that is not of the expected shape reads as absent.

/// A text: a string, a number, or `{"type": "/type/text", "value": "…"}`.
#[derive(Debug, Default)]
struct Text(Option<String>);

impl Text {
    /// Trimmed, None when empty.
    fn get(&self) -> Option<&str> {
        let s = self.0.as_deref()?.trim();
        (!s.is_empty()).then_some(s)
    }
}

/// A list of texts (a single text counts as a list of one).
#[derive(Debug, Default)]
struct Texts(Vec<String>);

impl Texts {
    fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

/// A reference: `"/authors/OL1A"`, `{"key": …}` or `{"author": {"key": …}}`.
#[derive(Debug, Default)]
struct KeyItem(Option<String>);

impl KeyItem {
    fn get(&self) -> Option<&str> {
        let s = self.0.as_deref()?.trim();
        (!s.is_empty()).then_some(s)
    }
}

/// A list of references.
#[derive(Debug, Default)]
struct Keys(Vec<String>);

impl Keys {
    fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

/// Object member names the lenient types look at.
enum Member {
    Value,
    Key,
    Author,
    Other,
}

impl<'de> Deserialize<'de> for Member {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Member;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Member, E> {
                Ok(match v {
                    "value" => Member::Value,
                    "key" => Member::Key,
                    "author" => Member::Author,
                    _ => Member::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(Some(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Text, D::Error> {
                Text::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Text, A::Error> {
                skip_seq(seq)?;
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                let mut out = None;
                while let Some(name) = map.next_key::<Member>()? {
                    match name {
                        Member::Value => out = map.next_value::<Text>()?.0,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Text(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Texts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of texts")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Texts, A::Error> {
                let mut out = Vec::new();
                while let Some(t) = seq.next_element::<Text>()? {
                    out.extend(t.0);
                }
                Ok(Texts(out))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Texts, E> {
                Ok(Texts(vec![v.to_owned()]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Texts, E> {
                Ok(Texts(vec![v.to_string()]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Texts, E> {
                Ok(Texts(vec![v.to_string()]))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Texts, E> {
                Ok(Texts::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Texts, E> {
                Ok(Texts::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Texts, E> {
                Ok(Texts::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Texts, D::Error> {
                Texts::deserialize(d)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Texts, A::Error> {
                let t = Text::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Texts(t.0.into_iter().collect()))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for KeyItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a reference")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyItem, E> {
                Ok(KeyItem(Some(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<KeyItem, E> {
                Ok(KeyItem(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<KeyItem, E> {
                Ok(KeyItem(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<KeyItem, E> {
                Ok(KeyItem(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<KeyItem, E> {
                Ok(KeyItem(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<KeyItem, E> {
                Ok(KeyItem(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeyItem, E> {
                Ok(KeyItem(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<KeyItem, D::Error> {
                KeyItem::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<KeyItem, A::Error> {
                skip_seq(seq)?;
                Ok(KeyItem(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyItem, A::Error> {
                let (mut key, mut author) = (None, None);
                while let Some(name) = map.next_key::<Member>()? {
                    match name {
                        Member::Key => key = map.next_value::<Text>()?.0,
                        Member::Author => author = map.next_value::<KeyItem>()?.0,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(KeyItem(key.or(author)))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Keys;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of references")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Keys, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = seq.next_element::<KeyItem>()? {
                    out.extend(k.0);
                }
                Ok(Keys(out))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Keys, E> {
                Ok(Keys(vec![v.to_owned()]))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Keys, E> {
                Ok(Keys::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Keys, E> {
                Ok(Keys::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Keys, E> {
                Ok(Keys::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Keys, E> {
                Ok(Keys::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Keys, E> {
                Ok(Keys::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Keys, D::Error> {
                Keys::deserialize(d)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Keys, A::Error> {
                let k = KeyItem::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Keys(k.0.into_iter().collect()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Open Library's own shelf marks are not subjects.
fn keep_subject(s: &str) -> bool {
    const MARKS: [&str; 7] = [
        "accessible book",
        "protected daisy",
        "in library",
        "lending library",
        "overdrive",
        "internet archive wishlist",
        "large type books (internet archive)",
    ];
    !MARKS.iter().any(|m| s.eq_ignore_ascii_case(m)) && !s.starts_with("nyt:")
}

/// An author name in display form: `Basu, Āśīsha.` → `Āśīsha Basu` when the part before the
/// one comma is a single word; anything else as it is (`Teresa of Avila, Saint`).
fn author_display(name: &str) -> String {
    match name.split_once(',') {
        Some((surname, rest)) if !rest.contains(',') && !surname.trim().contains(' ') => {
            display_name(name)
        }
        _ => name.to_owned(),
    }
}

/// The page count in a pagination statement: the largest number followed by `p`
/// (`xii, 345 p.` → 345), or the statement itself when it is a number.
fn pages_from_pagination(p: &str) -> Option<i32> {
    let t = p.trim();
    if let Ok(n) = t.parse::<i32>() {
        return (n > 0).then_some(n);
    }
    let bytes = t.as_bytes();
    let mut best: Option<i32> = None;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let after = t.get(i..).unwrap_or("").trim_start();
            if after.starts_with('p') {
                if let Ok(n) = t[start..i].parse::<i32>() {
                    best = Some(best.map_or(n, |b| b.max(n)));
                }
            }
        } else {
            i += 1;
        }
    }
    best.filter(|&n| n > 0)
}

fn map_edition(e: &EditionJson, key: &str, joiner: &mut Joiner) -> Result<SourceRecord, String> {
    let lookup_err = |err: rusqlite::Error| format!("lookup failed: {err}");
    let work = match e.works.iter().next() {
        Some(w) => joiner.work(w).map_err(lookup_err)?,
        None => None,
    };
    let mut r = SourceRecord::new(format!("openlibrary:{key}"));
    let own_title = e.title.get().map(|t| match e.title_prefix.get() {
        Some(p) if !t.starts_with(p) => {
            if p.ends_with(['\'', '’']) {
                format!("{p}{t}")
            } else {
                format!("{p} {t}")
            }
        }
        _ => t.to_owned(),
    });
    let info = &mut r.volume_info;
    match own_title {
        Some(t) => {
            info.title = Some(t);
            info.subtitle = e.subtitle.get().map(str::to_owned);
        }
        None => match work.as_ref().and_then(|w| w.t.clone()) {
            Some(t) => {
                info.title = Some(t);
                info.subtitle = e
                    .subtitle
                    .get()
                    .map(str::to_owned)
                    .or_else(|| work.as_ref().and_then(|w| w.s.clone()));
            }
            None => return Err("the edition has no title (nor has its work)".into()),
        },
    }
    // Authors: the edition's own, else the work's.
    let mut names = Vec::new();
    for k in e.authors.iter() {
        if let Some(n) = joiner.author(k).map_err(lookup_err)? {
            names.push(n);
        }
    }
    if names.is_empty() {
        for k in work.as_ref().map(|w| w.a.as_slice()).unwrap_or_default() {
            if let Some(n) = joiner.author(k).map_err(lookup_err)? {
                names.push(n);
            }
        }
    }
    for n in names {
        r.add_author(&author_display(&n));
    }
    let info = &mut r.volume_info;
    info.publisher = e.publishers.iter().next().map(str::to_owned);
    info.published_date = e
        .publish_date
        .get()
        .and_then(normalize_date)
        .or_else(|| work.as_ref()?.f.as_deref().and_then(normalize_date));
    info.page_count = e
        .number_of_pages
        .get()
        .and_then(|n| n.parse::<f64>().ok())
        .filter(|n| (1.0..1e6).contains(n))
        .map(|n| n as i32)
        .or_else(|| e.pagination.get().and_then(pages_from_pagination));
    info.language = e
        .languages
        .iter()
        .next()
        .map(|k| k.trim_start_matches("/languages/"))
        .filter(|l| *l != "und" && *l != "zxx")
        .and_then(language_code);
    info.description = e
        .description
        .get()
        .map(str::to_owned)
        .or_else(|| work.as_ref().and_then(|w| w.d.clone()));
    info.print_type = Some("BOOK".into());
    info.series_info = colophon_domain::series::series_info(&series_entries(e.series.iter()));
    for isbn in e.isbn_13.iter().chain(e.isbn_10.iter()) {
        r.add_isbn(isbn);
    }
    for lccn in e.lccn.iter() {
        r.add_identifier("OTHER", &format!("LCCN:{lccn}"));
    }
    for oclc in e.oclc_numbers.iter() {
        r.add_identifier("OTHER", &format!("OCLC:{oclc}"));
    }
    if let Some(id) = key.strip_prefix("/books/") {
        r.add_identifier("OTHER", &format!("OPENLIBRARY:{id}"));
    }
    for s in e.subjects.iter() {
        if keep_subject(s) {
            r.add_category(s);
        }
    }
    if let Some(w) = &work {
        for s in &w.j {
            r.add_category(s);
        }
    }
    if let Some(format) = e.physical_format.get() {
        let f = format.to_ascii_lowercase();
        let ebook = f.contains("ebook") || f.contains("e-book") || f.contains("electronic");
        r.sale_info = Some(SaleInfo {
            is_ebook: Some(ebook),
            ..SaleInfo::default()
        });
    }
    Ok(r)
}

/// Open Library's `series` strings as series entries: a trailing number (`, 254`, `; 3`,
/// `, No. 2`, ` v. 4`, ` #5`) is the book's number in the series; an entry that is only a number
/// gives the number of the entry before it (`["College outline series,", "56"]`).
pub(crate) fn series_entries<'a>(
    values: impl Iterator<Item = &'a str>,
) -> Vec<colophon_domain::series::SeriesEntry> {
    use colophon_domain::series::{SeriesEntry, SeriesKind};
    let trim = |s: &str| {
        s.trim()
            .trim_end_matches(['.', ',', ';', ':', '-'])
            .trim()
            .to_owned()
    };
    let mut out: Vec<SeriesEntry> = Vec::new();
    for raw in values {
        let v = trim(raw);
        if v.is_empty() {
            continue;
        }
        if v.bytes().all(|b| b.is_ascii_digit()) {
            if let Some(last) = out.last_mut().filter(|e| e.position.is_none()) {
                last.position = Some(v);
            }
            continue;
        }
        let digits = v.len() - v.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (mut title, mut position) = (v.clone(), None);
        if digits > 0 {
            let head = &v[..v.len() - digits];
            let lower = head.to_lowercase();
            let marker = [
                ", no. ", " no. ", ", no.", " no.", ", v. ", " v. ", ", vol. ", " vol. ", " #",
                ", ", "; ", " ; ",
            ]
            .iter()
            .find(|m| lower.ends_with(*m));
            if let Some(m) = marker {
                let t = trim(&head[..head.len() - m.len()]);
                if !t.is_empty() {
                    title = t;
                    position = Some(v[v.len() - digits..].to_owned());
                }
            }
        }
        out.push(SeriesEntry {
            title,
            kind: SeriesKind::Series,
            position,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared_data_dir;

    fn sample(name: &str) -> PathBuf {
        shared_data_dir().join("openlibrary-sample").join(name)
    }

    fn collect(e: Editions) -> (Vec<SourceRecord>, Vec<Rejected>, BTreeMap<String, u64>) {
        let mut e = e;
        let mut ok = Vec::new();
        let mut bad = Vec::new();
        for r in e.by_ref() {
            match r {
                Ok(r) => ok.push(r),
                Err(r) => bad.push(r),
            }
        }
        (ok, bad, e.skipped().clone())
    }

    fn find<'a>(records: &'a [SourceRecord], key: &str) -> &'a SourceRecord {
        records
            .iter()
            .find(|r| r.source_key == key)
            .unwrap_or_else(|| panic!("{key} missing"))
    }

    fn ids(r: &SourceRecord) -> Vec<String> {
        r.volume_info
            .industry_identifiers
            .iter()
            .flatten()
            .map(|i| format!("{}:{}", i.kind, i.identifier))
            .collect()
    }

    fn check_sample(records: &[SourceRecord]) {
        assert_eq!(records.len(), 68);
        let keys: std::collections::HashSet<_> = records.iter().map(|r| &r.source_key).collect();
        assert_eq!(keys.len(), 68);
        // Authors come through the works (no edition in the sample lists its own).
        let tea = find(records, "openlibrary:/books/OL23026316M");
        assert_eq!(tea.volume_info.title.as_deref(), Some("Three cups of tea"));
        assert_eq!(
            tea.volume_info.authors.as_deref(),
            Some(&["Greg Mortenson".to_owned(), "David Oliver Relin".to_owned()][..])
        );
        assert_eq!(
            ids(tea),
            [
                "ISBN_13:9780803733923",
                "ISBN_10:0803733925",
                "OTHER:LCCN:2009353179",
                "OTHER:OPENLIBRARY:OL23026316M"
            ]
        );
        let recipes = find(records, "openlibrary:/books/OL24218089M");
        assert_eq!(
            recipes.volume_info.title.as_deref(),
            Some("Recipes from the Old South")
        );
        assert_eq!(
            recipes.volume_info.publisher.as_deref(),
            Some("Bramhall House")
        );
        assert_eq!(recipes.volume_info.published_date.as_deref(), Some("1961"));
        assert_eq!(recipes.volume_info.page_count, Some(184));
        assert_eq!(recipes.volume_info.print_type.as_deref(), Some("BOOK"));
        let alice = find(records, "openlibrary:/books/OL13517105M");
        assert_eq!(
            alice.volume_info.authors.as_deref(),
            Some(&["Lewis Carroll".to_owned()][..])
        );
        assert!(ids(alice).contains(&"OTHER:OCLC:81058130".to_owned()));
        assert_eq!(alice.volume_info.page_count, Some(121));
        assert_eq!(alice.volume_info.language, None);
        // The work's description and subjects; OL's shelf marks left out.
        let flatland = find(records, "openlibrary:/books/OL20431791M");
        assert!(flatland
            .volume_info
            .description
            .as_deref()
            .unwrap()
            .starts_with("Flatland: A Romance of Many Dimensions, though written in 1884"));
        let cats = flatland.volume_info.categories.as_ref().unwrap();
        assert!(cats.contains(&"Fourth dimension".to_owned()), "{cats:?}");
        assert!(!cats
            .iter()
            .any(|c| c == "Accessible book" || c == "Protected DAISY"));
        assert_eq!(
            flatland.volume_info.authors.as_deref(),
            Some(&["Edwin Abbott Abbott".to_owned()][..])
        );
        // Languages to two letters; `und` dropped; dates in words.
        assert_eq!(
            find(records, "openlibrary:/books/OL23575606M")
                .volume_info
                .language
                .as_deref(),
            Some("es")
        );
        assert_eq!(
            find(records, "openlibrary:/books/OL2M")
                .volume_info
                .language
                .as_deref(),
            Some("kn")
        );
        assert_eq!(
            find(records, "openlibrary:/books/OL24197450M")
                .volume_info
                .language,
            None
        );
        let tom = find(records, "openlibrary:/books/OL7652777M");
        assert_eq!(tom.volume_info.published_date.as_deref(), Some("2006"));
        assert_eq!(
            tom.volume_info.authors.as_deref(),
            Some(&["Mark Twain".to_owned()][..])
        );
        assert_eq!(tom.sale_info.as_ref().unwrap().is_ebook, Some(false));
        let ebook = find(records, "openlibrary:/books/OL24291128M");
        assert_eq!(ebook.sale_info.as_ref().unwrap().is_ebook, Some(true));
        // Hyphenated ISBN-13 in isbn_10 and isbn_13.
        let wiki = find(records, "openlibrary:/books/OL24605334M");
        assert!(ids(wiki).contains(&"ISBN_13:9781935928324".to_owned()));
        // An LCCN.
        let with_lccn = records
            .iter()
            .filter(|r| ids(r).iter().any(|i| i.starts_with("OTHER:LCCN:")))
            .count();
        assert_eq!(with_lccn, 24);
        let with_authors = records
            .iter()
            .filter(|r| r.volume_info.authors.is_some())
            .count();
        assert!(with_authors >= 60, "{with_authors}");
    }

    #[test]
    fn series_strings() {
        let e = series_entries(
            [
                "Everyday handbook series, 254",
                "College outline series,",
                "56",
                "A Book Apart, No. 2",
                "Dover thrift editions",
            ]
            .into_iter(),
        );
        let got: Vec<(&str, Option<&str>)> = e
            .iter()
            .map(|e| (e.title.as_str(), e.position.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Everyday handbook series", Some("254")),
                ("College outline series", Some("56")),
                ("A Book Apart", Some("2")),
                ("Dover thrift editions", None),
            ]
        );
    }

    #[test]
    fn dump_sample_interleaved_in_one_file() {
        let tmp = tempfile::tempdir().unwrap();
        let e = read_paths_in(&[sample("ol_dump_sample.txt")], tmp.path()).unwrap();
        assert_eq!(e.reference_stats().authors, 34);
        assert_eq!(e.reference_stats().works, 35);
        assert_eq!(e.reference_stats().rejected, 0);
        let (ok, bad, skipped) = collect(e);
        assert!(bad.is_empty(), "{bad:?}");
        assert!(skipped.is_empty());
        check_sample(&ok);
        // The lookup file is removed with the stream.
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn json_lines_sample_in_any_order() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = [
            sample("editions.jsonl"),
            sample("authors.jsonl"),
            sample("works.jsonl"),
        ];
        let e = read_paths_in(&paths, tmp.path()).unwrap();
        let (ok, bad, skipped) = collect(e);
        assert!(bad.is_empty(), "{bad:?}");
        assert!(skipped.is_empty());
        check_sample(&ok);
        // Same keys as the dump form.
        let tsv = collect(read_paths_in(&[sample("ol_dump_sample.txt")], tmp.path()).unwrap()).0;
        assert_eq!(ok, {
            let mut tsv = tsv;
            let order: Vec<_> = ok.iter().map(|r| r.source_key.clone()).collect();
            tsv.sort_by_key(|r| order.iter().position(|k| *k == r.source_key));
            tsv
        });
    }

    #[test]
    fn joiner_api_with_gzip_and_skips() {
        use std::io::Write;
        let tmp = tempfile::tempdir().unwrap();
        let mut joiner = Joiner::new(tmp.path()).unwrap();
        joiner
            .add_reference_input(std::fs::File::open(sample("authors.jsonl")).unwrap())
            .unwrap();
        let stats = joiner
            .add_reference_input(std::fs::File::open(sample("works.jsonl")).unwrap())
            .unwrap();
        assert_eq!((stats.authors, stats.works), (34, 35));
        let editions = std::fs::read(sample("editions.jsonl")).unwrap();
        let mut text = b"/type/redirect\t/books/OL99M\t2\t2010-01-01T00:00:00\t{\"location\": \"/books/OL1M\"}\n".to_vec();
        text.extend_from_slice(b"/type/delete\t/books/OL98M\t3\t2010-01-01T00:00:00\t{}\n");
        text.extend_from_slice(b"/type/i18n\t/i18n/x\t1\t2010-01-01T00:00:00\t{}\n");
        text.extend_from_slice(&editions);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&text).unwrap();
        let path = tmp.path().join("ol_dump_editions.txt.gz");
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let e = joiner.read_edition_paths(vec![path]);
        let (ok, bad, skipped) = collect(e);
        assert!(bad.is_empty());
        assert_eq!(ok.len(), 68);
        assert_eq!(skipped.get("/type/redirect"), Some(&1));
        assert_eq!(skipped.get("/type/delete"), Some(&1));
        assert_eq!(skipped.get("/type/i18n"), Some(&1));
    }

    #[test]
    fn malformed_lines_are_reported_and_reading_continues() {
        let tmp = tempfile::tempdir().unwrap();
        let mut joiner = Joiner::new(tmp.path()).unwrap();
        let refs = "/type/author\t/authors/OL1A\t1\t2010\t{\"key\": \"/authors/OL1A\", \"name\": \"Austen, Jane\"}\n\
                    /type/author\t/authors/OL2A\t1\t2010\t{\"key\": \"/authors/OL2A\", \"name\": \n\
                    /type/work\t/works/OL1W\t1\t2010\t{\"key\": \"/works/OL1W\", \"title\": \"Emma\", \"subtitle\": \"a novel\", \"authors\": [{\"author\": \"/authors/OL1A\"}], \"description\": \"D\", \"first_publish_date\": \"December 1815\"}\n\
                    /type/author\t/authors/X\t1\t2010\t{\"name\": \"Odd Key\"}\n";
        joiner.add_reference_input(refs.as_bytes()).unwrap();
        assert_eq!(joiner.stats().authors, 2);
        assert_eq!(joiner.stats().works, 1);
        assert_eq!(joiner.stats().rejected, 1);
        let editions = "/type/edition\t/books/OL1M\t1\t2010\t{\"key\": \"/books/OL1M\", \"works\": [{\"key\": \"/works/OL1W\"}], \"number_of_pages\": \"312\"}\n\
                        \n\
                        garbage between records\n\
                        /type/edition\t/books/OL2M\t1\t2010\t{\"key\": \"/books/OL2M\", \"title\": \"Trunc\n\
                        /type/edition\t/books/OL3M\t1\t2010\t{\"key\": \"/books/OL3M\", \"works\": [{\"key\": \"/works/OL404W\"}]}\n\
                        /type/edition\t/books/OL4M\t1\t2010\t[1, 2]\n\
                        /type/edition\t/books/OL5M\t1\t2010\t{\"key\": \"/books/OL5M\", \"title_prefix\": \"The \", \"title\": \"Odd\", \"authors\": [{\"key\": \"/authors/X\"}], \"pagination\": \"xii, 345 p.\", \"publish_date\": 1990, \"description\": {\"type\": \"/type/text\", \"value\": \"Own.\"}}\n\
                        /type/edition\t/books/OL6M\t1\t2010\t{\"key\": \"/books/OL6M\", \"title\": \"Bad bytes X\"}\n";
        let mut input = editions.as_bytes().to_vec();
        // Invalid UTF-8 inside the JSON of the last line.
        let at = input.len() - 4;
        assert_eq!(input[at], b'X');
        input[at] = 0xFF;
        let out: Vec<_> = joiner.read_editions(io::Cursor::new(input)).collect();
        let positions: Vec<String> = out
            .iter()
            .map(|r| match r {
                Ok(r) => r.source_key.clone(),
                Err(e) => e.position.clone(),
            })
            .collect();
        assert_eq!(
            positions,
            [
                "line 2",
                "openlibrary:/books/OL1M",
                "line 3",
                "line 4",
                "line 5",
                "line 6",
                "openlibrary:/books/OL5M",
                "line 8"
            ]
        );
        assert!(out[0]
            .as_ref()
            .unwrap_err()
            .reason
            .starts_with("invalid JSON"));
        let emma = out[1].as_ref().unwrap();
        assert_eq!(emma.volume_info.title.as_deref(), Some("Emma"));
        assert_eq!(emma.volume_info.subtitle.as_deref(), Some("a novel"));
        assert_eq!(
            emma.volume_info.authors.as_deref(),
            Some(&["Jane Austen".to_owned()][..])
        );
        assert_eq!(emma.volume_info.description.as_deref(), Some("D"));
        assert_eq!(emma.volume_info.published_date.as_deref(), Some("1815"));
        assert_eq!(emma.volume_info.page_count, Some(312));
        assert!(out[2]
            .as_ref()
            .unwrap_err()
            .reason
            .starts_with("not a dump line"));
        assert!(out[3]
            .as_ref()
            .unwrap_err()
            .reason
            .starts_with("invalid JSON"));
        assert_eq!(
            out[4].as_ref().unwrap_err().reason,
            "the edition has no title (nor has its work)"
        );
        assert_eq!(
            out[5].as_ref().unwrap_err().reason,
            "the JSON is not an object"
        );
        let odd = out[6].as_ref().unwrap();
        assert_eq!(odd.volume_info.title.as_deref(), Some("The Odd"));
        assert_eq!(
            odd.volume_info.authors.as_deref(),
            Some(&["Odd Key".to_owned()][..])
        );
        assert_eq!(odd.volume_info.page_count, Some(345));
        assert_eq!(odd.volume_info.published_date.as_deref(), Some("1990"));
        assert_eq!(odd.volume_info.description.as_deref(), Some("Own."));
    }

    #[test]
    fn odd_shapes_are_read_leniently() {
        let tmp = tempfile::tempdir().unwrap();
        let mut joiner = Joiner::new(tmp.path()).unwrap();
        let refs = r#"{"key": "/works/OL7W", "title": "Work Title", "subtitle": {"value": "its sub"}, "authors": ["/authors/OL7A", {"author": {"key": "/authors/OL8A"}}, 5], "subjects": "One subject", "description": null}
{"key": "/authors/OL7A", "personal_name": "Only Personal"}
{"key": "/authors/OL8A", "name": {"unexpected": true}, "personal_name": "Fallback Name"}
"#;
        joiner.add_reference_input(refs.as_bytes()).unwrap();
        assert_eq!((joiner.stats().authors, joiner.stats().works), (2, 1));
        let line = r#"{"key": "/books/OL7M", "title": ["not", "a", "title"], "works": "/works/OL7W", "publishers": "Solo Press", "isbn_13": "978-0-19-852663-6", "languages": ["/languages/fre"], "subjects": [1, "Real", {"value": "Wrapped"}, null, ["nested"]], "number_of_pages": 212.0, "lccn": 12345, "physical_format": {"a": 1}}"#;
        let out: Vec<_> = joiner.read_editions(io::Cursor::new(line)).collect();
        let r = out[0].as_ref().unwrap();
        assert_eq!(r.volume_info.title.as_deref(), Some("Work Title"));
        assert_eq!(r.volume_info.subtitle.as_deref(), Some("its sub"));
        assert_eq!(
            r.volume_info.authors.as_deref(),
            Some(&["Only Personal".to_owned(), "Fallback Name".to_owned()][..])
        );
        assert_eq!(r.volume_info.publisher.as_deref(), Some("Solo Press"));
        assert_eq!(r.volume_info.language.as_deref(), Some("fr"));
        assert_eq!(r.volume_info.page_count, Some(212));
        assert_eq!(
            r.volume_info.categories.as_deref(),
            Some(
                &[
                    "1".to_owned(),
                    "Real".into(),
                    "Wrapped".into(),
                    "One subject".into()
                ][..]
            )
        );
        assert_eq!(
            ids(r),
            [
                "ISBN_13:9780198526636",
                "ISBN_10:0198526636",
                "OTHER:LCCN:12345",
                "OTHER:OPENLIBRARY:OL7M"
            ]
        );
        assert_eq!(r.sale_info, None);
    }

    #[test]
    fn truncated_gzip_is_reported() {
        use std::io::Write;
        let tmp = tempfile::tempdir().unwrap();
        let text = std::fs::read(sample("ol_dump_sample.txt")).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&text).unwrap();
        let mut bytes = gz.finish().unwrap();
        bytes.truncate(bytes.len() * 2 / 3);
        let path = tmp.path().join("cut.txt.gz");
        std::fs::write(&path, bytes).unwrap();
        let e = read_paths_in(&[path], tmp.path()).unwrap();
        let (ok, bad, _) = collect(e);
        assert!(!ok.is_empty() && ok.len() < 68, "{}", ok.len());
        assert!(
            bad.iter()
                .any(|b| b.reason.starts_with("cannot read further")),
            "{bad:?}"
        );
    }

    #[test]
    fn the_stream_can_move_to_another_thread() {
        fn assert_send<T: Send>() {}
        assert_send::<Editions>();
        assert_send::<Joiner>();
    }

    #[test]
    fn helpers() {
        assert_eq!(pages_from_pagination("121 p. :"), Some(121));
        assert_eq!(pages_from_pagination("xii, 345 p."), Some(345));
        assert_eq!(pages_from_pagination("26 v. :"), None);
        assert_eq!(pages_from_pagination("184"), Some(184));
        assert_eq!(author_display("Basu, Āśīsha."), "Āśīsha Basu");
        assert_eq!(
            author_display("Teresa of Avila, Saint"),
            "Teresa of Avila, Saint"
        );
        assert_eq!(ol_number("/authors/OL123A", "/authors/OL", 'A'), Some(123));
        assert_eq!(ol_number("/authors/OLA", "/authors/OL", 'A'), None);
        assert_eq!(ol_number("/works/OL1W", "/authors/OL", 'A'), None);
    }

    /// Real-size run over a dump written by `bench/gen_openlibrary.py` (directory in
    /// `COLOPHON_OL_DUMP`): both passes timed, peak memory printed.
    #[test]
    #[ignore]
    fn generated_dump() {
        let Some(dir) = std::env::var_os("COLOPHON_OL_DUMP").map(PathBuf::from) else {
            println!("COLOPHON_OL_DUMP not set: nothing to do");
            return;
        };
        let paths: Vec<PathBuf> = ["authors", "works", "editions"]
            .iter()
            .map(|t| dir.join(format!("ol_dump_{t}.txt.gz")))
            .collect();
        let tmp = tempfile::tempdir_in(&dir).unwrap();
        let start = std::time::Instant::now();
        let cpu0 = crate::csv_table::thread_cpu_seconds().unwrap_or(0.0);
        let mut joiner = Joiner::new(tmp.path()).unwrap();
        for p in &paths[..2] {
            joiner.add_reference_input(open_input(p).unwrap()).unwrap();
        }
        let stats = joiner.stats();
        let pass1 = start.elapsed().as_secs_f64();
        let cpu1 = crate::csv_table::thread_cpu_seconds().unwrap_or(0.0);
        let db_size: u64 = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum();
        let mut editions = joiner.read_edition_paths(vec![paths[2].clone()]);
        let (mut ok, mut bad, mut with_authors) = (0u64, 0u64, 0u64);
        for r in editions.by_ref() {
            match r {
                Ok(r) => {
                    ok += 1;
                    with_authors += u64::from(r.volume_info.authors.is_some());
                }
                Err(_) => bad += 1,
            }
        }
        let pass2 = start.elapsed().as_secs_f64() - pass1;
        let cpu2 = crate::csv_table::thread_cpu_seconds().unwrap_or(0.0);
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let peak = status
            .lines()
            .find(|l| l.starts_with("VmHWM"))
            .unwrap_or("VmHWM: ?");
        println!(
            "pass 1: {} authors + {} works in {pass1:.1}s ({:.1}s CPU), lookup db {} MB\n\
             pass 2: {ok} editions ({bad} rejected, {with_authors} with authors) in {pass2:.1}s \
             ({:.1}s CPU) = {:.0} editions/s wall, {:.0}/s CPU; skipped {:?}\n{peak}",
            stats.authors,
            stats.works,
            cpu1 - cpu0,
            db_size / 1_000_000,
            cpu2 - cpu1,
            ok as f64 / pass2,
            ok as f64 / (cpu2 - cpu1),
            editions.skipped(),
        );
        assert_eq!(bad, 0);
        assert_eq!(with_authors, ok);
    }

    #[test]
    #[ignore]
    fn throughput_openlibrary() {
        let tmp = tempfile::tempdir().unwrap();
        let mut joiner = Joiner::new(tmp.path()).unwrap();
        joiner
            .add_reference_input(std::fs::File::open(sample("ol_dump_sample.txt")).unwrap())
            .unwrap();
        let text = std::fs::read(sample("ol_dump_sample.txt")).unwrap();
        let reps = 1500;
        let mut big = Vec::with_capacity(text.len() * reps);
        for _ in 0..reps {
            big.extend_from_slice(&text);
        }
        let start = std::time::Instant::now();
        let cpu = crate::csv_table::thread_cpu_seconds();
        let n = joiner
            .read_editions(io::Cursor::new(big))
            .filter(Result::is_ok)
            .count();
        let secs = start.elapsed().as_secs_f64();
        let cpu = crate::csv_table::thread_cpu_seconds()
            .zip(cpu)
            .map(|(b, a)| b - a);
        assert_eq!(n, 68 * reps);
        println!(
            "openlibrary (sample dump x{reps}, joined): {n} editions in {secs:.2}s = {:.0} records/s; on CPU {}",
            n as f64 / secs,
            cpu.map_or("n/a".into(), |c| format!("{c:.2}s = {:.0} records/s", n as f64 / c))
        );
    }
}
