//! The device flow (RFC 8628 with Google's dialect, `oauth-behavior.md` §6): device
//! authorization, the user-code page's lookups and decisions, and polling.

use chrono::Duration;
use colophon_store::{DeviceRecord, GrantRecord};

use crate::clients::OAuthClient;
use crate::scope::ScopeSet;
use crate::token::{ClientCredentials, Form, TokenResponse};
use crate::{secret, AuthError, AuthServer, OAuthError, DEVICE_CODE_SECS, DEVICE_INTERVAL_SECS};

/// User codes use consonants only (no vowels: no words), RFC 8628 §6.1.
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

/// A new device authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuthorization {
    /// The device code (secret; the device polls with it).
    pub device_code: String,
    /// The user code, `XXXX-XXXX`.
    pub user_code: String,
    /// Seconds until both expire.
    pub expires_in: i64,
    /// Seconds between polls.
    pub interval: i64,
}

/// A pending device authorization found by its user code, for the consent step.
#[derive(Debug, Clone)]
pub struct PendingDevice {
    /// Hash of the device code (identifies the authorization; not a secret by itself).
    pub device_hash: String,
    /// The client asking.
    pub client: OAuthClient,
    /// Requested scopes.
    pub scopes: ScopeSet,
}

/// Why a user code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserCodeError {
    /// Unknown, expired or already used.
    Invalid,
    /// Too many wrong codes from this browser: locked for a while.
    Locked,
}

/// Normalises a typed user code: case and dashes (and spaces) do not matter.
pub fn normalize_user_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .flat_map(char::to_uppercase)
        .collect()
}

impl AuthServer {
    /// Starts a device authorization (`POST /device/code`).
    pub async fn device_authorization(
        &self,
        form: &[(String, String)],
        creds: &ClientCredentials,
    ) -> Result<DeviceAuthorization, OAuthError> {
        let form = Form(form);
        form.check_duplicates()?;
        // yup-oauth2 sends only `client_id` and `scope` here: a device client's secret is not
        // secret (it ships in the device), so none is needed to start; one that is sent must
        // be right. The token endpoint still authenticates the client when it polls.
        let presents_secret =
            creds.basic.is_some() || creds.malformed_basic || form.get("client_secret").is_some();
        let client = if presents_secret {
            self.client_from_request(&form, creds).await?
        } else {
            let id = form.require("client_id")?;
            self.find_client(id).await?.ok_or_else(|| {
                OAuthError::invalid_client("The OAuth client was not found.", false)
            })?
        };
        if !client.may_use_device_flow() {
            return Err(OAuthError::bad(
                "unauthorized_client",
                "This client type may not use the device flow; register a TV client.",
            ));
        }
        let scopes = ScopeSet::parse(form.get("scope").unwrap_or(""))
            .map_err(|e| OAuthError::bad("invalid_scope", e.to_string()))?;
        let now = self.now();
        let device_code = format!("AH-1{}", secret::random_urlsafe(32));
        let raw_user_code = secret::random_from(USER_CODE_ALPHABET, 8);
        let user_code = format!("{}-{}", &raw_user_code[..4], &raw_user_code[4..]);
        self.store()
            .insert_device(&DeviceRecord {
                device_hash: secret::hash(&device_code),
                user_code_hash: secret::hash(&raw_user_code),
                client_id: client.id.clone(),
                scopes: scopes.to_string(),
                created: now,
                expires: now + Duration::seconds(DEVICE_CODE_SECS),
                interval_secs: DEVICE_INTERVAL_SECS,
                last_poll: None,
                status: "pending".into(),
                user_id: None,
            })
            .await?;
        tracing::info!(client.id = %client.id, "device authorization started for client {}", client.id);
        Ok(DeviceAuthorization {
            device_code,
            user_code,
            expires_in: DEVICE_CODE_SECS,
            interval: DEVICE_INTERVAL_SECS,
        })
    }

    /// Looks up a typed user code for the browser holding `cookie` at client address `addr`;
    /// wrong guesses count against that browser (5 per 15 minutes) and that address (20).
    pub async fn find_user_code(
        &self,
        cookie: &str,
        addr: &str,
        typed: &str,
    ) -> Result<Result<PendingDevice, UserCodeError>, AuthError> {
        let now = self.now();
        let key = secret::hash(cookie);
        let throttle = &self.inner.user_codes_by_session;
        let by_addr = &self.inner.user_codes_by_addr;
        let store = self.store();
        if throttle.is_locked(store, &key, now).await?
            || by_addr.is_locked(store, addr, now).await?
        {
            return Ok(Err(UserCodeError::Locked));
        }
        let code = normalize_user_code(typed);
        let found = if code.len() == 8 {
            self.store()
                .find_device_by_user_code(&secret::hash(&code))
                .await?
        } else {
            None
        };
        let usable = match found {
            Some(d) if d.status == "pending" && now < d.expires => {
                match (
                    self.find_client(&d.client_id).await?,
                    ScopeSet::parse(&d.scopes),
                ) {
                    (Some(client), Ok(scopes)) => Some(PendingDevice {
                        device_hash: d.device_hash,
                        client,
                        scopes,
                    }),
                    _ => None,
                }
            }
            _ => None,
        };
        match usable {
            Some(p) => Ok(Ok(p)),
            None => {
                throttle.fail(store, &key, now).await?;
                by_addr.fail(store, addr, now).await?;
                Ok(Err(
                    if throttle.is_locked(store, &key, now).await?
                        || by_addr.is_locked(store, addr, now).await?
                    {
                        UserCodeError::Locked
                    } else {
                        UserCodeError::Invalid
                    },
                ))
            }
        }
    }

