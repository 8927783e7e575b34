//! Request-time checks of the console's rules, in this order (after the key or token is known
//! to be valid): key and token from different projects; the Books API switch of the project;
//! the key's referrer restriction, then its IP restriction; the project's requests-per-day
//! quota, then the quota user's requests-per-minute quota.
//!
//! Project and key settings are cached for a few seconds (like key verification), so a change
//! made by another server process applies within [`CACHE_TTL`]; changes made through this
//! process's [`Console`](super::Console) apply at once. Quotas are counted in the store, exactly,
//! across processes. Windows are UTC days and UTC minutes (Google resets at midnight Pacific
//! time; a self-hosted server has no reason to).
//!
//! The quota user is `quotaUser` (or `X-Goog-Quota-User`) when given, else the token's user,
//! else the client address — as Google attributes per-user quota.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use colophon_domain::key_restrictions::{IpRange, ReferrerPattern};
use colophon_store::{ProjectRecord, QuotaOutcome, QuotaRequest, Store, StoreError};

/// How long cached project and key settings are reused.
pub const CACHE_TTL: Duration = Duration::from_secs(5);
const CACHE_MAX: usize = 10_000;

/// Server-wide quota defaults (`None`: unlimited), overridden per project by administrators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuotaDefaults {
    /// Requests per project per UTC day.
    pub requests_per_day: Option<i64>,
    /// Requests per quota user per minute, per project.
    pub requests_per_minute_per_user: Option<i64>,
}

/// A key's parsed restrictions.
#[derive(Debug, Clone)]
pub struct KeyRules {
    /// Key id.
    pub key_id: String,
    /// Referrer patterns; empty: any.
    pub referrers: Vec<ReferrerPattern>,
    /// Address ranges; empty: any.
    pub ip_ranges: Vec<IpRange>,
}

/// What a key or client resolves to.
#[derive(Debug, Clone)]
pub struct AccessContext {
    /// The project.
    pub project: ProjectRecord,
    /// The key's rules, when this is a key.
    pub key: Option<KeyRules>,
}

/// Which project and key a request is charged to (for usage).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageTag {
    /// Project id.
    pub project_id: String,
    /// Key id, empty for a token without key.
    pub key_id: String,
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessDenied {
    /// The key and the token's client are in different projects.
    ProjectMismatch,
    /// The Books API is disabled in the project (its number).
    ApiDisabled(i64),
    /// The key's referrer restriction refused this `Referer` (`None`: absent).
    ReferrerBlocked(Option<String>),
    /// The key's IP restriction refused this address.
    IpBlocked(IpAddr),
    /// The project's requests-per-day quota is used up (project number, limit).
    DailyLimit(i64, i64),
    /// The quota user's requests-per-minute quota is used up (project number, limit).
    UserMinuteLimit(i64, i64),
}

/// What the request brings to the check.
#[derive(Debug, Clone, Default)]
pub struct RequestFacts<'a> {
    /// A valid key's id.
    pub key_id: Option<&'a str>,
    /// A valid token's client id.
    pub client_id: Option<&'a str>,
    /// A valid token's user id.
    pub token_user: Option<&'a str>,
    /// `quotaUser`.
    pub quota_user: Option<&'a str>,
    /// The `Referer` header.
    pub referrer: Option<&'a str>,
    /// The client address (see `client_ip`), if known.
    pub client_ip: Option<IpAddr>,
}

/// The outcome: whom to charge usage to, and whether the request is refused.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    /// Project and key charged (`None`: not in any project).
    pub tag: Option<UsageTag>,
    /// Why it is refused, if it is.
    pub denied: Option<AccessDenied>,
}

type Cache = HashMap<String, (Option<Arc<AccessContext>>, Instant)>;

/// The checks, with their cache.
#[derive(Clone)]
pub struct AccessCheck {
    store: Arc<dyn Store>,
    defaults: QuotaDefaults,
    now: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>,
    cache: Arc<Mutex<Cache>>,
    last_prune_minute: Arc<AtomicI64>,
}

impl AccessCheck {
    /// The checks over `store`.
    pub fn new(
        store: Arc<dyn Store>,
        defaults: QuotaDefaults,
        now: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>,
    ) -> Self {
        Self {
            store,
            defaults,
            now,
            cache: Arc::default(),
            last_prune_minute: Arc::default(),
        }
    }

    /// Drops cached settings (after a change).
    pub fn forget(&self) {
        if let Ok(mut c) = self.cache.lock() {
            c.clear();
        }
    }

    /// The limits in force for a project.
    pub fn limits(&self, p: &ProjectRecord) -> (Option<i64>, Option<i64>) {
        (
            p.daily_limit.or(self.defaults.requests_per_day),
            p.user_minute_limit
                .or(self.defaults.requests_per_minute_per_user),
        )
    }

    fn cached(&self, k: &str) -> Option<Option<Arc<AccessContext>>> {
        let c = self.cache.lock().ok()?;
        let (v, at) = c.get(k)?;
        (at.elapsed() < CACHE_TTL).then(|| v.clone())
    }

    fn remember(&self, k: String, v: Option<Arc<AccessContext>>) {
        if let Ok(mut c) = self.cache.lock() {
            if c.len() >= CACHE_MAX {
                c.clear();
            }
            c.insert(k, (v, Instant::now()));
        }
    }

