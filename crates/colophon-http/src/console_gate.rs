//! The console's rules on every Books API request: the project's API switch, the key's
//! referrer and IP restrictions, and the quotas (checked by
//! [`AccessCheck`](colophon_service::console::AccessCheck) once the caller is identified), and
//! the usage layer that records each answered request against its project and key.
//!
//! The client address is the TCP peer; `X-Forwarded-For` is read only when the peer is one of
//! the configured `trusted_proxies` (see `client_ip` in `colophon-domain`).

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use colophon_domain::key_restrictions::client_ip;
use colophon_service::console::{AccessDenied, RequestFacts, UsageTag};

use crate::params::QueryParams;
use crate::request::Caller;
use crate::{ApiError, AppState, QuotaErrors};

/// Where [`admit`] leaves the project and key a request is charged to, for [`record_usage`].
#[derive(Clone, Default)]
struct UsageSlot(Arc<Mutex<Option<UsageTag>>>);

/// The client address of a request (peer, or `X-Forwarded-For` via trusted proxies).
pub fn request_ip(parts: &Parts, state: &AppState) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    let forwarded: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    Some(client_ip(peer, &forwarded, &state.config.trusted_proxies))
}

/// Applies the console's rules to an identified caller; `key_id` is the id of a valid key
/// presented with the request (with or without a token).
pub async fn admit(
    parts: &Parts,
    state: &AppState,
    params: &QueryParams,
    caller: &Caller,
    key_id: Option<&str>,
) -> Result<(), ApiError> {
    let (client_id, token_user) = match caller {
        Caller::User(u) => (Some(u.client_id.as_str()), Some(u.user_id.as_str())),
        _ => (None, None),
    };
    if key_id.is_none() && client_id.is_none() {
        return Ok(());
    }
    let referrer = parts
        .headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let quota_user = params.non_empty("quotaUser").or_else(|| {
        parts
            .headers
            .get("x-goog-quota-user")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    });
    let facts = RequestFacts {
        key_id,
        client_id,
        token_user,
        quota_user,
        referrer,
        client_ip: request_ip(parts, state),
    };
    let verdict = state.console.access().check(&facts).await?;
    if let (Some(tag), Some(slot)) = (&verdict.tag, parts.extensions.get::<UsageSlot>()) {
        if let Ok(mut s) = slot.0.lock() {
            *s = Some(tag.clone());
        }
    }
    let Some(denied) = verdict.denied else {
        return Ok(());
    };
    let project_id = verdict.tag.map(|t| t.project_id).unwrap_or_default();
    Err(match denied {
        AccessDenied::ProjectMismatch => ApiError::ProjectMismatch,
        AccessDenied::ApiDisabled(number) => ApiError::AccessNotConfigured {
            number,
            activation_url: format!("{}/console/projects/{project_id}", state.config.public_url),
        },
        AccessDenied::ReferrerBlocked(referrer) => ApiError::ReferrerBlocked {
            referrer: referrer.unwrap_or_else(|| "<empty>".into()),
            number: state
                .console
                .access()
                .project_number(&project_id)
                .await
                .unwrap_or_default(),
        },
        AccessDenied::IpBlocked(ip) => ApiError::IpBlocked {
            ip: ip.to_string(),
            number: state
                .console
                .access()
                .project_number(&project_id)
                .await
                .unwrap_or_default(),
        },
        AccessDenied::DailyLimit(number, value) => ApiError::QuotaExceeded {
            legacy: state.config.quota_errors == QuotaErrors::Legacy,
            limit: "Queries per day",
            limit_id: crate::error::DAILY_LIMIT_ID,
            value,
            number,
        },
        AccessDenied::UserMinuteLimit(number, value) => ApiError::QuotaExceeded {
            legacy: state.config.quota_errors == QuotaErrors::Legacy,
            limit: "Queries per minute per user",
            limit_id: crate::error::USER_MINUTE_LIMIT_ID,
            value,
            number,
        },
    })
}

/// The discovery method id of a matched route.
fn method_id(path: &str) -> String {
    match path {
        "/books/v1/volumes" => "books.volumes.list".into(),
        "/books/v1/volumes/{volume_id}" => "books.volumes.get".into(),
        "/books/v1/mylibrary/bookshelves" => "books.mylibrary.bookshelves.list".into(),
        other => other.to_owned(),
    }
}

/// Layer of the Books API routes: records each answered request (method, status, latency)
/// against the project and key [`admit`] charged it to.
pub async fn record_usage(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let slot = UsageSlot::default();
    req.extensions_mut().insert(slot.clone());
    let method = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| method_id(p.as_str()))
        .unwrap_or_default();
    let started = Instant::now();
    let response = next.run(req).await;
    let tag = slot.0.lock().ok().and_then(|mut s| s.take());
    if let Some(tag) = tag {
        state
            .console
            .usage()
            .record(&tag, &method, response.status().as_u16(), started.elapsed());
    }
    response
}
