//! `colophon covers import DIR`: cover images from files beside a catalog.
//!
//! Each `.jpg`, `.jpeg`, `.png`, `.gif` or `.webp` file in `DIR` is the cover of the volume its
//! name gives: an ISBN (`9780141439518.jpg`, `0-14-143951-3.png`) or a volume id
//! (`kPbzR4LDkAkC.jpg`). Files that name no volume, or that are not images Colophon accepts
//! (damaged, too large, decompression bombs), are reported and skipped. EPUB covers come in
//! with `colophon import --format epub` itself.
//!
//! Fetching covers from URLs (a URL column of a catalog) is not implemented: Colophon makes no
//! network requests on its own. `--fetch-urls` is refused with an error saying so.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::SettingsArgs;

/// Cover images.
#[derive(Debug, Subcommand)]
pub enum CoversCommand {
    /// Attach the image files of a directory (named by ISBN or volume id) as covers.
    Import(ImportArgs),
}

/// `covers import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Directory holding `<isbn>.jpg` / `<volume id>.png` files.
    pub dir: PathBuf,
    /// Fetch covers from URLs (not implemented: refused).
    #[arg(long)]
    pub fetch_urls: bool,
    #[command(flatten)]
    settings: SettingsArgs,
}

const EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "gif", "webp"];

/// Runs a `covers` subcommand.
pub async fn run(cmd: CoversCommand) -> anyhow::Result<()> {
    let CoversCommand::Import(a) = cmd;
    anyhow::ensure!(
        !a.fetch_urls,
        "--fetch-urls: fetching covers over the network is not implemented; \
         download the images and name them <isbn>.jpg or <volume id>.jpg instead"
    );
    let backend = crate::app::open_from_args(&a.settings).await?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&a.dir)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", a.dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    files.sort();
    let (mut attached, mut unknown, mut rejected) = (0u64, 0u64, 0u64);
    for path in files {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let Some(volume) = backend.covers.volume_for_stem(&stem).await? else {
            eprintln!("{}: no volume has this ISBN or id", path.display());
            unknown += 1;
            continue;
        };
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if len > colophon_service::covers::MAX_COVER_BYTES as u64 {
            eprintln!("{}: cover image too large ({len} bytes)", path.display());
            rejected += 1;
            continue;
        }
        let bytes = std::fs::read(&path)?;
        match backend.covers.set_cover(&volume, bytes).await {
            Ok(_) => attached += 1,
            Err(colophon_service::CoverError::Rejected(why)) => {
                eprintln!("{}: {why}", path.display());
                rejected += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    println!("covers: {attached} attached, {unknown} naming no volume, {rejected} rejected");
    Ok(())
}
