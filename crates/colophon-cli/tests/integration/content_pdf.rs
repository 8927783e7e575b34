//! PDF downloads made from stored texts: a valid PDF (header, cross-reference table whose
//! offsets point at their objects, trailer, pages, text in the deflated content streams,
//! and `pdftotext` reading it back when installed), served with validators and byte ranges;
//! a text the standard PDF fonts cannot set gets `pdf.isAvailable: false` and no PDF.

use std::io::Read as _;

use colophon_import::source::public_domain_access;
use serde_json::Value;

use crate::content::{app, book, id, text, PHRASE};

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Checks the PDF's structure; returns the text shown on its pages (the `(...)` strings of
/// the inflated content streams, WinAnsi decoded for ASCII) and the page count.
fn check_pdf(pdf: &[u8]) -> (String, usize) {
    assert!(pdf.starts_with(b"%PDF-1."), "PDF header");
    assert!(
        pdf.trim_ascii_end().ends_with(b"%%EOF"),
        "PDF ends with %%EOF"
    );
    // startxref -> the xref table; each in-use entry points at "N 0 obj".
    let sx = pdf
        .windows(9)
        .rposition(|w| w == b"startxref")
        .expect("startxref");
    let offset: usize = std::str::from_utf8(&pdf[sx + 9..])
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .expect("xref offset");
    assert!(
        pdf[offset..].starts_with(b"xref"),
        "startxref points at xref"
    );
    let table = std::str::from_utf8(&pdf[offset..sx]).expect("ASCII xref");
    let mut lines = table.lines().skip(1);
    let header: Vec<usize> = lines
        .next()
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let (first, count) = (header[0], header[1]);
    assert_eq!(first, 0);
    for n in 0..count {
        let entry = lines.next().expect("xref entry");
        let mut parts = entry.split_whitespace();
        let at: usize = parts.next().unwrap().parse().unwrap();
        let _gen = parts.next();
        if parts.next() == Some("n") {
            assert!(
                pdf[at..].starts_with(format!("{n} 0 obj").as_bytes()),
                "object {n} is where the xref says"
            );
        }
    }
    let trailer = &table[table.find("trailer").expect("trailer")..];
    assert!(trailer.contains(&format!("/Size {count}")), "{trailer}");
    assert!(trailer.contains("/Root"), "{trailer}");
    let pages = pdf.windows(11).filter(|w| w == b"/Type /Page").count()
        - pdf.windows(12).filter(|w| w == b"/Type /Pages").count();
    // Inflate every FlateDecode stream and collect the strings shown.
    let mut shown = String::new();
    let mut rest = pdf;
    while let Some(s) = find(rest, b"stream\n") {
        let body = &rest[s + 7..];
        let end = find(body, b"\nendstream").expect("endstream");
        let dict_start = rest[..s].windows(2).rposition(|w| w == b"<<").unwrap_or(0);
        if find(&rest[dict_start..s], b"/FlateDecode").is_some() {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(&body[..end])
                .read_to_end(&mut out)
                .expect("content stream inflates");
            let mut i = 0;
            while let Some(open) = out[i..].iter().position(|b| *b == b'(') {
                let start = i + open + 1;
                let mut j = start;
                let mut s = Vec::new();
                while out[j] != b')' {
                    if out[j] == b'\\' {
                        j += 1;
                    }
                    s.push(out[j]);
                    j += 1;
                }
                shown.push_str(&String::from_utf8_lossy(&s));
                shown.push('\n');
                i = j + 1;
            }
        }
        rest = &body[end + b"\nendstream".len()..];
    }
    (shown, pages)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pdf_download_is_a_valid_pdf_with_ranges() {
    let app = app(false).await;
    let v: Value = app
        .get(&format!("/books/v1/volumes/{}", id("text:pd")), &[])
        .await
        .json();
    let link = v["accessInfo"]["pdf"]["downloadLink"]
        .as_str()
        .expect("pdf.downloadLink")
        .to_owned();
    let path = link
        .strip_prefix(&app.base_url)
        .expect("a link to this server");
    let full = app.get(path, &[("accept-encoding", "gzip")]).await;
    assert_eq!(full.status, 200, "{}", String::from_utf8_lossy(&full.body));
    assert_eq!(full.header("content-type"), Some("application/pdf"));
    assert_eq!(
        full.header("content-encoding"),
        None,
        "ranges stay byte-exact"
    );
    assert_eq!(
        full.header("content-disposition"),
        Some("attachment; filename=\"The_Open_Road.pdf\"")
    );
    if let Some(dir) = std::env::var_os("COLOPHON_TEST_ARTEFACTS") {
        // Kept for a look (scripts/test.sh sets the folder).
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(
            std::path::Path::new(&dir).join("The_Open_Road.pdf"),
            &full.body,
        );
    }
    let (shown, pages) = check_pdf(&full.body);
    assert!(shown.contains("The Open Road"), "title page");
    assert!(shown.contains("Ada Writer"), "author on the title page");
    assert!(shown.contains("CHAPTER 4"));
    assert!(shown.contains(PHRASE) || shown.contains("silver\nlantern"));
    assert!(
        shown
            .lines()
            .all(|l| l.len() <= colophon_service::pdf_out::COLUMNS),
        "lines are wrapped"
    );
    // 4 chapters of 30 paragraphs, each chapter on new pages, and the title page.
    assert!(pages >= 9, "{pages} pages");

    // The same bytes again (deterministic), validators and ranges.
    let etag = full.header("etag").expect("etag").to_owned();
    let again = app.get(path, &[]).await;
    assert_eq!(again.body, full.body);
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let head = app.get(path, &[("range", "bytes=0-4")]).await;
    assert_eq!(head.status, 206);
    assert_eq!(head.body, b"%PDF-");
    let len = full.body.len();
    let tail = app.get(path, &[("range", "bytes=-6")]).await;
    assert_eq!(tail.body, full.body[len - 6..]);
    assert_eq!(
        tail.header("content-range"),
        Some(format!("bytes {}-{}/{len}", len - 6, len - 1).as_str())
    );
    assert_eq!(app.get(path, &[("if-none-match", &etag)]).await.status, 304);

    // pdftotext (poppler) reads it back.
    match std::process::Command::new("pdftotext")
        .args(["-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        Ok(mut child) => {
            use std::io::Write as _;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(&full.body)
                .expect("feed pdftotext");
            let out = child.wait_with_output().expect("pdftotext");
            assert!(out.status.success(), "pdftotext accepts the PDF");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("The Open Road"));
            assert!(text.contains("Paragraph 30 of chapter 4"));
        }
        Err(e) => {
            assert!(
                std::env::var_os("COLOPHON_REQUIRE_PDFTOTEXT").is_none(),
                "pdftotext is required but cannot run: {e}"
            );
            eprintln!("pdftotext check SKIPPED: {e}");
        }
    }

    // Rights: no PDF of in-copyright books.
    for key in ["text:preview", "text:none"] {
        app.get(
            &format!("/books/download/x.pdf?id={}&output=pdf", id(key)),
            &[],
        )
        .await
        .assert_error(403, "forbidden");
    }
}

