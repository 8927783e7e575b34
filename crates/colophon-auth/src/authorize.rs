//! The authorization endpoint's logic: checking a request in the order of
//! `oauth-behavior.md` §4.2, remembering consent, and issuing authorization codes.
//!
//! Errors before the redirect URI is trusted ([`AuthorizeError::Page`]) are shown on an error
//! page and never redirect; errors after it ([`AuthorizeError::Redirect`]) go back to the client
//! with `error`, `error_description`, `state` and `iss`.

use chrono::Duration;
use colophon_store::{CodeRecord, ConsentRecord, PendingConsentRecord};

use crate::clients::OAuthClient;
use crate::pkce::{self, Method};
use crate::scope::ScopeSet;
use crate::{secret, AuthError, AuthServer, CODE_SECS};

/// Longest `state` accepted.
pub const MAX_STATE_BYTES: usize = 2048;
/// How long a request may wait on the consent page.
const PENDING_TTL: Duration = Duration::minutes(10);

/// The `prompt` parameter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    /// `none`: no page may be shown.
    pub none: bool,
    /// `consent`: show the consent page even when consent is remembered.
    pub consent: bool,
    /// `select_account`: offer to switch accounts.
    pub select_account: bool,
}

/// A checked authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    /// The client.
    pub client: OAuthClient,
    /// The redirect URI exactly as sent.
    pub redirect_uri: String,
    /// `state`, echoed byte for byte.
    pub state: Option<String>,
    /// Requested scopes.
    pub scopes: ScopeSet,
    /// `access_type=offline`.
    pub offline: bool,
    /// `prompt` (and the legacy `approval_prompt=force`).
    pub prompt: Prompt,
    /// `include_granted_scopes=true`.
    pub include_granted_scopes: bool,
    /// `login_hint`.
    pub login_hint: Option<String>,
    /// PKCE challenge and method.
    pub code_challenge: Option<(String, Method)>,
}

/// A refused authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// Show an error page (the redirect URI is not trusted): HTTP status, error code, text.
    Page {
        /// HTTP status (400, or 401 for an unknown client).
        status: u16,
        /// Error code, e.g. `redirect_uri_mismatch`.
        error: &'static str,
        /// What was wrong (may quote the offending value; escape it when rendering).
        description: String,
    },
    /// Redirect to this URL (the client's redirect URI with `error=…`).
    Redirect {
        /// The `Location`.
        location: String,
    },
}

/// The user's answer on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentDecision {
    /// Allow.
    Allow,
    /// Deny.
    Deny,
}

impl AuthorizationRequest {
    /// The request as authorization parameters: [`AuthServer::check_authorization`] reads them
    /// back into the same request (checked again, against the client as it is then).
    fn to_params(&self) -> String {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        ser.append_pair("response_type", "code")
            .append_pair("client_id", &self.client.id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", &self.scopes.to_string());
        if let Some(state) = &self.state {
            ser.append_pair("state", state);
        }
        if self.offline {
            ser.append_pair("access_type", "offline");
        }
        let prompt: Vec<&str> = [
            (self.prompt.none, "none"),
            (self.prompt.consent, "consent"),
            (self.prompt.select_account, "select_account"),
        ]
        .into_iter()
        .filter_map(|(on, word)| on.then_some(word))
        .collect();
        if !prompt.is_empty() {
            ser.append_pair("prompt", &prompt.join(" "));
        }
        if self.include_granted_scopes {
            ser.append_pair("include_granted_scopes", "true");
        }
        if let Some(hint) = &self.login_hint {
            ser.append_pair("login_hint", hint);
        }
        if let Some((challenge, method)) = &self.code_challenge {
            ser.append_pair("code_challenge", challenge)
                .append_pair("code_challenge_method", method.as_str());
        }
        ser.finish()
    }
}

fn page(status: u16, error: &'static str, description: impl Into<String>) -> AuthorizeError {
    AuthorizeError::Page {
        status,
        error,
        description: description.into(),
    }
}

/// The single value of `name`: `Ok(None)` when absent, `Err` when repeated.
fn single<'a>(params: &'a [(String, String)], name: &str) -> Result<Option<&'a str>, ()> {
    let mut it = params.iter().filter(|(k, _)| k == name);
    let first = it.next().map(|(_, v)| v.as_str());
    if it.next().is_some() {
        return Err(());
    }
    Ok(first)
}

/// Appends `pairs` to `uri`'s query (keeping any query the client registered).
pub fn append_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{}", ser.finish())
}

