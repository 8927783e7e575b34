//! Book content over HTTP: covers at the six `imageLinks` sizes (from a real EPUB, from files
//! named by ISBN, generated when missing), `accessInfo` from the rights and the `filter` /
//! `download` parameters agreeing with it, EPUB downloads with byte ranges and refusals, and
//! the web reader (pages, preview limit, highlighting), also in a real headless Chromium.

use std::process::Command;

use colophon_domain::VolumeId;
use colophon_import::source::{free_ebook_sale, no_pages_access, public_domain_access};
use colophon_import::SourceRecord;
use colophon_types::AccessInfo;
use serde_json::Value;

use crate::support::{shared_dir, Options, TestApp};

pub const PHRASE: &str = "silver lantern";

/// A book of `chapters` chapters of 30 paragraphs (about 20 pages in all for 4 chapters);
/// the phrase appears once, in the last chapter.
pub fn text(chapters: usize) -> String {
    let mut out = String::new();
    for c in 1..=chapters {
        out.push_str(&format!("CHAPTER {c}\n\n"));
        for p in 1..=30 {
            let extra = if c == chapters && p == 15 {
                format!(" She raised the {PHRASE} high.")
            } else {
                String::new()
            };
            out.push_str(&format!(
                "Paragraph {p} of chapter {c}: the road ran on between the hedges and the fields, and the travellers walked on and on.{extra}\n\n"
            ));
        }
    }
    out
}

pub fn book(
    key: &str,
    title: &str,
    access: Option<AccessInfo>,
    body: Option<String>,
) -> SourceRecord {
    let mut r = SourceRecord::new(key);
    r.volume_info.title = Some(title.into());
    r.volume_info.authors = Some(vec!["Ada Writer".into()]);
    r.volume_info.language = Some("en".into());
    r.access_info = access;
    r.full_text = body;
    r
}

fn preview_access() -> AccessInfo {
    AccessInfo {
        viewability: Some("PARTIAL".into()),
        embeddable: Some(true),
        public_domain: Some(false),
        access_view_status: Some("SAMPLE".into()),
        ..AccessInfo::default()
    }
}

pub fn id(key: &str) -> String {
    VolumeId::derive(key).as_str().to_owned()
}

/// A server with a public-domain book, a previewable book and a metadata-only book, all with
/// text; plus Standard Ebooks' Dracula EPUB (with its cover) when `with_epub`.
pub async fn app(with_epub: bool) -> TestApp {
    let app = TestApp::spawn(Options {
        anonymous_access: true,
        ..Options::default()
    })
    .await;
    let mut pd = book(
        "text:pd",
        "The Open Road",
        Some(public_domain_access()),
        Some(text(4)),
    );
    pd.sale_info = Some(free_ebook_sale());
    pd.add_isbn("9780141439518");
    let records = vec![
        pd,
        book(
            "text:preview",
            "The Guarded Road",
            Some(preview_access()),
            Some(text(4)),
        ),
        book(
            "text:none",
            "The Closed Road",
            Some(no_pages_access()),
            Some(text(4)),
        ),
    ];
    app.backend.catalog.ingest(records).await.expect("ingest");
    if with_epub {
        let path = shared_dir().join("data/standard-ebooks/epub/bram-stoker_dracula.epub");
        let mut rec = colophon_import::epub::read_file(&path).expect("Dracula imports");
        // Standard Ebooks' EPUB cover is an SVG, which Colophon leaves out (it resizes raster
        // images only); its JPEG rendering stands in as the cover the EPUB carries, so the
        // import pipeline's cover path is the one exercised.
        assert_eq!(rec.cover, None, "SVG covers are left out");
        rec.cover = Some(
            std::fs::read(shared_dir().join("data/covers/standard-ebooks/bram-stoker_dracula.jpg"))
                .expect("Dracula's cover"),
        );
        app.backend.catalog.ingest(vec![rec]).await.expect("ingest");
    }
    app
}

