//! `text`: plain-text books (one book per file, `.txt` or `.txt.gz`), Project Gutenberg's above
//! all.
//!
//! Text: UTF-8 (a BOM is honoured; a file that is not valid UTF-8 is read as windows-1252), line
//! ends normalised to `\n`, trailing spaces trimmed, runs of blank lines collapsed to one blank
//! line (paragraphs and the line structure inside them are kept), form feeds dropped. In a
//! Project Gutenberg file only the body between `*** START OF ... PROJECT GUTENBERG EBOOK ... ***`
//! and `*** END OF ...` is kept (so neither the licence header nor the footer), without a leading
//! "Produced by ..." / "Transcribed from ..." credit and a trailing "End of the Project Gutenberg
//! EBook ..." line.
//!
//! Metadata, each source overriding the one before:
//!
//! 1. the Project Gutenberg header: `Title:` (indented continuation lines -> `subtitle`),
//!    `Author:`, `Release Date:` / `Posting Date:` -> `publishedDate`, `Language:`, and the
//!    ebook number from `[EBook #N]` (or the file name `N.txt` / `pgN.txt` of a file with a PG
//!    header);
//! 2. the Gutenberg RDF record `pgN.rdf` beside the file (or given): `dcterms:title` (first line
//!    -> title, further lines -> subtitle), `dcterms:creator/pgterms:agent/pgterms:name` ->
//!    authors (display form), `dcterms:language`, LCSH `dcterms:subject` -> categories,
//!    `dcterms:issued` -> `publishedDate`, `dcterms:publisher`, `pgterms:marc520` ->
//!    description, `dcterms:rights`;
//! 3. for a file without PG header or RDF: an OPF package beside it (`X.opf` in the same folder,
//!    or `../opf/X.opf`, Standard Ebooks' layout: see [`crate::epub::read_opf_with_text`]), else
//!    the folder's (or its parent's) `index.jsonl` entry for the file ([`read_with_index`]);
//! 4. a [`TextMeta`] given by the caller (the command line).
//!
//! Source key: `gutenberg:<N>` when the ebook number is known; an OPF's identifier
//! (`epub:...`); `text:<id>` of an `index.jsonl` entry; else `text:sha256:<hash of the text>`.
//! Rights: public domain when the RDF / index says so ("Public domain in the USA."), for a PG
//! header that does not call the book copyrighted, for an ELTeC or Standard Ebooks index entry, or
//! by the date rule (first published more than 95 years ago / author dead more than 70 years);
//! `TextMeta::public_domain` overrides. A file with no title from any of these is rejected: "no
//! title: give --title".

use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::booktext::{
    self, attr, clean, decode_text, display_name, language_code, push_ref, read_capped, rejected,
    says_public_domain, set_public_domain,
};
use crate::{Rejected, SourceRecord};

/// Largest (decompressed) text file read.
pub const MAX_BYTES: u64 = 256 << 20;

/// Metadata given by the caller (e.g. `--title`, `--author`), applied over what the file says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextMeta {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    /// Display form ("Jane Austen"); an inverted "Austen, Jane" is turned round.
    pub authors: Vec<String>,
    pub language: Option<String>,
    pub publisher: Option<String>,
    pub published_date: Option<String>,
    pub description: Option<String>,
    pub categories: Vec<String>,
    pub isbn: Option<String>,
    /// `Some(true)`: mark public domain; `Some(false)`: leave rights to the pipeline.
    pub public_domain: Option<bool>,
    /// Overrides the source key.
    pub source_key: Option<String>,
}

/// Reads a plain-text book, with the metadata found in and beside it.
pub fn read_file(path: &Path) -> Result<SourceRecord, Rejected> {
    read_file_with(path, None, &TextMeta::default())
}

/// Reads a plain-text book, with an explicit RDF record (else `pgN.rdf` beside it is looked
/// for) and caller metadata on top.
pub fn read_file_with(
    path: &Path,
    rdf: Option<&Path>,
    meta: &TextMeta,
) -> Result<SourceRecord, Rejected> {
    let position = path.display().to_string();
    let bytes = read_path(path)?;
    let text = decode_text(&bytes);
    let pg = split_gutenberg(&text);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");

    let mut info = Info::default();
    if let Some(pg) = &pg {
        info.merge(header_info(pg.header, name));
    }
    let rdf_path = rdf
        .map(Path::to_path_buf)
        .or_else(|| find_rdf(path, info.ebook.as_deref()));
    if let Some(rdf_path) = &rdf_path {
        info.merge(read_rdf_info(rdf_path)?);
    }
    let body = match &pg {
        Some(pg) => gutenberg_body(pg.body),
        None => normalize_plain(&text),
    };

    if info.title.is_none() && rdf_path.is_none() {
        // A bare text: its OPF or the folder's index.jsonl.
        if let Some(opf) = find_opf(path) {
            let mut rec = crate::epub::read_opf(&opf)?;
            rec.full_text = Some(body);
            return finish_record(rec, meta, &position);
        }
        if let Some(found) = index_info(path)? {
            info.merge(found);
        }
    }
    let rec = info.into_record(body);
    finish_record(rec, meta, &position)
}

