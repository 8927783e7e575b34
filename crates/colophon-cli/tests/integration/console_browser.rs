//! The developer console end to end in a real headless Chromium (issue 5): sign up, create a
//! project, enable the Books API, create a key restricted to the referrer of a page served by
//! the test, call the API from that page, see the usage chart count the calls, then create an
//! OAuth client and complete a code flow with it. A screenshot of each page is kept in
//! `COLOPHON_TEST_ARTEFACTS` (or `<target>/test-artefacts/console-*.png`).

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::oauth_browser::{callback_server, Chromium, Page};
use crate::oauth_support::{exchange, my_shelves, param, PASSWORD};
use crate::support::{Options, TestApp};

async fn screenshot(page: &mut Page, name: &str) {
    crate::oauth_browser::screenshot(page, &format!("console-{name}.png"), true).await;
}

/// A loopback web server whose one page calls the Books API `calls` times with `key` (no-cors
/// fetches: the browser sends its `Referer`), then shows how many calls completed.
async fn api_page_server(api: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let api = api.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let target = head
                    .lines()
                    .next()
                    .and_then(|l| l.split(' ').nth(1))
                    .unwrap_or("/")
                    .to_owned();
                let key = param(&format!("http://x{target}"), "key").unwrap_or_default();
                let body = format!(
                    "<!DOCTYPE html><title>Shelf app</title><p id=out>calling…</p><script>\
                     var done=0;var url='{api}/books/v1/volumes?q=dracula&key={key}';\
                     Promise.all([1,2,3].map(function(){{return fetch(url,{{mode:'no-cors'}}).then(function(){{done++;}});}}))\
                     .then(function(){{document.getElementById('out').textContent='done '+done;}});</script>"
                );
                let _ = sock
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .await;
            });
        }
    });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_end_to_end_in_headless_chromium() {
    let Some(binary) = crate::oauth_browser::chromium_or_skip("console browser test") else {
        return;
    };
    let app = TestApp::spawn(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let chromium = Chromium::launch(&binary).await;
    let mut page = Page::open(&chromium.ws_url).await;
    let base = app.base_url.clone();

    // Sign up on the way to the console.
    page.navigate(&format!("{base}/console")).await;
    page.wait_for("the sign-in page", "location.pathname === '/signin'")
        .await;
    page.eval("document.querySelector('a[href^=\"/signup\"]').click()")
        .await;
    page.wait_for("the sign-up page", "location.pathname === '/signup'")
        .await;
    page.eval(&format!(
        "document.getElementById('email').value = 'dev@example.org';\
         document.getElementById('password').value = '{PASSWORD}';\
         document.getElementById('submit').click(); true"
    ))
    .await;
    page.wait_for("the console", "location.pathname === '/console'")
        .await;
    screenshot(&mut page, "home").await;

    // Create a project and enable the Books API.
    page.eval(
        "document.getElementById('name').value = 'Shelf App';\
         document.getElementById('create-project').click(); true",
    )
    .await;
    page.wait_for(
        "the project page",
        "location.pathname.startsWith('/console/projects/')",
    )
    .await;
    let project_url = page
        .eval("location.href")
        .await
        .as_str()
        .unwrap()
        .to_owned();
    page.eval("document.getElementById('toggle-api').click(); true")
        .await;
    page.wait_for(
        "the API enabled",
        "document.getElementById('api-status').innerText.includes('enabled')",
    )
    .await;
    screenshot(&mut page, "project").await;

    // Create a key; it is shown once.
    page.eval("document.getElementById('create-key').click(); true")
        .await;
    page.wait_for("the new key", "!!document.getElementById('secret-value')")
        .await;
    screenshot(&mut page, "new-key").await;
    let key = page
        .eval("document.getElementById('secret-value').textContent.trim()")
        .await
        .as_str()
        .unwrap()
        .to_owned();
    assert!(key.starts_with("AIza"), "{key}");

    // Restrict it to the referrer of the test's page.
    let site = api_page_server(base.clone()).await;
    page.eval(&format!(
        "var t = document.querySelector('textarea[name=referrers]'); t.value = '{site}/*';\
         t.form.querySelector('button').click(); true"
    ))
    .await;
    page.wait_for(
        "the restriction saved",
        "document.body.innerText.includes('Restrictions saved.')",
    )
    .await;
    screenshot(&mut page, "restricted-key").await;
    // Outside the page, without its referrer, the key is refused.
    let blocked = app
        .get(&format!("/books/v1/volumes?q=dracula&key={key}"), &[])
        .await;
    assert_eq!(blocked.status, 403);

    // The page calls the API three times.
    page.navigate(&format!("{site}/app.html?key={key}")).await;
    page.wait_for(
        "the calls",
        "document.getElementById('out').textContent === 'done 3'",
    )
    .await;
    screenshot(&mut page, "calling-page").await;

    // The usage chart counts them (3 successful calls, plus the refused one).
    page.navigate(&project_url).await;
    page.wait_for(
        "the usage chart",
        "!!document.getElementById('chart-methods')",
    )
    .await;
    let counted = page
        .eval("document.querySelector('#chart-methods g.bar[data-label=\"books.volumes.list\"]').dataset.value")
        .await;
    assert_eq!(counted, "4", "3 from the page and 1 refused");
    let errors = page
        .eval(
            "document.querySelector('#chart-errors g.bar[data-label=\"HTTP 403\"]').dataset.value",
        )
        .await;
    assert_eq!(errors, "1");
    screenshot(&mut page, "usage").await;

    // An OAuth client of the project, and a code flow with it.
    let (callback, code_rx) = callback_server().await;
    page.eval(&format!(
        "document.getElementById('client-name').value = 'Shelf web client';\
         document.getElementById('redirect-uris').value = '{callback}';\
         document.getElementById('create-client').click(); true"
    ))
    .await;
    page.wait_for(
        "the client secret",
        "document.body.innerText.includes('OAuth client created.')",
    )
    .await;
    screenshot(&mut page, "new-client").await;
    let secret = page
        .eval("document.getElementById('secret-value').textContent.trim()")
        .await
        .as_str()
        .unwrap()
        .to_owned();
    let client_id = page
        .eval(
            "Array.from(document.querySelectorAll('td code')).map(function(c){return c.textContent;})\
             .find(function(t){return t.endsWith('.apps.colophon');})",
        )
        .await
        .as_str()
        .unwrap()
        .to_owned();
    let auth = format!(
        "{base}{}",
        crate::oauth_support::auth_url(&client_id, &callback, &[("state", "s1")])
    );
    page.navigate(&auth).await;
    page.wait_for("the consent page", "!!document.getElementById('allow')")
        .await;
    let text = page.eval("document.body.innerText").await;
    assert!(
        text.as_str()
            .unwrap_or("")
            .contains("Shelf App wants to access"),
        "the consent page shows the project's name: {text}"
    );
    screenshot(&mut page, "consent").await;
    page.eval("document.getElementById('allow').click(); true")
        .await;
    let target = tokio::time::timeout(Duration::from_secs(30), code_rx)
        .await
        .expect("the callback is reached")
        .unwrap();
    let code = param(&target, "code").expect("a code");
    let client = app
        .auth
        .find_client(&client_id)
        .await
        .unwrap()
        .expect("the client exists");
    let created = colophon_auth::CreatedClient {
        client,
        secret: Some(secret),
    };
    let tokens = exchange(&app, &created, &code, &callback, &[]).await;
    assert_eq!(tokens.status, 200, "{}", tokens.text());
    let shelves = my_shelves(&app, tokens.json()["access_token"].as_str().unwrap()).await;
    assert_eq!(shelves.status, 200, "{}", shelves.text());
}
