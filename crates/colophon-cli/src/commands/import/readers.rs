//! Which reader reads which format, over which files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use colophon_import::{Rejected, SourceRecord};

use super::progress::{Counted, Counters};

/// Input formats. Every file may be gzip-compressed (`.gz`), except EPUB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Open Library bulk dumps (editions joined to works and authors; give all dump files).
    Openlibrary,
    /// MARC 21 records, binary (ISO 2709), MARC-8 or UTF-8.
    Marc,
    /// MARC 21 records in MARCXML.
    Marcxml,
    /// ONIX for Books 2.1 or 3.0 messages (reference or short tags).
    Onix,
    /// CSV/TSV tables with a header row (see --map).
    Csv,
    /// EPUB books (files, or folders of them): metadata and full text.
    Epub,
    /// TEI XML books (files or folders): header metadata and full text.
    Tei,
    /// Plain-text books (files or folders), e.g. Project Gutenberg texts (with pgN.rdf beside).
    Text,
    /// Colophon's own export (`colophon export`): volumes with their sources and full text.
    Jsonl,
    /// Books API volume JSON (a Volume, a Volumes page, or JSON Lines of them).
    Googlebooks,
    /// Colophon's demo catalog format.
    Demo,
}

impl Format {
    /// File name endings to pick from a folder given as a path (formats of one book per
    /// file); `None` when folders are not accepted.
    fn folder_extensions(self) -> Option<&'static [&'static str]> {
        match self {
            Format::Epub => Some(&[".epub"]),
            Format::Tei => Some(&[".xml", ".xml.gz", ".tei"]),
            Format::Text => Some(&[".txt", ".txt.gz"]),
            _ => None,
        }
    }
}

/// How many input bytes the progress bar counts for `inputs` of `size` bytes in all.
pub fn progress_bytes(format: Format, size: u64) -> u64 {
    match format {
        Format::Openlibrary => size * 2,
        _ => size,
    }
}

/// Options some readers take.
#[derive(Debug, Clone, Default, Args)]
pub struct ReaderOptions {
    /// csv: column mapping overriding the built-in aliases, e.g.
    /// `title=Book Title,authors=Writer|Co-writer,isbn=#3` (`#N` is the Nth column).
    #[arg(long = "map", value_name = "FIELD=COLUMN,...")]
    pub csv_map: Option<String>,
    /// csv: field delimiter (one character; default: detected from the header).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
    /// csv: the name in source keys `csv:NAME:ID` (default: the file's folder and name, e.g.
    /// `goodbooks-10k/books`). Keep it the same when re-importing the same table.
    #[arg(long, value_name = "NAME")]
    pub source_name: Option<String>,
    /// text: the book's title (overrides what the file says).
    #[arg(long)]
    pub title: Option<String>,
    /// text: an author (repeat for several).
    #[arg(long = "author")]
    pub authors: Vec<String>,
    /// text: the book's language (ISO 639-1, e.g. `en`).
    #[arg(long)]
    pub language: Option<String>,
    /// text: the book is in the public domain (full view and downloads).
    #[arg(long)]
    pub public_domain: bool,
    /// openlibrary: folder for the temporary join table (default: the system's temp folder).
    #[arg(long, value_name = "DIR")]
    pub tmp_dir: Option<PathBuf>,
}

impl ReaderOptions {
    fn csv(&self, path: &Path) -> anyhow::Result<colophon_import::csv_table::CsvOptions> {
        let mut o = colophon_import::csv_table::CsvOptions::default();
        if let Some(map) = &self.csv_map {
            o.mapping = colophon_import::csv_table::CsvOptions::parse_mapping(map)
                .map_err(|e| anyhow::anyhow!("--map: {e}"))?;
        }
        if let Some(d) = self.delimiter {
            anyhow::ensure!(d.is_ascii(), "--delimiter must be one ASCII character");
            o.delimiter = Some(d as u8);
        }
        o.source_name = Some(match &self.source_name {
            Some(name) => name.clone(),
            None => default_source_name(path),
        });
        Ok(o)
    }

    fn text_meta(&self) -> colophon_import::text::TextMeta {
        colophon_import::text::TextMeta {
            title: self.title.clone(),
            authors: self.authors.clone(),
            language: self.language.clone(),
            public_domain: self.public_domain.then_some(true),
            ..Default::default()
        }
    }
}

/// `folder/name` of a table without its `.csv`/`.gz` endings: stable for a file kept where it
/// is, and distinct for the many tables called `books.csv`.
fn default_source_name(path: &Path) -> String {
    let name = colophon_import::csv_table::file_stem(path);
    let folder = std::fs::canonicalize(path).ok().and_then(|p| {
        p.parent()
            .and_then(|d| d.file_name())
            .map(|d| d.to_string_lossy().into_owned())
    });
    match folder {
        Some(folder) if !folder.is_empty() => format!("{folder}/{name}"),
        _ => name,
    }
}

