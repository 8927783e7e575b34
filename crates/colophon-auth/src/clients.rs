//! OAuth clients: web (confidential), installed (desktop, loopback redirects) and TV (device
//! flow), registered by an operator; client authentication at the token endpoint.

use std::fmt;

use chrono::{DateTime, Utc};
use colophon_store::ClientRecord;

use crate::redirect::{self, RedirectUriError};
use crate::{secret, AuthError, AuthServer};

/// The three kinds of client Google's console offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// Web application: confidential, registered redirect URIs, exact match.
    Web,
    /// Desktop app: loopback redirects on any port (and registered URIs, if any).
    Installed,
    /// TVs and limited-input devices: the device flow only.
    Tv,
}

impl ClientKind {
    /// Parses `web`, `installed` or `tv`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "web" => Some(Self::Web),
            "installed" => Some(Self::Installed),
            "tv" => Some(Self::Tv),
            _ => None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Installed => "installed",
            Self::Tv => "tv",
        }
    }
}

impl fmt::Display for ClientKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A registered client (without its secret hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    /// Public id.
    pub id: String,
    /// Application name shown to users.
    pub name: String,
    /// Kind.
    pub kind: ClientKind,
    /// Whether it was given a secret (public clients have none).
    pub has_secret: bool,
    /// Registered redirect URIs.
    pub redirect_uris: Vec<String>,
    /// PKCE required.
    pub require_pkce: bool,
    /// Refresh tokens rotate.
    pub rotate_refresh_tokens: bool,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Deletion time.
    pub deleted: Option<DateTime<Utc>>,
}

impl OAuthClient {
    fn from_record(r: ClientRecord) -> Result<Self, AuthError> {
        let kind = ClientKind::parse(&r.kind)
            .ok_or_else(|| AuthError::Internal(format!("client {}: kind {:?}", r.id, r.kind)))?;
        Ok(Self {
            id: r.id,
            name: r.name,
            kind,
            has_secret: r.secret_hash.is_some(),
            redirect_uris: r.redirect_uris,
            require_pkce: r.require_pkce,
            rotate_refresh_tokens: r.rotate_refresh_tokens,
            created: r.created,
            deleted: r.deleted,
        })
    }

    /// Whether `uri` is an acceptable redirect URI for this client.
    pub fn accepts_redirect(&self, uri: &str) -> bool {
        match self.kind {
            ClientKind::Web => redirect::matches(&self.redirect_uris, uri, false),
            ClientKind::Installed => redirect::matches(&self.redirect_uris, uri, true),
            ClientKind::Tv => false,
        }
    }

    /// Whether this client may use the device flow (TV clients, and public desktop clients).
    pub fn may_use_device_flow(&self) -> bool {
        self.kind == ClientKind::Tv || (self.kind == ClientKind::Installed && !self.has_secret)
    }
}

/// What to register.
#[derive(Debug, Clone)]
pub struct NewClient {
    /// Application name.
    pub name: String,
    /// Kind.
    pub kind: ClientKind,
    /// Redirect URIs (web clients need at least one).
    pub redirect_uris: Vec<String>,
    /// A public client: no secret, PKCE required (installed clients only).
    pub public: bool,
}

/// A registered client and its secret, shown once.
#[derive(Debug, Clone)]
pub struct CreatedClient {
    /// The client.
    pub client: OAuthClient,
    /// The secret (none for public clients).
    pub secret: Option<String>,
}

