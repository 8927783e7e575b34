//! API key restrictions: HTTP referrer patterns in Google's syntax, client IP addresses and
//! CIDR ranges, and how the client address of a request is determined.
//!
//! Referrer patterns (as Google's console documents them):
//! - `example.com/*` — any page of that host (no subdomains), any scheme;
//! - `*.example.com/*` — any page of any subdomain of `example.com` (not the apex itself:
//!   add `example.com/*` for it), so `example.com.evil/` never matches;
//! - `https://example.com/path/*` — a scheme given must match;
//! - `www.example.com:8000/*` — a port given must match (`:*` any port); without one only
//!   the scheme's default port matches;
//! - `www.example.com/path` — that exact path (a pattern without a path means `/`);
//! - `*` in the path matches any run of characters (query string included).
//!
//! A request without a `Referer` header (Google's `<empty>`) matches no pattern. The fragment
//! of a referrer is ignored. Hosts compare case-insensitively, paths exactly.

use std::net::IpAddr;

/// A referrer pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferrerPattern {
    raw: String,
    scheme: Option<String>,
    host: HostPattern,
    port: PortPattern,
    path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Any,
    Exact(String),
    /// `*.suffix`: the suffix without its dot.
    SubdomainsOf(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PortPattern {
    Default,
    Any,
    Exact(u16),
}

/// Why a restriction did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RestrictionError(String);

/// The parts of an absolute URL we match on.
struct UrlParts<'a> {
    scheme: String,
    host: String,
    port: Option<u16>,
    path: &'a str,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// Splits `host[:port]`; IPv6 literals keep their brackets.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']')?;
        let host = &authority[..end + 2];
        let after = &rest[end + 1..];
        return match after.strip_prefix(':') {
            Some(p) => Some((host, Some(p))),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match authority.rsplit_once(':') {
        Some((h, p)) => Some((h, Some(p))),
        None => Some((authority, None)),
    }
}

fn parse_url(url: &str) -> Option<UrlParts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return None;
    }
    let rest = rest.split('#').next().unwrap_or("");
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split);
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = split_host_port(authority)?;
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    Some(UrlParts {
        scheme,
        host: host.to_ascii_lowercase(),
        port,
        path,
    })
}

/// `*` matches any run of characters; everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

impl ReferrerPattern {
    /// Parses a pattern; `Err` says what is wrong with it.
    pub fn parse(raw: &str) -> Result<Self, RestrictionError> {
        let bad = |why: &str| RestrictionError(format!("Invalid referrer pattern {raw:?}: {why}."));
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.len() > 2048 {
            return Err(bad("it must be 1 to 2048 characters"));
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("it must not contain spaces"));
        }
        let (scheme, rest) = match trimmed.split_once("://") {
            Some(("*", rest)) => (None, rest),
            Some((s, rest)) => {
                let s = s.to_ascii_lowercase();
                if s.is_empty()
                    || !s
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
                {
                    return Err(bad("the scheme is not valid"));
                }
                (Some(s), rest)
            }
            None => (None, trimmed),
        };
        let split = rest.find('/').unwrap_or(rest.len());
        let (authority, path) = rest.split_at(split);
        let (host, port) =
            split_host_port(authority).ok_or_else(|| bad("the host is not valid"))?;
        let host = host.to_ascii_lowercase();
        let host = if host == "*" {
            HostPattern::Any
        } else if let Some(suffix) = host.strip_prefix("*.") {
            if suffix.is_empty() || suffix.contains('*') {
                return Err(bad("a wildcard host is `*.domain`"));
            }
            HostPattern::SubdomainsOf(suffix.to_owned())
        } else if host.is_empty() || host.contains('*') {
            return Err(bad("a wildcard host is `*.domain`"));
        } else {
            HostPattern::Exact(host)
        };
        let port = match port {
            None => PortPattern::Default,
            Some("*") => PortPattern::Any,
            Some(p) => PortPattern::Exact(p.parse().map_err(|_| bad("the port is not valid"))?),
        };
        Ok(Self {
            raw: trimmed.to_owned(),
            scheme,
            host,
            port,
            path: if path.is_empty() {
                "/".into()
            } else {
                path.to_owned()
            },
        })
    }

    /// The pattern as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether a `Referer` value matches.
    pub fn matches(&self, referrer: &str) -> bool {
        let Some(url) = parse_url(referrer.trim()) else {
            return false;
        };
        if self.scheme.as_ref().is_some_and(|s| *s != url.scheme) {
            return false;
        }
        let host_ok = match &self.host {
            HostPattern::Any => true,
            HostPattern::Exact(h) => *h == url.host,
            HostPattern::SubdomainsOf(suffix) => url
                .host
                .strip_suffix(suffix.as_str())
                .is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('.')),
        };
        if !host_ok {
            return false;
        }
        let port = url.port.or_else(|| default_port(&url.scheme));
        let port_ok = match self.port {
            PortPattern::Any => true,
            PortPattern::Exact(p) => port == Some(p),
            PortPattern::Default => url.port.is_none() || port == default_port(&url.scheme),
        };
        let path = if url.path.is_empty() || url.path.starts_with('?') {
            format!("/{}", url.path)
        } else {
            url.path.to_owned()
        };
        port_ok && glob(&self.path, &path)
    }
}

/// An IP address or CIDR range (IPv4 or IPv6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

/// IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) compare as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