/// The files to read: the paths as given, with folders expanded (sorted, recursively) for the
/// formats that take one book per file.
pub fn expand_paths(format: Format, paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).with_context(|| format!("reading {}", p.display()))?;
        if meta.is_dir() {
            let Some(exts) = format.folder_extensions() else {
                anyhow::bail!("{} is a folder; format {format:?} takes files", p.display());
            };
            let mut found = Vec::new();
            walk(p, exts, &mut found)?;
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, exts, out)?;
        } else {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            if exts.iter().any(|e| name.ends_with(e)) {
                out.push(path);
            }
        }
    }
    Ok(())
}

/// Opens a file for a streaming reader, counting its (compressed) bytes and decompressing
/// `.gz`.
fn open(path: &Path, counters: &Arc<Counters>) -> anyhow::Result<Box<dyn std::io::Read + Send>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let counted = std::io::BufReader::with_capacity(1 << 16, Counted::new(file, counters.clone()));
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    Ok(if gz {
        Box::new(std::io::BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(counted),
        ))
    } else {
        Box::new(counted)
    })
}

/// Open Library is read across all its files at once, by `read_all`.
fn unreachable_openlibrary() -> anyhow::Result<Records> {
    anyhow::bail!("internal error: Open Library dumps are read together")
}

type Records = Box<dyn Iterator<Item = Result<SourceRecord, Rejected>> + Send>;

/// The records of one file.
fn records_of(
    format: Format,
    path: &Path,
    options: &ReaderOptions,
    counters: &Arc<Counters>,
) -> anyhow::Result<Records> {
    Ok(match format {
        Format::Marc => Box::new(colophon_import::marc::read(open(path, counters)?)),
        Format::Marcxml => Box::new(colophon_import::marcxml::read(open(path, counters)?)),
        Format::Onix => Box::new(colophon_import::onix::read(open(path, counters)?)),
        Format::Csv => Box::new(colophon_import::csv_table::read(
            open(path, counters)?,
            &options.csv(path)?,
        )),
        Format::Epub | Format::Tei | Format::Text => {
            // One book per file, read whole by its reader: counted once it is read.
            let record = match format {
                Format::Epub => colophon_import::epub::read_file(path),
                Format::Tei => colophon_import::tei::read_file(path),
                _ => colophon_import::text::read_file_with(path, None, &options.text_meta()),
            };
            let size = std::fs::metadata(path).map_or(0, |m| m.len());
            counters
                .bytes
                .fetch_add(size, std::sync::atomic::Ordering::Relaxed);
            Box::new(std::iter::once(record))
        }
        Format::Openlibrary => unreachable_openlibrary()?,
        Format::Jsonl => Box::new(colophon_import::jsonl::read(open(path, counters)?)),
        Format::Googlebooks => Box::new(
            colophon_import::googlebooks::read(open(path, counters)?)
                .map(|r| r.map(SourceRecord::from)),
        ),
        Format::Demo => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut open(path, counters)?, &mut text)
                .with_context(|| format!("reading {}", path.display()))?;
            let records: Vec<_> = colophon_import::demo::read(&text)
                .map(|r| r.map(SourceRecord::from))
                .collect();
            Box::new(records.into_iter())
        }
    })
}

/// Reads every input in order, handing each record (or rejection) with its file's name to
/// `each`, which returns false to stop. A file that cannot be opened at all is an error.
pub fn read_all(
    format: Format,
    inputs: &[PathBuf],
    options: &ReaderOptions,
    counters: &Arc<Counters>,
    mut each: impl FnMut(&str, Result<SourceRecord, Rejected>) -> bool,
) -> anyhow::Result<()> {
    if format == Format::Openlibrary {
        // One stream over all the dump files: authors and works first, then the editions.
        // Every file is read twice (authors and works, then editions): both passes count
        // towards the progress bar (see `progress_bytes`).
        let tmp = options.tmp_dir.clone().unwrap_or_else(std::env::temp_dir);
        let mut joiner = colophon_import::openlibrary::Joiner::new(&tmp)
            .with_context(|| format!("creating the join table in {}", tmp.display()))?;
        let name = |path: &Path| {
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        for path in inputs {
            joiner
                .add_reference_input_named(open(path, counters)?, &name(path))
                .with_context(|| format!("reading authors and works from {}", path.display()))?;
        }
        let readers = inputs
            .iter()
            .map(|p| Ok((name(p), open(p, counters)?)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let editions = joiner.read_edition_inputs(readers);
        let name = if inputs.len() == 1 {
            inputs[0].display().to_string()
        } else {
            "openlibrary dumps".to_owned()
        };
        for item in editions {
            if !each(&name, item) {
                return Ok(());
            }
        }
        return Ok(());
    }
    for path in inputs {
        let name = path.display().to_string();
        for item in records_of(format, path, options, counters)? {
            if !each(&name, item) {
                return Ok(());
            }
        }
    }
    Ok(())
}
