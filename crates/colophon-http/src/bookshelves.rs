//! `bookshelves.*`: any user's public shelves, by user id (`/books/v1/users/{userId}/…`),
//! for any identified caller (API key, token, or anonymous when allowed).
//!
//! Private shelves are not there: asking for one answers exactly like asking for a shelf that
//! does not exist (404), whoever asks — also the owner, who reads them through `mylibrary`.

use axum::extract::{Path, State};
use axum::response::Response;
use colophon_domain::Projection;
use colophon_service::library::render::bookshelf;
use colophon_service::library::Visibility;
use colophon_types::Bookshelves;

use crate::request::ApiRequest;
use crate::response::respond;
use crate::user_volumes::{respond_page, PageStyle};
use crate::{ApiError, AppState};

/// Largest `maxResults` (`books-api-behavior.md` §7: documented default 10, maximum 40).
pub const MAX_RESULTS: u32 = 40;

/// `books.bookshelves.list`: `GET /books/v1/users/{userId}/bookshelves` — the user's public
/// shelves.
pub async fn list(
    State(state): State<AppState>,
    req: ApiRequest,
    Path(user_id): Path<String>,
) -> Result<Response, ApiError> {
    let shelves = state.library.shelves(&user_id, Visibility::Public).await?;
    let base = &state.config.public_url;
    respond(
        &req.output,
        &Bookshelves {
            kind: "books#bookshelves".into(),
            items: shelves.iter().map(|s| bookshelf(s, base)).collect(),
        },
    )
}

/// `books.bookshelves.get`: `GET /books/v1/users/{userId}/bookshelves/{shelf}` — one public
/// shelf.
pub async fn get(
    State(state): State<AppState>,
    req: ApiRequest,
    Path((user_id, shelf)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let shelf = state
        .library
        .shelf(&user_id, &shelf, Visibility::Public)
        .await?;
    respond(&req.output, &bookshelf(&shelf, &state.config.public_url))
}

/// `books.bookshelves.volumes.list`: `GET /books/v1/users/{userId}/bookshelves/{shelf}/volumes`
/// — a public shelf's volumes in shelf order (`startIndex`, `maxResults`, `showPreorders`).
/// A signed-in caller gets their own `userInfo` on each volume.
pub async fn volumes_list(
    State(state): State<AppState>,
    req: ApiRequest,
    Path((user_id, shelf)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let p = &req.params;
    let start = p.u32_in("startIndex", 0, u32::MAX, 0)?;
    let max = p.u32_in("maxResults", 0, MAX_RESULTS, 10)?;
    let show_preorders = p.bool_or("showPreorders", false)?;
    let shelf = state
        .library
        .shelf(&user_id, &shelf, Visibility::Public)
        .await?;
    let page = state
        .library
        .shelf_volumes(&shelf, start, max, None, show_preorders)
        .await?;
    respond_page(
        &state,
        &req.caller,
        &req.output,
        page.total,
        page.items,
        &PageStyle {
            projection: Projection::Full,
            country: &state.config.default_country,
            search: None,
        },
    )
    .await
}
