//! Using and ending tokens: verification for the Books API, revocation (RFC 7009 with
//! Google's answers), token info (Google's v1 and v3 shapes), introspection (RFC 7662), the
//! account page's list of connected applications, and `colophon tokens issue`.

use chrono::{DateTime, Utc};
use colophon_store::{GrantRecord, TokenLookup};

use crate::clients::OAuthClient;
use crate::scope::ScopeSet;
use crate::token::{ClientCredentials, Form, TokenResponse};
use crate::{secret, AuthError, AuthServer, OAuthError};

/// A valid access token's meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessInfo {
    /// The user it acts for.
    pub user_id: String,
    /// The client holding it.
    pub client_id: String,
    /// Its scopes.
    pub scopes: ScopeSet,
    /// Expiry.
    pub expires: DateTime<Utc>,
    /// `online` or `offline`.
    pub access_type: String,
}

/// What `/tokeninfo` answers about an access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The token's meaning.
    pub access: AccessInfo,
    /// Seconds left.
    pub expires_in: i64,
}

/// An RFC 7662 answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Introspection {
    /// Not a live token of the asking client.
    Inactive,
    /// A live token.
    Active {
        /// Scopes.
        scope: String,
        /// Holder.
        client_id: String,
        /// User id.
        sub: String,
        /// User email.
        username: Option<String>,
        /// `access_token` or `refresh_token`.
        token_type: &'static str,
        /// Expiry (access tokens).
        exp: Option<i64>,
        /// Issue time.
        iat: i64,
    },
}

/// An application a user granted access to, for the account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedApp {
    /// Client id.
    pub client_id: String,
    /// Application name.
    pub name: String,
    /// Descriptions of the granted scopes.
    pub access: Vec<&'static str>,
    /// First granted.
    pub since: DateTime<Utc>,
}

impl AuthServer {
    /// The meaning of a presented access token, or `None` when it is unknown, expired, revoked,
    /// a refresh token, or its client was deleted.
    pub async fn verify_access_token(&self, token: &str) -> Result<Option<AccessInfo>, AuthError> {
        if token.is_empty() || token.len() > 512 {
            return Ok(None);
        }
        let Some(found) = self.store().find_token(&secret::hash(token)).await? else {
            return Ok(None);
        };
        self.live_access(found).await
    }

    async fn live_access(&self, found: TokenLookup) -> Result<Option<AccessInfo>, AuthError> {
        let TokenLookup { token, grant } = found;
        let now = self.now();
        let Some(expires) = token.expires else {
            return Ok(None);
        };
        if token.kind != "access" || grant.revoked.is_some() || now >= expires {
            return Ok(None);
        }
        if self.find_client(&grant.client_id).await?.is_none() {
            return Ok(None);
        }
        let Ok(scopes) = ScopeSet::parse(&grant.scopes) else {
            return Ok(None);
        };
        Ok(Some(AccessInfo {
            user_id: grant.user_id,
            client_id: grant.client_id,
            scopes,
            expires,
            access_type: grant.access_type,
        }))
    }

    /// Token info for an access token; Google's `invalid_token` "Invalid Value" otherwise.
    pub async fn token_info(&self, token: &str) -> Result<TokenInfo, OAuthError> {
        match self.verify_access_token(token).await? {
            Some(access) => {
                // Rounded up: stored times keep microseconds, so a token read back right after
                // it was issued has 3598.999… s left, which Google shows as 3599.
                let ms = (access.expires - self.now()).num_milliseconds().max(0);
                let expires_in = (ms + 999) / 1000;
                Ok(TokenInfo { access, expires_in })
            }
            None => Err(OAuthError::bad("invalid_token", "Invalid Value")),
        }
    }

    /// Revokes the grant behind an access or refresh token, every token of (user, client) and
    /// the remembered consent. Client credentials are optional; if given they must be valid
    /// and the token must be that client's.
    pub async fn revoke(
        &self,
        token: Option<&str>,
        form: &[(String, String)],
        creds: &ClientCredentials,
    ) -> Result<(), OAuthError> {
        let form = Form(form);
        let presents_client = creds.basic.is_some()
            || creds.malformed_basic
            || form.get("client_id").is_some()
            || form.get("client_secret").is_some();
        let client = if presents_client {
            Some(self.client_from_request(&form, creds).await?)
        } else {
            None
        };
        let Some(token) = token.filter(|t| !t.is_empty() && t.len() <= 512) else {
            return Err(OAuthError::missing("token"));
        };
        let gone = || OAuthError::bad("invalid_token", "Token expired or revoked");
        let Some(found) = self.store().find_token(&secret::hash(token)).await? else {
            return Err(gone());
        };
        if found.grant.revoked.is_some() || found.token.superseded.is_some() {
            return Err(gone());
        }
        if let Some(c) = &client {
            if !secret::ct_eq(&c.id, &found.grant.client_id) {
                return Err(OAuthError::bad("unauthorized_client", "Unauthorized"));
            }
        }
        self.revoke_access(&found.grant.user_id, &found.grant.client_id)
            .await?;
        Ok(())
    }