impl AuthServer {
    /// Checks an authorization request's parameters (query or form, in order).
    pub async fn check_authorization(
        &self,
        params: &[(String, String)],
    ) -> Result<AuthorizationRequest, AuthorizeError> {
        let client_id = match single(params, "client_id") {
            Err(()) => {
                return Err(page(
                    400,
                    "invalid_request",
                    "Duplicate parameter: client_id",
                ))
            }
            Ok(None | Some("")) => {
                return Err(page(
                    400,
                    "invalid_request",
                    "Missing required parameter: client_id",
                ))
            }
            Ok(Some(id)) => id,
        };
        let client = match self.find_client(client_id).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                return Err(page(
                    401,
                    "invalid_client",
                    "The OAuth client was not found.",
                ))
            }
            Err(e) => {
                tracing::error!(error.detail = %e, "authorization request: {e}");
                return Err(page(500, "server_error", "Internal error encountered."));
            }
        };
        let redirect_uri = match single(params, "redirect_uri") {
            Err(()) => {
                return Err(page(
                    400,
                    "invalid_request",
                    "Duplicate parameter: redirect_uri",
                ))
            }
            Ok(None | Some("")) => {
                return Err(page(
                    400,
                    "invalid_request",
                    "Missing required parameter: redirect_uri",
                ))
            }
            Ok(Some(u)) => u,
        };
        if redirect_uri.starts_with("urn:ietf:wg:oauth:2.0:oob") {
            return Err(page(
                400,
                "invalid_request",
                "The out-of-band (OOB) flow has been blocked. Use a loopback redirect URI.",
            ));
        }
        if !client.accepts_redirect(redirect_uri) {
            return Err(page(
                400,
                "redirect_uri_mismatch",
                format!(
                    "The redirect URI in the request, {redirect_uri}, does not match the ones \
                     authorized for the OAuth client."
                ),
            ));
        }

        // From here on, errors go back to the client.
        let state_raw = single(params, "state");
        let state = state_raw.ok().flatten().map(str::to_owned);
        let fail = |error: &'static str, description: &str| {
            let mut pairs = vec![("error", error), ("error_description", description)];
            if let Some(s) = state.as_deref().filter(|s| s.len() <= MAX_STATE_BYTES) {
                pairs.push(("state", s));
            }
            pairs.push(("iss", self.issuer()));
            AuthorizeError::Redirect {
                location: append_query(redirect_uri, &pairs),
            }
        };
        let mut seen: Vec<&str> = Vec::new();
        for (k, _) in params {
            if seen.contains(&k.as_str()) {
                return Err(fail(
                    "invalid_request",
                    &format!("Duplicate parameter: {k}"),
                ));
            }
            seen.push(k);
        }
        if state.as_ref().is_some_and(|s| s.len() > MAX_STATE_BYTES) {
            return Err(fail(
                "invalid_request",
                "The state parameter is too long (at most 2048 bytes).",
            ));
        }
        let get = |name: &str| {
            single(params, name)
                .ok()
                .flatten()
                .filter(|v| !v.is_empty())
        };
        match get("response_type") {
            None => {
                return Err(fail(
                    "invalid_request",
                    "Missing required parameter: response_type",
                ))
            }
            Some("code") => {}
            Some(_) => {
                return Err(fail(
                    "unsupported_response_type",
                    "Only response_type=code is supported.",
                ))
            }
        }
        let scopes = match ScopeSet::parse(get("scope").unwrap_or("")) {
            Ok(s) => s,
            Err(e) => return Err(fail("invalid_scope", &e.to_string())),
        };
        let mut prompt = Prompt::default();
        if let Some(p) = get("prompt") {
            for word in p.split(' ').filter(|w| !w.is_empty()) {
                match word {
                    "none" => prompt.none = true,
                    "consent" => prompt.consent = true,
                    "select_account" => prompt.select_account = true,
                    _ => return Err(fail("invalid_request", "Invalid prompt value.")),
                }
            }
            if prompt.none && (prompt.consent || prompt.select_account) {
                return Err(fail(
                    "invalid_request",
                    "prompt=none cannot be combined with other values.",
                ));
            }
        }
        match get("approval_prompt") {
            None | Some("auto") => {}
            Some("force") => prompt.consent = true,
            Some(_) => return Err(fail("invalid_request", "Invalid approval_prompt value.")),
        }
        let offline = match get("access_type") {
            None | Some("online") => false,
            Some("offline") => true,
            Some(_) => return Err(fail("invalid_request", "Invalid access_type value.")),
        };
        let include_granted_scopes = match get("include_granted_scopes") {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(fail(
                    "invalid_request",
                    "Invalid include_granted_scopes value.",
                ))
            }
        };
        let code_challenge = match (get("code_challenge"), get("code_challenge_method")) {
            (None, None) => None,
            (None, Some(_)) => {
                return Err(fail(
                    "invalid_request",
                    "Missing required parameter: code_challenge",
                ))
            }
            (Some(c), method) => {
                let Some(method) = Method::parse(method) else {
                    return Err(fail(
                        "invalid_request",
                        "Invalid code_challenge_method: use S256 or plain.",
                    ));
                };
                if !pkce::well_formed(c) {
                    return Err(fail("invalid_request", "Invalid code_challenge."));
                }
                Some((c.to_owned(), method))
            }
        };
        if client.require_pkce && code_challenge.is_none() {
            return Err(fail(
                "invalid_request",
                "Missing required parameter: code_challenge (this client must use PKCE).",
            ));
        }
        Ok(AuthorizationRequest {
            client,
            redirect_uri: redirect_uri.to_owned(),
            state,
            scopes,
            offline,
            prompt,
            include_granted_scopes,
            login_hint: get("login_hint").map(str::to_owned),
            code_challenge,
        })
    }

    /// The redirect that answers `req` with an error.
    pub fn error_location(
        &self,
        req: &AuthorizationRequest,
        error: &str,
        description: &str,
    ) -> String {
        let mut pairs = vec![("error", error), ("error_description", description)];
        if let Some(s) = &req.state {
            pairs.push(("state", s));
        }
        pairs.push(("iss", self.issuer()));
        append_query(&req.redirect_uri, &pairs)
    }

    /// Whether the user must see the consent page for `req`.
    pub async fn needs_consent(
        &self,
        user_id: &str,
        req: &AuthorizationRequest,
    ) -> Result<bool, AuthError> {
        if req.prompt.consent {
            return Ok(true);
        }
        let consent = self.store().find_consent(user_id, &req.client.id).await?;
        Ok(
            match consent.and_then(|c| ScopeSet::parse(&c.scopes).ok()) {
                Some(granted) => !req.scopes.is_subset_of(&granted),
                None => true,
            },
        )
    }

    /// The user approved `req` (on the consent page, or by remembered consent): remembers the
    /// consent, issues a code, and returns the redirect `Location`.
    pub async fn approve(
        &self,
        user_id: &str,
        req: &AuthorizationRequest,
        consent_shown: bool,
    ) -> Result<String, AuthError> {
        let now = self.now();
        let store = self.store();
        let prior = store
            .find_consent(user_id, &req.client.id)
            .await?
            .and_then(|c| ScopeSet::parse(&c.scopes).ok().map(|s| (s, c.created)));
        let granted = match (&prior, req.include_granted_scopes) {
            (Some((old, _)), true) => req.scopes.union(old),
            _ => req.scopes.clone(),
        };
        let remembered = match &prior {
            Some((old, _)) => old.union(&req.scopes),
            None => req.scopes.clone(),
        };
        store
            .put_consent(&ConsentRecord {
                user_id: user_id.to_owned(),
                client_id: req.client.id.clone(),
                scopes: remembered.to_string(),
                created: prior.as_ref().map_or(now, |(_, created)| *created),
                updated: now,
            })
            .await?;
        let issue_refresh = req.offline
            && (consent_shown
                || store
                    .live_refresh_grants(user_id, &req.client.id)
                    .await?
                    .is_empty());
        // Google's codes start with "4/" and so need URL-encoding: clients that forget fail.
        let code = format!("4/0{}", secret::random_urlsafe(32));
        let scope = granted.to_string();
        store
            .insert_code(&CodeRecord {
                hash: secret::hash(&code),
                client_id: req.client.id.clone(),
                user_id: user_id.to_owned(),
                redirect_uri: req.redirect_uri.clone(),
                scopes: scope.clone(),
                access_type: if req.offline { "offline" } else { "online" }.to_owned(),
                issue_refresh,
                code_challenge: req.code_challenge.as_ref().map(|(c, _)| c.clone()),
                code_challenge_method: req
                    .code_challenge
                    .as_ref()
                    .map(|(_, m)| m.as_str().to_owned()),
                grant_id: secret::random_urlsafe(16),
                created: now,
                expires: now + Duration::seconds(CODE_SECS),
                used: None,
            })
            .await?;
        tracing::info!(
            user.id = %user_id,
            client.id = %req.client.id,
            "authorization code issued to client {} for user {user_id}",
            req.client.id
        );
        let mut pairs = vec![("code", code.as_str())];
        if let Some(s) = &req.state {
            pairs.push(("state", s));
        }
        pairs.push(("scope", &scope));
        pairs.push(("iss", self.issuer()));
        Ok(append_query(&req.redirect_uri, &pairs))
    }

    /// Parks `req` while the browser holding `cookie` looks at the consent page; returns the
    /// request id the page posts back. The request is kept in the store, so whichever server
    /// process receives the answer can take it.
    pub async fn begin_consent(
        &self,
        cookie: &str,
        req: &AuthorizationRequest,
    ) -> Result<String, AuthError> {
        let now = self.now();
        let id = secret::random_urlsafe(16);
        self.store()
            .park_consent(&PendingConsentRecord {
                id_hash: secret::hash(&id),
                cookie_hash: secret::hash(cookie),
                request: req.to_params(),
                created: now,
                expires: now + PENDING_TTL,
            })
            .await?;
        Ok(id)
    }

    /// Takes the parked request `id` if it belongs to the browser holding `cookie`, has not
    /// expired, and still passes every check against its client as it is now (not deleted, the
    /// redirect URI still registered): each request can be answered once. Another browser's
    /// request stays untouched.
    pub async fn take_consent(
        &self,
        cookie: &str,
        id: &str,
    ) -> Result<Option<AuthorizationRequest>, AuthError> {
        let taken = self
            .store()
            .take_consent(&secret::hash(id), &secret::hash(cookie), self.now())
            .await?;
        let Some(encoded) = taken else {
            return Ok(None);
        };
        let params: Vec<(String, String)> = url::form_urlencoded::parse(encoded.as_bytes())
            .into_owned()
            .collect();
        Ok(self.check_authorization(&params).await.ok())
    }
}
