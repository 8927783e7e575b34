//! Stored annotations as `books#annotation` and `books#volumeannotation`.

use colophon_domain::annotation::{format_time, AnnotationRecord, LIMIT_TYPE};
use colophon_service::LayerBudget;
use colophon_types::{
    Annotation, AnnotationLayerSummary, Volumeannotation, VolumeannotationContentRanges,
};

/// `books#annotation`; `budget` fills `layerSummary` (insert and update answers).
pub fn annotation(base: &str, r: &AnnotationRecord, budget: Option<&LayerBudget>) -> Annotation {
    let b = r.body.clone();
    Annotation {
        kind: Some("books#annotation".into()),
        id: Some(r.id.clone()),
        after_selected_text: b.after_selected_text,
        before_selected_text: b.before_selected_text,
        client_version_ranges: b.client_version_ranges,
        created: Some(format_time(r.created)),
        current_version_ranges: b.current_version_ranges,
        data: b.data,
        deleted: Some(r.deleted),
        highlight_style: b.highlight_style,
        layer_id: Some(r.layer_id.clone()),
        layer_summary: budget.map(layer_summary),
        page_ids: b.page_ids,
        selected_text: b.selected_text,
        self_link: Some(format!("{base}/books/v1/mylibrary/annotations/{}", r.id)),
        updated: Some(format_time(r.updated)),
        volume_id: Some(r.volume_id.clone()),
    }
}

/// `layerSummary` of an annotation.
pub fn layer_summary(b: &LayerBudget) -> AnnotationLayerSummary {
    AnnotationLayerSummary {
        allowed_character_count: Some(clamp(b.allowed)),
        limit_type: Some(LIMIT_TYPE.into()),
        remaining_character_count: Some(clamp(b.remaining)),
    }
}

/// An `int32` count.
pub fn clamp(n: u64) -> i64 {
    n.min(i32::MAX as u64) as i64
}

/// A user's annotation seen through `layers.volumeAnnotations`.
pub fn volume_annotation(base: &str, r: &AnnotationRecord) -> Volumeannotation {
    let ranges = r
        .body
        .current_version_ranges
        .clone()
        .or_else(|| r.body.client_version_ranges.clone())
        .map(|c| VolumeannotationContentRanges {
            cfi_range: c.cfi_range,
            content_version: c.content_version,
            gb_image_range: c.gb_image_range,
            gb_text_range: c.gb_text_range,
        });
    let kind = if r.body.data.as_deref().is_some_and(|d| !d.is_empty()) {
        "note"
    } else {
        "highlight"
    };
    Volumeannotation {
        kind: "books#volumeannotation".into(),
        id: r.id.clone(),
        annotation_data_id: None,
        annotation_data_link: None,
        annotation_type: Some(kind.into()),
        content_ranges: ranges,
        data: r.body.data.clone(),
        deleted: Some(r.deleted),
        layer_id: r.layer_id.clone(),
        page_ids: r.body.page_ids.clone(),
        selected_text: r.body.selected_text.clone(),
        self_link: format!(
            "{base}/books/v1/volumes/{}/layers/{}/annotations/{}",
            r.volume_id, r.layer_id, r.id
        ),
        updated: format_time(r.updated),
        volume_id: r.volume_id.clone(),
    }
}