/// Reads a plain-text book held in memory (an upload): the PG header and `meta` only.
pub fn read_bytes(bytes: &[u8], name: &str, meta: &TextMeta) -> Result<SourceRecord, Rejected> {
    let text = decode_text(bytes);
    let mut info = Info::default();
    let body = match split_gutenberg(&text) {
        Some(pg) => {
            info.merge(header_info(pg.header, name));
            gutenberg_body(pg.body)
        }
        None => normalize_plain(&text),
    };
    let rec = info.into_record(body);
    finish_record(rec, meta, name)
}

/// Reads a plain-text book whose metadata is in the `index.jsonl` of its folder (or the
/// folder above: ELTeC's `<lang>/index.jsonl` for `<lang>/text/X.txt.gz`). The entry is the one
/// whose `files.text` / `text_file` is this file, or whose `file` / `id` is its stem.
pub fn read_with_index(path: &Path) -> Result<SourceRecord, Rejected> {
    let position = path.display().to_string();
    let bytes = read_path(path)?;
    let body = normalize_plain(&decode_text(&bytes));
    let info = index_info(path)?
        .ok_or_else(|| rejected(&position, "no index.jsonl entry for this file"))?;
    let rec = info.into_record(body);
    finish_record(rec, &TextMeta::default(), &position)
}

/// Reads a Gutenberg RDF record alone (metadata, no text).
pub fn read_rdf(path: &Path) -> Result<SourceRecord, Rejected> {
    let info = read_rdf_info(path)?;
    Ok(info.into_record(String::new()))
}

fn read_path(path: &Path) -> Result<Vec<u8>, Rejected> {
    let position = path.display().to_string();
    let input =
        crate::open_input(path).map_err(|e| rejected(&position, format!("cannot open: {e}")))?;
    read_capped(input, MAX_BYTES, &position)
}

/// Metadata gathered from the header, RDF or index.
#[derive(Debug, Default)]
struct Info {
    title: Option<String>,
    subtitle: Option<String>,
    authors: Vec<String>,
    language: Option<String>,
    published_date: Option<String>,
    publisher: Option<String>,
    description: Option<String>,
    categories: Vec<String>,
    rights: Option<String>,
    /// Gutenberg ebook number.
    ebook: Option<String>,
    /// `text:<id>` key of an index entry.
    index_id: Option<String>,
    /// Public domain decided by the source (PG header without copyright, ELTeC, SE).
    public_domain: bool,
    first_published: Option<i32>,
    author_died: Option<i32>,
}

impl Info {
    /// Takes every field `other` has.
    fn merge(&mut self, other: Info) {
        macro_rules! take {
            ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f; } )* };
        }
        // A new title brings its own subtitle (or none).
        if other.title.is_some() || other.subtitle.is_some() {
            self.subtitle = other.subtitle;
        }
        take!(
            title,
            language,
            published_date,
            publisher,
            description,
            rights,
            ebook,
            index_id,
            first_published,
            author_died
        );
        if !other.authors.is_empty() {
            self.authors = other.authors;
        }
        if !other.categories.is_empty() {
            self.categories = other.categories;
        }
        self.public_domain |= other.public_domain;
    }

    fn into_record(self, body: String) -> SourceRecord {
        let key = match (&self.ebook, &self.index_id) {
            (Some(n), _) => format!("gutenberg:{n}"),
            (None, Some(id)) => format!("text:{id}"),
            (None, None) => format!("text:sha256:{}", booktext::sha256_hex(body.as_bytes())),
        };
        let mut rec = SourceRecord::new(key);
        let vi = &mut rec.volume_info;
        vi.title = self.title;
        vi.subtitle = self.subtitle;
        vi.language = self.language.as_deref().and_then(language_code);
        vi.published_date = self.published_date.as_deref().and_then(booktext::date_of);
        vi.publisher = self.publisher;
        vi.description = self.description;
        vi.print_type = Some("BOOK".into());
        for a in &self.authors {
            rec.add_author(&display_name(a));
        }
        for c in &self.categories {
            rec.add_category(c);
        }
        let pd = self.public_domain
            || self.rights.as_deref().is_some_and(says_public_domain)
            || booktext::public_domain_by_dates(self.first_published, self.author_died);
        if pd {
            set_public_domain(&mut rec);
        }
        if !body.is_empty() {
            rec.full_text = Some(body);
        }
        rec
    }
}

