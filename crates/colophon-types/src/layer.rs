//! `books#layersummary`, `books#layersummaries`, `books#volumeannotation(s)` and
//! `books#annotationsdata`, as the discovery document names them (`kind` and `id` first).

use serde::{Deserialize, Serialize};

use crate::annotation::AnnotationRange;

/// `books#layersummary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Layersummary {
    /// `books#layersummary`.
    pub kind: String,
    /// Unique id of this layer summary (the layer id).
    pub id: String,
    /// Number of annotations in this layer.
    pub annotation_count: i64,
    /// Annotation types in this layer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotation_types: Vec<String>,
    /// Link to the annotation data of this layer.
    pub annotations_data_link: String,
    /// Link to the annotations of this layer.
    pub annotations_link: String,
    /// Content version of the layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_version: Option<String>,
    /// Number of annotation data items in this layer.
    pub data_count: i64,
    /// The layer id.
    pub layer_id: String,
    /// URL of this resource.
    pub self_link: String,
    /// Last change of the layer's content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Version of the volume annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_annotations_version: Option<String>,
    /// The volume.
    pub volume_id: String,
}

/// `books#layersummaries`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Layersummaries {
    /// `books#layersummaries`.
    pub kind: String,
    /// The layers; omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Layersummary>,
    /// Number of layers.
    pub total_items: u64,
}

/// `contentRanges` of a volume annotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct VolumeannotationContentRanges {
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
}

/// `books#volumeannotation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Volumeannotation {
    /// `books#volumeannotation`.
    pub kind: String,
    /// Unique id of this annotation.
    pub id: String,
    /// The annotation data id, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotation_data_id: Option<String>,
    /// Link to the annotation data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotation_data_link: Option<String>,
    /// The type of annotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotation_type: Option<String>,
    /// Where the annotation sits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_ranges: Option<VolumeannotationContentRanges>,
    /// Data of this annotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Whether the annotation was deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// The layer.
    pub layer_id: String,
    /// Pages the annotation spans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_ids: Option<Vec<String>>,
    /// Excerpt from the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_text: Option<String>,
    /// URL of this resource.
    pub self_link: String,
    /// Last change (RFC 3339, milliseconds).
    pub updated: String,
    /// The volume.
    pub volume_id: String,
}

/// `books#volumeannotations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Volumeannotations {
    /// `books#volumeannotations`.
    pub kind: String,
    /// The page; omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Volumeannotation>,
    /// Token of the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Number of annotations matching the request (all pages).
    pub total_items: u64,
    /// Version of the volume annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// `books#annotationsdata`. Colophon holds no annotation data (dictionary or geo entries), so
/// its pages are always empty; the item type is therefore not modelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Annotationsdata {
    /// `books#annotationsdata`.
    pub kind: String,
    /// Number of items (all pages).
    pub total_items: u64,
}
