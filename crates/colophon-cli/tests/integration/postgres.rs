//! The same server over PostgreSQL (runs when `COLOPHON_TEST_DATABASE_URL` is set).

use crate::support::{with_postgres, Options, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_catalog_from_postgres() {
    with_postgres("server test", |url| async move {
        let app = TestApp::spawn(Options {
            demo: true,
            database_url: Some(url.clone()),
            ..Options::default()
        })
        .await;
        let page = app
            .get_keyed("/books/v1/volumes?q=intitle:dracula+inauthor:stoker")
            .await
            .json();
        assert_eq!(page["totalItems"], 1, "{page}");
        let id = page["items"][0]["id"].as_str().expect("id").to_owned();
        let got = app
            .get_keyed(&format!("/books/v1/volumes/{id}"))
            .await
            .json();
        assert_eq!(got["volumeInfo"]["title"], "Dracula");
        // Keys live in PostgreSQL too.
        app.get("/books/v1/volumes?q=dracula&key=AIzaWrong", &[])
            .await
            .assert_error(400, "badRequest");
        // Re-importing the demo catalog changes nothing.
        let records: Vec<_> =
            colophon_import::demo::read(colophon_cli::commands::serve::DEMO_CATALOG)
                .map(|r| r.map(colophon_import::SourceRecord::from))
                .collect::<Result<_, _>>()
                .expect("demo parses");
        let n = records.len() as u64;
        let report = app
            .backend
            .catalog
            .ingest(records)
            .await
            .expect("re-import");
        assert_eq!(report.unchanged, n);
        assert_eq!(report.volumes.inserted + report.volumes.updated, 0);
        assert_eq!(report.indexed, 0);
    })
    .await;
}

/// The OAuth code flow with the identity tables in PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_code_flow_over_postgres() {
    use crate::oauth_support::*;
    with_postgres("OAuth test", |url| async move {
        let app = TestApp::spawn(Options {
            database_url: Some(url.clone()),
            ..Options::default()
        })
        .await;
        let cb = "https://app.example/cb";
        let web = client(&app, colophon_auth::ClientKind::Web, &[cb]).await;
        let mut b = signed_in(&app, "pg@example.org").await;
        let code = code_for(&mut b, &web.client.id, cb, &[("access_type", "offline")]).await;
        let t = exchange(&app, &web, &code, cb, &[]).await;
        assert_eq!(t.status, 200, "{}", t.text());
        let t = t.json();
        let access = t["access_token"].as_str().unwrap();
        assert_eq!(my_shelves(&app, access).await.status, 200);
        assert_oauth_error(
            &exchange(&app, &web, &code, cb, &[]).await,
            400,
            "invalid_grant",
        );
        assert_eq!(
            my_shelves(&app, access).await.status,
            401,
            "replay revoked it"
        );
    })
    .await;
}

/// Two server processes over one PostgreSQL database, as behind a load balancer: a consent
/// page shown by one is answered through the other, a sign-in lockout counts the failures seen
/// by both, and concurrent replays of one authorization code leave no live token whichever
/// node answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_state_is_shared_by_two_nodes() {
    use crate::oauth_support::*;
    with_postgres("two-node test", |url| async move {
        let node = |url: String| {
            TestApp::spawn(Options {
                database_url: Some(url),
                ..Options::default()
            })
        };
        let a = node(url.clone()).await;
        let b = node(url.clone()).await;
        let cb = "https://app.example/cb";
        let web = client(&a, colophon_auth::ClientKind::Web, &[cb]).await;

        // The consent page comes from node A; the Allow button's post lands on node B.
        let mut on_a = signed_in(&a, "two-nodes@example.org").await;
        let page = on_a.get(&auth_url(&web.client.id, cb, &[])).await;
        assert_eq!(page.status, 200, "{}", page.text());
        let mut on_b = WebBrowser::new(&b);
        on_b.cookie = on_a.cookie.clone();
        let location = on_b.answer_consent(&page, "allow").await;
        let code = param(&location, "code").unwrap_or_else(|| panic!("no code: {location}"));

        // Five concurrent redemptions, spread over both nodes: at most one gets tokens, and
        // the replays revoke them — no token stays usable.
        let mut tries = Vec::new();
        for i in 0..5 {
            let app = if i % 2 == 0 { &a } else { &b };
            tries.push(exchange(app, &web, &code, cb, &[]));
        }
        let replies = futures::future::join_all(tries).await;
        let issued: Vec<String> = replies
            .iter()
            .filter(|r| r.status == 200)
            .map(|r| r.json()["access_token"].as_str().unwrap().to_owned())
            .collect();
        assert!(issued.len() <= 1, "one code, one exchange: {issued:?}");
        for r in replies.iter().filter(|r| r.status != 200) {
            assert_oauth_error(r, 400, "invalid_grant");
        }
        for token in &issued {
            assert_eq!(
                my_shelves(&a, token).await.status,
                401,
                "replays revoked it"
            );
        }

        // Sign-in failures on either node count towards one lockout.
        let mut x = WebBrowser::new(&a);
        let mut y = WebBrowser::new(&b);
        for i in 0..5 {
            let browser = if i % 2 == 0 { &mut x } else { &mut y };
            let r = browser
                .sign_in("two-nodes@example.org", "wrong-password")
                .await;
            assert_eq!(r.status, 200, "attempt {i}");
        }
        for browser in [&mut x, &mut y] {
            let r = browser.sign_in("two-nodes@example.org", PASSWORD).await;
            assert_eq!(r.status, 429, "locked on both nodes");
        }
    })
    .await;
}
