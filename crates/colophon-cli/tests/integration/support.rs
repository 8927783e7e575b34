//! `TestApp`: a server on an ephemeral port over a fresh data directory.

use std::path::{Path, PathBuf};

use std::sync::Arc;

use bytes::Bytes;
use colophon_auth::{AuthServer, FixedClock};
use colophon_cli::app::{open_backend_with_clock, Application, Backend};
use colophon_cli::Settings;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// A valid API key.
    pub key: String,
    /// The services behind the server (same store and index).
    pub backend: Backend,
    /// The authorization server the running app uses.
    pub auth: AuthServer,
    /// The clock of the authorization server: it stands still until a test moves it.
    pub clock: Arc<FixedClock>,
    /// The developer console's service the running app uses.
    pub console: colophon_service::Console,
    /// The data directory (deleted on drop).
    pub _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// What to start with.
#[derive(Default)]
pub struct Options {
    /// Load the built-in demo catalog.
    pub demo: bool,
    /// Allow calls without key.
    pub anonymous_access: bool,
    /// Import these files in `googlebooks` format.
    pub googlebooks_files: Vec<PathBuf>,
    /// Keep the catalog in this PostgreSQL database instead of SQLite.
    pub database_url: Option<String>,
    /// Changes the settings before the server starts (quotas, proxies, administrators).
    pub configure: Option<fn(&mut Settings)>,
}

/// The `shared/` folder beside the checkout (or `COLOPHON_SHARED_DIR`).
pub fn shared_dir() -> PathBuf {
    std::env::var_os("COLOPHON_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

/// Settings for a fresh data directory.
pub fn settings_for(dir: &Path) -> Settings {
    Settings {
        data_dir: dir.to_path_buf(),
        listen: "127.0.0.1:0".into(),
        ..Settings::defaults()
    }
}

impl TestApp {
    /// Starts a server with the demo catalog.
    pub async fn demo() -> Self {
        Self::spawn(Options {
            demo: true,
            ..Options::default()
        })
        .await
    }

    /// Starts a server.
    pub async fn spawn(opts: Options) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = settings_for(dir.path());
        settings.anonymous_access = opts.anonymous_access;
        settings.database_url = opts.database_url.clone();
        if let Some(configure) = opts.configure {
            configure(&mut settings);
        }
        let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
        let backend = open_backend_with_clock(&settings, clock.clone())
            .await
            .expect("open backend");
        if opts.demo {
            let records: Vec<_> =
                colophon_import::demo::read(colophon_cli::commands::serve::DEMO_CATALOG)
                    .map(|r| r.map(colophon_import::SourceRecord::from))
                    .collect::<Result<_, _>>()
                    .expect("demo catalog parses");
            backend.catalog.ingest(records).await.expect("import demo");
        }
        for f in &opts.googlebooks_files {
            let input = colophon_import::open_input(f).expect("open fixture");
            let records: Vec<_> = colophon_import::googlebooks::read(input)
                .map(|r| r.map(colophon_import::SourceRecord::from))
                .collect::<Result<_, _>>()
                .unwrap_or_else(|e| panic!("{} does not import: {e}", f.display()));
            backend
                .catalog
                .ingest(records)
                .await
                .expect("import fixture");
        }
        let key = backend.keys.create("test").await.expect("create key").key;
        let app = Application::build(&settings, backend.clone())
            .await
            .expect("build app");
        let base_url = format!("http://{}", app.local_addr);
        let auth = app.auth.clone();
        let console = app.console.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run(async move {
            let _ = rx.await;
        }));
        Self {
            base_url,
            key,
            backend,
            auth,
            clock,
            console,
            _dir: dir,
            shutdown: Some(tx),
        }
    }

    /// GET `path_and_query` with extra headers; returns status, headers and body.
    pub async fn get(&self, path_and_query: &str, headers: &[(&str, &str)]) -> Reply {
        self.request("GET", path_and_query, headers, Bytes::new())
            .await
    }

    /// GET with `key=` added.
    pub async fn get_keyed(&self, path_and_query: &str) -> Reply {
        let sep = if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        self.get(&format!("{path_and_query}{sep}key={}", self.key), &[])
            .await
    }

    /// Any request.
    pub async fn request(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> Reply {
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let mut builder = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base_url, path_and_query));
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let resp = client
            .request(builder.body(Full::new(body)).expect("request"))
            .await
            .expect("send");
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
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A response.
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: hyper::HeaderMap,
    /// Raw body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// A header as a string.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a Google error body with this status and reason; returns the body.
    pub fn assert_error(&self, status: u16, reason: &str) -> serde_json::Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        let v = self.json();
        let e = &v["error"];
        assert_eq!(e["code"], status, "{v}");
        assert_eq!(e["errors"][0]["reason"], reason, "{v}");
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
        assert!(e["status"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
        assert_eq!(e["errors"][0]["domain"], "global", "{v}");
        assert_eq!(
            self.header("content-type"),
            Some("application/json; charset=UTF-8")
        );
        v
    }
}

impl TestApp {
    /// A plain GET to an absolute URL: status and body text.
    pub async fn client_get(url: &str) -> (u16, String) {
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let resp = client.get(url.parse().expect("url")).await.expect("send");
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

/// Runs `story` with the URL of a throwaway PostgreSQL database on the server named by
/// `COLOPHON_TEST_DATABASE_URL`, and drops the database afterwards; without that variable,
/// says on stderr that the PostgreSQL `what` was skipped (CI always sets it).
pub async fn with_postgres<F, Fut>(what: &str, story: F)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Ok(admin) = std::env::var("COLOPHON_TEST_DATABASE_URL") else {
        eprintln!("PostgreSQL {what} SKIPPED: COLOPHON_TEST_DATABASE_URL is not set");
        return;
    };
    let url = colophon_store_postgres::create_test_database(&admin)
        .await
        .expect("create test database");
    story(url.clone()).await;
    colophon_store_postgres::drop_test_database(&admin, &url)
        .await
        .expect("drop test database");
}
