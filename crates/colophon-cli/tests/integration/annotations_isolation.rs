//! Isolation: no request of user A — with A's token, an API key, or no credential — reads or
//! changes anything private of user B, for every method of annotations, layers and
//! recommendations. Table-driven; B's state is snapshotted before and compared after.

use serde_json::{json, Value};

use crate::annotations::{call, note, user, volume};
use crate::support::{with_postgres, Options, TestApp};

/// Who calls.
#[derive(Debug, Clone, Copy)]
enum Cred {
    /// User A's token.
    A,
    /// A valid API key.
    Key,
    /// Nothing.
    None,
}

/// What must come back.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// This error status.
    Error(u16),
    /// Success, and the body mentions none of B's private strings.
    Clean,
}

async fn b_state(app: &TestApp, token: &str, pride: &str) -> (Value, Value, Value) {
    let since = "1970-01-01T00:00:00Z";
    let list = call(
        app,
        "GET",
        &format!(
            "/books/v1/mylibrary/annotations?showDeleted=true&updatedMin={since}&maxResults=40"
        ),
        token,
        &Value::Null,
    )
    .await
    .json();
    let recs = call(
        app,
        "GET",
        "/books/v1/volumes/recommended",
        token,
        &Value::Null,
    )
    .await
    .json();
    let summary = call(
        app,
        "POST",
        &format!("/books/v1/mylibrary/annotations/summary?layerIds=notes&layerIds=bookmarks&volumeId={pride}"),
        token,
        &Value::Null,
    )
    .await
    .json();
    (list, recs, summary)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_a_cannot_reach_user_b_on_sqlite() {
    isolation(&TestApp::demo().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_a_cannot_reach_user_b_on_postgres() {
    with_postgres("isolation test", |url| async move {
        let app = TestApp::spawn(Options {
            demo: true,
            database_url: Some(url.clone()),
            ..Options::default()
        })
        .await;
        isolation(&app).await;
    })
    .await;
}

async fn isolation(app: &TestApp) {
    let pride = volume(app, "intitle:pride+inauthor:austen").await;
    let emma = volume(app, "intitle:emma+inauthor:austen").await;
    let a = user(app, "a@example.org").await;
    let b = user(app, "b@example.org").await;
    let base = "/books/v1/mylibrary/annotations";

    // B's private data: two annotations (one with a chosen id), a tombstone, a rating.
    let secret = "B's private note about Darcy";
    let b1 = call(app, "POST", base, &b.token, &note(&pride, "notes", secret))
        .await
        .json();
    let b_id = b1["id"].as_str().unwrap().to_owned();
    call(
        app,
        "POST",
        &format!("{base}?annotationId=b-chosen"),
        &b.token,
        &note(&pride, "bookmarks", "B bookmark"),
    )
    .await;
    let gone = call(
        app,
        "POST",
        base,
        &b.token,
        &note(&emma, "notes", "B deleted"),
    )
    .await
    .json();
    call(
        app,
        "DELETE",
        &format!("{base}/{}", gone["id"].as_str().unwrap()),
        &b.token,
        &Value::Null,
    )
    .await;
    let rated = call(
        app,
        "POST",
        &format!("/books/v1/volumes/recommended/rate?rating=NOT_INTERESTED&volumeId={emma}"),
        &b.token,
        &Value::Null,
    )
    .await;
    assert_eq!(rated.status, 200);
    let before = b_state(app, &b.token, &pride).await;
    assert!(before.0["totalItems"] == 3, "{}", before.0);
    let private = [
        secret,
        "B bookmark",
        "B deleted",
        b_id.as_str(),
        "b-chosen",
        b.id.as_str(),
    ];

    let unknown_404 = call(
        app,
        "PUT",
        &format!("{base}/no-such-annotation"),
        &a.token,
        &note(&pride, "notes", "x"),
    )
    .await;
    let mut edit = b1.clone();
    edit["data"] = json!("A was here");

    use Cred::*;
    use Expect::*;
    let v = &pride;
    let cases: Vec<(&str, Cred, &str, String, Value, Expect)> = vec![
        ("list", A, "GET", base.to_owned(), Value::Null, Clean),
        ("list by volume", A, "GET", format!("{base}?volumeId={v}&showDeleted=true&updatedMin=1970-01-01T00:00:00Z"), Value::Null, Clean),
        ("list", Key, "GET", base.to_owned(), Value::Null, Error(401)),
        ("list", None, "GET", base.to_owned(), Value::Null, Error(401)),
        ("update B's", A, "PUT", format!("{base}/{b_id}"), edit.clone(), Error(404)),
        ("update B's", Key, "PUT", format!("{base}/{b_id}"), edit.clone(), Error(401)),
        ("update B's", None, "PUT", format!("{base}/{b_id}"), edit.clone(), Error(401)),
        ("delete B's", A, "DELETE", format!("{base}/{b_id}"), Value::Null, Error(404)),
        ("delete B's chosen", A, "DELETE", format!("{base}/b-chosen"), Value::Null, Error(404)),
        ("delete B's", Key, "DELETE", format!("{base}/{b_id}"), Value::Null, Error(401)),
        ("delete B's", None, "DELETE", format!("{base}/{b_id}"), Value::Null, Error(401)),
        ("insert", Key, "POST", base.to_owned(), note(v, "notes", "k"), Error(401)),
        ("insert", None, "POST", base.to_owned(), note(v, "notes", "n"), Error(401)),
        ("summary", A, "POST", format!("{base}/summary?layerIds=notes&volumeId={v}"), Value::Null, Clean),
        ("summary", Key, "POST", format!("{base}/summary?layerIds=notes&volumeId={v}"), Value::Null, Error(401)),
        ("summary", None, "POST", format!("{base}/summary?layerIds=notes&volumeId={v}"), Value::Null, Error(401)),
        ("layers.list", A, "GET", format!("/books/v1/volumes/{v}/layersummary"), Value::Null, Clean),
        ("layers.list", Key, "GET", format!("/books/v1/volumes/{v}/layersummary"), Value::Null, Clean),
        ("layers.list", None, "GET", format!("/books/v1/volumes/{v}/layersummary"), Value::Null, Error(403)),
        ("layers.get", A, "GET", format!("/books/v1/volumes/{v}/layersummary/notes"), Value::Null, Clean),
        ("layers.get", Key, "GET", format!("/books/v1/volumes/{v}/layersummary/notes"), Value::Null, Error(404)),
        ("volumeAnnotations.list", A, "GET", format!("/books/v1/volumes/{v}/layers/notes?contentVersion=x&showDeleted=true&updatedMin=1970-01-01T00:00:00Z"), Value::Null, Clean),
        ("volumeAnnotations.list", Key, "GET", format!("/books/v1/volumes/{v}/layers/notes?contentVersion=x"), Value::Null, Error(404)),
        ("volumeAnnotations.list", None, "GET", format!("/books/v1/volumes/{v}/layers/notes?contentVersion=x"), Value::Null, Error(403)),
        ("volumeAnnotations.get", A, "GET", format!("/books/v1/volumes/{v}/layers/notes/annotations/{b_id}"), Value::Null, Error(404)),
        ("volumeAnnotations.get", Key, "GET", format!("/books/v1/volumes/{v}/layers/notes/annotations/{b_id}"), Value::Null, Error(404)),
        ("annotationData.list", A, "GET", format!("/books/v1/volumes/{v}/layers/notes/data?contentVersion=x"), Value::Null, Clean),
        ("annotationData.list", Key, "GET", format!("/books/v1/volumes/{v}/layers/notes/data?contentVersion=x"), Value::Null, Error(404)),
        ("annotationData.get", A, "GET", format!("/books/v1/volumes/{v}/layers/notes/data/{b_id}?contentVersion=x"), Value::Null, Error(404)),
        ("layers.get", None, "GET", format!("/books/v1/volumes/{v}/layersummary/notes"), Value::Null, Error(403)),
        ("volumeAnnotations.get", None, "GET", format!("/books/v1/volumes/{v}/layers/notes/annotations/{b_id}"), Value::Null, Error(403)),
        ("annotationData.list", None, "GET", format!("/books/v1/volumes/{v}/layers/notes/data?contentVersion=x"), Value::Null, Error(403)),
        ("annotationData.get", Key, "GET", format!("/books/v1/volumes/{v}/layers/notes/data/{b_id}?contentVersion=x"), Value::Null, Error(404)),
        ("annotationData.get", None, "GET", format!("/books/v1/volumes/{v}/layers/notes/data/{b_id}?contentVersion=x"), Value::Null, Error(403)),
        ("recommended.list", A, "GET", "/books/v1/volumes/recommended".into(), Value::Null, Clean),
        ("recommended.list", Key, "GET", "/books/v1/volumes/recommended".into(), Value::Null, Error(401)),
        ("recommended.list", None, "GET", "/books/v1/volumes/recommended".into(), Value::Null, Error(401)),
        ("recommended.rate", A, "POST", format!("/books/v1/volumes/recommended/rate?rating=HAVE_IT&volumeId={v}"), Value::Null, Clean),
        ("recommended.rate", Key, "POST", format!("/books/v1/volumes/recommended/rate?rating=HAVE_IT&volumeId={v}"), Value::Null, Error(401)),
        ("recommended.rate", None, "POST", format!("/books/v1/volumes/recommended/rate?rating=HAVE_IT&volumeId={v}"), Value::Null, Error(401)),
        ("associated.list", Key, "GET", format!("/books/v1/volumes/{v}/associated"), Value::Null, Clean),
        ("associated.list", A, "GET", format!("/books/v1/volumes/{v}/associated"), Value::Null, Clean),
        ("associated.list", None, "GET", format!("/books/v1/volumes/{v}/associated"), Value::Null, Error(403)),
        // A's own annotation may reuse B's id: ids are per user, and B's stays untouched.
        ("insert with B's id", A, "POST", format!("{base}?annotationId={b_id}"), note(v, "notes", "A's own"), Clean),
        ("insert with B's chosen id", A, "POST", format!("{base}?annotationId=b-chosen"), note(v, "bookmarks", "A's own"), Clean),
    ];
    for (what, cred, method, path, body, expect) in cases {
        let r = match cred {
            A => call(app, method, &path, &a.token, &body).await,
            None => call(app, method, &path, "", &body).await,
            Key => {
                let sep = if path.contains('?') { '&' } else { '?' };
                call(
                    app,
                    method,
                    &format!("{path}{sep}key={}", app.key),
                    "",
                    &body,
                )
                .await
            }
        };
        let text = String::from_utf8_lossy(&r.body).into_owned();
        match expect {
            Error(status) => assert_eq!(r.status, status, "{what} as {cred:?}: {text}"),
            Clean => {
                assert_eq!(r.status, 200, "{what} as {cred:?}: {text}");
                for p in private {
                    if what.starts_with("insert with B") && (p == b_id || p == "b-chosen") {
                        continue;
                    }
                    assert!(!text.contains(p), "{what} as {cred:?} leaked {p:?}: {text}");
                }
            }
        }
        // Someone else's annotation answers exactly like an unknown one.
        if matches!((cred, expect), (A, Error(404))) && path.starts_with(base) {
            assert_eq!(
                r.json(),
                unknown_404.json(),
                "{what}: not-found bodies differ"
            );
        }
    }
    // A's key-less view of B's shelf-less recommendations: B's NOT_INTERESTED rating does not
    // hide emma from others' associated lists.
    let assoc = app
        .get_keyed(&format!("/books/v1/volumes/{pride}/associated"))
        .await
        .json();
    assert!(assoc.to_string().contains(&emma), "{assoc}");

    let after = b_state(app, &b.token, &pride).await;
    assert_eq!(
        before, after,
        "B's annotations, recommendations and budgets are unchanged"
    );
}
