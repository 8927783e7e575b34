//! `myconfig.*` against the real server: lent copies (the N+1th device gets the restriction
//! answer), releases, lease expiry, download limits, isolation between users, licensed-volume
//! sync, user settings; many devices racing for a few copies (SQLite and PostgreSQL); and the
//! same methods through `google-books1`, Google's generated client.

use std::sync::Arc;

use bytes::Bytes;
use colophon_service::Licensing;
use colophon_store::LendingPolicy;
use serde_json::{json, Value};

use crate::library_support::*;
use crate::support::{with_postgres, Options, Reply, TestApp};

const BASE: &str = "/books/v1/myconfig";

/// Lends `volume`: `copies` devices at once, `download_devices` per reader offline.
async fn lend(app: &TestApp, volume: &str, copies: u32, download_devices: Option<u32>) {
    let clock = app.clock.clone();
    let licensing = Licensing::new(
        app.backend.catalog.clone(),
        Arc::new(move || colophon_auth::Clock::now(&*clock)),
    );
    licensing
        .set_policy(
            volume,
            Some(LendingPolicy {
                copies,
                download_devices,
            }),
        )
        .await
        .expect("set lending policy");
}

/// POST `myconfig/{method}?{query}` with a token.
async fn post(app: &TestApp, token: &str, method: &str, query: &str) -> Reply {
    call(
        app,
        "POST",
        &format!("{BASE}/{method}?{query}"),
        Cred::Token(token),
    )
    .await
}

