//! The token endpoint (`oauth-behavior.md` §5): client authentication (Basic or body), then
//! the `authorization_code`, `refresh_token` and device grants, with the errors of §5.4.

use chrono::Duration;
use colophon_store::{CodeRedemption, GrantRecord, TokenRecord};

use crate::clients::{ClientAuth, ClientKind, OAuthClient};
use crate::pkce::{self, Method};
use crate::scope::ScopeSet;
use crate::{secret, AuthError, AuthServer, OAuthError, ACCESS_TOKEN_SECS, REFRESH_GRANT_CAP};

/// The legacy device grant name yup-oauth2 still sends (with the device code as `code`).
pub const LEGACY_DEVICE_GRANT: &str = "http://oauth.net/grant_type/device/1.0";
/// RFC 8628's device grant name.
pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// How a client presented its credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientCredentials {
    /// From the `Authorization: Basic` header: id and secret (already decoded).
    pub basic: Option<(String, String)>,
    /// An `Authorization` header that is not valid Basic.
    pub malformed_basic: bool,
}

/// A successful token response (§5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// Seconds left: 3599.
    pub expires_in: i64,
    /// A refresh token, when one was issued.
    pub refresh_token: Option<String>,
    /// Granted scopes.
    pub scope: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
}

/// The form of a token request: its pairs in order, each name at most once.
pub(crate) struct Form<'a>(pub(crate) &'a [(String, String)]);

impl<'a> Form<'a> {
    /// Refuses repeated parameters (RFC 6749 §3.2).
    pub(crate) fn check_duplicates(&self) -> Result<(), OAuthError> {
        let mut seen: Vec<&str> = Vec::new();
        for (k, _) in self.0 {
            if seen.contains(&k.as_str()) {
                return Err(OAuthError::invalid_request(format!(
                    "Duplicate parameter: {k}"
                )));
            }
            seen.push(k);
        }
        Ok(())
    }

    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub(crate) fn require(&self, name: &str) -> Result<&'a str, OAuthError> {
        self.get(name).ok_or_else(|| OAuthError::missing(name))
    }
}

/// Refresh tokens die after this long unused (Google: six months).
pub const REFRESH_IDLE: Duration = Duration::days(183);

fn expired_or_revoked() -> OAuthError {
    OAuthError::invalid_grant("Token has been expired or revoked.")
}

impl AuthServer {
    /// Authenticates the client of a token, device or revocation request; the answer for a
    /// failure is one `invalid_client` whatever went wrong (unknown id or wrong secret differ
    /// only in their description, as at Google).
    pub(crate) async fn client_from_request(
        &self,
        form: &Form<'_>,
        creds: &ClientCredentials,
    ) -> Result<OAuthClient, OAuthError> {
        if creds.malformed_basic {
            return Err(OAuthError::invalid_client("Unauthorized", true));
        }
        let (id, secret, basic) = match &creds.basic {
            Some((id, secret)) => {
                if form.get("client_secret").is_some() {
                    return Err(OAuthError::invalid_request(
                        "Client authentication must use one method: HTTP Basic or the request body, not both.",
                    ));
                }
                if form.get("client_id").is_some_and(|body_id| body_id != id) {
                    return Err(OAuthError::invalid_request(
                        "client_id in the body differs from the HTTP Basic credentials.",
                    ));
                }
                (id.as_str(), Some(secret.as_str()), true)
            }
            None => (form.require("client_id")?, form.get("client_secret"), false),
        };
        let now = self.now();
        let throttle = &self.inner.token_failures_by_client;
        if throttle.is_locked(self.store(), id, now).await? {
            return Err(OAuthError {
                status: 429,
                error: "slow_down",
                description: "Too many failed requests for this client. Try again later.".into(),
                basic_challenge: false,
            });
        }
        match self.authenticate_client(id, secret).await? {
            ClientAuth::Ok(c) => Ok(c),
            // Wrong secrets are not counted: a secret has 256 bits, and counting them would let
            // anyone who knows a (public) client id lock that client out.
            ClientAuth::Unknown => Err(OAuthError::invalid_client(
                "The OAuth client was not found.",
                basic,
            )),
            ClientAuth::WrongSecret => {
                tracing::info!(client.id = %id, "client authentication failed for {id}");
                Err(OAuthError::invalid_client("Unauthorized", basic))
            }
        }
    }

    /// Answers a token request: `form` is the decoded body, `creds` the Basic header.
    ///
    /// `invalid_grant` answers to an authenticated client count against it: past 50 in five
    /// minutes the client gets 429 `slow_down` until the window has passed.
    pub async fn token(
        &self,
        form: &[(String, String)],
        creds: &ClientCredentials,
    ) -> Result<TokenResponse, OAuthError> {
        let form = Form(form);
        form.check_duplicates()?;
        let grant_type = form.require("grant_type")?;
        if !matches!(
            grant_type,
            "authorization_code" | "refresh_token" | DEVICE_GRANT | LEGACY_DEVICE_GRANT
        ) {
            let shown: String = grant_type.chars().take(100).collect();
            return Err(OAuthError::bad(
                "unsupported_grant_type",
                format!("Invalid grant_type: {shown}"),
            ));
        }
        let client = self.client_from_request(&form, creds).await?;
        let result = match grant_type {
            "authorization_code" => self.exchange_code(&form, &client).await,
            "refresh_token" => self.refresh(&form, &client).await,
            _ => {
                let param = if grant_type == LEGACY_DEVICE_GRANT {
                    "code"
                } else {
                    "device_code"
                };
                self.poll_device(form.require(param)?, &client).await
            }
        };
        if let Err(e) = &result {
            if e.error == "invalid_grant" {
                self.inner
                    .token_failures_by_client
                    .fail(self.store(), &client.id, self.now())
                    .await?;
            }
        }
        result
    }

