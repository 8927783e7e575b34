//! `mylibrary.bookshelves.volumes.list`: the volumes of one of the signed-in user's shelves.

use axum::extract::{Path, State};
use axum::response::Response;
use colophon_domain::{Projection, SearchRequest};
use colophon_service::library::Visibility;

use crate::request::UserRequest;
use crate::user_volumes::{respond_page, PageStyle};
use crate::{ApiError, AppState};

/// Largest `maxResults` (the discovery document states none; the docs' default is 10).
pub const MAX_RESULTS: u32 = 1000;

/// `books.mylibrary.bookshelves.volumes.list`:
/// `GET /books/v1/mylibrary/bookshelves/{shelf}/volumes` — in shelf order; with `q`, the
/// shelf's volumes matching it, best first (the `volumes.list` query syntax). Each volume
/// carries the user's `userInfo`.
pub async fn list(
    State(state): State<AppState>,
    req: UserRequest,
    Path(shelf): Path<String>,
) -> Result<Response, ApiError> {
    let p = &req.request.params;
    let projection = p
        .option("projection", Projection::parse)?
        .unwrap_or(Projection::Full);
    let country = p.country(&state.config.default_country)?;
    let start = p.u32_in("startIndex", 0, u32::MAX, 0)?;
    let max = p.u32_in("maxResults", 0, MAX_RESULTS, 10)?;
    let show_preorders = p.bool_or("showPreorders", false)?;
    let search = p.non_empty("q").filter(|q| !q.trim().is_empty()).map(|q| {
        let mut s = SearchRequest::new(q);
        s.start_index = start;
        s.max_results = max;
        s
    });
    let shelf = state
        .library
        .shelf(&req.user.user_id, &shelf, Visibility::Owner)
        .await?;
    let page = state
        .library
        .shelf_volumes(&shelf, start, max, search.as_ref(), show_preorders)
        .await?;
    respond_page(
        &state,
        &req.request.caller,
        &req.request.output,
        page.total,
        page.items,
        &PageStyle {
            projection,
            country: &country,
            search: search.as_ref().map(|s| (s, start)),
        },
    )
    .await
}
