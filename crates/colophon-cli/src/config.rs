//! Configuration: built-in defaults, then a TOML file, then `COLOPHON_*` environment
//! variables, then flags (clap merges the last two).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use serde::Deserialize;

/// The commented example configuration (`colophon config default`).
pub const DEFAULT_CONFIG: &str = include_str!("../colophon.example.toml");

/// Where the catalog lives; shared by every command.
#[derive(Debug, Clone, Args, Default)]
pub struct SettingsArgs {
    /// Configuration file (TOML).
    #[arg(long, env = "COLOPHON_CONFIG")]
    pub config: Option<PathBuf>,
    /// Data directory: SQLite database and search index.
    #[arg(long, env = "COLOPHON_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL URL (`postgres://…`); when set, the catalog lives there instead of SQLite
    /// (the search index stays in the data directory).
    #[arg(long, env = "COLOPHON_DATABASE_URL")]
    pub database_url: Option<String>,
}

/// Keys of the configuration file; unknown keys are rejected.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<String>,
    public_url: Option<String>,
    anonymous_access: Option<bool>,
    default_country: Option<String>,
    max_body_bytes: Option<usize>,
    max_upload_bytes: Option<u64>,
    quota_requests_per_day: Option<i64>,
    quota_requests_per_minute_per_user: Option<i64>,
    quota_errors: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    console_administrators: Option<Vec<String>>,
}

/// Resolved settings.
#[derive(Clone)]
pub struct Settings {
    /// Data directory.
    pub data_dir: PathBuf,
    /// PostgreSQL URL, if the catalog lives there.
    pub database_url: Option<String>,
    /// Listen address.
    pub listen: String,
    /// Base URL for links; derived from the bound address when unset.
    pub public_url: Option<String>,
    /// Serve requests without key or token.
    pub anonymous_access: bool,
    /// Country when a request names none.
    pub default_country: String,
    /// Largest request body, bytes.
    pub max_body_bytes: usize,
    /// Largest uploaded book, bytes.
    pub max_upload_bytes: u64,
    /// Default requests per project per UTC day (`None`: unlimited).
    pub quota_requests_per_day: Option<i64>,
    /// Default requests per quota user per minute (`None`: unlimited).
    pub quota_requests_per_minute_per_user: Option<i64>,
    /// How a used-up quota is answered: today's 429 or the pre-2020 403 reasons.
    pub quota_errors: colophon_http::QuotaErrors,
    /// Proxies (addresses or CIDR ranges) whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<String>,
    /// Emails of the developer console's administrators.
    pub console_administrators: Vec<String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("anonymous_access", &self.anonymous_access)
            .field("default_country", &self.default_country)
            .field("quota_requests_per_day", &self.quota_requests_per_day)
            .field(
                "quota_requests_per_minute_per_user",
                &self.quota_requests_per_minute_per_user,
            )
            .field("quota_errors", &self.quota_errors)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("console_administrators", &self.console_administrators)
            .finish()
    }
}

