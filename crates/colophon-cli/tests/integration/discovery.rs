//! The remaining discovery-document methods end to end: `series.*` and `onboarding.*` over
//! real imported data (Standard Ebooks' package documents, an ONIX 2.1 feed),
//! `personalizedstream.get`, `familysharing.*` with a family made by `colophon families`,
//! and the store features this deployment lacks (`notification`, `promooffer`,
//! `dictionary`) — on SQLite and (when `COLOPHON_TEST_DATABASE_URL` is set) PostgreSQL.

use std::process::Command;

use serde_json::Value;

use crate::library_support::{call, get_ok, post_ok, reader, Cred};
use crate::support::{shared_dir, with_postgres, Options, TestApp};

/// A server over the 13 Standard Ebooks package documents and the Allen & Unwin ONIX feed.
async fn app_with_series(database_url: Option<String>) -> TestApp {
    let app = TestApp::spawn(Options {
        database_url,
        ..Options::default()
    })
    .await;
    let data = shared_dir().join("data");
    let mut records = Vec::new();
    let mut opfs: Vec<_> = std::fs::read_dir(data.join("standard-ebooks/opf"))
        .expect("standard-ebooks/opf")
        .map(|e| e.expect("entry").path())
        .collect();
    opfs.sort();
    for opf in opfs {
        records.push(colophon_import::epub::read_opf(&opf).expect("OPF imports"));
    }
    let feed = colophon_import::open_input(&data.join("onix/feeds/jul.xml")).expect("feed");
    records.extend(colophon_import::onix::read(feed).filter_map(Result::ok));
    app.backend.catalog.ingest(records).await.expect("ingest");
    app
}

fn series_id(title: &str) -> String {
    colophon_domain::series::series_id(title)
}

async fn first_id(app: &TestApp, q: &str) -> String {
    let page = app
        .get_keyed(&format!("/books/v1/volumes?q={q}"))
        .await
        .json();
    page["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no volume for {q}: {page}"))
        .to_owned()
}

