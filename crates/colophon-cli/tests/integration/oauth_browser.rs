//! The complete browser flow in a real headless Chromium, driven through the Chrome DevTools
//! Protocol: sign up, consent (screenshot kept as a test artefact), redirect with a code to
//! the application's loopback callback, token exchange, and a Books API call that needs the
//! user.
//!
//! Chromium comes from the `chromium` package (`scripts/test.sh` installs it). Without it the
//! test says SKIPPED, unless `COLOPHON_REQUIRE_BROWSER=1` (set by `scripts/test.sh`), which
//! makes a missing browser a failure. The screenshot goes to `COLOPHON_TEST_ARTEFACTS` or
//! `<target>/test-artefacts/consent-page.png`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use colophon_auth::clients::NewClient;
use colophon_auth::ClientKind;
use futures::{SinkExt as _, StreamExt as _};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio_tungstenite::tungstenite::Message;

use crate::oauth_support::*;
use crate::support::TestApp;

/// The Chromium to drive, or `None` after saying on stderr that `what` is skipped; with
/// `COLOPHON_REQUIRE_BROWSER=1` (set by `scripts/test.sh`) a missing browser fails the test.
pub(crate) fn chromium_or_skip(what: &str) -> Option<PathBuf> {
    let found = find_chromium();
    if found.is_none() {
        let required = std::env::var("COLOPHON_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "COLOPHON_REQUIRE_BROWSER=1 but no chromium was found on PATH"
        );
        let _ = writeln!(
            std::io::stderr(),
            "{what} SKIPPED: no chromium on PATH (apt-get install chromium, or set COLOPHON_CHROMIUM)"
        );
    }
    found
}

/// Saves a PNG screenshot of the page (the whole page with `full`) as `file_name` in the
/// test-artefact directory, and says where on stderr.
pub(crate) async fn screenshot(page: &mut Page, file_name: &str, full: bool) -> PathBuf {
    let shot = page
        .call(
            "Page.captureScreenshot",
            serde_json::json!({"format": "png", "captureBeyondViewport": full}),
        )
        .await;
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().unwrap())
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    let dir = artefact_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(file_name);
    std::fs::write(&path, &png).unwrap();
    let _ = writeln!(std::io::stderr(), "screenshot: {}", path.display());
    path
}

pub(crate) fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("COLOPHON_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
        })
}

pub(crate) fn artefact_dir() -> PathBuf {
    std::env::var_os("COLOPHON_TEST_ARTEFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
            target.join("test-artefacts")
        })
}

/// A headless Chromium, killed on drop.
pub(crate) struct Chromium {
    child: Child,
    _profile: tempfile::TempDir,
    pub(crate) ws_url: String,
}

impl Chromium {
    pub(crate) async fn launch(binary: &Path) -> Self {
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=900,900",
                "--remote-debugging-port=0",
                "about:blank",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        // Chromium writes its DevTools port and path into the profile once it listens.
        let port_file = profile.path().join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(30);
        let ws_url = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    break format!("ws://127.0.0.1:{port}{path}");
                }
            }
            assert!(Instant::now() < deadline, "chromium did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        Self {
            child,
            _profile: profile,
            ws_url,
        }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A minimal CDP client: one page session over the browser's WebSocket.
pub(crate) struct Page {
    ws: Ws,
    next_id: u64,
    session: String,
}

impl Page {
    pub(crate) async fn open(ws_url: &str) -> Self {
        let (ws, _) = tokio_tungstenite::connect_async(ws_url)
            .await
            .expect("connect to DevTools");
        let mut page = Self {
            ws,
            next_id: 0,
            session: String::new(),
        };
        let target = page
            .call_browser(
                "Target.createTarget",
                serde_json::json!({"url": "about:blank"}),
            )
            .await;
        let target_id = target["targetId"].as_str().unwrap().to_owned();
        let attached = page
            .call_browser(
                "Target.attachToTarget",
                serde_json::json!({"targetId": target_id, "flatten": true}),
            )
            .await;
        page.session = attached["sessionId"].as_str().unwrap().to_owned();
        page.call("Page.enable", serde_json::json!({})).await;
        page
    }

