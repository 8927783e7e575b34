//! Benchmark of the personal library: `mylibrary.bookshelves.addVolume` and
//! `mylibrary.bookshelves.volumes.list` throughput and latency with many users and shelf
//! entries (see `bench/README.md`, "Personal library").
//!
//! ```sh
//! cargo run --release -p colophon-cli --example bench_library -- --users 1000 --entries 50000
//! ```
//!
//! It opens a fresh store (SQLite in a temporary directory, or `--database-url`), loads the
//! demo catalog, creates `--users` accounts directly in the store (no password hashing) with
//! one access token each (a real grant of the authorization server), seeds `--entries` shelf
//! entries spread evenly over the users and their four writable shelves, then serves the API
//! in-process on a loopback port and drives it with `--concurrency` keep-alive HTTP/1.1
//! connections for `--seconds` per phase: random users adding random volumes, then random
//! users listing a random shelf (10 volumes a page). Every response must be 200.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bytes::Bytes;
use colophon_auth::clients::NewClient;
use colophon_auth::ClientKind;
use colophon_cli::app::{open_backend, Application};
use colophon_cli::Settings;
use colophon_domain::VolumeId;
use colophon_store::UserRecord;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

const WRITABLE: [i32; 4] = [0, 2, 3, 4];

struct Args {
    users: usize,
    entries: usize,
    seconds: u64,
    concurrency: usize,
    database_url: Option<String>,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        users: 1000,
        entries: 50_000,
        seconds: 5,
        concurrency: 16,
        database_url: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--users" => a.users = value()?.parse()?,
            "--entries" => a.entries = value()?.parse()?,
            "--seconds" => a.seconds = value()?.parse()?,
            "--concurrency" => a.concurrency = value()?.parse()?,
            "--database-url" => a.database_url = Some(value()?),
            other => anyhow::bail!("unknown flag {other} (--users, --entries, --seconds, --concurrency, --database-url)"),
        }
    }
    anyhow::ensure!(
        a.users > 0 && a.concurrency > 0,
        "--users and --concurrency must be > 0"
    );
    Ok(a)
}

/// xorshift64*: a seeded generator, enough to pick users and volumes.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }
}

struct Phase {
    name: &'static str,
    requests: u64,
    seconds: f64,
    latencies_us: Vec<u64>,
}

impl Phase {
    fn pct(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[i] as f64 / 1000.0
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args()?;
    let dir = tempfile::tempdir()?;
    let settings = Settings {
        data_dir: dir.path().to_path_buf(),
        listen: "127.0.0.1:0".into(),
        database_url: a.database_url.clone(),
        ..Settings::defaults()
    };
    let backend = open_backend(&settings).await?;
    let records: Vec<_> = colophon_import::demo::read(colophon_cli::commands::serve::DEMO_CATALOG)
        .map(|r| r.map(colophon_import::SourceRecord::from))
        .collect::<Result<_, _>>()?;
    backend.catalog.ingest(records).await?;
    let mut volumes: Vec<VolumeId> = Vec::new();
    let mut after = None;
    loop {
        let batch = backend.store.volumes_after(after.as_ref(), 1000).await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id.clone());
        volumes.extend(batch.into_iter().map(|r| r.id));
    }
    let per_user = a.entries / a.users;
    anyhow::ensure!(
        per_user <= volumes.len() * WRITABLE.len(),
        "{per_user} entries per user do not fit on 4 shelves of {} volumes",
        volumes.len()
    );
    eprintln!(
        "library bench: {} users, {} entries ({per_user} per user), {} catalog volumes, backend {}",
        a.users,
        per_user * a.users,
        volumes.len(),
        if a.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );

