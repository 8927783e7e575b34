//! `colophon import` and `colophon export` over the real files in ../shared/data: every
//! format, merging across sources, idempotence, the export round trip, malformed inputs and
//! an import killed half-way.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser as _;
use colophon_cli::app::{open_backend, Backend};
use colophon_cli::commands::import::{import, ImportArgs, ImportTotals};
use colophon_domain::SearchRequest;

use crate::support::{settings_for, shared_dir, with_postgres};

fn data(rel: &str) -> PathBuf {
    shared_dir().join("data").join(rel)
}

/// `import` flags as the command line would give them.
fn args(dir: &Path, format: &str, extra: &[&str], paths: &[PathBuf]) -> ImportArgs {
    #[derive(clap::Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: ImportArgs,
    }
    let rejects = dir.join("rejects.tsv");
    let mut argv: Vec<String> = vec![
        "import".into(),
        "--format".into(),
        format.into(),
        "--rejects".into(),
        rejects.display().to_string(),
        "--data-dir".into(),
        dir.display().to_string(),
    ];
    argv.extend(extra.iter().map(|s| (*s).to_owned()));
    argv.extend(paths.iter().map(|p| p.display().to_string()));
    Wrapper::try_parse_from(argv)
        .expect("import flags parse")
        .args
}

async fn backend(dir: &Path) -> Backend {
    open_backend(&settings_for(dir))
        .await
        .expect("open backend")
}

async fn run(
    b: &Backend,
    dir: &Path,
    format: &str,
    extra: &[&str],
    paths: &[PathBuf],
) -> ImportTotals {
    import(&b.catalog, &args(dir, format, extra, paths))
        .await
        .unwrap_or_else(|e| panic!("import {format} {paths:?}: {e:#}"))
}

fn total(b: &Backend, q: &str) -> u64 {
    b.catalog.index().reload().expect("reload");
    b.catalog
        .index()
        .search(&SearchRequest::new(q))
        .expect("search")
        .total
}

