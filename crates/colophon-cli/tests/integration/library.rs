//! The personal library over HTTP: `mylibrary.bookshelves.*`, `bookshelves.*`,
//! `mylibrary.readingpositions.*`, `volumes.mybooks.list`, `userInfo` and
//! `libraryRestrict=my-library`, with their errors, and concurrent writers.

use chrono::Duration;
use colophon_auth::Clock as _;

use crate::library_support::*;
use crate::support::TestApp;

const SHELF2: &str = "/books/v1/mylibrary/bookshelves/2";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shelves_fill_reorder_and_empty() {
    let app = TestApp::demo().await;
    let a = reader(&app, "shelves@example.org").await;
    let created = app.clock.now();
    let ids = demo_ids(&app, 4).await;

    let list = get_ok(&app, "/books/v1/mylibrary/bookshelves", &a.token).await;
    let items = list["items"].as_array().expect("items");
    let shelf_ids: Vec<i64> = items.iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(shelf_ids, [0, 3, 2, 4, 1, 5, 6, 7]);
    assert_eq!(items[1]["title"], "Reading now");
    assert_eq!(items[4]["access"], "PRIVATE");
    assert_eq!(items[0]["access"], "PUBLIC");
    let keys: Vec<&str> = items[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "kind",
            "id",
            "selfLink",
            "title",
            "access",
            "updated",
            "created",
            "volumeCount",
            "volumesLastUpdated"
        ]
    );
    assert_eq!(
        items[2]["selfLink"],
        format!("{}/books/v1/users/{}/bookshelves/2", app.base_url, a.id)
    );
    assert_eq!(items[2]["volumeCount"], 0);
    assert_eq!(items[2]["created"], items[2]["volumesLastUpdated"]);

    // Adds at a later time: count and volumesLastUpdated move, created and updated do not.
    app.clock.advance(Duration::minutes(5));
    for id in &ids {
        post_ok(
            &app,
            &format!("{SHELF2}/addVolume?volumeId={id}&reason=IOS_SEARCH"),
            &a.token,
        )
        .await;
    }
    post_ok(
        &app,
        &format!("{SHELF2}/addVolume?volumeId={}", ids[0]),
        &a.token,
    )
    .await;
    let shelf = get_ok(&app, SHELF2, &a.token).await;
    assert_eq!(
        shelf["volumeCount"], 4,
        "a repeated add changes nothing: {shelf}"
    );
    assert_eq!(shelf["created"], items[2]["created"]);
    assert_eq!(shelf["updated"], items[2]["updated"]);
    assert_ne!(shelf["volumesLastUpdated"], shelf["created"]);
    let _ = created;
    let page = get_ok(&app, &format!("{SHELF2}/volumes"), &a.token).await;
    assert_eq!(page["totalItems"], 4);
    assert_eq!(ids_of(&page), ids);
    assert_eq!(page["items"][0]["userInfo"]["isInMyBooks"], true);

    // Moves: the last first, then the first to the middle.
    post_ok(
        &app,
        &format!("{SHELF2}/moveVolume?volumeId={}&volumePosition=0", ids[3]),
        &a.token,
    )
    .await;
    post_ok(
        &app,
        &format!("{SHELF2}/moveVolume?volumeId={}&volumePosition=2", ids[3]),
        &a.token,
    )
    .await;
    let page = get_ok(
        &app,
        &format!("{SHELF2}/volumes?maxResults=3&startIndex=1"),
        &a.token,
    )
    .await;
    assert_eq!(
        ids_of(&page),
        [ids[1].clone(), ids[3].clone(), ids[2].clone()]
    );
    assert_eq!(page["totalItems"], 4);

    // q searches within the shelf only.
    let title = get_ok(&app, &format!("/books/v1/volumes/{}", ids[1]), &a.token).await
        ["volumeInfo"]["title"]
        .as_str()
        .unwrap()
        .to_owned();
    let word = title
        .split_whitespace()
        .max_by_key(|w| w.len())
        .unwrap()
        .to_owned();
    let found = get_ok(
        &app,
        &format!("{SHELF2}/volumes?q={}", crate::oauth_support::enc(&word)),
        &a.token,
    )
    .await;
    assert!(ids_of(&found).contains(&ids[1]), "{found}");
    assert!(ids_of(&found).iter().all(|id| ids.contains(id)), "{found}");
    let lite = get_ok(
        &app,
        &format!("{SHELF2}/volumes?projection=LITE&maxResults=1"),
        &a.token,
    )
    .await;
    assert!(lite["items"][0]["volumeInfo"]["language"].is_null());
    assert!(
        lite["items"][0]["userInfo"]["isInMyBooks"].is_null(),
        "not a LITE field"
    );

    post_ok(
        &app,
        &format!(
            "{SHELF2}/removeVolume?volumeId={}&reason=ONBOARDING",
            ids[0]
        ),
        &a.token,
    )
    .await;
    post_ok(
        &app,
        &format!("{SHELF2}/removeVolume?volumeId={}", ids[0]),
        &a.token,
    )
    .await;
    assert_eq!(get_ok(&app, SHELF2, &a.token).await["volumeCount"], 3);
    post_ok(&app, &format!("{SHELF2}/clearVolumes"), &a.token).await;
    let shelf = get_ok(&app, SHELF2, &a.token).await;
    assert_eq!(shelf["volumeCount"], 0);
    let page = get_ok(&app, &format!("{SHELF2}/volumes"), &a.token).await;
    assert_eq!(
        page,
        serde_json::json!({"kind": "books#volumes", "totalItems": 0})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shelf_errors_are_google_errors() {
    let app = TestApp::demo().await;
    let a = reader(&app, "errors@example.org").await;
    let ids = demo_ids(&app, 2).await;
    let post = |path: String| {
        let app = &app;
        let token = a.token.clone();
        async move { call(app, "POST", &path, Cred::Token(&token)).await }
    };
    let mb = "/books/v1/mylibrary/bookshelves";
    post(format!("{mb}/9/addVolume?volumeId={}", ids[0]))
        .await
        .assert_error(404, "notFound");
    post(format!("{mb}/abc/addVolume?volumeId={}", ids[0]))
        .await
        .assert_error(404, "notFound");
    get_ok(&app, &format!("{mb}/7"), &a.token).await;
    call(&app, "GET", &format!("{mb}/1001"), Cred::Token(&a.token))
        .await
        .assert_error(404, "notFound");
    for read_only in [1, 5, 6, 7] {
        let e = post(format!("{mb}/{read_only}/addVolume?volumeId={}", ids[0]))
            .await
            .assert_error(403, "forbidden");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("not user-editable"),
            "{e}"
        );
        post(format!("{mb}/{read_only}/clearVolumes"))
            .await
            .assert_error(403, "forbidden");
    }
    post(format!("{mb}/2/addVolume"))
        .await
        .assert_error(400, "required");
    post(format!("{mb}/2/addVolume?volumeId=AAAAAAAAAAAA"))
        .await
        .assert_error(404, "notFound");
    post(format!("{mb}/2/addVolume?volumeId=short"))
        .await
        .assert_error(404, "notFound");
    post(format!(
        "{mb}/2/addVolume?volumeId={}&reason=BECAUSE",
        ids[0]
    ))
    .await
    .assert_error(400, "invalid");
    post(format!(
        "{mb}/2/removeVolume?volumeId={}&reason=IOS_PREX",
        ids[0]
    ))
    .await
    .assert_error(400, "invalid");
    post(format!("{mb}/2/removeVolume?volumeId=AAAAAAAAAAAA"))
        .await
        .assert_error(404, "notFound");
    post_ok(
        &app,
        &format!("{mb}/2/addVolume?volumeId={}", ids[0]),
        &a.token,
    )
    .await;
    post(format!("{mb}/2/moveVolume?volumeId={}", ids[0]))
        .await
        .assert_error(400, "required");
    let e = post(format!(
        "{mb}/2/moveVolume?volumeId={}&volumePosition=-1",
        ids[0]
    ))
    .await
    .assert_error(400, "invalid");
    assert_eq!(e["error"]["errors"][0]["location"], "volumePosition");
    post(format!(
        "{mb}/2/moveVolume?volumeId={}&volumePosition=x",
        ids[0]
    ))
    .await
    .assert_error(400, "invalid");
    let e = post(format!(
        "{mb}/2/moveVolume?volumeId={}&volumePosition=1",
        ids[0]
    ))
    .await
    .assert_error(400, "invalid");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("[0, 0]"),
        "{e}"
    );
    post(format!(
        "{mb}/2/moveVolume?volumeId={}&volumePosition=0",
        ids[1]
    ))
    .await
    .assert_error(404, "notFound");
    // Wrong method, no token, bad token.
    let r = call(
        &app,
        "GET",
        &format!("{mb}/2/addVolume?volumeId={}", ids[0]),
        Cred::Token(&a.token),
    )
    .await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    call(&app, "POST", &format!("{mb}/2/clearVolumes"), Cred::Key)
        .await
        .assert_error(401, "required");
    call(
        &app,
        "POST",
        &format!("{mb}/2/clearVolumes"),
        Cred::Token("ya29.bogus"),
    )
    .await
    .assert_error(401, "authError");
    assert_eq!(
        get_ok(&app, &format!("{mb}/2"), &a.token).await["volumeCount"],
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_shelves_by_user_id() {
    let app = TestApp::demo().await;
    let a = reader(&app, "public@example.org").await;
    let ids = demo_ids(&app, 2).await;
    post_ok(
        &app,
        &format!(
            "/books/v1/mylibrary/bookshelves/4/addVolume?volumeId={}",
            ids[0]
        ),
        &a.token,
    )
    .await;
    let base = format!("/books/v1/users/{}/bookshelves", a.id);
    let r = call(&app, "GET", &base, Cred::Key).await;
    assert_eq!(r.status, 200);
    let list = r.json();
    let shown: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        shown,
        [0, 3, 2, 4],
        "public shelves only, in Google's order"
    );
    assert_eq!(list["items"][3]["volumeCount"], 1);
    let one = call(&app, "GET", &format!("{base}/4"), Cred::Key)
        .await
        .json();
    assert_eq!(one["title"], "Have read");
    assert_eq!(one["selfLink"], format!("{}{base}/4", app.base_url));
    let vols = call(&app, "GET", &format!("{base}/4/volumes"), Cred::Key)
        .await
        .json();
    assert_eq!(ids_of(&vols), [ids[0].clone()]);
    assert!(
        vols["items"][0]["userInfo"].is_null(),
        "no user, no userInfo"
    );
    for private in [1, 5, 6, 7, 8, 1001] {
        call(&app, "GET", &format!("{base}/{private}"), Cred::Key)
            .await
            .assert_error(404, "notFound");
        call(&app, "GET", &format!("{base}/{private}/volumes"), Cred::Key)
            .await
            .assert_error(404, "notFound");
    }
    call(
        &app,
        "GET",
        "/books/v1/users/123456789012345678901/bookshelves",
        Cred::Key,
    )
    .await
    .assert_error(404, "notFound");
    call(&app, "GET", &base, Cred::None)
        .await
        .assert_error(403, "forbidden");
    call(
        &app,
        "GET",
        &format!("{base}/4/volumes?maxResults=41"),
        Cred::Key,
    )
    .await
    .assert_error(400, "invalid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_positions_keep_the_newest() {
    let app = TestApp::demo().await;
    let a = reader(&app, "positions@example.org").await;
    let ids = demo_ids(&app, 1).await;
    let v = &ids[0];
    let rp = format!("/books/v1/mylibrary/readingpositions/{v}");
    let none = get_ok(&app, &rp, &a.token).await;
    assert_eq!(
        none,
        serde_json::json!({"kind": "books#readingPosition", "volumeId": v})
    );
    let now = app.clock.now();
    let ts = |d: i64| crate::oauth_support::enc(&(now - Duration::minutes(d)).to_rfc3339());
    post_ok(&app, &format!("{rp}/setPosition?position=epubcfi(/6/8)&timestamp={}&action=next-page&deviceCookie=phone&contentVersion=1.0", ts(5)), &a.token).await;
    // An older position from a device that syncs late changes nothing.
    post_ok(
        &app,
        &format!(
            "{rp}/setPosition?position=epubcfi(/6/2)&timestamp={}&deviceCookie=tablet",
            ts(10)
        ),
        &a.token,
    )
    .await;
    let got = get_ok(&app, &rp, &a.token).await;
    assert_eq!(got["epubCfiPosition"], "epubcfi(/6/8)", "{got}");
    assert_eq!(got["kind"], "books#readingPosition");
    assert!(got["updated"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        get_ok(&app, &format!("{rp}?contentVersion=2.0"), &a.token)
            .await
            .get("epubCfiPosition"),
        None
    );
    post_ok(
        &app,
        &format!("{rp}/setPosition?position=GBS.PA12&timestamp={}", ts(1)),
        &a.token,
    )
    .await;
    let got = get_ok(&app, &rp, &a.token).await;
    assert_eq!(got["gbImagePosition"], "GBS.PA12");
    assert!(got.get("epubCfiPosition").is_none());
    // Errors.
    let post = |q: String| {
        let app = &app;
        let token = a.token.clone();
        async move { call(app, "POST", &q, Cred::Token(&token)).await }
    };
    post(format!("{rp}/setPosition?timestamp={}", ts(0)))
        .await
        .assert_error(400, "required");
    post(format!("{rp}/setPosition?position=12"))
        .await
        .assert_error(400, "required");
    post(format!("{rp}/setPosition?position=12&timestamp=yesterday"))
        .await
        .assert_error(400, "invalid");
    post(format!(
        "{rp}/setPosition?position=12&timestamp={}&action=jump",
        ts(0)
    ))
    .await
    .assert_error(400, "invalid");
    let future = crate::oauth_support::enc(&(now + Duration::days(3)).to_rfc3339());
    post(format!("{rp}/setPosition?position=12&timestamp={future}"))
        .await
        .assert_error(400, "invalid");
    post(format!(
        "/books/v1/mylibrary/readingpositions/AAAAAAAAAAAA/setPosition?position=1&timestamp={}",
        ts(0)
    ))
    .await
    .assert_error(404, "notFound");
    call(
        &app,
        "GET",
        "/books/v1/mylibrary/readingpositions/AAAAAAAAAAAA",
        Cred::Token(&a.token),
    )
    .await
    .assert_error(404, "notFound");
    call(&app, "GET", &rp, Cred::Key)
        .await
        .assert_error(401, "required");
    assert_eq!(
        get_ok(&app, &rp, &a.token).await["gbImagePosition"],
        "GBS.PA12"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_info_my_library_and_my_books() {
    let app = TestApp::demo().await;
    let a = reader(&app, "userinfo@example.org").await;
    let ids = demo_ids(&app, 3).await;
    post_ok(
        &app,
        &format!(
            "/books/v1/mylibrary/bookshelves/0/addVolume?volumeId={}",
            ids[0]
        ),
        &a.token,
    )
    .await;
    // Shelved later: mybooks lists the most recently shelved first.
    app.clock.advance(Duration::seconds(1));
    post_ok(
        &app,
        &format!(
            "/books/v1/mylibrary/bookshelves/3/addVolume?volumeId={}",
            ids[1]
        ),
        &a.token,
    )
    .await;
    let ts = crate::oauth_support::enc(&app.clock.now().to_rfc3339());
    post_ok(
        &app,
        &format!(
            "/books/v1/mylibrary/readingpositions/{}/setPosition?position=42&timestamp={ts}",
            ids[1]
        ),
        &a.token,
    )
    .await;

    let got = get_ok(&app, &format!("/books/v1/volumes/{}", ids[1]), &a.token).await;
    let info = &got["userInfo"];
    assert_eq!(info["isInMyBooks"], true, "{got}");
    assert_eq!(info["isPurchased"], false);
    assert_eq!(info["readingPosition"]["pdfPosition"], "42");
    assert!(info["updated"].is_string());
    let keys: Vec<&str> = got
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        &keys[..6],
        ["kind", "id", "etag", "selfLink", "volumeInfo", "userInfo"]
    );
    let other = get_ok(&app, &format!("/books/v1/volumes/{}", ids[2]), &a.token).await;
    assert_eq!(other["userInfo"]["isInMyBooks"], false);
    let keyed = app
        .get_keyed(&format!("/books/v1/volumes/{}", ids[1]))
        .await
        .json();
    assert!(keyed.get("userInfo").is_none(), "no token, no userInfo");
    let lite = get_ok(
        &app,
        &format!("/books/v1/volumes/{}?projection=LITE", ids[1]),
        &a.token,
    )
    .await;
    let lite_keys: Vec<&str> = lite["userInfo"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        lite_keys,
        ["readingPosition", "isPurchased", "isPreordered"]
    );

    // libraryRestrict=my-library: only what is on the shelves.
    let mine = get_ok(
        &app,
        "/books/v1/volumes?q=the&libraryRestrict=my-library&maxResults=40",
        &a.token,
    )
    .await;
    let mut found = ids_of(&mine);
    found.sort();
    let mut expected = vec![ids[0].clone(), ids[1].clone()];
    expected.sort();
    assert_eq!(found, expected, "{mine}");
    assert_eq!(mine["totalItems"], 2);
    assert!(mine["items"][0]["userInfo"]["isInMyBooks"] == true);
    let everything = get_ok(
        &app,
        "/books/v1/volumes?q=the&libraryRestrict=no-restrict",
        &a.token,
    )
    .await;
    assert!(everything["totalItems"].as_u64().unwrap() > 2);
    app.get_keyed("/books/v1/volumes?q=the&libraryRestrict=my-library")
        .await
        .assert_error(401, "required");

    // volumes.mybooks.list: newest shelved first; acquireMethod filters.
    let books = get_ok(&app, "/books/v1/volumes/mybooks", &a.token).await;
    assert_eq!(ids_of(&books), [ids[1].clone(), ids[0].clone()]);
    let pd = get_ok(
        &app,
        "/books/v1/volumes/mybooks?acquireMethod=PUBLIC_DOMAIN&acquireMethod=SAMPLE",
        &a.token,
    )
    .await;
    assert_eq!(pd["totalItems"], 2);
    let bought = get_ok(
        &app,
        "/books/v1/volumes/mybooks?acquireMethod=PURCHASED",
        &a.token,
    )
    .await;
    assert_eq!(
        bought,
        serde_json::json!({"kind": "books#volumes", "totalItems": 0})
    );
    let uploads = get_ok(
        &app,
        "/books/v1/volumes/mybooks?acquireMethod=UPLOADED&processingState=RUNNING",
        &a.token,
    )
    .await;
    assert_eq!(uploads["totalItems"], 0);
    call(
        &app,
        "GET",
        "/books/v1/volumes/mybooks?acquireMethod=STOLEN",
        Cred::Token(&a.token),
    )
    .await
    .assert_error(400, "invalid");
    call(
        &app,
        "GET",
        "/books/v1/volumes/mybooks?maxResults=101",
        Cred::Token(&a.token),
    )
    .await
    .assert_error(400, "invalid");
    call(&app, "GET", "/books/v1/volumes/mybooks", Cred::Key)
        .await
        .assert_error(401, "required");
}

/// Several devices of one user at once: every add lands, counts match the entries, moves keep
/// a permutation, and the newest reading position wins whatever the arrival order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_devices_lose_no_update() {
    let app = std::sync::Arc::new(TestApp::demo().await);
    let a = reader(&app, "devices@example.org").await;
    let ids = demo_ids(&app, 30).await;
    let mut tasks = Vec::new();
    for id in ids.clone() {
        let app = app.clone();
        let token = a.token.clone();
        tasks.push(tokio::spawn(async move {
            post_ok(&app, &format!("{SHELF2}/addVolume?volumeId={id}"), &token).await;
        }));
    }
    for t in tasks {
        t.await.expect("add task");
    }
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().cloned().enumerate() {
        let app = app.clone();
        let token = a.token.clone();
        tasks.push(tokio::spawn(async move {
            if i % 3 == 0 {
                post_ok(
                    &app,
                    &format!("{SHELF2}/removeVolume?volumeId={id}"),
                    &token,
                )
                .await;
            } else {
                post_ok(
                    &app,
                    &format!("{SHELF2}/moveVolume?volumeId={id}&volumePosition={}", i % 7),
                    &token,
                )
                .await;
            }
        }));
    }
    let now = app.clock.now();
    let rp = format!(
        "/books/v1/mylibrary/readingpositions/{}/setPosition",
        ids[0]
    );
    for minute in [3i64, 9, 1, 7, 5, 2, 8, 4, 6] {
        let app = app.clone();
        let token = a.token.clone();
        let ts = crate::oauth_support::enc(&(now - Duration::minutes(10 - minute)).to_rfc3339());
        let rp = rp.clone();
        tasks.push(tokio::spawn(async move {
            post_ok(
                &app,
                &format!("{rp}?position=page-{minute}&timestamp={ts}"),
                &token,
            )
            .await;
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let page = get_ok(&app, &format!("{SHELF2}/volumes?maxResults=1000"), &a.token).await;
    let mut on_shelf = ids_of(&page);
    assert_eq!(
        page["totalItems"].as_u64().unwrap() as usize,
        on_shelf.len()
    );
    assert_eq!(
        get_ok(&app, SHELF2, &a.token).await["volumeCount"]
            .as_u64()
            .unwrap() as usize,
        on_shelf.len()
    );
    on_shelf.sort();
    let mut expected: Vec<String> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 != 0)
        .map(|(_, id)| id.clone())
        .collect();
    expected.sort();
    assert_eq!(on_shelf, expected);
    let pos = get_ok(
        &app,
        &format!("/books/v1/mylibrary/readingpositions/{}", ids[0]),
        &a.token,
    )
    .await;
    assert_eq!(pos["gbTextPosition"], "page-9", "{pos}");
}
