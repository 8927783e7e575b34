//! Query parameters: parsed once per request, read with typed, validating getters.

use crate::ApiError;

/// The decoded query string, in order. The first occurrence of a name wins.
#[derive(Debug, Clone, Default)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    /// Decodes a raw query string (`+` as space, percent-escapes, invalid UTF-8 replaced).
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Self { pairs }
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every non-empty value of a repeated parameter (`layerIds=a&layerIds=b`), in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// An RFC 3339 time (`updatedMin`), or `None` when absent.
    pub fn time(&self, name: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
        match self.non_empty(name) {
            None => Ok(None),
            Some(v) => colophon_domain::annotation::parse_time(v)
                .map(Some)
                .ok_or_else(|| {
                    ApiError::invalid(
                        name,
                        format!("Invalid value '{v}' for {name}: expected an RFC 3339 time."),
                    )
                }),
        }
    }

    /// Every non-empty value of a repeated parameter (`a=x&a=y`, also `a=x,y`), in order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// The first value of `name`, treating an empty value as absent.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// An unsigned integer within `[min, max]`, or `default` when absent.
    pub fn u32_in(&self, name: &str, min: u32, max: u32, default: u32) -> Result<u32, ApiError> {
        let Some(raw) = self.non_empty(name) else {
            return Ok(default);
        };
        let range =
            || format!("Invalid value '{raw}'. Values must be within the range: [{min}, {max}]");
        match raw.trim().parse::<i64>() {
            Ok(v) if v >= i64::from(min) && v <= i64::from(max) => Ok(v as u32),
            Ok(_) => Err(ApiError::invalid(name, range())),
            Err(_) => Err(ApiError::invalid(
                name,
                format!("Invalid value '{raw}' for {name}: not an integer."),
            )),
        }
    }

    /// A boolean (`true`/`false`, any case; `1`/`0`), or `default` when absent.
    pub fn bool_or(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.non_empty(name) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") || v == "1" => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") || v == "0" => Ok(false),
            Some(v) => Err(ApiError::invalid(
                name,
                format!("Invalid value '{v}' for {name}: expected true or false."),
            )),
        }
    }

    /// An enumerated option parsed by `parse` (which returns `Ok(None)` for "undefined").
    pub fn option<T, E>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Result<Option<T>, E>,
    ) -> Result<Option<T>, ApiError>
    where
        E: Into<colophon_domain::InvalidOption>,
    {
        let Some(raw) = self.non_empty(name) else {
            return Ok(None);
        };
        parse(raw).map_err(|e| {
            let e: colophon_domain::InvalidOption = e.into();
            ApiError::invalid(
                name,
                format!(
                    "Invalid value '{}' for {}. Allowed values: {}.",
                    e.value,
                    name,
                    e.allowed.join(", ")
                ),
            )
        })
    }

    /// A two-letter country code (`country`), normalised (`UK` → `GB`).
    pub fn country(&self, default: &str) -> Result<String, ApiError> {
        match self.non_empty("country") {
            None => Ok(default.to_owned()),
            Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Ok(colophon_domain::render::normalize_country(c))
            }
            Some(c) => Err(ApiError::invalid(
                "country",
                format!("Invalid value '{c}' for country: expected an ISO 3166-1 alpha-2 code."),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_validates() {
        let p = QueryParams::parse(Some("q=a+b%20c&maxResults=41&startIndex=x&b=TRUE&key="));
        assert_eq!(p.get("q"), Some("a b c"));
        assert_eq!(p.non_empty("key"), None);
        let e = p.u32_in("maxResults", 0, 40, 10).unwrap_err();
        assert!(e
            .to_string()
            .contains("Values must be within the range: [0, 40]"));
        assert!(p.u32_in("startIndex", 0, u32::MAX, 0).is_err());
        assert!(p.bool_or("b", false).unwrap());
        assert_eq!(p.u32_in("absent", 0, 40, 10).unwrap(), 10);
    }
}
