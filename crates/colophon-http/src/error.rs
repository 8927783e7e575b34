//! `ApiError`: every error the Books API answers, mapped to Google's error body in one table.
//!
//! Which error type to use where: library crates have their own (`StoreError`,
//! `SearchError`, `CatalogError`); handlers and extractors return `ApiError`, converting with
//! `From`. Internal errors are opaque to clients ("Internal error encountered.") and logged
//! once, here, when they become a response.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use colophon_service::{CatalogError, LibraryError};
use colophon_store::StoreError;
use colophon_types::{ErrorBody, ErrorDetail, ErrorItem, ErrorResponse};

/// An error answered in Google's JSON error shape.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A required parameter is absent.
    #[error("Required parameter: {0}")]
    Required(&'static str),
    /// `q` is present but empty or blank.
    #[error("Missing query.")]
    QueryRequired,
    /// A parameter has a value outside its allowed set or syntax.
    #[error("{message}")]
    InvalidParameter {
        /// Parameter name.
        param: String,
        /// Full message.
        message: String,
    },
    /// `fields` cannot be parsed.
    #[error("{0}")]
    InvalidFields(String),
    /// The API key is unknown, malformed or revoked.
    #[error("API key not valid. Please pass a valid API key.")]
    KeyInvalid,
    /// Neither a key nor a token, and anonymous access is off.
    #[error("Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.")]
    Unregistered,
    /// An OAuth token was given but is not valid.
    #[error("Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.")]
    InvalidCredentials,
    /// The method needs a signed-in user and the request has no token.
    #[error("Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.")]
    LoginRequired,
    /// The token lacks the scope the method needs.
    #[error("Request had insufficient authentication scopes.")]
    InsufficientScope,
    /// Unknown volume id.
    #[error("The volume ID could not be found.")]
    VolumeNotFound,
    /// A value in the request body is invalid.
    #[error("{message}")]
    InvalidValue {
        /// The field, as a path in the body (`clientVersionRanges.cfiRange.startOffset`).
        field: String,
        /// Full message.
        message: String,
    },
    /// The write conflicts with the resource's current state (a stale version, a taken id).
    #[error("{0}")]
    Conflict(String),
    /// A per-user limit would be exceeded (an annotation layer's character budget).
    #[error("{0}")]
    LimitExceeded(String),
    /// No route for this path.
    #[error("The requested URL {0} was not found on this server.")]
    PathNotFound(String),
    /// A resource other than a volume is not there (a shelf, a user, a volume on a shelf, an
    /// annotation, a layer), or is not the caller's: the same answer.
    #[error("{0}")]
    NotFound(String),
    /// The caller may not do this to the resource (e.g. write to a shelf the service fills).
    #[error("{0}")]
    Forbidden(String),
    /// The path exists but not for this method.
    #[error("The requested method {method} is not allowed for this URL.")]
    MethodNotAllowed {
        /// The method used.
        method: String,
        /// The `Allow` header: the methods the path takes.
        allow: &'static str,
    },
    /// The request body is larger than allowed.
    #[error("The request is too large.")]
    PayloadTooLarge,
    /// An uploaded file is larger than the upload limit.
    #[error("The uploaded file is larger than the limit of {limit} bytes.")]
    UploadTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// Something failed inside; details are logged, not shown.
    #[error("Internal error encountered.")]
    Internal(String),
    /// The request took too long.
    #[error("Service temporarily unavailable.")]
    Unavailable,
    /// The key's or client's project has the Books API disabled (`oauth-behavior.md` §11.3
    /// row 6).
    #[error("Books API has not been used in project {number} before or it is disabled. Enable it by visiting {activation_url} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.")]
    AccessNotConfigured {
        /// Project number.
        number: i64,
        /// Where to enable it (the project's console page).
        activation_url: String,
    },
    /// The key's referrer restriction refused the request's `Referer` (row 7).
    #[error("Requests from referer {referrer} are blocked.")]
    ReferrerBlocked {
        /// The referrer, or `<empty>`.
        referrer: String,
        /// Project number.
        number: i64,
    },
    /// The key's IP restriction refused the client address (row 8; Google's wording for
    /// this case in its other APIs).
    #[error("The provided API key has an IP address restriction. The originating IP address of the call ({ip}) violates this restriction.")]
    IpBlocked {
        /// The client address.
        ip: String,
        /// Project number.
        number: i64,
    },
    /// The key and the token's client belong to different projects (row 11).
    #[error("The API Key and the authentication credential are from different projects.")]
    ProjectMismatch,
    /// A quota is used up (row 12): `limit` is Google's limit name, `Queries per day` or
    /// `Queries per minute per user`. Google's current front end answers both with 429
    /// `rateLimitExceeded`; the `ErrorInfo` metadata tells the two apart (`quota_limit`).
    /// With `legacy` (the server's `quota_errors = "legacy"`), the pre-2020 answers: 403
    /// `usageLimits` / `dailyLimitExceeded` or `userRateLimitExceeded`, which older clients
    /// look for.
    #[error("{}", quota_message(limit, *legacy, *number))]
    QuotaExceeded {
        /// Answer in the pre-2020 dialect.
        legacy: bool,
        /// Limit name.
        limit: &'static str,
        /// Google's quota-limit id (`defaultPerDayPerProject`, `defaultPerMinutePerUser`).
        limit_id: &'static str,
        /// The limit's value.
        value: i64,
        /// Project number.
        number: i64,
    },
}

