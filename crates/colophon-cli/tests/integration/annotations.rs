//! `mylibrary.annotations.*` end to end: the HTTP contract (shapes, errors, paging, tombstones,
//! limits, concurrent updates), through a plain client and through `google-books1`, on SQLite
//! and (when `COLOPHON_TEST_DATABASE_URL` is set) PostgreSQL.

use bytes::Bytes;
use colophon_auth::ClientKind;
use serde_json::{json, Value};

use crate::oauth_support::{client, PASSWORD};
use crate::support::{with_postgres, Options, Reply, TestApp};

/// A signed-up user and an access token of theirs.
pub struct User {
    /// Account id.
    pub id: String,
    /// Access token (Books scope).
    pub token: String,
}

/// Creates `email` and issues a token for it through Colophon's authorization server.
pub async fn user(app: &TestApp, email: &str) -> User {
    let account = app
        .auth
        .create_user(email, PASSWORD)
        .await
        .expect("create user");
    let c = client(app, ClientKind::Installed, &["http://127.0.0.1/cb"]).await;
    let (token, _) = app
        .auth
        .issue_token_for(email, &c.client.id)
        .await
        .expect("issue token");
    User {
        id: account.id,
        token: token.access_token,
    }
}

/// The id of the first demo volume matching `q`.
pub async fn volume(app: &TestApp, q: &str) -> String {
    let page = app
        .get_keyed(&format!("/books/v1/volumes?q={q}"))
        .await
        .json();
    page["items"][0]["id"]
        .as_str()
        .expect("a volume")
        .to_owned()
}

/// A request with `token` as Bearer (none when empty) and a JSON body (none when `Null`).
pub async fn call(app: &TestApp, method: &str, path: &str, token: &str, body: &Value) -> Reply {
    let auth = format!("Bearer {token}");
    let mut headers = vec![("content-type", "application/json")];
    if !token.is_empty() {
        headers.push(("authorization", auth.as_str()));
    }
    let body = if body.is_null() {
        Bytes::new()
    } else {
        Bytes::from(body.to_string())
    };
    app.request(method, path, &headers, body).await
}

/// An annotation body on `volume` in `layer` with a gbText range.
pub fn note(volume: &str, layer: &str, data: &str) -> Value {
    json!({
        "volumeId": volume,
        "layerId": layer,
        "selectedText": "It is a truth universally acknowledged",
        "data": data,
        "highlightStyle": "yellow",
        "clientVersionRanges": {
            "contentVersion": "0.1.1.0.preview.3",
            "gbTextRange": {"startPosition": "GBS.PA1.w.0", "endPosition": "GBS.PA1.w.5",
                            "startOffset": "0", "endOffset": "12"},
            "cfiRange": {"startPosition": "/6/4[ch1]!/4/2/1:0", "endPosition": "/6/4[ch1]!/4/2/1:38"}
        }
    })
}