    let app = Application::build(&settings, backend.clone()).await?;
    let base = format!("http://{}", app.local_addr);
    let auth = app.auth.clone();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run(async move {
        let _ = stop_rx.await;
    }));

    // Users and tokens.
    let started = Instant::now();
    let client = auth
        .create_client(NewClient {
            name: "library bench".into(),
            kind: ClientKind::Installed,
            redirect_uris: Vec::new(),
            public: false,
        })
        .await?;
    let now = chrono::Utc::now();
    let mut tokens = Vec::with_capacity(a.users);
    for u in 0..a.users {
        let email = format!("bench{u}@example.org");
        backend
            .store
            .insert_user(&UserRecord {
                id: format!("1{u:020}"),
                email: email.clone(),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                created: now,
                password_changed: now,
            })
            .await?;
        let (t, _) = auth
            .issue_token_for(&email, &client.client.id)
            .await
            .map_err(|e| anyhow::anyhow!("token: {e}"))?;
        tokens.push(t.access_token);
    }
    eprintln!(
        "  users and tokens: {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Seed entries straight through the store, a few users at a time.
    let started = Instant::now();
    let volumes = Arc::new(volumes);
    let workers = 4;
    let mut seeders = Vec::new();
    for w in 0..workers {
        let store = backend.store.clone();
        let volumes = volumes.clone();
        let users = a.users;
        seeders.push(tokio::spawn(async move {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (w as u64 + 1));
            for u in (w..users).step_by(workers) {
                let user = format!("1{u:020}");
                let start = rng.below(volumes.len());
                for k in 0..per_user {
                    let shelf = WRITABLE[k % WRITABLE.len()];
                    let v = &volumes[(start + k / WRITABLE.len()) % volumes.len()];
                    store
                        .add_to_shelf(&user, shelf, v, chrono::Utc::now())
                        .await?;
                }
            }
            anyhow::Ok(())
        }));
    }
    for s in seeders {
        s.await??;
    }
    let seed_s = started.elapsed().as_secs_f64();
    eprintln!(
        "  seeding: {:.1} s ({:.0} entries/s through the store)",
        seed_s,
        (per_user * a.users) as f64 / seed_s
    );

    let tokens = Arc::new(tokens);
    let mut phases = Vec::new();
    for name in ["addVolume", "bookshelves.volumes.list"] {
        phases.push(run_phase(name, &base, &a, &tokens, &volumes).await?);
    }
    let _ = stop_tx.send(());

    println!("| method | requests | req/s | p50 ms | p99 ms |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for p in &phases {
        println!(
            "| {} | {} | {:.0} | {:.2} | {:.2} |",
            p.name,
            p.requests,
            p.requests as f64 / p.seconds,
            p.pct(0.50),
            p.pct(0.99)
        );
    }
    Ok(())
}

async fn run_phase(
    name: &'static str,
    base: &str,
    a: &Args,
    tokens: &Arc<Vec<String>>,
    volumes: &Arc<Vec<VolumeId>>,
) -> anyhow::Result<Phase> {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..a.concurrency {
        let (client, tokens, volumes, base) = (
            client.clone(),
            tokens.clone(),
            volumes.clone(),
            base.to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ (c as u64 + 7));
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let u = rng.below(tokens.len());
                let shelf = WRITABLE[rng.below(WRITABLE.len())];
                let (method, path) = if name == "addVolume" {
                    let v = &volumes[rng.below(volumes.len())];
                    (
                        "POST",
                        format!("/books/v1/mylibrary/bookshelves/{shelf}/addVolume?volumeId={v}"),
                    )
                } else {
                    (
                        "GET",
                        format!("/books/v1/mylibrary/bookshelves/{shelf}/volumes?maxResults=10"),
                    )
                };
                let req = hyper::Request::builder()
                    .method(method)
                    .uri(format!("{base}{path}"))
                    .header("authorization", format!("Bearer {}", tokens[u]))
                    .body(Full::new(Bytes::new()))?;
                let t = Instant::now();
                let resp = client.request(req).await?;
                let status = resp.status();
                let body = resp.into_body().collect().await?.to_bytes();
                lat.push(t.elapsed().as_micros() as u64);
                anyhow::ensure!(
                    status == 200,
                    "{method} {path}: {status} {}",
                    String::from_utf8_lossy(&body)
                );
            }
            anyhow::Ok(lat)
        }));
    }
    let mut latencies_us = Vec::new();
    for t in tasks {
        latencies_us.extend(t.await??);
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies_us.sort_unstable();
    Ok(Phase {
        name,
        requests: latencies_us.len() as u64,
        seconds,
        latencies_us,
    })
}
