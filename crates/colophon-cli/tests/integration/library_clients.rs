//! The personal library through `google-books1`, Google's generated Rust client, with an
//! access token from Colophon's own authorization-code flow; and the same library over
//! PostgreSQL.

use google_books1::{Books, Error};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::library_support::*;
use crate::oauth_support::*;
use crate::support::{with_postgres, Options, TestApp};

pub fn hub_with<T: google_books1::common::GetToken + 'static>(
    app: &TestApp,
    token: T,
) -> Books<HttpConnector> {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(HttpConnector::new());
    let mut hub = Books::new(client, token);
    hub.base_url(format!("{}/", app.base_url));
    hub.root_url(format!("{}/", app.base_url));
    hub
}

/// A token through the browser flow: sign up, authorize, consent, exchange the code.
async fn code_flow_token(app: &TestApp, email: &str) -> String {
    let cb = "https://app.example/cb";
    let web = client(app, colophon_auth::ClientKind::Web, &[cb]).await;
    let mut b = signed_in(app, email).await;
    let code = code_for(&mut b, &web.client.id, cb, &[]).await;
    exchange(app, &web, &code, cb, &[]).await.json()["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// Every library method of the generated client, on `app`.
async fn drive_the_library(app: &TestApp) {
    let ids = demo_ids(app, 3).await;
    let token = code_flow_token(app, "generated-library@example.org").await;
    let hub = hub_with(app, token.clone());
    let my = hub.mylibrary();
    for id in &ids {
        let (resp, _) = my
            .bookshelves_add_volume("3", id)
            .reason("IOS_SEARCH")
            .doit()
            .await
            .expect("addVolume");
        assert_eq!(resp.status(), 200);
    }
    my.bookshelves_move_volume("3", &ids[2], 0)
        .doit()
        .await
        .expect("moveVolume");
    my.bookshelves_remove_volume("3", &ids[1])
        .doit()
        .await
        .expect("removeVolume");
    let (_, shelf) = my.bookshelves_get("3").doit().await.expect("get");
    assert_eq!(shelf.title.as_deref(), Some("Reading now"));
    assert_eq!(shelf.volume_count, Some(2));
    let self_link = shelf.self_link.expect("selfLink");
    let user_id = self_link
        .split("/users/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("user id in selfLink")
        .to_owned();
    let (_, page) = my
        .bookshelves_volumes_list("3")
        .projection("FULL")
        .max_results(10)
        .doit()
        .await
        .expect("volumes.list");
    let got: Vec<String> = page
        .items
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.id.unwrap())
        .collect();
    assert_eq!(got, [ids[2].clone(), ids[0].clone()]);

    let when = chrono::Utc::now().to_rfc3339();
    my.readingpositions_set_position(&ids[0], "epubcfi(/6/4!/4/2/1:0)", &when)
        .action("chapter")
        .device_cookie("laptop")
        .doit()
        .await
        .expect("setPosition");
    let (_, pos) = my
        .readingpositions_get(&ids[0])
        .doit()
        .await
        .expect("readingpositions.get");
    assert_eq!(
        pos.epub_cfi_position.as_deref(),
        Some("epubcfi(/6/4!/4/2/1:0)")
    );
    assert_eq!(pos.kind.as_deref(), Some("books#readingPosition"));

    let (_, v) = hub
        .volumes()
        .get(&ids[0])
        .doit()
        .await
        .expect("volumes.get");
    let info = v.user_info.expect("userInfo with a token");
    assert_eq!(info.is_in_my_books, Some(true));
    assert!(info.reading_position.is_some());
    let (_, books) = hub
        .volumes()
        .mybooks_list()
        .add_acquire_method("SAMPLE")
        .add_acquire_method("PUBLIC_DOMAIN")
        .doit()
        .await
        .expect("mybooks");
    assert_eq!(books.total_items, Some(2));

    // The public side, with an API key and no token.
    let public = hub_with(app, google_books1::common::NoToken);
    let (_, shelves) = public
        .bookshelves()
        .list(&user_id)
        .param("key", &app.key)
        .doit()
        .await
        .expect("bookshelves.list");
    assert_eq!(shelves.items.expect("items").len(), 4);
    let (_, vols) = public
        .bookshelves()
        .volumes_list(&user_id, "3")
        .param("key", &app.key)
        .doit()
        .await
        .expect("bookshelves.volumes.list");
    assert_eq!(vols.total_items, Some(2));
    match public
        .bookshelves()
        .get(&user_id, "7")
        .param("key", &app.key)
        .doit()
        .await
    {
        Err(Error::BadRequest(body)) => assert_eq!(body["error"]["code"], 404),
        other => panic!("a private shelf must be a 404, got {other:?}"),
    }
    my.bookshelves_clear_volumes("3")
        .doit()
        .await
        .expect("clearVolumes");
    let (_, shelf) = my.bookshelves_get("3").doit().await.expect("get");
    assert_eq!(shelf.volume_count, Some(0));
    match my.bookshelves_add_volume("1", &ids[0]).doit().await {
        Err(Error::BadRequest(body)) => {
            assert_eq!(body["error"]["errors"][0]["reason"], "forbidden")
        }
        other => panic!("Purchased is not user-editable, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_through_the_generated_client() {
    let app = TestApp::demo().await;
    drive_the_library(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_over_postgres() {
    with_postgres("library test", |url| async move {
        let app = TestApp::spawn(Options {
            demo: true,
            database_url: Some(url.clone()),
            ..Options::default()
        })
        .await;
        drive_the_library(&app).await;
        // Concurrent adds from several "devices" on PostgreSQL's row locks.
        let a = reader(&app, "pg-devices@example.org").await;
        let ids = demo_ids(&app, 12).await;
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for id in ids.clone() {
            let (app, token) = (app.clone(), a.token.clone());
            tasks.push(tokio::spawn(async move {
                post_ok(&app, &format!("/books/v1/mylibrary/bookshelves/0/addVolume?volumeId={id}"), &token).await;
                post_ok(&app, &format!("/books/v1/mylibrary/bookshelves/0/moveVolume?volumeId={id}&volumePosition=0"), &token).await;
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        let shelf = get_ok(&app, "/books/v1/mylibrary/bookshelves/0", &a.token).await;
        assert_eq!(shelf["volumeCount"], 12);
        let page = get_ok(
            &app,
            "/books/v1/mylibrary/bookshelves/0/volumes?maxResults=40",
            &a.token,
        )
        .await;
        let mut got = ids_of(&page);
        got.sort();
        let mut want = ids;
        want.sort();
        assert_eq!(got, want);
    })
    .await;
}
