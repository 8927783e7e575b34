//! `ApiRequest`: the standard parameters of every Books API method and the identified caller.
//!
//! Runs before any handler logic: it decodes the query, identifies the caller (API key as
//! `key=` or `X-Goog-Api-Key`, OAuth token as `access_token=`, `oauth_token=` or
//! `Authorization: Bearer`), and validates the system parameters (`fields`, `prettyPrint`,
//! `alt`, `callback`, `quotaUser`, `$.xgafv`). Caller problems are answered first, as
//! Google does, in the order of `oauth-behavior.md` §11.3: a token is verified first (unknown,
//! expired, revoked or a refresh token → 401 `authError`), then a key given beside it must be
//! valid too; without a token, a key alone identifies the application.
//!
//! [`UserRequest`] is the extractor of user-bound methods (`mylibrary.*` …): it answers 401
//! `required` ("Login Required") when no token is presented, even when a key is, and 403
//! `insufficientPermissions` when the token lacks the Books scope.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use crate::params::QueryParams;
use crate::response::fields::FieldMask;
use crate::{ApiError, AppState};
use colophon_auth::{ScopeSet, BOOKS_SCOPE};
use colophon_service::KeyCheck;

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A valid API key (its public id).
    ApiKey(String),
    /// A valid OAuth access token (with a valid key beside it, if one was given).
    User(TokenCaller),
    /// No credential; allowed because anonymous access is on.
    Anonymous,
}

/// The identity an access token carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCaller {
    /// The user the token acts for (numeric-string id).
    pub user_id: String,
    /// The OAuth client (application) holding it.
    pub client_id: String,
    /// The token's scopes.
    pub scopes: ScopeSet,
}

/// How the response should be written.
#[derive(Debug, Clone, Default)]
pub struct OutputOptions {
    /// `prettyPrint` (default true).
    pub pretty: bool,
    /// Parsed `fields`.
    pub fields: Option<FieldMask>,
    /// JSONP `callback`.
    pub callback: Option<String>,
    /// `If-None-Match` header.
    pub if_none_match: Option<String>,
}

/// The decoded request: parameters, caller and output options.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// All query parameters.
    pub params: QueryParams,
    /// The caller.
    pub caller: Caller,
    /// Output options.
    pub output: OutputOptions,
}

impl FromRequestParts<AppState> for ApiRequest {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let params = QueryParams::parse(parts.uri.query());
        let (caller, key_id) = identify(&params, &parts.headers, state, false).await?;
        crate::console_gate::admit(parts, state, &params, &caller, key_id.as_deref()).await?;
        let output = output_options(&params, &parts.headers)?;
        Ok(Self {
            params,
            caller,
            output,
        })
    }
}

/// A request to a user-bound method: the decoded request and the token's user, who holds the
/// Books scope.
#[derive(Debug, Clone)]
pub struct UserRequest {
    /// The decoded request.
    pub request: ApiRequest,
    /// The signed-in user.
    pub user: TokenCaller,
}