impl IpRange {
    /// Parses `192.0.2.7`, `192.0.2.0/24`, `2001:db8::1` or `2001:db8::/32`.
    pub fn parse(raw: &str) -> Result<Self, RestrictionError> {
        let bad = || {
            RestrictionError(format!(
                "Invalid IP address or range {raw:?}: use an address such as 192.0.2.7 or 2001:db8::1, or a CIDR range such as 192.0.2.0/24."
            ))
        };
        let trimmed = raw.trim();
        let (addr, prefix) = match trimmed.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (trimmed, None),
        };
        let network = canonical(addr.parse::<IpAddr>().map_err(|_| bad())?);
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        let range = Self { network, prefix };
        Ok(Self {
            network: range.masked(network),
            prefix,
        })
    }

    fn masked(&self, ip: IpAddr) -> IpAddr {
        match ip {
            IpAddr::V4(v4) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                IpAddr::V4((u32::from(v4) & mask).into())
            }
            IpAddr::V6(v6) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                IpAddr::V6((u128::from(v6) & mask).into())
            }
        }
    }

    /// Whether `ip` is in the range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        ip.is_ipv4() == self.network.is_ipv4() && self.masked(ip) == self.network
    }
}

impl std::fmt::Display for IpRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// The client address of a request: the peer, unless the peer is a trusted proxy, in which
/// case `X-Forwarded-For` is read from the right, skipping trusted proxies, and the first
/// address not trusted is the client. Without trusted proxies the header is ignored (anyone
/// can write it). A malformed entry stops the walk at the last trusted hop.
pub fn client_ip(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpRange]) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|r| r.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut client = peer;
    let hops = forwarded_for
        .iter()
        .rev()
        .flat_map(|h| h.rsplit(','))
        .map(str::trim)
        .filter(|h| !h.is_empty());
    for hop in hops {
        let Ok(ip) = hop.parse::<IpAddr>().map(canonical) else {
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ReferrerPattern {
        ReferrerPattern::parse(s).unwrap()
    }

    #[test]
    fn subdomain_wildcards() {
        let pat = p("*.example.org/*");
        assert!(pat.matches("https://a.example.org/x"));
        assert!(pat.matches("http://a.b.example.org/x/y?q=1"));
        assert!(!pat.matches("https://example.org.evil/x"));
        assert!(!pat.matches("https://evilexample.org/x"));
        assert!(!pat.matches("https://example.org/x"));
        assert!(!pat.matches(""));
        assert!(!pat.matches("not a url"));
    }

    #[test]
    fn schemes_paths_and_ports() {
        let pat = p("https://example.com/path/*");
        assert!(pat.matches("https://example.com/path/a"));
        assert!(pat.matches("https://EXAMPLE.com:443/path/"));
        assert!(!pat.matches("http://example.com/path/a"));
        assert!(!pat.matches("https://example.com/other"));
        assert!(!pat.matches("https://example.com:8443/path/a"));
        let exact = p("www.example.com/page");
        assert!(exact.matches("http://www.example.com/page#frag"));
        assert!(!exact.matches("http://www.example.com/page2"));
        let bare = p("example.com");
        assert!(bare.matches("https://example.com"));
        assert!(bare.matches("https://example.com/"));
        assert!(!bare.matches("https://example.com/a"));
        let port = p("localhost:8000/*");
        assert!(port.matches("http://localhost:8000/a"));
        assert!(!port.matches("http://localhost:8001/a"));
        assert!(!port.matches("http://localhost/a"));
        assert!(p("127.0.0.1:*/*").matches("http://127.0.0.1:41234/page.html"));
        assert!(p("*").matches("https://anything.test/"));
    }

    #[test]
    fn bad_patterns_are_rejected() {
        for bad in [
            "",
            "exa*mple.com/*",
            "*.",
            "ex ample.com",
            "example.com:port/*",
            "*.*.a/",
        ] {
            assert!(ReferrerPattern::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn cidr_boundaries() {
        let r = IpRange::parse("192.0.2.64/26").unwrap();
        assert!(r.contains("192.0.2.64".parse().unwrap()));
        assert!(r.contains("192.0.2.127".parse().unwrap()));
        assert!(!r.contains("192.0.2.63".parse().unwrap()));
        assert!(!r.contains("192.0.2.128".parse().unwrap()));
        assert!(r.contains("::ffff:192.0.2.100".parse().unwrap()));
        let v6 = IpRange::parse("2001:db8:abcd::/48").unwrap();
        assert!(v6.contains("2001:db8:abcd:ffff::1".parse().unwrap()));
        assert!(!v6.contains("2001:db8:abce::".parse().unwrap()));
        assert!(!v6.contains("192.0.2.1".parse().unwrap()));
        let one = IpRange::parse("203.0.113.9").unwrap();
        assert!(one.contains("203.0.113.9".parse().unwrap()));
        assert!(!one.contains("203.0.113.10".parse().unwrap()));
        assert_eq!(
            IpRange::parse("10.1.2.3/8").unwrap().to_string(),
            "10.0.0.0/8"
        );
        assert!(IpRange::parse("::/0")
            .unwrap()
            .contains("::1".parse().unwrap()));
        for bad in ["10.0.0.0/33", "::/129", "300.1.1.1", "10.0.0.0/", "x"] {
            assert!(IpRange::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let trusted = [IpRange::parse("10.0.0.0/8").unwrap()];
        let peer: IpAddr = "10.0.0.5".parse().unwrap();
        let xff = ["198.51.100.7, 10.0.0.9"];
        assert_eq!(
            client_ip(peer, &xff, &trusted),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // A client's own (spoofed) entry further left is not believed.
        let xff = ["1.2.3.4, 198.51.100.7"];
        assert_eq!(
            client_ip(peer, &xff, &trusted),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // Untrusted peer: header ignored.
        let outsider: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(client_ip(outsider, &xff, &trusted), outsider);
        assert_eq!(client_ip(peer, &[], &trusted), peer);
        assert_eq!(client_ip(peer, &["garbage"], &trusted), peer);
    }
}