/// Applies the caller's metadata, then checks there is a title and a text.
fn finish_record(
    mut rec: SourceRecord,
    meta: &TextMeta,
    position: &str,
) -> Result<SourceRecord, Rejected> {
    let vi = &mut rec.volume_info;
    if let Some(t) = meta.title.as_deref().map(clean).filter(|t| !t.is_empty()) {
        vi.title = Some(t);
        vi.subtitle = None;
    }
    if let Some(s) = &meta.subtitle {
        vi.subtitle = Some(clean(s));
    }
    if let Some(l) = meta.language.as_deref().and_then(language_code) {
        vi.language = Some(l);
    }
    if let Some(p) = &meta.publisher {
        vi.publisher = Some(clean(p));
    }
    if let Some(d) = meta.published_date.as_deref().and_then(booktext::date_of) {
        vi.published_date = Some(d);
    }
    if let Some(d) = &meta.description {
        vi.description = Some(d.trim().to_owned());
    }
    if !meta.authors.is_empty() {
        vi.authors = None;
        for a in &meta.authors {
            rec.add_author(&display_name(a));
        }
    }
    if !meta.categories.is_empty() {
        rec.volume_info.categories = None;
        for c in &meta.categories {
            rec.add_category(c);
        }
    }
    if let Some(isbn) = &meta.isbn {
        if !rec.add_isbn(isbn) {
            return Err(rejected(position, format!("not a valid ISBN: {isbn}")));
        }
    }
    match meta.public_domain {
        Some(true) => set_public_domain(&mut rec),
        Some(false) => {
            rec.access_info = None;
            rec.sale_info = None;
            rec.volume_info.reading_modes = None;
        }
        None => {}
    }
    if let Some(k) = &meta.source_key {
        rec.source_key = k.clone();
    }
    if rec.volume_info.title.as_deref().is_none_or(str::is_empty) {
        return Err(rejected(position, "no title: give --title"));
    }
    if rec.full_text.as_deref().is_none_or(str::is_empty) {
        return Err(rejected(position, "no text"));
    }
    Ok(rec)
}

/// A Project Gutenberg file cut at its markers.
struct Gutenberg<'a> {
    header: &'a str,
    body: &'a str,
}

fn is_marker(line: &str, what: &str) -> bool {
    let l = line.trim();
    if !l.starts_with("***") {
        return false;
    }
    let u = l.to_ascii_uppercase();
    u.contains(what) && u.contains("PROJECT GUTENBERG")
}

fn split_gutenberg(text: &str) -> Option<Gutenberg<'_>> {
    let mut offset = 0;
    let mut start = None;
    let mut small_print_end = None;
    for line in text.split_inclusive('\n') {
        let next = offset + line.len();
        if is_marker(line, "START OF") {
            start = Some((offset, next));
            break;
        }
        // Old texts: the licence comes first and ends with "*END*THE SMALL PRINT!".
        if line.trim_start().starts_with("*END*THE SMALL PRINT") {
            small_print_end = Some((offset, next));
        }
        offset = next;
        if offset > 200_000 {
            break;
        }
    }
    let (header_end, body_start) = start.or(small_print_end)?;
    let rest = text.get(body_start..)?;
    let mut end = rest.len();
    let mut pos = 0;
    for line in rest.split_inclusive('\n') {
        let t = line.trim();
        let upper = t.to_ascii_uppercase();
        if is_marker(line, "END OF")
            || upper.starts_with("END OF THE PROJECT GUTENBERG")
            || upper.starts_with("END OF PROJECT GUTENBERG")
            || upper.starts_with("*** END:")
        {
            end = pos;
            break;
        }
        pos += line.len();
    }
    Some(Gutenberg {
        header: text.get(..header_end)?,
        body: rest.get(..end)?,
    })
}

/// The body without a leading production credit.
fn gutenberg_body(body: &str) -> String {
    let text = normalize_plain(body);
    let mut paras: Vec<&str> = text.split("\n\n").collect();
    while let Some(first) = paras.first() {
        let l = first.trim_start().to_ascii_lowercase();
        let credit = [
            "produced by",
            "transcribed from",
            "e-text prepared by",
            "etext prepared by",
            "this etext was prepared by",
            "this e-text was prepared by",
        ]
        .iter()
        .any(|p| l.starts_with(p));
        if credit && paras.len() > 1 {
            paras.remove(0);
        } else {
            break;
        }
    }
    paras.join("\n\n")
}

/// Normalises plain text: `\r\n` / `\r` -> `\n`, trailing spaces trimmed, form-feed lines
/// dropped, blank-line runs collapsed to one, no blank lines at either end.
pub(crate) fn normalize_plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        for line in line.split('\r') {
            if line.contains('\u{c}') {
                let kept: String = line.chars().filter(|c| *c != '\u{c}').collect();
                if kept.trim().is_empty() {
                    // A page break: not a paragraph break.
                    continue;
                }
                push_line(&mut out, &kept, &mut blank);
            } else {
                push_line(&mut out, line, &mut blank);
            }
        }
    }
    out
}

fn push_line(out: &mut String, line: &str, blank: &mut bool) {
    let line = line.trim_end();
    if line.is_empty() {
        *blank = true;
        return;
    }
    if !out.is_empty() {
        out.push_str(if *blank { "\n\n" } else { "\n" });
    }
    *blank = false;
    out.push_str(line);
}