/// Hides the password of a URL (`postgres://user:***@host/db`).
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Settings {
    /// Built-in defaults.
    pub fn defaults() -> Self {
        Self {
            data_dir: PathBuf::from("colophon-data"),
            database_url: None,
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            anonymous_access: false,
            default_country: "US".into(),
            max_body_bytes: 1 << 20,
            max_upload_bytes: 100 << 20,
            quota_requests_per_day: None,
            quota_requests_per_minute_per_user: None,
            quota_errors: colophon_http::QuotaErrors::Current,
            trusted_proxies: Vec::new(),
            console_administrators: Vec::new(),
        }
    }

    /// Defaults, overridden by the file named in `args` (if any), overridden by `args`.
    pub fn load(args: &SettingsArgs) -> anyhow::Result<Self> {
        let mut s = Self::defaults();
        if let Some(path) = &args.config {
            s.apply_file(path)?;
        }
        if let Some(d) = &args.data_dir {
            s.data_dir = d.clone();
        }
        if let Some(u) = args.database_url.as_ref().filter(|u| !u.is_empty()) {
            s.database_url = Some(u.clone());
        }
        Ok(s)
    }

    fn apply_file(&mut self, path: &Path) -> anyhow::Result<()> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the configuration file {}", path.display()))?;
        let f: FileConfig = toml::from_str(&text)
            .with_context(|| format!("in the configuration file {}", path.display()))?;
        if let Some(v) = f.data_dir {
            self.data_dir = v;
        }
        if let Some(v) = f.database_url {
            self.database_url = Some(v);
        }
        if let Some(v) = f.listen {
            self.listen = v;
        }
        if let Some(v) = f.public_url {
            self.public_url = Some(v);
        }
        if let Some(v) = f.anonymous_access {
            self.anonymous_access = v;
        }
        if let Some(v) = f.default_country {
            self.default_country = v;
        }
        if let Some(v) = f.max_body_bytes {
            self.max_body_bytes = v;
        }
        if let Some(v) = f.max_upload_bytes {
            self.max_upload_bytes = v;
        }
        if let Some(v) = f.quota_requests_per_day {
            self.quota_requests_per_day = Some(v);
        }
        if let Some(v) = f.quota_requests_per_minute_per_user {
            self.quota_requests_per_minute_per_user = Some(v);
        }
        if let Some(v) = f.quota_errors {
            self.quota_errors = match v.as_str() {
                "current" => colophon_http::QuotaErrors::Current,
                "legacy" => colophon_http::QuotaErrors::Legacy,
                other => anyhow::bail!(
                    "in the configuration file {}: quota_errors must be \"current\" or \"legacy\", not {other:?}",
                    path.display()
                ),
            };
        }
        if let Some(v) = f.trusted_proxies {
            self.trusted_proxies = v;
        }
        if let Some(v) = f.console_administrators {
            self.console_administrators = v;
        }
        Ok(())
    }

    /// Checks values that cannot be checked by type.
    pub fn validate(&self) -> anyhow::Result<()> {
        let c = &self.default_country;
        anyhow::ensure!(
            c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()),
            "default_country must be a two-letter upper-case ISO 3166-1 code, not {c:?}"
        );
        if let Some(url) = &self.database_url {
            anyhow::ensure!(
                url.starts_with("postgres://") || url.starts_with("postgresql://"),
                "database_url must be a postgres:// URL (SQLite is the default and needs no URL), not {}",
                redact_url(url)
            );
        }
        for p in &self.trusted_proxies {
            colophon_domain::key_restrictions::IpRange::parse(p)
                .map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))?;
        }
        for (name, v) in [
            ("quota_requests_per_day", self.quota_requests_per_day),
            (
                "quota_requests_per_minute_per_user",
                self.quota_requests_per_minute_per_user,
            ),
        ] {
            anyhow::ensure!(v.is_none_or(|v| v >= 0), "{name} must be 0 or more");
        }
        if let Some(u) = &self.public_url {
            anyhow::ensure!(
                u.starts_with("http://") || u.starts_with("https://"),
                "public_url must start with http:// or https://"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses_and_rejects_unknown_keys() {
        // Every key of the example is commented out; uncommented, each must be a real key.
        let f: FileConfig = toml::from_str(DEFAULT_CONFIG).unwrap();
        assert!(f.data_dir.is_none() && f.listen.is_none());
        let uncommented: String = DEFAULT_CONFIG
            .lines()
            .filter_map(|l| l.strip_prefix("# ").filter(|l| l.contains(" = ")))
            .map(|l| format!("{l}\n"))
            .collect();
        let f: FileConfig = toml::from_str(&uncommented).unwrap();
        assert!(f.data_dir.is_some() && f.database_url.is_some() && f.listen.is_some());
        assert!(f.public_url.is_some() && f.anonymous_access.is_some());
        assert!(f.default_country.is_some() && f.max_body_bytes.is_some());
        assert!(f.max_upload_bytes.is_some());
        assert!(f.quota_requests_per_day.is_some());
        assert!(f.quota_requests_per_minute_per_user.is_some());
        assert!(f.trusted_proxies.is_some() && f.console_administrators.is_some());
        assert!(toml::from_str::<FileConfig>("nope = 1").is_err());
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
    }
}
