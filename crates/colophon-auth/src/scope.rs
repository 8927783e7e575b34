//! Scopes: the space-separated `scope` parameter, parsed into known scopes.

use std::fmt;

/// The Books API scope, the only one in the discovery document ("Manage your books").
pub const BOOKS_SCOPE: &str = "https://www.googleapis.com/auth/books";

/// Scopes this server knows, with the description shown on the consent page.
const KNOWN: &[(&str, &str)] = &[(BOOKS_SCOPE, "Manage your books")];

/// A non-empty set of known scopes, in the order first given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeSet(Vec<&'static str>);

/// Why a `scope` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// No scope at all.
    #[error("Missing required parameter: scope")]
    Empty,
    /// A scope this server does not know (the value is not echoed).
    #[error("Some requested scopes were invalid.")]
    Unknown,
}

impl ScopeSet {
    /// Parses a space-separated list; duplicates collapse.
    pub fn parse(raw: &str) -> Result<Self, ScopeError> {
        let mut out: Vec<&'static str> = Vec::new();
        for word in raw.split([' ', '\t', '\n', '+']).filter(|w| !w.is_empty()) {
            let known = KNOWN
                .iter()
                .find(|(s, _)| *s == word)
                .ok_or(ScopeError::Unknown)?;
            if !out.contains(&known.0) {
                out.push(known.0);
            }
        }
        if out.is_empty() {
            return Err(ScopeError::Empty);
        }
        Ok(Self(out))
    }

    /// The scopes.
    pub fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().copied()
    }

    /// Whether every scope of `self` is in `other`.
    pub fn is_subset_of(&self, other: &ScopeSet) -> bool {
        self.0.iter().all(|s| other.0.contains(s))
    }

    /// Whether `scope` is in the set.
    pub fn contains(&self, scope: &str) -> bool {
        self.0.contains(&scope)
    }

    /// `self` followed by the scopes of `other` it lacks.
    pub fn union(&self, other: &ScopeSet) -> ScopeSet {
        let mut out = self.0.clone();
        for s in &other.0 {
            if !out.contains(s) {
                out.push(s);
            }
        }
        ScopeSet(out)
    }

    /// Human descriptions, for the consent page.
    pub fn descriptions(&self) -> Vec<&'static str> {
        self.0
            .iter()
            .filter_map(|s| KNOWN.iter().find(|(k, _)| k == s).map(|(_, d)| *d))
            .collect()
    }
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_scopes_and_refuses_others() {
        let s = ScopeSet::parse(&format!(" {BOOKS_SCOPE}  {BOOKS_SCOPE} ")).unwrap();
        assert_eq!(s.to_string(), BOOKS_SCOPE);
        assert_eq!(ScopeSet::parse(""), Err(ScopeError::Empty));
        assert_eq!(ScopeSet::parse("  "), Err(ScopeError::Empty));
        assert_eq!(
            ScopeSet::parse(&format!("{BOOKS_SCOPE} email")),
            Err(ScopeError::Unknown)
        );
        assert_eq!(
            ScopeSet::parse("https://www.googleapis.com/auth/books.readonly"),
            Err(ScopeError::Unknown)
        );
        assert!(s.is_subset_of(&s));
        assert_eq!(s.descriptions(), ["Manage your books"]);
    }
}