/// The PG header's fields.
fn header_info(header: &str, file_name: &str) -> Info {
    let mut info = Info::default();
    // (lower-case key, value, continuation lines)
    let mut fields: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut current: Option<usize> = None;
    for raw in header.lines() {
        let line = raw.trim_end();
        if line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            if let Some(field) = current.and_then(|i| fields.get_mut(i)) {
                field.2.push(line.trim().to_owned());
                continue;
            }
        }
        current = None;
        if let Some((k, v)) = line.split_once(':') {
            let k = k.trim();
            let is_key = !k.is_empty()
                && k.len() < 30
                && k.chars()
                    .all(|c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '(' || c == ')');
            if is_key {
                fields.push((k.to_lowercase(), v.trim().to_owned(), Vec::new()));
                current = Some(fields.len() - 1);
            }
        }
    }
    for (k, v, more) in fields {
        match k.as_str() {
            "title" if !v.is_empty() => {
                info.title = Some(clean(&v));
                if !more.is_empty() {
                    info.subtitle = Some(clean(&more.join(" ")));
                }
            }
            "author" | "authors" if !v.is_empty() => {
                info.authors = v.split(';').map(clean).filter(|a| !a.is_empty()).collect();
            }
            "release date" | "posting date" | "release date (original)"
                if info.published_date.is_none() =>
            {
                let date = v.split('[').next().unwrap_or("");
                info.published_date = booktext::year_in(date).map(|y| y.to_string());
            }
            "language" if !v.is_empty() => info.language = Some(v),
            _ => {}
        }
    }
    // "The Project Gutenberg EBook of The Devil's Dictionary, by Ambrose Bierce"
    if info.title.is_none() {
        if let Some(first) = header.lines().map(str::trim).find(|l| !l.is_empty()) {
            let lower = first.to_ascii_lowercase();
            if let Some(i) = lower.find("ebook of ").or_else(|| lower.find("etext of ")) {
                let rest = first.get(i + 9..).unwrap_or("");
                let (t, a) = rest.rsplit_once(", by ").unwrap_or((rest, ""));
                info.title = Some(clean(t)).filter(|t| !t.is_empty());
                if !a.is_empty() {
                    info.authors = vec![clean(a)];
                }
            }
        }
    }
    info.ebook = ebook_number(header).or_else(|| number_from_file_name(file_name));
    let lower = header.to_ascii_lowercase();
    info.public_domain =
        !(lower.contains("copyrighted") || lower.contains("copyright (c)") || header.contains('©'));
    info
}

/// `[EBook #972]`, `[eBook #3261]`, `[Etext #12]`, `EBook-No. 5`.
fn ebook_number(header: &str) -> Option<String> {
    let lower = header.to_ascii_lowercase();
    for marker in [
        "ebook #",
        "e-book #",
        "etext #",
        "e-text #",
        "ebook-no. ",
        "ebook no. ",
    ] {
        let mut from = 0;
        while let Some(i) = lower.get(from..).and_then(|s| s.find(marker)) {
            let at = from + i + marker.len();
            let digits: String = lower
                .get(at..)
                .unwrap_or("")
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if !digits.is_empty() {
                return Some(digits.trim_start_matches('0').to_owned()).filter(|d| !d.is_empty());
            }
            from = at;
        }
    }
    None
}

/// `972.txt`, `pg972.txt`, `972-0.txt`, `pg972.txt.gz` -> 972.
fn number_from_file_name(name: &str) -> Option<String> {
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_prefix("pg").unwrap_or(stem);
    let stem = stem.split('-').next().unwrap_or("");
    (!stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()))
        .then(|| stem.trim_start_matches('0').to_owned())
}

/// `pgN.rdf` (or `N.rdf`) beside the text, N from the header or the file name.
fn find_rdf(text: &Path, ebook: Option<&str>) -> Option<PathBuf> {
    let dir = text.parent()?;
    let n = ebook?;
    [format!("pg{n}.rdf"), format!("{n}.rdf")]
        .into_iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
}

/// `X.opf` beside `X.txt(.gz)`, or `../opf/X.opf`.
fn find_opf(text: &Path) -> Option<PathBuf> {
    let name = text.file_name()?.to_str()?;
    let stem = name.split('.').next()?;
    let dir = text.parent()?;
    let candidates = [
        dir.join(format!("{stem}.opf")),
        dir.join("..").join("opf").join(format!("{stem}.opf")),
    ];
    candidates.into_iter().find(|p| p.is_file())
}

fn read_rdf_info(path: &Path) -> Result<Info, Rejected> {
    let position = path.display().to_string();
    let bytes = read_path(path)?;
    parse_rdf(&booktext::decode_xml(&bytes)).map_err(|e| rejected(&position, e))
}