/// Why a registration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The name is empty or too long.
    #[error("the client name must have 1 to 200 characters")]
    Name,
    /// A redirect URI is not acceptable.
    #[error("redirect URI {uri:?}: {reason}")]
    RedirectUri {
        /// The URI.
        uri: String,
        /// Why.
        reason: RedirectUriError,
    },
    /// A web client needs a redirect URI; a TV client takes none.
    #[error("{0}")]
    Shape(&'static str),
    /// Internal failure.
    #[error(transparent)]
    Internal(#[from] AuthError),
}

impl AuthServer {
    /// Registers a client (until the console exists, `colophon clients create`).
    pub async fn create_client(&self, new: NewClient) -> Result<CreatedClient, ClientError> {
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ClientError::Name);
        }
        for uri in &new.redirect_uris {
            redirect::validate_registration(uri).map_err(|reason| ClientError::RedirectUri {
                uri: uri.clone(),
                reason,
            })?;
        }
        match new.kind {
            ClientKind::Web if new.redirect_uris.is_empty() => {
                return Err(ClientError::Shape(
                    "a web client needs at least one --redirect-uri",
                ))
            }
            ClientKind::Tv if !new.redirect_uris.is_empty() => {
                return Err(ClientError::Shape("a TV client takes no redirect URI"))
            }
            ClientKind::Web | ClientKind::Tv if new.public => {
                return Err(ClientError::Shape("only installed clients can be public"))
            }
            _ => {}
        }
        let id = format!(
            "{}-{}.apps.colophon",
            secret::random_digits(12),
            secret::random_from(b"abcdefghijklmnopqrstuvwxyz0123456789", 32)
        );
        let secret = (!new.public).then(|| format!("CLPH-{}", secret::random_urlsafe(32)));
        let record = ClientRecord {
            id,
            name: name.to_owned(),
            kind: new.kind.as_str().to_owned(),
            secret_hash: secret.as_deref().map(secret::hash),
            redirect_uris: new.redirect_uris,
            require_pkce: new.public,
            rotate_refresh_tokens: new.kind != ClientKind::Web,
            created: self.now(),
            deleted: None,
        };
        self.store()
            .insert_client(&record)
            .await
            .map_err(AuthError::from)?;
        tracing::info!(client.id = %record.id, client.kind = %record.kind, "OAuth client {} registered", record.id);
        Ok(CreatedClient {
            client: OAuthClient::from_record(record)?,
            secret,
        })
    }

    /// Every client, oldest first.
    pub async fn list_clients(&self) -> Result<Vec<OAuthClient>, AuthError> {
        self.store()
            .list_clients()
            .await?
            .into_iter()
            .map(OAuthClient::from_record)
            .collect()
    }

    /// The undeleted client with this id.
    pub async fn find_client(&self, id: &str) -> Result<Option<OAuthClient>, AuthError> {
        if id.is_empty() || id.len() > 200 {
            return Ok(None);
        }
        match self.store().find_client(id).await? {
            Some(r) if r.deleted.is_none() => Ok(Some(OAuthClient::from_record(r)?)),
            _ => Ok(None),
        }
    }

    /// Deletes a client: it authenticates nothing more and its tokens stop working.
    pub async fn delete_client(&self, id: &str) -> Result<bool, AuthError> {
        let done = self.store().delete_client(id, self.now()).await?;
        if done {
            tracing::info!(client.id = %id, "OAuth client {id} deleted");
        }
        Ok(done)
    }

    /// Checks a client's credentials: the undeleted client, when `secret` is right (or the
    /// client has none and none was sent). Constant-time on the secret hash.
    pub(crate) async fn authenticate_client(
        &self,
        client_id: &str,
        secret: Option<&str>,
    ) -> Result<ClientAuth, AuthError> {
        let Some(record) = self
            .store()
            .find_client(client_id)
            .await?
            .filter(|r| r.deleted.is_none() && client_id.len() <= 200)
        else {
            return Ok(ClientAuth::Unknown);
        };
        let ok = match (&record.secret_hash, secret) {
            (Some(stored), Some(given)) => secret::ct_eq(stored, &secret::hash(given)),
            (Some(_), None) => false,
            (None, None) => true,
            // A public client has no secret to present.
            (None, Some(given)) => given.is_empty(),
        };
        if !ok {
            return Ok(ClientAuth::WrongSecret);
        }
        Ok(ClientAuth::Ok(OAuthClient::from_record(record)?))
    }
}

/// Outcome of [`AuthServer::authenticate_client`].
#[derive(Debug)]
pub(crate) enum ClientAuth {
    /// Authenticated.
    Ok(OAuthClient),
    /// No such (undeleted) client.
    Unknown,
    /// Wrong or missing secret.
    WrongSecret,
}
