//! Which reader reads which format, over which files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use colophon_import::{Rejected, SourceRecord};

use super::progress::{Counted, Counters};

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
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
            Format::Jsonl | Format::Googlebooks | Format::Demo => None,
        }
    }
}

/// Options some readers take.
#[derive(Debug, Clone, Default, Args)]
pub struct ReaderOptions {}

/// The files to read: the paths as given, with folders expanded (sorted, recursively) for the
/// formats that take one book per file.
pub fn expand_paths(format: Format, paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).with_context(|| format!("reading {}", p.display()))?;
        if meta.is_dir() {
            let Some(exts) = format.folder_extensions() else {
                anyhow::bail!(
                    "{} is a folder; format {format:?} takes files",
                    p.display()
                );
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

type Records = Box<dyn Iterator<Item = Result<SourceRecord, Rejected>> + Send>;

/// The records of one file.
fn records_of(
    format: Format,
    path: &Path,
    _options: &ReaderOptions,
    counters: &Arc<Counters>,
) -> anyhow::Result<Records> {
    Ok(match format {
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
