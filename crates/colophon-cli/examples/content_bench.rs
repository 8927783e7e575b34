//! Content benchmark: cover resize, cover serving (first request and cached), and reader page
//! render time for a long book, through the real server on a loopback port.
//!
//! ```sh
//! bench/content.sh                       # full: a 300,000-word book, 2,000 requests per figure
//! bench/content.sh --words 30000 --requests 100   # smoke
//! ```
//!
//! Requests are sequential from one client (latency, not saturation); every loop is bounded.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bytes::Bytes;
use colophon_cli::app::{open_backend, Application};
use colophon_cli::Settings;
use colophon_import::source::public_domain_access;
use colophon_import::SourceRecord;
use colophon_service::covers::resized_jpeg;
use colophon_service::Zoom;
use http_body_util::{BodyExt as _, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

struct Args {
    words: usize,
    requests: usize,
    cover: PathBuf,
}

fn args() -> Args {
    let mut a = Args {
        words: 300_000,
        requests: 2_000,
        cover: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
            "../../../shared/data/covers/standard-ebooks/jane-austen_pride-and-prejudice.jpg",
        ),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--words" => a.words = value.parse().expect("--words N"),
            "--requests" => a.requests = value.parse().expect("--requests N"),
            "--cover" => a.cover = PathBuf::from(value),
            other => panic!("unknown flag {other} (--words, --requests, --cover)"),
        }
    }
    a
}

/// A long book: chapters of 3,000 words in paragraphs of 100.
fn book_text(words: usize) -> String {
    const WORDS: &[&str] = &[
        "the",
        "road",
        "ran",
        "on",
        "between",
        "hedges",
        "and",
        "fields",
        "under",
        "a",
        "pale",
        "sky",
        "while",
        "travellers",
        "walked",
        "slowly",
        "towards",
        "distant",
        "hills",
    ];
    let mut out = String::with_capacity(words * 6);
    let mut n = 0;
    let mut chapter = 0;
    while n < words {
        if n % 3_000 == 0 {
            chapter += 1;
            out.push_str(&format!("CHAPTER {chapter}\n\n"));
        }
        for i in 0..100 {
            out.push_str(WORDS[(n + i * 7) % WORDS.len()]);
            out.push(if i == 99 { '.' } else { ' ' });
        }
        out.push_str("\n\n");
        n += 100;
    }
    out
}

fn stats(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let total: Duration = times.iter().sum();
    let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    println!(
        "{name:<34} n={:<6} {:>9.1}/s  p50 {:>8.3} ms  p99 {:>8.3} ms",
        times.len(),
        times.len() as f64 / total.as_secs_f64(),
        pct(50).as_secs_f64() * 1e3,
        pct(99).as_secs_f64() * 1e3
    );
}

async fn get(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Empty<Bytes>>,
    url: &str,
) -> (u16, usize) {
    let resp = client
        .get(url.parse().expect("url"))
        .await
        .expect("request");
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    (status, body.len())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let a = args();
    let dir = tempfile::tempdir()?;
    let settings = Settings {
        data_dir: dir.path().to_path_buf(),
        listen: "127.0.0.1:0".into(),
        anonymous_access: true,
        ..Settings::defaults()
    };
    let backend = open_backend(&settings).await?;
    let cover = std::fs::read(&a.cover)?;
    println!(
        "content benchmark: {} words, {} requests per figure, cover {} ({} KiB)",
        a.words,
        a.requests,
        a.cover.display(),
        cover.len() / 1024
    );

    // Cover resize alone (decode + resize + JPEG encode), per zoom level.
    for zoom in [5u32, 1, 3, 6] {
        let width = Zoom::from_param(zoom).width();
        let n = (a.requests / 20).clamp(3, 200);
        let times: Vec<Duration> = (0..n)
            .map(|_| {
                let t = Instant::now();
                resized_jpeg(&cover, width).expect("resize");
                t.elapsed()
            })
            .collect();
        stats(&format!("resize to zoom={zoom} ({width} px)"), times);
    }

    let mut record = SourceRecord::new("bench:long-book");
    record.volume_info.title = Some("A Very Long Road".into());
    record.access_info = Some(public_domain_access());
    let text = book_text(a.words);
    record.full_text = Some(text);
    backend.catalog.ingest(vec![record]).await?;
    let id = colophon_domain::VolumeId::derive("bench:long-book");
    backend.covers.set_cover(&id, cover.clone()).await?;
    let app = Application::build(&settings, backend.clone()).await?;
    let base = format!("http://{}", app.local_addr);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run(async move {
        let _ = rx.await;
    }));
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let id = id.as_str();

    // First request of each size: resize and cache; then the cached copy.
    for zoom in [1u32, 3] {
        let url = format!("{base}/books/content?id={id}&zoom={zoom}");
        let t = Instant::now();
        let (status, _) = get(&client, &url).await;
        assert_eq!(status, 200);
        println!(
            "cover zoom={zoom} first request        {:>8.3} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
        let mut times = Vec::with_capacity(a.requests);
        for _ in 0..a.requests {
            let t = Instant::now();
            let (status, _) = get(&client, &url).await;
            assert_eq!(status, 200);
            times.push(t.elapsed());
        }
        stats(&format!("cover zoom={zoom} cached"), times);
    }

    // The reader: the first page (loads and paginates the text), then pages across the book.
    let t = Instant::now();
    let (status, _) = get(&client, &format!("{base}/books/reader?id={id}")).await;
    assert_eq!(status, 200);
    println!(
        "reader first page (paginate)        {:>8.3} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let pages = (a.words / 330).max(1);
    let mut times = Vec::with_capacity(a.requests);
    for i in 0..a.requests {
        let page = 1 + (i * 7919) % pages;
        let t = Instant::now();
        let (status, _) = get(&client, &format!("{base}/books/reader?id={id}&pg=PA{page}")).await;
        assert_eq!(status, 200);
        times.push(t.elapsed());
    }
    stats("reader page (cached book)", times);
    let mut times = Vec::with_capacity(a.requests / 10 + 1);
    for i in 0..(a.requests / 10).max(1) {
        let page = 1 + (i * 7919) % pages;
        let t = Instant::now();
        let (status, _) = get(
            &client,
            &format!("{base}/books/reader?id={id}&pg=PA{page}&q=distant+hills"),
        )
        .await;
        assert_eq!(status, 200);
        times.push(t.elapsed());
    }
    stats("reader page with q= highlight", times);
    let t = Instant::now();
    let (status, len) = get(
        &client,
        &format!("{base}/books/download/x.epub?id={id}&output=epub"),
    )
    .await;
    assert_eq!(status, 200);
    println!(
        "EPUB download (generated, {} KiB)  {:>8.3} ms",
        len / 1024,
        t.elapsed().as_secs_f64() * 1e3
    );
    for round in ["first: generated", "again: cached"] {
        let t = Instant::now();
        let (status, len) = get(
            &client,
            &format!("{base}/books/download/x.pdf?id={id}&output=pdf"),
        )
        .await;
        assert_eq!(status, 200);
        println!(
            "PDF download ({round}, {} KiB)  {:>8.3} ms",
            len / 1024,
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    let _ = tx.send(());
    let _ = server.await;
    Ok(())
}