/// Parses a Gutenberg RDF/XML record (`pgterms:ebook`).
fn parse_rdf(xml: &str) -> Result<Info, String> {
    let mut info = Info::default();
    let mut r = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut subject_scheme: Option<String> = None;
    let mut subjects: Vec<(Option<String>, String)> = Vec::new();
    let mut found = false;
    loop {
        let event = r
            .read_event()
            .map_err(|e| format!("not well-formed RDF/XML (byte {}): {e}", r.error_position()))?;
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_owned();
                if name == "ebook" && !found {
                    found = true;
                    if let Some(about) = attr(&e, "about") {
                        let n = about.rsplit('/').next().unwrap_or("");
                        if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
                            info.ebook = Some(n.to_owned());
                        }
                    }
                }
                path.push(name);
                text.clear();
            }
            Event::Empty(e)
                if e.local_name().as_ref() == "memberOf" && path.iter().any(|p| p == "subject") =>
            {
                subject_scheme =
                    attr(&e, "resource").map(|r| r.rsplit('/').next().unwrap_or("").to_owned());
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(g) => push_ref(&g, |s| text.push_str(s)),
            Event::End(_) => {
                let name = path.last().map(String::as_str).unwrap_or("");
                let parent = path
                    .len()
                    .checked_sub(2)
                    .and_then(|i| path.get(i))
                    .map(String::as_str);
                let in_ebook = path.iter().any(|p| p == "ebook")
                    && !path.iter().any(|p| p == "hasFormat" || p == "bookshelf");
                let within = |p: &str| path.iter().any(|x| x == p);
                if in_ebook {
                    match (name, parent) {
                        ("title", Some("ebook")) if info.title.is_none() => {
                            let t = text.replace('\r', "");
                            let mut lines = t.lines().map(clean).filter(|l| !l.is_empty());
                            info.title = lines.next();
                            let rest: Vec<String> = lines.collect();
                            if !rest.is_empty() {
                                info.subtitle = Some(rest.join(" "));
                            }
                        }
                        ("name", _) if within("creator") && within("agent") => {
                            let n = clean(&text);
                            if !n.is_empty() {
                                info.authors.push(n);
                            }
                        }
                        ("deathdate", _) if within("creator") => {
                            let d = booktext::year_in(&text);
                            info.author_died = info.author_died.max(d);
                        }
                        ("value", _) if within("language") && info.language.is_none() => {
                            info.language = Some(clean(&text));
                        }
                        ("value", _) if within("subject") => {
                            subjects.push((subject_scheme.take(), clean(&text)));
                        }
                        ("rights", Some("ebook")) => info.rights = Some(clean(&text)),
                        ("issued", Some("ebook")) => info.published_date = Some(clean(&text)),
                        ("publisher", Some("ebook")) => info.publisher = Some(clean(&text)),
                        ("marc520", Some("ebook")) => {
                            info.description = Some(clean(&text)).filter(|d| !d.is_empty());
                        }
                        _ => {}
                    }
                }
                text.clear();
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !found {
        return Err("not a Project Gutenberg RDF record (no pgterms:ebook)".into());
    }
    // LCSH subjects are categories; LCC class letters are not.
    info.categories = subjects
        .into_iter()
        .filter(|(scheme, v)| !v.is_empty() && scheme.as_deref() != Some("LCC"))
        .map(|(_, v)| v)
        .collect();
    Ok(info)
}

/// The `index.jsonl` entry for `path` in its folder or the folder above.
fn index_info(path: &Path) -> Result<Option<Info>, Rejected> {
    let Some(dir) = path.parent() else {
        return Ok(None);
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    for (index_dir, rel) in [
        (dir.to_path_buf(), name.to_owned()),
        (dir.join(".."), relative_to_parent(path)),
    ] {
        let index = index_dir.join("index.jsonl");
        let Ok(file) = std::fs::File::open(&index) else {
            continue;
        };
        let position = index.display().to_string();
        use std::io::BufRead;
        for line in std::io::BufReader::new(file).lines() {
            let line = line.map_err(|e| rejected(&position, format!("cannot read: {e}")))?;
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
            let text_file = v
                .get("files")
                .and_then(|f| f.get("text"))
                .and_then(|x| x.as_str())
                .map(str::to_owned)
                .or_else(|| s("text_file"));
            let matches = text_file.as_deref() == Some(rel.as_str())
                || text_file.as_deref() == Some(name)
                || s("file").as_deref() == Some(stem)
                || (text_file.is_none() && s("id").as_deref() == Some(stem));
            if matches {
                return Ok(Some(index_entry(&v)));
            }
        }
    }
    Ok(None)
}

fn relative_to_parent(path: &Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let dir = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .unwrap_or("");
    format!("{dir}/{name}")
}

fn index_entry(v: &serde_json::Value) -> Info {
    let s = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .map(str::to_owned)
            .filter(|x| !x.is_empty() && x != "NA")
    };
    let mut info = Info::default();
    if let Some(t) = s("title") {
        let t = crate::tei::strip_edition_note(&t).replace('\r', "");
        let mut lines = t.lines().map(clean).filter(|l| !l.is_empty());
        info.title = lines.next();
        let rest: Vec<String> = lines.collect();
        if !rest.is_empty() {
            info.subtitle = Some(rest.join(" "));
        }
    }
    if let Some(list) = v.get("authors").and_then(|a| a.as_array()) {
        info.authors = list
            .iter()
            .filter_map(|a| a.as_str())
            .map(str::to_owned)
            .collect();
    } else if let Some(a) = s("author") {
        info.authors = vec![a];
    }
    info.language = s("language");
    info.publisher = s("publisher");
    info.description = s("description");
    if let Some(list) = v.get("subjects").and_then(|a| a.as_array()) {
        info.categories = list
            .iter()
            .filter_map(|a| a.as_str())
            .map(str::to_owned)
            .collect();
    }
    let first = s("first_edition").or_else(|| s("date"));
    info.first_published = first.as_deref().and_then(booktext::year_in);
    info.author_died = s("author_death").as_deref().and_then(booktext::year_in);
    info.published_date = s("date_published").or(first);
    info.rights = s("rights").or_else(|| s("licence"));
    let repo = s("source_repo").unwrap_or_default();
    let identifier = s("identifier").unwrap_or_default();
    info.public_domain = repo.contains("ELTeC")
        || repo.starts_with("standardebooks/")
        || identifier.contains("standardebooks.org")
        || info.publisher.as_deref() == Some("Standard Ebooks");
    if let Some(n) = v.get("pg_id").and_then(|x| x.as_u64()) {
        info.ebook = Some(n.to_string());
    } else {
        // ELTeC-rus ids are all "R1": the file stem is the distinct one then.
        info.index_id = match (s("id"), s("file")) {
            (Some(id), Some(file)) if file.starts_with(&id) => Some(id),
            (_, Some(file)) => Some(file),
            (id, None) => id,
        };
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booktext::word_count;

    const PG: &str = "\u{feff}The Project Gutenberg EBook of Tiny Tales, by Ann Author\r\n\r\n\
This eBook is for the use of anyone anywhere at no cost and with\r\nalmost no restrictions whatsoever.\r\n\r\n\
Title: Tiny Tales\r\n       or Stories in Small\r\n\r\nAuthor: Ann Author\r\n\r\n\
Release Date: May 8, 2007  [eBook #4242]\r\n\r\nLanguage: French\r\n\r\n\
*** START OF THIS PROJECT GUTENBERG EBOOK TINY TALES ***\r\n\r\n\r\n\r\nProduced by Somebody\r\n\r\n\r\n\
CHAPTER I\r\n\r\nOnce upon a time   \r\nthere was a line.\r\n\r\n\r\n\r\nThe end.\r\n\r\n\
End of the Project Gutenberg EBook of Tiny Tales\r\n\r\n\
*** END OF THIS PROJECT GUTENBERG EBOOK TINY TALES ***\r\n\r\nThe Full Project Gutenberg License ...\r\n";

    #[test]
    fn gutenberg_header_and_body() {
        let rec = read_bytes(PG.as_bytes(), "whatever.txt", &TextMeta::default()).unwrap();
        assert_eq!(rec.source_key, "gutenberg:4242");
        let vi = &rec.volume_info;
        assert_eq!(vi.title.as_deref(), Some("Tiny Tales"));
        assert_eq!(vi.subtitle.as_deref(), Some("or Stories in Small"));
        assert_eq!(vi.authors.as_deref(), Some(&["Ann Author".to_owned()][..]));
        assert_eq!(vi.language.as_deref(), Some("fr"));
        assert_eq!(vi.published_date.as_deref(), Some("2007"));
        assert_eq!(
            rec.access_info.as_ref().and_then(|a| a.public_domain),
            Some(true)
        );
        assert_eq!(
            rec.full_text.as_deref(),
            Some("CHAPTER I\n\nOnce upon a time\nthere was a line.\n\nThe end.")
        );
    }

    #[test]
    fn windows_1252_and_overrides() {
        let latin = b"Caf\xe9 society.\r\n\r\nSecond paragraph \x96 with a dash.\r\n";
        let err = read_bytes(latin, "cafe.txt", &TextMeta::default()).unwrap_err();
        assert_eq!(err.position, "cafe.txt");
        assert_eq!(err.reason, "no title: give --title");
        let meta = TextMeta {
            title: Some("Café".into()),
            authors: vec!["Doe, Jane".into()],
            language: Some("fre".into()),
            isbn: Some("0-19-852663-6".into()),
            ..TextMeta::default()
        };
        let rec = read_bytes(latin, "cafe.txt", &meta).unwrap();
        assert_eq!(
            rec.full_text.as_deref(),
            Some("Café society.\n\nSecond paragraph – with a dash.")
        );
        assert_eq!(
            rec.volume_info.authors.as_deref(),
            Some(&["Jane Doe".to_owned()][..])
        );
        assert_eq!(rec.volume_info.language.as_deref(), Some("fr"));
        assert!(rec.source_key.starts_with("text:sha256:"));
        assert!(
            rec.access_info.is_none(),
            "unknown rights: the pipeline decides"
        );
        // Same text, same key; different text, different key.
        assert_eq!(
            read_bytes(latin, "x", &meta).unwrap().source_key,
            rec.source_key
        );
        assert_ne!(
            read_bytes(b"Other.", "x", &meta).unwrap().source_key,
            rec.source_key
        );
        // Overrides win over the PG header.
        let meta = TextMeta {
            title: Some("Better Title".into()),
            public_domain: Some(false),
            ..TextMeta::default()
        };
        let rec = read_bytes(PG.as_bytes(), "pg.txt", &meta).unwrap();
        assert_eq!(rec.volume_info.title.as_deref(), Some("Better Title"));
        assert_eq!(rec.volume_info.subtitle, None);
        assert!(rec.access_info.is_none());
        // A bad ISBN is refused, empty input too.
        let meta = TextMeta {
            title: Some("T".into()),
            isbn: Some("123".into()),
            ..TextMeta::default()
        };
        assert!(read_bytes(b"x", "x", &meta)
            .unwrap_err()
            .reason
            .contains("ISBN"));
        let meta = TextMeta {
            title: Some("T".into()),
            ..TextMeta::default()
        };
        assert_eq!(
            read_bytes(b"\r\n \r\n", "blank.txt", &meta)
                .unwrap_err()
                .reason,
            "no text"
        );
    }

    #[test]
    fn copyrighted_gutenberg_is_not_public_domain() {
        let c = PG.replace(
            "almost no restrictions whatsoever.",
            "This is a COPYRIGHTED Project Gutenberg eBook.",
        );
        let rec = read_bytes(c.as_bytes(), "c.txt", &TextMeta::default()).unwrap();
        assert!(rec.access_info.is_none());
        // Truncated after the START marker: still the header's book, with what text there is.
        let cut = PG.split("The end.").next().unwrap();
        let rec = read_bytes(cut.as_bytes(), "cut.txt", &TextMeta::default()).unwrap();
        assert!(rec.full_text.unwrap().ends_with("there was a line."));
        // A header but nothing after the marker.
        let cut = PG.split("Produced by").next().unwrap();
        let err = read_bytes(cut.as_bytes(), "cut.txt", &TextMeta::default()).unwrap_err();
        assert_eq!(err.reason, "no text");
    }

    #[test]
    fn file_names_and_numbers() {
        assert_eq!(number_from_file_name("972.txt").as_deref(), Some("972"));
        assert_eq!(
            number_from_file_name("pg3261.txt.gz").as_deref(),
            Some("3261")
        );
        assert_eq!(number_from_file_name("972-0.txt").as_deref(), Some("972"));
        assert_eq!(number_from_file_name("notes.txt"), None);
        assert_eq!(
            ebook_number("Posting Date: July 26, 2008 [EBook #972]").as_deref(),
            Some("972")
        );
        assert_eq!(
            normalize_plain("a\r\n\u{c}\r\nb\r\n\r\n\r\n\r\nc\rd  \n"),
            "a\nb\n\nc\nd"
        );
    }

    fn data() -> PathBuf {
        crate::shared_data_dir()
    }

    #[test]
    fn gutenberg_files_with_rdf() {
        let rec = read_file(&data().join("gutenberg-texts/pg972/972.txt")).unwrap();
        assert_eq!(rec.source_key, "gutenberg:972");
        let vi = &rec.volume_info;
        assert_eq!(vi.title.as_deref(), Some("The Devil's Dictionary"));
        assert_eq!(
            vi.authors.as_deref(),
            Some(&["Ambrose Bierce".to_owned()][..])
        );
        assert_eq!(vi.language.as_deref(), Some("en"));
        assert_eq!(
            vi.published_date.as_deref(),
            Some("1997-07-01"),
            "RDF issued beats the header"
        );
        assert_eq!(vi.publisher.as_deref(), Some("Project Gutenberg"));
        assert_eq!(
            vi.categories.as_deref(),
            Some(
                &[
                    "English language -- Semantics -- Humor".to_owned(),
                    "English language -- Dictionaries -- Humor".to_owned(),
                    "Vocabulary -- Humor".to_owned()
                ][..]
            )
        );
        assert_eq!(
            rec.access_info.as_ref().and_then(|a| a.public_domain),
            Some(true)
        );
        let text = rec.full_text.as_deref().unwrap();
        assert!(
            text.starts_with("THE DEVIL'S DICTIONARY\n\nby Ambrose Bierce\n\nAUTHOR'S PREFACE"),
            "{}",
            &text[..100]
        );
        assert!(text.ends_with("the domestic cow sheds its horn every two years."));
        assert!(text.contains("\n\nABASEMENT, n.  A decent and customary mental attitude"));
        for boiler in [
            "PROJECT GUTENBERG",
            "Project Gutenberg",
            "gutenberg.org",
            "Produced by",
            "\r",
        ] {
            assert!(!text.contains(boiler), "{boiler}");
        }
        let n = word_count(text);
        assert!((60_000..70_000).contains(&n), "{n} words");

        let rec = read_file(&data().join("gutenberg-texts/pg3261/3261.txt")).unwrap();
        assert_eq!(rec.source_key, "gutenberg:3261");
        let vi = &rec.volume_info;
        assert_eq!(
            vi.title.as_deref(),
            Some("News from Nowhere; Or, An Epoch of Rest")
        );
        assert_eq!(
            vi.subtitle.as_deref(),
            Some("Being Some Chapters from a Utopian Romance")
        );
        assert_eq!(
            vi.authors.as_deref(),
            Some(&["William Morris".to_owned()][..])
        );
        let text = rec.full_text.as_deref().unwrap();
        assert!(
            text.starts_with("NEWS FROM NOWHERE\nOR\nAN EPOCH OF REST"),
            "{}",
            &text[..100]
        );
        assert!(text.contains("\n\nCHAPTER I: DISCUSSION AND BED\n\n"));
        assert!(text.contains("\n\nCHAPTER II: A MORNING BATH\n\n"));
        assert!(!text.contains("Project Gutenberg") && !text.contains("Transcribed from"));
        let n = word_count(text);
        assert!((75_000..85_000).contains(&n), "{n} words");

        // The RDF alone.
        let meta = read_rdf(&data().join("gutenberg-texts/pg3261/pg3261.rdf")).unwrap();
        assert_eq!(meta.source_key, "gutenberg:3261");
        assert!(meta.full_text.is_none());
        // The header alone (no RDF beside it): from memory.
        let bytes = std::fs::read(data().join("gutenberg-texts/pg3261/3261.txt")).unwrap();
        let rec = read_bytes(&bytes, "3261.txt", &TextMeta::default()).unwrap();
        assert_eq!(rec.source_key, "gutenberg:3261");
        assert_eq!(rec.volume_info.title.as_deref(), Some("News from Nowhere"));
        assert_eq!(
            rec.volume_info.subtitle.as_deref(),
            Some("or An Epoch of Rest, being some chapters from A Utopian Romance")
        );
        assert_eq!(rec.volume_info.published_date.as_deref(), Some("2007"));
        assert_eq!(
            rec.access_info.as_ref().and_then(|a| a.public_domain),
            Some(true)
        );
    }

    #[test]
    fn broken_rdf_is_rejected() {
        assert!(parse_rdf("<rdf:RDF><pgterms:ebook").is_err());
        assert!(parse_rdf("<rdf:RDF xmlns:rdf=\"x\"></rdf:RDF>")
            .unwrap_err()
            .contains("no pgterms:ebook"));
    }

    /// (lang, file stem, title, author, language)
    const ELTEC_TEXT: &[(&str, &str, &str, &str, &str)] = &[
        (
            "fra",
            "FRA00501_Balzac",
            "Albert Savarus",
            "Honoré de Balzac",
            "fr",
        ),
        ("deu", "DEU046", "Grete Minde", "Theodor Fontane", "de"),
        (
            "spa",
            "SPA2003_PerezGaldos_Trafalgar",
            "Trafalgar",
            "Benito Pérez Galdós",
            "es",
        ),
        (
            "por",
            "POR0021_ConFic_Eleicao",
            "Uma Eleição Perdida",
            "Francisco Manuel de Melo Breyner, Conde de Ficalho",
            "pt",
        ),
        ("rus", "012_krotkaya", "Кроткая", "Достоевский Ф.М.", "ru"),
    ];

    #[test]
    fn eltec_texts_with_index() {
        let mut seen = 0;
        let mut keys = std::collections::HashSet::new();
        for lang in ["deu", "fra", "por", "rus", "spa"] {
            let dir = data().join("eltec").join(lang).join("text");
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let rec = read_file(&path).unwrap_or_else(|e| panic!("{e}"));
                let explicit = read_with_index(&path).unwrap();
                assert_eq!(rec, explicit);
                assert!(rec.source_key.starts_with("text:"), "{}", rec.source_key);
                assert!(
                    keys.insert(rec.source_key.clone()),
                    "duplicate key {}",
                    rec.source_key
                );
                assert_eq!(
                    rec.access_info.as_ref().and_then(|a| a.public_domain),
                    Some(true),
                    "{path:?}"
                );
                let text = rec.full_text.as_deref().unwrap();
                assert!(!text.contains('\u{c}') && !text.contains("\n\n\n"));
                assert!(word_count(text) > 9_000, "{path:?}");
                seen += 1;
            }
        }
        assert_eq!(seen, 25);
        for (lang, stem, title, author, language) in ELTEC_TEXT {
            let path = data()
                .join("eltec")
                .join(lang)
                .join("text")
                .join(format!("{stem}.txt.gz"));
            let rec = read_file(&path).unwrap();
            assert_eq!(rec.volume_info.title.as_deref(), Some(*title));
            assert_eq!(
                rec.volume_info.authors.as_deref(),
                Some(&[author.to_string()][..])
            );
            assert_eq!(rec.volume_info.language.as_deref(), Some(*language));
        }
        let rec = read_file(&data().join("eltec/deu/text/DEU046.txt.gz")).unwrap();
        assert_eq!(rec.source_key, "text:DEU046");
        assert_eq!(rec.volume_info.published_date.as_deref(), Some("1879"));
        let rec = read_file(&data().join("eltec/rus/text/002_asya.txt.gz")).unwrap();
        assert_eq!(rec.source_key, "text:002_asya");
        assert_eq!(rec.volume_info.published_date.as_deref(), Some("1857"));
    }

    #[test]
    fn standard_ebooks_texts_find_their_opf() {
        let dir = data().join("standard-ebooks/text");
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rec = read_file(&path).unwrap();
            assert!(
                rec.source_key
                    .starts_with("epub:https://standardebooks.org/ebooks/"),
                "{}",
                rec.source_key
            );
            assert_eq!(
                rec.access_info.as_ref().and_then(|a| a.public_domain),
                Some(true)
            );
            n += 1;
        }
        assert_eq!(n, 13);
        let rec = read_file(&dir.join("bram-stoker_dracula.txt.gz")).unwrap();
        assert_eq!(rec.volume_info.title.as_deref(), Some("Dracula"));
        assert_eq!(
            rec.volume_info.authors.as_deref(),
            Some(&["Bram Stoker".to_owned()][..])
        );
        let n = word_count(rec.full_text.as_deref().unwrap());
        assert!((155_000..167_000).contains(&n), "{n}");
    }
}