    async fn exchange_code(
        &self,
        form: &Form<'_>,
        client: &OAuthClient,
    ) -> Result<TokenResponse, OAuthError> {
        if client.kind == ClientKind::Tv {
            return Err(OAuthError::bad(
                "unauthorized_client",
                "This client may not use the authorization code grant.",
            ));
        }
        let code = form.require("code")?;
        let redirect_uri = form.require("redirect_uri")?;
        let verifier = form.get("code_verifier");
        let now = self.now();
        let store = self.store();
        let record = match store.redeem_code(&secret::hash(code), now).await? {
            CodeRedemption::Unknown => {
                return Err(OAuthError::invalid_grant("Malformed auth code."))
            }
            CodeRedemption::Replayed(r) => {
                // RFC 6749 §4.1.2: a replayed code revokes what it issued — also when the
                // first exchange has not stored its grant yet: the grant is barred.
                let barred = GrantRecord {
                    id: r.grant_id.clone(),
                    user_id: r.user_id.clone(),
                    client_id: r.client_id.clone(),
                    scopes: r.scopes.clone(),
                    access_type: r.access_type.clone(),
                    origin: "code".into(),
                    created: r.created,
                    revoked: Some(now),
                };
                if store.bar_grant(&barred).await? {
                    tracing::warn!(
                        client.id = %r.client_id, user.id = %r.user_id, grant.id = %r.grant_id,
                        "authorization code replayed: grant {} revoked", r.grant_id
                    );
                }
                return Err(OAuthError::invalid_grant("Bad Request"));
            }
            CodeRedemption::First(r) => r,
        };
        if !secret::ct_eq(&record.client_id, &client.id) || now >= record.expires {
            return Err(OAuthError::invalid_grant("Bad Request"));
        }
        if record.redirect_uri != redirect_uri {
            return Err(OAuthError::bad("redirect_uri_mismatch", "Bad Request"));
        }
        match (&record.code_challenge, verifier) {
            (Some(_), None) => return Err(OAuthError::invalid_grant("Missing code verifier.")),
            (None, Some(_)) => {
                return Err(OAuthError::invalid_grant(
                    "code_verifier or verifier is not needed.",
                ))
            }
            (Some(challenge), Some(v)) => {
                let method =
                    Method::parse(record.code_challenge_method.as_deref()).unwrap_or(Method::S256);
                if !pkce::verify(method, challenge, v) {
                    return Err(OAuthError::invalid_grant("Invalid code verifier."));
                }
            }
            (None, None) => {}
        }
        let grant = GrantRecord {
            id: record.grant_id.clone(),
            user_id: record.user_id.clone(),
            client_id: client.id.clone(),
            scopes: record.scopes.clone(),
            access_type: record.access_type.clone(),
            origin: "code".into(),
            created: now,
            revoked: None,
        };
        match self.issue_grant(grant, record.issue_refresh).await? {
            Some(response) => Ok(response),
            // The code was replayed while this exchange ran: the replay barred the grant.
            None => Err(OAuthError::invalid_grant("Bad Request")),
        }
    }

    /// [`Self::issue_grant`] for a grant with a fresh random id (which nothing can have barred).
    pub(crate) async fn issue_new_grant(
        &self,
        grant: GrantRecord,
        with_refresh: bool,
    ) -> Result<TokenResponse, AuthError> {
        self.issue_grant(grant, with_refresh)
            .await?
            .ok_or_else(|| AuthError::Internal("a fresh grant id was already taken".into()))
    }

