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
    /// When the user acquired the volume (for an upload: when it was uploaded), RFC 3339 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquired_time: Option<String>,
    /// The processing of the user's upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_uploaded_volume_info: Option<UserUploadedVolumeInfo>,
    /// Last change by a user action (shelving, reading position), RFC 3339 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

/// `userInfo.userUploadedVolumeInfo`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserUploadedVolumeInfo {
    /// `RUNNING`, `COMPLETED_SUCCESS` or `COMPLETED_FAILED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_state: Option<String>,
}

/// `BooksCloudloadingResource`: an upload as `cloudloading.*` show it (and `updateBook` takes).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BooksCloudloadingResource {
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// `RUNNING`, `COMPLETED_SUCCESS` or `COMPLETED_FAILED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_state: Option<String>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The private volume's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_id: Option<String>,
}
