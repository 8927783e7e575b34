//! The personal library's rules: the fixed shelves, their ids, titles, visibility and
//! editability; reading positions; the enumerated parameters of the `mylibrary.*`,
//! `bookshelves.*` and `volumes.mybooks.list` methods.
//!
//! The shelf table lives here, once, for the public (`/users/{userId}/bookshelves`) and the
//! private (`/mylibrary/bookshelves`) paths alike.

use chrono::{DateTime, Utc};

use crate::options::{option_enum, InvalidOption};

/// One of the fixed shelves every account has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedShelf {
    /// Shelf id (unique only per user).
    pub id: ShelfId,
    /// Title, as Google returns it (sentence case).
    pub title: &'static str,
    /// Visible to anyone through `bookshelves.*` (`PUBLIC`), or only to its owner.
    pub public: bool,
    /// The user puts volumes there (`addVolume`, `removeVolume`, `clearVolumes`,
    /// `moveVolume`); the others are filled by the service itself.
    pub writable: bool,
}

impl FixedShelf {
    /// `PUBLIC` or `PRIVATE`.
    pub fn access(&self) -> &'static str {
        if self.public {
            "PUBLIC"
        } else {
            "PRIVATE"
        }
    }
}

/// The fixed shelves, in the order Google lists them (`books-api-behavior.md` §3, §7:
/// 0, 3, 2, 4 first, as in the recorded listing; then the automatic shelves by id).
///
/// Choices where the reference is silent:
/// - Visibility: Favorites, Reading now, To read and Have read are public (the recorded public
///   listing shows exactly these); Purchased, Reviewed, Recently viewed and My eBooks are
///   private (they never appear in public listings). Visibility cannot be changed through the
///   API at Google either.
/// - Editability: the four public shelves are the user-managed ones; Purchased, Reviewed,
///   Recently viewed and My eBooks are filled by the service (purchases, reviews, views,
///   acquisitions) and refuse writes with 403 `forbidden`.
/// - "Books for you" (8) is absent, as at Google when there are no recommendations.
pub const FIXED_SHELVES: &[FixedShelf] = &[
    shelf(0, "Favorites", true, true),
    shelf(3, "Reading now", true, true),
    shelf(2, "To read", true, true),
    shelf(4, "Have read", true, true),
    shelf(1, "Purchased", false, false),
    shelf(5, "Reviewed", false, false),
    shelf(6, "Recently viewed", false, false),
    shelf(7, "My eBooks", false, false),
];

/// "Recently viewed": filled by the server as the user opens books, not writable by clients.
pub const RECENTLY_VIEWED: ShelfId = ShelfId(6);

const fn shelf(id: i32, title: &'static str, public: bool, writable: bool) -> FixedShelf {
    FixedShelf {
        id: ShelfId(id),
        title,
        public,
        writable,
    }
}

/// A shelf id: an integer, unique only within one user's library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShelfId(i32);

impl ShelfId {
    /// Parses the `{shelf}` path segment: a decimal integer (`0`, `3`, `1001`). Anything else
    /// names no shelf (`None`).
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 10 || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        raw.parse::<i32>().ok().map(Self)
    }

    /// The id as stored and serialised.
    pub fn get(self) -> i32 {
        self.0
    }

    /// A shelf id from a stored value.
    pub fn from_stored(id: i32) -> Self {
        Self(id)
    }

    /// The fixed shelf with this id, if it is one.
    pub fn fixed(self) -> Option<&'static FixedShelf> {
        FIXED_SHELVES.iter().find(|s| s.id == self)
    }
}

impl std::fmt::Display for ShelfId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Which field of `ReadingPosition` a position string belongs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionKind {
    /// `epubCfiPosition`: an EPUB CFI, `epubcfi(/6/4!/4/2/1:0)`.
    EpubCfi,
    /// `gbImagePosition`: a page of the scanned images, `GBS.PA12` (Google's page ids).
    GbImage,
    /// `pdfPosition`: a page number of the PDF, `12`.
    Pdf,
    /// `gbTextPosition`: any other position in the text.
    GbText,
}

impl PositionKind {
    /// Classifies a `position` parameter (the discovery document types it only as a string).
    /// The rule, written down because the reference is silent: `epubcfi(…)` is a CFI, a
    /// string starting with `GBS.` is an image page id, a bare decimal number is a PDF page,
    /// anything else is a text position.
    pub fn of(position: &str) -> Self {
        if position.starts_with("epubcfi(") {
            Self::EpubCfi
        } else if position.starts_with("GBS.") {
            Self::GbImage
        } else if !position.is_empty() && position.bytes().all(|b| b.is_ascii_digit()) {
            Self::Pdf
        } else {
            Self::GbText
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EpubCfi => "epubcfi",
            Self::GbImage => "gbimage",
            Self::Pdf => "pdf",
            Self::GbText => "gbtext",
        }
    }

    /// The kind of a stored name.
    pub fn from_stored(s: &str) -> Self {
        match s {
            "epubcfi" => Self::EpubCfi,
            "gbimage" => Self::GbImage,
            "pdf" => Self::Pdf,
            _ => Self::GbText,
        }
    }
}

/// Longest accepted `position`, `deviceCookie` and `contentVersion` values, in bytes.
pub const MAX_POSITION_LEN: usize = 2048;
/// Longest accepted `deviceCookie` / `contentVersion`.
pub const MAX_TAG_LEN: usize = 256;

/// How far in the future a `setPosition` timestamp may be (device clocks drift); a later one
/// would pin the position against every honest update, so it is refused.
pub const MAX_FUTURE_SKEW: chrono::Duration = chrono::Duration::hours(24);

