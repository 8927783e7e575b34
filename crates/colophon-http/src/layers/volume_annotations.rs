//! `layers.volumeAnnotations.list` and `get`: the annotations of one layer of a volume.

use axum::extract::{Path, State};
use axum::response::Response;
use colophon_service::Annotations;
use colophon_types::Volumeannotations;

use super::{find, volume_and_user, Layer};
use crate::mylibrary::annotations::{list_request, render};
use crate::request::ApiRequest;
use crate::response::respond;
use crate::{ApiError, AppState};

/// Largest `maxResults` (discovery).
const MAX_RESULTS: u32 = 200;
/// `maxResults` when absent.
const DEFAULT_RESULTS: u32 = 20;

/// `books.layers.volumeAnnotations.list`: `GET /books/v1/volumes/{volumeId}/layers/{layerId}`
/// — `contentVersion` required. A user layer lists the user's annotations of the volume (with
/// `pageToken`, `updatedMin`/`updatedMax`, `showDeleted`); a catalog layer has none.
/// `startPosition`, `endPosition`, `startOffset` and `endOffset` are accepted but do not
/// filter: Colophon does not order positions of different schemes against each other.
pub async fn list(
    State(state): State<AppState>,
    req: ApiRequest,
    Path((volume_id, layer_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let p = &req.params;
    p.non_empty("contentVersion")
        .ok_or(ApiError::Required("contentVersion"))?;
    let mut list = list_request(p, MAX_RESULTS, DEFAULT_RESULTS)?;
    let (record, user) = volume_and_user(&state, &req, &volume_id).await?;
    let layer = find(&state, &record, user.as_deref(), &layer_id).await?;
    let base = &state.config.public_url;
    let answer = match (&layer, user) {
        (Layer::User(budget), Some(user)) => {
            list.volume_id = Some(record.id.as_str().to_owned());
            list.layers = vec![budget.layer];
            let page = Annotations::new(state.catalog.clone())
                .list(&user, &list)
                .await?;
            Volumeannotations {
                kind: "books#volumeannotations".into(),
                items: page
                    .items
                    .iter()
                    .map(|r| render::volume_annotation(base, r))
                    .collect(),
                next_page_token: page.next_page_token,
                total_items: page.total,
                version: p.non_empty("volumeAnnotationsVersion").map(str::to_owned),
            }
        }
        (Layer::Catalog { version, .. }, _) => {
            if list.page_token.is_some() {
                return Err(ApiError::invalid(
                    "pageToken",
                    "Invalid value for pageToken.",
                ));
            }
            Volumeannotations {
                kind: "books#volumeannotations".into(),
                items: Vec::new(),
                next_page_token: None,
                total_items: 0,
                version: version.clone(),
            }
        }
        (Layer::User(_), None) => {
            return Err(ApiError::NotFound("The layer could not be found.".into()))
        }
    };
    respond(&req.output, &answer)
}

/// `books.layers.volumeAnnotations.get`:
/// `GET /books/v1/volumes/{volumeId}/layers/{layerId}/annotations/{annotationId}` — one of the
/// user's annotations in their layer (tombstones included, with `deleted`); 404 otherwise.
pub async fn get(
    State(state): State<AppState>,
    req: ApiRequest,
    Path((volume_id, layer_id, annotation_id)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let (record, user) = volume_and_user(&state, &req, &volume_id).await?;
    let layer = find(&state, &record, user.as_deref(), &layer_id).await?;
    let not_found = ApiError::NotFound("The annotation could not be found.".into());
    let (Layer::User(_), Some(user)) = (&layer, user) else {
        return Err(not_found);
    };
    let found = Annotations::new(state.catalog.clone())
        .find(&user, &annotation_id)
        .await?
        .filter(|a| a.volume_id == record.id.as_str() && a.layer_id == layer_id)
        .ok_or(not_found)?;
    respond(
        &req.output,
        &render::volume_annotation(&state.config.public_url, &found),
    )
}
