//! `colophon import --format FORMAT PATH...`.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use colophon_domain::VolumeRecord;
use colophon_import::Rejected;

use crate::app::open_backend;
use crate::{Settings, SettingsArgs};

/// Records written per transaction and index commit. An index commit costs far more than a
/// store transaction, so batches are large (10k records of a few KB stay well under 100 MB).
const BATCH: usize = 10_000;

/// Input formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// Books API volume JSON (a Volume, a Volumes page, or JSON Lines of them; .gz ok).
    Googlebooks,
    /// Colophon's demo catalog format.
    Demo,
}

/// `import` flags.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Input format.
    #[arg(long, value_enum)]
    pub format: Format,
    /// Where to write rejected records (position and reason), if any.
    #[arg(long, default_value = "colophon-import-rejects.tsv")]
    pub rejects: PathBuf,
    /// Files to import.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

/// Imports every file, streaming, in batches.
pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let settings = Settings::load(&args.settings)?;
    settings.validate()?;
    let backend = open_backend(&settings).await?;
    let mut read = 0u64;
    let mut rejected: Vec<(String, Rejected)> = Vec::new();
    let mut total = colophon_service::ImportSummary::default();
    for path in &args.paths {
        let shown = path.display().to_string();
        let records: Box<dyn Iterator<Item = Result<VolumeRecord, Rejected>> + Send> =
            match args.format {
                Format::Googlebooks => {
                    let input = colophon_import::open_input(path)
                        .with_context(|| format!("opening {shown}"))?;
                    Box::new(colophon_import::googlebooks::read(input))
                }
                Format::Demo => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("reading {shown}"))?;
                    Box::new(
                        colophon_import::demo::read(&text)
                            .collect::<Vec<_>>()
                            .into_iter(),
                    )
                }
            };
        let mut batch = Vec::with_capacity(BATCH);
        for r in records {
            read += 1;
            match r {
                Ok(rec) => batch.push(rec),
                Err(e) => rejected.push((shown.clone(), e)),
            }
            if batch.len() == BATCH {
                let s = backend.catalog.import(&batch).await?;
                add(&mut total, s);
                batch.clear();
                eprintln!("import: {read} records read");
            }
        }
        if !batch.is_empty() {
            add(&mut total, backend.catalog.import(&batch).await?);
        }
    }
    if !rejected.is_empty() {
        let mut f = std::fs::File::create(&args.rejects)
            .with_context(|| format!("creating {}", args.rejects.display()))?;
        writeln!(f, "file\tposition\treason")?;
        for (file, r) in &rejected {
            writeln!(
                f,
                "{file}\t{}\t{}",
                r.position,
                r.reason.replace(['\t', '\n'], " ")
            )?;
        }
    }
    println!(
        "read {read}, imported {} new, {} updated, {} unchanged, skipped {}{}",
        total.store.inserted,
        total.store.updated,
        total.store.unchanged,
        rejected.len(),
        if rejected.is_empty() {
            String::new()
        } else {
            format!(" (see {})", args.rejects.display())
        }
    );
    Ok(())
}

fn add(total: &mut colophon_service::ImportSummary, s: colophon_service::ImportSummary) {
    total.store += s.store;
    total.indexed += s.indexed;
}
