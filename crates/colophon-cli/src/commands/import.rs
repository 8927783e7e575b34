//! `colophon import --format FORMAT PATH...` and `colophon export`.
//!
//! A reading thread parses the inputs (one format reader per file) and hands batches to the
//! catalog, which merges, indexes and stores them while the next batch is read; at most two
//! batches wait in between, so memory stays flat whatever the input size. Rejected records go
//! to the rejects file as they come, with their file, position and reason.

mod progress;
mod readers;

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use colophon_import::{Rejected, SourceRecord};
use colophon_service::IngestReport;

use crate::SettingsArgs;

pub use readers::{Format, ReaderOptions};

/// Records per batch (one store transaction and one index commit). An index commit costs far
/// more than a transaction, so batches are large; 10k records of a few KB stay under 100 MB.
const BATCH: u32 = 10_000;

/// `import` flags.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Input format.
    #[arg(long, value_enum)]
    pub format: Format,
    /// Where to write rejected records (file, position and reason), if there are any.
    #[arg(long, default_value = "colophon-import-rejects.tsv")]
    pub rejects: PathBuf,
    /// Records per batch (transaction and index commit).
    #[arg(long, default_value_t = BATCH, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub batch_size: u32,
    /// Read and check the inputs (rejects file and counts) without changing the catalog.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub reader: ReaderOptions,
    /// Files (or, for one-book-per-file formats, folders) to import.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportTotals {
    /// Records read, imported or not.
    pub read: u64,
    /// Records rejected (in the rejects file).
    pub skipped: u64,
    /// What the catalog did with the rest.
    pub report: IngestReport,
}

/// A batch of records, or the end of the input.
enum Message {
    Batch(Vec<SourceRecord>),
    Failed(anyhow::Error),
}

/// Imports every input, streaming, in batches; prints a summary.
pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let backend = crate::app::open_from_args(&args.settings).await?;
    let started = std::time::Instant::now();
    let totals = import(&backend.catalog, &args).await?;
    let secs = started.elapsed().as_secs_f64();
    let r = &totals.report;
    let see = if totals.skipped > 0 {
        format!(" (see {})", args.rejects.display())
    } else {
        String::new()
    };
    let rate = totals.read as f64 / secs.max(1e-3);
    if args.dry_run {
        println!(
            "dry run: read {}, {} importable, skipped {}{see} in {secs:.1} s ({rate:.0} records/s)",
            totals.read, r.records, totals.skipped,
        );
    } else {
        println!(
            "read {}, imported {} new, {} updated, {} merged, {} unchanged, {} repeated, \
             skipped {}{see} in {secs:.1} s ({rate:.0} records/s)",
            totals.read,
            r.volumes.inserted,
            r.volumes.updated,
            r.merged,
            r.unchanged,
            r.repeated,
            totals.skipped,
        );
    }
    Ok(())
}