fn dimensions(bytes: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(bytes).expect("a decodable image");
    (img.width(), img.height())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn epub_cover_served_at_six_sizes_with_caching() {
    let app = app(true).await;
    let found = app.get("/books/v1/volumes?q=intitle:dracula", &[]).await;
    let items = found.json()["items"].clone();
    let dracula = items[0]["id"].as_str().expect("Dracula found").to_owned();
    // Search results carry two sizes, volumes.get all six, all pointing at /books/content.
    let links = items[0]["volumeInfo"]["imageLinks"]
        .as_object()
        .unwrap()
        .clone();
    assert_eq!(
        links.keys().collect::<Vec<_>>(),
        ["smallThumbnail", "thumbnail"]
    );
    let got = app
        .get(&format!("/books/v1/volumes/{dracula}"), &[])
        .await
        .json();
    let links = got["volumeInfo"]["imageLinks"].as_object().unwrap().clone();
    let names: Vec<&String> = links.keys().collect();
    assert_eq!(
        names,
        [
            "smallThumbnail",
            "thumbnail",
            "small",
            "medium",
            "large",
            "extraLarge"
        ]
    );
    let want = [
        ("smallThumbnail", 5, 80),
        ("thumbnail", 1, 128),
        ("small", 2, 300),
        ("medium", 3, 575),
    ];
    for (name, zoom, width) in want {
        let url = links[name].as_str().unwrap();
        assert_eq!(
            url,
            format!("{}/books/content?id={dracula}&printsec=frontcover&img=1&zoom={zoom}&edge=curl&source=gbs_api", app.base_url)
        );
        let path = url.strip_prefix(&app.base_url).unwrap();
        let r = app.get(path, &[]).await;
        assert_eq!(r.status, 200, "{name}");
        assert_eq!(r.header("content-type"), Some("image/jpeg"), "{name}");
        assert_eq!(r.header("cache-control"), Some("public, max-age=86400"));
        assert_eq!(dimensions(&r.body).0, width, "{name}");
        // Served again from the cache: same bytes, same tag; revalidation answers 304.
        let again = app.get(path, &[]).await;
        assert_eq!(again.body, r.body);
        let etag = r.header("etag").expect("ETag").to_owned();
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        let not_modified = app.get(path, &[("if-none-match", &etag)]).await;
        assert_eq!(not_modified.status, 304);
        assert!(not_modified.body.is_empty());
        assert_eq!(not_modified.header("etag"), Some(etag.as_str()));
    }
    // extraLarge: 1280 pixels wide at most.
    let large = app
        .get(&format!("/books/content?id={dracula}&zoom=6"), &[])
        .await;
    let (w, _) = dimensions(&large.body);
    assert!(w <= 1280, "{w}");
    let cached: Vec<_> = std::fs::read_dir(app._dir.path().join("cover-cache"))
        .expect("the cache directory")
        .collect();
    assert!(cached.len() >= 5, "resized covers are cached on disk");
    assert_eq!(app.backend.store.count_cover_images().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_cover_and_cover_errors() {
    let app = app(false).await;
    let r = app
        .get(
            &format!("/books/content?id={}&zoom=1", id("text:none")),
            &[],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("image/svg+xml"));
    let svg = String::from_utf8(r.body.clone()).unwrap();
    assert!(
        svg.contains("The Closed Road") && svg.contains("Ada Writer"),
        "{svg}"
    );
    let etag = r.header("etag").unwrap().to_owned();
    let r = app
        .get(
            &format!("/books/content?id={}&zoom=1", id("text:none")),
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(r.status, 304);
    app.get("/books/content?id=AAAAAAAAAAAA&zoom=1", &[])
        .await
        .assert_error(404, "notFound");
    app.get("/books/content?zoom=1", &[])
        .await
        .assert_error(400, "required");
    app.get(
        &format!("/books/content?id={}&zoom=big", id("text:none")),
        &[],
    )
    .await
    .assert_error(400, "invalid");
}

/// `colophon covers import DIR`: a JPEG named by ISBN is attached; a decompression bomb, a
/// truncated image and a file naming no volume are reported; `--fetch-urls` is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn covers_import_command() {
    let app = app(false).await;
    let dir = tempfile::tempdir().unwrap();
    let jpeg = std::fs::read(
        shared_dir().join("data/covers/standard-ebooks/mary-shelley_frankenstein.jpg"),
    )
    .unwrap();
    std::fs::write(dir.path().join("978-0-14-143951-8.jpg"), &jpeg).unwrap();
    std::fs::write(dir.path().join("9780000000002.jpg"), &jpeg).unwrap();
    // A PNG whose header claims 60000x60000 pixels.
    let png = std::fs::read(shared_dir().join("data/covers/gitenberg/pg972.png")).unwrap();
    let mut bomb = png.clone();
    bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    std::fs::write(dir.path().join(format!("{}.png", id("text:none"))), &bomb).unwrap();

    std::fs::write(
        dir.path().join(format!("{}.png", id("text:preview"))),
        &png[..png.len() / 2],
    )
    .unwrap();

    let run = |extra: &[&str]| {
        let mut args = vec!["covers", "import"];
        args.push(dir.path().to_str().unwrap());
        args.extend(["--data-dir", app._dir.path().to_str().unwrap()]);
        args.extend(extra);
        Command::new(env!("CARGO_BIN_EXE_colophon"))
            .args(&args)
            .output()
            .expect("run colophon")
    };
    let out = run(&[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("covers: 1 attached, 1 naming no volume, 2 rejected"),
        "{stdout}{stderr}"
    );
    assert!(stderr.contains("larger than allowed"), "{stderr}");
    assert!(stderr.contains("damaged or truncated"), "{stderr}");
    let r = app
        .get(&format!("/books/content?id={}&zoom=2", id("text:pd")), &[])
        .await;
    assert_eq!(r.header("content-type"), Some("image/jpeg"));
    assert_eq!(dimensions(&r.body).0, 300);
    let refused = run(&["--fetch-urls"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not implemented"));
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_info_and_filters_follow_the_rights() {
    let app = app(false).await;
    let access = |v: &Value| v["accessInfo"].clone();
    let get = |key: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/books/v1/volumes/{}", id(key)), &[])
                .await
                .json()
        }
    };
    let pd = access(&get("text:pd").await);
    assert_eq!(pd["viewability"], "ALL_PAGES");
    assert_eq!(pd["accessViewStatus"], "FULL_PUBLIC_DOMAIN");
    assert_eq!(pd["publicDomain"], true);
    assert_eq!(pd["epub"]["isAvailable"], true);
    assert_eq!(
        pd["epub"]["downloadLink"],
        format!(
            "{}/books/download/The_Open_Road.epub?id={}&hl=&output=epub&source=gbs_api",
            app.base_url,
            id("text:pd")
        )
    );
    assert_eq!(
        pd["pdf"],
        serde_json::json!({"isAvailable": true, "downloadLink": format!(
            "{}/books/download/The_Open_Road.pdf?id={}&hl=&output=pdf&source=gbs_api",
            app.base_url,
            id("text:pd")
        )})
    );
    let keys: Vec<String> = pd.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "country",
            "viewability",
            "embeddable",
            "publicDomain",
            "textToSpeechPermission",
            "epub",
            "pdf",
            "webReaderLink",
            "accessViewStatus",
            "quoteSharingAllowed"
        ]
    );
    let preview = access(&get("text:preview").await);
    assert_eq!(preview["viewability"], "PARTIAL");
    assert_eq!(preview["accessViewStatus"], "SAMPLE");
    assert_eq!(preview["epub"], serde_json::json!({"isAvailable": false}));
    let none = access(&get("text:none").await);
    assert_eq!(none["viewability"], "NO_PAGES");
    assert_eq!(none["accessViewStatus"], "NONE");

    let ids = |extra: &'static str| {
        let app = &app;
        async move {
            let v = app
                .get(&format!("/books/v1/volumes?q=road{extra}"), &[])
                .await
                .json();
            let mut ids: Vec<String> = v["items"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|i| i["id"].as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            ids.sort();
            ids
        }
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(ids("").await.len(), 3);
    assert_eq!(ids("&filter=full").await, vec![id("text:pd")]);
    assert_eq!(
        ids("&filter=partial").await,
        sorted(vec![id("text:pd"), id("text:preview")])
    );
    assert_eq!(ids("&download=epub").await, vec![id("text:pd")]);
    assert_eq!(ids("&filter=free-ebooks").await, vec![id("text:pd")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn epub_download_with_ranges_and_refusals() {
    let app = app(false).await;
    let path = format!(
        "/books/download/The_Open_Road.epub?id={}&hl=&output=epub&source=gbs_api",
        id("text:pd")
    );
    let full = app.get(&path, &[("accept-encoding", "gzip")]).await;
    assert_eq!(full.status, 200);
    assert_eq!(full.header("content-type"), Some("application/epub+zip"));
    assert_eq!(
        full.header("content-encoding"),
        None,
        "zips are not gzipped again"
    );
    assert_eq!(full.header("accept-ranges"), Some("bytes"));
    assert_eq!(
        full.header("content-disposition"),
        Some("attachment; filename=\"The_Open_Road.epub\"")
    );
    // A valid EPUB: Colophon's own strict importer reads it back with the whole text.
    let back = colophon_import::epub::read_bytes(&full.body, "download.epub").expect("valid EPUB");
    assert_eq!(back.volume_info.title.as_deref(), Some("The Open Road"));
    assert!(back.full_text.unwrap().contains(PHRASE));
    let etag = full.header("etag").unwrap().to_owned();
    let len = full.body.len();

    let part = app.get(&path, &[("range", "bytes=0-99")]).await;
    assert_eq!(part.status, 206);
    assert_eq!(part.body, full.body[..100]);
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 0-99/{len}").as_str())
    );
    let tail = app.get(&path, &[("range", "bytes=-10")]).await;
    assert_eq!(tail.status, 206);
    assert_eq!(tail.body, full.body[len - 10..]);
    let matching = app
        .get(&path, &[("range", "bytes=10-19"), ("if-range", &etag)])
        .await;
    assert_eq!(matching.status, 206);
    assert_eq!(matching.body, full.body[10..20]);
    let stale = app
        .get(&path, &[("range", "bytes=10-19"), ("if-range", "\"old\"")])
        .await;
    assert_eq!(stale.status, 200);
    assert_eq!(stale.body.len(), len);
    let beyond = app.get(&path, &[("range", &format!("bytes={len}-"))]).await;
    assert_eq!(beyond.status, 416);
    assert_eq!(
        beyond.header("content-range"),
        Some(format!("bytes */{len}").as_str())
    );
    let cached = app.get(&path, &[("if-none-match", &etag)]).await;
    assert_eq!(cached.status, 304);

    for key in ["text:preview", "text:none"] {
        app.get(
            &format!("/books/download/x.epub?id={}&output=epub", id(key)),
            &[],
        )
        .await
        .assert_error(403, "forbidden");
    }
    app.get("/books/download/x.epub?id=AAAAAAAAAAAA&output=epub", &[])
        .await
        .assert_error(404, "notFound");
    app.get(
        &format!("/books/download/x.mobi?id={}&output=mobi", id("text:pd")),
        &[],
    )
    .await
    .assert_error(400, "invalid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reader_pages_preview_limit_and_highlight() {
    let app = app(false).await;
    let page = |q: String| {
        let app = &app;
        async move {
            let r = app.get(&q, &[]).await;
            assert_eq!(r.status, 200, "{q}");
            assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
            String::from_utf8(r.body).unwrap()
        }
    };
    let pd = id("text:pd");
    let first = page(format!(
        "/books/reader?id={pd}&hl=&printsec=frontcover&output=reader&source=gbs_api"
    ))
    .await;
    assert!(first.contains("<h2>CHAPTER 1</h2>"), "{first}");
    assert!(first.contains("rel=\"next\""));
    assert!(!first.contains("rel=\"prev\""));
    let total: usize = first
        .split("Page 1 of ")
        .nth(1)
        .map(|s| {
            s.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|s| s.parse().ok())
        .expect("page count shown");
    assert!(total >= 6, "{total}");
    let last = page(format!("/books?id={pd}&pg=PA{total}")).await;
    assert!(last.contains("rel=\"prev\"") && !last.contains("rel=\"next\""));
    // A searched phrase opens the page that has it, highlighted.
    let found = page(format!(
        "/books?id={pd}&printsec=frontcover&dq=%22Silver+Lantern%22"
    ))
    .await;
    assert!(found.contains(&format!("<mark>{PHRASE}</mark>")), "{found}");

    // The preview shows its share only.
    let preview = id("text:preview");
    let p1 = page(format!("/books/reader?id={preview}")).await;
    assert!(p1.contains("Preview: the first"), "{p1}");
    let readable = (total * 20).div_ceil(100);
    let end = page(format!("/books/reader?id={preview}&pg=PA{readable}")).await;
    assert!(end.contains("End of the preview"), "{end}");
    assert!(!end.contains("rel=\"next\""));
    let beyond = page(format!("/books/reader?id={preview}&pg=PA{}", readable + 1)).await;
    assert!(beyond.contains("not part of the preview"), "{beyond}");
    assert!(!beyond.contains("Paragraph"), "no text beyond the preview");
    let missed = page(format!(
        "/books/reader?id={preview}&q={}",
        PHRASE.replace(' ', "+")
    ))
    .await;
    assert!(
        missed.contains("not found in the pages you may read"),
        "{missed}"
    );
    assert!(!missed.contains("<mark>"));

    let none = page(format!("/books/reader?id={}", id("text:none"))).await;
    assert!(none.contains("No preview available"), "{none}");
    assert!(!none.contains("Paragraph 1"), "{none}");
    let r = app.get("/books/reader?id=AAAAAAAAAAAA", &[]).await;
    assert_eq!(r.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reader_in_headless_chromium() {
    use crate::oauth_browser::{Chromium, Page};
    let Some(binary) = crate::oauth_browser::chromium_or_skip("reader browser test") else {
        return;
    };
    let app = app(true).await;
    let chromium = Chromium::launch(&binary).await;
    let mut page = Page::open(&chromium.ws_url).await;
    let pd = id("text:pd");
    page.navigate(&format!(
        "{}/books/reader?id={pd}&q=travellers",
        app.base_url
    ))
    .await;
    page.wait_for("the first page", "!!document.querySelector('main h2')")
        .await;
    let marks = page.eval("document.querySelectorAll('mark').length").await;
    assert!(marks.as_u64().unwrap_or(0) > 0, "highlights: {marks}");
    let where_ = page
        .eval("document.querySelector('.where').innerText")
        .await;
    assert!(
        where_.as_str().unwrap().starts_with("Page 1 of"),
        "{where_}"
    );
    shot(&mut page, "reader-page.png").await;
    // The right arrow key turns the page (the script follows rel=next).
    page.call(
        "Input.dispatchKeyEvent",
        serde_json::json!({"type": "keyDown", "key": "ArrowRight", "code": "ArrowRight", "windowsVirtualKeyCode": 39}),
    )
    .await;
    page.wait_for(
        "page 2 after the right arrow",
        "document.querySelector('.where').innerText.startsWith('Page 2 of')",
    )
    .await;
    page.call(
        "Input.dispatchKeyEvent",
        serde_json::json!({"type": "keyDown", "key": "ArrowLeft", "code": "ArrowLeft", "windowsVirtualKeyCode": 37}),
    )
    .await;
    page.wait_for(
        "page 1 after the left arrow",
        "document.querySelector('.where').innerText.startsWith('Page 1 of')",
    )
    .await;
    // A real EPUB's chapters; its cover renders as an image in the browser.
    let dracula = app
        .get("/books/v1/volumes?q=intitle:dracula", &[])
        .await
        .json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    page.navigate(&format!(
        "{}/books/content?id={dracula}&zoom=2",
        app.base_url
    ))
    .await;
    page.wait_for(
        "the cover",
        "document.images.length === 1 && document.images[0].complete",
    )
    .await;
    let width = page.eval("document.images[0].naturalWidth").await;
    assert_eq!(width.as_u64(), Some(300));
    page.navigate(&format!(
        "{}/books/reader?id={dracula}&pg=PA5",
        app.base_url
    ))
    .await;
    page.wait_for("Dracula's page 5", "!!document.querySelector('main p')")
        .await;
    shot(&mut page, "reader-dracula.png").await;
}

async fn shot(page: &mut crate::oauth_browser::Page, name: &str) {
    crate::oauth_browser::screenshot(page, name, false).await;
}

/// A signed-in reader's page is saved as their reading position (`GBS.PA<n>`, readable through
/// `mylibrary.readingpositions`), and the reader opened again without `pg` resumes there; a
/// reader who is not signed in starts at page 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reader_remembers_a_signed_in_readers_page() {
    let app = app(false).await;
    let pd = id("text:pd");
    let mut browser = crate::oauth_support::signed_in(&app, "reader@example.org").await;
    let r = browser.get(&format!("/books/reader?id={pd}&pg=PA3")).await;
    assert_eq!(r.status, 200);
    let account = app
        .auth
        .find_account_by_email("reader@example.org")
        .await
        .unwrap()
        .expect("the account");
    let volume = VolumeId::parse(&pd).unwrap();
    let saved = app
        .backend
        .catalog
        .store()
        .reading_positions(&account.id, std::slice::from_ref(&volume))
        .await
        .unwrap();
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(saved[0].position, "GBS.PA3");
    assert_eq!(saved[0].kind, "gbimage");

    let again = browser.get(&format!("/books/reader?id={pd}")).await;
    let html = String::from_utf8(again.body).unwrap();
    assert!(html.contains("Page 3 of "), "resumes at page 3: {html}");

    let anonymous = app.get(&format!("/books/reader?id={pd}"), &[]).await;
    let html = String::from_utf8(anonymous.body).unwrap();
    assert!(html.contains("Page 1 of "), "{html}");
}

/// The books a signed-in reader opens go to the front of their "Recently viewed" shelf (6),
/// readable through `mylibrary.bookshelves.volumes.list`; opening one again moves it back to
/// the front, turning its pages changes nothing, and the shelf keeps the 100 most recent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opened_books_go_to_recently_viewed() {
    use colophon_service::library::RECENTLY_VIEWED_MAX;
    let app = TestApp::demo().await;
    let reader = crate::library_support::reader(&app, "viewer@example.org").await;
    let ids = crate::library_support::demo_ids(&app, 2).await;
    let mut browser = crate::oauth_support::WebBrowser::new(&app);
    assert_eq!(
        browser
            .sign_in("viewer@example.org", crate::oauth_support::PASSWORD)
            .await
            .status,
        303
    );
    for id in &ids {
        let r = browser.get(&format!("/books/reader?id={id}")).await;
        assert_eq!(r.status, 200);
    }
    assert_eq!(
        shelf6(&app, &reader.token).await,
        [ids[1].clone(), ids[0].clone()]
    );
    browser.get(&format!("/books/reader?id={}", ids[0])).await;
    browser
        .get(&format!("/books/reader?id={}&pg=PA2", ids[0]))
        .await;
    assert_eq!(
        shelf6(&app, &reader.token).await,
        [ids[0].clone(), ids[1].clone()]
    );
    // The shelf is the server's: clients cannot add to it.
    let add = app
        .request(
            "POST",
            &format!(
                "/books/v1/mylibrary/bookshelves/6/addVolume?volumeId={}",
                ids[0]
            ),
            &[("authorization", &format!("Bearer {}", reader.token))],
            Default::default(),
        )
        .await;
    assert_eq!(add.status, 403, "{}", String::from_utf8_lossy(&add.body));

    // It keeps the most recent RECENTLY_VIEWED_MAX.
    let library = colophon_service::Library::new(
        app.backend.catalog.clone(),
        std::sync::Arc::new(chrono::Utc::now),
    );
    let all = app
        .backend
        .catalog
        .store()
        .volumes_after(None, RECENTLY_VIEWED_MAX + 5)
        .await
        .unwrap();
    assert_eq!(all.len(), RECENTLY_VIEWED_MAX as usize + 5);
    for v in &all {
        library.record_view(&reader.id, &v.id).await.unwrap();
    }
    let kept = app
        .backend
        .catalog
        .store()
        .shelf_entries(&reader.id, 6, 0, u32::MAX)
        .await
        .unwrap();
    assert_eq!(kept.len(), RECENTLY_VIEWED_MAX as usize);
    assert_eq!(kept[0].volume_id, all.last().unwrap().id, "newest first");
    assert_eq!(kept.last().unwrap().volume_id, all[5].id);
}

/// The ids on the caller's "Recently viewed" shelf, in shelf order.
async fn shelf6(app: &TestApp, token: &str) -> Vec<String> {
    let auth = format!("Bearer {token}");
    let r = app
        .get(
            "/books/v1/mylibrary/bookshelves/6/volumes",
            &[("authorization", auth.as_str())],
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|v| v["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}
