//! `layers.annotationData.list` and `get`: the data (dictionary entries, places) behind a
//! layer's annotations. Colophon holds none, so listings are empty and gets answer 404.

use axum::extract::{Path, State};
use axum::response::Response;
use colophon_types::Annotationsdata;

use super::{find, no_page_token, volume_and_user};
use crate::params::QueryParams;
use crate::request::ApiRequest;
use crate::response::respond;
use crate::{ApiError, AppState};

/// The image parameters: `w` and `h` come together; `scale` is non-negative.
fn image_params(p: &QueryParams) -> Result<(), ApiError> {
    for name in ["w", "h", "scale"] {
        p.u32_in(name, 0, i32::MAX as u32, 0)?;
    }
    match (p.non_empty("w").is_some(), p.non_empty("h").is_some()) {
        (true, false) => Err(ApiError::invalid(
            "h",
            "If width is provided height must also be provided.",
        )),
        (false, true) => Err(ApiError::invalid(
            "w",
            "If height is provided width must also be provided.",
        )),
        _ => Ok(()),
    }
}

/// `books.layers.annotationData.list`: `GET /books/v1/volumes/{volumeId}/layers/{layerId}/data`
/// — `contentVersion` required; always empty.
pub async fn list(
    State(state): State<AppState>,
    req: ApiRequest,
    Path((volume_id, layer_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let p = &req.params;
    p.non_empty("contentVersion")
        .ok_or(ApiError::Required("contentVersion"))?;
    image_params(p)?;
    p.u32_in("maxResults", 0, 200, 200)?;
    p.time("updatedMin")?;
    p.time("updatedMax")?;
    no_page_token(p)?;
    let (record, user) = volume_and_user(&state, &req, &volume_id).await?;
    find(&state, &record, user.as_deref(), &layer_id).await?;
    respond(
        &req.output,
        &Annotationsdata {
            kind: "books#annotationsdata".into(),
            total_items: 0,
        },
    )
}

/// `books.layers.annotationData.get`:
/// `GET /books/v1/volumes/{volumeId}/layers/{layerId}/data/{annotationDataId}` —
/// `contentVersion` required; 404, as Colophon holds no annotation data.
pub async fn get(
    State(state): State<AppState>,
    req: ApiRequest,
    Path((volume_id, layer_id, _data_id)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let p = &req.params;
    p.non_empty("contentVersion")
        .ok_or(ApiError::Required("contentVersion"))?;
    image_params(p)?;
    p.bool_or("allowWebDefinitions", false)?;
    let (record, user) = volume_and_user(&state, &req, &volume_id).await?;
    find(&state, &record, user.as_deref(), &layer_id).await?;
    Err(ApiError::NotFound(
        "The annotation data could not be found.".into(),
    ))
}
