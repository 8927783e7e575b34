//! `books#readingPosition` and a volume's `userInfo`, in the key order of the reference.

use serde::{Deserialize, Serialize};

/// `books#readingPosition`: where a user stopped reading a volume.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadingPosition {
    /// Always `books#readingPosition`.
    pub kind: String,
    /// The volume.
    pub volume_id: String,
    /// When the position was set (RFC 3339 UTC, milliseconds); absent without a position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Position in an EPUB, as a CFI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epub_cfi_position: Option<String>,
    /// Position in the page images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gb_image_position: Option<String>,
    /// Position in the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gb_text_position: Option<String>,
    /// Position in a PDF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf_position: Option<String>,
}

/// A volume's `userInfo`: what the signed-in caller has to do with it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    /// The user's reading position, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading_position: Option<ReadingPosition>,
    /// Bought by the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_purchased: Option<bool>,
    /// Preordered by the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_preordered: Option<bool>,
    /// On one of the user's shelves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_in_my_books: Option<bool>,
    /// Uploaded by the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_uploaded: Option<bool>,
    /// Last change by a user action (shelving, reading position), RFC 3339 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}
