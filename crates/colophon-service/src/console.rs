//! The developer console's service: projects, their API keys (with restrictions) and OAuth
//! clients, the Books API switch and quota overrides. The web console and the CLI both call
//! this, so there is one implementation of every rule.
//!
//! Who may do what: the owner of a project manages it; an administrator (a configured list of
//! account emails, see the server configuration) manages every project and is the only one
//! who may change quota overrides. The CLI acts as an administrator (it has the database).
//!
//! Keys are stored as hashes, so a key is shown once, when it is created or regenerated
//! (regenerating makes a new key with the same name and restrictions and revokes the old).

pub mod access;
pub mod usage;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use colophon_auth::clients::{ClientError, NewClient};
use colophon_auth::{AuthServer, ClientKind, CreatedClient, OAuthClient};
use colophon_domain::key_restrictions::{IpRange, ReferrerPattern, RestrictionError};
use colophon_store::{ApiKeyRecord, KeySettings, ProjectRecord, Store, StoreError};
use rand::Rng as _;

use crate::api_keys::{ApiKeys, CreatedKey};
pub use access::{
    AccessCheck, AccessContext, AccessDenied, QuotaDefaults, RequestFacts, UsageTag, Verdict,
};
pub use usage::{UsageRecorder, UsageReport};

/// The id of the project that received keys and clients made before projects existed (see
/// the migration `20261126320000_console_projects.sql`), and of keys and clients created
/// without naming a project.
pub const LEGACY_PROJECT: &str = "legacy";

/// The legacy project, created (Books API enabled, no owner) when missing.
pub(crate) async fn ensure_legacy_project(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<ProjectRecord, StoreError> {
    if let Some(p) = store.find_project(LEGACY_PROJECT).await? {
        return Ok(p);
    }
    let project = ProjectRecord {
        id: LEGACY_PROJECT.into(),
        number: 100_000_000_000,
        name: "Legacy project".into(),
        owner_id: None,
        created: now,
        books_api_enabled: true,
        daily_limit: None,
        user_minute_limit: None,
    };
    // Another process may have created it meanwhile: read back whichever won.
    store.insert_project(&project).await?;
    store
        .find_project(LEGACY_PROJECT)
        .await?
        .ok_or_else(|| StoreError::Database("the legacy project vanished".into()))
}

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in account.
    User {
        /// Account id.
        id: String,
        /// Administrator.
        admin: bool,
    },
    /// The command line (full access).
    Cli,
}

impl Actor {
    fn is_admin(&self) -> bool {
        matches!(self, Actor::Cli | Actor::User { admin: true, .. })
    }
    fn user_id(&self) -> Option<&str> {
        match self {
            Actor::User { id, .. } => Some(id),
            Actor::Cli => None,
        }
    }
}