fn rejects(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("rejects.tsv"))
        .map(|s| s.lines().skip(1).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// (format, inputs, records read, rejected, a query that must find something)
fn cases() -> Vec<(&'static str, Vec<PathBuf>, u64, u64, &'static str)> {
    let files = |dir: &str, ext: &str| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(data(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(ext))
            .collect();
        v.sort();
        v
    };
    vec![
        (
            "csv",
            vec![data("goodbooks-10k/books.csv.gz")],
            8_000,
            0,
            "intitle:\"hunger games\"",
        ),
        (
            "csv",
            vec![data("book-crossing-partial/BX-Books.partial.csv.gz")],
            12_501,
            0,
            "inauthor:hoag",
        ),
        (
            "openlibrary",
            files("openlibrary-sample", ".txt"),
            68,
            0,
            "inauthor:mortenson",
        ),
        (
            "marcxml",
            files("marc21/marcxml-libraries", ".xml.gz"),
            495,
            0,
            "intitle:atlas",
        ),
        (
            "onix",
            ["google-samples", "feeds", "edge-cases"]
                .iter()
                .flat_map(|d| files(&format!("onix/{d}"), ".xml"))
                .collect(),
            595,
            0,
            // (The Forgotten Garden is a preorder: hidden unless showPreorders.)
            "intitle:\"botany of desire\"",
        ),
        (
            "epub",
            vec![data("standard-ebooks/epub")],
            13,
            0,
            "\"universally acknowledged\"",
        ),
        ("tei", vec![data("eltec/fra/tei")], 5, 0, "inauthor:verne"),
        (
            "text",
            vec![data("gutenberg-texts")],
            2,
            0,
            "\"start of the project\"",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_imports_the_shared_data() {
    for (format, paths, read, rejected, query) in cases() {
        assert!(!paths.is_empty(), "{format}: no input files found");
        let dir = tempfile::tempdir().unwrap();
        let b = backend(dir.path()).await;
        let t = run(&b, dir.path(), format, &[], &paths).await;
        if read > 0 {
            assert_eq!(t.read, read, "{format}: records read");
        } else {
            assert!(t.read > 0, "{format}: nothing read");
        }
        assert_eq!(t.skipped, rejected, "{format}: {:?}", rejects(dir.path()));
        let volumes = b.catalog.count().await.unwrap();
        assert_eq!(
            volumes, t.report.volumes.inserted,
            "{format}: every new volume is stored"
        );
        assert!(
            volumes + t.report.merged + t.report.unchanged + t.report.repeated
                >= t.read - t.skipped,
            "{format}: records unaccounted for: {t:?}"
        );
        // The index has every volume and finds a known book.
        assert_eq!(
            b.catalog.index().num_docs(),
            volumes,
            "{format}: index size"
        );
        let hits = total(&b, query);
        if format == "text" {
            // The Gutenberg licence header is not part of the text.
            assert_eq!(
                hits, 0,
                "{format}: {query} must not match the PG boilerplate"
            );
            assert!(total(&b, "chapter") > 0);
        } else {
            assert!(hits > 0, "{format}: {query} found nothing");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_text_is_searchable_and_rights_are_set() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path()).await;
    run(&b, dir.path(), "epub", &[], &[data("standard-ebooks/epub")]).await;
    // A phrase from inside Pride and Prejudice, not from its metadata.
    let req = SearchRequest::new("\"universally acknowledged\"");
    let (n, found) = b.catalog.search(&req).await.unwrap();
    assert_eq!(n, 1);
    let (record, snippet) = &found[0];
    assert_eq!(
        record.volume_info.title.as_deref(),
        Some("Pride and Prejudice")
    );
    assert!(
        snippet.as_deref().unwrap_or_default().contains("<b>"),
        "{snippet:?}"
    );
    let access = record.access_info.as_ref().unwrap();
    assert_eq!(
        access.access_view_status.as_deref(),
        Some("FULL_PUBLIC_DOMAIN")
    );
    assert_eq!(access.viewability.as_deref(), Some("ALL_PAGES"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_isbn_from_two_sources_is_one_volume_and_reimport_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path()).await;
    let goodbooks = vec![data("goodbooks-10k/books.csv.gz")];
    let goodreads = vec![data("goodreads-books-11k/books.csv.gz")];
    let first = run(&b, dir.path(), "csv", &[], &goodbooks).await;
    let second = run(&b, dir.path(), "csv", &[], &goodreads).await;
    assert!(second.report.merged > 100, "{second:?}");
    let volumes = b.catalog.count().await.unwrap();
    assert_eq!(
        volumes,
        first.report.volumes.inserted + second.report.volumes.inserted
    );
    assert_eq!(
        volumes + second.report.merged,
        first.read + second.read,
        "each record is a volume or joined one"
    );
    // Harry Potter and the Half-Blood Prince is in both: one volume, two sources.
    let req = SearchRequest::new("isbn:9780439785969");
    let (n, found) = b.catalog.search(&req).await.unwrap();
    assert_eq!(n, 1);
    let sources = b
        .catalog
        .store()
        .sources_of_volumes(&[found[0].0.id.clone()])
        .await
        .unwrap();
    assert_eq!(sources.len(), 2, "{sources:?}");

    // Importing the same files again changes nothing, and ids stay.
    let ids_before: Vec<String> = {
        let (_, found) = b
            .catalog
            .search(&SearchRequest::new("hunger"))
            .await
            .unwrap();
        found.iter().map(|(r, _)| r.id.to_string()).collect()
    };
    let again = run(&b, dir.path(), "csv", &[], &goodbooks).await;
    assert_eq!(again.report.unchanged, again.read);
    assert_eq!(again.report.indexed, 0);
    assert_eq!(b.catalog.count().await.unwrap(), volumes);
    let (_, found) = b
        .catalog
        .search(&SearchRequest::new("hunger"))
        .await
        .unwrap();
    let ids_after: Vec<String> = found.iter().map(|(r, _)| r.id.to_string()).collect();
    assert_eq!(ids_before, ids_after);
}

fn colophon(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_colophon"))
        .args(args)
        .output()
        .expect("run colophon")
}

/// An export without the `updated` stamps (the import time of the copy).
fn export_lines(dir: &Path) -> Vec<serde_json::Value> {
    let out = colophon(&["export", "--data-dir", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("updated");
            // `seq` is arrival order, renumbered by each import (the order itself is kept).
            for s in v["sources"].as_array_mut().into_iter().flatten() {
                s.as_object_mut().unwrap().remove("seq");
            }
            v
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_then_import_yields_the_same_catalog() {
    let a = tempfile::tempdir().unwrap();
    {
        let b = backend(a.path()).await;
        run(
            &b,
            a.path(),
            "marcxml",
            &[],
            &[data("marc21/marcxml-libraries/loc_general.xml.gz")],
        )
        .await;
        run(&b, a.path(), "epub", &[], &[data("standard-ebooks/epub")]).await;
        run(
            &b,
            a.path(),
            "openlibrary",
            &[],
            &[data("openlibrary-sample")]
                .iter()
                .flat_map(|d| {
                    let mut v: Vec<PathBuf> = std::fs::read_dir(d)
                        .unwrap()
                        .map(|e| e.unwrap().path())
                        .filter(|p| p.to_string_lossy().ends_with(".txt"))
                        .collect();
                    v.sort();
                    v
                })
                .collect::<Vec<_>>(),
        )
        .await;
    }
    let first = export_lines(a.path());
    assert!(first.len() > 100, "{}", first.len());
    assert!(first.iter().any(|l| l.get("fullText").is_some()));
    let file = a.path().join("export.jsonl.gz");
    let out = colophon(&[
        "export",
        "--data-dir",
        a.path().to_str().unwrap(),
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success());

    let b_dir = tempfile::tempdir().unwrap();
    let b = backend(b_dir.path()).await;
    let t = run(&b, b_dir.path(), "jsonl", &[], &[file]).await;
    assert_eq!(t.skipped, 0);
    assert_eq!(t.report.volumes.inserted, first.len() as u64);
    drop(b);
    let second = export_lines(b_dir.path());
    assert_eq!(first.len(), second.len());
    for (x, y) in first.iter().zip(&second) {
        assert_eq!(x, y);
    }
    // And the copy searches its full texts.
    let b = backend(b_dir.path()).await;
    assert_eq!(total(&b, "\"universally acknowledged\""), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_records_are_reported_and_never_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend(dir.path()).await;
    let csv = dir.path().join("bad.csv");
    std::fs::write(
        &csv,
        "id,title,authors,isbn\n1,Good One,Ann Author,9780141439587\n3,,No Title,\n4,Also Good,Bob,\n5,Too,many,fields,here,now\n6,\"unterminated,x,y\n7,Never seen,x,\n",
    )
    .unwrap();
    let jsonl = dir.path().join("bad.jsonl");
    std::fs::write(
        &jsonl,
        "{\"kind\":\"colophon#volume\",\"id\":\"aaaaaaaaaaaa\",\"volumeInfo\":{\"title\":\"Fine\"}}\n{oops\n\u{0}\u{1}binary\n{\"kind\":\"colophon#volume\",\"id\":\"bbbbbbbbbbbb\",\"volumeInfo\":{\"title\":\"Fine too\"}}\n",
    )
    .unwrap();
    let marc = dir.path().join("bad.mrc");
    std::fs::write(&marc, b"00042garbage that is not a MARC record at all\x1d").unwrap();

    let t = run(&b, dir.path(), "csv", &[], std::slice::from_ref(&csv)).await;
    let csv_rejects = rejects(dir.path());
    // Row 6's quote never closes: it takes the rest of the file with it (as CSV says).
    assert_eq!(
        (t.read, t.skipped, t.report.volumes.inserted),
        (5, 3, 2),
        "{t:?}"
    );
    assert_eq!(t.skipped as usize, csv_rejects.len());
    assert!(
        csv_rejects.iter().any(|l| l.contains("line")),
        "{csv_rejects:?}"
    );
    assert!(csv_rejects
        .iter()
        .all(|l| l.starts_with(&csv.display().to_string())));

    let t = run(&b, dir.path(), "jsonl", &[], std::slice::from_ref(&jsonl)).await;
    assert_eq!((t.read, t.skipped, t.report.volumes.inserted), (4, 2, 2));
    let r = rejects(dir.path());
    assert!(r[0].contains("line 2"), "{r:?}");
    assert!(r[1].contains("line 3"), "{r:?}");

    let t = run(&b, dir.path(), "marc", &[], std::slice::from_ref(&marc)).await;
    assert_eq!(t.report.volumes.inserted, 0);
    assert!(t.skipped >= 1, "{t:?}");

    // A missing file is an error naming it, not a silent skip.
    let err = import(
        &b.catalog,
        &args(dir.path(), "csv", &[], &[dir.path().join("nope.csv")]),
    )
    .await
    .unwrap_err();
    assert!(format!("{err:#}").contains("nope.csv"), "{err:#}");
}

#[test]
fn an_import_killed_half_way_and_run_again_leaves_a_consistent_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap().to_owned();
    // 60,000 rows, imported in batches of 2,000.
    let csv = dir.path().join("big.csv");
    let mut text = String::from("id,title,authors\n");
    for i in 0..60_000 {
        text.push_str(&format!(
            "{i},Volume number {i} of the kill test,Author {}\n",
            i % 97
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let import_args = [
        "import",
        "--data-dir",
        &d,
        "--format",
        "csv",
        "--batch-size",
        "2000",
        csv.to_str().unwrap(),
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_colophon"))
        .args(import_args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once some batches are in (the store file grows), or after 20 s at most.
    let db = dir.path().join("colophon.sqlite3");
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(20) {
        let wal = dir.path().join("colophon.sqlite3-wal");
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        if size(&db) + size(&wal) > 2_000_000 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    // The kill must have interrupted it (60,000 rows take far longer than the first batches),
    // or this test would not test an interrupted import.
    assert!(
        !status.success(),
        "the import finished before it was killed"
    );

    let out = colophon(&import_args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(summary.contains("read 60000"), "{summary}");
    assert!(
        !summary.contains("imported 0 new"),
        "the first run was cut short: {summary}"
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let b = backend(dir.path()).await;
        assert_eq!(b.catalog.count().await.unwrap(), 60_000);
        assert_eq!(b.catalog.index().num_docs(), 60_000);
        assert_eq!(total(&b, "\"kill test\""), 60_000);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_merge_and_round_trip_on_postgres() {
    with_postgres("import test", |url| async move {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = settings_for(dir.path());
        settings.database_url = Some(url.clone());
        let b = open_backend(&settings).await.expect("open backend");
        let pg = ["--database-url", url.as_str()];
        let goodbooks = vec![data("goodbooks-10k/books.csv.gz")];
        let goodreads = vec![data("goodreads-books-11k/books.csv.gz")];
        let first = run(&b, dir.path(), "csv", &pg, &goodbooks).await;
        let second = run(&b, dir.path(), "csv", &pg, &goodreads).await;
        assert_eq!(first.report.volumes.inserted, 8_000);
        assert!(second.report.merged > 100, "{second:?}");
        let volumes = b.catalog.count().await.unwrap();
        assert_eq!(volumes + second.report.merged, first.read + second.read);
        let (n, found) = b
            .catalog
            .search(&SearchRequest::new("isbn:9780439785969"))
            .await
            .unwrap();
        assert_eq!(n, 1);
        let sources = b
            .catalog
            .store()
            .sources_of_volumes(&[found[0].0.id.clone()])
            .await
            .unwrap();
        assert_eq!(sources.len(), 2);
        // Idempotent on PostgreSQL too.
        let again = run(&b, dir.path(), "csv", &pg, &goodreads).await;
        assert_eq!(again.report.unchanged, again.read);
        // Full texts live in PostgreSQL and come back through export.
        run(
            &b,
            dir.path(),
            "epub",
            &pg,
            &[data("standard-ebooks/epub/jane-austen_emma.epub")],
        )
        .await;
        let mut lines = Vec::new();
        b.catalog
            .export(|line| -> Result<(), std::convert::Infallible> {
                lines.push(line);
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(lines.len() as u64, volumes + 1);
        let emma = lines
            .iter()
            .find(|l| l.sources.iter().any(|s| s.source_key.starts_with("epub:")))
            .expect("the EPUB exported");
        assert_eq!(emma.volume_info.title.as_deref(), Some("Emma"));
        assert!(emma
            .full_text
            .as_deref()
            .unwrap_or_default()
            .contains("Woodhouse"));
    })
    .await;
}
