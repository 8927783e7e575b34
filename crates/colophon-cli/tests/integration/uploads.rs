//! Users' own books (issue 8): `cloudloading.addBook` through Google's `media` and
//! `multipart` upload protocols, background processing to `COMPLETED_SUCCESS` /
//! `COMPLETED_FAILED`, `volumes.useruploaded.list` (filters, paging), `updateBook`,
//! `deleteBook`, owner-only `volumes.get` / download, isolation from other users and API keys,
//! and every kind of bad input. Real EPUBs from Standard Ebooks (`shared/data`), and damaged
//! or malicious ones made from them.

use std::io::{Cursor, Read as _, Write as _};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::Value;

use crate::library_support::{call, reader, Cred, Reader};
use crate::support::{shared_dir, with_postgres, Options, Reply, TestApp};

pub const UPLOAD: &str = "/upload/books/v1/cloudloading/addBook";

pub fn epub_bytes(name: &str) -> Vec<u8> {
    std::fs::read(shared_dir().join("data/standard-ebooks/epub").join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `uploadType=media` with a token; `content_type` and `name` as given.
pub async fn upload_media(
    app: &TestApp,
    token: &str,
    name: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> Reply {
    let auth = format!("Bearer {token}");
    app.request(
        "POST",
        &format!("{UPLOAD}?uploadType=media&name={name}"),
        &[("authorization", &auth), ("content-type", content_type)],
        Bytes::from(bytes),
    )
    .await
}

/// `uploadType=multipart`: a JSON metadata part, then the file.
async fn upload_multipart(
    app: &TestApp,
    token: &str,
    meta: Value,
    file_type: &str,
    file: &[u8],
) -> Reply {
    let boundary = "colophon_upload_boundary_42";
    let mut body = Vec::new();
    write!(
        body,
        "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{meta}\r\n\
         --{boundary}\r\nContent-Type: {file_type}\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(file);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    let auth = format!("Bearer {token}");
    let ct = format!("multipart/related; boundary={boundary}");
    app.request(
        "POST",
        &format!("{UPLOAD}?uploadType=multipart"),
        &[("authorization", &auth), ("content-type", &ct)],
        Bytes::from(body),
    )
    .await
}

/// The upload's volume in the owner's list once processing has ended.
pub async fn processed(app: &TestApp, token: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = call(
            app,
            "GET",
            &format!("/books/v1/volumes/useruploaded?volumeId={id}"),
            Cred::Token(token),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let page = r.json();
        let volume = page["items"][0].clone();
        assert_eq!(volume["id"], id, "{page}");
        let state = volume["userInfo"]["userUploadedVolumeInfo"]["processingState"].clone();
        if state != "RUNNING" {
            return volume;
        }
        assert!(Instant::now() < deadline, "still RUNNING: {page}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Uploads `bytes` (media) and waits for the outcome; (volume id, processed volume).
async fn upload_and_wait(
    app: &TestApp,
    who: &Reader,
    name: &str,
    bytes: Vec<u8>,
) -> (String, Value) {
    let r = upload_media(app, &who.token, name, "application/epub+zip", bytes).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["volumeId"].as_str().unwrap().to_owned();
    let v = processed(app, &who.token, &id).await;
    (id, v)
}

fn state_of(v: &Value) -> &str {
    v["userInfo"]["userUploadedVolumeInfo"]["processingState"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_private_volumes_of_their_owner() {
    let app = TestApp::demo().await;
    let alice = reader(&app, "alice@example.org").await;
    let bob = reader(&app, "bob@example.org").await;
    let dracula = epub_bytes("bram-stoker_dracula.epub");

    // media: the answer is the BooksCloudloadingResource, RUNNING until processed.
    let r = upload_media(
        &app,
        &alice.token,
        "dracula.epub",
        "application/epub+zip",
        dracula.clone(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let added = r.json();
    let id = added["volumeId"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 12);
    assert_eq!(added["processingState"], "RUNNING");
    assert_eq!(added["title"], "dracula");
    let v = processed(&app, &alice.token, &id).await;
    assert_eq!(state_of(&v), "COMPLETED_SUCCESS", "{v}");
    assert_eq!(v["volumeInfo"]["title"], "Dracula");
    assert_eq!(v["volumeInfo"]["authors"][0], "Bram Stoker");
    assert_eq!(v["volumeInfo"]["language"], "en");
    assert_eq!(v["userInfo"]["isUploaded"], true);
    assert!(v["userInfo"]["acquiredTime"].is_string(), "{v}");
    assert_eq!(v["accessInfo"]["viewability"], "ALL_PAGES");
    assert_eq!(v["accessInfo"]["epub"]["isAvailable"], true);

    // multipart: metadata names the book and sets title and author (a minute later: the
    // list is newest first).
    app.clock.advance(chrono::Duration::minutes(1));
    let machine = epub_bytes("h-g-wells_the-time-machine.epub");
    let r = upload_multipart(
        &app,
        &alice.token,
        serde_json::json!({"name": "tm.epub", "title": "My Time Machine", "author": "Wells"}),
        "application/epub+zip",
        &machine,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let tm = r.json()["volumeId"].as_str().unwrap().to_owned();
    let v = processed(&app, &alice.token, &tm).await;
    assert_eq!(state_of(&v), "COMPLETED_SUCCESS", "{v}");
    // What the owner named stays: processing fills in only what the owner did not set.
    assert_eq!(v["volumeInfo"]["title"], "My Time Machine", "{v}");
    assert_eq!(v["volumeInfo"]["authors"], serde_json::json!(["Wells"]));
    assert_eq!(v["volumeInfo"]["language"], "en", "the rest is the book's");

    // volumes.get: the owner sees it with userInfo; Bob, an API key and nobody do not.
    let mine = call(
        &app,
        "GET",
        &format!("/books/v1/volumes/{id}"),
        Cred::Token(&alice.token),
    )
    .await;
    assert_eq!(mine.status, 200, "{}", mine.text());
    assert_eq!(
        mine.json()["userInfo"]["userUploadedVolumeInfo"]["processingState"],
        "COMPLETED_SUCCESS"
    );
    call(
        &app,
        "GET",
        &format!("/books/v1/volumes/{id}"),
        Cred::Token(&bob.token),
    )
    .await
    .assert_error(404, "notFound");
    call(&app, "GET", &format!("/books/v1/volumes/{id}"), Cred::Key)
        .await
        .assert_error(404, "notFound");
    // Not in anyone's search, the owner's included (the public index never holds it).
    for cred in [
        Cred::Token(&bob.token),
        Cred::Key,
        Cred::Token(&alice.token),
    ] {
        let page = call(
            &app,
            "GET",
            "/books/v1/volumes?q=dracula&maxResults=40",
            cred,
        )
        .await
        .json();
        let ids: Vec<&str> = page["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v["id"].as_str())
            .collect();
        assert!(!ids.contains(&id.as_str()), "{page}");
    }
    // Bob's list is empty; a key or nothing gets 401.
    let bobs = call(
        &app,
        "GET",
        "/books/v1/volumes/useruploaded",
        Cred::Token(&bob.token),
    )
    .await;
    assert_eq!(bobs.json()["totalItems"], 0);
    call(&app, "GET", "/books/v1/volumes/useruploaded", Cred::Key)
        .await
        .assert_error(401, "required");
    call(
        &app,
        "POST",
        &format!("{UPLOAD}?uploadType=media"),
        Cred::None,
    )
    .await
    .assert_error(401, "required");

    // Listing: newest first, paging, filters.
    let all = call(
        &app,
        "GET",
        "/books/v1/volumes/useruploaded",
        Cred::Token(&alice.token),
    )
    .await
    .json();
    assert_eq!(all["kind"], "books#volumes");
    assert_eq!(all["totalItems"], 2);
    assert_eq!(all["items"][0]["id"], tm.as_str());
    let second = call(
        &app,
        "GET",
        "/books/v1/volumes/useruploaded?startIndex=1&maxResults=1",
        Cred::Token(&alice.token),
    )
    .await
    .json();
    assert_eq!(
        (
            second["totalItems"].clone(),
            second["items"][0]["id"].clone()
        ),
        (Value::from(2), Value::from(id.clone()))
    );
    let failed = call(
        &app,
        "GET",
        "/books/v1/volumes/useruploaded?processingState=COMPLETED_FAILED",
        Cred::Token(&alice.token),
    )
    .await
    .json();
    assert_eq!(failed["totalItems"], 0);
    assert!(failed.get("items").is_none());
    let ok = call(
        &app,
        "GET",
        "/books/v1/volumes/useruploaded?processingState=COMPLETED_SUCCESS&processingState=RUNNING",
        Cred::Token(&alice.token),
    )
    .await
    .json();
    assert_eq!(ok["totalItems"], 2);
    call(
        &app,
        "GET",
        "/books/v1/volumes/useruploaded?processingState=DONE",
        Cred::Token(&alice.token),
    )
    .await
    .assert_error(400, "invalid");
    call(
        &app,
        "GET",
        "/books/v1/volumes/useruploaded?maxResults=41",
        Cred::Token(&alice.token),
    )
    .await
    .assert_error(400, "invalid");

    // The owner downloads the file as uploaded; Bob cannot.
    let auth = format!("Bearer {}", alice.token);
    let file = app
        .get(
            &format!("/books/download/x.epub?id={id}"),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(file.status, 200);
    assert_eq!(file.headers["content-type"], "application/epub+zip");
    assert!(file.body == dracula, "the download is the uploaded file");
    let bob_auth = format!("Bearer {}", bob.token);
    let denied = app
        .get(
            &format!("/books/download/x.epub?id={id}"),
            &[("authorization", &bob_auth)],
        )
        .await;
    assert_eq!(denied.status, 404);
    assert_eq!(
        app.get(&format!("/books/download/x.epub?id={id}"), &[])
            .await
            .status,
        404
    );

    // The cover, for its owner only (Standard Ebooks' covers are SVG, which Colophon does
    // not take from an EPUB, so this one is the generated cover).
    let cover = app
        .get(
            &format!("/books/content?id={id}&printsec=frontcover&img=1&zoom=1"),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(cover.status, 200);
    assert_eq!(cover.headers["content-type"], "image/svg+xml");
    assert!(cover.headers["cache-control"]
        .to_str()
        .unwrap()
        .starts_with("private"));
    let not_bobs = app
        .get(
            &format!("/books/content?id={id}&zoom=1"),
            &[("authorization", &bob_auth)],
        )
        .await;
    assert_eq!(not_bobs.status, 404);
    assert_eq!(
        app.get(&format!("/books/content?id={id}"), &[])
            .await
            .status,
        404
    );

    // updateBook: the owner's own only.
    let body = serde_json::json!({"volumeId": id, "title": "Count Dracula", "author": "B. Stoker"});
    let r = app
        .request(
            "POST",
            "/books/v1/cloudloading/updateBook",
            &[
                ("authorization", &bob_auth),
                ("content-type", "application/json"),
            ],
            Bytes::from(body.to_string()),
        )
        .await;
    r.assert_error(404, "notFound");
    let r = app
        .request(
            "POST",
            "/books/v1/cloudloading/updateBook",
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            Bytes::from(body.to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json(),
        serde_json::json!({"author": "B. Stoker", "processingState": "COMPLETED_SUCCESS", "title": "Count Dracula", "volumeId": id})
    );
    let v = call(
        &app,
        "GET",
        &format!("/books/v1/volumes/{id}"),
        Cred::Token(&alice.token),
    )
    .await
    .json();
    assert_eq!(v["volumeInfo"]["title"], "Count Dracula");
    assert_eq!(v["volumeInfo"]["authors"], serde_json::json!(["B. Stoker"]));
    let r = app
        .request(
            "POST",
            "/books/v1/cloudloading/updateBook",
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            Bytes::from("{\"title\": \"x\"}"),
        )
        .await;
    r.assert_error(400, "invalid");

    // deleteBook: not Bob's to delete, not with a key; the owner's delete takes it away.
    call(
        &app,
        "POST",
        &format!("/books/v1/cloudloading/deleteBook?volumeId={id}"),
        Cred::Token(&bob.token),
    )
    .await
    .assert_error(404, "notFound");
    call(
        &app,
        "POST",
        &format!("/books/v1/cloudloading/deleteBook?volumeId={id}"),
        Cred::Key,
    )
    .await
    .assert_error(401, "required");
    call(
        &app,
        "POST",
        "/books/v1/cloudloading/deleteBook",
        Cred::Token(&alice.token),
    )
    .await
    .assert_error(400, "required");
    let r = call(
        &app,
        "POST",
        &format!("/books/v1/cloudloading/deleteBook?volumeId={id}"),
        Cred::Token(&alice.token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), serde_json::json!({}));
    call(
        &app,
        "GET",
        &format!("/books/v1/volumes/{id}"),
        Cred::Token(&alice.token),
    )
    .await
    .assert_error(404, "notFound");
    assert_eq!(
        app.get(
            &format!("/books/download/x.epub?id={id}"),
            &[("authorization", &auth)]
        )
        .await
        .status,
        404
    );
    let vid = colophon_domain::VolumeId::parse(&id).unwrap();
    assert_eq!(
        app.backend.store.cover_of(&vid).await.unwrap(),
        None,
        "the cover went with it"
    );
    let all = call(
        &app,
        "GET",
        "/books/v1/volumes/useruploaded",
        Cred::Token(&alice.token),
    )
    .await
    .json();
    assert_eq!(all["totalItems"], 1);
}

/// The plain `addBook` path takes no file: its Drive and upload-token parameters name services
/// Colophon does not have, each answered with a 400 that says where to upload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_book_without_a_file_says_where_to_upload() {
    let app = TestApp::spawn(Options::default()).await;
    let alice = reader(&app, "alice@example.org").await;
    for (query, param) in [
        ("drive_document_id=1AbC", "drive_document_id"),
        ("upload_client_token=tok", "upload_client_token"),
        (
            "drive_document_id=1AbC&upload_client_token=tok",
            "upload_client_token",
        ),
        ("name=x.epub", "name"),
    ] {
        let r = call(
            &app,
            "POST",
            &format!("/books/v1/cloudloading/addBook?{query}"),
            Cred::Token(&alice.token),
        )
        .await;
        let e = r.assert_error(400, "invalid");
        assert_eq!(e["error"]["errors"][0]["location"], param, "{e}");
    }
    let r = call(
        &app,
        "POST",
        "/books/v1/cloudloading/addBook",
        Cred::Token(&alice.token),
    )
    .await;
    let e = r.assert_error(400, "invalid");
    assert!(
        e["error"]["message"].as_str().unwrap().contains(UPLOAD),
        "{e}"
    );
    call(&app, "POST", "/books/v1/cloudloading/addBook", Cred::Key)
        .await
        .assert_error(401, "required");
    call(&app, "POST", UPLOAD, Cred::Token(&alice.token))
        .await
        .assert_error(400, "required");
    call(
        &app,
        "GET",
        "/books/v1/cloudloading/deleteBook?volumeId=x",
        Cred::Token(&alice.token),
    )
    .await
    .assert_error(405, "httpMethodNotAllowed");
}

/// Rewrites a real EPUB: every entry copied, `replace` swapping an entry's bytes, `extra`
/// appended.
pub fn remake_epub(base: &[u8], replace: &[(&str, Vec<u8>)], extra: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut archive = zip::ZipArchive::new(Cursor::new(base)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().expect("entry name").to_string();
        let bytes = match replace.iter().find(|(n, _)| *n == name) {
            Some((_, b)) => b.clone(),
            None => {
                let mut b = Vec::new();
                entry.read_to_end(&mut b).unwrap();
                b
            }
        };
        let opts = if name == "mimetype" {
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
        } else {
            deflated
        };
        out.start_file(name, opts).unwrap();
        out.write_all(&bytes).unwrap();
    }
    for (name, bytes) in extra {
        out.start_file(*name, deflated).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The reason processing kept for a failed upload (shown on the "Your books" page).
async fn assert_failure(app: &TestApp, who: &Reader, id: &str, needle: &str) {
    let upload = app
        .backend
        .store
        .upload(&who.id, &colophon_domain::VolumeId::parse(id).unwrap())
        .await
        .unwrap()
        .expect("the failed upload is kept");
    let reason = upload.failure.unwrap_or_default();
    assert!(reason.contains(needle), "{needle:?} not in {reason:?}");
}

fn small_upload_limit(s: &mut colophon_cli::Settings) {
    s.max_upload_bytes = 2 << 20;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_uploads_are_refused_or_fail_cleanly() {
    let app = TestApp::spawn(Options {
        configure: Some(small_upload_limit),
        ..Options::default()
    })
    .await;
    let alice = reader(&app, "alice@example.org").await;
    let machine = epub_bytes("h-g-wells_the-time-machine.epub");

    // Over the limit: 413 with the limit in the message; nothing stored.
    let big = vec![b'x'; 3 << 20];
    let mut big_epub = b"PK\x03\x04".to_vec();
    big_epub.extend_from_slice(&big);
    let e = upload_media(
        &app,
        &alice.token,
        "big.epub",
        "application/epub+zip",
        big_epub,
    )
    .await
    .assert_error(413, "uploadTooLarge");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&(2u64 << 20).to_string()),
        "{e}"
    );
    // A file under the limit whose multipart envelope is over it is refused the same way.
    let e = upload_multipart(
        &app,
        &alice.token,
        serde_json::json!({}),
        "application/epub+zip",
        &vec![b'P'; (2 << 20) + 1],
    )
    .await;
    e.assert_error(413, "uploadTooLarge");

    // Not an EPUB or a PDF: by declared type, and by content.
    upload_media(
        &app,
        &alice.token,
        "cover.png",
        "image/png",
        b"\x89PNG\r\n\x1a\n....".to_vec(),
    )
    .await
    .assert_error(400, "invalid");
    let e = upload_media(
        &app,
        &alice.token,
        "notes.epub",
        "application/epub+zip",
        b"just some text".to_vec(),
    )
    .await
    .assert_error(400, "invalid");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("neither an EPUB"),
        "{e}"
    );
    upload_media(
        &app,
        &alice.token,
        "x.pdf",
        "application/pdf",
        machine.clone(),
    )
    .await
    .assert_error(400, "invalid");
    upload_media(
        &app,
        &alice.token,
        "empty.epub",
        "application/epub+zip",
        Vec::new(),
    )
    .await
    .assert_error(400, "invalid");
    // Malformed multipart bodies.
    let auth = format!("Bearer {}", alice.token);
    app.request("POST", &format!("{UPLOAD}?uploadType=multipart"), &[("authorization", &auth), ("content-type", "multipart/related; boundary=b")], Bytes::from_static(b"--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b\r\nContent-Type: application/epub+zip\r\n\r\nPK\x03\x04 cut"))
        .await
        .assert_error(400, "invalid");
    app.request(
        "POST",
        &format!("{UPLOAD}?uploadType=multipart"),
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        Bytes::from_static(b"{}"),
    )
    .await
    .assert_error(400, "invalid");
    let refused = call(
        &app,
        "GET",
        "/books/v1/volumes/useruploaded",
        Cred::Token(&alice.token),
    )
    .await
    .json();
    assert_eq!(
        refused["totalItems"], 0,
        "refused uploads leave no row: {refused}"
    );

    // Truncated zip: accepted (it starts like one), then COMPLETED_FAILED with the reason kept.
    let (cut_id, v) = upload_and_wait(
        &app,
        &alice,
        "cut.epub",
        machine[..machine.len() / 2].to_vec(),
    )
    .await;
    assert_eq!(state_of(&v), "COMPLETED_FAILED", "{v}");
    assert_eq!(
        v["volumeInfo"]["title"], "cut",
        "a failed upload keeps its name: {v}"
    );
    assert_failure(&app, &alice, &cut_id, "truncated").await;

    // Encrypted (DRM) EPUB.
    let encryption = br#"<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/><enc:CipherData><enc:CipherReference URI="epub/text/chapter-1.xhtml"/></enc:CipherData></enc:EncryptedData></encryption>"#;
    let drm = remake_epub(
        &machine,
        &[],
        &[("META-INF/encryption.xml", encryption.to_vec())],
    );
    let (id, v) = upload_and_wait(&app, &alice, "drm.epub", drm).await;
    assert_eq!(state_of(&v), "COMPLETED_FAILED", "{v}");
    assert_failure(&app, &alice, &id, "encrypted (DRM)").await;

    // Zip bomb: a chapter of 64 MiB of spaces deflates to ~64 KiB.
    let bomb = remake_epub(
        &machine,
        &[("epub/text/chapter-1.xhtml", vec![b' '; 64 << 20])],
        &[],
    );
    assert!(bomb.len() < 2 << 20);
    let (id, v) = upload_and_wait(&app, &alice, "bomb.epub", bomb).await;
    assert_eq!(state_of(&v), "COMPLETED_FAILED", "{v}");
    assert_failure(&app, &alice, &id, "zip bomb").await;

    // Too many entries.
    let many: Vec<(String, Vec<u8>)> = (0..6000)
        .map(|i| (format!("epub/junk/{i}.txt"), Vec::new()))
        .collect();
    let many_refs: Vec<(&str, Vec<u8>)> =
        many.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let crowded = remake_epub(&machine, &[], &many_refs);
    let (id, v) = upload_and_wait(&app, &alice, "crowded.epub", crowded).await;
    assert_eq!(state_of(&v), "COMPLETED_FAILED", "{v}");
    assert_failure(&app, &alice, &id, "entries").await;

    // Path traversal in entry names: those entries are ignored (nothing is ever written to
    // disk), the book itself reads.
    let evil = remake_epub(
        &machine,
        &[],
        &[
            ("../../../../tmp/colophon-evil.txt", b"pwned".to_vec()),
            ("/etc/colophon-evil", b"pwned".to_vec()),
        ],
    );
    let (_, v) = upload_and_wait(&app, &alice, "evil.epub", evil).await;
    assert_eq!(state_of(&v), "COMPLETED_SUCCESS", "{v}");
    assert_eq!(v["volumeInfo"]["title"], "The Time Machine");
    assert!(!std::path::Path::new("/tmp/colophon-evil.txt").exists());

    let all = call(
        &app,
        "GET",
        "/books/v1/volumes/useruploaded?maxResults=40",
        Cred::Token(&alice.token),
    )
    .await
    .json();
    assert_eq!(
        all["totalItems"], 5,
        "truncated, DRM, bomb, crowded, traversal"
    );
    let failed = call(
        &app,
        "GET",
        "/books/v1/volumes/useruploaded?processingState=COMPLETED_FAILED",
        Cred::Token(&alice.token),
    )
    .await
    .json();
    assert_eq!(failed["totalItems"], 4);
}

/// A body sent in chunks without `Content-Length` is cut off at the limit, not buffered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_uploads_stop_at_the_limit() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let app = TestApp::spawn(Options {
        configure: Some(small_upload_limit),
        ..Options::default()
    })
    .await;
    let alice = reader(&app, "alice@example.org").await;
    let addr = app.base_url.trim_start_matches("http://").to_owned();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST {UPLOAD}?uploadType=media HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/epub+zip\r\nTransfer-Encoding: chunked\r\n\r\n",
        alice.token
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    // Send up to 64 MiB in 64 KiB chunks; the server answers (and stops reading) long before.
    let chunk = vec![b'P'; 64 << 10];
    for _ in 0..1024 {
        let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
        frame.extend_from_slice(&chunk);
        frame.extend_from_slice(b"\r\n");
        if sock.write_all(&frame).await.is_err() {
            break;
        }
    }
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), sock.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("uploadTooLarge"), "{text}");
}

/// A minimal whole PDF with a document information dictionary.
pub fn pdf(title: &str, author: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
         2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n\
         3 0 obj\n<< /Title ({title}) /Author ({author}) /Producer (test) >>\nendobj\n\
         trailer\n<< /Root 1 0 R /Info 3 0 R >>\n%%EOF\n"
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pdf_uploads_take_title_and_author_from_the_document() {
    let app = TestApp::spawn(Options::default()).await;
    let alice = reader(&app, "alice@example.org").await;
    let file = pdf("A Field Guide to Moths", "Ada Lepidoptera");
    let r = upload_media(
        &app,
        &alice.token,
        "moths.pdf",
        "application/pdf",
        file.clone(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["volumeId"].as_str().unwrap().to_owned();
    let v = processed(&app, &alice.token, &id).await;
    assert_eq!(state_of(&v), "COMPLETED_SUCCESS", "{v}");
    assert_eq!(v["volumeInfo"]["title"], "A Field Guide to Moths");
    assert_eq!(v["volumeInfo"]["authors"][0], "Ada Lepidoptera");
    assert_eq!(v["accessInfo"]["pdf"]["isAvailable"], true);
    let auth = format!("Bearer {}", alice.token);
    let got = app
        .get(
            &format!("/books/download/x.pdf?id={id}&output=pdf"),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.headers["content-type"], "application/pdf");
    assert_eq!(got.body, file);

    // A PDF cut short fails processing; its record stays, named after the file.
    let cut = file[..file.len() - 20].to_vec();
    let r = upload_media(
        &app,
        &alice.token,
        "cut.pdf",
        "application/octet-stream",
        cut,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["volumeId"].as_str().unwrap().to_owned();
    let v = processed(&app, &alice.token, &id).await;
    assert_eq!(state_of(&v), "COMPLETED_FAILED", "{v}");
    assert_eq!(v["volumeInfo"]["title"], "cut");
}

/// The core story over PostgreSQL (when `COLOPHON_TEST_DATABASE_URL` is set).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_over_postgres() {
    with_postgres("uploads test", |url| async move {
        let app = TestApp::spawn(Options {
            database_url: Some(url.clone()),
            ..Options::default()
        })
        .await;
        let alice = reader(&app, "alice@example.org").await;
        let bob = reader(&app, "bob@example.org").await;
        let (id, v) = upload_and_wait(
            &app,
            &alice,
            "dracula.epub",
            epub_bytes("bram-stoker_dracula.epub"),
        )
        .await;
        assert_eq!(state_of(&v), "COMPLETED_SUCCESS", "{v}");
        assert_eq!(v["volumeInfo"]["title"], "Dracula");
        let (_, bad) =
            upload_and_wait(&app, &alice, "bad.epub", b"PK\x03\x04broken".to_vec()).await;
        assert_eq!(state_of(&bad), "COMPLETED_FAILED");
        let list = call(
            &app,
            "GET",
            "/books/v1/volumes/useruploaded?processingState=COMPLETED_SUCCESS",
            Cred::Token(&alice.token),
        )
        .await
        .json();
        assert_eq!(list["totalItems"], 1);
        call(
            &app,
            "GET",
            &format!("/books/v1/volumes/{id}"),
            Cred::Token(&bob.token),
        )
        .await
        .assert_error(404, "notFound");
        let r = call(
            &app,
            "POST",
            &format!("/books/v1/cloudloading/deleteBook?volumeId={id}"),
            Cred::Token(&alice.token),
        )
        .await;
        assert_eq!(r.status, 200);
        let list = call(
            &app,
            "GET",
            "/books/v1/volumes/useruploaded",
            Cred::Token(&alice.token),
        )
        .await
        .json();
        assert_eq!(list["totalItems"], 1);
    })
    .await;
}

/// An upload left `RUNNING` (a server stopped while processing it) is processed by the next
/// start's `Uploads::resume`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfinished_uploads_are_processed_at_start() {
    use colophon_service::{UploadLimits, Uploads};
    let app = TestApp::spawn(Options::default()).await;
    let alice = reader(&app, "alice@example.org").await;
    let id = colophon_domain::VolumeId::parse("leftRUNNING1").unwrap();
    app.backend
        .store
        .insert_upload(
            &colophon_store::NewUpload {
                volume_id: id.clone(),
                user_id: alice.id.clone(),
                name: "dracula.epub".into(),
                media_type: "application/epub+zip".into(),
                title: "dracula".into(),
                created: chrono::Utc::now(),
            },
            &epub_bytes("bram-stoker_dracula.epub"),
        )
        .await
        .unwrap();
    let before = processed_or_running(&app, &alice, id.as_str()).await;
    assert_eq!(state_of(&before), "RUNNING");
    let uploads = Uploads::new(
        app.backend.store.clone(),
        app.backend.covers.clone(),
        UploadLimits::default(),
        std::sync::Arc::new(chrono::Utc::now),
    );
    assert_eq!(uploads.resume().await.unwrap(), 1);
    let v = processed(&app, &alice.token, id.as_str()).await;
    assert_eq!(state_of(&v), "COMPLETED_SUCCESS", "{v}");
    assert_eq!(v["volumeInfo"]["title"], "Dracula");
    assert_eq!(
        uploads.resume().await.unwrap(),
        0,
        "nothing is left running"
    );
}

async fn processed_or_running(app: &TestApp, who: &Reader, id: &str) -> Value {
    let r = call(
        app,
        "GET",
        &format!("/books/v1/volumes/useruploaded?volumeId={id}"),
        Cred::Token(&who.token),
    )
    .await;
    r.json()["items"][0].clone()
}

/// `uploadType=resumable`: a session, the file in chunks with a status query between them,
/// a chunk at the wrong offset refused, and the completed upload processed like any other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumable_uploads_in_chunks() {
    let app = TestApp::spawn(Options::default()).await;
    let alice = reader(&app, "alice@example.org").await;
    let file = epub_bytes("h-g-wells_the-time-machine.epub");
    let total = file.len();
    let auth = format!("Bearer {}", alice.token);
    let len = total.to_string();
    let start = app
        .request(
            "POST",
            &format!("{UPLOAD}?uploadType=resumable"),
            &[
                ("authorization", &auth),
                ("content-type", "application/json; charset=UTF-8"),
                ("x-upload-content-type", "application/epub+zip"),
                ("x-upload-content-length", &len),
            ],
            Bytes::from(r#"{"name": "machine.epub", "author": "Herbert George Wells"}"#),
        )
        .await;
    assert_eq!(start.status, 200, "{}", start.text());
    let location = start.headers["location"].to_str().unwrap().to_owned();
    let path = location
        .strip_prefix(&app.base_url)
        .expect("a location on this server")
        .to_owned();
    assert!(path.contains("upload_id="), "{path}");

    let half = total / 2;
    let put = |range: String, body: Vec<u8>| {
        let path = path.clone();
        let app = &app;
        async move {
            app.request(
                "PUT",
                &path,
                &[("content-range", &range)],
                Bytes::from(body),
            )
            .await
        }
    };
    let r = put(
        format!("bytes 0-{}/{total}", half - 1),
        file[..half].to_vec(),
    )
    .await;
    assert_eq!(r.status, 308, "{}", r.text());
    assert_eq!(r.headers["range"], format!("bytes=0-{}", half - 1).as_str());
    let r = put(format!("bytes */{total}"), Vec::new()).await;
    assert_eq!(r.status, 308);
    assert_eq!(r.headers["range"], format!("bytes=0-{}", half - 1).as_str());
    put(
        format!("bytes 10-{}/{total}", half + 9),
        file[10..half + 10].to_vec(),
    )
    .await
    .assert_error(400, "invalid");
    let r = put(
        format!("bytes {half}-{}/{total}", total - 1),
        file[half..].to_vec(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let added = r.json();
    assert_eq!(added["author"], "Herbert George Wells");
    let id = added["volumeId"].as_str().unwrap().to_owned();
    let v = processed(&app, &alice.token, &id).await;
    assert_eq!(state_of(&v), "COMPLETED_SUCCESS", "{v}");
    assert_eq!(v["volumeInfo"]["title"], "The Time Machine");
    assert_eq!(
        v["volumeInfo"]["authors"],
        serde_json::json!(["Herbert George Wells"])
    );
    // The session is gone once complete.
    put(format!("bytes */{total}"), Vec::new())
        .await
        .assert_error(404, "notFound");
    // A session announced over the limit is refused at once.
    app.request(
        "POST",
        &format!("{UPLOAD}?uploadType=resumable"),
        &[
            ("authorization", &auth),
            ("x-upload-content-length", "999999999999"),
        ],
        Bytes::new(),
    )
    .await
    .assert_error(413, "uploadTooLarge");
}

/// `volumes.mybooks.list` lists the user's uploads after their shelved volumes, as acquired
/// `UPLOADED` with their `processingState`; `acquireMethod` and `processingState` filter
/// them, paging runs across both parts, and another user's list holds none of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_books_lists_uploads_after_the_shelved_volumes() {
    let app = TestApp::demo().await;
    let alice = reader(&app, "alice-mybooks@example.org").await;
    let bob = reader(&app, "bob-mybooks@example.org").await;
    let shelved = crate::library_support::demo_ids(&app, 2).await;
    for id in &shelved {
        let r = call(
            &app,
            "POST",
            &format!("/books/v1/mylibrary/bookshelves/0/addVolume?volumeId={id}"),
            Cred::Token(&alice.token),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let (upload, v) = upload_and_wait(
        &app,
        &alice,
        "dracula.epub",
        epub_bytes("bram-stoker_dracula.epub"),
    )
    .await;
    assert_eq!(state_of(&v), "COMPLETED_SUCCESS", "{v}");
    let list = |who: &Reader, query: &str| {
        let path = format!("/books/v1/volumes/mybooks?{query}");
        let token = who.token.clone();
        let app = &app;
        async move {
            let r = call(app, "GET", &path, Cred::Token(&token)).await;
            assert_eq!(r.status, 200, "{}", r.text());
            let page = r.json();
            let ids: Vec<String> = page["items"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|v| v["id"].as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            (page["totalItems"].as_u64().unwrap(), ids, page)
        }
    };

    let (total, ids, page) = list(&alice, "").await;
    assert_eq!(total, 3, "{page}");
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[2], upload, "uploads follow the shelved volumes");
    let up = &page["items"][2]["userInfo"];
    assert_eq!(up["isUploaded"], true, "{page}");
    assert_eq!(
        up["userUploadedVolumeInfo"]["processingState"],
        "COMPLETED_SUCCESS"
    );

    // Paging across both parts.
    let (total, ids, _) = list(&alice, "startIndex=1&maxResults=2").await;
    assert_eq!((total, ids.len()), (3, 2));
    assert_eq!(ids[1], upload);
    let (_, ids, _) = list(&alice, "startIndex=2&maxResults=1").await;
    assert_eq!(ids, vec![upload.clone()]);

    // Filters.
    let (total, ids, _) = list(&alice, "acquireMethod=UPLOADED").await;
    assert_eq!((total, ids), (1, vec![upload.clone()]));
    let (total, ids, _) = list(&alice, "processingState=COMPLETED_SUCCESS").await;
    assert_eq!((total, ids), (1, vec![upload.clone()]));
    let (total, _, _) = list(&alice, "processingState=RUNNING").await;
    assert_eq!(total, 0);
    let (total, ids, _) = list(&alice, "acquireMethod=SAMPLE&acquireMethod=PUBLIC_DOMAIN").await;
    assert_eq!(total, 2);
    assert!(!ids.contains(&upload));

    // Bob sees none of Alice's books.
    let (total, _, _) = list(&bob, "").await;
    assert_eq!(total, 0);
}