impl FromRequestParts<AppState> for UserRequest {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let params = QueryParams::parse(parts.uri.query());
        let (caller, key_id) = identify(&params, &parts.headers, state, true).await?;
        let Caller::User(user) = caller.clone() else {
            return Err(ApiError::LoginRequired);
        };
        if !user.scopes.contains(BOOKS_SCOPE) {
            return Err(ApiError::InsufficientScope);
        }
        crate::console_gate::admit(parts, state, &params, &caller, key_id.as_deref()).await?;
        let output = output_options(&params, &parts.headers)?;
        Ok(Self {
            request: ApiRequest {
                params,
                caller,
                output,
            },
            user,
        })
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Identifies the caller (and the id of a valid key, given with or without a token);
/// `user_bound` methods answer 401 rather than 403 when nothing identifies a user.
async fn identify(
    params: &QueryParams,
    headers: &HeaderMap,
    state: &AppState,
    user_bound: bool,
) -> Result<(Caller, Option<String>), ApiError> {
    let authorization = header_str(headers, header::AUTHORIZATION.as_str());
    let bearer = authorization.and_then(|v| {
        let (scheme, token) = v.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    });
    if authorization.is_some() && bearer.is_none() {
        // An Authorization header of another scheme is not a credential we accept.
        return Err(ApiError::InvalidCredentials);
    }
    let token = bearer
        .or_else(|| params.non_empty("access_token"))
        .or_else(|| params.non_empty("oauth_token"));
    let user = match token {
        Some(token) => match state.auth.verify_access_token(token).await {
            Ok(Some(access)) => Some(TokenCaller {
                user_id: access.user_id,
                client_id: access.client_id,
                scopes: access.scopes,
            }),
            Ok(None) => return Err(ApiError::InvalidCredentials),
            Err(e) => return Err(ApiError::Internal(e.to_string())),
        },
        None => None,
    };
    let key = params
        .non_empty("key")
        .or_else(|| params.non_empty("$key"))
        .or_else(|| header_str(headers, "x-goog-api-key"));
    if user.is_none() && user_bound {
        return Err(ApiError::LoginRequired);
    }
    let key_id = match key {
        Some(key) => match state.keys.verify(key).await? {
            KeyCheck::Valid { id } => Some(id),
            KeyCheck::Invalid => return Err(ApiError::KeyInvalid),
        },
        None => None,
    };
    let caller = match (user, key_id.clone()) {
        (Some(user), _) => Caller::User(user),
        (None, Some(id)) => Caller::ApiKey(id),
        (None, None) if state.config.anonymous_access => Caller::Anonymous,
        (None, None) => return Err(ApiError::Unregistered),
    };
    Ok((caller, key_id))
}

fn output_options(params: &QueryParams, headers: &HeaderMap) -> Result<OutputOptions, ApiError> {
    let pretty = params.bool_or("prettyPrint", true)?;
    match params.non_empty("alt") {
        None | Some("json") => {}
        Some(other @ ("media" | "proto")) => {
            return Err(ApiError::invalid(
                "alt",
                format!("alt={other} is not supported by this method; use alt=json."),
            ))
        }
        Some(other) => {
            return Err(ApiError::invalid(
                "alt",
                format!("Invalid value '{other}' for alt. Allowed values: json, media, proto."),
            ))
        }
    }
    if let Some(v) = params.non_empty("$.xgafv") {
        if v != "1" && v != "2" {
            return Err(ApiError::invalid(
                "$.xgafv",
                format!("Invalid value '{v}' for $.xgafv. Allowed values: 1, 2."),
            ));
        }
    }
    if let Some(q) = params
        .non_empty("quotaUser")
        .or_else(|| header_str(headers, "x-goog-quota-user"))
    {
        if q.chars().count() > 40 {
            return Err(ApiError::invalid(
                "quotaUser",
                "quotaUser must not exceed 40 characters.",
            ));
        }
    }
    let fields = match params
        .non_empty("fields")
        .or_else(|| params.non_empty("$fields"))
        .or_else(|| header_str(headers, "x-goog-fieldmask"))
    {
        None => None,
        Some(f) => Some(FieldMask::parse(f).map_err(|e| ApiError::InvalidFields(e.message))?),
    };
    let callback = match params.non_empty("callback") {
        None => None,
        Some(cb) if crate::response::json::jsonp(cb, b"").is_some() => Some(cb.to_owned()),
        Some(cb) => {
            return Err(ApiError::invalid(
                "callback",
                format!("Invalid value '{cb}' for callback: not a JavaScript identifier."),
            ))
        }
    };
    let if_none_match = header_str(headers, header::IF_NONE_MATCH.as_str()).map(str::to_owned);
    Ok(OutputOptions {
        pretty,
        fields,
        callback,
        if_none_match,
    })
}
