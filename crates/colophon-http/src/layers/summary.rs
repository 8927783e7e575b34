//! `layers.list` and `layers.get`: layer summaries of a volume.

use axum::extract::{Path, State};
use axum::response::Response;
use colophon_domain::annotation::format_time;
use colophon_domain::VolumeRecord;
use colophon_types::{Layersummaries, Layersummary};

use super::{find, listed, no_page_token, volume_and_user, Layer};
use crate::mylibrary::annotations::render::clamp;
use crate::request::ApiRequest;
use crate::response::respond;
use crate::{ApiError, AppState};

/// Largest `maxResults` of `layers.list` (discovery).
const MAX_RESULTS: u32 = 200;

fn summary(base: &str, record: &VolumeRecord, layer: &Layer) -> Layersummary {
    let v = record.id.as_str();
    let id = layer.id();
    let (count, updated, version) = match layer {
        Layer::Catalog { version, .. } => (0, Some(record.updated), version.clone()),
        Layer::User(b) => (clamp(b.annotations), b.updated, None),
    };
    Layersummary {
        kind: "books#layersummary".into(),
        id: id.to_owned(),
        annotation_count: count,
        annotation_types: Vec::new(),
        annotations_data_link: format!("{base}/books/v1/volumes/{v}/layers/{id}/data"),
        annotations_link: format!("{base}/books/v1/volumes/{v}/layers/{id}"),
        content_version: record.volume_info.content_version.clone(),
        data_count: 0,
        layer_id: id.to_owned(),
        self_link: format!("{base}/books/v1/volumes/{v}/layersummary/{id}"),
        updated: updated.map(format_time),
        volume_annotations_version: version,
        volume_id: v.to_owned(),
    }
}

/// `books.layers.list`: `GET /books/v1/volumes/{volumeId}/layersummary` — the volume's layers
/// the caller may see (the user's own layers only with their token).
pub async fn list(
    State(state): State<AppState>,
    req: ApiRequest,
    Path(volume_id): Path<String>,
) -> Result<Response, ApiError> {
    let p = &req.params;
    let max = p.u32_in("maxResults", 0, MAX_RESULTS, MAX_RESULTS)?;
    no_page_token(p)?;
    let (record, user) = volume_and_user(&state, &req, &volume_id).await?;
    let layers = listed(&state, &record, user.as_deref()).await?;
    let base = &state.config.public_url;
    respond(
        &req.output,
        &Layersummaries {
            kind: "books#layersummaries".into(),
            total_items: layers.len() as u64,
            items: layers
                .iter()
                .take(max as usize)
                .map(|l| summary(base, &record, l))
                .collect(),
        },
    )
}

/// `books.layers.get`: `GET /books/v1/volumes/{volumeId}/layersummary/{summaryId}` — one
/// layer's summary; 404 for a layer the caller cannot see.
pub async fn get(
    State(state): State<AppState>,
    req: ApiRequest,
    Path((volume_id, summary_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (record, user) = volume_and_user(&state, &req, &volume_id).await?;
    let layer = find(&state, &record, user.as_deref(), &summary_id).await?;
    respond(
        &req.output,
        &summary(&state.config.public_url, &record, &layer),
    )
}
