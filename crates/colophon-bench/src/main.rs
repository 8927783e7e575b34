//! `colophon-bench`: the peers of Colophon's scale benchmark behind one thin HTTP front, an
//! open-loop load generator, and the in-process probe measured under callgrind. Driven by
//! `bench/scale.sh`; see bench/README.md ("Scale and peers").

mod catalog;
mod engines;
mod front;
mod loadgen;
mod page;
mod probe;
mod query;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

use engines::postgres::{self, Kind};
use engines::{fts5, tantivy_peer, Engine};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Peers, load generator and probe of Colophon's scale benchmark")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Builds an engine's index from the catalog and prints a JSON line of figures.
    Load {
        /// tantivy, fts5, pg-gin, pg-rum, or colophon (Colophon's own search index only,
        /// for the probe).
        #[arg(long)]
        engine: String,
        /// Catalog: Books API `Volume` JSON lines (`.gz` allowed).
        #[arg(long)]
        catalog: PathBuf,
        /// Index directory (tantivy, fts5, colophon).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// PostgreSQL URL (pg-gin, pg-rum).
        #[arg(long)]
        pg: Option<String>,
    },
    /// Serves an engine behind the Books API front on one thread.
    Serve {
        /// hello, tantivy, fts5, pg-gin or pg-rum.
        #[arg(long)]
        engine: String,
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long)]
        pg: Option<String>,
        /// hello: the catalog whose first 10 volumes make every page.
        #[arg(long)]
        catalog: Option<PathBuf>,
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
    },
    /// Open-loop load at a fixed rate; prints a JSON line of latency percentiles.
    Loadgen {
        #[arg(long)]
        addr: SocketAddr,
        /// File of request paths, one per line, sent in turn.
        #[arg(long)]
        urls: PathBuf,
        #[arg(long)]
        rate: f64,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        #[arg(long, default_value_t = 64)]
        connections: usize,
    },
    /// Runs COUNT queries of a query file in process (for callgrind); prints the hit sum.
    Probe {
        /// colophon, tantivy or fts5.
        #[arg(long)]
        engine: String,
        #[arg(long)]
        dir: PathBuf,
        /// One `q` a line, optionally followed by `&startIndex=N&maxResults=M`.
        #[arg(long)]
        queries: PathBuf,
        #[arg(long)]
        count: usize,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(run(cli.cmd))
}

fn need<'a, T: ?Sized>(v: &'a Option<impl AsRef<T>>, what: &str) -> Result<&'a T> {
    v.as_ref()
        .map(AsRef::as_ref)
        .with_context(|| format!("--{what} is required"))
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_bytes(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn pg_kind(engine: &str) -> Option<Kind> {
    match engine {
        "pg-gin" => Some(Kind::Gin),
        "pg-rum" => Some(Kind::Rum),
        _ => None,
    }
}

async fn run(cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Load {
            engine,
            catalog,
            dir,
            pg,
        } => {
            let t0 = Instant::now();
            let mut out = serde_json::json!({"engine": engine});
            if let Some(kind) = pg_kind(&engine) {
                let url: &str = need(&pg, "pg")?;
                let mut docs = Vec::new();
                catalog::read(&catalog, |d| {
                    docs.push(d);
                    Ok(())
                })?;
                let n = postgres::load(url, kind, docs).await?;
                let load_s = t0.elapsed().as_secs_f64();
                postgres::index(url, kind).await?;
                out["docs"] = n.into();
                out["load_seconds"] = load_s.into();
                out["index_seconds"] = (t0.elapsed().as_secs_f64() - load_s).into();
                out["bytes"] = postgres::size(url, kind).await?.into();
            } else {
                let dir: &Path = need(&dir, "dir")?;
                if dir.exists() {
                    std::fs::remove_dir_all(dir)?;
                }
                let n = match engine.as_str() {
                    "tantivy" => tantivy_peer::build(dir, &catalog)?,
                    "fts5" => fts5::build(dir, &catalog)?,
                    "colophon" => probe::build_ours(dir, &catalog)?,
                    other => bail!("unknown engine {other}"),
                };
                out["docs"] = n.into();
                out["bytes"] = dir_bytes(dir).into();
            }
            out["seconds"] = t0.elapsed().as_secs_f64().into();
            println!("{out}");
        }
        Cmd::Serve {
            engine,
            dir,
            pg,
            catalog,
            listen,
        } => {
            let opened = match engine.as_str() {
                "hello" => {
                    let path: &Path = need(&catalog, "catalog")?;
                    let mut docs = Vec::new();
                    // Read only the first volumes: stop early with a sentinel error.
                    let r = catalog::read(path, |d| {
                        docs.push(d.json);
                        if docs.len() == 10 {
                            bail!("enough");
                        }
                        Ok(())
                    });
                    if docs.len() < 10 {
                        r?;
                    }
                    Engine::Hello(docs)
                }
                "tantivy" => Engine::Tantivy(tantivy_peer::TantivyPeer::open(need(&dir, "dir")?)?),
                "fts5" => Engine::Fts5(fts5::Fts5Peer::open(need(&dir, "dir")?)?),
                e => match pg_kind(e) {
                    Some(kind) => {
                        Engine::Postgres(postgres::PgPeer::open(need(&pg, "pg")?, kind).await?)
                    }
                    None => bail!("unknown engine {e}"),
                },
            };
            let listener = tokio::net::TcpListener::bind(listen).await?;
            let addr = listener.local_addr()?;
            let app = front::router(opened, format!("http://{addr}"));
            println!("listening on {addr}");
            std::io::stdout().flush()?;
            axum::serve(listener, app).await?;
        }
        Cmd::Loadgen {
            addr,
            urls,
            rate,
            seconds,
            connections,
        } => {
            let paths: Vec<String> = std::fs::read_to_string(&urls)
                .with_context(|| format!("reading {}", urls.display()))?
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            let report = loadgen::run(
                addr,
                paths,
                rate,
                seconds,
                connections,
                Duration::from_secs(10),
            )
            .await?;
            println!("{}", serde_json::to_string(&report)?);
        }
        Cmd::Probe {
            engine,
            dir,
            queries,
            count,
        } => {
            let qs = probe::read_queries(&queries)?;
            let sum = probe::run(&engine, &dir, &qs, count)?;
            println!("{{\"engine\":\"{engine}\",\"count\":{count},\"hits\":{sum}}}");
        }
    }
    Ok(())
}
