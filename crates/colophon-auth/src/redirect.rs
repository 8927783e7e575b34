//! Redirect URIs: what may be registered, and which presented URI matches a client.
//!
//! Web clients match by **exact string comparison** with a registered URI (scheme, host case,
//! port, path, trailing slash and query all count). Installed (desktop) clients may also use
//! any loopback URI (`http://127.0.0.1`, `http://[::1]` or `http://localhost`, any port, any
//! path, RFC 8252 §7.3), with or without a trailing slash, because google-auth-oauthlib and
//! yup-oauth2 differ there. Out-of-band (`urn:ietf:wg:oauth:2.0:oob`) is refused for everyone.

use url::Url;

/// Why a URI cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectUriError {
    /// Not an absolute URI.
    #[error("not an absolute URI")]
    NotAbsolute,
    /// A fragment is not allowed (RFC 6749 §3.1.2).
    #[error("a redirect URI must not contain a fragment")]
    Fragment,
    /// Userinfo (`https://good@evil/`) is not allowed.
    #[error("a redirect URI must not contain user information")]
    Userinfo,
    /// Only `https`, or `http` to a loopback host.
    #[error("the scheme must be https (http only for localhost and loopback addresses)")]
    Scheme,
}

/// Checks a URI an operator wants to register for a web client.
pub fn validate_registration(raw: &str) -> Result<(), RedirectUriError> {
    if raw.contains('#') {
        return Err(RedirectUriError::Fragment);
    }
    let url = Url::parse(raw).map_err(|_| RedirectUriError::NotAbsolute)?;
    if !url.username().is_empty() || url.password().is_some() || raw_has_userinfo(raw) {
        return Err(RedirectUriError::Userinfo);
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if is_loopback_url(&url) => Ok(()),
        _ => Err(RedirectUriError::Scheme),
    }
}

/// Whether the authority part of `raw` has an `@` (some parsers drop empty userinfo).
fn raw_has_userinfo(raw: &str) -> bool {
    let Some((_, rest)) = raw.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.contains('@')
}

fn is_loopback_url(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Whether `raw` is a loopback redirect a desktop client may use: `http`, host exactly
/// `127.0.0.1`, `[::1]` or `localhost` as written, any port, no userinfo, no fragment.
pub fn is_loopback_redirect(raw: &str) -> bool {
    let Some(rest) = raw.strip_prefix("http://") else {
        return false;
    };
    if raw.contains('#') {
        return false;
    }
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if authority.contains('@') {
        return false;
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some(("::1", port)) => {
                if !(port.is_empty() || valid_port(port.strip_prefix(':'))) {
                    return false;
                }
                return Url::parse(raw).is_ok();
            }
            _ => return false,
        }
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        if port.is_some() && !valid_port(port) {
            return false;
        }
        host
    };
    (host == "127.0.0.1" || host == "localhost") && Url::parse(raw).is_ok()
}

fn valid_port(p: Option<&str>) -> bool {
    p.is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
        && p.and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|n| (1..=65535).contains(&n))
}

/// Whether `presented` is acceptable for a client with these registered URIs.
pub fn matches(registered: &[String], presented: &str, loopback_allowed: bool) -> bool {
    if presented.starts_with("urn:ietf:wg:oauth:2.0:oob") {
        return false;
    }
    if registered
        .iter()
        .any(|r| crate::secret::ct_eq(r, presented))
    {
        return true;
    }
    loopback_allowed && is_loopback_redirect(presented)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SEC-01: a web client's registered URI against near misses.
    #[test]
    fn web_clients_match_exactly() {
        let reg = vec!["https://app.example/cb".to_owned()];
        assert!(matches(&reg, "https://app.example/cb", false));
        for bad in [
            "https://app.example/cb/",
            "https://app.example/CB",
            "HTTPS://app.example/cb",
            "https://app.example/cb?x=1",
            "https://app.example:8443/cb",
            "https://app.example/cb/../cb",
            "https://app.example/cb/%2e%2e/",
            "https://app.example/cb%2F..",
            "https://app.example@evil/cb",
            "https://app.example/cb#f",
            "http://app.example/cb",
            "https://APP.example/cb",
            "",
        ] {
            assert!(!matches(&reg, bad, false), "{bad} must not match");
        }
    }

    /// SEC-03: loopback rules for desktop clients only.
    #[test]
    fn loopback_rules() {
        for good in [
            "http://127.0.0.1:1",
            "http://127.0.0.1:65535/any/path",
            "http://[::1]:5000/",
            "http://localhost:8080/",
            "http://localhost:8080",
            "http://localhost/",
            "http://127.0.0.1:43123/?x=y",
        ] {
            assert!(is_loopback_redirect(good), "{good} is loopback");
            assert!(matches(&[], good, true), "{good}");
            assert!(!matches(&[], good, false), "{good} not for web clients");
        }
        for bad in [
            "http://localhost.evil.example/",
            "http://127.0.0.1.nip.io/",
            "http://localhosts/",
            "https://127.0.0.1/",
            "http://127.0.0.1:0/",
            "http://127.0.0.1:65536/",
            "http://127.0.0.1:80a/",
            "http://evil@127.0.0.1:80/",
            "http://127.0.0.1@evil.example/",
            "http://127.0.0.1:5000/#frag",
            "http://[::2]:5000/",
            "http://LOCALHOST:5000/",
            "urn:ietf:wg:oauth:2.0:oob",
            "javascript:alert(1)",
        ] {
            assert!(
                !is_loopback_redirect(bad),
                "{bad} is not an allowed loopback"
            );
            assert!(!matches(&[], bad, true), "{bad}");
        }
        let reg = vec!["http://127.0.0.1:5000/cb".to_owned()];
        assert!(matches(&reg, "http://127.0.0.1:5000/cb", false));
        assert!(!matches(&reg, "http://127.0.0.1:5001/cb", false));
        assert!(!matches(
            &["urn:ietf:wg:oauth:2.0:oob".to_owned()],
            "urn:ietf:wg:oauth:2.0:oob",
            true
        ));
    }

    #[test]
    fn registration_refuses_dangerous_uris() {
        assert_eq!(validate_registration("https://app.example/cb"), Ok(()));
        assert_eq!(validate_registration("http://localhost:8080/cb"), Ok(()));
        assert_eq!(validate_registration("http://127.0.0.1/cb"), Ok(()));
        assert_eq!(
            validate_registration("https://app.example/cb#x"),
            Err(RedirectUriError::Fragment)
        );
        assert_eq!(
            validate_registration("https://good@evil.example/"),
            Err(RedirectUriError::Userinfo)
        );
        for bad in [
            "http://app.example/cb",
            "javascript:alert(1)",
            "data:text/html,hi",
            "file:///etc/passwd",
            "ftp://app.example/",
        ] {
            assert_eq!(
                validate_registration(bad),
                Err(RedirectUriError::Scheme),
                "{bad}"
            );
        }
        assert_eq!(
            validate_registration("/relative"),
            Err(RedirectUriError::NotAbsolute)
        );
    }
}
