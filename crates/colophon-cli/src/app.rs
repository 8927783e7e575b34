//! The composition root: picks the backend from the settings, opens the index, and builds the
//! HTTP application.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use colophon_auth::{AuthConfig, AuthServer, Clock, SystemClock};
use colophon_http::{AppState, HttpConfig};
use colophon_search::SearchIndex;
use colophon_service::console::QuotaDefaults;
use colophon_service::{
    ApiKeys, Catalog, Console, Content, Covers, Library, Licensing, UploadLimits, Uploads,
};
use colophon_store::Store;

use crate::config::{redact_url, Settings};

/// The opened catalog: store, index and services over them.
#[derive(Clone)]
pub struct Backend {
    /// Catalog service.
    pub catalog: Catalog,
    /// API key service.
    pub keys: ApiKeys,
    /// The store, for the authorization server.
    pub store: Arc<dyn Store>,
    /// Where the authorization server reads the time (a fixed clock in tests).
    pub clock: Arc<dyn Clock>,
    /// Covers (stored in the store; resized copies cached in the data directory).
    pub covers: Covers,
}

impl Backend {
    /// The accounts and OAuth service, for the issuer `public_url`.
    pub fn auth(&self, public_url: &str) -> AuthServer {
        AuthServer::new(
            self.store.clone(),
            self.clock.clone(),
            AuthConfig {
                issuer: public_url.to_owned(),
            },
        )
    }
}

impl Backend {
    /// The developer console's service, with the quota defaults of `settings`.
    pub fn console(&self, auth: AuthServer, settings: &Settings) -> Console {
        let clock = self.clock.clone();
        Console::new(
            self.store.clone(),
            self.keys.clone(),
            auth,
            QuotaDefaults {
                requests_per_day: settings.quota_requests_per_day,
                requests_per_minute_per_user: settings.quota_requests_per_minute_per_user,
            },
            Arc::new(move || clock.now()),
        )
    }
}

/// Loads and checks the settings of a command (file, environment, flags), then opens the
/// backend they name: what every command that works on the data does first.
pub async fn open_from_args(args: &crate::SettingsArgs) -> anyhow::Result<Backend> {
    let settings = Settings::load(args)?;
    settings.validate()?;
    open_backend(&settings).await
}

/// Opens (and migrates) the store named by the settings and the index in the data directory.
pub async fn open_backend(settings: &Settings) -> anyhow::Result<Backend> {
    open_backend_with_clock(settings, Arc::new(SystemClock)).await
}

/// [`open_backend`] with another clock (tests move time forward with a `FixedClock`).
pub async fn open_backend_with_clock(
    settings: &Settings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Backend> {
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!(
            "creating the data directory {}",
            settings.data_dir.display()
        )
    })?;
    let store: Arc<dyn Store> = match &settings.database_url {
        Some(url) => Arc::new(
            colophon_store_postgres::PgStore::connect(url)
                .await
                .with_context(|| format!("opening PostgreSQL at {}", redact_url(url)))?,
        ),
        None => {
            let path = settings.data_dir.join("colophon.sqlite3");
            Arc::new(
                colophon_store_sqlite::SqliteStore::open(&path)
                    .await
                    .with_context(|| format!("opening SQLite at {}", path.display()))?,
            )
        }
    };
    store
        .migrate()
        .await
        .context("applying database migrations")?;
    let index_dir = settings.data_dir.join("index");
    // The index is derived data: one built by another version (another schema) is rebuilt
    // from the store, so an upgrade needs no manual `colophon reindex`.
    let (index, rebuild) = match SearchIndex::open_or_create(&index_dir) {
        Err(colophon_search::SearchError::SchemaMismatch { .. }) => {
            tracing::warn!(
                "the search index at {} was built by another version of colophon: rebuilding it from the store",
                index_dir.display()
            );
            let fresh = SearchIndex::recreate(&index_dir).with_context(|| {
                format!("recreating the search index at {}", index_dir.display())
            })?;
            (fresh, true)
        }
        other => (
            other
                .with_context(|| format!("opening the search index at {}", index_dir.display()))?,
            false,
        ),
    };
    let catalog = Catalog::new(store.clone(), index);
    if rebuild {
        let n = catalog
            .reindex(|_| {})
            .await
            .context("rebuilding the search index")?;
        tracing::info!(volumes = n, "search index rebuilt");
    }
    Ok(Backend {
        catalog,
        keys: ApiKeys::new(store.clone()),
        covers: Covers::new(store.clone(), Some(settings.data_dir.join("cover-cache"))),
        store,
        clock,
    })
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: tokio::net::TcpListener,
    router: axum::Router,
    /// The bound address (the real port when the settings asked for port 0).
    pub local_addr: SocketAddr,
    /// The base URL of links, and the OAuth issuer.
    pub public_url: String,
    /// The authorization server the router uses (shared in-memory state: pending consents,
    /// throttles).
    pub auth: AuthServer,
    /// The developer console's service the router uses (its caches are this server's).
    pub console: Console,
}