/// Parses `setPosition`'s `timestamp`: RFC 3339 (any offset, normalised to UTC).
pub fn parse_timestamp(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Google's timestamp format in library objects: RFC 3339 UTC with milliseconds.
pub fn format_millis(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

option_enum!(
    /// `mylibrary.bookshelves.addVolume`'s `reason`.
    AddReason, "reason", undefined = "REASON_UNDEFINED", {
        /// Added from the PREX flow on iOS.
        IosPrex = "IOS_PREX",
        /// Added from the search flow on iOS.
        IosSearch = "IOS_SEARCH",
        /// Added from the onboarding flow.
        Onboarding = "ONBOARDING",
    }
);

option_enum!(
    /// `mylibrary.bookshelves.removeVolume`'s `reason`.
    RemoveReason, "reason", undefined = "REASON_UNDEFINED", {
        /// Samples removed from the onboarding flow.
        Onboarding = "ONBOARDING",
    }
);

option_enum!(
    /// `mylibrary.readingpositions.setPosition`'s `action`.
    PositionAction, "action", undefined = "ACTION_UNDEFINED", {
        /// The user chose a bookmark.
        Bookmark = "bookmark",
        /// The user selected a chapter.
        Chapter = "chapter",
        /// Next page.
        NextPage = "next-page",
        /// Previous page.
        PrevPage = "prev-page",
        /// The user navigated to a page.
        Scroll = "scroll",
        /// The user chose a search result.
        Search = "search",
    }
);

option_enum!(
    /// `volumes.mybooks.list`'s `acquireMethod` (repeated).
    AcquireMethod, "acquireMethod", undefined = "ACQUIRE_METHOD_UNDEFINED", {
        /// Family sharing.
        FamilyShared = "FAMILY_SHARED",
        /// Preordered.
        Preordered = "PREORDERED",
        /// Rentals past their end.
        PreviouslyRented = "PREVIOUSLY_RENTED",
        /// Public domain books.
        PublicDomain = "PUBLIC_DOMAIN",
        /// Purchased.
        Purchased = "PURCHASED",
        /// Rented.
        Rented = "RENTED",
        /// Samples.
        Sample = "SAMPLE",
        /// Uploaded by the user.
        Uploaded = "UPLOADED",
    }
);

option_enum!(
    /// `volumes.mybooks.list`'s `processingState` (repeated; only with `UPLOADED`).
    ProcessingState, "processingState", undefined = "PROCESSING_STATE_UNDEFINED", {
        /// Processing failed.
        CompletedFailed = "COMPLETED_FAILED",
        /// Processing done.
        CompletedSuccess = "COMPLETED_SUCCESS",
        /// Still processing.
        Running = "RUNNING",
    }
);

impl AcquireMethod {
    /// How a volume on the user's shelves counts as acquired in Colophon, which sells and
    /// rents nothing and takes no uploads: public-domain volumes are `PUBLIC_DOMAIN`, the
    /// others `SAMPLE` (what the user can read of them is the preview).
    pub fn of_shelved(public_domain: bool) -> Self {
        if public_domain {
            Self::PublicDomain
        } else {
            Self::Sample
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shelf_ids_parse_strictly() {
        assert_eq!(ShelfId::parse("3").map(ShelfId::get), Some(3));
        assert_eq!(ShelfId::parse("1001").map(ShelfId::get), Some(1001));
        assert_eq!(ShelfId::parse("-1"), None);
        assert_eq!(ShelfId::parse("x"), None);
        assert_eq!(ShelfId::parse(""), None);
        assert_eq!(ShelfId::parse("99999999999"), None);
        assert_eq!(
            ShelfId::parse("2").unwrap().fixed().unwrap().title,
            "To read"
        );
        assert!(ShelfId::parse("8").unwrap().fixed().is_none());
    }

    #[test]
    fn the_fixed_table_lists_public_shelves_first_in_googles_order() {
        let ids: Vec<i32> = FIXED_SHELVES.iter().map(|s| s.id.get()).collect();
        assert_eq!(ids, [0, 3, 2, 4, 1, 5, 6, 7]);
        assert!(FIXED_SHELVES.iter().all(|s| s.public == s.writable));
        assert_eq!(FIXED_SHELVES[1].title, "Reading now");
        assert_eq!(FIXED_SHELVES[4].access(), "PRIVATE");
    }

    #[test]
    fn positions_are_classified() {
        assert_eq!(
            PositionKind::of("epubcfi(/6/4!/4/2/1:0)"),
            PositionKind::EpubCfi
        );
        assert_eq!(PositionKind::of("GBS.PA12"), PositionKind::GbImage);
        assert_eq!(PositionKind::of("42"), PositionKind::Pdf);
        assert_eq!(PositionKind::of("chapter-3"), PositionKind::GbText);
        for k in [
            PositionKind::EpubCfi,
            PositionKind::GbImage,
            PositionKind::Pdf,
            PositionKind::GbText,
        ] {
            assert_eq!(PositionKind::from_stored(k.as_str()), k);
        }
    }

    #[test]
    fn timestamps_and_enums() {
        let t = parse_timestamp("2024-05-01T14:00:00.5+02:00").unwrap();
        assert_eq!(format_millis(t), "2024-05-01T12:00:00.500Z");
        assert!(parse_timestamp("yesterday").is_none());
        assert_eq!(
            AddReason::parse("ios_search").unwrap(),
            Some(AddReason::IosSearch)
        );
        assert_eq!(AddReason::parse("REASON_UNDEFINED").unwrap(), None);
        assert!(RemoveReason::parse("IOS_PREX").is_err());
        assert_eq!(
            PositionAction::parse("next-page").unwrap(),
            Some(PositionAction::NextPage)
        );
        assert_eq!(AcquireMethod::of_shelved(true), AcquireMethod::PublicDomain);
    }
}
