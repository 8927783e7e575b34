//! `GET /books/content?id=ID&printsec=frontcover&img=1&zoom=N&edge=curl&source=gbs_api`: a
//! volume's cover at one of the six `imageLinks` sizes.
//!
//! `zoom` picks the size (5 smallThumbnail, 1 thumbnail, 2 small, 3 medium, 4 large, 6
//! extraLarge; default 1); `printsec`, `img`, `edge`, `imgtk` and `source` are accepted and
//! ignored (no page curl is drawn). A stored cover comes as a JPEG, a volume without one gets a
//! generated SVG cover. Covers change only when re-imported: cached for a day, revalidated by
//! `ETag`.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use colophon_service::Zoom;

use super::range::{send, Entity};
use crate::pages::browser::Browser;
use crate::params::QueryParams;
use crate::{ApiError, AppState};

/// The cover image.
pub async fn cover(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    browser: Browser,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(query.as_deref());
    let id = params.non_empty("id").ok_or(ApiError::Required("id"))?;
    let zoom = match params.non_empty("zoom") {
        None => Zoom::from_param(1),
        Some(z) => Zoom::from_param(
            z.parse()
                .map_err(|_| ApiError::invalid("zoom", format!("Invalid value for zoom: {z}")))?,
        ),
    };
    let (image, cache_control) = match state.content.cover(id, zoom).await {
        Ok(image) => (image, "public, max-age=86400"),
        // Not a catalog volume: the caller's own upload gets its cover, privately.
        Err(colophon_service::ContentError::VolumeNotFound) => {
            let (_, upload) =
                super::owner::own_upload(&state, &params, &headers, &browser, id).await?;
            let record = colophon_service::uploads::upload_volume(&upload);
            let image = state
                .content
                .covers()
                .image(&record, zoom)
                .await
                .map_err(|e| ApiError::from(colophon_service::ContentError::from(e)))?;
            (image, "private, max-age=3600")
        }
        Err(e) => return Err(e.into()),
    };
    Ok(send(
        &headers,
        Entity {
            bytes: image.bytes,
            media_type: image.media_type,
            etag: image.etag,
            cache_control,
            disposition: None,
        },
    ))
}