/// The import itself, for `run` and for tests.
pub async fn import(
    catalog: &colophon_service::Catalog,
    args: &ImportArgs,
) -> anyhow::Result<ImportTotals> {
    let inputs = readers::expand_paths(args.format, &args.paths)?;
    let total_bytes = readers::progress_bytes(
        args.format,
        inputs
            .iter()
            .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .sum(),
    );
    let counters = Arc::new(progress::Counters::default());
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Message>(2);

    let reader = {
        let counters = counters.clone();
        let format = args.format;
        let options = args.reader.clone();
        let rejects_path = args.rejects.clone();
        let batch_size = args.batch_size as usize;
        std::thread::spawn(move || -> anyhow::Result<()> {
            let mut rejects = RejectsFile::new(rejects_path);
            let mut batch = Vec::with_capacity(batch_size);
            let result = readers::read_all(format, &inputs, &options, &counters, |file, item| {
                counters.records.fetch_add(1, Ordering::Relaxed);
                match item {
                    Ok(record) => {
                        batch.push(record);
                        if batch.len() >= batch_size {
                            let full =
                                std::mem::replace(&mut batch, Vec::with_capacity(batch_size));
                            // The receiver is gone only when the import failed; stop reading.
                            return tx.blocking_send(Message::Batch(full)).is_ok();
                        }
                    }
                    Err(rejected) => {
                        counters.rejected.fetch_add(1, Ordering::Relaxed);
                        if let Err(e) = rejects.write(file, &rejected) {
                            let _ = tx.blocking_send(Message::Failed(e));
                            return false;
                        }
                    }
                }
                true
            });
            match result {
                Ok(()) => {
                    if !batch.is_empty() {
                        let _ = tx.blocking_send(Message::Batch(batch));
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Message::Failed(e));
                }
            }
            rejects.finish()
        })
    };

    let progress = progress::Progress::start(counters.clone(), total_bytes);
    let mut report = IngestReport::default();
    let mut failure: Option<anyhow::Error> = None;
    let mut session = catalog.ingest_session();
    while let Some(message) = rx.recv().await {
        match message {
            Message::Batch(records) if args.dry_run => report.records += records.len() as u64,
            Message::Batch(records) => match session.ingest(records).await {
                Ok(r) => report += r,
                Err(e) => {
                    failure = Some(anyhow::Error::new(e).context("importing a batch"));
                    break;
                }
            },
            Message::Failed(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    drop(rx);
    if failure.is_none() {
        if let Err(e) = session.finish().await {
            failure = Some(anyhow::Error::new(e).context("finishing the index"));
        }
    }
    drop(progress);
    let rejects_result = reader
        .join()
        .map_err(|_| anyhow::anyhow!("the reading thread panicked"))?;
    if let Some(e) = failure {
        return Err(e);
    }
    rejects_result?;
    Ok(ImportTotals {
        read: counters.records.load(Ordering::Relaxed),
        skipped: counters.rejected.load(Ordering::Relaxed),
        report,
    })
}

/// The rejects file: created at the first reject, one tab-separated line per record.
struct RejectsFile {
    path: PathBuf,
    out: Option<std::io::BufWriter<std::fs::File>>,
}

impl RejectsFile {
    fn new(path: PathBuf) -> Self {
        RejectsFile { path, out: None }
    }

    fn write(&mut self, file: &str, r: &Rejected) -> anyhow::Result<()> {
        let out = match &mut self.out {
            Some(out) => out,
            None => {
                let f = std::fs::File::create(&self.path)
                    .with_context(|| format!("creating {}", self.path.display()))?;
                let mut out = std::io::BufWriter::new(f);
                writeln!(out, "file\tposition\treason")?;
                self.out.insert(out)
            }
        };
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
        writeln!(
            out,
            "{}\t{}\t{}",
            clean(file),
            clean(&r.position),
            clean(&r.reason)
        )
        .with_context(|| format!("writing {}", self.path.display()))
    }

    fn finish(self) -> anyhow::Result<()> {
        if let Some(mut out) = self.out {
            out.flush()
                .with_context(|| format!("writing {}", self.path.display()))?;
        }
        Ok(())
    }
}

/// `export` flags.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output file (`-` for standard output); `.gz` compresses.
    #[arg(long, short, default_value = "-")]
    pub output: PathBuf,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

/// Writes the whole catalog as `jsonl`, the format `import --format jsonl` reads.
pub async fn export(args: ExportArgs) -> anyhow::Result<()> {
    let backend = crate::app::open_from_args(&args.settings).await?;
    let to_stdout = args.output.as_os_str() == "-";
    let mut out = if to_stdout {
        Output::Plain(std::io::BufWriter::with_capacity(
            1 << 16,
            Box::new(std::io::stdout()),
        ))
    } else {
        let f = std::fs::File::create(&args.output)
            .with_context(|| format!("creating {}", args.output.display()))?;
        let f = std::io::BufWriter::with_capacity(1 << 16, f);
        if args
            .output
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
        {
            Output::Gz(flate2::write::GzEncoder::new(
                f,
                flate2::Compression::default(),
            ))
        } else {
            Output::Plain(std::io::BufWriter::with_capacity(0, Box::new(f)))
        }
    };
    let n = backend
        .catalog
        .export(|line| -> std::io::Result<()> {
            serde_json::to_writer(&mut out, &line)?;
            out.write_all(b"\n")
        })
        .await?;
    out.finish()
        .with_context(|| format!("writing {}", args.output.display()))?;
    if !to_stdout {
        eprintln!("exported {n} volumes to {}", args.output.display());
    }
    Ok(())
}

/// Where an export goes.
enum Output {
    Plain(std::io::BufWriter<Box<dyn std::io::Write + Send>>),
    Gz(flate2::write::GzEncoder<std::io::BufWriter<std::fs::File>>),
}

impl Output {
    /// Flushes everything (and writes the gzip trailer).
    fn finish(self) -> std::io::Result<()> {
        match self {
            Output::Plain(mut w) => w.flush(),
            Output::Gz(g) => g.finish()?.flush(),
        }
    }
}

impl std::io::Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Plain(w) => w.write(buf),
            Output::Gz(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Plain(w) => w.flush(),
            Output::Gz(w) => w.flush(),
        }
    }
}
