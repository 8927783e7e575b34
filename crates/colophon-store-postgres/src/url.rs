//! Small surgery on `postgres://` URLs: hiding the password, swapping the database name.

/// Where each part of `scheme://authority/path?query#fragment` lies.
struct Parts<'a> {
    /// `scheme://`.
    prefix: &'a str,
    /// `user:password@host:port`.
    authority: &'a str,
    /// `/db`, possibly empty.
    path: &'a str,
    /// `?query#fragment`, possibly empty.
    rest: &'a str,
}

fn split(url: &str) -> Option<Parts<'_>> {
    let after_scheme = url.find("://")? + 3;
    let (prefix, tail) = url.split_at(after_scheme);
    let authority_end = tail.find(['/', '?', '#']).unwrap_or(tail.len());
    let (authority, tail) = tail.split_at(authority_end);
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    let (path, rest) = tail.split_at(path_end);
    Some(Parts {
        prefix,
        authority,
        path,
        rest,
    })
}

/// `url` with its password, if any, replaced by `***`, both in the user-info part and in a
/// `password=` query parameter; safe to log and to put in error messages.
pub fn redact_url(url: &str) -> String {
    let Some(p) = split(url) else {
        // Not a URL we understand: show nothing of it that could be a secret.
        return if url.contains('@') || url.contains("password") {
            "<unparsable database URL>".to_owned()
        } else {
            url.to_owned()
        };
    };
    let authority = match p.authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => p.authority.to_owned(),
        },
        None => p.authority.to_owned(),
    };
    let rest = redact_query_password(p.rest);
    format!("{}{authority}{}{rest}", p.prefix, p.path)
}

/// Replaces the value of every `password=` parameter in `?query#fragment`.
fn redact_query_password(rest: &str) -> String {
    let Some(query) = rest.strip_prefix('?') else {
        return rest.to_owned();
    };
    let (query, fragment) = match query.find('#') {
        Some(i) => query.split_at(i),
        None => (query, ""),
    };
    let params: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => kv.to_owned(),
        })
        .collect();
    format!("?{}{fragment}", params.join("&"))
}

/// `url` pointing at database `name` instead of its own; `None` when `url` is not a URL.
pub(crate) fn with_database(url: &str, name: &str) -> Option<String> {
    let p = split(url)?;
    Some(format!("{}{}/{name}{}", p.prefix, p.authority, p.rest))
}

/// The database named in `url`'s path, if any.
pub(crate) fn database_of(url: &str) -> Option<&str> {
    let name = split(url)?.path.strip_prefix('/')?;
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://colophon:s3cr:et@db.example:5432/books?sslmode=require"),
            "postgres://colophon:***@db.example:5432/books?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1:5432/postgres"),
            "postgres://postgres@127.0.0.1:5432/postgres"
        );
        assert_eq!(
            redact_url("postgresql://u@h/db?user=u&password=hunter2&sslmode=disable#x"),
            "postgresql://u@h/db?user=u&password=***&sslmode=disable#x"
        );
        assert_eq!(redact_url("postgres://u:p@h"), "postgres://u:***@h");
        assert_eq!(redact_url("u:p@h/db"), "<unparsable database URL>");
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn swaps_the_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1").as_deref(),
            Some("postgres://postgres@127.0.0.1:5432/t1")
        );
        assert_eq!(
            with_database("postgres://u:p@h?sslmode=disable", "t2").as_deref(),
            Some("postgres://u:p@h/t2?sslmode=disable")
        );
        assert_eq!(database_of("postgres://u@h:1/books?x=1"), Some("books"));
        assert_eq!(database_of("postgres://u@h:1"), None);
        assert_eq!(database_of("postgres://u@h:1/"), None);
    }
}