    /// Stores a new grant with an access token (and a refresh token), keeping at most
    /// [`REFRESH_GRANT_CAP`] live refresh grants per user and client; `None` (nothing issued)
    /// when the grant's id was barred, i.e. its authorization code was replayed meanwhile.
    pub(crate) async fn issue_grant(
        &self,
        grant: GrantRecord,
        with_refresh: bool,
    ) -> Result<Option<TokenResponse>, AuthError> {
        let now = grant.created;
        let access = new_access_token();
        let mut tokens = vec![TokenRecord {
            hash: secret::hash(&access),
            grant_id: grant.id.clone(),
            kind: "access".into(),
            created: now,
            expires: Some(now + Duration::seconds(ACCESS_TOKEN_SECS)),
            superseded: None,
            last_used: None,
        }];
        let refresh = with_refresh.then(new_refresh_token);
        if let Some(r) = &refresh {
            tokens.push(TokenRecord {
                hash: secret::hash(r),
                grant_id: grant.id.clone(),
                kind: "refresh".into(),
                created: now,
                expires: None,
                superseded: None,
                last_used: None,
            });
        }
        let store = self.store();
        if !store.insert_grant(&grant, &tokens).await? {
            tracing::warn!(
                client.id = %grant.client_id, user.id = %grant.user_id, grant.id = %grant.id,
                "grant {} was barred before it was stored: nothing issued", grant.id
            );
            return Ok(None);
        }
        // Now and then, sweep what expired more than a day ago (no background task needed).
        if rand::random::<u8>() < 4 {
            let removed = store.prune_expired(now - Duration::days(1)).await?;
            tracing::debug!(
                rows = removed,
                "expired tokens, codes and device codes pruned"
            );
        }
        if refresh.is_some() {
            let live = store
                .live_refresh_grants(&grant.user_id, &grant.client_id)
                .await?;
            if live.len() > REFRESH_GRANT_CAP {
                for old in &live[..live.len() - REFRESH_GRANT_CAP] {
                    store.revoke_grant(old, now).await?;
                }
            }
        }
        tracing::info!(
            user.id = %grant.user_id, client.id = %grant.client_id, grant.id = %grant.id,
            grant.origin = %grant.origin, refresh = refresh.is_some(),
            "tokens issued to client {} for user {}", grant.client_id, grant.user_id
        );
        Ok(Some(TokenResponse {
            access_token: access,
            expires_in: ACCESS_TOKEN_SECS,
            refresh_token: refresh,
            scope: grant.scopes,
            token_type: "Bearer",
        }))
    }

    async fn refresh(
        &self,
        form: &Form<'_>,
        client: &OAuthClient,
    ) -> Result<TokenResponse, OAuthError> {
        let presented = form.require("refresh_token")?;
        let requested = form.get("scope");
        let hash = secret::hash(presented);
        let store = self.store();
        let Some(found) = store.find_token(&hash).await? else {
            return Err(expired_or_revoked());
        };
        if found.token.kind != "refresh" {
            return Err(expired_or_revoked());
        }
        if !secret::ct_eq(&found.grant.client_id, &client.id) {
            return Err(OAuthError::bad("unauthorized_client", "Unauthorized"));
        }
        if found.grant.revoked.is_some() {
            return Err(expired_or_revoked());
        }
        let now = self.now();
        if found.token.superseded.is_some() {
            store.revoke_grant(&found.grant.id, now).await?;
            tracing::warn!(
                client.id = %client.id, user.id = %found.grant.user_id, grant.id = %found.grant.id,
                "rotated-out refresh token reused: grant {} revoked", found.grant.id
            );
            return Err(expired_or_revoked());
        }
        let last_used = found.token.last_used.unwrap_or(found.token.created);
        if now - last_used > REFRESH_IDLE {
            return Err(expired_or_revoked());
        }
        let granted = ScopeSet::parse(&found.grant.scopes)
            .map_err(|_| AuthError::Internal(format!("grant {}: bad scopes", found.grant.id)))?;
        let scope = match requested {
            None => granted,
            Some(raw) => match ScopeSet::parse(raw) {
                Ok(s) if s.is_subset_of(&granted) => s,
                _ => {
                    return Err(OAuthError::bad(
                        "invalid_scope",
                        "The requested scope exceeds the scope granted by the resource owner.",
                    ))
                }
            },
        };
        let access = new_access_token();
        let access_record = TokenRecord {
            hash: secret::hash(&access),
            grant_id: found.grant.id.clone(),
            kind: "access".into(),
            created: now,
            expires: Some(now + Duration::seconds(ACCESS_TOKEN_SECS)),
            superseded: None,
            last_used: None,
        };
        let mut new_refresh = None;
        if client.rotate_refresh_tokens {
            let r = new_refresh_token();
            let refresh_record = TokenRecord {
                hash: secret::hash(&r),
                grant_id: found.grant.id.clone(),
                kind: "refresh".into(),
                created: now,
                expires: None,
                superseded: None,
                last_used: None,
            };
            if !store
                .rotate_refresh_token(&hash, &[access_record, refresh_record], now)
                .await?
            {
                // Another request rotated it first: the same token was used twice.
                store.revoke_grant(&found.grant.id, now).await?;
                return Err(expired_or_revoked());
            }
            new_refresh = Some(r);
        } else {
            store.insert_token(&access_record).await?;
            store.touch_token(&hash, now).await?;
        }
        tracing::info!(
            client.id = %client.id, user.id = %found.grant.user_id, grant.id = %found.grant.id,
            rotated = new_refresh.is_some(), "access token refreshed for client {}", client.id
        );
        Ok(TokenResponse {
            access_token: access,
            expires_in: ACCESS_TOKEN_SECS,
            refresh_token: new_refresh,
            scope: scope.to_string(),
            token_type: "Bearer",
        })
    }
}

fn new_access_token() -> String {
    format!("cat.{}", secret::random_urlsafe(32))
}

fn new_refresh_token() -> String {
    format!("1//{}", secret::random_urlsafe(32))
}
