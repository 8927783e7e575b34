//! `books#annotation`, `books#annotations`, `books#annotationsSummary` and the range objects,
//! as the discovery document names them.
//!
//! No recording of these objects exists; the key order is the discovery document's
//! (alphabetical) except that `kind` and `id` come first, as in every recorded Books object.
//! The `kind` values are those of older discovery revisions (`books-api-behavior.md` §6.5).

use serde::{Deserialize, Serialize};

/// `BooksAnnotationsRange`: one span of content, in one position scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AnnotationRange {
    /// The offset from the ending position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_offset: Option<String>,
    /// The ending position of the range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_position: Option<String>,
    /// The offset from the starting position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_offset: Option<String>,
    /// The starting position of the range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_position: Option<String>,
}

/// `clientVersionRanges` / `currentVersionRanges`: where an annotation sits, in every position
/// scheme the client knows, for one content version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AnnotationRanges {
    /// EPUB CFI range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cfi_range: Option<AnnotationRange>,
    /// Content version the ranges refer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_version: Option<String>,
    /// Range in GB image format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gb_image_range: Option<AnnotationRange>,
    /// Range in GB text format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gb_text_range: Option<AnnotationRange>,
    /// Range in image CFI format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_cfi_range: Option<AnnotationRange>,
}

/// `layerSummary` of an annotation: the character budget of its layer on its volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AnnotationLayerSummary {
    /// Characters the layer allows on this volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_character_count: Option<i64>,
    /// What the limit counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_type: Option<String>,
    /// Characters left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_character_count: Option<i64>,
}

/// `books#annotation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    /// `books#annotation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Id of this annotation (a GUID unless the client chose one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Text after the selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_selected_text: Option<String>,
    /// Text before the selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_selected_text: Option<String>,
    /// Ranges in the client's content version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_version_ranges: Option<AnnotationRanges>,
    /// Creation time (RFC 3339, milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Ranges in the current content version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_version_ranges: Option<AnnotationRanges>,
    /// User-created data (the note).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Whether the annotation was deleted (tombstones, with `showDeleted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// The highlight style.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlight_style: Option<String>,
    /// The layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_id: Option<String>,
    /// The layer's budget on this volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_summary: Option<AnnotationLayerSummary>,
    /// Pages the annotation spans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_ids: Option<Vec<String>>,
    /// The selected text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_text: Option<String>,
    /// URL of this resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
    /// Last change (RFC 3339, milliseconds); also the precondition of an update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// The volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_id: Option<String>,
}

/// `books#annotations`: one page of annotations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Annotations {
    /// `books#annotations`.
    pub kind: String,
    /// The page; omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Annotation>,
    /// Token of the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Number of annotations matching the request (all pages).
    pub total_items: u64,
}

/// One `layers[]` entry of `AnnotationsSummary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AnnotationsSummaryLayer {
    /// Characters the layer allows on the volume.
    pub allowed_character_count: i64,
    /// The layer.
    pub layer_id: String,
    /// What the limit counts.
    pub limit_type: String,
    /// Characters left.
    pub remaining_character_count: i64,
    /// Last change of the user's annotations in this layer; absent when there never was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

/// `books#annotationsSummary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AnnotationsSummary {
    /// `books#annotationsSummary`.
    pub kind: String,
    /// One entry per requested layer, in the order asked.
    pub layers: Vec<AnnotationsSummaryLayer>,
}

/// `BooksVolumesRecommendedRateResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RateRecommendedVolumeResponse {
    /// Identifies the state of the user's recommendations after the rating.
    pub consistency_token: String,
}
