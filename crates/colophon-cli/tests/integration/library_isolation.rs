//! Isolation: no request of user A — with A's token, the app's API key, or no credential —
//! reads or changes anything private of user B, for every method of the personal library.
//!
//! B's private data: B's reading position, B's `userInfo`, B's library as a whole
//! (`mybooks`, `libraryRestrict=my-library`), B's private shelves; B's state as a whole must
//! not change. Every method is called with every credential, aimed at B wherever a request
//! can name a user or a volume of B's, and B's state is compared before and after.

use crate::library_support::*;
use crate::support::{with_postgres, Options, TestApp};

/// B's position string: it must never appear in a response to anybody but B.
const B_POSITION: &str = "epubcfi(/6/14!/4/2/1:777)";

async fn snapshot(app: &TestApp, b: &Reader, ids: &[String]) -> Vec<serde_json::Value> {
    let mut out = vec![get_ok(app, "/books/v1/mylibrary/bookshelves", &b.token).await];
    for shelf in [0, 1, 2, 3, 4, 5, 6, 7] {
        out.push(
            get_ok(
                app,
                &format!("/books/v1/mylibrary/bookshelves/{shelf}/volumes?maxResults=100"),
                &b.token,
            )
            .await,
        );
    }
    for id in ids {
        out.push(
            get_ok(
                app,
                &format!("/books/v1/mylibrary/readingpositions/{id}"),
                &b.token,
            )
            .await,
        );
    }
    out.push(get_ok(app, "/books/v1/volumes/mybooks", &b.token).await);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_of_a_reaches_bs_private_data() {
    isolation(&TestApp::demo().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_of_a_reaches_bs_private_data_on_postgres() {
    with_postgres("library isolation test", |url| async move {
        let app = TestApp::spawn(Options {
            demo: true,
            database_url: Some(url),
            ..Options::default()
        })
        .await;
        isolation(&app).await;
    })
    .await;
}

async fn isolation(app: &TestApp) {
    let a = reader(app, "alice@example.org").await;
    let b = reader(app, "bob@example.org").await;
    let ids = demo_ids(app, 4).await;
    let (v_pub, v_private, v_a, v_free) = (&ids[0], &ids[1], &ids[2], &ids[3]);
    // B: one volume on a public shelf, one only in B's reading history (private).
    post_ok(
        app,
        &format!("/books/v1/mylibrary/bookshelves/2/addVolume?volumeId={v_pub}"),
        &b.token,
    )
    .await;
    let ts = crate::oauth_support::enc(&chrono::Utc::now().to_rfc3339());
    post_ok(
        app,
        &format!("/books/v1/mylibrary/readingpositions/{v_private}/setPosition?position={B_POSITION}&timestamp={ts}"),
        &b.token,
    )
    .await;
    // A has a library of its own, so that A's writes below have something to act on.
    post_ok(
        app,
        &format!("/books/v1/mylibrary/bookshelves/2/addVolume?volumeId={v_a}"),
        &a.token,
    )
    .await;
    let before = snapshot(app, &b, &ids).await;
    assert!(
        before.iter().any(|v| v.to_string().contains(B_POSITION)),
        "B sees B's position"
    );

    let b_id = &b.id;
    let later =
        crate::oauth_support::enc(&(chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339());
    // Every method of the feature, aimed at B's user id, shelves and volumes wherever a
    // request can name them (a `userId` parameter is not part of any mylibrary method and
    // must be ignored).
    let requests: Vec<(&str, String)> = vec![
        ("GET", format!("/books/v1/users/{b_id}/bookshelves")),
        ("GET", format!("/books/v1/users/{b_id}/bookshelves/2")),
        ("GET", format!("/books/v1/users/{b_id}/bookshelves/1")),
        ("GET", format!("/books/v1/users/{b_id}/bookshelves/6")),
        ("GET", format!("/books/v1/users/{b_id}/bookshelves/2/volumes")),
        ("GET", format!("/books/v1/users/{b_id}/bookshelves/7/volumes")),
        ("GET", format!("/books/v1/mylibrary/bookshelves?userId={b_id}")),
        ("GET", format!("/books/v1/mylibrary/bookshelves/2?userId={b_id}")),
        ("GET", format!("/books/v1/mylibrary/bookshelves/2/volumes?userId={b_id}")),
        ("GET", format!("/books/v1/mylibrary/bookshelves/2/volumes?q=the&userId={b_id}")),
        ("POST", format!("/books/v1/mylibrary/bookshelves/2/addVolume?volumeId={v_free}&userId={b_id}")),
        ("POST", format!("/books/v1/mylibrary/bookshelves/2/removeVolume?volumeId={v_pub}&userId={b_id}")),
        ("POST", format!("/books/v1/mylibrary/bookshelves/2/moveVolume?volumeId={v_pub}&volumePosition=0&userId={b_id}")),
        ("POST", format!("/books/v1/mylibrary/bookshelves/2/clearVolumes?userId={b_id}")),
        ("GET", format!("/books/v1/mylibrary/readingpositions/{v_private}?userId={b_id}")),
        (
            "POST",
            format!("/books/v1/mylibrary/readingpositions/{v_private}/setPosition?position=1&timestamp={later}&userId={b_id}"),
        ),
        ("GET", format!("/books/v1/volumes/mybooks?userId={b_id}")),
        ("GET", format!("/books/v1/volumes/{v_private}")),
        ("GET", format!("/books/v1/volumes/{v_pub}")),
        ("GET", "/books/v1/volumes?q=the&maxResults=40".to_owned()),
        ("GET", "/books/v1/volumes?q=the&libraryRestrict=my-library&maxResults=40".to_owned()),
        // Paths that do not exist must not become writes to B's shelves.
        ("POST", format!("/books/v1/users/{b_id}/bookshelves/2/addVolume?volumeId={v_free}")),
        ("POST", format!("/books/v1/users/{b_id}/bookshelves/2/clearVolumes")),
    ];
    for cred in [Cred::Token(&a.token), Cred::Key, Cred::None] {
        for (method, path) in &requests {
            let r = call(app, method, path, cred).await;
            let body = String::from_utf8_lossy(&r.body).into_owned();
            let what = format!("{method} {path} with {cred:?}: {} {body}", r.status);
            assert!(
                !body.contains(B_POSITION),
                "B's reading position leaked: {what}"
            );
            assert!(r.status < 500, "{what}");
            let private_shelf = path.contains("/bookshelves/1")
                || path.contains("/bookshelves/6")
                || path.contains("/bookshelves/7");
            if path.contains("/users/") && private_shelf && method == &"GET" {
                assert!(
                    matches!(r.status, 403 | 404),
                    "a private shelf of B's is visible: {what}"
                );
            }
            if r.status == 200 && body.starts_with('{') {
                let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
                if path.contains("/users/") && path.ends_with("/bookshelves") {
                    for s in v["items"].as_array().expect("items") {
                        assert_eq!(s["access"], "PUBLIC", "{what}");
                    }
                }
                // Whatever A sees of B's volumes, the userInfo is A's, not B's.
                for item in v["items"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .chain(std::iter::once(&v))
                {
                    let id = item["id"].as_str().unwrap_or_default();
                    if id == v_private.as_str() || id == v_pub.as_str() {
                        let info = &item["userInfo"];
                        assert!(
                            info.is_null() || info["isInMyBooks"] != true,
                            "B's shelving shows through userInfo: {what}"
                        );
                    }
                }
                if path.contains("my-library") || path.contains("mybooks") {
                    let seen = ids_of(&v);
                    assert!(
                        !seen.contains(v_pub) && !seen.contains(v_private),
                        "B's library shows: {what}"
                    );
                }
            }
            match cred {
                Cred::Token(_) => {}
                Cred::Key | Cred::None
                    if path.contains("/mylibrary/")
                        || path.contains("mybooks")
                        || path.contains("my-library") =>
                {
                    assert!(
                        matches!(r.status, 401 | 403 | 404 | 405),
                        "user data without a user: {what}"
                    );
                }
                _ => {}
            }
        }
    }
    let after = snapshot(app, &b, &ids).await;
    assert_eq!(before, after, "B's library changed");
    // A's own writes did land on A's library (the requests were real).
    let a_shelf = get_ok(app, "/books/v1/mylibrary/bookshelves/2/volumes", &a.token).await;
    assert_eq!(
        a_shelf.get("items"),
        None,
        "A's clearVolumes emptied A's shelf: {a_shelf}"
    );
    let a_pos = get_ok(
        app,
        &format!("/books/v1/mylibrary/readingpositions/{v_private}"),
        &a.token,
    )
    .await;
    assert_eq!(a_pos["pdfPosition"], "1", "A's setPosition is A's: {a_pos}");
}
