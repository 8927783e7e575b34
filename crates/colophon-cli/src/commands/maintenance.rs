//! `colophon migrate` and `colophon reindex`.

use crate::SettingsArgs;

/// Applies migrations (opening the backend does).
pub async fn migrate(args: SettingsArgs) -> anyhow::Result<()> {
    let backend = crate::app::open_from_args(&args).await?;
    println!(
        "migrations applied; {} volumes in the catalog",
        backend.catalog.count().await?
    );
    Ok(())
}

/// Rebuilds the search index from the store.
pub async fn reindex(args: SettingsArgs) -> anyhow::Result<()> {
    let backend = crate::app::open_from_args(&args).await?;
    let total = backend.catalog.count().await?;
    let started = std::time::Instant::now();
    let mut last_report = std::time::Instant::now();
    let n = backend
        .catalog
        .reindex(|done| {
            if last_report.elapsed().as_secs() >= 2 {
                last_report = std::time::Instant::now();
                eprintln!("reindex: {done} of {total} volumes read");
            }
        })
        .await?;
    println!(
        "reindexed {n} volumes in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
