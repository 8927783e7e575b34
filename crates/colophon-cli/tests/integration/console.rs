//! The developer console's rules on the Books API (issue 5): the Books API switch, key
//! restrictions by referrer and IP, quotas (exact under concurrency, on SQLite and, when
//! `COLOPHON_TEST_DATABASE_URL` is set, with two servers on one PostgreSQL database), usage
//! counting, and the console pages driven over HTTP.

use colophon_auth::ClientKind;
use colophon_service::Actor;

use crate::oauth_support::{code_for, exchange, hidden, signed_in};
use crate::support::{with_postgres, Options, Reply, TestApp};

const SEARCH: &str = "/books/v1/volumes?q=dracula";

async fn demo(configure: Option<fn(&mut colophon_cli::Settings)>) -> TestApp {
    TestApp::spawn(Options {
        demo: true,
        configure,
        ..Options::default()
    })
    .await
}

/// A project with the Books API `enabled` or not, and a key in it.
async fn project_with_key(app: &TestApp, enabled: bool) -> (colophon_store::ProjectRecord, String) {
    let p = app
        .console
        .create_project(&Actor::Cli, None, "Console test")
        .await
        .expect("create project");
    let p = app
        .console
        .set_books_api(&Actor::Cli, &p.id, enabled)
        .await
        .expect("switch API");
    let key = app
        .console
        .create_key(&Actor::Cli, &p.id, "browser key")
        .await
        .expect("create key");
    (p, key.key)
}

async fn search(app: &TestApp, key: &str, headers: &[(&str, &str)]) -> Reply {
    app.get(&format!("{SEARCH}&key={key}"), headers).await
}

