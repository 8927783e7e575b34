//! `epub`: EPUB 2 / EPUB 3 books (one book per file), metadata and full text.
//!
//! Path: `META-INF/container.xml` -> the package document (OPF) -> its metadata, manifest and
//! spine. Mapping (OPF -> `VolumeInfo`):
//!
//! - `dc:title`: the one refined `title-type main` (else the first) -> `title`; the one refined
//!   `title-type subtitle` -> `subtitle`.
//! - `dc:creator` whose role (`<meta property="role" refines=...>` or `opf:role`) is `aut`, or
//!   that has no role -> `authors` (all creators when none is an author). The element text is the
//!   display form; only when it is inverted ("Austen, Jane", same as its `file-as`) is it turned
//!   round.
//! - `dc:publisher` -> `publisher`; `dc:date` (EPUB 2: not `opf:event="modification"`) ->
//!   `publishedDate`; `dc:language` -> `language` (two-letter); `dc:description` (HTML stripped)
//!   -> `description`; `dc:subject` -> `categories`.
//! - Series: `<meta property="belongs-to-collection">` (refined by `collection-type`, `set` being
//!   a collection, and `group-position`) and Calibre's `calibre:series` / `calibre:series_index`
//!   -> `seriesInfo` (see [`colophon_domain::series`]).
//! - `dc:identifier`: ISBNs (`urn:isbn:`, `opf:scheme="ISBN"`, `identifier-type`, or a bare
//!   ISBN) -> `industryIdentifiers`; the package's unique identifier -> source key
//!   `epub:<identifier>` (no identifier: `epub:sha256:<hash of the file>`).
//! - Rights: `dc:rights` saying "public domain", or a Standard Ebooks identifier / publisher ->
//!   public domain (`accessInfo`, free `saleInfo`, `readingModes.text`). Otherwise rights are
//!   left to the pipeline.
//! - Text: the spine's XHTML documents in order (`linear="no"` items left out), tags stripped
//!   (block elements end paragraphs, headings stand on their own line; `<head>`, scripts,
//!   styles, SVG, MathML, `<nav>` left out) and, by `epub:type` / ARIA role, the title page,
//!   half-title, imprint, colophon, copyright page, tables of contents, note references and
//!   foot/end notes left out, as Standard Ebooks' own plain text does.
//!
//! The file is untrusted. Nothing is written to disk. [`Limits`] caps the entry count, the
//! bytes decompressed per entry and in total, and the compression ratio (zip bombs are rejected
//! with a reason saying so); entries with absolute paths, `..`, backslashes or drive letters
//! are ignored; an encrypted zip entry, or a `META-INF/encryption.xml` that encrypts anything but
//! fonts (font obfuscation), rejects the book as "encrypted (DRM) EPUB"; truncated and non-zip
//! files are rejected. XML is parsed without DTD or entity expansion (quick-xml).
//!
//! [`read_opf`] reads a bare package document (metadata only) and [`read_opf_with_text`] joins
//! one with a plain-text file of the same book (Standard Ebooks' `opf/X.opf` + `text/X.txt.gz`);
//! both give the same source key as the EPUB would.

use std::collections::HashMap;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use zip::ZipArchive;

use crate::booktext::{
    self, attr, attr_exact, clean, decode_xml, display_name, language_code, push_ref, read_capped,
    rejected, says_public_domain, set_public_domain, strip_html, Role, Walker,
};
use crate::{Rejected, SourceRecord};
use colophon_domain::series::{SeriesEntry, SeriesKind};

/// Safety limits for reading an untrusted EPUB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest EPUB file accepted.
    pub max_file_bytes: u64,
    /// Most entries in the zip.
    pub max_entries: usize,
    /// Most bytes decompressed from one entry.
    pub max_entry_bytes: u64,
    /// Most bytes decompressed from the whole book.
    pub max_total_bytes: u64,
    /// Highest compression ratio of an entry over 1 MiB that is read (deflate cannot exceed
    /// ~1032:1, real XHTML is nearer 4:1). An archive whose entries declare more than four times
    /// `max_total_bytes` at more than this ratio to the file's size is rejected outright.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 1 << 30,
            max_entries: 10_000,
            max_entry_bytes: 64 << 20,
            max_total_bytes: 256 << 20,
            max_ratio: 200,
        }
    }
}

/// Reads one EPUB file.
pub fn read_file(path: &Path) -> Result<SourceRecord, Rejected> {
    read_file_with_limits(path, &Limits::default())
}

/// Reads one EPUB file under the given limits.
pub fn read_file_with_limits(path: &Path, limits: &Limits) -> Result<SourceRecord, Rejected> {
    let position = path.display().to_string();
    let meta =
        std::fs::metadata(path).map_err(|e| rejected(&position, format!("cannot open: {e}")))?;
    if meta.len() > limits.max_file_bytes {
        return Err(rejected(
            &position,
            format!(
                "file is {} MiB, over the {} MiB limit",
                meta.len() >> 20,
                limits.max_file_bytes >> 20
            ),
        ));
    }
    let file =
        std::fs::File::open(path).map_err(|e| rejected(&position, format!("cannot open: {e}")))?;
    read_from(std::io::BufReader::new(file), &position, limits)
}

/// Reads an EPUB held in memory (an upload); `name` is used in rejection positions.
pub fn read_bytes(bytes: &[u8], name: &str) -> Result<SourceRecord, Rejected> {
    read_bytes_with_limits(bytes, name, &Limits::default())
}

/// [`read_bytes`] under the given limits.
pub fn read_bytes_with_limits(
    bytes: &[u8],
    name: &str,
    limits: &Limits,
) -> Result<SourceRecord, Rejected> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(rejected(name, "file is over the size limit"));
    }
    read_from(Cursor::new(bytes), name, limits)
}

/// Reads an EPUB from any seekable reader.
pub fn read_from<R: Read + Seek>(
    mut reader: R,
    position: &str,
    limits: &Limits,
) -> Result<SourceRecord, Rejected> {
    let io = |e: std::io::Error| rejected(position, format!("cannot read: {e}"));
    let file_len = reader.seek(SeekFrom::End(0)).map_err(io)?;
    reader.seek(SeekFrom::Start(0)).map_err(io)?;
    let zip = ZipArchive::new(reader).map_err(|e| {
        rejected(
            position,
            format!("not a readable EPUB (not a zip file, or truncated): {e}"),
        )
    })?;
    let mut book = Book {
        zip,
        position,
        limits,
        names: HashMap::new(),
        total_read: 0,
    };
    book.index(file_len)?;
    book.check_encryption()?;

    let opf_path = match book.read("META-INF/container.xml")? {
        Some(bytes) => rootfile(&decode_xml(&bytes))
            .map_err(|e| rejected(&book.at("META-INF/container.xml"), e))?,
        // No container: the first package document by name, if any.
        None => book
            .names
            .keys()
            .filter(|n| n.ends_with(".opf"))
            .min()
            .cloned(),
    }
    .ok_or_else(|| {
        rejected(
            position,
            "not an EPUB: no META-INF/container.xml naming a package document",
        )
    })?;
    let opf_bytes = book.read(&opf_path)?.ok_or_else(|| {
        rejected(
            position,
            format!("package document {opf_path} (named in container.xml) is missing"),
        )
    })?;
    let pkg = parse_opf(&decode_xml(&opf_bytes)).map_err(|e| rejected(&book.at(&opf_path), e))?;
    let mut rec = pkg.record(&book.at(&opf_path))?;

    // The spine, in reading order.
    let base = opf_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut walker = Walker::with_capacity(1 << 20);
    for (idref, linear) in &pkg.spine {
        if !linear {
            continue;
        }
        let Some(item) = pkg.manifest.get(idref) else {
            continue;
        };
        if !is_xhtml(item) {
            continue;
        }
        let Some(name) = resolve_href(base, &item.href) else {
            continue;
        };
        let Some(bytes) = book.read(&name)? else {
            continue;
        };
        walker.reset();
        walk_xhtml(&decode_xml(&bytes), &mut walker).map_err(|e| rejected(&book.at(&name), e))?;
    }
    let text = walker.text.finish();
    if text.is_empty() {
        return Err(rejected(position, "no readable text in the spine"));
    }
    rec.full_text = Some(text);
    rec.cover = cover(&mut book, &pkg, base)?;

    if rec.source_key.is_empty() {
        let mut reader = book.zip.into_inner();
        rec.source_key = format!("epub:sha256:{}", hash_reader(&mut reader).map_err(io)?);
    }
    Ok(rec)
}

