//! Writing successful responses the way Google does.
//!
//! JSON with `<`/`>` escaped and whole floats without `.0` (`json`), pretty by default,
//! pruned by `fields`, wrapped for JSONP `callback`, with an `ETag` over the body and
//! `304 Not Modified` when `If-None-Match` matches it.

pub mod fields;
pub mod json;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::request::OutputOptions;
use crate::ApiError;

/// Serialises `value` as the response of a successful call.
pub fn respond<T: Serialize>(output: &OutputOptions, value: &T) -> Result<Response, ApiError> {
    let body = match &output.fields {
        None => json::to_google_json(value, output.pretty),
        Some(mask) => {
            let mut v =
                serde_json::to_value(value).map_err(|e| ApiError::Internal(e.to_string()))?;
            mask.apply(&mut v);
            json::to_google_json(&v, output.pretty)
        }
    }
    .map_err(|e| ApiError::Internal(format!("serialising a response: {e}")))?;
    let (body, content_type) = match &output.callback {
        None => (body, "application/json; charset=UTF-8"),
        Some(cb) => (
            json::jsonp(cb, &body)
                .ok_or_else(|| ApiError::Internal("callback validated earlier".into()))?,
            "text/javascript; charset=UTF-8",
        ),
    };
    let etag = format!(
        "\"{}\"",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(&Sha256::digest(&body)[..16])
    );
    let not_modified = output.if_none_match.as_deref().is_some_and(|inm| {
        inm.trim() == "*"
            || inm
                .split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
    });
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, body).into_response()
    };
    let headers = response.headers_mut();
    if !not_modified {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Origin, X-Origin, Referer"),
    );
    Ok(response)
}