    /// The project (and rules) of a key.
    pub async fn for_key(&self, key_id: &str) -> Result<Option<Arc<AccessContext>>, StoreError> {
        let cache_key = format!("k:{key_id}");
        if let Some(hit) = self.cached(&cache_key) {
            return Ok(hit);
        }
        let ctx = match self.store.find_key_settings(key_id).await? {
            Some(s) => match self.store.find_project(&s.project_id).await? {
                Some(project) => Some(Arc::new(AccessContext {
                    project,
                    key: Some(KeyRules {
                        key_id: s.key_id.clone(),
                        // Stored entries were validated when saved; one that no longer parses
                        // (a stricter parser) blocks rather than opens.
                        referrers: s
                            .referrers
                            .iter()
                            .filter_map(|r| ReferrerPattern::parse(r).ok())
                            .collect(),
                        ip_ranges: s
                            .ip_ranges
                            .iter()
                            .filter_map(|r| IpRange::parse(r).ok())
                            .collect(),
                    }),
                })),
                None => None,
            },
            None => None,
        };
        self.remember(cache_key, ctx.clone());
        Ok(ctx)
    }

    /// The project of an OAuth client.
    pub async fn for_client(
        &self,
        client_id: &str,
    ) -> Result<Option<Arc<AccessContext>>, StoreError> {
        let cache_key = format!("c:{client_id}");
        if let Some(hit) = self.cached(&cache_key) {
            return Ok(hit);
        }
        let ctx = match self.store.find_client_project(client_id).await? {
            Some(p) => self
                .store
                .find_project(&p)
                .await?
                .map(|project| Arc::new(AccessContext { project, key: None })),
            None => None,
        };
        self.remember(cache_key, ctx.clone());
        Ok(ctx)
    }

    /// The number of a project (for error bodies), if it exists.
    pub async fn project_number(&self, project_id: &str) -> Option<i64> {
        self.store
            .find_project(project_id)
            .await
            .ok()
            .flatten()
            .map(|p| p.number)
    }

    /// Runs every check and, when they pass, counts the request against the quotas.
    pub async fn check(&self, facts: &RequestFacts<'_>) -> Result<Verdict, StoreError> {
        let key_ctx = match facts.key_id {
            Some(k) => self.for_key(k).await?,
            None => None,
        };
        let client_ctx = match facts.client_id {
            Some(c) => self.for_client(c).await?,
            None => None,
        };
        if let (Some(k), Some(c)) = (&key_ctx, &client_ctx) {
            if k.project.id != c.project.id {
                return Ok(Verdict {
                    tag: None,
                    denied: Some(AccessDenied::ProjectMismatch),
                });
            }
        }
        let Some(ctx) = key_ctx.clone().or(client_ctx) else {
            return Ok(Verdict::default());
        };
        let project = &ctx.project;
        let tag = Some(UsageTag {
            project_id: project.id.clone(),
            key_id: key_ctx
                .as_ref()
                .and_then(|k| k.key.as_ref())
                .map(|k| k.key_id.clone())
                .unwrap_or_default(),
        });
        let deny = |d: AccessDenied| {
            Ok(Verdict {
                tag: tag.clone(),
                denied: Some(d),
            })
        };
        if !project.books_api_enabled {
            return deny(AccessDenied::ApiDisabled(project.number));
        }
        if let Some(rules) = key_ctx.as_ref().and_then(|k| k.key.as_ref()) {
            if !rules.referrers.is_empty()
                && !facts
                    .referrer
                    .is_some_and(|r| rules.referrers.iter().any(|p| p.matches(r)))
            {
                return deny(AccessDenied::ReferrerBlocked(
                    facts.referrer.map(str::to_owned),
                ));
            }
            if !rules.ip_ranges.is_empty() {
                match facts.client_ip {
                    Some(ip) if rules.ip_ranges.iter().any(|r| r.contains(ip)) => {}
                    Some(ip) => return deny(AccessDenied::IpBlocked(ip)),
                    None => {
                        return deny(AccessDenied::IpBlocked(IpAddr::from([0, 0, 0, 0])));
                    }
                }
            }
        }
        let (daily, minute) = self.limits(project);
        if daily.is_some() || minute.is_some() {
            let now = (self.now)();
            let user = facts
                .quota_user
                .or(facts.token_user)
                .map(str::to_owned)
                .or_else(|| facts.client_ip.map(|ip| ip.to_string()))
                .unwrap_or_default();
            let outcome = self
                .store
                .consume_quota(&QuotaRequest {
                    project_id: project.id.clone(),
                    day: now.format("%Y-%m-%d").to_string(),
                    daily_limit: daily,
                    user,
                    minute: now.format("%Y-%m-%dT%H:%M").to_string(),
                    user_minute_limit: minute,
                })
                .await?;
            self.maybe_prune(now).await;
            match outcome {
                QuotaOutcome::Granted => {}
                QuotaOutcome::DailyExceeded => {
                    return deny(AccessDenied::DailyLimit(project.number, daily.unwrap_or(0)))
                }
                QuotaOutcome::UserMinuteExceeded => {
                    return deny(AccessDenied::UserMinuteLimit(
                        project.number,
                        minute.unwrap_or(0),
                    ))
                }
            }
        }
        Ok(Verdict { tag, denied: None })
    }

    /// Once a minute per process, drops finished minute windows and day windows older than a
    /// week.
    async fn maybe_prune(&self, now: DateTime<Utc>) {
        let minute = now.timestamp() / 60;
        if self.last_prune_minute.swap(minute, Ordering::Relaxed) == minute {
            return;
        }
        let week_ago = now - chrono::Duration::days(7);
        if let Err(e) = self
            .store
            .prune_quota_counters(
                &now.format("%Y-%m-%dT%H:%M").to_string(),
                &week_ago.format("%Y-%m-%d").to_string(),
            )
            .await
        {
            tracing::warn!(error = %e, "pruning quota counters failed: {e}");
        }
    }
}
