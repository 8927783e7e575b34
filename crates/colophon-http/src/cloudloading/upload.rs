//! `POST /upload/books/v1/cloudloading/addBook`: Google's upload protocols for `addBook`.
//!
//! - `uploadType=media`: the body is the file; its `Content-Type` (or `mime_type=`) declares
//!   it, `name=` names it.
//! - `uploadType=multipart`: a `multipart/related` body of two parts, a JSON metadata part
//!   (`name`, `title`, `author`, `mimeType`, all optional) and the file.
//! - `uploadType=resumable`: the `POST` (optional JSON metadata body, `X-Upload-Content-Type`,
//!   `X-Upload-Content-Length`) answers 200 with a `Location` to `PUT` the bytes to, whole or
//!   in chunks (`Content-Range: bytes a-b/total`); a chunk short of the end, or a status query
//!   (`bytes */total`), answers 308 with `Range: bytes=0-n`; the last byte answers like
//!   `media`. Sessions are this node's (see `colophon_service::uploads_resumable`).
//!
//! The body is read frame by frame and refused as soon as it passes the upload limit (413
//! `uploadTooLarge`), and a declared `Content-Length` over it is refused before any byte is
//! read: no body is held beyond the limit.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse as _;
use axum::response::Response;
use colophon_service::uploads_resumable::{ChunkRange, Progress, ResumableError, SessionMeta};
use http_body_util::BodyExt as _;
use serde::Deserialize;

use super::multipart;
use super::resource;
use crate::request::UserRequest;
use crate::response::respond;
use crate::{ApiError, AppState};

/// What the body of an upload path may add to the file (multipart headers and metadata).
pub const ENVELOPE_BYTES: u64 = 64 << 10;

/// The metadata part of a multipart upload.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    name: Option<String>,
    title: Option<String>,
    author: Option<String>,
    mime_type: Option<String>,
}

