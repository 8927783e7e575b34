//! Sending stored bytes with validators and byte ranges: `ETag`, `If-None-Match` -> 304,
//! `Range` -> 206 (one range; several are answered with the whole body, as RFC 9110 allows),
//! an unsatisfiable range -> 416 with `Content-Range: bytes */LEN`, and `If-Range`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// What to send.
pub struct Entity {
    /// The whole body.
    pub bytes: Arc<Vec<u8>>,
    /// `Content-Type`.
    pub media_type: &'static str,
    /// Strong entity tag, quoted.
    pub etag: String,
    /// `Cache-Control`.
    pub cache_control: &'static str,
    /// `Content-Disposition`, if any.
    pub disposition: Option<String>,
}

/// Whether an `If-None-Match` value matches `etag` (weak comparison, `*`, lists).
pub fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

/// A parsed single byte range, inclusive.
#[derive(Debug, PartialEq, Eq)]
pub enum RangeAsk {
    /// No (usable) range: send everything.
    Whole,
    /// Bytes `start..=end`.
    Part(u64, u64),
    /// Cannot be satisfied.
    Unsatisfiable,
}

/// Parses `Range: bytes=...` against a body of `len` bytes.
pub fn parse_range(value: &str, len: u64) -> RangeAsk {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeAsk::Whole;
    };
    if spec.contains(',') {
        return RangeAsk::Whole;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeAsk::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    let num = |s: &str| {
        s.parse::<u64>()
            .ok()
            .filter(|_| s.bytes().all(|c| c.is_ascii_digit()))
    };
    if a.is_empty() {
        // Suffix: the last N bytes.
        return match num(b) {
            Some(0) => RangeAsk::Unsatisfiable,
            Some(_) if len == 0 => RangeAsk::Unsatisfiable,
            Some(n) => RangeAsk::Part(len.saturating_sub(n), len - 1),
            None => RangeAsk::Whole,
        };
    }
    let Some(start) = num(a) else {
        return RangeAsk::Whole;
    };
    let end = if b.is_empty() {
        None
    } else {
        match num(b) {
            Some(e) if e >= start => Some(e),
            _ => return RangeAsk::Whole,
        }
    };
    if start >= len {
        return RangeAsk::Unsatisfiable;
    }
    RangeAsk::Part(start, end.map_or(len - 1, |e| e.min(len - 1)))
}

/// Answers a GET or HEAD for `entity` under the request's conditional and range headers.
pub fn send(headers: &HeaderMap, entity: Entity) -> Response {
    let len = entity.bytes.len() as u64;
    let mut common = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&entity.etag) {
        common.insert(header::ETAG, v);
    }
    common.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(entity.cache_control),
    );
    common.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    common.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if none_match(headers, &entity.etag) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    common.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(entity.media_type),
    );
    if let Some(d) = entity
        .disposition
        .as_deref()
        .and_then(|d| HeaderValue::from_str(d).ok())
    {
        common.insert(header::CONTENT_DISPOSITION, d);
    }
    let if_range_ok = headers
        .get(header::IF_RANGE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.trim() == entity.etag);
    let ask = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        Some(r) if if_range_ok => parse_range(r, len),
        _ => RangeAsk::Whole,
    };
    match ask {
        RangeAsk::Whole => {
            let body = Body::from(entity.bytes.as_ref().clone());
            (StatusCode::OK, common, body).into_response()
        }
        RangeAsk::Part(start, end) => {
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
                common.insert(header::CONTENT_RANGE, v);
            }
            let slice = entity.bytes[start as usize..=end as usize].to_vec();
            (StatusCode::PARTIAL_CONTENT, common, Body::from(slice)).into_response()
        }
        RangeAsk::Unsatisfiable => {
            common.remove(header::CONTENT_TYPE);
            common.remove(header::CONTENT_DISPOSITION);
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                common.insert(header::CONTENT_RANGE, v);
            }
            (StatusCode::RANGE_NOT_SATISFIABLE, common).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), RangeAsk::Part(0, 9));
        assert_eq!(parse_range("bytes=90-", 100), RangeAsk::Part(90, 99));
        assert_eq!(parse_range("bytes=90-500", 100), RangeAsk::Part(90, 99));
        assert_eq!(parse_range("bytes=-10", 100), RangeAsk::Part(90, 99));
        assert_eq!(parse_range("bytes=-500", 100), RangeAsk::Part(0, 99));
        assert_eq!(parse_range("bytes=100-", 100), RangeAsk::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), RangeAsk::Unsatisfiable);
        assert_eq!(parse_range("bytes=5-1", 100), RangeAsk::Whole);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), RangeAsk::Whole);
        assert_eq!(parse_range("items=0-1", 100), RangeAsk::Whole);
        assert_eq!(parse_range("bytes=+1-2", 100), RangeAsk::Whole);
    }
}
