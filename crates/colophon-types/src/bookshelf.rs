//! `books#bookshelf` and `books#bookshelves`, in the field order of the recorded responses.

use serde::{Deserialize, Serialize};

/// `books#bookshelves`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bookshelves {
    /// Always `books#bookshelves`.
    pub kind: String,
    /// The shelves; omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Bookshelf>,
}

/// `books#bookshelf`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bookshelf {
    /// Always `books#bookshelf`.
    pub kind: String,
    /// Shelf id (0–9 fixed shelves, > 1000 the user's own).
    pub id: i64,
    /// `{base}/books/v1/users/{userId}/bookshelves/{id}`.
    pub self_link: String,
    /// Title.
    pub title: String,
    /// `PUBLIC` or `PRIVATE`.
    pub access: String,
    /// Last change (RFC 3339, milliseconds).
    pub updated: String,
    /// Creation (RFC 3339, milliseconds).
    pub created: String,
    /// Number of volumes.
    pub volume_count: u64,
    /// Last change of the shelf's volumes.
    pub volumes_last_updated: String,
}