/// Largest cover image taken from an EPUB.
pub const MAX_COVER_BYTES: u64 = 20 << 20;

/// The cover image: the manifest item with `properties="cover-image"` (EPUB 3), else the one
/// `<meta name="cover">` names (EPUB 2). Read under the book's limits; an image larger than
/// [`MAX_COVER_BYTES`] or of another media type is left out (the book still imports).
fn cover<R: Read + Seek>(
    book: &mut Book<'_, R>,
    pkg: &Package,
    base: &str,
) -> Result<Option<Vec<u8>>, Rejected> {
    let item = pkg
        .manifest
        .values()
        .find(|i| i.properties.split_whitespace().any(|p| p == "cover-image"))
        .or_else(|| pkg.cover_id.as_ref().and_then(|id| pkg.manifest.get(id)));
    let Some(item) = item else {
        return Ok(None);
    };
    let media = item.media_type.to_ascii_lowercase();
    if !matches!(
        media.as_str(),
        "image/jpeg" | "image/png" | "image/gif" | "image/webp"
    ) {
        return Ok(None);
    }
    let Some(name) = resolve_href(base, &item.href) else {
        return Ok(None);
    };
    if book
        .declared_size(&name)
        .is_some_and(|n| n > MAX_COVER_BYTES)
    {
        return Ok(None);
    }
    book.read(&name)
}

/// Reads a bare OPF package document: metadata only (no `full_text`).
pub fn read_opf(path: &Path) -> Result<SourceRecord, Rejected> {
    let position = path.display().to_string();
    let input =
        crate::open_input(path).map_err(|e| rejected(&position, format!("cannot open: {e}")))?;
    let bytes = read_capped(input, Limits::default().max_entry_bytes, &position)?;
    opf_record(&bytes, &position)
}

/// Reads an OPF package document and takes the book's text from a plain-text file beside it
/// (`.txt` or `.txt.gz`, UTF-8 or windows-1252; paragraphs kept, line ends normalised).
pub fn read_opf_with_text(opf: &Path, text: &Path) -> Result<SourceRecord, Rejected> {
    let mut rec = read_opf(opf)?;
    let position = text.display().to_string();
    let input =
        crate::open_input(text).map_err(|e| rejected(&position, format!("cannot open: {e}")))?;
    let bytes = read_capped(input, Limits::default().max_total_bytes, &position)?;
    let body = crate::text::normalize_plain(&booktext::decode_text(&bytes));
    if body.is_empty() {
        return Err(rejected(&position, "empty text"));
    }
    rec.full_text = Some(body);
    Ok(rec)
}

/// Metadata of an OPF held in memory.
pub fn opf_record(bytes: &[u8], position: &str) -> Result<SourceRecord, Rejected> {
    let pkg = parse_opf(&decode_xml(bytes)).map_err(|e| rejected(position, e))?;
    let mut rec = pkg.record(position)?;
    if rec.source_key.is_empty() {
        rec.source_key = format!("epub:sha256:{}", booktext::sha256_hex(bytes));
    }
    Ok(rec)
}

fn hash_reader<R: Read + Seek>(r: &mut R) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    r.seek(SeekFrom::Start(0))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(buf.get(..n).unwrap_or(&[]));
    }
    Ok(booktext::hex_of(&h.finalize()))
}

/// The open zip, with the safe entry names and the bytes decompressed so far.
struct Book<'a, R> {
    zip: ZipArchive<R>,
    position: &'a str,
    limits: &'a Limits,
    names: HashMap<String, usize>,
    total_read: u64,
}

impl<R: Read + Seek> Book<'_, R> {
    fn at(&self, entry: &str) -> String {
        format!("{}: {entry}", self.position)
    }

    /// Lists the entries: too many, encrypted or bomb-like archives are rejected; unsafe names
    /// are left out (they can never be read).
    fn index(&mut self, file_len: u64) -> Result<(), Rejected> {
        let count = self.zip.len();
        if count > self.limits.max_entries {
            return Err(rejected(
                self.position,
                format!(
                    "zip bomb or not an EPUB: {count} entries (limit {})",
                    self.limits.max_entries
                ),
            ));
        }
        let mut declared: u64 = 0;
        for i in 0..count {
            let Ok(entry) = self.zip.by_index_data(i) else {
                continue;
            };
            let Ok(name) = entry.name() else {
                continue;
            };
            if entry.encrypted() {
                return Err(rejected(
                    self.position,
                    format!("encrypted (DRM) EPUB: entry {name} is encrypted"),
                ));
            }
            declared = declared.saturating_add(entry.size());
            if entry.is_dir() || !safe_entry_name(&name) {
                continue;
            }
            let name = name.into_owned();
            self.names.entry(name).or_insert(i);
        }
        if declared > self.limits.max_total_bytes.saturating_mul(4)
            && declared / file_len.max(1) > self.limits.max_ratio
        {
            return Err(rejected(
                self.position,
                format!(
                    "zip bomb: {count} entries declare {} MiB from a {} KiB file",
                    declared >> 20,
                    file_len >> 10
                ),
            ));
        }
        Ok(())
    }

    /// The uncompressed size an entry declares.
    fn declared_size(&mut self, name: &str) -> Option<u64> {
        let &index = self.names.get(name)?;
        self.zip.by_index_data(index).ok().map(|e| e.size())
    }

    /// Decompresses one entry (None when there is no such safe entry), within the limits.
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, Rejected> {
        let Some(&index) = self.names.get(name) else {
            return Ok(None);
        };
        let position = format!("{}: {name}", self.position);
        let limits = *self.limits;
        let mut file = self
            .zip
            .by_index(index)
            .map_err(|e| rejected(&position, format!("cannot read entry: {e}")))?;
        let size = file.size();
        let packed = file.compressed_size().max(1);
        if size > limits.max_entry_bytes {
            return Err(rejected(
                &position,
                format!(
                    "zip bomb or oversized entry: {} MiB uncompressed (limit {} MiB)",
                    size >> 20,
                    limits.max_entry_bytes >> 20
                ),
            ));
        }
        if size > 1 << 20 && size / packed > limits.max_ratio {
            return Err(rejected(
                &position,
                format!(
                    "zip bomb: {size} bytes packed into {packed} ({}:1)",
                    size / packed
                ),
            ));
        }
        let left = limits.max_total_bytes.saturating_sub(self.total_read);
        if size > left {
            return Err(rejected(
                &position,
                format!(
                    "zip bomb: more than {} MiB uncompressed in total",
                    limits.max_total_bytes >> 20
                ),
            ));
        }
        let budget = limits.max_entry_bytes.min(left);
        let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        (&mut file)
            .take(budget + 1)
            .read_to_end(&mut buf)
            .map_err(|e| rejected(&position, format!("damaged entry (bad data or CRC): {e}")))?;
        if buf.len() as u64 > budget {
            return Err(rejected(
                &position,
                "zip bomb: the entry expands beyond the size limit",
            ));
        }
        self.total_read += buf.len() as u64;
        Ok(Some(buf))
    }

    /// Rejects DRM: `META-INF/encryption.xml` may only list obfuscated fonts.
    fn check_encryption(&mut self) -> Result<(), Rejected> {
        let Some(bytes) = self.read("META-INF/encryption.xml")? else {
            return Ok(());
        };
        let position = self.at("META-INF/encryption.xml");
        let xml = decode_xml(&bytes);
        let mut r = Reader::from_str(&xml);
        loop {
            match r.read_event() {
                Ok(Event::Start(e) | Event::Empty(e))
                    if e.local_name().as_ref() == "CipherReference" =>
                {
                    let uri = attr(&e, "URI").unwrap_or_default();
                    if !is_font(&uri) {
                        return Err(rejected(
                            &position,
                            format!("encrypted (DRM) EPUB: {uri} is encrypted"),
                        ));
                    }
                }
                Ok(Event::Eof) => return Ok(()),
                Err(e) => {
                    return Err(rejected(
                        &position,
                        format!("encrypted (DRM) EPUB: unreadable encryption.xml ({e})"),
                    ))
                }
                _ => {}
            }
        }
    }
}

