//! Drives the server through `google-books1`, the generated Rust client of the Books API.

use google_books1::{Books, Error};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::support::TestApp;

fn hub(app: &TestApp) -> Books<HttpConnector> {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(HttpConnector::new());
    let mut hub = Books::new(client, google_books1::common::NoToken);
    hub.base_url(format!("{}/", app.base_url));
    hub.root_url(format!("{}/", app.base_url));
    hub
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_and_get_through_the_generated_client() {
    let app = TestApp::demo().await;
    let hub = hub(&app);
    let (resp, volumes) = hub
        .volumes()
        .list("pride prejudice")
        .param("key", &app.key)
        .doit()
        .await
        .expect("volumes.list");
    assert_eq!(resp.status(), 200);
    assert_eq!(volumes.kind.as_deref(), Some("books#volumes"));
    let items = volumes.items.expect("items");
    let first = &items[0];
    let info = first.volume_info.as_ref().expect("volumeInfo");
    assert_eq!(info.title.as_deref(), Some("Pride and Prejudice"));
    assert_eq!(
        info.authors.as_deref(),
        Some(&["Jane Austen".to_owned()][..])
    );
    let id = first.id.clone().expect("id");
    assert!(
        first.search_info.is_some(),
        "search results carry searchInfo"
    );

    let (_, volume) = hub
        .volumes()
        .get(&id)
        .param("key", &app.key)
        .doit()
        .await
        .expect("volumes.get");
    assert_eq!(volume.id.as_deref(), Some(id.as_str()));
    assert_eq!(volume.kind.as_deref(), Some("books#volume"));
    assert!(volume.search_info.is_none(), "get has no searchInfo");
    assert_eq!(
        volume.self_link,
        Some(format!("{}/books/v1/volumes/{id}", app.base_url))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upper_case_enums_and_paging_as_the_client_sends_them() {
    let app = TestApp::demo().await;
    let hub = hub(&app);
    let (_, lite) = hub
        .volumes()
        .list("inauthor:dickens")
        .projection("LITE")
        .print_type("BOOKS")
        .order_by("newest")
        .max_results(3)
        .param("key", &app.key)
        .doit()
        .await
        .expect("lite list");
    let items = lite.items.expect("items");
    assert_eq!(items.len(), 3);
    for v in &items {
        let info = v.volume_info.as_ref().expect("volumeInfo");
        assert!(
            info.industry_identifiers.is_none()
                && info.language.is_none()
                && info.preview_link.is_none()
        );
        assert!(info
            .authors
            .as_ref()
            .expect("authors")
            .iter()
            .any(|a| a.contains("Dickens")));
    }
    let dates: Vec<_> = items
        .iter()
        .map(|v| {
            v.volume_info
                .as_ref()
                .unwrap()
                .published_date
                .clone()
                .unwrap()
        })
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "orderBy=newest");

    let page = |start: u32| {
        hub.volumes()
            .list("inauthor:dickens")
            .start_index(start)
            .max_results(2)
            .param("key", &app.key)
            .doit()
    };
    let (_, p0) = page(0).await.expect("page 0");
    let (_, p1) = page(2).await.expect("page 1");
    let ids0: Vec<_> = p0
        .items
        .unwrap()
        .into_iter()
        .map(|v| v.id.unwrap())
        .collect();
    let ids1: Vec<_> = p1
        .items
        .unwrap()
        .into_iter()
        .map(|v| v.id.unwrap())
        .collect();
    assert_eq!(ids0.len(), 2);
    assert!(
        ids0.iter().all(|id| !ids1.contains(id)),
        "pages overlap: {ids0:?} {ids1:?}"
    );
    assert_eq!(p0.total_items, p1.total_items);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_reach_the_client_as_google_errors() {
    let app = TestApp::demo().await;
    let hub = hub(&app);
    match hub
        .volumes()
        .get("AAAAAAAAAAAA")
        .param("key", &app.key)
        .doit()
        .await
    {
        Err(Error::BadRequest(body)) => {
            assert_eq!(body["error"]["code"], 404);
            assert_eq!(body["error"]["errors"][0]["reason"], "notFound");
            assert_eq!(
                body["error"]["message"],
                "The volume ID could not be found."
            );
        }
        other => panic!("expected a 404 error body, got {other:?}"),
    }
    match hub
        .volumes()
        .list("dracula")
        .param("key", "AIzaNotAValidKey")
        .doit()
        .await
    {
        Err(Error::BadRequest(body)) => {
            assert_eq!(body["error"]["code"], 400);
            assert_eq!(body["error"]["details"][0]["reason"], "API_KEY_INVALID");
        }
        other => panic!("expected 400 API_KEY_INVALID, got {other:?}"),
    }
    match hub
        .volumes()
        .list("dracula")
        .max_results(41)
        .param("key", &app.key)
        .doit()
        .await
    {
        Err(Error::BadRequest(body)) => {
            assert_eq!(body["error"]["errors"][0]["location"], "maxResults");
            assert!(body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Values must be within the range: [0, 40]"));
        }
        other => panic!("expected 400 for maxResults=41, got {other:?}"),
    }
}

/// The generated client with an OAuth access token (its `GetToken` for a `String`) on a
/// user-bound method.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mylibrary_with_an_access_token_through_the_generated_client() {
    use crate::oauth_support::*;
    let app = TestApp::spawn(Default::default()).await;
    let cb = "https://app.example/cb";
    let web = client(&app, colophon_auth::ClientKind::Web, &[cb]).await;
    let mut b = signed_in(&app, "generated@example.org").await;
    let code = code_for(&mut b, &web.client.id, cb, &[]).await;
    let token = exchange(&app, &web, &code, cb, &[]).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(HttpConnector::new());
    let mut authed = Books::new(client, token);
    authed.base_url(format!("{}/", app.base_url));
    authed.root_url(format!("{}/", app.base_url));
    let (resp, shelves) = authed
        .mylibrary()
        .bookshelves_list()
        .doit()
        .await
        .expect("mylibrary.bookshelves.list");
    assert_eq!(resp.status(), 200);
    let items = shelves.items.expect("items");
    assert_eq!(items[0].title.as_deref(), Some("Favorites"));
    assert_eq!(items[0].id, Some(0));
    // Without a token the same call fails with Google's 401 body, which the client parses.
    match hub(&app).mylibrary().bookshelves_list().doit().await {
        Err(Error::BadRequest(body)) => {
            assert_eq!(body["error"]["code"], 401);
            assert_eq!(body["error"]["errors"][0]["reason"], "required");
        }
        other => panic!("expected Google's 401 error body, got {other:?}"),
    }
}
