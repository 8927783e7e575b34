//! The enumerated options of `volumes.list` / `volumes.get`, parsed in either case.
//!
//! Google's discovery document spells some enums in upper case (`LITE`, `BOOKS`, `EPUB`,
//! `MATURE`) and the documentation in lower case; both are accepted. The discovery's
//! `*_UNDEFINED` value means "not given".

/// An option value that is not one of the allowed ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value '{value}' for {parameter}")]
pub struct InvalidOption {
    /// Parameter name, e.g. `orderBy`.
    pub parameter: &'static str,
    /// The value as given.
    pub value: String,
    /// The allowed values, for the error message.
    pub allowed: &'static [&'static str],
}

macro_rules! option_enum {
    ($(#[$doc:meta])* $name:ident, $param:literal, undefined = $undef:literal, { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Discovery parameter name.
            pub const PARAMETER: &'static str = $param;
            /// Allowed spellings (case-insensitive).
            pub const ALLOWED: &'static [&'static str] = &[$($text),+];

            /// Parses a value; `Ok(None)` for the discovery's `*_UNDEFINED` value.
            pub fn parse(value: &str) -> Result<Option<Self>, InvalidOption> {
                if value.eq_ignore_ascii_case($undef) {
                    return Ok(None);
                }
                $(if value.eq_ignore_ascii_case($text) { return Ok(Some(Self::$variant)); })+
                Err(InvalidOption { parameter: $param, value: value.to_owned(), allowed: Self::ALLOWED })
            }

            /// The documented (lower-case) spelling.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }
    };
}

/// Lets sibling modules declare their enumerated parameters the same way.
pub(crate) use option_enum;

option_enum!(
    /// `projection`.
    Projection, "projection", undefined = "PROJECTION_UNDEFINED", {
        /// All volume data.
        Full = "full",
        /// The subset marked "(In LITE projection)".
        Lite = "lite",
    }
);

option_enum!(
    /// `printType`.
    PrintType, "printType", undefined = "PRINT_TYPE_UNDEFINED", {
        /// Books and magazines.
        All = "all",
        /// Books only.
        Books = "books",
        /// Magazines only.
        Magazines = "magazines",
    }
);

option_enum!(
    /// `filter`.
    Filter, "filter", undefined = "FILTER_UNDEFINED", {
        /// At least part of the text is viewable.
        Partial = "partial",
        /// All of the text is viewable.
        Full = "full",
        /// Free eBooks.
        FreeEbooks = "free-ebooks",
        /// eBooks with a price.
        PaidEbooks = "paid-ebooks",
        /// All eBooks.
        Ebooks = "ebooks",
    }
);

option_enum!(
    /// `orderBy`.
    OrderBy, "orderBy", undefined = "ORDER_BY_UNDEFINED", {
        /// Best match first.
        Relevance = "relevance",
        /// Most recently published first.
        Newest = "newest",
    }
);

option_enum!(
    /// `download`.
    Download, "download", undefined = "DOWNLOAD_UNDEFINED", {
        /// Volumes with an EPUB.
        Epub = "epub",
    }
);

option_enum!(
    /// `maxAllowedMaturityRating`.
    MaturityRating, "maxAllowedMaturityRating", undefined = "MAX_ALLOWED_MATURITY_RATING_UNDEFINED", {
        /// Mature and below (everything).
        Mature = "mature",
        /// Not mature only.
        NotMature = "not-mature",
    }
);

option_enum!(
    /// `libraryRestrict`.
    LibraryRestrict, "libraryRestrict", undefined = "LIBRARY_RESTRICT_UNDEFINED", {
        /// Only the caller's library.
        MyLibrary = "my-library",
        /// No restriction.
        NoRestrict = "no-restrict",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn either_case_and_undefined() {
        assert_eq!(Projection::parse("LITE").unwrap(), Some(Projection::Lite));
        assert_eq!(Projection::parse("lite").unwrap(), Some(Projection::Lite));
        assert_eq!(Projection::parse("PROJECTION_UNDEFINED").unwrap(), None);
        assert_eq!(
            MaturityRating::parse("NOT-MATURE").unwrap(),
            Some(MaturityRating::NotMature)
        );
        assert_eq!(
            Filter::parse("free-ebooks").unwrap(),
            Some(Filter::FreeEbooks)
        );
        let err = OrderBy::parse("oldest").unwrap_err();
        assert_eq!(err.parameter, "orderBy");
        assert_eq!(err.allowed, &["relevance", "newest"]);
    }
}