/// A public-domain text in Cyrillic: the standard PDF fonts cannot set it, so its PDF is
/// unavailable (and refused), while its EPUB is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_the_pdf_fonts_cannot_set_has_no_pdf() {
    let app = app(false).await;
    let mut body = text(1);
    body.push_str("Все счастливые семьи похожи друг на друга.\n\n");
    let rec = book(
        "text:cyrillic",
        "Anna",
        Some(public_domain_access()),
        Some(body),
    );
    app.backend.catalog.ingest(vec![rec]).await.expect("ingest");
    let v: Value = app
        .get(&format!("/books/v1/volumes/{}", id("text:cyrillic")), &[])
        .await
        .json();
    assert_eq!(
        v["accessInfo"]["pdf"],
        serde_json::json!({"isAvailable": false})
    );
    assert_eq!(v["accessInfo"]["epub"]["isAvailable"], true);
    app.get(
        &format!(
            "/books/download/Anna.pdf?id={}&output=pdf",
            id("text:cyrillic")
        ),
        &[],
    )
    .await
    .assert_error(404, "notFound");
    let epub = app
        .get(
            &format!(
                "/books/download/Anna.epub?id={}&output=epub",
                id("text:cyrillic")
            ),
            &[],
        )
        .await;
    assert_eq!(epub.status, 200);
}
