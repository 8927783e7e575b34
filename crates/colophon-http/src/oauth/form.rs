//! Request bodies of the OAuth endpoints and pages: `application/x-www-form-urlencoded`
//! only, decoded into ordered pairs (repeats kept, so that they can be refused); HTTP Basic
//! client credentials.

use axum::http::{header, HeaderMap};
use base64::Engine as _;
use colophon_auth::ClientCredentials;

/// Whether the request declares a form body.
pub fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| {
            t.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// Decodes a form or query string into pairs, in order.
pub fn pairs(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The first value of `name`.
pub fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Client credentials from an `Authorization: Basic` header. RFC 6749 §2.3.1 form-encodes id
/// and secret before base64; requests-oauthlib sends them raw. Percent-decoding accepts both,
/// since client ids and secrets use only URL-safe characters.
pub fn client_credentials(headers: &HeaderMap) -> ClientCredentials {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return ClientCredentials::default();
    };
    let parsed = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, b64)| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
        })
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|text| {
            let (id, secret) = text.split_once(':')?;
            Some((percent_decode(id)?, percent_decode(secret)?))
        });
    match parsed {
        Some(basic) => ClientCredentials {
            basic: Some(basic),
            malformed_basic: false,
        },
        None => ClientCredentials {
            basic: None,
            malformed_basic: true,
        },
    }
}

/// Percent-decodes (`+` stays `+`), refusing invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn basic_credentials_raw_or_encoded() {
        let mut h = HeaderMap::new();
        let enc = base64::engine::general_purpose::STANDARD.encode("my%2Did:s%3Acret");
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {enc}")).unwrap(),
        );
        assert_eq!(
            client_credentials(&h).basic,
            Some(("my-id".into(), "s:cret".into()))
        );
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic !!!"));
        assert!(client_credentials(&h).malformed_basic);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer x"));
        assert!(client_credentials(&h).malformed_basic);
        assert_eq!(
            client_credentials(&HeaderMap::new()),
            ClientCredentials::default()
        );
    }
}