/// Why a console action was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// No such project, or not one the actor may see (the two are not told apart).
    #[error("no such project: {0}")]
    ProjectNotFound(String),
    /// No such key in the project.
    #[error("no such API key in this project: {0}")]
    KeyNotFound(String),
    /// No such client in the project.
    #[error("no such OAuth client in this project: {0}")]
    ClientNotFound(String),
    /// Only administrators may do this.
    #[error("only administrators may change quotas")]
    AdminOnly,
    /// A name is empty or too long.
    #[error("{0} must have 1 to 100 characters")]
    Name(&'static str),
    /// A quota value is negative.
    #[error("a quota must be 0 or more")]
    Quota,
    /// A restriction does not parse.
    #[error(transparent)]
    Restriction(#[from] RestrictionError),
    /// The client registration was refused.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The authorization server failed.
    #[error(transparent)]
    Auth(#[from] colophon_auth::AuthError),
}

/// A key of a project with its restrictions.
#[derive(Debug, Clone)]
pub struct ProjectKey {
    /// The stored key.
    pub record: ApiKeyRecord,
    /// Its settings.
    pub settings: KeySettings,
}

/// The console service.
#[derive(Clone)]
pub struct Console {
    store: Arc<dyn Store>,
    keys: ApiKeys,
    auth: AuthServer,
    access: AccessCheck,
    usage: UsageRecorder,
    now: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>,
}

fn check_name(name: &str, what: &'static str) -> Result<String, ConsoleError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ConsoleError::Name(what));
    }
    Ok(name.to_owned())
}

impl Console {
    /// The console over `store`, reading the time from `now`.
    pub fn new(
        store: Arc<dyn Store>,
        keys: ApiKeys,
        auth: AuthServer,
        defaults: QuotaDefaults,
        now: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>,
    ) -> Self {
        Self {
            access: AccessCheck::new(store.clone(), defaults, now.clone()),
            usage: UsageRecorder::new(store.clone(), now.clone()),
            store,
            keys,
            auth,
            now,
        }
    }

    /// The request-time checks (API switch, key restrictions, quotas).
    pub fn access(&self) -> &AccessCheck {
        &self.access
    }

    /// The usage recorder.
    pub fn usage(&self) -> &UsageRecorder {
        &self.usage
    }

    /// Creates a project owned by the actor (the CLI names the owner, or none).
    pub async fn create_project(
        &self,
        actor: &Actor,
        owner: Option<&str>,
        name: &str,
    ) -> Result<ProjectRecord, ConsoleError> {
        let name = check_name(name, "a project name")?;
        let owner = actor.user_id().or(owner).map(str::to_owned);
        loop {
            let (id, number) = {
                let mut rng = rand::thread_rng();
                (
                    format!("p-{:010x}", rng.gen::<u64>() & 0xff_ffff_ffff),
                    rng.gen_range(100_000_000_000_i64..1_000_000_000_000),
                )
            };
            let project = ProjectRecord {
                id,
                number,
                name: name.clone(),
                owner_id: owner.clone(),
                created: (self.now)(),
                books_api_enabled: false,
                daily_limit: None,
                user_minute_limit: None,
            };
            if self.store.insert_project(&project).await? {
                tracing::info!(project.id = %project.id, "project {} created", project.id);
                return Ok(project);
            }
        }
    }

    /// The legacy project, created when missing (for keys and clients made without naming a
    /// project).
    pub async fn legacy_project(&self) -> Result<ProjectRecord, ConsoleError> {
        Ok(ensure_legacy_project(&*self.store, (self.now)()).await?)
    }

    /// The project `id`, if the actor may manage it.
    pub async fn project(&self, actor: &Actor, id: &str) -> Result<ProjectRecord, ConsoleError> {
        match self.store.find_project(id).await? {
            Some(p) if actor.is_admin() || p.owner_id.as_deref() == actor.user_id() => Ok(p),
            _ => Err(ConsoleError::ProjectNotFound(id.to_owned())),
        }
    }

    /// The actor's projects (every project for administrators), oldest first.
    pub async fn projects(&self, actor: &Actor) -> Result<Vec<ProjectRecord>, ConsoleError> {
        Ok(match actor {
            Actor::User { id, admin: false } => self.store.list_projects(Some(id)).await?,
            _ => self.store.list_projects(None).await?,
        })
    }

    /// Every project (administrator view).
    pub async fn all_projects(&self, actor: &Actor) -> Result<Vec<ProjectRecord>, ConsoleError> {
        if !actor.is_admin() {
            return Err(ConsoleError::AdminOnly);
        }
        Ok(self.store.list_projects(None).await?)
    }

    async fn save(&self, project: &ProjectRecord) -> Result<(), ConsoleError> {
        if !self.store.update_project(project).await? {
            return Err(ConsoleError::ProjectNotFound(project.id.clone()));
        }
        self.access.forget();
        Ok(())
    }

    /// Renames a project.
    pub async fn rename_project(
        &self,
        actor: &Actor,
        id: &str,
        name: &str,
    ) -> Result<ProjectRecord, ConsoleError> {
        let mut p = self.project(actor, id).await?;
        p.name = check_name(name, "a project name")?;
        self.save(&p).await?;
        Ok(p)
    }

    /// Enables or disables the Books API in a project.
    pub async fn set_books_api(
        &self,
        actor: &Actor,
        id: &str,
        enabled: bool,
    ) -> Result<ProjectRecord, ConsoleError> {
        let mut p = self.project(actor, id).await?;
        p.books_api_enabled = enabled;
        self.save(&p).await?;
        tracing::info!(project.id = %id, enabled, "Books API switched in project {id}");
        Ok(p)
    }

    /// Sets (or, with `None`, clears) a project's quota overrides; administrators only.
    pub async fn set_quota(
        &self,
        actor: &Actor,
        id: &str,
        daily_limit: Option<i64>,
        user_minute_limit: Option<i64>,
    ) -> Result<ProjectRecord, ConsoleError> {
        if !actor.is_admin() {
            return Err(ConsoleError::AdminOnly);
        }
        if daily_limit.is_some_and(|v| v < 0) || user_minute_limit.is_some_and(|v| v < 0) {
            return Err(ConsoleError::Quota);
        }
        let mut p = self.project(actor, id).await?;
        p.daily_limit = daily_limit;
        p.user_minute_limit = user_minute_limit;
        self.save(&p).await?;
        Ok(p)
    }

    /// The limits in force for a project: its overrides, else the server defaults.
    pub fn effective_limits(&self, project: &ProjectRecord) -> (Option<i64>, Option<i64>) {
        self.access.limits(project)
    }

    /// Deletes a project: revokes its keys, deletes its clients, then drops it with its usage.
    pub async fn delete_project(&self, actor: &Actor, id: &str) -> Result<(), ConsoleError> {
        let p = self.project(actor, id).await?;
        for s in self.store.list_key_settings(&p.id).await? {
            self.keys.revoke(&s.key_id).await?;
        }
        for c in self.store.list_project_clients(&p.id).await? {
            self.auth.delete_client(&c).await?;
        }
        if !self.store.delete_project(&p.id).await? {
            return Err(ConsoleError::ProjectNotFound(id.to_owned()));
        }
        self.access.forget();
        tracing::info!(project.id = %id, "project {id} deleted");
        Ok(())
    }

    /// The live keys of a project with their restrictions, oldest first.
    pub async fn keys(
        &self,
        actor: &Actor,
        project: &str,
    ) -> Result<Vec<ProjectKey>, ConsoleError> {
        let p = self.project(actor, project).await?;
        let settings = self.store.list_key_settings(&p.id).await?;
        let mut out: Vec<ProjectKey> = self
            .keys
            .list()
            .await?
            .into_iter()
            .filter(|k| k.revoked.is_none())
            .filter_map(|record| {
                let s = settings.iter().find(|s| s.key_id == record.id)?.clone();
                Some(ProjectKey {
                    record,
                    settings: s,
                })
            })
            .collect();
        out.sort_by_key(|k| k.record.created);
        Ok(out)
    }

    /// Creates a key in a project; the key itself is in the answer, once.
    pub async fn create_key(
        &self,
        actor: &Actor,
        project: &str,
        name: &str,
    ) -> Result<CreatedKey, ConsoleError> {
        let p = self.project(actor, project).await?;
        let name = check_name(name, "a key name")?;
        let created = self.keys.create_unattached(&name).await?;
        self.store
            .put_key_settings(&KeySettings {
                key_id: created.record.id.clone(),
                project_id: p.id,
                referrers: vec![],
                ip_ranges: vec![],
            })
            .await?;
        Ok(created)
    }

    async fn key(
        &self,
        actor: &Actor,
        project: &str,
        key_id: &str,
    ) -> Result<ProjectKey, ConsoleError> {
        self.keys(actor, project)
            .await?
            .into_iter()
            .find(|k| k.record.id == key_id)
            .ok_or_else(|| ConsoleError::KeyNotFound(key_id.to_owned()))
    }

    /// Replaces a key's restrictions (each entry is validated; blank entries are dropped).
    pub async fn set_key_restrictions(
        &self,
        actor: &Actor,
        project: &str,
        key_id: &str,
        referrers: &[String],
        ip_ranges: &[String],
    ) -> Result<KeySettings, ConsoleError> {
        let mut key = self.key(actor, project, key_id).await?;
        let mut refs = Vec::new();
        for r in referrers.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
            refs.push(ReferrerPattern::parse(r)?.as_str().to_owned());
        }
        let mut ips = Vec::new();
        for r in ip_ranges.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
            IpRange::parse(r)?;
            ips.push(r.to_owned());
        }
        key.settings.referrers = refs;
        key.settings.ip_ranges = ips;
        self.store.put_key_settings(&key.settings).await?;
        self.access.forget();
        Ok(key.settings)
    }

    /// Renames a key of a project.
    pub async fn rename_key(
        &self,
        actor: &Actor,
        project: &str,
        key_id: &str,
        name: &str,
    ) -> Result<(), ConsoleError> {
        let key = self.key(actor, project, key_id).await?;
        let name = check_name(name, "a key name")?;
        if !self.store.rename_api_key(&key.record.id, &name).await? {
            return Err(ConsoleError::KeyNotFound(key_id.to_owned()));
        }
        Ok(())
    }

    /// Makes a new key with the same name and restrictions and revokes the old one.
    pub async fn regenerate_key(
        &self,
        actor: &Actor,
        project: &str,
        key_id: &str,
    ) -> Result<CreatedKey, ConsoleError> {
        let old = self.key(actor, project, key_id).await?;
        let created = self.keys.create_unattached(&old.record.name).await?;
        self.store
            .put_key_settings(&KeySettings {
                key_id: created.record.id.clone(),
                ..old.settings.clone()
            })
            .await?;
        self.keys.revoke(&old.record.id).await?;
        self.access.forget();
        Ok(created)
    }

    /// Revokes (deletes) a key of a project.
    pub async fn delete_key(
        &self,
        actor: &Actor,
        project: &str,
        key_id: &str,
    ) -> Result<(), ConsoleError> {
        let key = self.key(actor, project, key_id).await?;
        self.keys.revoke(&key.record.id).await?;
        self.access.forget();
        Ok(())
    }

    /// The live OAuth clients of a project.
    pub async fn clients(
        &self,
        actor: &Actor,
        project: &str,
    ) -> Result<Vec<OAuthClient>, ConsoleError> {
        let p = self.project(actor, project).await?;
        let mut out = Vec::new();
        for id in self.store.list_project_clients(&p.id).await? {
            if let Some(c) = self.auth.find_client(&id).await? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Registers an OAuth client in a project; its secret is in the answer, once.
    pub async fn create_client(
        &self,
        actor: &Actor,
        project: &str,
        new: NewClient,
    ) -> Result<CreatedClient, ConsoleError> {
        let p = self.project(actor, project).await?;
        let created = self.auth.create_client(new).await?;
        self.store
            .set_client_project(&created.client.id, &p.id)
            .await?;
        self.access.forget();
        Ok(created)
    }

    async fn project_client(
        &self,
        actor: &Actor,
        project: &str,
        client_id: &str,
    ) -> Result<OAuthClient, ConsoleError> {
        let p = self.project(actor, project).await?;
        if self.store.find_client_project(client_id).await?.as_deref() != Some(p.id.as_str()) {
            return Err(ConsoleError::ClientNotFound(client_id.to_owned()));
        }
        self.auth
            .find_client(client_id)
            .await?
            .ok_or_else(|| ConsoleError::ClientNotFound(client_id.to_owned()))
    }

    /// Replaces the redirect URIs of a client of a project (validated like at registration:
    /// a web client needs one, a TV client takes none).
    pub async fn set_client_redirect_uris(
        &self,
        actor: &Actor,
        project: &str,
        client_id: &str,
        uris: &[String],
    ) -> Result<(), ConsoleError> {
        let client = self.project_client(actor, project, client_id).await?;
        for uri in uris {
            colophon_auth::redirect::validate_registration(uri).map_err(|reason| {
                ClientError::RedirectUri {
                    uri: uri.clone(),
                    reason,
                }
            })?;
        }
        match client.kind {
            ClientKind::Web if uris.is_empty() => {
                return Err(
                    ClientError::Shape("a web client needs at least one redirect URI").into(),
                )
            }
            ClientKind::Tv if !uris.is_empty() => {
                return Err(ClientError::Shape("a TV client takes no redirect URI").into())
            }
            _ => {}
        }
        if !self.store.set_client_redirect_uris(client_id, uris).await? {
            return Err(ConsoleError::ClientNotFound(client_id.to_owned()));
        }
        tracing::info!(client.id = %client_id, "redirect URIs of OAuth client {client_id} changed");
        Ok(())
    }

    /// Gives a client (with a secret) a new secret, returned once; the old one stops working.
    pub async fn reset_client_secret(
        &self,
        actor: &Actor,
        project: &str,
        client_id: &str,
    ) -> Result<String, ConsoleError> {
        let client = self.project_client(actor, project, client_id).await?;
        if !client.has_secret {
            return Err(ClientError::Shape("a public client has no secret to reset").into());
        }
        let secret = format!("CLPH-{}", colophon_auth::secret::random_urlsafe(32));
        if !self
            .store
            .set_client_secret_hash(client_id, &colophon_auth::secret::hash(&secret))
            .await?
        {
            return Err(ConsoleError::ClientNotFound(client_id.to_owned()));
        }
        tracing::info!(client.id = %client_id, "secret of OAuth client {client_id} reset");
        Ok(secret)
    }

    /// Deletes an OAuth client of a project.
    pub async fn delete_client(
        &self,
        actor: &Actor,
        project: &str,
        client_id: &str,
    ) -> Result<(), ConsoleError> {
        let p = self.project(actor, project).await?;
        if self.store.find_client_project(client_id).await?.as_deref() != Some(p.id.as_str())
            || !self.auth.delete_client(client_id).await?
        {
            return Err(ConsoleError::ClientNotFound(client_id.to_owned()));
        }
        self.access.forget();
        Ok(())
    }

    /// The id of the account with this email.
    pub async fn account_id_by_email(&self, email: &str) -> Result<Option<String>, ConsoleError> {
        Ok(self.auth.find_account_by_email(email).await?.map(|a| a.id))
    }

    /// The project a key belongs to.
    pub async fn key_project(&self, key_id: &str) -> Result<Option<String>, ConsoleError> {
        Ok(self
            .store
            .find_key_settings(key_id)
            .await?
            .map(|s| s.project_id))
    }

    /// The project a client belongs to (for the consent page's application name).
    pub async fn client_project(
        &self,
        client_id: &str,
    ) -> Result<Option<ProjectRecord>, ConsoleError> {
        match self.store.find_client_project(client_id).await? {
            Some(p) => Ok(self.store.find_project(&p).await?),
            None => Ok(None),
        }
    }

    /// Usage of a project over the last `days` days (today included).
    pub async fn usage_report(
        &self,
        actor: &Actor,
        project: &str,
        days: u32,
    ) -> Result<UsageReport, ConsoleError> {
        let p = self.project(actor, project).await?;
        Ok(self.usage.report(&p.id, days).await?)
    }
}