/// One row of the table: HTTP status, canonical status, domain, reason, location.
struct Row {
    http: StatusCode,
    status: &'static str,
    domain: &'static str,
    reason: &'static str,
    location: Option<(String, &'static str)>,
    details: Option<&'static str>,
    /// `errors[0].message` when it differs from the top-level message (Google's legacy text).
    item_message: Option<&'static str>,
}

/// What a `WWW-Authenticate: Bearer` challenge says (RFC 6750 §3), written by the router's
/// `bearer_challenge` layer with the configured issuer as realm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerChallenge {
    /// No token: a challenge without `error`.
    Missing,
    /// `error="invalid_token"`.
    InvalidToken,
    /// `error="insufficient_scope"`, naming the Books scope.
    InsufficientScope,
}

impl BearerChallenge {
    /// The header value for `realm`.
    pub fn header(self, realm: &str) -> String {
        match self {
            Self::Missing => format!("Bearer realm=\"{realm}\""),
            Self::InvalidToken => format!("Bearer realm=\"{realm}\", error=\"invalid_token\""),
            Self::InsufficientScope => format!(
                "Bearer realm=\"{realm}\", error=\"insufficient_scope\", scope=\"{}\"",
                colophon_auth::BOOKS_SCOPE
            ),
        }
    }
}

impl ApiError {
    /// Shorthand for an invalid parameter value.
    pub fn invalid(param: &str, message: impl Into<String>) -> Self {
        Self::InvalidParameter {
            param: param.to_owned(),
            message: message.into(),
        }
    }