/// `filtered` is `unfiltered` without its mature volumes.
fn assert_maturity_filtered(unfiltered: &[Value], filtered: &[Value]) {
    let mature = |v: &&Value| v["volumeInfo"]["maturityRating"] == "MATURE";
    assert!(!filtered.iter().any(|v| mature(&v)));
    let kept: Vec<&Value> = unfiltered.iter().filter(|v| !mature(v)).collect();
    assert_eq!(
        ids(&Value::from(filtered.to_vec())),
        ids(&Value::from(kept.into_iter().cloned().collect::<Vec<_>>()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboarding_maturity_filter_takes_the_mature_books_away() {
    let app = TestApp::demo().await;
    let unfiltered = every_category_volume(&app, "").await;
    let filtered = every_category_volume(&app, "&maxAllowedMaturityRating=not-mature").await;
    let mature = unfiltered
        .iter()
        .filter(|v| v["volumeInfo"]["maturityRating"] == "MATURE")
        .count();
    assert!(
        mature > 0,
        "the demo catalog has mature books with subjects"
    );
    assert_eq!(filtered.len() + mature, unfiltered.len());
    assert_maturity_filtered(&unfiltered, &filtered);
}

/// Every volume of `listCategoryVolumes` without a category (all of them), page after page.
async fn every_category_volume(app: &TestApp, extra: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..100 {
        let mut path = format!("/books/v1/onboarding/listCategoryVolumes?pageSize=40{extra}");
        if let Some(t) = &token {
            path.push_str(&format!("&pageToken={t}"));
        }
        let page = app.get_keyed(&path).await.json();
        out.extend(page["items"].as_array().into_iter().flatten().cloned());
        token = page["nextPageToken"].as_str().map(str::to_owned);
        if token.is_none() {
            return out;
        }
    }
    panic!("paging does not end");
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|v| v["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn series_methods(app: &TestApp) {
    // Oz: one volume, a series (EPUB collection-type "series", group-position 1).
    let oz = series_id("Oz");
    let got = app
        .get_keyed(&format!("/books/v1/series/get?series_id={oz}"))
        .await;
    assert_eq!(got.status, 200, "{}", String::from_utf8_lossy(&got.body));
    let got = got.json();
    assert_eq!(got["kind"], "books#series");
    let s = &got["series"][0];
    assert_eq!(s["seriesId"], oz.as_str());
    assert_eq!(s["title"], "Oz");
    assert_eq!(s["seriesType"], "SERIES");
    assert_eq!(s["eligibleForSubscription"], false);
    let wizard = first_id(app, "intitle:wizard+inauthor:baum").await;
    assert!(
        s["imageUrl"]
            .as_str()
            .unwrap()
            .contains(&format!("/books/content?id={wizard}&")),
        "{s}"
    );
    // The cover link answers.
    let (status, _) = TestApp::client_get(s["imageUrl"].as_str().unwrap()).await;
    assert_eq!(status, 200);

    // The volume shows its seriesInfo as Google's shape, without Colophon's private keys.
    let v = app
        .get_keyed(&format!("/books/v1/volumes/{wizard}"))
        .await
        .json();
    let info = &v["volumeInfo"]["seriesInfo"];
    assert_eq!(info["kind"], "books#volume_series_info", "{info}");
    assert_eq!(info["bookDisplayNumber"], "1");
    assert_eq!(info["volumeSeries"][0]["seriesId"], oz.as_str());
    assert_eq!(info["volumeSeries"][0]["orderNumber"], 1);
    assert!(!info.to_string().contains("colophon"), "{info}");

    // A collection of five of the books, two at a time, in list order.
    let guardian = series_id("The Guardian’s Best 100 Novels in English (2015)");
    let both = app
        .get_keyed(&format!(
            "/books/v1/series/get?series_id={guardian}&series_id={oz}&series_id=unknownSeries1"
        ))
        .await
        .json();
    let listed: Vec<&str> = both["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["seriesId"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [guardian.as_str(), oz.as_str()], "{both}");
    assert_eq!(both["series"][0]["seriesType"], "COLLECTION");
    assert_eq!(
        both["series"][0]["title"],
        "The Guardian’s Best 100 Novels in English (2015)"
    );
    let mut token = String::new();
    let mut members = Vec::new();
    let mut pages = 0;
    loop {
        let mut path = format!("/books/v1/series/membership/get?series_id={guardian}&page_size=2");
        if !token.is_empty() {
            path.push_str(&format!("&page_token={token}"));
        }
        let page = app.get_keyed(&path).await.json();
        assert_eq!(page["kind"], "books#series#membership");
        pages += 1;
        let got = page["member"].as_array().expect("members").clone();
        assert!(got.len() <= 2);
        members.extend(got);
        match page["nextPageToken"].as_str() {
            Some(t) => token = t.to_owned(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(members.len(), 5);
    let numbers: Vec<i64> = members
        .iter()
        .map(|m| {
            m["volumeInfo"]["seriesInfo"]["volumeSeries"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["seriesId"] == guardian.as_str())
                .and_then(|s| s["orderNumber"].as_i64())
                .expect("an order number")
        })
        .collect();
    let mut sorted = numbers.clone();
    sorted.sort();
    assert_eq!(numbers, sorted, "series order");

    // Series from the ONIX feed (`<Series><TitleOfSeries>`).
    let who = app
        .get_keyed(&format!(
            "/books/v1/series/membership/get?series_id={}&page_size=40",
            series_id("Doctor Who")
        ))
        .await
        .json();
    let titles: Vec<&str> = who["member"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["volumeInfo"]["title"].as_str().unwrap())
        .collect();
    assert!(titles.len() >= 3, "{who}");
    assert!(
        titles.iter().all(|t| t.starts_with("Doctor Who")),
        "{titles:?}"
    );

    // Errors.
    app.get_keyed("/books/v1/series/get")
        .await
        .assert_error(400, "required");
    app.get_keyed("/books/v1/series/get?series_id=a%20b")
        .await
        .assert_error(400, "invalid");
    app.get_keyed("/books/v1/series/get?series_id=noSuchSeries")
        .await
        .assert_error(404, "notFound");
    app.get_keyed("/books/v1/series/membership/get")
        .await
        .assert_error(400, "required");
    app.get_keyed("/books/v1/series/membership/get?series_id=noSuchSeries")
        .await
        .assert_error(404, "notFound");
    app.get_keyed(&format!(
        "/books/v1/series/membership/get?series_id={guardian}&page_size=41"
    ))
    .await
    .assert_error(400, "invalid");
    app.get_keyed(&format!(
        "/books/v1/series/membership/get?series_id={guardian}&page_token=bm9wZQ"
    ))
    .await
    .assert_error(400, "invalid");
    // A token of another series is refused, not misread.
    let other = app
        .get_keyed(&format!(
            "/books/v1/series/membership/get?series_id={}&page_size=1",
            series_id("Doctor Who")
        ))
        .await
        .json();
    let foreign = other["nextPageToken"].as_str().expect("a next page");
    app.get_keyed(&format!(
        "/books/v1/series/membership/get?series_id={guardian}&page_token={foreign}"
    ))
    .await
    .assert_error(400, "invalid");
    // A key or a token is needed, as for volumes.list.
    assert_eq!(
        app.get(&format!("/books/v1/series/get?series_id={oz}"), &[])
            .await
            .status,
        403
    );
}

async fn onboarding_methods(app: &TestApp) {
    let cats = app
        .get_keyed("/books/v1/onboarding/listCategories?locale=en_US")
        .await
        .json();
    assert_eq!(cats["kind"], "onboarding#category");
    let items = cats["items"].as_array().expect("categories");
    assert!(items.len() >= 3, "{cats}");
    // The largest category first.
    let first = &items[0];
    let name = first["name"].as_str().unwrap().to_owned();
    let id = first["categoryId"].as_str().unwrap();
    assert_eq!(id, colophon_domain::series::category_id(&name));
    assert!(first["badgeUrl"]
        .as_str()
        .is_some_and(|u| u.contains("/books/content?id=")));

    // Its volumes, one at a time; every one has a subject under it.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..50 {
        let mut path =
            format!("/books/v1/onboarding/listCategoryVolumes?categoryId={id}&pageSize=1");
        if let Some(t) = &token {
            path.push_str(&format!("&pageToken={t}"));
        }
        let page = app.get_keyed(&path).await.json();
        assert_eq!(page["kind"], "onboarding#volume");
        for v in page["items"].as_array().into_iter().flatten() {
            let under = v["volumeInfo"]["categories"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|c| colophon_domain::series::top_level_subject(c.as_str().unwrap()))
                .any(|top| top == name);
            assert!(under, "{v}");
        }
        seen.extend(ids(&page["items"]));
        token = page["nextPageToken"].as_str().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert!(token.is_none(), "paging ends");
    assert!(seen.len() >= 2, "{seen:?}");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "pages neither overlap nor repeat");
    // Two categories: the volumes of either.
    let second = items[1]["categoryId"].as_str().unwrap();
    let both = app
        .get_keyed(&format!(
            "/books/v1/onboarding/listCategoryVolumes?categoryId={id}&categoryId={second}&pageSize=40"
        ))
        .await
        .json();
    let both = ids(&both["items"]);
    assert!(
        both.len() > seen.len(),
        "the second category adds volumes: {both:?}"
    );
    assert!(seen.iter().all(|v| both.contains(v)));

    let none = app
        .get_keyed("/books/v1/onboarding/listCategoryVolumes?categoryId=unknownCategory")
        .await
        .json();
    assert!(none.get("items").is_none(), "{none}");
    // Every category's volumes, with and without the maturity filter (the demo catalog's
    // mature books: `onboarding_maturity_filter_takes_the_mature_books_away`).
    let unfiltered = every_category_volume(app, "").await;
    let filtered = every_category_volume(app, "&maxAllowedMaturityRating=not-mature").await;
    assert_maturity_filtered(&unfiltered, &filtered);
    app.get_keyed("/books/v1/onboarding/listCategoryVolumes?maxAllowedMaturityRating=adult")
        .await
        .assert_error(400, "invalid");
    app.get_keyed("/books/v1/onboarding/listCategoryVolumes?pageToken=zzz")
        .await
        .assert_error(400, "invalid");
    app.get_keyed("/books/v1/onboarding/listCategories?locale=e%20n")
        .await
        .assert_error(400, "invalid");
}

async fn personalized_stream(app: &TestApp) {
    let path = "/books/v1/personalizedstream/get";
    let r = call(app, "GET", path, Cred::Key).await;
    assert_eq!(r.status, 401, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.header("www-authenticate").is_some());

    let u = reader(app, "stream@example.org").await;
    let empty = get_ok(app, path, &u.token).await;
    assert_eq!(empty["kind"], "books#discovery#clusters");
    assert_eq!(empty["totalClusters"], 0);
    assert!(empty.get("clusters").is_none(), "{empty}");

    // Emma is on the Guardian's 2015 list (with four other books of the catalog).
    let emma = first_id(app, "intitle:emma+inauthor:austen").await;
    post_ok(
        app,
        &format!("/books/v1/mylibrary/bookshelves/2/addVolume?volumeId={emma}"),
        &u.token,
    )
    .await;
    let stream = get_ok(app, path, &u.token).await;
    let clusters = stream["clusters"].as_array().expect("clusters");
    assert_eq!(stream["totalClusters"], clusters.len());
    let recommended = &clusters[0];
    assert_eq!(recommended["uid"], "recommended");
    let pride = first_id(app, "intitle:pride+inauthor:austen").await;
    assert!(
        ids(&recommended["volumes"]).contains(&pride),
        "{recommended}"
    );
    // A cluster per series of the shelved book, without the book itself.
    let guardian = series_id("The Guardian’s Best 100 Novels in English (2015)");
    let cluster = clusters
        .iter()
        .find(|c| c["uid"] == format!("series-{guardian}"))
        .unwrap_or_else(|| panic!("a cluster of the Guardian list: {stream}"));
    assert_eq!(
        cluster["title"],
        "The Guardian’s Best 100 Novels in English (2015)"
    );
    let members = ids(&cluster["volumes"]);
    assert_eq!(members.len(), 4, "{cluster}");
    assert_eq!(cluster["totalVolumes"], 4);
    assert!(!members.contains(&emma));
    // Volumes carry the caller's userInfo, as in the other user methods.
    assert!(cluster["volumes"][0].get("userInfo").is_some());
    call(
        app,
        "GET",
        &format!("{path}?maxAllowedMaturityRating=x"),
        Cred::Token(&u.token),
    )
    .await
    .assert_error(400, "invalid");
}

fn colophon(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_colophon"))
        .args(args)
        .output()
        .expect("run colophon");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "colophon {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

async fn family_sharing(app: &TestApp, store_args: &[&str]) {
    let info = "/books/v1/familysharing/getFamilyInfo";
    assert_eq!(call(app, "GET", info, Cred::Key).await.status, 401);
    let head = reader(app, "head@example.org").await;
    let kid = reader(app, "kid@example.org").await;

    // No family yet: not in one, and nothing to share with.
    let alone = get_ok(app, &format!("{info}?source=test"), &head.token).await;
    assert_eq!(alone["kind"], "books#familyInfo");
    assert_eq!(
        alone["membership"],
        serde_json::json!({"isInFamily": false})
    );
    let emma = first_id(app, "intitle:emma+inauthor:austen").await;
    let share = |v: &str| format!("/books/v1/familysharing/share?volumeId={v}");
    call(app, "POST", &share(&emma), Cred::Token(&head.token))
        .await
        .assert_error(403, "forbidden");

    // An administrator makes the family with the CLI.
    let mut args = vec!["families", "create", "--name", "The Testers"];
    args.extend_from_slice(store_args);
    let out = colophon(&args);
    let family = out.lines().last().unwrap().trim().to_owned();
    for (email, role) in [
        ("head@example.org", "HEAD_OF_HOUSEHOLD"),
        ("kid@example.org", "child"),
    ] {
        let mut args = vec!["families", "add", &family, "--email", email, "--role", role];
        args.extend_from_slice(store_args);
        colophon(&args);
    }
    let got = get_ok(app, info, &head.token).await;
    assert_eq!(
        got["membership"],
        serde_json::json!({"ageGroup": "ADULT", "allowedMaturityRating": "MATURE",
                           "isInFamily": true, "role": "HEAD_OF_HOUSEHOLD"})
    );
    let got = get_ok(app, info, &kid.token).await;
    assert_eq!(got["membership"]["role"], "CHILD");
    assert_eq!(got["membership"]["ageGroup"], "CHILD");
    assert_eq!(got["membership"]["allowedMaturityRating"], "not-mature");

    // Only a volume of one's own library can be shared.
    call(app, "POST", &share(&emma), Cred::Token(&head.token))
        .await
        .assert_error(403, "forbidden");
    post_ok(
        app,
        &format!("/books/v1/mylibrary/bookshelves/0/addVolume?volumeId={emma}"),
        &head.token,
    )
    .await;
    post_ok(app, &share(&emma), &head.token).await;
    post_ok(app, &share(&emma), &head.token).await;
    post_ok(
        app,
        &format!("/books/v1/familysharing/share?docId={emma}&volumeId={emma}&source=x"),
        &head.token,
    )
    .await;
    // The other members find it among their books, as family-shared.
    let kids = get_ok(
        app,
        "/books/v1/volumes/mybooks?acquireMethod=FAMILY_SHARED",
        &kid.token,
    )
    .await;
    assert_eq!(ids(&kids["items"]), vec![emma.clone()], "{kids}");
    let heads = get_ok(
        app,
        "/books/v1/volumes/mybooks?acquireMethod=FAMILY_SHARED",
        &head.token,
    )
    .await;
    assert!(
        heads.get("items").is_none(),
        "the sharer's own copy: {heads}"
    );
    let mut args = vec!["families", "show", &family];
    args.extend_from_slice(store_args);
    let shown = colophon(&args);
    assert!(
        shown.contains(&format!("shared {emma} by {}", head.id)),
        "{shown}"
    );
    assert!(shown.contains("member kid@example.org CHILD"), "{shown}");

    // Errors.
    call(
        app,
        "POST",
        "/books/v1/familysharing/share",
        Cred::Token(&head.token),
    )
    .await
    .assert_error(400, "required");
    call(
        app,
        "POST",
        &format!("/books/v1/familysharing/share?docId=aaaaaaaaaaaa&volumeId={emma}"),
        Cred::Token(&head.token),
    )
    .await
    .assert_error(400, "invalid");
    call(
        app,
        "POST",
        &share("aaaaaaaaaaaa"),
        Cred::Token(&head.token),
    )
    .await
    .assert_error(404, "notFound");
    assert_eq!(
        call(app, "GET", &share(&emma), Cred::Token(&head.token))
            .await
            .status,
        405
    );
    assert_eq!(
        call(app, "POST", &share(&emma), Cred::Key).await.status,
        401
    );

    // Unsharing (twice changes nothing more).
    let unshare = format!("/books/v1/familysharing/unshare?docId={emma}");
    post_ok(app, &unshare, &head.token).await;
    post_ok(app, &unshare, &head.token).await;
    let shown = colophon(&args);
    assert!(!shown.contains("shared "), "{shown}");
    let kids = get_ok(app, "/books/v1/volumes/mybooks", &kid.token).await;
    assert!(kids.get("items").is_none(), "{kids}");
}

async fn absent_features(app: &TestApp) {
    let u = reader(app, "store@example.org").await;
    let t = Cred::Token(&u.token);
    for (method, path) in [
        ("GET", "/books/v1/notification/get?notification_id=n1"),
        ("GET", "/books/v1/promooffer/get"),
        ("POST", "/books/v1/promooffer/accept?offerId=o1"),
        ("POST", "/books/v1/promooffer/dismiss?offerId=o1"),
        ("GET", "/books/v1/dictionary/listOfflineMetadata?cpksver=1"),
    ] {
        let r = call(app, method, path, Cred::Key).await;
        assert_eq!(r.status, 401, "{method} {path} needs a signed-in user");
    }
    call(app, "GET", "/books/v1/notification/get", t)
        .await
        .assert_error(400, "required");
    call(
        app,
        "GET",
        "/books/v1/notification/get?notification_id=n1&locale=en_US",
        t,
    )
    .await
    .assert_error(404, "notFound");
    let offers = get_ok(app, "/books/v1/promooffer/get?device=d&model=m", &u.token).await;
    assert_eq!(offers, serde_json::json!({"kind": "promooffer#offers"}));
    for action in ["accept", "dismiss"] {
        call(app, "POST", &format!("/books/v1/promooffer/{action}"), t)
            .await
            .assert_error(400, "required");
        call(
            app,
            "POST",
            &format!("/books/v1/promooffer/{action}?offerId=o1&volumeId=v"),
            t,
        )
        .await
        .assert_error(404, "notFound");
    }
    call(app, "GET", "/books/v1/dictionary/listOfflineMetadata", t)
        .await
        .assert_error(400, "required");
    let meta = get_ok(
        app,
        "/books/v1/dictionary/listOfflineMetadata?cpksver=42",
        &u.token,
    )
    .await;
    assert_eq!(meta, serde_json::json!({"kind": "dictionary#metadata"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_methods_on_sqlite() {
    let app = app_with_series(None).await;
    series_methods(&app).await;
    onboarding_methods(&app).await;
    personalized_stream(&app).await;
    let dir = app._dir.path().to_str().unwrap().to_owned();
    family_sharing(&app, &["--data-dir", &dir]).await;
    absent_features(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_methods_on_postgres() {
    with_postgres("discovery test", |url| async move {
        let app = app_with_series(Some(url.clone())).await;
        series_methods(&app).await;
        personalized_stream(&app).await;
        let dir = app._dir.path().to_str().unwrap().to_owned();
        family_sharing(&app, &["--data-dir", &dir, "--database-url", &url]).await;
    })
    .await;
}