/// Asserts a 403 with this `errors[0]` domain/reason and `details[0].reason`; returns the body.
fn assert_denied(r: &Reply, domain: &str, reason: &str, detail: &str) -> serde_json::Value {
    assert_eq!(r.status, 403, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    let e = &v["error"];
    assert_eq!(e["code"], 403, "{v}");
    assert_eq!(e["status"], "PERMISSION_DENIED", "{v}");
    assert_eq!(e["errors"][0]["domain"], domain, "{v}");
    assert_eq!(e["errors"][0]["reason"], reason, "{v}");
    assert_eq!(e["details"][0]["reason"], detail, "{v}");
    assert_eq!(
        e["details"][0]["@type"],
        "type.googleapis.com/google.rpc.ErrorInfo"
    );
    assert_eq!(
        e["details"][0]["metadata"]["service"],
        "books.googleapis.com"
    );
    assert_eq!(e["message"], e["errors"][0]["message"], "{v}");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_api_answers_access_not_configured_until_enabled() {
    let app = demo(None).await;
    let (p, key) = project_with_key(&app, false).await;
    let v = assert_denied(
        &search(&app, &key, &[]).await,
        "usageLimits",
        "accessNotConfigured",
        "SERVICE_DISABLED",
    );
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "Books API has not been used in project {} before or it is disabled. Enable it by visiting {}/console/projects/{} then retry.",
            p.number, app.base_url, p.id
        )),
        "{message}"
    );
    let meta = &v["error"]["details"][0]["metadata"];
    assert_eq!(meta["consumer"], format!("projects/{}", p.number));
    assert_eq!(
        meta["activationUrl"],
        format!("{}/console/projects/{}", app.base_url, p.id)
    );
    // The key itself is never echoed.
    assert!(!String::from_utf8_lossy(&search(&app, &key, &[]).await.body).contains(&key));

    app.console
        .set_books_api(&Actor::Cli, &p.id, true)
        .await
        .unwrap();
    assert_eq!(search(&app, &key, &[]).await.status, 200);
    // The pre-console key of the test app lives in the legacy project, enabled.
    assert_eq!(app.get_keyed(SEARCH).await.status, 200);
    // Deleting the project revokes its keys.
    app.console
        .delete_project(&Actor::Cli, &p.id)
        .await
        .unwrap();
    search(&app, &key, &[])
        .await
        .assert_error(400, "badRequest");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referrer_restrictions_follow_google_patterns() {
    let app = demo(None).await;
    let (p, key) = project_with_key(&app, true).await;
    let key_id = app.console.keys(&Actor::Cli, &p.id).await.unwrap()[0]
        .record
        .id
        .clone();
    app.console
        .set_key_restrictions(
            &Actor::Cli,
            &p.id,
            &key_id,
            &["*.example.org/*".into(), "https://example.com/app/*".into()],
            &[],
        )
        .await
        .unwrap();
    let v = assert_denied(
        &search(&app, &key, &[]).await,
        "global",
        "forbidden",
        "API_KEY_HTTP_REFERRER_BLOCKED",
    );
    assert_eq!(
        v["error"]["message"],
        "Requests from referer <empty> are blocked."
    );
    assert_eq!(
        v["error"]["details"][0]["metadata"]["consumer"],
        format!("projects/{}", p.number)
    );
    for blocked in [
        "https://example.org.evil/x",
        "https://example.org/x",
        "http://example.com/app/page",
        "https://example.com/other",
    ] {
        let v = assert_denied(
            &search(&app, &key, &[("referer", blocked)]).await,
            "global",
            "forbidden",
            "API_KEY_HTTP_REFERRER_BLOCKED",
        );
        assert_eq!(
            v["error"]["message"],
            format!("Requests from referer {blocked} are blocked.")
        );
    }
    for allowed in [
        "https://a.example.org/x",
        "http://deep.a.example.org/",
        "https://example.com/app/page?x=1",
    ] {
        let r = search(&app, &key, &[("referer", allowed)]).await;
        assert_eq!(
            r.status,
            200,
            "{allowed}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    // Bad patterns are refused, naming the problem.
    let err = app
        .console
        .set_key_restrictions(&Actor::Cli, &p.id, &key_id, &["exa*mple.com".into()], &[])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("exa*mple.com"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ip_restrictions_use_the_peer_address() {
    let app = demo(None).await;
    let (p, key) = project_with_key(&app, true).await;
    let key_id = app.console.keys(&Actor::Cli, &p.id).await.unwrap()[0]
        .record
        .id
        .clone();
    let restrict = |ips: &'static [&'static str]| {
        let console = app.console.clone();
        let (pid, kid) = (p.id.clone(), key_id.clone());
        async move {
            let ips: Vec<String> = ips.iter().map(|s| (*s).to_owned()).collect();
            console
                .set_key_restrictions(&Actor::Cli, &pid, &kid, &[], &ips)
                .await
                .unwrap();
        }
    };
    restrict(&["198.51.100.0/24", "2001:db8::/32"]).await;
    let v = assert_denied(
        &search(&app, &key, &[]).await,
        "global",
        "forbidden",
        "API_KEY_IP_ADDRESS_BLOCKED",
    );
    assert_eq!(
        v["error"]["message"],
        "The provided API key has an IP address restriction. The originating IP address of the call (127.0.0.1) violates this restriction."
    );
    // X-Forwarded-For is not believed from an untrusted peer.
    let spoofed = search(&app, &key, &[("x-forwarded-for", "198.51.100.7")]).await;
    assert_eq!(spoofed.status, 403);
    // CIDR boundaries: 127.0.0.0/31 holds .0 and .1; 127.0.0.2/31 does not hold .1.
    restrict(&["127.0.0.2/31"]).await;
    assert_eq!(search(&app, &key, &[]).await.status, 403);
    restrict(&["127.0.0.0/31"]).await;
    assert_eq!(search(&app, &key, &[]).await.status, 200);
    restrict(&["::1"]).await;
    assert_eq!(
        search(&app, &key, &[]).await.status,
        403,
        "IPv6 loopback is not 127.0.0.1"
    );
    assert!(app
        .console
        .set_key_restrictions(&Actor::Cli, &p.id, &key_id, &[], &["10.0.0.0/33".into()])
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_is_read_from_trusted_proxies_only() {
    let app = demo(Some(|s| s.trusted_proxies = vec!["127.0.0.1/32".into()])).await;
    let (p, key) = project_with_key(&app, true).await;
    let key_id = app.console.keys(&Actor::Cli, &p.id).await.unwrap()[0]
        .record
        .id
        .clone();
    app.console
        .set_key_restrictions(&Actor::Cli, &p.id, &key_id, &[], &["203.0.113.0/24".into()])
        .await
        .unwrap();
    let ok = search(
        &app,
        &key,
        &[("x-forwarded-for", "198.51.100.1, 203.0.113.9")],
    )
    .await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    let v = assert_denied(
        &search(
            &app,
            &key,
            &[("x-forwarded-for", "203.0.113.9, 198.51.100.1")],
        )
        .await,
        "global",
        "forbidden",
        "API_KEY_IP_ADDRESS_BLOCKED",
    );
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("(198.51.100.1)"));
    // Without the header the proxy itself is the client.
    assert_eq!(search(&app, &key, &[]).await.status, 403);
}

/// Fires `n` concurrent searches with `key` at each base URL; returns (200s, 429 bodies).
async fn burst(
    urls: &[String],
    key: &str,
    n: usize,
    quota_user: Option<&str>,
) -> (usize, Vec<Reply>) {
    let mut tasks = Vec::new();
    for base in urls {
        for _ in 0..n {
            let mut url = format!("{base}{SEARCH}&key={key}");
            if let Some(u) = quota_user {
                url.push_str(&format!("&quotaUser={u}"));
            }
            tasks.push(tokio::spawn(async move { get_url(&url).await }));
        }
    }
    let mut ok = 0;
    let mut refused = Vec::new();
    for t in tasks {
        let r = t.await.expect("task");
        match r.status {
            200 => ok += 1,
            // 429, or 403 with `quota_errors = "legacy"` (the tests check the body).
            429 | 403 => refused.push(r),
            other => panic!("unexpected {other}: {}", String::from_utf8_lossy(&r.body)),
        }
    }
    (ok, refused)
}

async fn get_url(url: &str) -> Reply {
    use http_body_util::BodyExt as _;
    let client: hyper_util::client::legacy::Client<_, http_body_util::Full<bytes::Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let resp = client.get(url.parse().expect("url")).await.expect("send");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

fn assert_quota_body(r: &Reply, limit: &str, number: i64) {
    let v = r.json();
    let e = &v["error"];
    assert_eq!(e["code"], 429, "{v}");
    assert_eq!(e["status"], "RESOURCE_EXHAUSTED", "{v}");
    assert_eq!(e["errors"][0]["reason"], "rateLimitExceeded", "{v}");
    assert_eq!(e["errors"][0]["domain"], "global", "{v}");
    assert_eq!(
        e["message"],
        format!("Quota exceeded for quota metric 'Queries' and limit '{limit}' of service 'books.googleapis.com' for consumer 'project_number:{number}'.")
    );
    assert_eq!(e["details"][0]["reason"], "RATE_LIMIT_EXCEEDED", "{v}");
}

/// The daily quota at its boundary: of 60 concurrent requests with a limit of 25, exactly 25
/// pass, and usage counts 25 answers of 200 and 35 of 429.
async fn daily_quota_story(apps: &[&TestApp]) {
    let first = apps[0];
    let (p, key) = project_with_key(first, true).await;
    first
        .console
        .set_quota(&Actor::Cli, &p.id, Some(25), None)
        .await
        .unwrap();
    let urls: Vec<String> = apps.iter().map(|a| a.base_url.clone()).collect();
    let per_app = 60 / apps.len();
    let (ok, refused) = burst(&urls, &key, per_app, None).await;
    assert_eq!(ok, 25, "exactly the daily limit passes");
    assert_eq!(refused.len(), 60 - 25);
    assert_quota_body(&refused[0], "Queries per day", p.number);
    assert_eq!(
        refused[0].json()["error"]["details"][0]["metadata"]["quota_limit_value"],
        "25"
    );
    // Usage (flushed by the report) counts every answer, across the servers.
    for a in apps {
        a.console.usage().flush().await.unwrap();
    }
    let report = first
        .console
        .usage_report(&Actor::Cli, &p.id, 1)
        .await
        .unwrap();
    assert_eq!(report.requests, 60, "{report:?}");
    assert_eq!(report.errors_by_code.get("429"), Some(&35));
    assert_eq!(report.by_method.get("books.volumes.list"), Some(&60));
    assert_eq!(report.by_key.len(), 1);
    let per_key = &report.by_key[0];
    assert_eq!(per_key.requests, 60);
    assert_eq!(per_key.by_method.get("books.volumes.list"), Some(&60));
    assert_eq!(per_key.errors_by_code.get("429"), Some(&35));
    assert_eq!(per_key.by_day.values().sum::<i64>(), 60);
    assert!(per_key.latency_ms.p99.is_some());
    assert!(report.latency_ms.p50.is_some());
    // Raising the limit lets requests through again.
    first
        .console
        .set_quota(&Actor::Cli, &p.id, Some(26), None)
        .await
        .unwrap();
    assert_eq!(search(first, &key, &[]).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_quota_is_exact_under_concurrency_on_sqlite() {
    let app = demo(None).await;
    daily_quota_story(&[&app]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_quota_is_exact_across_two_servers_on_postgres() {
    with_postgres("quota test", |url| async move {
        let one = TestApp::spawn(Options {
            demo: true,
            database_url: Some(url.clone()),
            ..Options::default()
        })
        .await;
        let two = TestApp::spawn(Options {
            database_url: Some(url.clone()),
            ..Options::default()
        })
        .await;
        daily_quota_story(&[&one, &two]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_user_minute_quota_counts_quota_users_apart() {
    let app = demo(Some(|s| s.quota_requests_per_minute_per_user = Some(3))).await;
    let (p, key) = project_with_key(&app, true).await;
    let urls = vec![app.base_url.clone()];
    let (ok, refused) = burst(&urls, &key, 8, Some("alice")).await;
    assert_eq!(ok, 3);
    assert_eq!(refused.len(), 5);
    assert_quota_body(&refused[0], "Queries per minute per user", p.number);
    // Another quota user has their own minute.
    let (ok, _) = burst(&urls, &key, 4, Some("bob")).await;
    assert_eq!(ok, 3);
    // The next minute starts afresh.
    app.clock.advance(chrono::Duration::seconds(61));
    let (ok, _) = burst(&urls, &key, 4, Some("alice")).await;
    assert_eq!(ok, 3);
    // An administrator's override beats the default; `none` is the default again.
    app.console
        .set_quota(&Actor::Cli, &p.id, None, Some(5))
        .await
        .unwrap();
    let (ok, _) = burst(&urls, &key, 6, Some("carol")).await;
    assert_eq!(ok, 5);
    // Without quotaUser, the client address is the user.
    app.console
        .set_quota(&Actor::Cli, &p.id, None, Some(1))
        .await
        .unwrap();
    assert_eq!(search(&app, &key, &[]).await.status, 200);
    assert_eq!(search(&app, &key, &[]).await.status, 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_follow_their_clients_project() {
    let app = demo(None).await;
    let (p, key) = project_with_key(&app, true).await;
    let redirect = "https://app.example/cb";
    let client = app
        .console
        .create_client(
            &Actor::Cli,
            &p.id,
            colophon_auth::clients::NewClient {
                name: "Shelf viewer".into(),
                kind: ClientKind::Web,
                redirect_uris: vec![redirect.into()],
                public: false,
            },
        )
        .await
        .unwrap();
    let mut browser = signed_in(&app, "reader@example.org").await;
    // The consent page names the project.
    let page = browser
        .get(&crate::oauth_support::auth_url(
            &client.client.id,
            redirect,
            &[],
        ))
        .await;
    assert!(
        page.text().contains("Console test wants access"),
        "{}",
        page.text()
    );
    let code = code_for(&mut browser, &client.client.id, redirect, &[]).await;
    let token = exchange(&app, &client, &code, redirect, &[]).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {token}");
    let shelves = "/books/v1/mylibrary/bookshelves";
    assert_eq!(
        app.get(shelves, &[("authorization", &bearer)]).await.status,
        200
    );
    // With a key of the same project: fine; of another project: 400.
    let with_key = format!("{shelves}?key={key}");
    assert_eq!(
        app.get(&with_key, &[("authorization", &bearer)])
            .await
            .status,
        200
    );
    let other = format!("{shelves}?key={}", app.key);
    let r = app.get(&other, &[("authorization", &bearer)]).await;
    let v = r.assert_error(400, "badRequest");
    assert_eq!(
        v["error"]["message"],
        "The API Key and the authentication credential are from different projects."
    );
    // Disabling the API stops the client's tokens too.
    app.console
        .set_books_api(&Actor::Cli, &p.id, false)
        .await
        .unwrap();
    assert_denied(
        &app.get(shelves, &[("authorization", &bearer)]).await,
        "usageLimits",
        "accessNotConfigured",
        "SERVICE_DISABLED",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_pages_manage_a_project_without_javascript() {
    let app = demo(Some(|s| {
        s.console_administrators = vec!["admin@example.org".into()]
    }))
    .await;
    let mut dev = signed_in(&app, "dev@example.org").await;
    let home = dev.get("/console").await;
    assert_eq!(home.status, 200);
    assert_eq!(home.header("x-frame-options"), Some("DENY"));
    let csrf = hidden(&home.text(), "csrf").expect("csrf");
    // A form without the CSRF token is refused.
    assert_eq!(
        dev.post("/console/projects", &[("name", "x")]).await.status,
        403
    );
    let created = dev
        .post(
            "/console/projects",
            &[("csrf", &csrf), ("name", "My <shelf> app")],
        )
        .await;
    assert_eq!(created.status, 303);
    let location = created.header("location").unwrap().to_owned();
    let id = location.rsplit('/').next().unwrap().to_owned();
    let page = dev.get(&location).await;
    assert!(page.text().contains("My &lt;shelf&gt; app"));
    assert!(page.text().contains("is <strong>disabled</strong>"));
    let act = |a: &str| format!("/console/projects/{id}/{a}");
    dev.post(&act("api"), &[("csrf", &csrf), ("enabled", "true")])
        .await;
    let with_key = dev
        .post(&act("keys"), &[("csrf", &csrf), ("name", "web")])
        .await
        .text();
    let key = with_key
        .split("<code id=\"secret-value\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("key shown once")
        .to_owned();
    assert!(key.starts_with("AIza"));
    for _ in 0..3 {
        assert_eq!(search(&app, &key, &[]).await.status, 200);
    }
    app.get(&format!("/books/v1/volumes/nope12345678?key={key}"), &[])
        .await;
    let usage = dev.get(&act("usage.json")).await.json();
    assert_eq!(usage["requests"], 4, "{usage}");
    assert_eq!(usage["byMethod"]["books.volumes.list"], 3);
    assert_eq!(usage["errorsByCode"].as_object().map(|o| o.len()), Some(1));
    let page = dev.get(&location).await.text();
    assert!(page.contains("<svg id=\"chart-days\""));
    assert!(page.contains("data-label=\"books.volumes.list\" data-value=\"3\""));
    assert!(!page.contains(&key), "the key is shown once only");
    // Another user sees nothing of it; the administrator sees it and sets its quota.
    let mut other = signed_in(&app, "other@example.org").await;
    assert_eq!(other.get(&location).await.status, 404);
    let mut admin = signed_in(&app, "admin@example.org").await;
    let admin_page = admin.get("/console/admin").await;
    assert!(admin_page.text().contains("dev@example.org"));
    let admin_csrf = hidden(&admin_page.text(), "csrf").unwrap();
    let r = admin
        .post(
            &format!("/console/admin/projects/{id}/quota"),
            &[
                ("csrf", &admin_csrf),
                ("per_day", "5"),
                ("per_minute_per_user", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let (ok, _) = burst(std::slice::from_ref(&app.base_url), &key, 8, None).await;
    assert_eq!(ok, 5, "the override applies at once");
    assert_eq!(
        dev.post(
            &format!("/console/admin/projects/{id}/quota"),
            &[("csrf", &csrf), ("per_day", "1")]
        )
        .await
        .status,
        403
    );
    // Deleting needs the typed confirmation.
    assert_eq!(dev.get(&act("delete")).await.status, 200);
    assert_eq!(
        dev.post(&act("delete"), &[("csrf", &csrf), ("confirm", "no")])
            .await
            .status,
        400
    );
    assert_eq!(
        dev.post(&act("delete"), &[("csrf", &csrf), ("confirm", &id)])
            .await
            .status,
        303
    );
    search(&app, &key, &[])
        .await
        .assert_error(400, "badRequest");
}

fn colophon(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_colophon"))
        .args(args)
        .output()
        .expect("run colophon");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_and_key_restrictions_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, out, err) = colophon(&[
        "projects",
        "create",
        "--data-dir",
        d,
        "--name",
        "CLI app",
        "--enable",
    ]);
    assert!(ok, "{err}");
    let id = out
        .split_whitespace()
        .nth(2)
        .expect("created project <id>")
        .to_owned();
    assert!(id.starts_with("p-"), "{out}");
    let (ok, out, err) = colophon(&[
        "keys",
        "create",
        "--data-dir",
        d,
        "--project",
        &id,
        "--name",
        "cli key",
    ]);
    assert!(ok, "{err}");
    let key = out.lines().last().unwrap().to_owned();
    let key_id = out.split_whitespace().nth(3).unwrap().to_owned();
    let (ok, out, err) = colophon(&[
        "keys",
        "restrict",
        "--data-dir",
        d,
        &key_id,
        "--referrer",
        "*.example.org/*",
        "--ip",
        "192.0.2.0/24",
    ]);
    assert!(
        ok && out.contains("*.example.org/*") && out.contains("192.0.2.0/24"),
        "{out}{err}"
    );
    let (ok, _, err) = colophon(&[
        "keys",
        "restrict",
        "--data-dir",
        d,
        &key_id,
        "--ip",
        "999.1.1.1",
    ]);
    assert!(!ok && err.contains("999.1.1.1"), "{err}");
    let (ok, _, err) = colophon(&[
        "keys",
        "rename",
        "--data-dir",
        d,
        &key_id,
        "--name",
        "renamed key",
    ]);
    assert!(ok, "{err}");
    let (ok, out, err) = colophon(&["projects", "quota", "--data-dir", d, &id, "--per-day", "2"]);
    assert!(ok && out.contains(" 2 "), "{out}{err}");
    let (ok, list, _) = colophon(&["projects", "list", "--data-dir", d]);
    assert!(
        ok && list.contains(&id) && list.contains("enabled") && list.contains("CLI app"),
        "{list}"
    );
    let (ok, keys, _) = colophon(&["keys", "list", "--data-dir", d]);
    assert!(
        ok && keys.contains(&id) && keys.contains("renamed key"),
        "{keys}"
    );

    // The restrictions hold on a server over the same directory.
    let settings = crate::support::settings_for(dir.path());
    let app = colophon_cli::app::Application::build(
        &settings,
        colophon_cli::app::open_backend(&settings).await.unwrap(),
    )
    .await
    .unwrap();
    let base = format!("http://{}", app.local_addr);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run(async move {
        let _ = rx.await;
    }));
    let (status, body) =
        TestApp::client_get(&format!("{base}/books/v1/volumes?q=x&key={key}")).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("API_KEY_HTTP_REFERRER_BLOCKED"), "{body}");
    // A server writes its buffered usage when it stops.
    let _ = tx.send(());
    server.await.unwrap().unwrap();

    let (ok, out, _) = colophon(&["projects", "usage", "--data-dir", d, &id]);
    let usage: serde_json::Value = serde_json::from_str(&out).expect("usage JSON");
    assert!(ok && usage["errorsByCode"]["403"] == 1, "{usage}");
    let (ok, _, err) = colophon(&["projects", "delete", "--data-dir", d, &id]);
    assert!(!ok && err.contains("--yes"), "{err}");
    let (ok, _, err) = colophon(&["projects", "delete", "--data-dir", d, &id, "--yes"]);
    assert!(ok, "{err}");
    let (ok, keys, _) = colophon(&["keys", "list", "--data-dir", d]);
    assert!(ok && keys.contains("revoked"), "{keys}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_redirect_uris_and_secret_reset() {
    let app = demo(None).await;
    let (p, _) = project_with_key(&app, true).await;
    let (old_uri, new_uri) = ("https://app.example/old", "https://app.example/new");
    let mut client = app
        .console
        .create_client(
            &Actor::Cli,
            &p.id,
            colophon_auth::clients::NewClient {
                name: "Editable".into(),
                kind: ClientKind::Web,
                redirect_uris: vec![old_uri.into()],
                public: false,
            },
        )
        .await
        .unwrap();
    let id = client.client.id.clone();
    app.console
        .set_client_redirect_uris(&Actor::Cli, &p.id, &id, &[new_uri.into()])
        .await
        .unwrap();
    // A web client keeps at least one URI, and each is validated.
    assert!(app
        .console
        .set_client_redirect_uris(&Actor::Cli, &p.id, &id, &[])
        .await
        .is_err());
    assert!(app
        .console
        .set_client_redirect_uris(&Actor::Cli, &p.id, &id, &["javascript:alert(1)".into()])
        .await
        .is_err());
    let mut browser = signed_in(&app, "editor@example.org").await;
    let old = browser
        .get(&crate::oauth_support::auth_url(&id, old_uri, &[]))
        .await;
    assert_eq!(old.status, 400, "the old redirect URI is gone");
    let code = code_for(&mut browser, &id, new_uri, &[]).await;
    // The reset secret replaces the old one.
    let old_secret = client.secret.clone();
    let new_secret = app
        .console
        .reset_client_secret(&Actor::Cli, &p.id, &id)
        .await
        .unwrap();
    assert_ne!(Some(new_secret.clone()), old_secret);
    let refused = exchange(&app, &client, &code, new_uri, &[]).await;
    assert_eq!(refused.status, 401, "{}", refused.text());
    client.secret = Some(new_secret);
    let code = code_for(&mut browser, &id, new_uri, &[]).await;
    let ok = exchange(&app, &client, &code, new_uri, &[]).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    // Another project's client is not reachable through this project.
    let other = app
        .console
        .create_project(&Actor::Cli, None, "Other")
        .await
        .unwrap();
    assert!(app
        .console
        .reset_client_secret(&Actor::Cli, &other.id, &id)
        .await
        .is_err());
}

/// `quota_errors = "legacy"`: the pre-2020 answers, 403 `usageLimits` with
/// `dailyLimitExceeded` for the daily quota and `userRateLimitExceeded` for the per-user
/// minute, for clients that look for those reasons.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_quota_answers_name_the_quota_that_ran_out() {
    let app = demo(Some(|s| {
        s.quota_errors = colophon_http::QuotaErrors::Legacy;
        s.quota_requests_per_minute_per_user = Some(2);
    }))
    .await;
    let (p, key) = project_with_key(&app, true).await;
    app.console
        .set_quota(&Actor::Cli, &p.id, Some(3), None)
        .await
        .unwrap();
    let urls = vec![app.base_url.clone()];
    let legacy = |r: &Reply, reason: &str, message: &str| {
        let v = r.json();
        let e = &v["error"];
        assert_eq!(r.status, 403, "{v}");
        assert_eq!(e["code"], 403, "{v}");
        assert_eq!(e["status"], "PERMISSION_DENIED", "{v}");
        assert_eq!(e["message"], message, "{v}");
        assert_eq!(e["errors"][0]["domain"], "usageLimits", "{v}");
        assert_eq!(e["errors"][0]["reason"], reason, "{v}");
        assert_eq!(e["details"][0]["reason"], "RATE_LIMIT_EXCEEDED", "{v}");
    };
    let (ok, refused) = burst(&urls, &key, 4, Some("carol")).await;
    assert_eq!(ok, 2);
    legacy(
        &refused[0],
        "userRateLimitExceeded",
        "User Rate Limit Exceeded",
    );
    assert_eq!(
        refused[0].json()["error"]["details"][0]["metadata"]["quota_limit"],
        "defaultPerMinutePerUser"
    );

    app.clock.advance(chrono::Duration::seconds(61));
    let (ok, refused) = burst(&urls, &key, 3, Some("dave")).await;
    assert_eq!(ok, 1, "two of the day's three requests went to carol");
    legacy(&refused[0], "dailyLimitExceeded", "Daily Limit Exceeded");
}