    fn row(&self) -> Row {
        use ApiError as E;
        let param = |p: &str| Some((p.to_owned(), "parameter"));
        let mut item_message = None;
        let (http, status, domain, reason, location, details) = match self {
            E::Required(p) => (
                StatusCode::BAD_REQUEST,
                "INVALID_ARGUMENT",
                "global",
                "required",
                param(p),
                None,
            ),
            E::QueryRequired => (
                StatusCode::BAD_REQUEST,
                "INVALID_ARGUMENT",
                "global",
                "queryRequired",
                param("q"),
                None,
            ),
            E::InvalidParameter { param: p, .. } => (
                StatusCode::BAD_REQUEST,
                "INVALID_ARGUMENT",
                "global",
                "invalid",
                param(p),
                None,
            ),
            E::InvalidFields(_) => (
                StatusCode::BAD_REQUEST,
                "INVALID_ARGUMENT",
                "global",
                "invalidParameter",
                param("fields"),
                None,
            ),
            E::KeyInvalid => (
                StatusCode::BAD_REQUEST,
                "INVALID_ARGUMENT",
                "global",
                "badRequest",
                None,
                Some("API_KEY_INVALID"),
            ),
            E::Unregistered => (
                StatusCode::FORBIDDEN,
                "PERMISSION_DENIED",
                "global",
                "forbidden",
                None,
                None,
            ),
            E::InvalidCredentials => {
                item_message = Some("Invalid Credentials");
                (
                    StatusCode::UNAUTHORIZED,
                    "UNAUTHENTICATED",
                    "global",
                    "authError",
                    Some(("Authorization".to_owned(), "header")),
                    None,
                )
            }
            E::LoginRequired => {
                item_message = Some("Login Required.");
                (
                    StatusCode::UNAUTHORIZED,
                    "UNAUTHENTICATED",
                    "global",
                    "required",
                    Some(("Authorization".to_owned(), "header")),
                    Some("CREDENTIALS_MISSING"),
                )
            }
            E::InsufficientScope => {
                item_message = Some("Insufficient Permission");
                (
                    StatusCode::FORBIDDEN,
                    "PERMISSION_DENIED",
                    "global",
                    "insufficientPermissions",
                    None,
                    Some("ACCESS_TOKEN_SCOPE_INSUFFICIENT"),
                )
            }
            E::VolumeNotFound => (
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "global",
                "notFound",
                None,
                None,
            ),
            E::NotFound(_) => (
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "global",
                "notFound",
                None,
                None,
            ),
            E::InvalidValue { field, .. } => (
                StatusCode::BAD_REQUEST,
                "INVALID_ARGUMENT",
                "global",
                "invalid",
                Some((field.clone(), "body")),
                None,
            ),
            E::Conflict(_) => (
                StatusCode::CONFLICT,
                "ABORTED",
                "global",
                "conflict",
                None,
                None,
            ),
            E::LimitExceeded(_) => (
                StatusCode::FORBIDDEN,
                "PERMISSION_DENIED",
                "global",
                "limitExceeded",
                None,
                None,
            ),
            E::Forbidden(_) => (
                StatusCode::FORBIDDEN,
                "PERMISSION_DENIED",
                "global",
                "forbidden",
                None,
                None,
            ),
            E::PathNotFound(_) => (
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "global",
                "notFound",
                None,
                None,
            ),
            E::MethodNotAllowed { .. } => (
                StatusCode::METHOD_NOT_ALLOWED,
                "UNIMPLEMENTED",
                "global",
                "httpMethodNotAllowed",
                None,
                None,
            ),
            E::PayloadTooLarge | E::UploadTooLarge { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "INVALID_ARGUMENT",
                "global",
                "uploadTooLarge",
                None,
                None,
            ),
            E::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "global",
                "backendError",
                None,
                None,
            ),
            E::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "UNAVAILABLE",
                "global",
                "backendFailed",
                None,
                None,
            ),
            E::AccessNotConfigured { .. } => (
                StatusCode::FORBIDDEN,
                "PERMISSION_DENIED",
                "usageLimits",
                "accessNotConfigured",
                None,
                Some("SERVICE_DISABLED"),
            ),
            E::ReferrerBlocked { .. } => (
                StatusCode::FORBIDDEN,
                "PERMISSION_DENIED",
                "global",
                "forbidden",
                None,
                Some("API_KEY_HTTP_REFERRER_BLOCKED"),
            ),
            E::IpBlocked { .. } => (
                StatusCode::FORBIDDEN,
                "PERMISSION_DENIED",
                "global",
                "forbidden",
                None,
                Some("API_KEY_IP_ADDRESS_BLOCKED"),
            ),
            E::ProjectMismatch => (
                StatusCode::BAD_REQUEST,
                "INVALID_ARGUMENT",
                "global",
                "badRequest",
                None,
                None,
            ),
            E::QuotaExceeded {
                legacy: true,
                limit_id,
                ..
            } => (
                StatusCode::FORBIDDEN,
                "PERMISSION_DENIED",
                "usageLimits",
                if *limit_id == DAILY_LIMIT_ID {
                    "dailyLimitExceeded"
                } else {
                    "userRateLimitExceeded"
                },
                None,
                Some("RATE_LIMIT_EXCEEDED"),
            ),
            E::QuotaExceeded { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "RESOURCE_EXHAUSTED",
                "global",
                "rateLimitExceeded",
                None,
                Some("RATE_LIMIT_EXCEEDED"),
            ),
        };
        Row {
            http,
            status,
            domain,
            reason,
            location,
            details,
            item_message,
        }
    }

    /// `ErrorInfo` metadata beyond `service`: the consumer project, and what Google adds
    /// for the console's errors.
    fn metadata(&self) -> Vec<(&'static str, String)> {
        let consumer = |n: &i64| ("consumer", format!("projects/{n}"));
        match self {
            ApiError::AccessNotConfigured {
                number,
                activation_url,
            } => vec![consumer(number), ("activationUrl", activation_url.clone())],
            ApiError::ReferrerBlocked { number, .. } | ApiError::IpBlocked { number, .. } => {
                vec![consumer(number)]
            }
            ApiError::QuotaExceeded {
                limit_id,
                value,
                number,
                ..
            } => vec![
                consumer(number),
                ("quota_metric", "books.googleapis.com/default".to_owned()),
                ("quota_limit", (*limit_id).to_owned()),
                ("quota_limit_value", value.to_string()),
            ],
            _ => Vec::new(),
        }
    }

    /// The `WWW-Authenticate` challenge this error carries, if any.
    pub fn bearer_challenge(&self) -> Option<BearerChallenge> {
        match self {
            ApiError::InvalidCredentials => Some(BearerChallenge::InvalidToken),
            ApiError::LoginRequired => Some(BearerChallenge::Missing),
            ApiError::InsufficientScope => Some(BearerChallenge::InsufficientScope),
            _ => None,
        }
    }

    /// The HTTP status of this error.
    pub fn status_code(&self) -> StatusCode {
        self.row().http
    }

    /// The error body.
    pub fn body(&self) -> ErrorResponse {
        let row = self.row();
        let message = self.to_string();
        let (location, location_type) = match row.location {
            Some((l, t)) => (Some(l), Some(t.to_owned())),
            None => (None, None),
        };
        let details = row
            .details
            .map(|reason| {
                let mut metadata = serde_json::Map::new();
                metadata.insert("service".into(), "books.googleapis.com".into());
                for (k, v) in self.metadata() {
                    metadata.insert(k.into(), v.into());
                }
                vec![ErrorDetail {
                    type_url: "type.googleapis.com/google.rpc.ErrorInfo".into(),
                    reason: reason.into(),
                    domain: "googleapis.com".into(),
                    metadata,
                }]
            })
            .unwrap_or_default();
        ErrorResponse {
            error: ErrorBody {
                code: row.http.as_u16(),
                message: message.clone(),
                errors: vec![ErrorItem {
                    message: row.item_message.map_or(message, str::to_owned),
                    domain: row.domain.into(),
                    reason: row.reason.into(),
                    location,
                    location_type,
                }],
                status: row.status.into(),
                details,
            },
        }
    }
}

