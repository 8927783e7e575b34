//! `volumes.recommended.*`, `volumes.associated.list` and `layers.*` end to end, on SQLite
//! and (when `COLOPHON_TEST_DATABASE_URL` is set) PostgreSQL.

use serde_json::Value;

use crate::annotations::{call, note, user, volume};
use crate::support::{shared_dir, with_postgres, Options, TestApp};

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|v| v["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn recommendations(app: &TestApp) {
    let pride = volume(app, "intitle:pride+inauthor:austen").await;
    let emma = volume(app, "intitle:emma+inauthor:austen").await;
    let u = user(app, "recs@example.org").await;
    let rec = "/books/v1/volumes/recommended";

    // Nothing read yet: nothing to recommend.
    let empty = call(app, "GET", rec, &u.token, &Value::Null).await.json();
    assert_eq!(empty["kind"], "books#volumes");
    assert_eq!(empty["totalItems"], 0);
    assert!(empty.get("items").is_none());

    // Annotating Pride and Prejudice seeds recommendations: Austen first, never the seed.
    call(
        app,
        "POST",
        "/books/v1/mylibrary/annotations",
        &u.token,
        &note(&pride, "notes", "x"),
    )
    .await;
    let page = call(app, "GET", rec, &u.token, &Value::Null).await.json();
    let got = ids(&page);
    assert!(!got.is_empty(), "{page}");
    assert!(
        !got.contains(&pride),
        "the seed itself is never recommended"
    );
    assert!(got.contains(&emma), "{page}");
    let austen = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .take_while(|v| v["volumeInfo"]["authors"][0] == "Jane Austen")
        .count();
    assert!(austen >= 4, "Austen's other novels come first: {page}");
    assert_eq!(
        page["items"][0]["recommendedInfo"]["explanation"],
        "By Jane Austen, like Pride and Prejudice."
    );
    // Deterministic.
    assert_eq!(
        call(app, "GET", rec, &u.token, &Value::Null).await.json(),
        page
    );
    let mild = call(
        app,
        "GET",
        &format!("{rec}?maxAllowedMaturityRating=not-mature"),
        &u.token,
        &Value::Null,
    )
    .await
    .json();
    for v in mild["items"].as_array().into_iter().flatten() {
        assert_ne!(v["volumeInfo"]["maturityRating"], "MATURE", "{v}");
    }

    // Rating removes a volume from the recommendations.
    let r = call(
        app,
        "POST",
        &format!("{rec}/rate?rating=NOT_INTERESTED&volumeId={emma}"),
        &u.token,
        &Value::Null,
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.json()["consistency_token"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    let second = got.iter().find(|id| **id != emma).unwrap().clone();
    call(
        app,
        "POST",
        &format!("{rec}/rate?rating=HAVE_IT&volumeId={second}"),
        &u.token,
        &Value::Null,
    )
    .await;
    let after = ids(&call(app, "GET", rec, &u.token, &Value::Null).await.json());
    assert!(
        !after.contains(&emma) && !after.contains(&second),
        "{after:?}"
    );
    // A rated volume is not suggested by associated lists either, for that user only.
    let assoc_user = ids(&call(
        app,
        "GET",
        &format!("/books/v1/volumes/{pride}/associated"),
        &u.token,
        &Value::Null,
    )
    .await
    .json());
    assert!(!assoc_user.contains(&emma));

    for (path, status, reason) in [
        (format!("{rec}/rate?volumeId={emma}"), 400, "required"),
        (
            format!("{rec}/rate?rating=LOVE_IT&volumeId={emma}"),
            400,
            "invalid",
        ),
        (
            format!("{rec}/rate?rating=RATING_UNDEFINED&volumeId={emma}"),
            400,
            "invalid",
        ),
        (format!("{rec}/rate?rating=HAVE_IT"), 400, "required"),
        (
            format!("{rec}/rate?rating=HAVE_IT&volumeId=zzzzzzzzzzzz"),
            404,
            "notFound",
        ),
    ] {
        call(app, "POST", &path, &u.token, &Value::Null)
            .await
            .assert_error(status, reason);
    }
    call(
        app,
        "GET",
        &format!("{rec}?maxAllowedMaturityRating=teen"),
        &u.token,
        &Value::Null,
    )
    .await
    .assert_error(400, "invalid");

    // Associated: books like one volume, with an API key.
    let assoc = app
        .get_keyed(&format!(
            "/books/v1/volumes/{pride}/associated?association=end-of-volume"
        ))
        .await
        .json();
    let a = ids(&assoc);
    assert!(a.contains(&emma) && !a.contains(&pride), "{assoc}");
    assert_eq!(assoc["totalItems"], a.len());
    app.get_keyed(&format!(
        "/books/v1/volumes/{pride}/associated?association=sideways"
    ))
    .await
    .assert_error(400, "invalid");
    app.get_keyed("/books/v1/volumes/zzzzzzzzzzzz/associated")
        .await
        .assert_error(404, "notFound");
}

async fn layers(app: &TestApp) {
    let pride = volume(app, "intitle:pride+inauthor:austen").await;
    let u = user(app, "layers@example.org").await;
    let v = format!("/books/v1/volumes/{pride}");

    // A key sees no layers (the demo catalog has none); the user sees their own.
    let none = app.get_keyed(&format!("{v}/layersummary")).await.json();
    assert_eq!(none["kind"], "books#layersummaries");
    assert_eq!(none["totalItems"], 0);
    let created = call(
        app,
        "POST",
        "/books/v1/mylibrary/annotations",
        &u.token,
        &note(&pride, "notes", "layered"),
    )
    .await
    .json();
    let id = created["id"].as_str().unwrap();
    let mine = call(
        app,
        "GET",
        &format!("{v}/layersummary"),
        &u.token,
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(mine["totalItems"], 1, "{mine}");
    let s = &mine["items"][0];
    assert_eq!(s["kind"], "books#layersummary");
    assert_eq!(s["layerId"], "notes");
    assert_eq!(s["annotationCount"], 1);
    assert_eq!(
        s["annotationsLink"],
        format!("{}{v}/layers/notes", app.base_url).as_str()
    );
    let one = call(
        app,
        "GET",
        &format!("{v}/layersummary/notes"),
        &u.token,
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(&one, s);
    call(
        app,
        "GET",
        &format!("{v}/layersummary/geo"),
        &u.token,
        &Value::Null,
    )
    .await
    .assert_error(404, "notFound");

    let list = call(
        app,
        "GET",
        &format!("{v}/layers/notes?contentVersion=1"),
        &u.token,
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(list["kind"], "books#volumeannotations");
    assert_eq!(list["totalItems"], 1);
    assert_eq!(list["items"][0]["id"], id);
    assert_eq!(list["items"][0]["annotationType"], "note");
    assert_eq!(
        list["items"][0]["contentRanges"]["gbTextRange"]["startPosition"],
        "GBS.PA1.w.0"
    );
    let got = call(
        app,
        "GET",
        &format!("{v}/layers/notes/annotations/{id}"),
        &u.token,
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(got, list["items"][0]);
    call(
        app,
        "GET",
        &format!("{v}/layers/notes"),
        &u.token,
        &Value::Null,
    )
    .await
    .assert_error(400, "required");
    call(
        app,
        "GET",
        &format!("{v}/layers/bookmarks/annotations/{id}"),
        &u.token,
        &Value::Null,
    )
    .await
    .assert_error(404, "notFound");
    let data = call(
        app,
        "GET",
        &format!("{v}/layers/notes/data?contentVersion=1"),
        &u.token,
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(
        data,
        serde_json::json!({"kind": "books#annotationsdata", "totalItems": 0})
    );
    call(
        app,
        "GET",
        &format!("{v}/layers/notes/data/x?contentVersion=1"),
        &u.token,
        &Value::Null,
    )
    .await
    .assert_error(404, "notFound");
    call(
        app,
        "GET",
        &format!("{v}/layers/notes/data?contentVersion=1&w=100"),
        &u.token,
        &Value::Null,
    )
    .await
    .assert_error(400, "invalid");
    app.get_keyed("/books/v1/volumes/zzzzzzzzzzzz/layersummary")
        .await
        .assert_error(404, "notFound");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recommendations_and_layers_on_sqlite() {
    let app = TestApp::demo().await;
    recommendations(&app).await;
    layers(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recommendations_and_layers_on_postgres() {
    with_postgres("recommendation test", |url| async move {
        let app = TestApp::spawn(Options {
            demo: true,
            database_url: Some(url.clone()),
            ..Options::default()
        })
        .await;
        recommendations(&app).await;
        layers(&app).await;
    })
    .await;
}

/// A catalog layer (the recorded volume's `layerInfo`: `geo`): listed for everyone, with no
/// annotations and no data; its gets answer 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_layers_are_listed_and_empty() {
    let file =
        shared_dir().join("reference/fixtures/volumes.get--G7utDwAAQBAJ-full--jellyfin.json");
    let app = TestApp::spawn(Options {
        googlebooks_files: vec![file],
        ..Options::default()
    })
    .await;
    let v = "/books/v1/volumes/G7utDwAAQBAJ";
    let list = app.get_keyed(&format!("{v}/layersummary")).await.json();
    assert_eq!(list["totalItems"], 1, "{list}");
    assert_eq!(list["items"][0]["layerId"], "geo");
    assert_eq!(list["items"][0]["volumeAnnotationsVersion"], "3");
    assert_eq!(list["items"][0]["annotationCount"], 0);
    let geo = app.get_keyed(&format!("{v}/layersummary/geo")).await.json();
    assert_eq!(geo, list["items"][0]);
    let anns = app
        .get_keyed(&format!("{v}/layers/geo?contentVersion=x"))
        .await
        .json();
    assert_eq!(anns["totalItems"], 0);
    assert_eq!(anns["version"], "3");
    assert!(anns.get("items").is_none());
    app.get_keyed(&format!("{v}/layers/geo/annotations/a1"))
        .await
        .assert_error(404, "notFound");
    let data = app
        .get_keyed(&format!("{v}/layers/geo/data?contentVersion=x"))
        .await
        .json();
    assert_eq!(data["totalItems"], 0);
    app.get_keyed(&format!("{v}/layers/geo/data/d1?contentVersion=x"))
        .await
        .assert_error(404, "notFound");
    // Writing into a catalog layer is refused.
    let u = user(&app, "geo@example.org").await;
    call(
        &app,
        "POST",
        "/books/v1/mylibrary/annotations",
        &u.token,
        &note("G7utDwAAQBAJ", "geo", "x"),
    )
    .await
    .assert_error(400, "invalid");
}

/// A shelved volume seeds the user's recommendations, and what is on a shelf is never
/// recommended back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shelved_volumes_seed_recommendations() {
    let app = TestApp::demo().await;
    let pride = volume(&app, "intitle:pride+inauthor:austen").await;
    let emma = volume(&app, "intitle:emma+inauthor:austen").await;
    let u = user(&app, "shelves-recs@example.org").await;
    let rec = "/books/v1/volumes/recommended";
    let empty = call(&app, "GET", rec, &u.token, &Value::Null).await.json();
    assert_eq!(empty["totalItems"], 0, "{empty}");

    for id in [&pride, &emma] {
        call(
            &app,
            "POST",
            &format!("/books/v1/mylibrary/bookshelves/2/addVolume?volumeId={id}"),
            &u.token,
            &Value::Null,
        )
        .await;
    }
    let page = call(&app, "GET", rec, &u.token, &Value::Null).await.json();
    let got = ids(&page);
    assert!(!got.is_empty(), "shelved volumes are seeds: {page}");
    assert!(
        !got.contains(&pride) && !got.contains(&emma),
        "shelved volumes are never recommended: {page}"
    );
    assert_eq!(
        page["items"][0]["volumeInfo"]["authors"][0], "Jane Austen",
        "Austen's other novels first: {page}"
    );
}

/// Co-shelving: readers who put two volumes on their public shelves make each associated
/// with the other, whatever the catalog's own signals say.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn co_shelved_volumes_are_associated() {
    let app = TestApp::demo().await;
    let pride = volume(&app, "intitle:pride+inauthor:austen").await;
    let dracula = volume(&app, "intitle:dracula+inauthor:stoker").await;
    let associated = format!("/books/v1/volumes/{pride}/associated");
    let before = app.get_keyed(&associated).await.json();
    assert!(
        !ids(&before).contains(&dracula),
        "no signal links them yet: {before}"
    );
    for email in ["co1@example.org", "co2@example.org"] {
        let u = user(&app, email).await;
        for (shelf, id) in [(0, &pride), (2, &dracula)] {
            call(
                &app,
                "POST",
                &format!("/books/v1/mylibrary/bookshelves/{shelf}/addVolume?volumeId={id}"),
                &u.token,
                &Value::Null,
            )
            .await;
        }
    }
    let after = app.get_keyed(&associated).await.json();
    assert!(
        ids(&after).contains(&dracula),
        "Dracula is associated now: {after}"
    );
    // A third reader who shelved Pride and Prejudice gets Dracula recommended, saying why.
    let reader = user(&app, "co3@example.org").await;
    call(
        &app,
        "POST",
        &format!("/books/v1/mylibrary/bookshelves/4/addVolume?volumeId={pride}"),
        &reader.token,
        &Value::Null,
    )
    .await;
    let recs = call(
        &app,
        "GET",
        "/books/v1/volumes/recommended",
        &reader.token,
        &Value::Null,
    )
    .await
    .json();
    let item = recs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == dracula.as_str())
        .unwrap_or_else(|| panic!("Dracula is recommended: {recs}"));
    assert_eq!(
        item["recommendedInfo"]["explanation"],
        "2 readers who shelved Pride and Prejudice shelved it too."
    );
}