async fn lifecycle(app: &TestApp) {
    let pride = volume(app, "intitle:pride+inauthor:austen").await;
    let a = user(app, "reader@example.org").await;
    let base = "/books/v1/mylibrary/annotations";

    // Insert: the stored shape, with layerSummary and a GUID id.
    let r = call(app, "POST", base, &a.token, &note(&pride, "notes", "first")).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let first = r.json();
    assert_eq!(first["kind"], "books#annotation");
    let id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "{first}");
    assert_eq!(first["volumeId"], pride.as_str());
    assert_eq!(first["layerId"], "notes");
    assert_eq!(first["deleted"], false);
    assert_eq!(first["created"], first["updated"]);
    assert_eq!(
        first["clientVersionRanges"]["gbTextRange"]["endOffset"],
        "12"
    );
    assert_eq!(
        first["currentVersionRanges"]["cfiRange"]["endPosition"],
        "/6/4[ch1]!/4/2/1:38"
    );
    assert_eq!(
        first["selfLink"],
        format!("{}{base}/{id}", app.base_url).as_str()
    );
    let used = "It is a truth universally acknowledged".chars().count() + "first".len();
    assert_eq!(first["layerSummary"]["limitType"], "CHARACTERS");
    assert_eq!(first["layerSummary"]["allowedCharacterCount"], 200_000);
    assert_eq!(
        first["layerSummary"]["remainingCharacterCount"],
        200_000 - used as i64
    );

    // A client-chosen id; the same id again is a conflict.
    let r = call(
        app,
        "POST",
        &format!("{base}?annotationId=bm-1"),
        &a.token,
        &note(&pride, "bookmarks", ""),
    )
    .await;
    assert_eq!(r.json()["id"], "bm-1");
    call(
        app,
        "POST",
        &format!("{base}?annotationId=bm-1"),
        &a.token,
        &note(&pride, "bookmarks", ""),
    )
    .await
    .assert_error(409, "conflict");
    let r = call(
        app,
        "POST",
        &format!("{base}?showOnlySummaryInResponse=true"),
        &a.token,
        &note(&pride, "notes", "third"),
    )
    .await;
    let summary_only = r.json();
    assert!(summary_only.get("id").is_none(), "{summary_only}");
    assert!(summary_only["layerSummary"]["remainingCharacterCount"].is_i64());

    // List: every live annotation, oldest change first; totalItems; paging with tokens.
    let all = call(app, "GET", base, &a.token, &Value::Null).await.json();
    assert_eq!(all["kind"], "books#annotations");
    assert_eq!(all["totalItems"], 3, "{all}");
    assert!(all.get("nextPageToken").is_none());
    let p1 = call(
        app,
        "GET",
        &format!("{base}?maxResults=2"),
        &a.token,
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(p1["items"].as_array().unwrap().len(), 2);
    assert_eq!(p1["totalItems"], 3);
    let token = p1["nextPageToken"].as_str().expect("next page").to_owned();
    let p2 = call(
        app,
        "GET",
        &format!("{base}?maxResults=2&pageToken={token}"),
        &a.token,
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(p2["items"].as_array().unwrap().len(), 1);
    assert!(p2.get("nextPageToken").is_none());
    let mut seen: Vec<&str> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2["items"].as_array().unwrap())
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 3);
    // A token of another listing, or garbage, is a 400.
    call(
        app,
        "GET",
        &format!("{base}?maxResults=2&layerId=notes&pageToken={token}"),
        &a.token,
        &Value::Null,
    )
    .await
    .assert_error(400, "invalid");
    call(
        app,
        "GET",
        &format!("{base}?pageToken=%F0%9F%92%A9garbage"),
        &a.token,
        &Value::Null,
    )
    .await
    .assert_error(400, "invalid");
    // Filters.
    let notes = call(
        app,
        "GET",
        &format!("{base}?layerIds=notes&volumeId={pride}"),
        &a.token,
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(notes["totalItems"], 2);
    let both = call(
        app,
        "GET",
        &format!("{base}?layerIds=notes&layerIds=bookmarks"),
        &a.token,
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(both["totalItems"], 3);
    let none = call(
        app,
        "GET",
        &format!("{base}?volumeId=zzzzzzzzzzzz"),
        &a.token,
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(none["totalItems"], 0);
    assert!(none.get("items").is_none());

    // Update: content replaced, updated moves forward; a stale `updated` is a conflict.
    app.clock.advance(chrono::Duration::seconds(5));
    let mut edit = first.clone();
    edit["data"] = json!("edited on the phone");
    edit["highlightStyle"] = json!("blue");
    let r = call(app, "PUT", &format!("{base}/{id}"), &a.token, &edit).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let edited = r.json();
    assert_eq!(edited["data"], "edited on the phone");
    assert_eq!(edited["created"], first["created"]);
    assert!(edited["updated"].as_str() > first["updated"].as_str());
    let mut tablet = first.clone();
    tablet["data"] = json!("edited on the tablet from the old version");
    call(app, "PUT", &format!("{base}/{id}"), &a.token, &tablet)
        .await
        .assert_error(409, "conflict");
    // Without `updated`, last writer wins.
    let mut blind = edited.clone();
    blind.as_object_mut().unwrap().remove("updated");
    blind["data"] = json!("blind write");
    let r = call(app, "PUT", &format!("{base}/{id}"), &a.token, &blind).await;
    assert_eq!(r.json()["data"], "blind write");
    // Moving an annotation to another volume is refused.
    let mut moved = r.json();
    moved["volumeId"] = json!("zzzzzzzzzzzz");
    call(app, "PUT", &format!("{base}/{id}"), &a.token, &moved)
        .await
        .assert_error(400, "invalid");

    // Delete: a tombstone, visible with showDeleted (which needs updatedMin).
    let since = edited["updated"].as_str().unwrap().to_owned();
    let r = call(
        app,
        "DELETE",
        &format!("{base}/{id}"),
        &a.token,
        &Value::Null,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({}));
    call(
        app,
        "DELETE",
        &format!("{base}/{id}"),
        &a.token,
        &Value::Null,
    )
    .await
    .assert_error(404, "notFound");
    call(app, "PUT", &format!("{base}/{id}"), &a.token, &blind)
        .await
        .assert_error(404, "notFound");
    let live = call(app, "GET", base, &a.token, &Value::Null).await.json();
    assert_eq!(live["totalItems"], 2);
    call(
        app,
        "GET",
        &format!("{base}?showDeleted=true"),
        &a.token,
        &Value::Null,
    )
    .await
    .assert_error(400, "invalid");
    let changes = call(
        app,
        "GET",
        &format!("{base}?showDeleted=true&updatedMin={since}"),
        &a.token,
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(changes["totalItems"], 1, "{changes}");
    assert_eq!(changes["items"][0]["id"], id.as_str());
    assert_eq!(changes["items"][0]["deleted"], true);
    let before = call(
        app,
        "GET",
        &format!("{base}?updatedMax={since}"),
        &a.token,
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(before["totalItems"], 2, "created before the edit: {before}");

    // Summary: per-layer budgets, in the order asked.
    let s = call(
        app,
        "POST",
        &format!("{base}/summary?layerIds=bookmarks&layerIds=notes&volumeId={pride}"),
        &a.token,
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(s["kind"], "books#annotationsSummary");
    assert_eq!(s["layers"][0]["layerId"], "bookmarks");
    assert_eq!(s["layers"][0]["allowedCharacterCount"], 10_000);
    assert_eq!(s["layers"][1]["layerId"], "notes");
    assert!(s["layers"][1]["updated"].is_string());
}

async fn errors(app: &TestApp) {
    let pride = volume(app, "intitle:pride+inauthor:austen").await;
    let a = user(app, "errors@example.org").await;
    let base = "/books/v1/mylibrary/annotations";
    let bad = |f: &dyn Fn(&mut Value)| {
        let mut v = note(&pride, "notes", "x");
        f(&mut v);
        v
    };
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "unknown layer",
            bad(&|v| v["layerId"] = json!("geo")),
            400,
            "invalid",
        ),
        (
            "no layer",
            bad(&|v| {
                v.as_object_mut().unwrap().remove("layerId");
            }),
            400,
            "invalid",
        ),
        (
            "no volume",
            bad(&|v| {
                v.as_object_mut().unwrap().remove("volumeId");
            }),
            400,
            "invalid",
        ),
        (
            "unknown volume",
            bad(&|v| v["volumeId"] = json!("zzzzzzzzzzzz")),
            404,
            "notFound",
        ),
        (
            "no range",
            bad(&|v| {
                v.as_object_mut().unwrap().remove("clientVersionRanges");
            }),
            400,
            "invalid",
        ),
        (
            "bad cfi",
            bad(&|v| v["clientVersionRanges"]["cfiRange"]["startPosition"] = json!("chapter one")),
            400,
            "invalid",
        ),
        (
            "reversed offsets",
            bad(&|v| {
                v["clientVersionRanges"]["gbTextRange"] = json!({"startPosition": "P1", "endPosition": "P1", "startOffset": "9", "endOffset": "2"});
            }),
            400,
            "invalid",
        ),
        (
            "negative offset",
            bad(&|v| v["clientVersionRanges"]["gbTextRange"]["startOffset"] = json!("-1")),
            400,
            "invalid",
        ),
        (
            "image range without end",
            bad(&|v| v["clientVersionRanges"]["gbImageRange"] = json!({"startPosition": "PA3"})),
            400,
            "invalid",
        ),
        (
            "image cfi",
            bad(&|v| {
                v["clientVersionRanges"]["imageCfiRange"] =
                    json!({"startPosition": "x", "endPosition": "/2"})
            }),
            400,
            "invalid",
        ),
        (
            "bad style",
            bad(&|v| v["highlightStyle"] = json!("<script>")),
            400,
            "invalid",
        ),
        ("not json", Value::String("{".into()), 400, "invalid"),
    ];
    for (what, body, status, reason) in cases {
        let r = if let Value::String(raw) = &body {
            let auth = format!("Bearer {}", a.token);
            app.request(
                "POST",
                base,
                &[("authorization", &auth)],
                Bytes::from(raw.clone()),
            )
            .await
        } else {
            call(app, "POST", base, &a.token, &body).await
        };
        assert_eq!(
            r.status,
            status,
            "{what}: {}",
            String::from_utf8_lossy(&r.body)
        );
        r.assert_error(status, reason);
    }
    for (what, path, status, reason) in [
        (
            "maxResults",
            format!("{base}?maxResults=41"),
            400,
            "invalid",
        ),
        ("layerId", format!("{base}?layerId=geo"), 400, "invalid"),
        (
            "updatedMin",
            format!("{base}?updatedMin=yesterday"),
            400,
            "invalid",
        ),
        (
            "summary without layers",
            format!("{base}/summary?volumeId={pride}"),
            400,
            "required",
        ),
        (
            "summary without volume",
            format!("{base}/summary?layerIds=notes"),
            400,
            "required",
        ),
        (
            "summary unknown volume",
            format!("{base}/summary?layerIds=notes&volumeId=zzzzzzzzzzzz"),
            404,
            "notFound",
        ),
        ("update unknown", format!("{base}/nope"), 404, "notFound"),
    ] {
        let method = if path.contains("summary") {
            "POST"
        } else if path.ends_with("nope") {
            "PUT"
        } else {
            "GET"
        };
        let body = if method == "PUT" {
            note(&pride, "notes", "x")
        } else {
            Value::Null
        };
        let r = call(app, method, &path, &a.token, &body).await;
        assert_eq!(
            r.status,
            status,
            "{what}: {}",
            String::from_utf8_lossy(&r.body)
        );
        r.assert_error(status, reason);
    }

    // The layer budget: 200,000 characters of notes per volume.
    let big = "n".repeat(150_000);
    let r = call(app, "POST", base, &a.token, &note(&pride, "notes", &big)).await;
    assert_eq!(r.status, 200);
    let r = call(app, "POST", base, &a.token, &note(&pride, "notes", &big)).await;
    let e = r.assert_error(403, "limitExceeded");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("notes"),
        "{e}"
    );
    // Another volume has its own budget.
    let other = volume(app, "intitle:frankenstein").await;
    assert_eq!(
        call(app, "POST", base, &a.token, &note(&other, "notes", &big))
            .await
            .status,
        200
    );
}

/// Two devices update one annotation at once from the same version: exactly one wins, the
/// other gets 409, and the winner's text is what is stored.
async fn concurrent_updates(app: &TestApp) {
    let pride = volume(app, "intitle:pride+inauthor:austen").await;
    let a = user(app, "devices@example.org").await;
    let base = "/books/v1/mylibrary/annotations";
    let created = call(app, "POST", base, &a.token, &note(&pride, "notes", "v0"))
        .await
        .json();
    let id = created["id"].as_str().unwrap().to_owned();
    let mut handles = Vec::new();
    for device in 0..6 {
        let mut body = created.clone();
        body["data"] = json!(format!("device {device}"));
        let path = format!("{base}/{id}");
        let token = a.token.clone();
        let base_url = app.base_url.clone();
        handles.push(tokio::spawn(async move {
            let client: hyper_util::client::legacy::Client<_, http_body_util::Full<Bytes>> =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .build_http();
            let req = hyper::Request::builder()
                .method("PUT")
                .uri(format!("{base_url}{path}"))
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(http_body_util::Full::new(Bytes::from(body.to_string())))
                .unwrap();
            let resp = client.request(req).await.unwrap();
            (device, resp.status().as_u16())
        }));
    }
    let mut winners = Vec::new();
    for h in handles {
        let (device, status) = h.await.unwrap();
        match status {
            200 => winners.push(device),
            409 => {}
            other => panic!("device {device}: status {other}"),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one update from the same version wins"
    );
    let listed = call(app, "GET", base, &a.token, &Value::Null).await.json();
    assert_eq!(
        listed["items"][0]["data"],
        format!("device {}", winners[0]).as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotations_on_sqlite() {
    let app = TestApp::demo().await;
    lifecycle(&app).await;
    errors(&app).await;
    concurrent_updates(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotations_on_postgres() {
    with_postgres("annotation test", |url| async move {
        let app = TestApp::spawn(Options {
            demo: true,
            database_url: Some(url.clone()),
            ..Options::default()
        })
        .await;
        lifecycle(&app).await;
        errors(&app).await;
        concurrent_updates(&app).await;
    })
    .await;
}

/// The generated Rust client: insert, list with paging, update, summary, delete, through a
/// token obtained with the authorization-code flow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotations_through_google_books1() {
    use crate::oauth_support::*;
    use google_books1::api::{Annotation, AnnotationClientVersionRanges, BooksAnnotationsRange};
    use google_books1::Books;
    use hyper_util::client::legacy::connect::HttpConnector;

    let app = TestApp::demo().await;
    let pride = volume(&app, "intitle:pride+inauthor:austen").await;
    let cb = "https://app.example/cb";
    let web = client(&app, ClientKind::Web, &[cb]).await;
    let mut b = signed_in(&app, "rustclient@example.org").await;
    let code = code_for(&mut b, &web.client.id, cb, &[]).await;
    let token = exchange(&app, &web, &code, cb, &[]).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(HttpConnector::new());
    let mut hub = Books::new(http, token);
    hub.base_url(format!("{}/", app.base_url));
    hub.root_url(format!("{}/", app.base_url));

    let range = |s: &str, e: &str| BooksAnnotationsRange {
        start_position: Some(s.into()),
        end_position: Some(e.into()),
        start_offset: Some("0".into()),
        end_offset: Some("4".into()),
    };
    let mut ids = Vec::new();
    for i in 0..3 {
        let (resp, a) = hub
            .mylibrary()
            .annotations_insert(Annotation {
                volume_id: Some(pride.clone()),
                layer_id: Some("notes".into()),
                data: Some(format!("note {i}")),
                highlight_style: Some("green".into()),
                client_version_ranges: Some(AnnotationClientVersionRanges {
                    gb_image_range: Some(range("PA1", "PA2")),
                    image_cfi_range: Some(range("/6/2!/4", "/6/2!/6")),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .doit()
            .await
            .expect("annotations.insert");
        assert_eq!(resp.status(), 200);
        assert_eq!(a.kind.as_deref(), Some("books#annotation"));
        assert!(a.layer_summary.unwrap().remaining_character_count.unwrap() < 200_000);
        ids.push(a.id.unwrap());
    }
    let (_, page) = hub
        .mylibrary()
        .annotations_list()
        .volume_id(&pride)
        .max_results(2)
        .doit()
        .await
        .expect("annotations.list");
    assert_eq!(page.total_items, Some(3));
    let next = page.next_page_token.expect("a second page");
    let (_, rest) = hub
        .mylibrary()
        .annotations_list()
        .volume_id(&pride)
        .max_results(2)
        .page_token(&next)
        .doit()
        .await
        .expect("second page");
    assert_eq!(rest.items.unwrap().len(), 1);

    // Update what was read (the client sends `updated` back: the version check applies).
    let mut first = page.items.unwrap().remove(0);
    first.data = Some("rewritten".into());
    let id = first.id.clone().unwrap();
    let (_, updated) = hub
        .mylibrary()
        .annotations_update(first.clone(), &id)
        .doit()
        .await
        .expect("annotations.update");
    assert_eq!(updated.data.as_deref(), Some("rewritten"));
    match hub.mylibrary().annotations_update(first, &id).doit().await {
        Err(google_books1::Error::BadRequest(body)) => {
            assert_eq!(body["error"]["code"], 409, "{body}");
        }
        other => panic!("a stale update must fail, got {other:?}"),
    }
    let (_, summary) = hub
        .mylibrary()
        .annotations_summary(&vec!["notes".to_owned()], &pride)
        .doit()
        .await
        .expect("annotations.summary");
    let layer = &summary.layers.unwrap()[0];
    assert_eq!(layer.layer_id.as_deref(), Some("notes"));
    assert_eq!(layer.limit_type.as_deref(), Some("CHARACTERS"));
    let (resp, _) = hub
        .mylibrary()
        .annotations_delete(&ids[2])
        .doit()
        .await
        .expect("annotations.delete");
    assert_eq!(resp.status(), 200);
    let (_, after) = hub
        .mylibrary()
        .annotations_list()
        .doit()
        .await
        .expect("list after delete");
    assert_eq!(after.total_items, Some(2));
}