    async fn send(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: serde_json::Value,
    ) -> serde_json::Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = serde_json::json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = s.into();
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .await
            .expect("send CDP command");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let frame = tokio::time::timeout(left, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("no answer to {method}"))
                .expect("DevTools closed")
                .expect("DevTools frame");
            let Message::Text(text) = frame else { continue };
            let v: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
            if v["id"] == id {
                // A script evaluated while the page navigates (a click that submits a form,
                // a poll during a redirect) loses its context: no value, not a failure; the
                // callers that wait poll again.
                let navigated = v["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("navigated or closed"));
                if method == "Runtime.evaluate" && navigated {
                    return serde_json::Value::Null;
                }
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }

    async fn call_browser(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.send(None, method, params).await
    }

    pub(crate) async fn call(
        &mut self,
        method: &str,
        params: serde_json::Value,
    ) -> serde_json::Value {
        let session = self.session.clone();
        self.send(Some(&session), method, params).await
    }

    pub(crate) async fn eval(&mut self, js: &str) -> serde_json::Value {
        let r = self
            .call(
                "Runtime.evaluate",
                serde_json::json!({"expression": js, "returnByValue": true}),
            )
            .await;
        r["result"]["value"].clone()
    }

    pub(crate) async fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", serde_json::json!({"url": url}))
            .await;
    }

    /// Waits until `js` evaluates to true in a loaded document.
    pub(crate) async fn wait_for(&mut self, what: &str, js: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let check = format!("document.readyState === 'complete' && ({js})");
        loop {
            if self.eval(&check).await == serde_json::Value::Bool(true) {
                return;
            }
            if Instant::now() >= deadline {
                let seen = self
                    .eval("location.href + ' | ' + document.body.innerText")
                    .await;
                panic!("timed out waiting for {what}; the page is: {seen}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The application's callback: a loopback server that records the first request's target.
pub(crate) async fn callback_server() -> (String, tokio::sync::oneshot::Receiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/callback", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let mut tx = Some(tx);
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = vec![0u8; 16 * 1024];
            let n = sock.read(&mut buf).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            let target = head
                .lines()
                .next()
                .and_then(|l| l.split(' ').nth(1))
                .unwrap_or("")
                .to_owned();
            let body = "<!DOCTYPE html><title>Done</title><p id=done>Signed in. You can close this window.</p>";
            let _ = sock
                .write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                )
                .await;
            if target.starts_with("/callback") {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(target);
                }
            }
        }
    });
    (url, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_flow_in_headless_chromium() {
    let Some(binary) = chromium_or_skip("browser test") else {
        return;
    };
    let app = TestApp::spawn(Default::default()).await;
    let (callback, code_rx) = callback_server().await;
    let created = app
        .auth
        .create_client(NewClient {
            name: "Shelfie Reader".into(),
            kind: ClientKind::Web,
            redirect_uris: vec![callback.clone()],
            public: false,
        })
        .await
        .unwrap();
    let chromium = Chromium::launch(&binary).await;
    let mut page = Page::open(&chromium.ws_url).await;

    let state = "browser-state-42";
    let url = format!(
        "{}{}",
        app.base_url,
        auth_url(
            &created.client.id,
            &callback,
            &[("state", state), ("access_type", "offline")]
        )
    );
    page.navigate(&url).await;
    page.wait_for("the sign-in page", "location.pathname === '/signin'")
        .await;
    // Sign up from the sign-in page's link (the continue URL is kept).
    page.eval("document.querySelector('a[href^=\"/signup\"]').click()")
        .await;
    page.wait_for("the sign-up page", "location.pathname === '/signup'")
        .await;
    page.eval(&format!(
        "document.getElementById('email').value = 'chromium@example.org';\
         document.getElementById('password').value = '{PASSWORD}';\
         document.getElementById('submit').click(); true"
    ))
    .await;
    page.wait_for("the consent page", "!!document.getElementById('allow')")
        .await;
    let text = page.eval("document.body.innerText").await;
    let text = text.as_str().unwrap_or_default().to_owned();
    assert!(text.contains("Shelfie Reader"), "{text}");
    assert!(text.contains("Manage your books"), "{text}");
    assert!(text.contains("chromium@example.org"), "{text}");

    screenshot(&mut page, "consent-page.png", false).await;

    page.eval("document.getElementById('allow').click(); true")
        .await;
    let target = tokio::time::timeout(Duration::from_secs(30), code_rx)
        .await
        .expect("the browser reaches the callback")
        .unwrap();
    page.wait_for("the callback page", "!!document.getElementById('done')")
        .await;
    assert_eq!(param(&target, "state").as_deref(), Some(state));
    assert_eq!(
        param(&target, "iss").as_deref(),
        Some(app.base_url.as_str())
    );
    let code = param(&target, "code").expect("a code");

    let tokens = exchange(&app, &created, &code, &callback, &[]).await;
    assert_eq!(tokens.status, 200, "{}", tokens.text());
    let tokens = tokens.json();
    assert!(tokens["refresh_token"].is_string());
    let shelves = my_shelves(&app, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(shelves.status, 200, "{}", shelves.text());
    assert_eq!(shelves.json()["kind"], "books#bookshelves");
}
