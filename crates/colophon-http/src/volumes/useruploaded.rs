//! `books.volumes.useruploaded.list`: `GET /books/v1/volumes/useruploaded`.

use axum::extract::State;
use axum::response::Response;
use colophon_domain::library::ProcessingState;
use colophon_domain::Projection;
use colophon_types::Volumes;

use crate::request::UserRequest;
use crate::response::respond;
use crate::user_volumes::render_uploads;
use crate::volumes::mybooks::repeated;
use crate::{ApiError, AppState};

/// Largest `maxResults` (discovery: 0–40).
pub const MAX_RESULTS: u32 = 40;

/// The signed-in user's uploads, newest first: `processingState` (repeated) and `volumeId`
/// (repeated) filter, `startIndex` / `maxResults` page; `locale` and `source` are accepted.
pub async fn list(State(state): State<AppState>, req: UserRequest) -> Result<Response, ApiError> {
    let p = &req.request.params;
    let states = repeated(p, "processingState", ProcessingState::parse)?;
    let ids: Vec<String> = p
        .values("volumeId")
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    let start = p.u32_in("startIndex", 0, u32::MAX, 0)?;
    let max = p.u32_in("maxResults", 0, MAX_RESULTS, 10)?;
    let country = p.country(&state.config.default_country)?;
    let (total, uploads) = state
        .uploads
        .list(&req.user.user_id, &states, &ids, start, max)
        .await?;
    respond(
        &req.request.output,
        &Volumes {
            kind: "books#volumes".into(),
            total_items: total,
            items: render_uploads(&state, &uploads, Projection::Full, &country),
        },
    )
}