/// Reads a body of at most `limit` bytes; past it, [`ApiError::UploadTooLarge`] naming
/// `file_limit`.
pub async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limit: u64,
    file_limit: u64,
) -> Result<Vec<u8>, ApiError> {
    let too_large = || ApiError::UploadTooLarge { limit: file_limit };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut out = Vec::with_capacity(declared.unwrap_or(0).min(limit) as usize);
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            if is_length_limit(&*e.into_inner()) {
                too_large()
            } else {
                ApiError::InvalidValue {
                    field: "media".into(),
                    message: "The upload was interrupted before the whole file arrived.".into(),
                }
            }
        })?;
        if let Ok(data) = frame.into_data() {
            if (out.len() + data.len()) as u64 > limit {
                return Err(too_large());
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

fn is_length_limit(e: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    e.is::<http_body_util::LengthLimitError>()
        || e.source()
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

/// The upload endpoint.
pub async fn add_book(
    State(state): State<AppState>,
    req: UserRequest,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let p = &req.request.params;
    let file_limit = state.uploads.limits().max_file_bytes;
    let user = &req.user.user_id;
    let upload = match p.non_empty("uploadType") {
        Some("media") => {
            let declared = p.non_empty("mime_type").or_else(|| content_type(&headers));
            let name = p.non_empty("name").unwrap_or("");
            let bytes = read_body(body, &headers, file_limit, file_limit).await?;
            state.uploads.add(user, name, declared, bytes).await?
        }
        Some("multipart") => {
            let boundary = content_type(&headers)
                .and_then(|ct| multipart::boundary(ct, &["multipart/related"]))
                .ok_or_else(|| {
                    ApiError::invalid(
                        "uploadType",
                        "uploadType=multipart needs a multipart/related body with a boundary \
                         (a JSON metadata part, then the file).",
                    )
                })?;
            let bytes = read_body(body, &headers, file_limit + ENVELOPE_BYTES, file_limit).await?;
            let (meta, declared, range) = split_related(&bytes, &boundary)?;
            let file = multipart::keep_only(bytes, range);
            let name = meta.name.as_deref().unwrap_or("");
            let declared = meta.mime_type.as_deref().or(declared.as_deref());
            let upload = state.uploads.add(user, name, declared, file).await?;
            if meta.title.is_some() || meta.author.is_some() {
                state
                    .uploads
                    .update(
                        user,
                        upload.volume_id.as_str(),
                        meta.title.as_deref(),
                        meta.author.as_deref(),
                    )
                    .await?
            } else {
                upload
            }
        }
        Some("resumable") => {
            return start_resumable(&state, &req, &headers, body, file_limit).await;
        }
        Some(other) => {
            return Err(ApiError::invalid(
                "uploadType",
                format!(
                    "Invalid value '{other}' for uploadType. Allowed values: media, multipart."
                ),
            ))
        }
        None => return Err(ApiError::Required("uploadType")),
    };
    respond(&req.request.output, &resource(&upload))
}

/// The metadata and the file of a `multipart/related` upload.
fn split_related(
    body: &[u8],
    boundary: &str,
) -> Result<(Metadata, Option<String>, std::ops::Range<usize>), ApiError> {
    let bad = |message: String| ApiError::InvalidValue {
        field: "media".into(),
        message,
    };
    let parts = multipart::parse(body, boundary)
        .map_err(|e| bad(format!("Malformed multipart body: {e}.")))?;
    let [meta, file] = parts.as_slice() else {
        return Err(bad(format!(
            "A multipart upload has two parts (JSON metadata, then the file), not {}.",
            parts.len()
        )));
    };
    let is_json = meta
        .header("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/json"));
    if !is_json {
        return Err(bad("The first part of a multipart upload is the JSON metadata (Content-Type: application/json).".into()));
    }
    let metadata: Metadata = if meta.body.iter().all(u8::is_ascii_whitespace) {
        Metadata::default()
    } else {
        serde_json::from_slice(meta.body)
            .map_err(|e| bad(format!("Invalid JSON in the metadata part: {e}")))?
    };
    Ok((
        metadata,
        file.header("content-type").map(str::to_owned),
        multipart::range_of(body, file.body),
    ))
}

/// `POST …?uploadType=resumable`: opens a session and answers its `Location`.
async fn start_resumable(
    state: &AppState,
    req: &UserRequest,
    headers: &HeaderMap,
    body: Body,
    file_limit: u64,
) -> Result<Response, ApiError> {
    let raw = read_body(body, headers, ENVELOPE_BYTES, file_limit).await?;
    let meta: Metadata = if raw.iter().all(u8::is_ascii_whitespace) {
        Metadata::default()
    } else {
        serde_json::from_slice(&raw).map_err(|e| ApiError::InvalidValue {
            field: "body".into(),
            message: format!("Invalid JSON in the upload's metadata: {e}"),
        })?
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let total = match header("x-upload-content-length") {
        None => None,
        Some(v) => Some(v.parse::<u64>().map_err(|_| {
            ApiError::invalid(
                "X-Upload-Content-Length",
                format!("Invalid X-Upload-Content-Length: {v}"),
            )
        })?),
    };
    let p = &req.request.params;
    let session = SessionMeta {
        user_id: req.user.user_id.clone(),
        name: meta
            .name
            .or_else(|| p.non_empty("name").map(str::to_owned))
            .unwrap_or_default(),
        declared: meta
            .mime_type
            .or_else(|| header("x-upload-content-type").map(str::to_owned)),
        title: meta.title,
        author: meta.author,
    };
    let id = state
        .uploads
        .resumable()
        .start(session, total, file_limit)?;
    let location = format!(
        "{}{}?uploadType=resumable&upload_id={id}",
        state.config.public_url,
        super::UPLOAD_PATH
    );
    let mut response = StatusCode::OK.into_response();
    response.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&location).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(response)
}

/// `PUT …?upload_id=…`: bytes of a resumable upload (the session id is the credential, as in
/// Google's protocol; the session belongs to the user who started it).
pub async fn put_chunk(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let params = crate::params::QueryParams::parse(query.as_deref());
    let id = params
        .non_empty("upload_id")
        .ok_or(ApiError::Required("upload_id"))?
        .to_owned();
    let file_limit = state.uploads.limits().max_file_bytes;
    let range = match headers
        .get(header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
    {
        None => None,
        Some(v) => Some(ChunkRange::parse(v).ok_or_else(|| {
            ApiError::invalid("Content-Range", format!("Invalid Content-Range: {v}"))
        })?),
    };
    let data = read_body(body, &headers, file_limit, file_limit).await?;
    let progress = state
        .uploads
        .resumable()
        .put(&id, range, &data, file_limit)
        .map_err(|e| match e {
            ResumableError::NoSession => ApiError::NotFound(e.to_string()),
            ResumableError::BadRange(m) => ApiError::invalid("Content-Range", m),
            ResumableError::Upload(e) => e.into(),
        })?;
    drop(data);
    match progress {
        Progress::Incomplete { received } => {
            let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
            if received > 0 {
                let value = format!("bytes=0-{}", received - 1);
                if let Ok(v) = HeaderValue::from_str(&value) {
                    response.headers_mut().insert(header::RANGE, v);
                }
            }
            Ok(response)
        }
        Progress::Complete { meta, bytes } => {
            let uploads = &state.uploads;
            let mut upload = uploads
                .add(&meta.user_id, &meta.name, meta.declared.as_deref(), bytes)
                .await?;
            if meta.title.is_some() || meta.author.is_some() {
                upload = uploads
                    .update(
                        &meta.user_id,
                        upload.volume_id.as_str(),
                        meta.title.as_deref(),
                        meta.author.as_deref(),
                    )
                    .await?;
            }
            let output = crate::request::OutputOptions {
                pretty: params.bool_or("prettyPrint", true)?,
                ..Default::default()
            };
            respond(&output, &resource(&upload))
        }
    }
}
