//! `tei`: TEI P5 XML books (one book per file, `.xml` or `.xml.gz`), such as the ELTeC novels.
//!
//! Mapping (TEI header -> `VolumeInfo`):
//!
//! - `fileDesc/titleStmt/title`: the first that is not a subtitle, alternative, series title
//!   or in another language than the text -> `title`, with ELTeC's edition note
//!   (`Albert Savarus : édition ELTeC`) removed; `title[@type="sub"]` -> `subtitle`.
//! - `titleStmt/author` -> `authors`, in display form: ELTeC's `Balzac, Honoré de (1799-1850)`
//!   becomes `Honoré de Balzac` (the death year is kept for the rights rule).
//! - `sourceDesc`: the first edition's `bibl` (`type="firstEdition"`, else the print source,
//!   else any date in `sourceDesc` outside the digital source) -> `publisher` and
//!   `publishedDate` (the work's first publication).
//! - `profileDesc/langUsage/language/@ident` (the one of highest `@usage`; else `TEI/@xml:lang`)
//!   -> `language` (two-letter: `SPA` -> `es`, `pt-PT` -> `pt`).
//! - `profileDesc/textClass/keywords/term` (untyped, or of type genre / subgenre / subject /
//!   topic; `NA`, `unspecified` left out) -> `categories`.
//! - Text: `text` (front, body, back) -> `full_text`: each `p`, `l`, `head`, `trailer`,
//!   `item`, `titlePart`... is a paragraph, so `div/head` is a heading on its own line;
//!   `note`, `fw` (running heads), `figDesc`, `del`, and in `choice` the `sic` / `orig` / `abbr`
//!   alternatives are left out; page breaks (`pb`) are not marked. The header is never text.
//! - Source key `tei:<TEI/@xml:id>` when the file name starts with that id (ELTeC:
//!   `FRA00501_Balzac.xml` has `xml:id="FRA00501"`), else `tei:<file stem>` (the ELTeC-rus
//!   files all say `xml:id="R1"`); for bytes without a name, the id or a hash of the bytes.
//!
//! Rights rule (public domain -> `accessInfo`, free `saleInfo`, `readingModes.text`), any of:
//! the header's `availability` says the text is in the public domain (or its licence is a
//! Creative Commons public-domain mark / CC0); the file is an ELTeC edition (its encoding
//! description `n="eltec-…"` or an ELTeC title / publication statement: ELTeC only takes novels
//! first published 1840–1920, public domain in the USA; the CC-BY licence in the header is the
//! edition's, not the text's); the first publication is more than 95 years old; or the author
//! died more than 70 years ago. Otherwise rights are left to the pipeline.

use std::io::Read;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::booktext::{
    self, attr, attr_exact, clean, decode_xml, display_name, language_code, push_ref, read_capped,
    rejected, says_public_domain, set_public_domain, Role, Walker,
};
use crate::{Rejected, SourceRecord};

/// Largest (decompressed) TEI document read.
pub const MAX_BYTES: u64 = 512 << 20;

/// Reads one TEI file (`.xml`, or `.xml.gz`).
pub fn read_file(path: &Path) -> Result<SourceRecord, Rejected> {
    let position = path.display().to_string();
    let input =
        crate::open_input(path).map_err(|e| rejected(&position, format!("cannot open: {e}")))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    read_named(input, name, &position)
}

/// Reads a TEI document from a reader; `name` is its file name (for the source key and
/// positions; may be empty).
pub fn read(input: impl Read, name: &str) -> Result<SourceRecord, Rejected> {
    read_named(input, name, name)
}

fn read_named(input: impl Read, name: &str, position: &str) -> Result<SourceRecord, Rejected> {
    let bytes = read_capped(input, MAX_BYTES, position)?;
    read_bytes(&bytes, name, position)
}

/// Reads a TEI document held in memory.
pub fn read_bytes(bytes: &[u8], name: &str, position: &str) -> Result<SourceRecord, Rejected> {
    let xml = decode_xml(bytes);
    let doc = parse(&xml).map_err(|e| rejected(position, e))?;
    let xml_id = doc.xml_id.clone();
    let mut rec = doc.record(position)?;
    let stem = file_stem(name);
    rec.source_key = match (&xml_id, stem) {
        (Some(id), Some(stem)) if stem.starts_with(id.as_str()) => format!("tei:{id}"),
        (_, Some(stem)) => format!("tei:{stem}"),
        (Some(id), None) => format!("tei:{id}"),
        (None, None) => format!("tei:sha256:{}", booktext::sha256_hex(bytes)),
    };
    Ok(rec)
}

