//! `books.volumes.mybooks.list`: `GET /books/v1/volumes/mybooks`.

use axum::extract::State;
use axum::response::Response;
use colophon_domain::library::{AcquireMethod, ProcessingState};
use colophon_domain::Projection;
use colophon_types::Volumes;

use crate::params::QueryParams;
use crate::request::UserRequest;
use crate::response::respond;
use crate::user_volumes::{render_items, render_uploads, PageStyle};
use crate::{ApiError, AppState};

/// Largest `maxResults` (discovery: 0–100).
pub const MAX_RESULTS: u32 = 100;

/// Every value of a repeated enum parameter, each checked against the discovery enum.
pub(crate) fn repeated<T: Copy + PartialEq>(
    p: &QueryParams,
    name: &str,
    parse: impl Fn(&str) -> Result<Option<T>, colophon_domain::InvalidOption>,
) -> Result<Vec<T>, ApiError> {
    let mut out = Vec::new();
    for raw in p.values(name) {
        match parse(raw) {
            Ok(Some(v)) if !out.contains(&v) => out.push(v),
            Ok(_) => {}
            Err(e) => {
                return Err(ApiError::invalid(
                    name,
                    format!(
                        "Invalid value '{}' for {name}. Allowed values: {}.",
                        e.value,
                        e.allowed.join(", ")
                    ),
                ))
            }
        }
    }
    Ok(out)
}

/// `books.volumes.mybooks.list`: `GET /books/v1/volumes/mybooks` — the volumes on the
/// signed-in user's shelves, most recently shelved first, with `userInfo`, then the user's own
/// uploads, newest first (`acquireMethod` `UPLOADED`, with `isUploaded` and their
/// `processingState`). Colophon sells nothing: a shelved volume counts as acquired
/// `PUBLIC_DOMAIN` when it is public domain and `SAMPLE` otherwise, which is what
/// `acquireMethod` filters on; `processingState` keeps only uploads in those states (shelved
/// volumes have none). `locale` is accepted.
pub async fn list(State(state): State<AppState>, req: UserRequest) -> Result<Response, ApiError> {
    let p = &req.request.params;
    let acquire = repeated(p, "acquireMethod", AcquireMethod::parse)?;
    let processing = repeated(p, "processingState", ProcessingState::parse)?;
    let country = p.country(&state.config.default_country)?;
    let start = p.u32_in("startIndex", 0, u32::MAX, 0)?;
    let max = p.u32_in("maxResults", 0, MAX_RESULTS, 10)?;
    let page = state
        .library
        .my_books(&req.user.user_id, &acquire, &processing, start, max)
        .await?;
    let style = PageStyle {
        projection: Projection::Full,
        country: &country,
        search: None,
    };
    let shelved = page.items.len() as u32;
    let mut items = render_items(&state, &req.request.caller, page.items, &style).await?;
    let mut total = page.total;
    if acquire.is_empty() || acquire.contains(&AcquireMethod::Uploaded) {
        // The uploads follow the shelved volumes: this page's share of them starts where the
        // shelved ones end.
        let from = u32::try_from(u64::from(start).saturating_sub(page.total)).unwrap_or(u32::MAX);
        let room = max.saturating_sub(shelved);
        let (uploads_total, uploads) = state
            .uploads
            .list(&req.user.user_id, &processing, &[], from, room)
            .await?;
        total += uploads_total;
        items.extend(render_uploads(&state, &uploads, Projection::Full, &country));
    }
    respond(
        &req.request.output,
        &Volumes {
            kind: "books#volumes".into(),
            total_items: total,
            items,
        },
    )
}
