//! The `colophon-bench` binary end to end on a small hand-made catalog: every peer builds
//! its index, answers over HTTP with Google-shaped pages, agrees with the others on ISBN,
//! get and text queries, and the probe and the open-loop generator run. PostgreSQL (GIN and
//! RUM) runs when `COLOPHON_TEST_DATABASE_URL` is set.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_colophon-bench");

fn isbn13(n: u32) -> String {
    let d12 = format!("978{n:09}");
    let s: u32 = d12
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{d12}{}", (10 - s % 10) % 10)
}

/// 60 volumes: titles over a small vocabulary so that words have different frequencies.
fn write_catalog(path: &Path) {
    let words = ["river", "stone", "garden", "night", "winter", "harbour"];
    let mut out = String::new();
    for i in 0..60u32 {
        let title = format!(
            "The {} of the {} {}",
            words[i as usize % 6],
            words[(i as usize / 6) % 6],
            if i % 5 == 0 { "chronicle" } else { "tale" }
        );
        let v = json!({"volumeInfo": {
            "title": title,
            "authors": [format!("Ann Surname{}", i % 7)],
            "publisher": "Test Press",
            "description": format!("A story about {} and more.", words[(i as usize + 3) % 6]),
            "industryIdentifiers": [{"type": "ISBN_13", "identifier": isbn13(i)}],
            "categories": [if i % 2 == 0 { "Fiction / Sea stories" } else { "History / Gardens" }],
            "language": "en",
        }});
        out.push_str(&v.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

fn run(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "colophon-bench {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(args: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .expect(&line)
        .to_owned();
    Server(child, addr)
}

fn get(addr: &str, path: &str) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text[9..12].parse().unwrap();
    let body = &text[text.find("\r\n\r\n").unwrap() + 4..];
    (status, serde_json::from_str(body).unwrap())
}

/// totalItems and item ids of each query, in order.
fn answers(addr: &str) -> Vec<(u64, Vec<String>)> {
    let id0 = get(addr, &format!("/books/v1/volumes?q=isbn:{}", isbn13(3))).1["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let paths = [
        format!("/books/v1/volumes?q=isbn:{}", isbn13(3)),
        format!("/books/v1/volumes?q=isbn:{}", isbn13(999)),
        "/books/v1/volumes?q=intitle:river+inauthor:surname3".to_owned(),
        "/books/v1/volumes?q=garden+chronicle".to_owned(),
        "/books/v1/volumes?q=subject:gardens&startIndex=20&maxResults=5".to_owned(),
        "/books/v1/volumes?q=%22of+the+winter%22".to_owned(),
        format!("/books/v1/volumes/{id0}"),
    ];
    paths
        .iter()
        .map(|p| {
            let (status, v) = get(addr, p);
            assert_eq!(status, 200, "{p}: {v}");
            if v["kind"] == "books#volume" {
                return (1, vec![v["id"].as_str().unwrap().to_owned()]);
            }
            assert_eq!(v["kind"], "books#volumes", "{p}");
            let ids = v["items"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|i| i["id"].as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            (v["totalItems"].as_u64().unwrap(), ids)
        })
        .collect()
}

/// Exact classes (ISBN, get) identical; text classes the same totals.
fn assert_agree(a: &[(u64, Vec<String>)], b: &[(u64, Vec<String>)], what: &str) {
    for i in [0, 1, 6] {
        assert_eq!(a[i], b[i], "{what}: exact query {i}");
    }
    for i in 2..6 {
        assert_eq!(a[i].0, b[i].0, "{what}: total of text query {i}");
        assert_eq!(
            a[i].1.len(),
            b[i].1.len(),
            "{what}: page size of text query {i}"
        );
    }
}

#[test]
fn peers_build_serve_and_agree() {
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("catalog.jsonl");
    write_catalog(&cat);
    let cat = cat.to_str().unwrap();
    let mut reference = None;
    for engine in ["tantivy", "fts5"] {
        let idx = dir.path().join(engine);
        let out: Value = serde_json::from_str(&run(&[
            "load",
            "--engine",
            engine,
            "--catalog",
            cat,
            "--dir",
            idx.to_str().unwrap(),
        ]))
        .unwrap();
        assert_eq!(out["docs"], 60, "{out}");
        assert!(out["bytes"].as_u64().unwrap() > 0);
        let server = serve(&["--engine", engine, "--dir", idx.to_str().unwrap()]);
        let got = answers(&server.1);
        assert_eq!(got[0].0, 1);
        assert_eq!(got[1].0, 0, "a missing ISBN finds nothing");
        assert_eq!(
            got[2].0, 3,
            "river in the title (i%6=0 or i/6%6=0), surname3 (i%7=3)"
        );
        assert!(
            got[3].0 > 0 && got[3].0 < 60,
            "garden+chronicle: {:?}",
            got[3]
        );
        assert_eq!(
            (got[4].0, got[4].1.len()),
            (30, 5),
            "30 history volumes, page of 5"
        );
        assert!(got[5].0 > 0, "phrase: {:?}", got[5]);
        match &reference {
            None => reference = Some(got),
            Some(r) => assert_agree(r, &got, engine),
        }
        let (status, err) = get(&server.1, "/books/v1/volumes?q=");
        assert_eq!(status, 400);
        assert_eq!(err["error"]["errors"][0]["reason"], "queryRequired");
        let (status, _) = get(&server.1, "/books/v1/volumes/nosuchvolume");
        assert_eq!(status, 404);
    }
}

#[test]
fn probe_and_open_loop_generator() {
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("catalog.jsonl");
    write_catalog(&cat);
    let cat = cat.to_str().unwrap();
    let queries = dir.path().join("q.txt");
    std::fs::write(
        &queries,
        "intitle:river inauthor:surname3\nsubject:gardens&startIndex=20&maxResults=5\n",
    )
    .unwrap();
    let mut sums = Vec::new();
    for engine in ["colophon", "tantivy", "fts5"] {
        let idx = dir.path().join(engine);
        run(&[
            "load",
            "--engine",
            engine,
            "--catalog",
            cat,
            "--dir",
            idx.to_str().unwrap(),
        ]);
        let out: Value = serde_json::from_str(&run(&[
            "probe",
            "--engine",
            engine,
            "--dir",
            idx.to_str().unwrap(),
            "--queries",
            queries.to_str().unwrap(),
            "--count",
            "4",
        ]))
        .unwrap();
        sums.push(out["hits"].as_u64().unwrap());
    }
    // Two passes over (3 + 30) hits; Colophon's own engine matches the same here.
    assert_eq!(sums, vec![66, 66, 66]);

    let server = serve(&["--engine", "hello", "--catalog", cat]);
    let (status, page) = get(&server.1, "/books/v1/volumes?q=anything");
    assert_eq!(status, 200);
    assert_eq!(page["items"].as_array().unwrap().len(), 10);
    let urls = dir.path().join("urls.txt");
    std::fs::write(&urls, "/books/v1/volumes?q=x\n/books/v1/volumes/abc\n").unwrap();
    let report: Value = serde_json::from_str(&run(&[
        "loadgen",
        "--addr",
        &server.1,
        "--urls",
        urls.to_str().unwrap(),
        "--rate",
        "200",
        "--seconds",
        "1",
        "--connections",
        "4",
    ]))
    .unwrap();
    assert_eq!(report["sent"], 200, "{report}");
    assert_eq!(report["ok"], 200, "{report}");
    assert_eq!(report["errors"], 0, "{report}");
    assert!(report["p50_us"].as_u64().unwrap() > 0);
}

#[test]
fn postgres_gin_and_rum_agree_with_tantivy() {
    let Ok(admin) = std::env::var("COLOPHON_TEST_DATABASE_URL") else {
        eprintln!("PostgreSQL peers test SKIPPED: COLOPHON_TEST_DATABASE_URL is not set");
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = rt
        .block_on(colophon_store_postgres::create_test_database(&admin))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("catalog.jsonl");
    write_catalog(&cat);
    let cat = cat.to_str().unwrap();
    let idx = dir.path().join("tantivy");
    run(&[
        "load",
        "--engine",
        "tantivy",
        "--catalog",
        cat,
        "--dir",
        idx.to_str().unwrap(),
    ]);
    let reference = answers(&serve(&["--engine", "tantivy", "--dir", idx.to_str().unwrap()]).1);
    let rum = Path::new("/usr/share/postgresql/15/extension/rum.control").exists()
        || std::env::var("COLOPHON_TEST_RUM").is_ok();
    let engines: &[&str] = if rum {
        &["pg-gin", "pg-rum"]
    } else {
        &["pg-gin"]
    };
    if !rum {
        eprintln!("pg-rum SKIPPED: the rum extension is not installed (postgresql-15-rum)");
    }
    let result = std::panic::catch_unwind(|| {
        for engine in engines {
            let out: Value = serde_json::from_str(&run(&[
                "load",
                "--engine",
                engine,
                "--catalog",
                cat,
                "--pg",
                &url,
            ]))
            .unwrap();
            assert_eq!(out["docs"], 60, "{out}");
            let got = answers(&serve(&["--engine", engine, "--pg", &url]).1);
            assert_agree(&reference, &got, engine);
        }
    });
    rt.block_on(colophon_store_postgres::drop_test_database(&admin, &url))
        .unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