    /// Records the signed-in user's decision on a device authorization; `false` when it was
    /// no longer pending.
    pub async fn decide_device(
        &self,
        device_hash: &str,
        user_id: &str,
        allow: bool,
    ) -> Result<bool, AuthError> {
        let store = self.store();
        let Some(device) = store.find_device(device_hash).await? else {
            return Ok(false);
        };
        if self.now() >= device.expires {
            return Ok(false);
        }
        let status = if allow { "approved" } else { "denied" };
        let done = store.decide_device(device_hash, status, user_id).await?;
        if done && allow {
            if let Ok(scopes) = ScopeSet::parse(&device.scopes) {
                let prior = store.find_consent(user_id, &device.client_id).await?;
                let now = self.now();
                let remembered = match prior.as_ref().and_then(|c| ScopeSet::parse(&c.scopes).ok())
                {
                    Some(old) => old.union(&scopes),
                    None => scopes,
                };
                store
                    .put_consent(&colophon_store::ConsentRecord {
                        user_id: user_id.to_owned(),
                        client_id: device.client_id.clone(),
                        scopes: remembered.to_string(),
                        created: prior.map_or(now, |c| c.created),
                        updated: now,
                    })
                    .await?;
            }
        }
        if done {
            tracing::info!(user.id = %user_id, client.id = %device.client_id, "device authorization {status} by user {user_id}");
        }
        Ok(done)
    }

    /// A device polls the token endpoint with its device code.
    pub(crate) async fn poll_device(
        &self,
        device_code: &str,
        client: &OAuthClient,
    ) -> Result<TokenResponse, OAuthError> {
        if !client.may_use_device_flow() {
            return Err(OAuthError::bad(
                "unauthorized_client",
                "This client type may not use the device flow.",
            ));
        }
        let store = self.store();
        let hash = secret::hash(device_code);
        let Some(device) = store.find_device(&hash).await? else {
            return Err(OAuthError::invalid_grant("Bad Request"));
        };
        if !secret::ct_eq(&device.client_id, &client.id) {
            return Err(OAuthError::invalid_grant("Bad Request"));
        }
        let now = self.now();
        if device.status == "redeemed" {
            return Err(OAuthError::invalid_grant("Bad Request"));
        }
        if now >= device.expires {
            return Err(OAuthError::bad(
                "expired_token",
                "The device code has expired.",
            ));
        }
        if let Some(last) = device.last_poll {
            if now - last < Duration::seconds(device.interval_secs) {
                store
                    .record_device_poll(&hash, now, device.interval_secs + 5)
                    .await?;
                return Err(OAuthError::bad(
                    "slow_down",
                    "Polling too frequently: wait the interval between requests.",
                ));
            }
        }
        store
            .record_device_poll(&hash, now, device.interval_secs)
            .await?;
        match device.status.as_str() {
            "pending" => Err(OAuthError::bad(
                "authorization_pending",
                "Precondition Required",
            )),
            "denied" => Err(OAuthError::bad("access_denied", "Forbidden")),
            "approved" => {
                if !store.redeem_device(&hash).await? {
                    return Err(OAuthError::invalid_grant("Bad Request"));
                }
                let user_id = device.user_id.clone().ok_or_else(|| {
                    AuthError::Internal("approved device authorization without a user".into())
                })?;
                let grant = GrantRecord {
                    id: secret::random_urlsafe(16),
                    user_id,
                    client_id: client.id.clone(),
                    scopes: device.scopes.clone(),
                    access_type: "offline".into(),
                    origin: "device".into(),
                    created: now,
                    revoked: None,
                };
                Ok(self.issue_new_grant(grant, true).await?)
            }
            _ => Err(OAuthError::invalid_grant("Bad Request")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_ignore_case_and_dashes() {
        assert_eq!(normalize_user_code("bcdf-ghjk"), "BCDFGHJK");
        assert_eq!(normalize_user_code("BCDFGHJK"), "BCDFGHJK");
        assert_eq!(normalize_user_code(" bcdf ghjk "), "BCDFGHJK");
    }
}
