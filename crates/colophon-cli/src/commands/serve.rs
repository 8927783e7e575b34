//! `colophon serve`.

use clap::Args;

use crate::app::{open_backend, Application};
use crate::{Settings, SettingsArgs};

/// The demo catalog shipped in the binary (public-domain works; descriptions our own).
pub const DEMO_CATALOG: &str = include_str!("../../demo/catalog.jsonl");

/// `serve` flags.
#[derive(Debug, Clone, Args, Default)]
pub struct ServeArgs {
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Address to listen on (`127.0.0.1:8080`; port 0 picks a free port).
    #[arg(long, env = "COLOPHON_LISTEN")]
    pub listen: Option<String>,
    /// Base URL for links in responses (default: http://<bound address>).
    #[arg(long, env = "COLOPHON_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Serve requests without an API key (local emulator use).
    #[arg(long, env = "COLOPHON_ANONYMOUS_ACCESS")]
    pub anonymous_access: bool,
    /// Fill an empty catalog with the demo catalog and print a working API key.
    #[arg(long)]
    pub demo: bool,
}

impl ServeArgs {
    /// Resolved settings.
    pub fn resolve(&self) -> anyhow::Result<Settings> {
        let mut s = Settings::load(&self.settings)?;
        if let Some(l) = &self.listen {
            s.listen = l.clone();
        }
        if let Some(u) = &self.public_url {
            s.public_url = Some(u.clone());
        }
        if self.anonymous_access {
            s.anonymous_access = true;
        }
        s.validate()?;
        Ok(s)
    }
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let settings = args.resolve()?;
    tracing::info!(?settings, "starting");
    let backend = open_backend(&settings).await?;
    prepare_index(&backend).await?;
    let demo_key = if args.demo {
        Some(load_demo(&backend).await?)
    } else {
        None
    };
    let app = Application::build(&settings, backend).await?;
    let url = app.public_url.clone();
    say(&format!("colophon: listening on http://{}", app.local_addr));
    if let Some(key) = demo_key {
        say(&format!("colophon: demo API key: {key}"));
        say(&format!(
            "colophon: try: curl '{url}/books/v1/volumes?q=pride+prejudice&key={key}'"
        ));
    }
    app.run(shutdown_signal()).await
}

fn say(line: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Builds the index when it is empty but the store is not (a new node, a deleted index).
async fn prepare_index(backend: &crate::app::Backend) -> anyhow::Result<()> {
    let stored = backend.catalog.count().await?;
    let indexed = backend.catalog.index().num_docs();
    if indexed == 0 && stored > 0 {
        tracing::info!(
            volumes = stored,
            "the search index is empty: rebuilding it from the store"
        );
        backend.catalog.reindex(|_| {}).await?;
    } else if indexed != stored {
        tracing::warn!(
            stored,
            indexed,
            "the search index and the store disagree; run `colophon reindex`"
        );
    }
    Ok(())
}

/// Loads the demo catalog into an empty catalog and creates an API key for it.
async fn load_demo(backend: &crate::app::Backend) -> anyhow::Result<String> {
    if backend.catalog.count().await? == 0 {
        let mut records = Vec::new();
        for r in colophon_import::demo::read(DEMO_CATALOG) {
            records.push(colophon_import::SourceRecord::from(r.map_err(|e| {
                anyhow::anyhow!("the built-in demo catalog is broken at {e}")
            })?));
        }
        let report = backend.catalog.ingest(records).await?;
        say(&format!(
            "colophon: demo catalog loaded: {} volumes",
            report.volumes.inserted
        ));
    } else {
        say("colophon: the catalog is not empty; the demo catalog was not loaded");
    }
    let created = backend.keys.create("demo (serve --demo)").await?;
    Ok(created.key)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
