//! `books.volumes.get`: `GET /books/v1/volumes/{volumeId}`.

use axum::extract::{Path, State};
use axum::response::Response;
use colophon_domain::Projection;

use crate::request::{ApiRequest, Caller};
use crate::response::respond;
use crate::user_volumes::{render_items, render_uploads, PageStyle};
use crate::{ApiError, AppState};

/// `books.volumes.get`: `GET /books/v1/volumes/{volumeId}` — one volume; with the caller's
/// `userInfo` when signed in. A signed-in caller also gets their own uploads (and nobody
/// else does: for anyone else an upload's id is unknown).
pub async fn get(
    State(state): State<AppState>,
    req: ApiRequest,
    Path(volume_id): Path<String>,
) -> Result<Response, ApiError> {
    let p = &req.params;
    let projection = p
        .option("projection", Projection::parse)?
        .unwrap_or(Projection::Full);
    let country = p.country(&state.config.default_country)?;
    p.bool_or("includeNonComicsSeries", false)?;
    p.bool_or("user_library_consistent_read", false)?;
    let record = match state.catalog.get_volume(&volume_id).await {
        Ok(record) => record,
        // Not in the catalog: perhaps the caller's own upload (a private volume).
        Err(colophon_service::CatalogError::VolumeNotFound) => {
            let Caller::User(user) = &req.caller else {
                return Err(ApiError::VolumeNotFound);
            };
            let upload = state.uploads.get(&user.user_id, &volume_id).await?;
            let volume = render_uploads(&state, &[upload], projection, &country)
                .pop()
                .ok_or_else(|| ApiError::Internal("one upload rendered as none".into()))?;
            return respond(&req.output, &volume);
        }
        Err(e) => return Err(e.into()),
    };
    let style = PageStyle {
        projection,
        country: &country,
        search: None,
    };
    let volume = render_items(&state, &req.caller, vec![(record, None)], &style)
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal("one volume rendered as none".into()))?;
    respond(&req.output, &volume)
}