/// `requestAccess` for `device`, expecting 200; the body.
async fn ask(app: &TestApp, token: &str, volume: &str, device: &str, types: &str) -> Value {
    let r = post(
        app,
        token,
        "requestAccess",
        &format!(
            "cpksver={device}&nonce=n-{device}&source=tests&volumeId={volume}&licenseTypes={types}"
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_needs_a_user() {
    let app = TestApp::demo().await;
    let id = &demo_ids(&app, 1).await[0];
    let posts = [
        format!("requestAccess?cpksver=d&nonce=n&source=s&volumeId={id}"),
        format!("releaseDownloadAccess?cpksver=d&volumeIds={id}"),
        "syncVolumeLicenses?cpksver=d&nonce=n&source=s".to_owned(),
        "updateUserSettings".to_owned(),
    ];
    for q in &posts {
        for cred in [Cred::None, Cred::Key] {
            call(&app, "POST", &format!("{BASE}/{q}"), cred)
                .await
                .assert_error(401, "required");
        }
    }
    call(&app, "GET", &format!("{BASE}/getUserSettings"), Cred::Key)
        .await
        .assert_error(401, "required");
    // GET on a POST method says which method to use.
    let a = reader(&app, "methods@example.org").await;
    let r = call(
        &app,
        "GET",
        &format!("{BASE}/requestAccess"),
        Cred::Token(&a.token),
    )
    .await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_google_errors() {
    let app = TestApp::demo().await;
    let id = &demo_ids(&app, 1).await[0];
    let a = reader(&app, "bad@example.org").await;
    let t = &a.token;
    post(
        &app,
        t,
        "requestAccess",
        &format!("nonce=n&source=s&volumeId={id}"),
    )
    .await
    .assert_error(400, "required");
    post(&app, t, "requestAccess", "cpksver=d&nonce=n&source=s")
        .await
        .assert_error(400, "required");
    post(
        &app,
        t,
        "requestAccess",
        &format!("cpksver=d&source=s&volumeId={id}"),
    )
    .await
    .assert_error(400, "required");
    post(
        &app,
        t,
        "requestAccess",
        "cpksver=d&nonce=n&source=s&volumeId=nosuchvolume",
    )
    .await
    .assert_error(404, "notFound");
    let v = post(
        &app,
        t,
        "requestAccess",
        &format!("cpksver=d&nonce=n&source=s&volumeId={id}&licenseTypes=RENTAL"),
    )
    .await
    .assert_error(400, "invalid");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("CONCURRENT"));
    let long = "x".repeat(300);
    post(
        &app,
        t,
        "requestAccess",
        &format!("cpksver={long}&nonce=n&source=s&volumeId={id}"),
    )
    .await
    .assert_error(400, "invalid");
    post(&app, t, "releaseDownloadAccess", "cpksver=d")
        .await
        .assert_error(400, "required");
    post(
        &app,
        t,
        "syncVolumeLicenses",
        "cpksver=d&nonce=n&source=s&features=TELEPORT",
    )
    .await
    .assert_error(400, "invalid");
    for body in ["", "{not json", r#"{"notesExport":{"folderName":""}}"#] {
        app.request(
            "POST",
            &format!("{BASE}/updateUserSettings"),
            &[
                ("authorization", &format!("Bearer {t}")),
                ("content-type", "application/json"),
            ],
            Bytes::from(body.to_owned()),
        )
        .await
        .assert_error(400, "invalid");
    }
}

/// Two copies: the third device gets the restriction answer; a release frees a copy; leases
/// not renewed expire after `timeWindowSeconds`; a volume without a policy is unrestricted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_are_lent_refused_released_and_expire() {
    let app = TestApp::demo().await;
    let ids = demo_ids(&app, 2).await;
    let (lent, free) = (&ids[0], &ids[1]);
    lend(&app, lent, 2, None).await;
    let a = reader(&app, "ann@example.org").await;
    let b = reader(&app, "bob@example.org").await;
    let c = reader(&app, "cat@example.org").await;

    let first = ask(&app, &a.token, lent, "ann-phone", "CONCURRENT").await;
    assert_eq!(first["kind"], "books#requestAccessData");
    assert!(first.get("downloadAccess").is_none(), "{first}");
    let ca = &first["concurrentAccess"];
    assert_eq!(ca["kind"], "books#concurrentAccessRestriction");
    assert_eq!(ca["volumeId"], lent.as_str());
    assert_eq!(ca["restricted"], true);
    assert_eq!(ca["deviceAllowed"], true);
    assert_eq!(ca["maxConcurrentDevices"], 2);
    assert_eq!(ca["timeWindowSeconds"], 3600);
    assert_eq!(ca["reasonCode"], "0");
    assert_eq!(ca["nonce"], "n-ann-phone");
    assert_eq!(ca["source"], "tests");
    assert!(ca["signature"].as_str().is_some_and(|s| s.len() >= 40));

    let second = ask(&app, &b.token, lent, "bob-phone", "CONCURRENT").await;
    assert_eq!(second["concurrentAccess"]["deviceAllowed"], true);
    assert_eq!(
        second["concurrentAccess"]["reasonCode"], "200",
        "the last copy"
    );

    // The N+1th device: the real service's restriction answer, a 200.
    let refused = ask(&app, &c.token, lent, "cat-phone", "CONCURRENT").await;
    let r = &refused["concurrentAccess"];
    assert_eq!(r["restricted"], true);
    assert_eq!(r["deviceAllowed"], false);
    assert_eq!(r["reasonCode"], "101");
    assert_eq!(r["maxConcurrentDevices"], 2);
    assert!(
        r["message"]
            .as_str()
            .is_some_and(|m| m.contains("2 copies")),
        "{r}"
    );
    assert_eq!(r["nonce"], "n-cat-phone");
    assert_ne!(r["signature"], ca["signature"]);

    // Asking again renews; it takes no second copy.
    let again = ask(&app, &a.token, lent, "ann-phone", "CONCURRENT").await;
    assert_eq!(again["concurrentAccess"]["deviceAllowed"], true);
    assert_eq!(
        ask(&app, &c.token, lent, "cat-phone", "CONCURRENT").await["concurrentAccess"]
            ["deviceAllowed"],
        false
    );

    // Bob's device returns its copy: Cat's device gets it.
    let released = post(
        &app,
        &b.token,
        "releaseDownloadAccess",
        &format!("cpksver=bob-phone&volumeIds={lent}&source=tests"),
    )
    .await;
    assert_eq!(released.status, 200);
    let list = released.json();
    assert_eq!(list["kind"], "books#downloadAccesses");
    assert_eq!(list["downloadAccessList"][0]["volumeId"], lent.as_str());
    assert_eq!(
        list["downloadAccessList"][0]["kind"],
        "books#downloadAccessRestriction"
    );
    assert_eq!(
        ask(&app, &c.token, lent, "cat-phone", "CONCURRENT").await["concurrentAccess"]
            ["deviceAllowed"],
        true
    );

    // Nobody renews for an hour: the leases expire, copies go to whoever asks (a new reader:
    // the others' access tokens expired with the hour).
    app.clock.advance(chrono::Duration::seconds(3601));
    let d = reader(&app, "dan@example.org").await;
    let dans = ask(&app, &d.token, lent, "dan-phone", "CONCURRENT").await;
    assert_eq!(dans["concurrentAccess"]["deviceAllowed"], true);
    assert_eq!(dans["concurrentAccess"]["reasonCode"], "0", "one copy left");
    let dans = ask(&app, &d.token, lent, "dan-tablet", "CONCURRENT").await;
    assert_eq!(dans["concurrentAccess"]["reasonCode"], "200");
    let c = d;
    // Without a policy nothing is restricted.
    let open = ask(&app, &c.token, free, "cat-phone", "BOTH").await;
    assert_eq!(open["concurrentAccess"]["restricted"], false);
    assert_eq!(open["concurrentAccess"]["deviceAllowed"], true);
    assert_eq!(open["downloadAccess"]["restricted"], false);
    assert_eq!(open["downloadAccess"]["deviceAllowed"], true);
}

/// One offline device per reader: the second device of the same reader is refused, another
/// reader is counted apart, a release frees the license; syncVolumeLicenses lists what each
/// reader holds and nobody else's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_licenses_and_sync_are_per_user() {
    let app = TestApp::demo().await;
    let ids = demo_ids(&app, 3).await;
    lend(&app, &ids[0], 5, Some(1)).await;
    lend(&app, &ids[1], 5, Some(3)).await;
    let a = reader(&app, "dora@example.org").await;
    let b = reader(&app, "ed@example.org").await;

    let got = ask(&app, &a.token, &ids[0], "dora-phone", "DOWNLOAD").await;
    assert!(got.get("concurrentAccess").is_none());
    let d = &got["downloadAccess"];
    assert_eq!(d["kind"], "books#downloadAccessRestriction");
    assert_eq!(d["restricted"], true);
    assert_eq!(d["deviceAllowed"], true);
    assert_eq!(d["justAcquired"], true);
    assert_eq!(d["downloadsAcquired"], 1);
    assert_eq!(d["maxDownloadDevices"], 1);
    let again = ask(&app, &a.token, &ids[0], "dora-phone", "DOWNLOAD").await;
    assert_eq!(again["downloadAccess"]["justAcquired"], false);
    assert_eq!(again["downloadAccess"]["deviceAllowed"], true);
    let refused = ask(&app, &a.token, &ids[0], "dora-tablet", "DOWNLOAD").await;
    let r = &refused["downloadAccess"];
    assert_eq!(r["deviceAllowed"], false);
    assert_eq!(r["justAcquired"], false);
    assert_eq!(r["reasonCode"], "101");
    assert_eq!(r["downloadsAcquired"], 1);
    assert!(r["message"].as_str().is_some());
    // Another reader's devices are counted apart.
    let other = ask(&app, &b.token, &ids[0], "ed-phone", "BOTH").await;
    assert_eq!(other["downloadAccess"]["deviceAllowed"], true);
    assert_eq!(other["concurrentAccess"]["deviceAllowed"], true);

    // Sync takes the licenses asked for where allowed and lists the reader's volumes.
    let r = post(
        &app,
        &a.token,
        "syncVolumeLicenses",
        &format!(
            "cpksver=dora-phone&nonce=s1&source=tests&volumeIds={}&volumeIds={}&features=RENTALS&showPreorders=true",
            ids[1], ids[2]
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let page = r.json();
    assert_eq!(page["kind"], "books#volumes");
    let mut listed: Vec<(String, Value)> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_owned(),
                v["accessInfo"]["downloadAccess"].clone(),
            )
        })
        .collect();
    listed.sort_by(|x, y| x.0.cmp(&y.0));
    let mut want = ids.clone();
    want.sort();
    assert_eq!(
        listed.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
        want,
        "{page}"
    );
    assert_eq!(page["totalItems"], 3);
    for (id, access) in &listed {
        assert_eq!(access["volumeId"], id.as_str());
        assert_eq!(access["deviceAllowed"], true, "{access}");
        assert_eq!(access["nonce"], "s1");
    }
    let unrestricted = listed.iter().find(|(id, _)| *id == ids[2]).unwrap();
    assert_eq!(unrestricted.1["restricted"], false);
    let item = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == ids[1].as_str())
        .unwrap();
    assert_eq!(item["accessInfo"]["explicitOfflineLicenseManagement"], true);
    assert_eq!(item["accessInfo"]["downloadAccess"]["justAcquired"], true);

    // Ed holds only ids[0].
    let eds = post(
        &app,
        &b.token,
        "syncVolumeLicenses",
        "cpksver=ed-phone&nonce=s2&source=tests",
    )
    .await
    .json();
    assert_eq!(eds["totalItems"], 1, "{eds}");
    assert_eq!(eds["items"][0]["id"], ids[0].as_str());

    // Dora's phone releases ids[0]: her tablet may now take it.
    let rel = post(
        &app,
        &a.token,
        "releaseDownloadAccess",
        &format!("cpksver=dora-phone&volumeIds={}", ids[0]),
    )
    .await
    .json();
    let entry = &rel["downloadAccessList"][0];
    assert_eq!(entry["downloadsAcquired"], 0);
    assert_eq!(entry["maxDownloadDevices"], 1);
    assert_eq!(entry["restricted"], true);
    let tablet = ask(&app, &a.token, &ids[0], "dora-tablet", "DOWNLOAD").await;
    assert_eq!(tablet["downloadAccess"]["deviceAllowed"], true);
    // Releasing an unknown volume is a 404 and releases nothing else.
    post(
        &app,
        &a.token,
        "releaseDownloadAccess",
        &format!(
            "cpksver=dora-tablet&volumeIds={}&volumeIds=nosuchvolume",
            ids[0]
        ),
    )
    .await
    .assert_error(404, "notFound");
    let still = ask(&app, &a.token, &ids[0], "dora-tablet", "DOWNLOAD").await;
    assert_eq!(still["downloadAccess"]["justAcquired"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_settings_default_merge_and_stay_per_user() {
    let app = TestApp::demo().await;
    let a = reader(&app, "fay@example.org").await;
    let b = reader(&app, "gus@example.org").await;
    let defaults = get_ok(
        &app,
        &format!("{BASE}/getUserSettings?country=US"),
        &a.token,
    )
    .await;
    assert_eq!(
        defaults,
        json!({"kind": "books#usersettings",
               "notesExport": {"folderName": "Play Books Notes", "isEnabled": false}})
    );
    let update = |token: String, body: Value| {
        let app = &app;
        async move {
            let r = app
                .request(
                    "POST",
                    &format!("{BASE}/updateUserSettings"),
                    &[
                        ("authorization", &format!("Bearer {token}")),
                        ("content-type", "application/json"),
                    ],
                    Bytes::from(body.to_string()),
                )
                .await;
            assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
            r.json()
        }
    };
    let after = update(
        a.token.clone(),
        json!({"kind": "books#usersettings", "notesExport": {"folderName": "Reading notes", "isEnabled": true}}),
    )
    .await;
    assert_eq!(after["notesExport"]["folderName"], "Reading notes");
    assert_eq!(after["notesExport"]["isEnabled"], true);
    // Another sub-object leaves notesExport as it was.
    let after = update(
        a.token.clone(),
        json!({"notification": {"priceDrop": {"opted_state": "OPTED_OUT"}, "moreFromAuthors": {"opted_state": "OPTED_IN"}}}),
    )
    .await;
    assert_eq!(
        after,
        json!({"kind": "books#usersettings",
               "notesExport": {"folderName": "Reading notes", "isEnabled": true},
               "notification": {"moreFromAuthors": {"opted_state": "OPTED_IN"},
                                "priceDrop": {"opted_state": "OPTED_OUT"}}})
    );
    // A sub-object given replaces the stored one whole.
    let after = update(
        a.token.clone(),
        json!({"notesExport": {"isEnabled": false}}),
    )
    .await;
    assert_eq!(after["notesExport"], json!({"isEnabled": false}));
    assert_eq!(
        after["notification"]["priceDrop"]["opted_state"],
        "OPTED_OUT"
    );
    assert_eq!(
        get_ok(&app, &format!("{BASE}/getUserSettings"), &a.token).await,
        after
    );
    assert_eq!(
        get_ok(&app, &format!("{BASE}/getUserSettings"), &b.token).await,
        defaults
    );
}

/// 3 copies, 30 devices of 3 readers asking at once over HTTP: exactly 3 get one.
async fn race_for_copies(app: &TestApp) {
    let id = demo_ids(app, 1).await.remove(0);
    lend(app, &id, 3, None).await;
    let mut readers = Vec::new();
    for i in 0..3 {
        readers.push(reader(app, &format!("racer{i}@example.org")).await);
    }
    let app = Arc::new(app);
    let mut tasks = Vec::new();
    for d in 0..30 {
        let token = readers[d % 3].token.clone();
        let path = format!(
            "{BASE}/requestAccess?cpksver=device{d}&nonce={d}&source=race&volumeId={id}&licenseTypes=CONCURRENT"
        );
        let base = app.base_url.clone();
        tasks.push(tokio::spawn(async move {
            let (status, body) = post_raw(&base, &path, &token).await;
            assert_eq!(status, 200, "{body}");
            let v: Value = serde_json::from_str(&body).expect("json");
            v["concurrentAccess"]["deviceAllowed"]
                .as_bool()
                .expect("deviceAllowed")
        }));
    }
    let mut allowed = 0;
    for t in tasks {
        if t.await.expect("task") {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 3, "exactly the copies owned are lent");
}

/// A POST with a bearer token from a spawned task.
async fn post_raw(base: &str, path: &str, token: &str) -> (u16, String) {
    use http_body_util::{BodyExt as _, Full};
    let client: hyper_util::client::legacy::Client<_, Full<Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let req = hyper::Request::builder()
        .method("POST")
        .uri(format!("{base}{path}"))
        .header("authorization", format!("Bearer {token}"))
        .body(Full::new(Bytes::new()))
        .expect("request");
    let resp = client.request(req).await.expect("send");
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_devices_get_exactly_the_copies_sqlite() {
    let app = TestApp::demo().await;
    race_for_copies(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_devices_get_exactly_the_copies_postgres() {
    with_postgres("myconfig test", |url| async move {
        let app = TestApp::spawn(Options {
            demo: true,
            database_url: Some(url.clone()),
            ..Options::default()
        })
        .await;
        race_for_copies(&app).await;
    })
    .await;
}

/// Every `myconfig` method through `google-books1`, Google's generated Rust client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn myconfig_through_the_generated_client() {
    use google_books1::api::{Usersettings, UsersettingsNotesExport};
    let app = TestApp::demo().await;
    let ids = demo_ids(&app, 1).await;
    lend(&app, &ids[0], 1, Some(2)).await;
    let a = reader(&app, "hal@example.org").await;
    let b = reader(&app, "ida@example.org").await;
    let hub = crate::library_clients::hub_with(&app, a.token.clone());
    let my = hub.myconfig();
    let (_, data) = my
        .request_access("hal-phone", "nonce-1", "gb1", &ids[0])
        .license_types("BOTH")
        .locale("en_US")
        .doit()
        .await
        .expect("requestAccess");
    let ca = data.concurrent_access.expect("concurrentAccess");
    assert_eq!(ca.device_allowed, Some(true));
    assert_eq!(ca.max_concurrent_devices, Some(1));
    assert_eq!(ca.nonce.as_deref(), Some("nonce-1"));
    let da = data.download_access.expect("downloadAccess");
    assert_eq!(da.just_acquired, Some(true));
    assert_eq!(da.max_download_devices, Some(2));

    // The second reader's device finds the only copy lent.
    let other = crate::library_clients::hub_with(&app, b.token.clone());
    let (_, refused) = other
        .myconfig()
        .request_access("ida-phone", "nonce-2", "gb1", &ids[0])
        .doit()
        .await
        .expect("requestAccess");
    let rc = refused.concurrent_access.expect("concurrentAccess");
    assert_eq!(rc.restricted, Some(true));
    assert_eq!(rc.device_allowed, Some(false));
    assert_eq!(rc.reason_code.as_deref(), Some("101"));

    let (_, synced) = my
        .sync_volume_licenses("hal-phone", "nonce-3", "gb1")
        .add_features("RENTALS")
        .include_non_comics_series(false)
        .doit()
        .await
        .expect("syncVolumeLicenses");
    let items = synced.items.expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].id.as_deref(), Some(ids[0].as_str()));

    let (_, released) = my
        .release_download_access("hal-phone", &vec![ids[0].clone()])
        .source("gb1")
        .doit()
        .await
        .expect("releaseDownloadAccess");
    let list = released.download_access_list.expect("list");
    assert_eq!(list[0].downloads_acquired, Some(0));
    let (_, now_allowed) = other
        .myconfig()
        .request_access("ida-phone", "nonce-4", "gb1", &ids[0])
        .license_types("CONCURRENT")
        .doit()
        .await
        .expect("requestAccess");
    assert_eq!(
        now_allowed.concurrent_access.and_then(|c| c.device_allowed),
        Some(true)
    );

    let (_, settings) = my
        .get_user_settings()
        .doit()
        .await
        .expect("getUserSettings");
    assert_eq!(settings.kind.as_deref(), Some("books#usersettings"));
    let change = Usersettings {
        notes_export: Some(UsersettingsNotesExport {
            folder_name: Some("Hal's notes".into()),
            is_enabled: Some(true),
        }),
        ..Usersettings::default()
    };
    let (_, updated) = my
        .update_user_settings(change)
        .doit()
        .await
        .expect("updateUserSettings");
    let notes = updated.notes_export.expect("notesExport");
    assert_eq!(notes.folder_name.as_deref(), Some("Hal's notes"));
    assert_eq!(notes.is_enabled, Some(true));
}