    /// Ends a user's access for a client: every grant, and the remembered consent.
    pub async fn revoke_access(&self, user_id: &str, client_id: &str) -> Result<u64, AuthError> {
        let store = self.store();
        let n = store
            .revoke_grants_of(user_id, client_id, self.now())
            .await?;
        store.delete_consent(user_id, client_id).await?;
        tracing::info!(user.id = %user_id, client.id = %client_id, grants = n, "access of client {client_id} for user {user_id} revoked");
        Ok(n)
    }

    /// RFC 7662 introspection for an authenticated client; tokens of other clients are
    /// reported inactive.
    pub async fn introspect(
        &self,
        form: &[(String, String)],
        creds: &ClientCredentials,
    ) -> Result<Introspection, OAuthError> {
        let form = Form(form);
        form.check_duplicates()?;
        let client = self.client_from_request(&form, creds).await?;
        let token = form.require("token")?;
        if token.len() > 512 {
            return Ok(Introspection::Inactive);
        }
        let Some(found) = self.store().find_token(&secret::hash(token)).await? else {
            return Ok(Introspection::Inactive);
        };
        if !secret::ct_eq(&found.grant.client_id, &client.id) {
            return Ok(Introspection::Inactive);
        }
        let grant: GrantRecord = found.grant.clone();
        let iat = found.token.created.timestamp();
        let (token_type, exp) = if found.token.kind == "refresh" {
            if grant.revoked.is_some() || found.token.superseded.is_some() {
                return Ok(Introspection::Inactive);
            }
            ("refresh_token", None)
        } else {
            match self.live_access(found).await? {
                Some(a) => ("access_token", Some(a.expires.timestamp())),
                None => return Ok(Introspection::Inactive),
            }
        };
        let username = self
            .store()
            .find_user(&grant.user_id)
            .await?
            .map(|u| u.email);
        Ok(Introspection::Active {
            scope: grant.scopes,
            client_id: grant.client_id,
            sub: grant.user_id,
            username,
            token_type,
            exp,
            iat,
        })
    }

    /// The applications that have access to a user's account: those with a remembered
    /// consent, and those holding a usable token (such as one from `colophon tokens issue`).
    pub async fn connected_apps(&self, user_id: &str) -> Result<Vec<ConnectedApp>, AuthError> {
        let store = self.store();
        let mut entries: Vec<(String, DateTime<Utc>, String)> = store
            .list_consents(user_id)
            .await?
            .into_iter()
            .map(|c| (c.client_id, c.created, c.scopes))
            .collect();
        for (client_id, since, scopes) in
            store.clients_with_live_grants(user_id, self.now()).await?
        {
            if !entries.iter().any(|(c, _, _)| *c == client_id) {
                entries.push((client_id, since, scopes));
            }
        }
        entries.sort_by_key(|(_, since, _)| *since);
        let mut out = Vec::new();
        for (client_id, since, scopes) in entries {
            let Some(client) = self.find_client(&client_id).await? else {
                continue;
            };
            out.push(ConnectedApp {
                client_id: client.id,
                name: client.name,
                access: ScopeSet::parse(&scopes)
                    .map(|s| s.descriptions())
                    .unwrap_or_default(),
                since,
            });
        }
        Ok(out)
    }

    /// Issues an access token for `email`'s account to `client_id` without a browser
    /// (`colophon tokens issue`), recorded as a grant like any other.
    pub async fn issue_token_for(
        &self,
        email: &str,
        client_id: &str,
    ) -> Result<(TokenResponse, OAuthClient), IssueError> {
        let account = self
            .find_account_by_email(email)
            .await?
            .ok_or(IssueError::NoSuchUser)?;
        let client = self
            .find_client(client_id)
            .await?
            .ok_or(IssueError::NoSuchClient)?;
        let grant = GrantRecord {
            id: secret::random_urlsafe(16),
            user_id: account.id.clone(),
            client_id: client.id.clone(),
            scopes: crate::BOOKS_SCOPE.to_owned(),
            access_type: "online".into(),
            origin: "cli".into(),
            created: self.now(),
            revoked: None,
        };
        tracing::info!(user.id = %account.id, client.id = %client.id, "issuing an access token from the command line for user {} and client {}", account.id, client.id);
        let response = self.issue_new_grant(grant, false).await?;
        Ok((response, client))
    }
}

/// Why `colophon tokens issue` failed.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// No account has this email.
    #[error("no user has this email address")]
    NoSuchUser,
    /// No undeleted client has this id.
    #[error("no OAuth client has this id")]
    NoSuchClient,
    /// Internal failure.
    #[error(transparent)]
    Internal(#[from] AuthError),
}