impl Application {
    /// Binds the listener and builds the router over `backend`.
    pub async fn build(settings: &Settings, backend: Backend) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind(&settings.listen)
            .await
            .with_context(|| format!("binding {}", settings.listen))?;
        let local_addr = listener.local_addr()?;
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{local_addr}"))
            .trim_end_matches('/')
            .to_owned();
        let auth = backend.auth(&public_url);
        let clock = backend.clock.clone();
        let library = Library::new(backend.catalog.clone(), Arc::new(move || clock.now()));
        let clock = backend.clock.clone();
        let licensing = Licensing::new(backend.catalog.clone(), Arc::new(move || clock.now()));
        let console = backend.console(auth.clone(), settings);
        let trusted_proxies = settings
            .trusted_proxies
            .iter()
            .map(|p| colophon_domain::key_restrictions::IpRange::parse(p))
            .collect::<Result<Vec<_>, _>>()
            .context("trusted_proxies")?;
        let uploads = Uploads::new(
            backend.store.clone(),
            backend.covers.clone(),
            UploadLimits {
                max_file_bytes: settings.max_upload_bytes,
                epub: colophon_import::epub::Limits {
                    max_file_bytes: settings.max_upload_bytes,
                    ..UploadLimits::default().epub
                },
            },
            {
                let clock = backend.clock.clone();
                Arc::new(move || clock.now())
            },
        );
        // Uploads a stopped server left unprocessed.
        match uploads.resume().await {
            Ok(0) => {}
            Ok(n) => tracing::info!("processing {n} uploads left unfinished"),
            Err(e) => tracing::warn!(error.detail = %e, "resuming unfinished uploads: {e}"),
        }
        let state = AppState {
            uploads,
            content: Content::new(backend.catalog.clone(), backend.covers.clone()),
            catalog: backend.catalog,
            keys: backend.keys,
            library,
            licensing,
            auth: auth.clone(),
            console: console.clone(),
            config: Arc::new(HttpConfig {
                public_url: public_url.clone(),
                anonymous_access: settings.anonymous_access,
                default_country: settings.default_country.clone(),
                max_body_bytes: settings.max_body_bytes,
                trusted_proxies,
                administrators: settings
                    .console_administrators
                    .iter()
                    .map(|e| e.trim().to_lowercase())
                    .collect(),
                quota_errors: settings.quota_errors,
            }),
        };
        Ok(Self {
            listener,
            router: colophon_http::router(state),
            local_addr,
            public_url,
            auth,
            console,
        })
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        // The peer address feeds the sign-in throttle and API key IP restrictions.
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP");
        // Usage is buffered for up to a second: write what is left.
        if let Err(e) = self.console.usage().flush().await {
            tracing::warn!(error = %e, "writing the last usage failed: {e}");
        }
        served
    }
}