fn is_font(uri: &str) -> bool {
    let path = uri
        .split(['#', '?'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [".otf", ".ttf", ".woff", ".woff2", ".ttc", ".eot"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// A zip entry name that is a plain relative path inside the archive.
fn safe_entry_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains('\0')
        && name.as_bytes().get(1) != Some(&b':')
        && name.split('/').all(|seg| seg != "..")
}

/// Resolves a manifest `href` against the package document's folder; None when it leaves the
/// archive (too many `..`) or is an absolute URL.
fn resolve_href(base: &str, href: &str) -> Option<String> {
    let href = href.split('#').next().unwrap_or("");
    if href.is_empty() || href.contains("://") || href.starts_with("data:") {
        return None;
    }
    let href = percent_decode(href);
    let mut parts: Vec<&str> = if href.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in href.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `META-INF/container.xml` -> the first package document's path.
fn rootfile(xml: &str) -> Result<Option<String>, String> {
    let mut r = Reader::from_str(xml);
    let mut first = None;
    loop {
        match r.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "rootfile" => {
                let path = attr(&e, "full-path");
                let media = attr(&e, "media-type").unwrap_or_default();
                if media == "application/oebps-package+xml" && path.is_some() {
                    return Ok(path);
                }
                if first.is_none() {
                    first = path;
                }
            }
            Ok(Event::Eof) => return Ok(first),
            Err(e) => {
                return Err(format!(
                    "container.xml is not well-formed XML (byte {}): {e}",
                    r.error_position()
                ))
            }
            _ => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dc {
    Title,
    Creator,
    Contributor,
    Publisher,
    Date,
    Language,
    Description,
    Subject,
    Identifier,
    Rights,
}

#[derive(Debug, Clone)]
struct DcItem {
    kind: Dc,
    id: Option<String>,
    text: String,
    /// EPUB 2 attributes.
    role: Option<String>,
    file_as: Option<String>,
    scheme: Option<String>,
    event: Option<String>,
}

#[derive(Debug, Clone)]
struct Refine {
    target: String,
    property: String,
    value: String,
}

#[derive(Debug, Clone)]
struct ManifestItem {
    href: String,
    media_type: String,
    properties: String,
}

#[derive(Debug, Default)]
struct Package {
    unique_id: Option<String>,
    dc: Vec<DcItem>,
    refines: Vec<Refine>,
    manifest: HashMap<String, ManifestItem>,
    spine: Vec<(String, bool)>,
    /// EPUB 2's `<meta name="cover" content="ID">`.
    cover_id: Option<String>,
    /// EPUB 3's `<meta property="belongs-to-collection" id="ID">title</meta>`, in order.
    collections: Vec<(Option<String>, String)>,
    /// Calibre's `<meta name="calibre:series">` and `calibre:series_index`.
    calibre_series: Option<String>,
    calibre_series_index: Option<String>,
}

enum Pending {
    Dc(DcItem),
    Meta {
        id: Option<String>,
        target: Option<String>,
        property: String,
    },
}

fn parse_opf(xml: &str) -> Result<Package, String> {
    let mut r = Reader::from_str(xml);
    let mut pkg = Package::default();
    let mut depth = 0usize;
    let mut in_metadata: Option<usize> = None;
    let mut cur: Option<(usize, Pending)> = None;
    let mut text = String::new();
    loop {
        let event = r.read_event().map_err(|e| {
            format!(
                "package document is not well-formed XML (byte {}): {e}",
                r.error_position()
            )
        })?;
        match event {
            Event::Start(e) => {
                depth += 1;
                let name = e.local_name();
                let name = name.as_ref();
                if name.eq_ignore_ascii_case("metadata") {
                    in_metadata.get_or_insert(depth);
                } else if in_metadata.is_some() && cur.is_none() {
                    if let Some(p) = pending(&e, name) {
                        text.clear();
                        cur = Some((depth, p));
                    }
                }
                structural(&e, name, &mut pkg);
            }
            Event::Empty(e) => {
                let name = e.local_name();
                structural(&e, name.as_ref(), &mut pkg);
            }
            Event::End(_) => {
                if cur.as_ref().is_some_and(|(d, _)| *d == depth) {
                    if let Some((_, p)) = cur.take() {
                        finish_pending(p, &text, &mut pkg);
                    }
                }
                if in_metadata == Some(depth) {
                    in_metadata = None;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) if cur.is_some() => text.push_str(&t.xml10_content()),
            Event::CData(t) if cur.is_some() => text.push_str(&t.xml10_content()),
            Event::GeneralRef(g) if cur.is_some() => push_ref(&g, |s| text.push_str(s)),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(pkg)
}

/// A metadata element whose text is wanted.
fn pending(e: &BytesStart<'_>, name: &str) -> Option<Pending> {
    let kind = match name.to_ascii_lowercase().as_str() {
        "title" => Dc::Title,
        "creator" => Dc::Creator,
        "contributor" => Dc::Contributor,
        "publisher" => Dc::Publisher,
        "date" => Dc::Date,
        "language" => Dc::Language,
        "description" => Dc::Description,
        "subject" => Dc::Subject,
        "identifier" => Dc::Identifier,
        "rights" => Dc::Rights,
        "meta" => {
            let property = attr(e, "property")?;
            let target = attr(e, "refines").map(|t| t.trim_start_matches('#').to_owned());
            return Some(Pending::Meta {
                id: attr_exact(e, "id"),
                target,
                property,
            });
        }
        _ => return None,
    };
    Some(Pending::Dc(DcItem {
        kind,
        id: attr_exact(e, "id"),
        text: String::new(),
        role: attr(e, "role"),
        file_as: attr(e, "file-as"),
        scheme: attr(e, "scheme"),
        event: attr(e, "event"),
    }))
}

fn finish_pending(p: Pending, text: &str, pkg: &mut Package) {
    match p {
        Pending::Dc(mut item) => {
            // Descriptions keep their markup until it is stripped.
            item.text = if item.kind == Dc::Description {
                text.to_owned()
            } else {
                clean(text)
            };
            if !item.text.trim().is_empty() {
                pkg.dc.push(item);
            }
        }
        Pending::Meta {
            id,
            target,
            property,
        } => {
            if target.is_none() && property == "belongs-to-collection" {
                let title = clean(text);
                if !title.trim().is_empty() {
                    pkg.collections.push((id, title));
                }
            } else if let Some(target) = target {
                pkg.refines.push(Refine {
                    target,
                    property,
                    value: clean(text),
                });
            }
        }
    }
}

/// `package`, manifest `item`s and spine `itemref`s.
fn structural(e: &BytesStart<'_>, name: &str, pkg: &mut Package) {
    match name {
        "package" => pkg.unique_id = attr(e, "unique-identifier"),
        "item" => {
            if let (Some(id), Some(href)) = (attr_exact(e, "id"), attr(e, "href")) {
                let media_type = attr(e, "media-type").unwrap_or_default();
                let properties = attr(e, "properties").unwrap_or_default();
                pkg.manifest.insert(
                    id,
                    ManifestItem {
                        href,
                        media_type,
                        properties,
                    },
                );
            }
        }
        "meta" if attr(e, "name").is_some_and(|n| n.eq_ignore_ascii_case("cover")) => {
            pkg.cover_id = attr(e, "content");
        }
        "meta" if attr(e, "name").as_deref() == Some("calibre:series") => {
            pkg.calibre_series = attr(e, "content").map(|c| clean(&c));
        }
        "meta" if attr(e, "name").as_deref() == Some("calibre:series_index") => {
            pkg.calibre_series_index = attr(e, "content");
        }
        "itemref" => {
            if let Some(idref) = attr(e, "idref") {
                let linear = attr(e, "linear").is_none_or(|l| l.trim() != "no");
                pkg.spine.push((idref, linear));
            }
        }
        _ => {}
    }
}

fn is_xhtml(item: &ManifestItem) -> bool {
    let m = item.media_type.to_ascii_lowercase();
    let h = item.href.to_ascii_lowercase();
    m == "application/xhtml+xml"
        || m == "text/html"
        || (m.is_empty() && (h.ends_with(".xhtml") || h.ends_with(".html") || h.ends_with(".htm")))
}

impl Package {
    fn refined<'a>(
        &'a self,
        id: Option<&'a str>,
        property: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.refines
            .iter()
            .filter(move |r| Some(r.target.as_str()) == id && r.property == property)
            .map(|r| r.value.as_str())
    }

    /// The series and collections of the book: EPUB 3's `belongs-to-collection` (with its
    /// `collection-type` and `group-position` refinements), then Calibre's `calibre:series`
    /// and `calibre:series_index`.
    fn series(&self) -> Vec<SeriesEntry> {
        let mut out: Vec<SeriesEntry> = self
            .collections
            .iter()
            .map(|(id, title)| {
                let kind = self.refined(id.as_deref(), "collection-type").next();
                SeriesEntry {
                    title: title.clone(),
                    kind: if kind == Some("set") {
                        SeriesKind::Collection
                    } else {
                        SeriesKind::Series
                    },
                    position: self
                        .refined(id.as_deref(), "group-position")
                        .next()
                        .map(str::to_owned),
                }
            })
            .collect();
        if let Some(title) = self.calibre_series.clone().filter(|t| !t.trim().is_empty()) {
            // Calibre writes whole numbers as `3.0`.
            let position = self
                .calibre_series_index
                .as_deref()
                .map(|p| p.trim().trim_end_matches(".0").to_owned());
            out.push(SeriesEntry {
                title,
                kind: SeriesKind::Series,
                position,
            });
        }
        // Series first (their numbers are the reading order), then sets.
        out.sort_by_key(|e| e.kind == SeriesKind::Collection);
        out
    }

    fn items(&self, kind: Dc) -> impl Iterator<Item = &DcItem> {
        self.dc.iter().filter(move |d| d.kind == kind)
    }

    fn record(&self, position: &str) -> Result<SourceRecord, Rejected> {
        let mut rec = SourceRecord::new(String::new());
        let vi = &mut rec.volume_info;

        let title_type = |d: &DcItem| {
            self.refined(d.id.as_deref(), "title-type")
                .next()
                .map(str::to_owned)
        };
        let titles: Vec<&DcItem> = self.items(Dc::Title).collect();
        let main = titles
            .iter()
            .find(|d| title_type(d).as_deref() == Some("main"))
            .or_else(|| titles.iter().find(|d| title_type(d).is_none()))
            .or_else(|| titles.first());
        let Some(main) = main else {
            return Err(rejected(position, "no title (dc:title)"));
        };
        vi.title = Some(main.text.clone());
        vi.subtitle = titles
            .iter()
            .find(|d| title_type(d).as_deref() == Some("subtitle"))
            .map(|d| d.text.clone());

        let roles = |d: &DcItem| -> Vec<String> {
            let mut r: Vec<String> = self
                .refined(d.id.as_deref(), "role")
                .map(str::to_owned)
                .collect();
            r.extend(d.role.clone());
            r
        };
        let creators: Vec<&DcItem> = self.items(Dc::Creator).collect();
        let authors: Vec<&&DcItem> = creators
            .iter()
            .filter(|d| {
                let r = roles(d);
                r.is_empty() || r.iter().any(|x| x.trim() == "aut")
            })
            .collect();
        let chosen: Vec<&DcItem> = if authors.is_empty() {
            creators.clone()
        } else {
            authors.into_iter().copied().collect()
        };
        let mut names = Vec::new();
        for d in chosen {
            let file_as = self
                .refined(d.id.as_deref(), "file-as")
                .next()
                .map(str::to_owned)
                .or_else(|| d.file_as.clone());
            let inverted = d.text.contains(',') && file_as.as_deref().is_none_or(|f| f == d.text);
            names.push(if inverted {
                display_name(&d.text)
            } else {
                d.text.clone()
            });
        }
        for n in names {
            rec.add_author(&n);
        }
        let vi = &mut rec.volume_info;
        vi.publisher = self.items(Dc::Publisher).next().map(|d| d.text.clone());
        vi.published_date = self
            .items(Dc::Date)
            .find(|d| {
                d.event
                    .as_deref()
                    .is_none_or(|e| e.contains("publication") || e == "issued")
            })
            .or_else(|| self.items(Dc::Date).next())
            .and_then(|d| booktext::date_of(&d.text));
        vi.language = self
            .items(Dc::Language)
            .find_map(|d| language_code(&d.text));
        // Standard Ebooks refines a one-line description with a long one.
        vi.description = self
            .items(Dc::Description)
            .next()
            .map(|d| {
                self.refined(d.id.as_deref(), "se:long-description")
                    .next()
                    .unwrap_or(&d.text)
            })
            .map(strip_html)
            .filter(|s| !s.is_empty());
        vi.print_type = Some("BOOK".into());
        let subjects: Vec<String> = self.items(Dc::Subject).map(|d| d.text.clone()).collect();
        for s in &subjects {
            rec.add_category(s);
        }
        rec.volume_info.series_info = colophon_domain::series::series_info(&self.series());

        let mut key = None;
        let mut standard_ebooks = false;
        for d in self.items(Dc::Identifier) {
            let v = d.text.trim();
            let scheme = d
                .scheme
                .clone()
                .or_else(|| {
                    self.refined(d.id.as_deref(), "identifier-type")
                        .next()
                        .map(str::to_owned)
                })
                .unwrap_or_default();
            let lower = v.to_ascii_lowercase();
            let isbn_like = scheme.eq_ignore_ascii_case("isbn")
                || scheme == "15"
                || lower.starts_with("urn:isbn:")
                || lower.starts_with("isbn:")
                || v.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | 'X' | 'x'));
            if isbn_like {
                let digits = lower.trim_start_matches("urn:").trim_start_matches("isbn:");
                rec.add_isbn(digits);
            }
            if lower.contains("standardebooks.org") {
                standard_ebooks = true;
            }
            if d.id.is_some() && d.id == self.unique_id {
                key = Some(v.to_owned());
            }
        }
        let key = key.or_else(|| {
            self.items(Dc::Identifier)
                .next()
                .map(|d| d.text.trim().to_owned())
        });
        if let Some(k) = key.filter(|k| !k.is_empty()) {
            rec.source_key = format!("epub:{k}");
        }

        let rights: Vec<&str> = self.items(Dc::Rights).map(|d| d.text.as_str()).collect();
        let publisher_se = rec
            .volume_info
            .publisher
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case("Standard Ebooks"));
        if rights.iter().any(|r| says_public_domain(r)) || standard_ebooks || publisher_se {
            set_public_domain(&mut rec);
        }
        Ok(rec)
    }
}

/// Extracts the text of one XHTML document into the walker.
pub(crate) fn walk_xhtml(xml: &str, walker: &mut Walker) -> Result<(), String> {
    let mut r = Reader::from_str(xml);
    loop {
        let event = r
            .read_event()
            .map_err(|e| format!("not well-formed XHTML (byte {}): {e}", r.error_position()))?;
        match event {
            Event::Start(e) => {
                let role = if walker.skipping() {
                    Role::Inline
                } else {
                    xhtml_role(&e)
                };
                walker.start(role);
            }
            Event::Empty(e) if !walker.skipping() => walker.empty(xhtml_role(&e)),
            Event::End(_) => walker.end(),
            Event::Text(t) => walker.text(&t.xml10_content()),
            Event::CData(t) => walker.text(&t.xml10_content()),
            Event::GeneralRef(g) => walker.general_ref(&g),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// Structural semantics whose content is not the book's text.
const SKIPPED_TYPES: &[&str] = &[
    "titlepage",
    "halftitlepage",
    "imprint",
    "colophon",
    "copyright-page",
    "endnotes",
    "endnote",
    "footnotes",
    "footnote",
    "rearnotes",
    "rearnote",
    "noteref",
    "backlink",
    "toc",
    "loi",
    "lot",
    "landmarks",
    "page-list",
];

fn xhtml_role(e: &BytesStart<'_>) -> Role {
    let name = e.local_name();
    let lower;
    let mut name = name.as_ref();
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        lower = name.to_ascii_lowercase();
        name = &lower;
    }
    let role = match name {
        "head" | "script" | "style" | "template" | "svg" | "math" | "nav" | "noscript" | "rp"
        | "rt" | "object" | "iframe" | "audio" | "video" => return Role::Skip,
        "p" | "div" | "section" | "article" | "aside" | "header" | "footer" | "main" | "h1"
        | "h2" | "h3" | "h4" | "h5" | "h6" | "hgroup" | "blockquote" | "li" | "ul" | "ol"
        | "dl" | "dt" | "dd" | "table" | "thead" | "tbody" | "tfoot" | "tr" | "pre" | "figure"
        | "figcaption" | "address" | "caption" | "body" | "html" | "details" | "summary"
        | "center" | "hr" | "fieldset" | "legend" => Role::Block,
        "br" => Role::LineBreak,
        "td" | "th" => Role::Cell,
        _ => Role::Inline,
    };
    for a in e.attributes().with_checks(false).flatten() {
        let key = a.key.as_ref();
        let semantic = key == "role" || (key.ends_with(":type") && key != "xml:type");
        if !semantic {
            continue;
        }
        let v = a.value.as_ref();
        let skip = v.split_ascii_whitespace().any(|t| {
            let t = t.strip_prefix("doc-").unwrap_or(t);
            SKIPPED_TYPES.contains(&t)
        });
        if skip {
            return Role::Skip;
        }
    }
    role
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::unstable::write::FileOptionsExt;
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    use super::*;
    use crate::booktext::word_count;

    const CONTAINER: &str = r#"<?xml version="1.0"?><container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#;

    fn opf(extra_meta: &str, manifest: &str, spine: &str) -> String {
        format!(
            r##"<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:1b2c3d</dc:identifier>
    <dc:identifier id="isbn">urn:isbn:978-0-19-852663-6</dc:identifier>
    <dc:title id="t">A Hand-Made Book</dc:title>
    <meta refines="#t" property="title-type">main</meta>
    <dc:title id="s">Being a Test</dc:title>
    <meta refines="#s" property="title-type">subtitle</meta>
    <dc:creator id="a1">Austen, Jane</dc:creator>
    <meta refines="#a1" property="role" scheme="marc:relators">aut</meta>
    <dc:creator id="ill">Ann Artist</dc:creator>
    <meta refines="#ill" property="role" scheme="marc:relators">ill</meta>
    <dc:language>fr-CA</dc:language>
    <dc:publisher>Tiny Press</dc:publisher>
    <dc:date>2001-07-09</dc:date>
    <dc:subject>Testing -- Fiction</dc:subject>
    <dc:description>&lt;p&gt;A &lt;i&gt;small&lt;/i&gt; book.&lt;/p&gt;</dc:description>
    {extra_meta}
  </metadata>
  <manifest>
    <item id="c1" href="Text/chapter%201.xhtml" media-type="application/xhtml+xml"/>
    <item id="c2" href="../Text/chapter2.xhtml" media-type="application/xhtml+xml"/>
    {manifest}
  </manifest>
  <spine>
    <itemref idref="c1"/>
    <itemref idref="c2"/>
    {spine}
  </spine>
</package>"##
        )
    }

    const CH1: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head><title>Ignored title</title><style>p { color: red }</style></head>
<body>
  <section epub:type="titlepage"><h1>TITLE PAGE TEXT</h1></section>
  <section epub:type="chapter">
    <h2>Chapter I</h2>
    <p>It was a <em>dark</em> and
       stormy&#160;night&nbsp;&amp; more.<a href="n.xhtml#1" epub:type="noteref">1</a></p>
    <p>Line one<br/>line two</p>
    <script>var hidden = 1;</script>
  </section>
</body></html>"#;

    const CH2: &str = r#"<html xmlns="http://www.w3.org/1999/xhtml"><body>
  <h2>Chapter II</h2><table><tr><td>a</td><td>b</td></tr></table>
  <p>The end.</p></body></html>"#;

    /// A zip of (name, bytes, stored?) entries.
    fn make_zip(entries: &[(&str, &[u8])], options: SimpleFileOptions) -> Vec<u8> {
        let mut w = ZipWriter::new(Cursor::new(Vec::new()));
        let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        w.start_file("mimetype", stored).unwrap();
        w.write_all(b"application/epub+zip").unwrap();
        for (name, data) in entries {
            w.start_file(*name, options).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn deflated() -> SimpleFileOptions {
        SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
    }

    fn good_epub() -> Vec<u8> {
        let opf = opf("", "", "");
        make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", opf.as_bytes()),
                ("OEBPS/Text/chapter 1.xhtml", CH1.as_bytes()),
                ("Text/chapter2.xhtml", CH2.as_bytes()),
            ],
            deflated(),
        )
    }

    #[test]
    fn series_from_collections_and_calibre() {
        let xml = opf(
            r##"<meta id="c1" property="belongs-to-collection">Best Novels</meta>
    <meta property="collection-type" refines="#c1">set</meta>
    <meta property="group-position" refines="#c1">31</meta>
    <meta id="c2" property="belongs-to-collection">Oz</meta>
    <meta property="collection-type" refines="#c2">series</meta>
    <meta property="group-position" refines="#c2">2</meta>
    <meta name="calibre:series" content="Land of Oz Extras"/>
    <meta name="calibre:series_index" content="4.0"/>"##,
            "",
            "",
        );
        let pkg = parse_opf(&xml).unwrap();
        let series = pkg.series();
        let titles: Vec<(&str, SeriesKind, Option<&str>)> = series
            .iter()
            .map(|e| (e.title.as_str(), e.kind, e.position.as_deref()))
            .collect();
        assert_eq!(
            titles,
            vec![
                ("Oz", SeriesKind::Series, Some("2")),
                ("Land of Oz Extras", SeriesKind::Series, Some("4")),
                ("Best Novels", SeriesKind::Collection, Some("31")),
            ]
        );
        let rec = pkg.record("x").unwrap();
        let info = rec.volume_info.series_info.unwrap();
        assert_eq!(info["bookDisplayNumber"], "2");
        assert_eq!(
            info["volumeSeries"][0]["seriesId"],
            colophon_domain::series::series_id("Oz")
        );
    }

    #[test]
    fn cover_images_epub3_and_epub2() {
        let cover = b"\x89PNG\r\n\x1a\nnot really decoded here";
        // EPUB 3: properties="cover-image"; a path outside the archive is never read.
        let opf3 = opf(
            "",
            r#"<item id="img" href="Images/cover.png" media-type="image/png" properties="cover-image"/>"#,
            "",
        );
        let epub = make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", opf3.as_bytes()),
                ("OEBPS/Text/chapter 1.xhtml", CH1.as_bytes()),
                ("OEBPS/Images/cover.png", cover),
            ],
            deflated(),
        );
        let rec = read_bytes(&epub, "c3.epub").unwrap();
        assert_eq!(rec.cover.as_deref(), Some(&cover[..]));
        // EPUB 2: <meta name="cover" content="ID"/>.
        let opf2 = opf(
            r#"<meta name="cover" content="cov"/>"#,
            r#"<item id="cov" href="../../etc/cover.jpg" media-type="image/jpeg"/>"#,
            "",
        );
        let epub = make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", opf2.as_bytes()),
                ("OEBPS/Text/chapter 1.xhtml", CH1.as_bytes()),
                ("../etc/cover.jpg", b"jpeg"),
            ],
            deflated(),
        );
        let rec = read_bytes(&epub, "c2.epub").unwrap();
        assert_eq!(rec.cover, None, "a traversal path is never read");
        let opf2 = opf(
            r#"<meta name="cover" content="cov"/>"#,
            r#"<item id="cov" href="Images/c.jpg" media-type="image/jpeg"/>"#,
            "",
        );
        let epub = make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", opf2.as_bytes()),
                ("OEBPS/Text/chapter 1.xhtml", CH1.as_bytes()),
                ("OEBPS/Images/c.jpg", b"jpeg"),
            ],
            deflated(),
        );
        let rec = read_bytes(&epub, "c2.epub").unwrap();
        assert_eq!(rec.cover.as_deref(), Some(&b"jpeg"[..]));
        assert_eq!(read_bytes(&good_epub(), "x").unwrap().cover, None);
    }

    #[test]
    fn hand_made_epub() {
        let rec = read_bytes(&good_epub(), "mem.epub").unwrap();
        assert_eq!(rec.source_key, "epub:urn:uuid:1b2c3d");
        let vi = &rec.volume_info;
        assert_eq!(vi.title.as_deref(), Some("A Hand-Made Book"));
        assert_eq!(vi.subtitle.as_deref(), Some("Being a Test"));
        assert_eq!(vi.authors.as_deref(), Some(&["Jane Austen".to_owned()][..]));
        assert_eq!(vi.language.as_deref(), Some("fr"));
        assert_eq!(vi.publisher.as_deref(), Some("Tiny Press"));
        assert_eq!(vi.published_date.as_deref(), Some("2001-07-09"));
        assert_eq!(vi.description.as_deref(), Some("A small book."));
        assert_eq!(
            vi.categories.as_deref(),
            Some(&["Testing -- Fiction".to_owned()][..])
        );
        let ids = vi.industry_identifiers.as_ref().unwrap();
        assert_eq!(ids[0].identifier, "9780198526636");
        assert_eq!(ids[1].identifier, "0198526636");
        assert!(
            rec.access_info.is_none(),
            "no rights statement: the pipeline decides"
        );
        assert_eq!(
            rec.full_text.as_deref(),
            Some(
                "Chapter I\n\nIt was a dark and stormy\u{a0}night\u{a0}& more.\n\n\
                 Line one\nline two\n\nChapter II\n\na b\n\nThe end."
            )
        );
        // Same book read again: same key.
        assert_eq!(
            read_bytes(&good_epub(), "again").unwrap().source_key,
            rec.source_key
        );
    }

    #[test]
    fn rights_statement_makes_public_domain() {
        let opf = opf("<dc:rights>Public domain in the USA.</dc:rights>", "", "");
        let zip = make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", opf.as_bytes()),
                ("OEBPS/Text/chapter 1.xhtml", CH1.as_bytes()),
            ],
            deflated(),
        );
        let rec = read_bytes(&zip, "pd.epub").unwrap();
        assert_eq!(rec.access_info.unwrap().public_domain, Some(true));
        assert_eq!(rec.sale_info.unwrap().saleability.as_deref(), Some("FREE"));
        assert!(rec.volume_info.reading_modes.unwrap().text);
    }

    #[test]
    fn truncated_and_non_zip_files_are_rejected() {
        let zip = good_epub();
        let err = read_bytes(zip.get(..zip.len() / 2).unwrap(), "half.epub").unwrap_err();
        assert_eq!(err.position, "half.epub");
        assert!(err.reason.contains("not a readable EPUB"), "{err}");
        let err = read_bytes(b"Hello, I am plain text, not a zip.", "t.epub").unwrap_err();
        assert!(err.reason.contains("not a readable EPUB"), "{err}");
        let err = read_bytes(b"", "empty.epub").unwrap_err();
        assert!(err.reason.contains("not a readable EPUB"), "{err}");
        // A zip that is not an EPUB.
        let zip = make_zip(&[("readme.txt", b"hi")], deflated());
        let err = read_bytes(&zip, "plain.zip").unwrap_err();
        assert!(err.reason.contains("not an EPUB"), "{err}");
    }

    #[test]
    fn encrypted_zip_entries_are_drm() {
        let opf = opf("", "", "");
        let zip = make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", opf.as_bytes()),
            ],
            deflated().with_deprecated_encryption(b"secret").unwrap(),
        );
        let err = read_bytes(&zip, "drm.epub").unwrap_err();
        assert!(err.reason.starts_with("encrypted (DRM) EPUB"), "{err}");
    }

    #[test]
    fn encryption_xml_allows_fonts_only() {
        let enc = |uri: &str| {
            format!(
                r#"<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
  <enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>
  <enc:CipherData><enc:CipherReference URI="{uri}"/></enc:CipherData></enc:EncryptedData></encryption>"#
            )
        };
        let opf = opf("", "", "");
        let build = |enc: &str| {
            make_zip(
                &[
                    ("META-INF/container.xml", CONTAINER.as_bytes()),
                    ("META-INF/encryption.xml", enc.as_bytes()),
                    ("OEBPS/content.opf", opf.as_bytes()),
                    ("OEBPS/Text/chapter 1.xhtml", CH1.as_bytes()),
                ],
                deflated(),
            )
        };
        // Obfuscated fonts are fine.
        let rec = read_bytes(&build(&enc("OEBPS/fonts/Serif.otf")), "font.epub").unwrap();
        assert!(rec.full_text.unwrap().contains("stormy"));
        // Encrypted content is DRM.
        let err = read_bytes(&build(&enc("OEBPS/Text/chapter%201.xhtml")), "drm.epub").unwrap_err();
        assert_eq!(err.position, "drm.epub: META-INF/encryption.xml");
        assert!(err.reason.starts_with("encrypted (DRM) EPUB"), "{err}");
    }

    #[test]
    fn zip_bomb_entry_is_rejected() {
        // 70 MiB of zeros deflates to ~70 KiB: over the per-entry limit, and a 1000:1 ratio.
        let zeros = vec![0u8; 70 << 20];
        let opf = opf("", "", "");
        let zip = make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", opf.as_bytes()),
                ("OEBPS/Text/chapter 1.xhtml", &zeros),
            ],
            deflated(),
        );
        assert!(zip.len() < 1 << 20);
        let err = read_bytes(&zip, "bomb.epub").unwrap_err();
        assert_eq!(err.position, "bomb.epub: OEBPS/Text/chapter 1.xhtml");
        assert!(err.reason.contains("zip bomb"), "{err}");

        // A high ratio under the size limit is a bomb too.
        let zeros = vec![b' '; 8 << 20];
        let zip = make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", opf.as_bytes()),
                ("OEBPS/Text/chapter 1.xhtml", &zeros),
            ],
            deflated(),
        );
        let err = read_bytes(&zip, "ratio.epub").unwrap_err();
        assert!(
            err.reason.contains("zip bomb") && err.reason.contains(":1"),
            "{err}"
        );
    }

    #[test]
    fn total_and_count_limits() {
        let opf = opf(
            "",
            r#"<item id="c3" href="Text/c3.xhtml" media-type="application/xhtml+xml"/>"#,
            r#"<itemref idref="c3"/>"#,
        );
        let chapter = format!(
            "<html><body><p>{}</p></body></html>",
            "word ".repeat(40_000)
        );
        let zip = make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", opf.as_bytes()),
                ("OEBPS/Text/chapter 1.xhtml", chapter.as_bytes()),
                ("Text/chapter2.xhtml", chapter.as_bytes()),
                ("OEBPS/Text/c3.xhtml", chapter.as_bytes()),
            ],
            SimpleFileOptions::default().compression_method(CompressionMethod::Stored),
        );
        // Each chapter is ~200 KB: fine per entry, too much in total.
        let limits = Limits {
            max_entry_bytes: 300_000,
            max_total_bytes: 500_000,
            ..Limits::default()
        };
        let err = read_bytes_with_limits(&zip, "big.epub", &limits).unwrap_err();
        assert!(err.reason.contains("in total"), "{err}");
        assert!(read_bytes(&zip, "big.epub").is_ok());

        let limits = Limits {
            max_entries: 4,
            ..Limits::default()
        };
        let err = read_bytes_with_limits(&zip, "many.epub", &limits).unwrap_err();
        assert!(err.reason.contains("6 entries (limit 4)"), "{err}");
    }

    #[test]
    fn lying_sizes_are_caught() {
        // Declare 10 bytes for a 1 MiB chapter: the reader stops at the declared size and the
        // CRC no longer matches.
        let chapter = format!("<html><body><p>{}</p></body></html>", "x".repeat(1 << 20));
        let opf = opf("", "", "");
        let mut zip = make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", opf.as_bytes()),
                ("OEBPS/Text/chapter 1.xhtml", chapter.as_bytes()),
            ],
            deflated(),
        );
        let target = b"OEBPS/Text/chapter 1.xhtml";
        let mut patched = 0;
        for i in 0..zip.len().saturating_sub(4) {
            let sig = &zip[i..i + 4];
            let (size_at, name_at) = match sig {
                [0x50, 0x4b, 0x03, 0x04] => (i + 22, i + 30),
                [0x50, 0x4b, 0x01, 0x02] => (i + 24, i + 46),
                _ => continue,
            };
            if zip.get(name_at..name_at + target.len()) == Some(&target[..]) {
                zip[size_at..size_at + 4].copy_from_slice(&10u32.to_le_bytes());
                patched += 1;
            }
        }
        assert_eq!(patched, 2);
        let err = read_bytes(&zip, "liar.epub").unwrap_err();
        assert_eq!(err.position, "liar.epub: OEBPS/Text/chapter 1.xhtml");
        assert!(
            err.reason.contains("damaged entry") || err.reason.contains("zip bomb"),
            "{err}"
        );
    }

    #[test]
    fn unsafe_paths_are_ignored() {
        // The OPF sits at the root and its spine points outside the archive or at entries
        // stored with absolute / parent paths: none of them is read.
        let container = CONTAINER.replace("OEBPS/content.opf", "content.opf");
        let opf = r#"<package xmlns="http://www.idpf.org/2007/opf" unique-identifier="u"><metadata>
  <dc:identifier xmlns:dc="http://purl.org/dc/elements/1.1/" id="u">x</dc:identifier>
  <dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">Paths</dc:title></metadata>
  <manifest>
    <item id="a" href="../evil.xhtml" media-type="application/xhtml+xml"/>
    <item id="b" href="/abs.xhtml" media-type="application/xhtml+xml"/>
    <item id="c" href="dir/../ok.xhtml" media-type="application/xhtml+xml"/>
    <item id="d" href="http://example.com/remote.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine><itemref idref="a"/><itemref idref="b"/><itemref idref="c"/><itemref idref="d"/></spine></package>"#;
        let page = |t: &str| format!("<html><body><p>{t}</p></body></html>");
        let (evil, abs, ok) = (page("EVIL"), page("ABSOLUTE"), page("fine"));
        let zip = make_zip(
            &[
                ("META-INF/container.xml", container.as_bytes()),
                ("content.opf", opf.as_bytes()),
                ("../evil.xhtml", evil.as_bytes()),
                ("/abs.xhtml", abs.as_bytes()),
                ("ok.xhtml", ok.as_bytes()),
            ],
            deflated(),
        );
        let rec = read_bytes(&zip, "paths.epub").unwrap();
        assert_eq!(rec.full_text.as_deref(), Some("fine"));
    }

    #[test]
    fn malformed_documents() {
        // Broken XHTML in the spine: rejected, naming the entry.
        let opf_ok = opf("", "", "");
        let zip = make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", opf_ok.as_bytes()),
                (
                    "OEBPS/Text/chapter 1.xhtml",
                    b"<html><body><p>open</div></body></html>",
                ),
            ],
            deflated(),
        );
        let err = read_bytes(&zip, "bad.epub").unwrap_err();
        assert_eq!(err.position, "bad.epub: OEBPS/Text/chapter 1.xhtml");
        assert!(err.reason.contains("not well-formed"), "{err}");

        // Entity definitions in a DOCTYPE are not expanded (no "billion laughs").
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE html [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><html><body><p>&lol3;</p></body></html>"#;
        let zip = make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", opf_ok.as_bytes()),
                ("OEBPS/Text/chapter 1.xhtml", laughs.as_bytes()),
            ],
            deflated(),
        );
        let rec = read_bytes(&zip, "lol.epub").unwrap();
        assert_eq!(rec.full_text.as_deref(), Some("&lol3;"));

        // No title.
        let untitled = r#"<package xmlns="http://www.idpf.org/2007/opf"><metadata/><manifest/><spine/></package>"#;
        let zip = make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", untitled.as_bytes()),
            ],
            deflated(),
        );
        let err = read_bytes(&zip, "untitled.epub").unwrap_err();
        assert_eq!(err.reason, "no title (dc:title)");

        // Container names a missing package.
        let zip = make_zip(
            &[("META-INF/container.xml", CONTAINER.as_bytes())],
            deflated(),
        );
        let err = read_bytes(&zip, "noopf.epub").unwrap_err();
        assert!(err.reason.contains("is missing"), "{err}");

        // Broken container.
        let zip = make_zip(
            &[(
                "META-INF/container.xml",
                b"<container><rootfiles></container>",
            )],
            deflated(),
        );
        let err = read_bytes(&zip, "c.epub").unwrap_err();
        assert_eq!(err.position, "c.epub: META-INF/container.xml");

        // Title but nothing in the spine.
        let opf = opf("", "", "")
            .replace("<itemref idref=\"c1\"/>", "")
            .replace("<itemref idref=\"c2\"/>", "");
        let zip = make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", opf.as_bytes()),
            ],
            deflated(),
        );
        let err = read_bytes(&zip, "empty.epub").unwrap_err();
        assert_eq!(err.reason, "no readable text in the spine");
    }

    #[test]
    fn no_identifier_keys_by_file_hash() {
        let opf = opf("", "", "")
            .replace(
                r#"<dc:identifier id="uid">urn:uuid:1b2c3d</dc:identifier>"#,
                "",
            )
            .replace(
                r#"<dc:identifier id="isbn">urn:isbn:978-0-19-852663-6</dc:identifier>"#,
                "",
            );
        let zip = make_zip(
            &[
                ("META-INF/container.xml", CONTAINER.as_bytes()),
                ("OEBPS/content.opf", opf.as_bytes()),
                ("OEBPS/Text/chapter 1.xhtml", CH1.as_bytes()),
            ],
            deflated(),
        );
        let rec = read_bytes(&zip, "anon.epub").unwrap();
        assert_eq!(
            rec.source_key,
            format!("epub:sha256:{}", booktext::sha256_hex(&zip))
        );
    }

    #[test]
    fn epub2_metadata() {
        let opf = r#"<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" xmlns:opf="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="BookId">
 <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title>Old Style</dc:title>
  <dc:creator opf:role="edt" opf:file-as="Editor, Ed">Ed Editor</dc:creator>
  <dc:creator opf:role="aut" opf:file-as="Poe, Edgar Allan">Edgar Allan Poe</dc:creator>
  <dc:identifier id="BookId" opf:scheme="ISBN">0-19-852663-6</dc:identifier>
  <dc:date opf:event="modification">2010-01-01</dc:date>
  <dc:date opf:event="publication">1845</dc:date>
  <dc:language>eng</dc:language>
 </metadata>
 <manifest><item id="x" href="x.html" media-type="application/xhtml+xml"/></manifest>
 <spine toc="ncx"><itemref idref="x"/></spine>
</package>"#;
        let rec = opf_record(opf.as_bytes(), "old.opf").unwrap();
        assert_eq!(rec.source_key, "epub:0-19-852663-6");
        assert_eq!(
            rec.volume_info.authors.as_deref(),
            Some(&["Edgar Allan Poe".to_owned()][..])
        );
        assert_eq!(rec.volume_info.published_date.as_deref(), Some("1845"));
        assert_eq!(rec.volume_info.language.as_deref(), Some("en"));
        assert_eq!(
            rec.volume_info.industry_identifiers.as_ref().map(Vec::len),
            Some(2)
        );
        assert!(rec.full_text.is_none());
    }

    #[test]
    fn hrefs_resolve_inside_the_archive() {
        assert_eq!(
            resolve_href("OEBPS", "Text/c%201.xhtml#x").as_deref(),
            Some("OEBPS/Text/c 1.xhtml")
        );
        assert_eq!(
            resolve_href("OEBPS", "../Text/c.xhtml").as_deref(),
            Some("Text/c.xhtml")
        );
        assert_eq!(resolve_href("", "../c.xhtml"), None);
        assert_eq!(resolve_href("OEBPS", "../../c.xhtml"), None);
        assert_eq!(resolve_href("OEBPS", "https://x.org/c.xhtml"), None);
        assert!(!safe_entry_name("../x"));
        assert!(!safe_entry_name("/etc/passwd"));
        assert!(!safe_entry_name("C:/x"));
        assert!(!safe_entry_name("a\\b"));
        assert!(safe_entry_name("OEBPS/a..b.xhtml"));
    }

    #[test]
    fn damaged_real_epub_never_panics() {
        let good = std::fs::read(se_dir().join("epub/h-g-wells_the-time-machine.epub")).unwrap();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut ok, mut rejected) = (0, 0);
        for round in 0..60 {
            let mut bytes = good.clone();
            if round % 3 == 0 {
                bytes.truncate((next() as usize) % good.len());
            } else {
                for _ in 0..=(round % 7) {
                    let at = (next() as usize) % bytes.len();
                    bytes[at] ^= (next() as u8) | 1;
                }
            }
            match read_bytes(&bytes, "damaged.epub") {
                Ok(rec) => {
                    assert!(rec.volume_info.title.is_some());
                    ok += 1;
                }
                Err(e) => {
                    assert!(e.position.starts_with("damaged.epub") && !e.reason.is_empty());
                    rejected += 1;
                }
            }
        }
        // Truncations always fail (the central directory is at the end); most flips hit
        // compressed images and go unnoticed.
        assert!(rejected >= 20, "{ok} read, {rejected} rejected");
    }

    fn se_dir() -> std::path::PathBuf {
        crate::shared_data_dir().join("standard-ebooks")
    }

    /// Per book: (file id, title, author, language, subtitle?).
    const SE_BOOKS: &[(&str, &str, &str, &str)] = &[
        (
            "ambrose-bierce_the-devils-dictionary",
            "The Devil’s Dictionary",
            "Ambrose Bierce",
            "en",
        ),
        (
            "arthur-conan-doyle_the-adventures-of-sherlock-holmes",
            "The Adventures of Sherlock Holmes",
            "Arthur Conan Doyle",
            "en",
        ),
        ("bram-stoker_dracula", "Dracula", "Bram Stoker", "en"),
        (
            "charles-dickens_a-tale-of-two-cities",
            "A Tale of Two Cities",
            "Charles Dickens",
            "en",
        ),
        (
            "h-g-wells_the-time-machine",
            "The Time Machine",
            "H. G. Wells",
            "en",
        ),
        (
            "herman-melville_moby-dick",
            "Moby Dick",
            "Herman Melville",
            "en",
        ),
        ("jane-austen_emma", "Emma", "Jane Austen", "en"),
        (
            "jane-austen_pride-and-prejudice",
            "Pride and Prejudice",
            "Jane Austen",
            "en",
        ),
        (
            "l-frank-baum_the-wonderful-wizard-of-oz",
            "The Wonderful Wizard of Oz",
            "L. Frank Baum",
            "en",
        ),
        (
            "mark-twain_the-adventures-of-tom-sawyer",
            "The Adventures of Tom Sawyer",
            "Mark Twain",
            "en",
        ),
        (
            "mary-shelley_frankenstein",
            "Frankenstein",
            "Mary Shelley",
            "en",
        ),
        (
            "oscar-wilde_the-picture-of-dorian-gray",
            "The Picture of Dorian Gray",
            "Oscar Wilde",
            "en",
        ),
        (
            "robert-louis-stevenson_treasure-island",
            "Treasure Island",
            "Robert Louis Stevenson",
            "en",
        ),
    ];

    /// Word counts from `index.jsonl`.
    fn se_word_counts() -> HashMap<String, usize> {
        let index = std::fs::read_to_string(se_dir().join("index.jsonl")).unwrap();
        index
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (
                    v["id"].as_str().unwrap().to_owned(),
                    v["word_count"].as_u64().unwrap() as usize,
                )
            })
            .collect()
    }

    fn check_se(rec: &SourceRecord, id: &str, title: &str, author: &str, lang: &str, words: usize) {
        let vi = &rec.volume_info;
        assert_eq!(vi.title.as_deref(), Some(title), "{id}");
        assert_eq!(
            vi.authors.as_deref(),
            Some(&[author.to_owned()][..]),
            "{id}"
        );
        assert_eq!(vi.language.as_deref(), Some(lang), "{id}");
        assert_eq!(vi.publisher.as_deref(), Some("Standard Ebooks"), "{id}");
        assert!(
            vi.categories.as_ref().is_some_and(|c| !c.is_empty()),
            "{id}"
        );
        assert!(
            vi.description
                .as_ref()
                .is_some_and(|d| d.len() > 100 && !d.contains('<')),
            "{id}"
        );
        let author_slug = id.split('_').next().unwrap();
        assert_eq!(
            rec.source_key,
            format!(
                "epub:https://standardebooks.org/ebooks/{author_slug}/{}",
                id.split('_').nth(1).unwrap()
            ),
        );
        assert_eq!(
            rec.access_info.as_ref().and_then(|a| a.public_domain),
            Some(true),
            "{id}"
        );
        assert_eq!(
            rec.sale_info
                .as_ref()
                .and_then(|s| s.saleability.as_deref()),
            Some("FREE")
        );
        let text = rec.full_text.as_deref().unwrap_or("");
        let n = word_count(text);
        // Within 3% of Standard Ebooks' own count.
        assert!(
            n * 100 > words * 97 && n * 100 < words * 103,
            "{id}: {n} words vs {words}"
        );
        assert!(
            !text.contains("Standard Ebooks"),
            "{id}: imprint/colophon leaked"
        );
        assert!(!text.contains('<'), "{id}: markup leaked");
        assert!(!text.contains("\n\n\n"), "{id}");
    }

    #[test]
    fn standard_ebooks_epubs() {
        let counts = se_word_counts();
        for (id, title, author, lang) in SE_BOOKS {
            let path = se_dir().join("epub").join(format!("{id}.epub"));
            let rec = read_file(&path).unwrap_or_else(|e| panic!("{e}"));
            check_se(&rec, id, title, author, lang, counts[*id]);
        }
        let rec = read_file(&se_dir().join("epub/mary-shelley_frankenstein.epub")).unwrap();
        assert_eq!(
            rec.volume_info.subtitle.as_deref(),
            Some("Or, the Modern Prometheus")
        );
        assert_eq!(
            rec.volume_info.published_date.as_deref(),
            Some("2015-05-12")
        );
        let text = rec.full_text.unwrap();
        assert!(
            text.starts_with("Introduction\n\nThe Publishers of the Standard Novels"),
            "{}",
            &text[..200]
        );
        assert!(
            text.contains("\n\nLetter I\n\n")
                || text.contains("\n\nLetter\nI\n\n")
                || text.contains("Letter I")
        );
        let rec = read_file(&se_dir().join("epub/h-g-wells_the-time-machine.epub")).unwrap();
        let text = rec.full_text.unwrap();
        assert!(text.starts_with("I\n\nThe Time Traveller (for so it will be convenient"));
        assert!(
            text.contains("\n\nXII\n\n"),
            "chapter heading XII on its own line"
        );
        assert!(
            !text.contains("It may be, of course, that the floor did not slope"),
            "endnote excluded"
        );
    }

    #[test]
    fn standard_ebooks_opf_and_text() {
        let counts = se_word_counts();
        for (id, title, author, lang) in SE_BOOKS {
            let opf = se_dir().join("opf").join(format!("{id}.opf"));
            let meta = read_opf(&opf).unwrap();
            assert_eq!(meta.volume_info.title.as_deref(), Some(*title));
            assert!(meta.full_text.is_none());
            let txt = se_dir().join("text").join(format!("{id}.txt.gz"));
            let rec = read_opf_with_text(&opf, &txt).unwrap();
            check_se(&rec, id, title, author, lang, counts[*id]);
            // Same book as the EPUB: same key.
            assert_eq!(rec.source_key, meta.source_key);
        }
    }

    /// `cargo test --release -p colophon-import throughput -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn throughput_epub() {
        let files: Vec<Vec<u8>> = SE_BOOKS
            .iter()
            .map(|(id, ..)| {
                std::fs::read(se_dir().join("epub").join(format!("{id}.epub"))).unwrap()
            })
            .collect();
        let epub_bytes: usize = files.iter().map(Vec::len).sum();
        let rounds = 5;
        let start = std::time::Instant::now();
        let mut text_bytes = 0usize;
        for _ in 0..rounds {
            for f in &files {
                text_bytes += read_bytes(f, "mem").unwrap().full_text.unwrap().len();
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "throughput_epub: {} books in {secs:.2}s = {:.1} books/s, {:.1} MB/s of EPUB, {:.1} MB/s of text out",
            rounds * files.len(),
            (rounds * files.len()) as f64 / secs,
            (rounds * epub_bytes) as f64 / secs / 1e6,
            text_bytes as f64 / secs / 1e6
        );
    }
}