fn file_stem(name: &str) -> Option<&str> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    let mut stem = base;
    for ext in [".gz", ".xml", ".tei"] {
        if lower.len() >= stem.len() && stem.to_ascii_lowercase().ends_with(ext) {
            stem = stem.get(..stem.len() - ext.len()).unwrap_or(stem);
        }
    }
    (!stem.is_empty()).then_some(stem)
}

/// A `titleStmt/title`: text, `@type`, `@level`, `@xml:lang`.
type Title = (String, Option<String>, Option<String>, Option<String>);

#[derive(Debug, Default)]
struct Doc {
    xml_id: Option<String>,
    xml_lang: Option<String>,
    titles: Vec<Title>,
    authors: Vec<String>,
    /// (bibl type, text)
    publishers: Vec<(Option<String>, String)>,
    /// (bibl type, year text)
    dates: Vec<(Option<String>, String)>,
    languages: Vec<(String, u32)>,
    terms: Vec<(Option<String>, String)>,
    availability: String,
    licence: Vec<String>,
    eltec: bool,
    text: String,
}

#[derive(Debug)]
enum Field {
    Title {
        ty: Option<String>,
        level: Option<String>,
        lang: Option<String>,
    },
    Author,
    Publisher {
        bibl: Option<String>,
    },
    Date {
        bibl: Option<String>,
    },
    Availability,
    Term {
        ty: Option<String>,
    },
    PublicationStmt,
}

struct Capture {
    depth: usize,
    field: Field,
    text: String,
}