/// Google's quota-limit id of the per-project daily quota.
pub const DAILY_LIMIT_ID: &str = "defaultPerDayPerProject";
/// Google's quota-limit id of the per-user minute quota.
pub const USER_MINUTE_LIMIT_ID: &str = "defaultPerMinutePerUser";

/// The message of a quota answer: today's wording, or the pre-2020 one.
fn quota_message(limit: &str, legacy: bool, number: i64) -> String {
    match (legacy, limit) {
        (true, "Queries per day") => "Daily Limit Exceeded".to_owned(),
        (true, _) => "User Rate Limit Exceeded".to_owned(),
        (false, _) => format!(
            "Quota exceeded for quota metric 'Queries' and limit '{limit}' of service \
             'books.googleapis.com' for consumer 'project_number:{number}'."
        ),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(error.detail = %detail, "internal error: {detail}");
        }
        let status = self.status_code();
        let error = self.body();
        let body = crate::response::json::to_google_json(&error, true).unwrap_or_else(|_| {
            br#"{"error":{"code":500,"message":"Internal error encountered."}}"#.to_vec()
        });
        let mut response = (status, body).into_response();
        // Kept so that a layer that knows the request (`prettyPrint=false`) can rewrite it.
        response.extensions_mut().insert(std::sync::Arc::new(error));
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Origin, X-Origin, Referer"),
        );
        if let Some(challenge) = self.bearer_challenge() {
            // The router's `bearer_challenge` layer rewrites this with the configured issuer.
            if let Ok(v) = HeaderValue::from_str(&challenge.header("https://accounts.google.com/"))
            {
                headers.insert(header::WWW_AUTHENTICATE, v);
            }
            response.extensions_mut().insert(challenge);
        }
        if let ApiError::MethodNotAllowed { allow, .. } = &self {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::VolumeNotFound => ApiError::VolumeNotFound,
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<colophon_domain::annotation::AnnotationError> for ApiError {
    fn from(e: colophon_domain::annotation::AnnotationError) -> Self {
        use colophon_domain::annotation::AnnotationError as A;
        match e {
            A::Required(field) => ApiError::InvalidValue {
                field: field.to_owned(),
                message: format!("Required field: {field}"),
            },
            A::Invalid { field, message } if field == "pageToken" => ApiError::InvalidParameter {
                param: field,
                message,
            },
            A::Invalid { field, message } => ApiError::InvalidValue { field, message },
        }
    }
}

impl From<colophon_service::AnnotationsError> for ApiError {
    fn from(e: colophon_service::AnnotationsError) -> Self {
        use colophon_service::AnnotationsError as A;
        match e {
            A::NotFound => ApiError::NotFound("The annotation could not be found.".into()),
            A::VolumeNotFound => ApiError::VolumeNotFound,
            A::Invalid(e) => e.into(),
            A::Conflict(m) => ApiError::Conflict(m),
            A::LimitExceeded {
                layer,
                allowed,
                remaining,
            } => ApiError::LimitExceeded(format!(
                "The annotation exceeds the character limit of layer {layer} for this volume \
                 ({allowed} characters; {remaining} remaining)."
            )),
            A::Store(e) => e.into(),
        }
    }
}

impl From<LibraryError> for ApiError {
    fn from(e: LibraryError) -> Self {
        use LibraryError as L;
        match e {
            L::UserNotFound => ApiError::NotFound("The user ID could not be found.".into()),
            L::ShelfNotFound => ApiError::NotFound("The bookshelf ID could not be found.".into()),
            L::VolumeNotFound => ApiError::VolumeNotFound,
            L::ReadOnlyShelf(s) => ApiError::Forbidden(format!(
                "Bookshelf {} ({}) is not user-editable: the service fills it.",
                s.id, s.title
            )),
            L::NotOnShelf(shelf) => {
                ApiError::NotFound(format!("The volume is not on bookshelf {shelf}."))
            }
            L::PositionOutOfRange { index, last } => ApiError::invalid(
                "volumePosition",
                format!("Invalid value '{index}'. Values must be within the range: [0, {last}]"),
            ),
            L::TimestampInFuture => ApiError::invalid(
                "timestamp",
                "The timestamp is more than a day in the future.",
            ),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<colophon_service::LicensingError> for ApiError {
    fn from(e: colophon_service::LicensingError) -> Self {
        use colophon_service::LicensingError as L;
        match e {
            L::VolumeNotFound => ApiError::VolumeNotFound,
            L::Settings(e) => ApiError::invalid("body", format!("Invalid settings: {e}.")),
            L::Catalog(e) => e.into(),
            L::Store(e) => e.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_required_matches_the_recorded_body() {
        let body = serde_json::to_value(ApiError::QueryRequired.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error": {
                "code": 400, "message": "Missing query.",
                "errors": [{"message": "Missing query.", "domain": "global", "reason": "queryRequired", "location": "q", "locationType": "parameter"}],
                "status": "INVALID_ARGUMENT"}})
        );
    }

    #[test]
    fn invalid_key_has_error_info() {
        let body = serde_json::to_value(ApiError::KeyInvalid.body()).unwrap();
        assert_eq!(body["error"]["details"][0]["reason"], "API_KEY_INVALID");
        assert_eq!(body["error"]["code"], 400);
    }

    #[test]
    fn internal_errors_are_opaque() {
        let e = ApiError::Internal("disk on fire at /secret/path".into());
        let text = serde_json::to_string(&e.body()).unwrap();
        assert!(!text.contains("secret"));
        assert_eq!(e.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
