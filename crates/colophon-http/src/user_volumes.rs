//! Rendering volumes for a caller: the wire `Volume`s of a page, with the signed-in caller's
//! own `userInfo` (never the shelf owner's), and the `{}` answer of the library's writes.

use axum::response::Response;
use colophon_domain::render::{render_volume, RenderOptions, SearchContext};
use colophon_domain::{Projection, VolumeId};
use colophon_service::catalog::Found;
use colophon_service::library::render::user_info;
use colophon_types::{Volume, Volumes};

use crate::request::{Caller, OutputOptions};
use crate::response::respond;
use crate::{ApiError, AppState};

/// How to render a page of volumes.
pub struct PageStyle<'a> {
    /// Projection.
    pub projection: Projection,
    /// Country of the links and prices.
    pub country: &'a str,
    /// The search, when the page is a search's (links carry `dq`, `cd`).
    pub search: Option<(&'a colophon_domain::SearchRequest, u32)>,
}

/// The wire volumes of `items`, with `userInfo` when the caller is a signed-in user.
pub async fn render_items(
    state: &AppState,
    caller: &Caller,
    items: Vec<Found>,
    style: &PageStyle<'_>,
) -> Result<Vec<Volume>, ApiError> {
    let facts = match caller {
        Caller::User(user) => {
            let ids: Vec<VolumeId> = items.iter().map(|(r, _)| r.id.clone()).collect();
            Some(state.library.user_volumes(&user.user_id, &ids).await?)
        }
        _ => None,
    };
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, (record, snippet))| {
            let opts = RenderOptions {
                base_url: &state.config.public_url,
                country: style.country,
                projection: style.projection,
                search: style.search.map(|(req, start)| SearchContext {
                    query: &req.q,
                    rank: u64::from(start) + i as u64 + 1,
                    print_type: req.print_type,
                    filter: req.filter,
                }),
            };
            let mut volume = render_volume(&record, &opts, snippet);
            if let Some(facts) = &facts {
                let info = user_info(record.id.as_str(), facts.get(&record.id), style.projection);
                volume.user_info = serde_json::to_value(info).ok();
            }
            volume
        })
        .collect())
}

/// Answers a page of volumes (`books#volumes`).
pub async fn respond_page(
    state: &AppState,
    caller: &Caller,
    output: &OutputOptions,
    total: u64,
    items: Vec<Found>,
    style: &PageStyle<'_>,
) -> Result<Response, ApiError> {
    let items = render_items(state, caller, items, style).await?;
    respond(
        output,
        &Volumes {
            kind: "books#volumes".into(),
            total_items: total,
            items,
        },
    )
}

/// The answer of a method whose response is `Empty`: 200 with `{}`, which Google's newer
/// front end sends and which every client parses (the generated Rust client fails on an
/// empty 204 body).
pub fn empty(output: &OutputOptions) -> Result<Response, ApiError> {
    respond(output, &serde_json::json!({}))
}

/// The wire volumes of the caller's own uploads (private volumes), with the `userInfo` that
/// says so (`isUploaded`, `userUploadedVolumeInfo.processingState`, `acquiredTime`).
pub fn render_uploads(
    state: &AppState,
    uploads: &[colophon_store::UploadRecord],
    projection: Projection,
    country: &str,
) -> Vec<Volume> {
    uploads
        .iter()
        .map(|upload| {
            let record = colophon_service::uploads::upload_volume(upload);
            let opts = RenderOptions {
                base_url: &state.config.public_url,
                country,
                projection,
                search: None,
            };
            let mut volume = render_volume(&record, &opts, None);
            let time = |t: chrono::DateTime<chrono::Utc>| {
                t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            };
            let info = colophon_types::UserInfo {
                is_purchased: Some(false),
                is_preordered: Some(false),
                is_uploaded: Some(true),
                acquired_time: Some(time(upload.created)),
                user_uploaded_volume_info: Some(colophon_types::UserUploadedVolumeInfo {
                    processing_state: Some(upload.state.as_str().to_owned()),
                }),
                updated: Some(time(upload.updated)),
                ..colophon_types::UserInfo::default()
            };
            volume.user_info = serde_json::to_value(info).ok();
            volume
        })
        .collect()
}