fn parse(xml: &str) -> Result<Doc, String> {
    let mut r = Reader::from_str(xml);
    let mut doc = Doc::default();
    // Element names outside <text>.
    let mut path: Vec<String> = Vec::new();
    let mut captures: Vec<Capture> = Vec::new();
    let mut bibls: Vec<(usize, Option<String>)> = Vec::new();
    let mut walker = Walker::with_capacity(xml.len() / 2);
    // Depth inside <text> (0: outside).
    let mut in_text = 0usize;
    let mut seen_root = false;
    loop {
        let event = r
            .read_event()
            .map_err(|e| format!("not well-formed XML (byte {}): {e}", r.error_position()))?;
        if in_text > 0 {
            match event {
                Event::Start(e) => {
                    in_text += 1;
                    let role = if walker.skipping() {
                        Role::Inline
                    } else {
                        tei_role(&e, walker.parent_is_choice())
                    };
                    walker.start(role);
                }
                Event::Empty(e) if !walker.skipping() => {
                    walker.empty(tei_role(&e, walker.parent_is_choice()));
                }
                Event::End(_) => {
                    in_text -= 1;
                    if in_text > 0 {
                        walker.end();
                    } else {
                        walker.reset();
                    }
                }
                Event::Text(t) => walker.text(&t.xml10_content()),
                Event::CData(t) => walker.text(&t.xml10_content()),
                Event::GeneralRef(g) => walker.general_ref(&g),
                Event::Eof => break,
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_owned();
                if !seen_root {
                    seen_root = true;
                    if name != "TEI" && name != "teiCorpus" {
                        return Err(format!("not a TEI document: the root element is <{name}>"));
                    }
                }
                if name == "text" && !path.iter().any(|p| p == "teiHeader") {
                    in_text = 1;
                    walker.reset();
                    continue;
                }
                path.push(name);
                let depth = path.len();
                header_start(&e, &path, &mut doc, &mut bibls, &mut captures, depth);
            }
            Event::Empty(e) => {
                let name = e.local_name().as_ref().to_owned();
                if !seen_root {
                    return Err(format!("not a TEI document: the root element is <{name}/>"));
                }
                path.push(name);
                let depth = path.len();
                // An empty element opens no bibl and captures no text.
                let mut open_bibls = bibls.clone();
                header_start(&e, &path, &mut doc, &mut open_bibls, &mut Vec::new(), depth);
                path.pop();
            }
            Event::End(_) => {
                let depth = path.len();
                while captures.last().is_some_and(|c| c.depth == depth) {
                    if let Some(c) = captures.pop() {
                        finish(c, &mut doc);
                    }
                }
                if bibls.last().is_some_and(|(d, _)| *d == depth) {
                    bibls.pop();
                }
                path.pop();
            }
            Event::Text(t) if !captures.is_empty() => {
                let t = t.xml10_content();
                for c in &mut captures {
                    c.text.push_str(&t);
                }
            }
            Event::CData(t) => {
                let t = t.xml10_content();
                for c in &mut captures {
                    c.text.push_str(&t);
                }
            }
            Event::GeneralRef(g) => {
                for c in &mut captures {
                    push_ref(&g, |s| c.text.push_str(s));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err("not a TEI document: no root element".into());
    }
    if in_text > 0 {
        return Err("truncated document: <text> is not closed".into());
    }
    doc.text = walker.text.finish();
    Ok(doc)
}

fn header_start(
    e: &BytesStart<'_>,
    path: &[String],
    doc: &mut Doc,
    bibls: &mut Vec<(usize, Option<String>)>,
    captures: &mut Vec<Capture>,
    depth: usize,
) {
    let name = path.last().map(String::as_str).unwrap_or("");
    let within = |p: &str| path.iter().any(|x| x == p);
    let mut capture = |field: Field| {
        captures.push(Capture {
            depth,
            field,
            text: String::new(),
        });
    };
    match name {
        "TEI" | "teiCorpus" => {
            if doc.xml_id.is_none() {
                doc.xml_id = attr_exact(e, "xml:id")
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty());
            }
            if doc.xml_lang.is_none() {
                doc.xml_lang = attr_exact(e, "xml:lang");
            }
        }
        "encodingDesc"
            if attr(e, "n").is_some_and(|n| n.to_ascii_lowercase().starts_with("eltec")) =>
        {
            doc.eltec = true;
        }
        "title" if within("titleStmt") && !within("sourceDesc") => capture(Field::Title {
            ty: attr(e, "type"),
            level: attr(e, "level"),
            lang: attr_exact(e, "xml:lang"),
        }),
        "author" if within("titleStmt") && !within("sourceDesc") => capture(Field::Author),
        "bibl" | "biblStruct" | "biblFull" if within("sourceDesc") => {
            bibls.push((depth, attr(e, "type")));
        }
        "publisher" if within("sourceDesc") && !bibls.is_empty() => capture(Field::Publisher {
            bibl: bibls.last().and_then(|(_, t)| t.clone()),
        }),
        "date" if within("sourceDesc") => {
            let bibl = bibls.last().and_then(|(_, t)| t.clone());
            if let Some(when) = attr(e, "when").or_else(|| attr(e, "notBefore")) {
                doc.dates.push((bibl, when));
            } else {
                capture(Field::Date { bibl });
            }
        }
        "publicationStmt" if within("fileDesc") => capture(Field::PublicationStmt),
        "availability" => capture(Field::Availability),
        "licence" => {
            if let Some(t) = attr(e, "target") {
                doc.licence.push(t);
            }
            capture(Field::Availability);
        }
        "language" if within("langUsage") => {
            if let Some(ident) = attr(e, "ident") {
                let usage = attr(e, "usage")
                    .and_then(|u| u.trim().parse().ok())
                    .unwrap_or(0);
                doc.languages.push((ident, usage));
            }
        }
        "term" if within("keywords") => capture(Field::Term {
            ty: attr(e, "type"),
        }),
        _ => {}
    }
}

fn finish(c: Capture, doc: &mut Doc) {
    let text = clean(&c.text);
    match c.field {
        Field::Availability => {
            doc.availability.push_str(&text);
            doc.availability.push(' ');
            return;
        }
        Field::PublicationStmt => {
            if text.contains("ELTeC")
                || text.contains("Distant Reading for European Literary History")
            {
                doc.eltec = true;
            }
            return;
        }
        _ => {}
    }
    if text.is_empty() {
        return;
    }
    match c.field {
        Field::Title { ty, level, lang } => {
            if text.contains("ELTeC") {
                doc.eltec = true;
            }
            doc.titles.push((text, ty, level, lang));
        }
        Field::Author => doc.authors.push(text),
        Field::Publisher { bibl } => doc.publishers.push((bibl, text)),
        Field::Date { bibl } => doc.dates.push((bibl, text)),
        Field::Term { ty } => doc.terms.push((ty, text)),
        Field::Availability | Field::PublicationStmt => {}
    }
}

/// Drops an ELTeC edition note: `Albert Savarus : édition ELTeC` -> `Albert Savarus`.
pub(crate) fn strip_edition_note(title: &str) -> String {
    if let Some(i) = title.rfind(':') {
        if title
            .get(i + 1..)
            .is_some_and(|rest| rest.to_lowercase().contains("eltec"))
        {
            return clean(title.get(..i).unwrap_or(title));
        }
    }
    if let (Some(open), true) = (title.rfind('('), title.ends_with(')')) {
        if title
            .get(open..)
            .is_some_and(|rest| rest.to_lowercase().contains("eltec"))
        {
            return clean(title.get(..open).unwrap_or(title));
        }
    }
    title.to_owned()
}

/// Birth and death years in `Balzac, Honoré de (1799-1850)`.
fn death_year(author: &str) -> Option<i32> {
    let open = author.rfind('(')?;
    let inner = author.get(open + 1..)?.split(')').next()?;
    let (_, death) = inner.split_once('-')?;
    booktext::year_in(death)
}

impl Doc {
    fn record(self, position: &str) -> Result<SourceRecord, Rejected> {
        let mut rec = SourceRecord::new(String::new());
        let doc_lang = self.xml_lang.as_deref().and_then(language_code);
        let is_main = |(_, ty, level, lang): &&Title| {
            let ty = ty.as_deref().unwrap_or("main");
            !matches!(
                ty,
                "sub" | "subtitle" | "alt" | "alternative" | "short" | "desc" | "parallel"
            ) && !matches!(level.as_deref(), Some("s" | "j" | "u"))
                && lang
                    .as_deref()
                    .and_then(language_code)
                    .is_none_or(|l| Some(&l) == doc_lang.as_ref())
        };
        let Some((title, ..)) = self.titles.iter().find(is_main) else {
            return Err(rejected(
                position,
                "no title (teiHeader/fileDesc/titleStmt/title)",
            ));
        };
        let title = strip_edition_note(title);
        if title.is_empty() {
            return Err(rejected(position, "empty title"));
        }
        rec.volume_info.title = Some(title);
        rec.volume_info.subtitle = self
            .titles
            .iter()
            .find(|(_, ty, ..)| matches!(ty.as_deref(), Some("sub" | "subtitle")))
            .map(|(t, ..)| strip_edition_note(t));
        for a in &self.authors {
            rec.add_author(&display_name(a));
        }

        // The first edition, else the print source, else any non-digital date.
        let pick = |list: &[(Option<String>, String)]| -> Option<String> {
            let of = |ty: &str| {
                list.iter()
                    .find(|(t, _)| t.as_deref() == Some(ty))
                    .map(|(_, v)| v.clone())
            };
            of("firstEdition")
                .or_else(|| of("printSource"))
                .or_else(|| {
                    list.iter()
                        .find(|(t, _)| t.as_deref() != Some("digitalSource"))
                        .map(|(_, v)| v.clone())
                })
        };
        let first_year = pick(&self.dates).as_deref().and_then(booktext::year_in);
        rec.volume_info.published_date = first_year.map(|y| y.to_string());
        rec.volume_info.publisher = pick(&self.publishers);
        rec.volume_info.language = self
            .languages
            .iter()
            .enumerate()
            .max_by_key(|(i, (_, usage))| (*usage, std::cmp::Reverse(*i)))
            .and_then(|(_, (ident, _))| language_code(ident))
            .or(doc_lang);
        rec.volume_info.print_type = Some("BOOK".into());
        for (ty, term) in &self.terms {
            let wanted = ty.as_deref().is_none_or(|t| {
                matches!(
                    t,
                    "genre" | "subgenre" | "subject" | "topic" | "keyword" | "keywords"
                )
            });
            if wanted && !matches!(term.as_str(), "NA" | "unspecified" | "unknown" | "n/a") {
                rec.add_category(term);
            }
        }

        let author_died = self.authors.iter().filter_map(|a| death_year(a)).max();
        let licence_pd = self
            .licence
            .iter()
            .any(|l| l.contains("publicdomain") || l.contains("/zero/"));
        if says_public_domain(&self.availability)
            || licence_pd
            || self.eltec
            || booktext::public_domain_by_dates(first_year, author_died)
        {
            set_public_domain(&mut rec);
        }
        if self.text.is_empty() {
            return Err(rejected(position, "no text (<text> is missing or empty)"));
        }
        rec.full_text = Some(self.text);
        Ok(rec)
    }
}

fn tei_role(e: &BytesStart<'_>, parent_is_choice: bool) -> Role {
    let name = e.local_name();
    match name.as_ref() {
        "note" | "fw" | "figDesc" | "del" | "teiHeader" | "interpGrp" | "interp" | "certainty"
        | "index" | "gap" | "surplus" | "metamark" => Role::Skip,
        "sic" | "orig" | "abbr" if parent_is_choice => Role::Skip,
        "choice" => Role::Choice,
        "p" | "l" | "head" | "div" | "div1" | "div2" | "div3" | "div4" | "div5" | "div6"
        | "div7" | "lg" | "sp" | "speaker" | "stage" | "trailer" | "closer" | "opener"
        | "salute" | "signed" | "dateline" | "byline" | "epigraph" | "argument" | "item"
        | "list" | "table" | "row" | "titlePage" | "docTitle" | "titlePart" | "docAuthor"
        | "docImprint" | "docEdition" | "docDate" | "castList" | "castItem" | "castGroup"
        | "front" | "body" | "back" | "group" | "floatingText" | "figure" | "ab" | "postscript"
        | "listBibl" => Role::Block,
        "lb" => {
            if attr(e, "break").as_deref() == Some("no") {
                Role::Inline
            } else {
                Role::LineBreak
            }
        }
        "cell" => Role::Cell,
        _ => Role::Inline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booktext::word_count;

    const SMALL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="TST001" xml:lang="fr">
  <teiHeader>
    <fileDesc>
      <titleStmt>
        <title>Le Livre : édition ELTeC</title>
        <title type="sub">Roman</title>
        <author>Dupont, Jean (1801-1870)</author>
      </titleStmt>
      <publicationStmt><p>Unpublished test</p></publicationStmt>
      <sourceDesc>
        <bibl type="digitalSource"><publisher>Web</publisher><date>2014</date></bibl>
        <bibl type="firstEdition"><publisher>Hetzel</publisher><date>1850</date></bibl>
      </sourceDesc>
    </fileDesc>
    <profileDesc>
      <langUsage><language ident="fr">French</language></langUsage>
      <textClass><keywords>
        <term type="subgenre">roman social</term>
        <term type="narrative-perspective">heterodiegetic</term>
      </keywords></textClass>
    </profileDesc>
  </teiHeader>
  <text>
    <front><div type="liminal"><p>À ma mère.</p></div></front>
    <body>
      <div type="chapter">
        <head>Chapitre premier</head>
        <p>Il était <hi>une</hi> fois<note>Note de l'éditeur.</note>, un
           <choice><sic>rio</sic><corr>roi</corr></choice> &amp; sa reine.<pb n="2"/></p>
        <lg><l>Vers un,</l><l>vers deux.</l></lg>
        <fw type="header">RUNNING HEAD</fw>
      </div>
    </body>
  </text>
</TEI>"#;

    #[test]
    fn small_document() {
        let rec = read_bytes(SMALL.as_bytes(), "TST001_Dupont.xml", "mem").unwrap();
        assert_eq!(rec.source_key, "tei:TST001");
        let vi = &rec.volume_info;
        assert_eq!(vi.title.as_deref(), Some("Le Livre"));
        assert_eq!(vi.subtitle.as_deref(), Some("Roman"));
        assert_eq!(vi.authors.as_deref(), Some(&["Jean Dupont".to_owned()][..]));
        assert_eq!(vi.publisher.as_deref(), Some("Hetzel"));
        assert_eq!(vi.published_date.as_deref(), Some("1850"));
        assert_eq!(vi.language.as_deref(), Some("fr"));
        assert_eq!(
            vi.categories.as_deref(),
            Some(&["roman social".to_owned()][..])
        );
        assert_eq!(
            rec.full_text.as_deref(),
            Some(
                "À ma mère.\n\nChapitre premier\n\nIl était une fois, un roi & sa reine.\n\n\
                 Vers un,\n\nvers deux."
            )
        );
        // First published 1850: public domain by date.
        assert_eq!(rec.access_info.and_then(|a| a.public_domain), Some(true));
    }

    #[test]
    fn keys_rights_and_rejections() {
        // No name: the xml:id; a name not starting with it: the stem.
        assert_eq!(
            read_bytes(SMALL.as_bytes(), "", "m").unwrap().source_key,
            "tei:TST001"
        );
        assert_eq!(
            read_bytes(SMALL.as_bytes(), "dir/other.xml.gz", "m")
                .unwrap()
                .source_key,
            "tei:other"
        );

        // A modern work with no rights statement: left to the pipeline.
        let modern = SMALL
            .replace("<date>1850</date>", "<date>2010</date>")
            .replace("(1801-1870)", "(1960-)")
            .replace(" : édition ELTeC", "");
        let rec = read_bytes(modern.as_bytes(), "", "m").unwrap();
        assert!(rec.access_info.is_none());
        assert_eq!(rec.volume_info.title.as_deref(), Some("Le Livre"));
        // ... unless its availability says public domain.
        let pd = modern.replace(
            "<p>Unpublished test</p>",
            "<availability><p>This text is in the public domain.</p></availability>",
        );
        let rec = read_bytes(pd.as_bytes(), "", "m").unwrap();
        assert_eq!(rec.access_info.and_then(|a| a.public_domain), Some(true));

        let err = read_bytes(
            b"<TEI><teiHeader></teiHeader><text><body><p>x</p></body></text></TEI>",
            "",
            "nt",
        )
        .unwrap_err();
        assert_eq!(err.reason, "no title (teiHeader/fileDesc/titleStmt/title)");
        let err = read_bytes(b"<html><body/></html>", "", "h").unwrap_err();
        assert!(err.reason.contains("not a TEI document"), "{err}");
        let truncated = SMALL.get(..SMALL.len() / 2 + 200).unwrap();
        let err = read_bytes(truncated.as_bytes(), "", "trunc.xml").unwrap_err();
        assert_eq!(err.position, "trunc.xml");
        assert!(
            err.reason.contains("truncated") || err.reason.contains("well-formed"),
            "{err}"
        );
        let err = read_bytes(b"\x00\x01garbage", "", "bin").unwrap_err();
        assert!(
            err.reason.contains("not a TEI") || err.reason.contains("well-formed"),
            "{err}"
        );
        let err = read_bytes(b"", "", "empty").unwrap_err();
        assert!(err.reason.contains("not a TEI"), "{err}");
        let no_text = SMALL.split("<text>").next().unwrap().to_owned() + "</TEI>";
        let err = read_bytes(no_text.as_bytes(), "", "nt").unwrap_err();
        assert!(err.reason.starts_with("no text"), "{err}");
        // Latin-1 declared and used.
        let latin = SMALL.replace("UTF-8", "ISO-8859-1");
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&latin);
        let rec = read_bytes(&bytes, "", "l1").unwrap();
        assert!(rec.full_text.unwrap().starts_with("À ma mère."));
        // A gzip bomb is cut at the limit rather than read whole (tested on the limit helper).
        let err = read_capped(std::io::repeat(b'a'), 1 << 20, "bomb.xml.gz").unwrap_err();
        assert!(err.reason.contains("decompression bomb"), "{err}");
    }

    /// (file, title, author, language, first words of the text, a heading in the text)
    const ELTEC: &[(&str, &str, &str, &str, &str)] = &[
        (
            "deu/tei/DEU008.xml.gz",
            "Der Lautenbacher",
            "Berthold Auerbach",
            "de",
            "Der Lautenbacher.",
        ),
        (
            "deu/tei/DEU012.xml.gz",
            "Aus dem Leben einer Frau",
            "Louise Aston",
            "de",
            "",
        ),
        (
            "deu/tei/DEU033.xml.gz",
            "Die Geschichte meines Urgroßvaters",
            "Louise von François",
            "de",
            "",
        ),
        (
            "deu/tei/DEU046.xml.gz",
            "Grete Minde",
            "Theodor Fontane",
            "de",
            "",
        ),
        (
            "deu/tei/DEU080.xml.gz",
            "Dumala",
            "Eduard von Keyserling",
            "de",
            "",
        ),
        (
            "fra/tei/FRA00201_Audoux.xml.gz",
            "Marie-Claire",
            "Marguerite Audoux",
            "fr",
            "",
        ),
        (
            "fra/tei/FRA00401_Allais.xml.gz",
            "Le Captain Cap",
            "Alphonse Allais",
            "fr",
            "",
        ),
        (
            "fra/tei/FRA00501_Balzac.xml.gz",
            "Albert Savarus",
            "Honoré de Balzac",
            "fr",
            "DÉDIÉ A MADAME ÉMILE DE GIRARDIN,",
        ),
        (
            "fra/tei/FRA01701_GautierT.xml.gz",
            "Militona",
            "Théophile Gautier",
            "fr",
            "",
        ),
        (
            "fra/tei/FRA04002_Verne.xml.gz",
            "Le Secret de Wilhelm Storitz",
            "Jules Verne",
            "fr",
            "",
        ),
        (
            "por/tei/POR0010_CamCB_Perdicao.xml.gz",
            "Amor de Perdição",
            "Camilo Castelo Branco",
            "pt",
            "",
        ),
        (
            "por/tei/POR0013_RauBra_Pobres.xml.gz",
            "Os pobres",
            "Raul Brandão",
            "pt",
            "",
        ),
        (
            "por/tei/POR0021_ConFic_Eleicao.xml.gz",
            "Uma Eleição Perdida",
            "Francisco Manuel de Melo Breyner, Conde de Ficalho",
            "pt",
            "",
        ),
        (
            "por/tei/POR0024_AlfCam_Cabinda.xml.gz",
            "A filha do Cabinda",
            "Alfredo Luís de Campos",
            "pt",
            "",
        ),
        (
            "por/tei/POR0060_FiaAlm_Ruiva.xml.gz",
            "A ruiva",
            "Fialho de Almeida",
            "pt",
            "",
        ),
        (
            "rus/tei/001_Shinel.xml.gz",
            "Шинель",
            "Николай Васильевич Гоголь",
            "ru",
            "",
        ),
        (
            "rus/tei/002_asya.xml.gz",
            "Ася",
            "Иван Сергеевич Тургенев",
            "ru",
            "",
        ),
        (
            "rus/tei/005_smert-ivana-ilicha.xml.gz",
            "Смерть Ивана Ильича",
            "Лев Николаевич Толстой",
            "ru",
            "",
        ),
        (
            "rus/tei/009_belye-nochi.xml.gz",
            "Белые ночи",
            "Фёдор Михайлович Достоевский",
            "ru",
            "",
        ),
        (
            "rus/tei/012_krotkaya.xml.gz",
            "Кроткая",
            "Достоевский Ф.М.",
            "ru",
            "",
        ),
        (
            "spa/tei/SPA2003_PerezGaldos_Trafalgar.xml.gz",
            "Trafalgar",
            "Benito Pérez Galdós",
            "es",
            "",
        ),
        (
            "spa/tei/SPA2005_Alarcon_ElSombreroDeTresPicos.xml.gz",
            "El sombrero de tres picos",
            "Pedro Antonio de Alarcón",
            "es",
            "",
        ),
        (
            "spa/tei/SPA2017_JuanValera_PepitaJimenez.xml.gz",
            "Pepita Jiménez",
            "Juan Valera y Alcalá-Galiano",
            "es",
            "",
        ),
        (
            "spa/tei/SPA3010_BlascoIbanez_LaBarraca.xml.gz",
            "La barraca",
            "Vicente Blasco Ibáñez",
            "es",
            "",
        ),
        (
            "spa/tei/SPA4015_Unamuno_AbelSanchez.xml.gz",
            "Abel Sánchez",
            "Miguel de Unamuno",
            "es",
            "",
        ),
    ];

    fn eltec_dir() -> std::path::PathBuf {
        crate::shared_data_dir().join("eltec")
    }

    /// Words and characters of the reference plain text made from the same `<text>`.
    fn reference_text(file: &str) -> (usize, usize) {
        let txt = file
            .replace("/tei/", "/text/")
            .replace(".xml.gz", ".txt.gz");
        let mut s = String::new();
        crate::open_input(&eltec_dir().join(txt))
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        let s = s.replace('\u{c}', "");
        (
            word_count(&s),
            s.trim().chars().filter(|c| !c.is_whitespace()).count(),
        )
    }

    #[test]
    fn eltec_novels() {
        let mut keys = std::collections::HashSet::new();
        for (file, title, author, lang, start) in ELTEC {
            let path = eltec_dir().join(file);
            let rec = read_file(&path).unwrap_or_else(|e| panic!("{e}"));
            let vi = &rec.volume_info;
            assert_eq!(vi.title.as_deref(), Some(*title), "{file}");
            assert_eq!(
                vi.authors.as_deref(),
                Some(&[author.to_string()][..]),
                "{file}"
            );
            assert_eq!(vi.language.as_deref(), Some(*lang), "{file}");
            assert_eq!(
                rec.access_info.as_ref().and_then(|a| a.public_domain),
                Some(true),
                "{file}"
            );
            assert_eq!(vi.reading_modes.as_ref().map(|m| m.text), Some(true));
            assert!(
                keys.insert(rec.source_key.clone()),
                "duplicate key {}",
                rec.source_key
            );
            let text = rec.full_text.as_deref().unwrap();
            assert!(
                text.starts_with(start),
                "{file}: {}",
                text.chars().take(80).collect::<String>()
            );
            assert!(!text.contains("teiHeader") && !text.contains('<'), "{file}");
            assert!(!text.contains("\n\n\n"), "{file}");
            // Within 1% of the plain text ELTeC's files were made into (words, and non-space
            // characters), and over 9,000 words.
            let (words, chars) = reference_text(file);
            let n = word_count(text);
            assert!(
                n > 9_000 && n * 100 > words * 99 && n * 100 < words * 101,
                "{file}: {n} words vs {words}"
            );
            let c = text.chars().filter(|c| !c.is_whitespace()).count();
            assert!(
                c * 100 > chars * 99 && c * 100 < chars * 101,
                "{file}: {c} chars vs {chars}"
            );
        }
        let balzac = read_file(&eltec_dir().join("fra/tei/FRA00501_Balzac.xml.gz")).unwrap();
        assert_eq!(balzac.source_key, "tei:FRA00501");
        assert_eq!(
            balzac.volume_info.publisher.as_deref(),
            Some("bureaux du \"Siècle\"")
        );
        assert_eq!(balzac.volume_info.published_date.as_deref(), Some("1853"));
        assert_eq!(
            balzac.volume_info.categories.as_deref(),
            Some(&["social novel".to_owned()][..])
        );
        let asya = read_file(&eltec_dir().join("rus/tei/002_asya.xml.gz")).unwrap();
        assert_eq!(asya.source_key, "tei:002_asya");
        assert_eq!(asya.volume_info.published_date.as_deref(), Some("1857"));
        let text = asya.full_text.unwrap();
        assert!(
            text.contains("\n\n1.\n\nМне было тогда лет двадцать пять"),
            "chapter heading on its own line"
        );
        assert!(text.contains("\n\n22.\n\n"));
        let galdos =
            read_file(&eltec_dir().join("spa/tei/SPA2003_PerezGaldos_Trafalgar.xml.gz")).unwrap();
        assert_eq!(
            galdos.volume_info.language.as_deref(),
            Some("es"),
            "SPA usage 99 beats LAT"
        );
        let nights = read_file(&eltec_dir().join("rus/tei/009_belye-nochi.xml.gz")).unwrap();
        assert!(nights.full_text.unwrap().contains("\n\nНОЧЬ ПЕРВАЯ\n\n"));
    }

    #[test]
    fn truncated_real_tei_never_panics() {
        let mut xml = Vec::new();
        crate::open_input(&eltec_dir().join("rus/tei/002_asya.xml.gz"))
            .unwrap()
            .read_to_end(&mut xml)
            .unwrap();
        for i in 1..40 {
            let cut = xml.len() * i / 40;
            let err = read_bytes(xml.get(..cut).unwrap(), "002_asya.xml", "cut").unwrap_err();
            assert_eq!(err.position, "cut");
        }
        assert!(read_bytes(&xml, "002_asya.xml", "whole").is_ok());
    }

    /// `cargo test --release -p colophon-import throughput -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn throughput_tei() {
        let files: Vec<(String, Vec<u8>)> = ELTEC
            .iter()
            .map(|(f, ..)| {
                let mut v = Vec::new();
                crate::open_input(&eltec_dir().join(f))
                    .unwrap()
                    .read_to_end(&mut v)
                    .unwrap();
                (f.to_string(), v)
            })
            .collect();
        let xml_bytes: usize = files.iter().map(|(_, v)| v.len()).sum();
        let rounds = 5;
        let start = std::time::Instant::now();
        let mut text_bytes = 0;
        for _ in 0..rounds {
            for (name, bytes) in &files {
                text_bytes += read_bytes(bytes, name, name)
                    .unwrap()
                    .full_text
                    .unwrap()
                    .len();
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "throughput_tei: {} novels in {secs:.2}s = {:.1} novels/s, {:.1} MB/s of TEI XML (uncompressed), {:.1} MB/s of text out",
            rounds * files.len(),
            (rounds * files.len()) as f64 / secs,
            (rounds * xml_bytes) as f64 / secs / 1e6,
            text_bytes as f64 / secs / 1e6
        );
    }
}
